"""Selection transforms: yes/no values, value maps to selection keys, priorities."""

import re
from decimal import Decimal

from .base import _WORD_RE, TransformArgError, TransformError, _as_text, _clean_text, _q
from .registry import _register

# --------------------------------------------------------------------------- yes/no


_TRUE = frozenset(("true", "t", "yes", "y", "1", "on", "x", "checked", "oui", "si", "sí",
                   "✓", "✔"))
_FALSE = frozenset(("false", "f", "no", "n", "0", "off", "unchecked", "non"))


@_register("boolean", "boolean",
           "Yes/no: true/false, yes/no, y/n, 1/0, on/off, x (any case); empty → empty; "
           "anything else is rejected.")
def _t_boolean(value, ctx):
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) and value in (0, 1) or \
            isinstance(value, Decimal) and value.is_finite() and value in (0, 1):
        return bool(value)
    text = _clean_text(_as_text(value, "a yes/no value")).lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise TransformError(
        f"{_q(value)} is not a yes/no value (true/false, yes/no, y/n, 1/0, on/off, x): "
        "correct the source, or map the column with selection_map to a selection field.")


# --------------------------------------------------------------------------- selections

_KEY_SEP_RE = re.compile(r"[\s_\-]+")


def _sel_key(value, case_insensitive=True):
    text = _clean_text(_as_text(value, "a value"))
    if case_insensitive:
        text = _KEY_SEP_RE.sub(" ", text).strip().casefold()
    return text


def _prepare_selection(mapping, default=None, case_insensitive=True):
    if isinstance(mapping, (list, tuple)):
        try:
            mapping = dict(mapping)
        except (TypeError, ValueError) as exc:
            raise TransformArgError(
                "selection_map: mapping must be a {source value: selection key} dict.") from exc
    if not isinstance(mapping, dict) or not mapping:
        raise TransformArgError(
            "selection_map: mapping must be a non-empty {source value: selection key} dict.")
    table = {}
    for source, target in mapping.items():
        key = _sel_key(source, case_insensitive)
        if key in table and table[key] != target:
            raise TransformArgError(
                f"selection_map: the source values mapped to {table[key]!r} and {target!r} "
                f"are the same once trimmed and case-folded ({_q(source)}); map them to one "
                "target or set case_insensitive=False.")
        table[key] = target
    return {"mapping": table, "default": default, "case_insensitive": bool(case_insensitive),
            "allowed": tuple(str(k) for k in mapping)}


@_register("selection_map", "selection",
           "Source value → selection key via mapping (trimmed, case-, space-, '-' and "
           "'_'-insensitive by default). Unmapped → default (with a note) or rejected with "
           "the list of mapped source values.",
           args=("mapping", "default", "case_insensitive"), required=("mapping",),
           defaults={"default": None, "case_insensitive": True}, prepare=_prepare_selection)
def _t_selection_map(value, ctx, mapping, default=None, case_insensitive=True, allowed=()):
    key = _sel_key(value, case_insensitive)
    if key in mapping:
        return mapping[key]
    if default is not None:
        ctx.notes.append(f"{_q(value)} is not in the value map: default {_q(default)} used.")
        return default
    shown = ", ".join(_q(a, 30) for a in allowed[:30]) + (" …" if len(allowed) > 30 else "")
    raise TransformError(
        f"{_q(value)} is not in the value map of this field (mapped values: {shown}): add "
        "it to the map or set a default.")


#: source priority → crm.lead priority ('0' low, '1' medium, '2' high, '3' very high).
#: Bare numbers follow the ticketing convention, 1 = most urgent.
PRIORITY_TABLE = {
    **dict.fromkeys(("low", "lowest", "minor", "trivial", "not urgent", "none", "p4", "p5",
                     "4", "5", "l"), "0"),
    **dict.fromkeys(("normal", "medium", "moderate", "standard", "regular", "routine",
                     "default", "med", "p3", "3", "m", "n"), "1"),
    **dict.fromkeys(("high", "important", "major", "elevated", "asap", "p2", "2", "h"), "2"),
    **dict.fromkeys(("urgent", "emergency", "critical", "highest", "very high", "immediate",
                     "top", "blocker", "p1", "p0", "1", "u", "e"), "3"),
}


def _prepare_priority(mapping=None, default=None):
    table = dict(PRIORITY_TABLE)
    for source, target in (mapping or {}).items():
        if str(target) not in ("0", "1", "2", "3"):
            raise TransformArgError(
                f"priority: mapping targets must be '0', '1', '2' or '3', not {target!r}.")
        table[_sel_key(source)] = str(target)
    if default is not None and str(default) not in ("0", "1", "2", "3"):
        raise TransformArgError(f"priority: default must be '0'..'3', not {default!r}.")
    return {"mapping": table, "default": None if default is None else str(default)}


@_register("priority", "selection",
           "Priority word or number → crm.lead priority '0'..'3': Low/P4/P5/4/5 → '0', "
           "Normal/Medium/P3/3 → '1', High/P2/2 → '2', Urgent/Emergency/Critical/P1/1 → "
           "'3'. mapping overrides entries; unknown → default or rejected.",
           args=("mapping", "default"), defaults={"mapping": None, "default": None},
           prepare=_prepare_priority)
def _t_priority(value, ctx, mapping, default=None):
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    key = _sel_key(value)
    found = mapping.get(key)
    if found is not None:
        return found
    hits = {mapping[t] for t in _WORD_RE.findall(key) if t in mapping}
    if len(hits) == 1:
        return hits.pop()
    if default is not None:
        ctx.notes.append(f"Priority {_q(value)} not recognised: default {_q(default)} used.")
        return default
    raise TransformError(
        f"Priority {_q(value)} is not recognised"
        + (" (its words point to different priorities)" if hits else "")
        + ": add it to the priority mapping of this field or set a default.")
