"""Checking mapped values against the target fields: type, size, selection, required."""

import re

from .. import mapping as mp
from .shapes import FieldError, Ref
from .values import _empty, show_value

_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DATETIME_RE = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}")
_TYPE_CHECKS = {
    "char": (str,), "text": (str,), "html": (str,), "integer": (int,),
    "float": (int, float), "monetary": (int, float), "boolean": (bool,),
}
_REF_TYPES = {"many2one", "many2many", "one2many", "many2one_reference", "binary", "char",
              "text", "integer", "reference"}


def validate_values(values, target_fields, *, required=(), source_object, source_id,
                    check_required=True, sources=None):
    """Problems of ``values`` (plain values and :class:`Ref`) against ``target_fields``
    (``{name: TargetField}`` of one model): type, size, selection key, unknown field and,
    unless ``check_required`` is false, required fields present and not empty (Odoo-side
    defaults of ``services.mapping.ODOO_DEFAULTS`` count as present). ``sources`` maps a
    target field to the source field it came from, for the error. [] when all is well.

    A text longer than a char field's ``size`` stays an error here: a value the mapper
    keeps as typed (``on_invalid`` keep) never gets that far, it is left empty with a
    warning instead (Odoo would cut it silently, and the read-back would differ)."""
    errors = []
    sources = sources or {}
    model = next((f.model for f in target_fields.values()), None)

    def err(name, value, reason):
        errors.append(FieldError(source_object, source_id, sources.get(name), name,
                                 show_value(value, sources.get(name)), reason))

    for name, value in values.items():
        target = target_fields.get(name)
        if target is None:
            err(name, value, f"{model} has no field {name!r}: create it (schema plan) or fix "
                             "the map line")
            continue
        if value is None or value is False and target.ttype != "boolean":
            continue
        ttype = target.ttype
        if isinstance(value, Ref):
            if ttype not in _REF_TYPES:
                err(name, value, f"{model}.{name} is a {ttype} field: a {value.kind} "
                                 "reference cannot be written to it; fix the map line")
            elif value.many != (ttype in ("many2many", "one2many")):
                err(name, value, f"{model}.{name} is a {ttype} field: the {value.kind} "
                                 f"reference must be {'a list' if not value.many else 'one'}")
            continue
        expected = _TYPE_CHECKS.get(ttype)
        if expected is not None:
            if isinstance(value, bool) and ttype != "boolean" or not isinstance(value, expected):
                err(name, value, f"{model}.{name} expects a {ttype} value, got a "
                                 f"{type(value).__name__}: use a transform that gives "
                                 f"{ttype} (fix the map line)")
                continue
            if target.size and isinstance(value, str) and len(value) > target.size:
                err(name, value, f"{len(value)} characters, more than the {target.size} "
                                 f"{model}.{name} holds: shorten it in the source or map it "
                                 "with truncate")
        elif ttype == "date":
            if not isinstance(value, str) or not _DATE_RE.fullmatch(value):
                err(name, value, f"{model}.{name} expects a date 'YYYY-MM-DD'")
        elif ttype == "datetime":
            if not isinstance(value, str) or not _DATETIME_RE.fullmatch(value):
                err(name, value, f"{model}.{name} expects a date-time 'YYYY-MM-DD HH:MM:SS' "
                                 "(UTC)")
        elif ttype == "selection":
            keys = [option[0] for option in target.selection]
            if keys and value not in keys:
                shown = ", ".join(repr(k) for k in keys[:15]) + (" …" if len(keys) > 15
                                                                   else "")
                err(name, value, f"{value!r} is not an option of {model}.{name} ({shown}): "
                                 "add it to the field's options or to the value map")
        elif ttype in ("many2one", "many2one_reference"):
            if isinstance(value, bool) or not isinstance(value, int):
                err(name, value, f"{model}.{name} expects a record id (int) or a reference")
        elif ttype in ("many2many", "one2many"):
            if not isinstance(value, (list, tuple)):
                err(name, value, f"{model}.{name} expects a list of commands or ids")
    if check_required:
        wanted = _required_fields(target_fields, model) | set(required)
        for name in sorted(wanted):
            value = values.get(name)
            if isinstance(value, Ref):
                if value.key is None and value.kind != "user":
                    err(name, value, f"{model}.{name} is required but the reference is empty")
                continue
            if _empty(value) and not (value is False and target_fields.get(name) is not None
                                      and target_fields[name].ttype == "boolean"):
                source = sources.get(name)
                err(name, value, f"{model}.{name} is required and empty"
                                 + (f" (source field {source!r})" if source else
                                    " and not mapped") + ": fill it in the source, map a "
                                 "source field to it or give the object line a default")
    return errors


_REQUIRED_CACHE = {}


def _required_fields(target_fields, model):
    """Required fields of ``model`` Odoo does not fill itself (cached per field dict)."""
    key = (id(target_fields), model, len(target_fields))
    found = _REQUIRED_CACHE.get(key)
    if found is None or found[0] is not target_fields:
        defaults = mp.ODOO_DEFAULTS.get(model, {})
        found = (target_fields, frozenset(
            n for n, f in target_fields.items() if f.required and n not in defaults
            and n not in mp.MAGIC_FIELDS))
        if len(_REQUIRED_CACHE) > 256:
            _REQUIRED_CACHE.clear()
        _REQUIRED_CACHE[key] = found
    return found[1]
