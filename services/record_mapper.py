"""The record mapper: source records → the values the Odoo-side importer writes.

Pure Python (never imports odoo). The importer pulls a page of source records, calls
:meth:`RecordMapper.map_batch`, resolves the :class:`Ref` values with lookups it prefetched
once per batch, validates and creates in lists. The mapper never looks anything up in the
database: whatever needs it comes out as a :class:`Ref`.

Everything the proposal says is compiled once, in ``RecordMapper.__init__``, into one plan
per (source object, role): a list of steps ``(target field, getter, transform)``. Mapping a
record only walks that list.

Ref kinds (``Ref.kind``, ``Ref.key``, where):

=================  =============================================  ==========================
kind               key                                            emitted for
=================  =============================================  ==========================
``binding``        source id (str) of ``source_object``;          ``binding`` lines to a
                   ``role``/``model`` say which bound record       many2one/res_id field
``source_field``   source id; ``field`` names the *source* field   ``binding`` with a
                   of that record whose value is wanted            ``field`` that is not an
                                                                   Odoo field (WO number,
                                                                   brand name)
``user``           source id of a technician/user, or ``None``     user_id, author_id,
                   (= the plan's fallback user); ``field`` =       employee user_id
                   ``partner_id`` for a user's partner
``user_email``     e-mail, trimmed and lower-cased                 ``user_by_email``
``country``        ISO-2 code ('US')                               country_code → many2one
``state``          ``(country ISO-2, state code)``                 state_code → many2one
``stage``          crm.stage name                                  status value map
``tag``            crm.tag name, ``many=True`` (a tuple of names   defaults (tag_ids)
                   when a default lists several)
``model``          model name ('crm.lead')                         defaults (res_model_id)
``activity_type``  activity type name ('Call')                     defaults
``subtype``        xml id ('mail.mt_note')                         defaults (subtype_id)
``skill``          skill name                                      split_list (hr_skills)
``skill_type``     skill type name                                 defaults
``skill_level``    ``(skill type name, level name)``               defaults
``location``       stock.location full name ('WH/Stock')           defaults (stock.move)
``product``        product name or kind; ``field`` = 'name'/'kind' ``product`` lines
``file``           path in the bundle / Dispatch file token        ``file`` lines (raw)
``record``         name, ``model`` = the relation                  other many2one defaults
=================  =============================================  ==========================

An orphan (a binding whose source record does not exist) is *not* an error here: its Ref
is emitted like any other and the importer reports the record as blocked by its parent.
"""

import hashlib
import json
import re
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta

from . import mapping as mp
from . import transforms as tr

REBUILD = mp.REBUILD
MAX_VALUE_REPR = 120
#: transforms are deterministic: short text values (statuses, codes, names) are memoised
#: per map line, at most MEMO_SIZE of them
MEMO_MAX_LEN = 48
MEMO_SIZE = 4096
_SECRET_RE = re.compile(r"password|passwd|secret|token|api_?key|authorization|credential",
                        re.I)
_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DATETIME_RE = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}")
_NUMBER_TEXT_RE = re.compile(r"-?\d+(?:\.\d+)?")

#: many2one relation → Ref kind of a default given by name
RELATION_KINDS = {
    "crm.tag": "tag", "ir.model": "model", "mail.activity.type": "activity_type",
    "mail.message.subtype": "subtype", "hr.skill": "skill", "hr.skill.type": "skill_type",
    "hr.skill.level": "skill_level", "stock.location": "location", "crm.stage": "stage",
    "res.users": "user", "res.country": "country", "product.product": "product",
    "res.company": "company", "uom.uom": "uom",
}
#: _inherits: fields of the parent model are written through the child record
INHERITS = {"res.users": "res.partner"}
#: transforms implemented here because services.transforms has no such name (or needs the
#: record, not a value): see the module doc and :meth:`RecordMapper._compile_line`
MAPPER_TRANSFORMS = ("binding", "user_by_email", "product", "file", "pick", "split_list",
                     "end_from_duration")
#: field-line arguments that are the mapper's business, not the transform's
MAPPER_ARGS = {
    "*": {"value_map", "lost", "exact"},
    "full_name": {"fields"}, "join": {"fields", "separator"},
    "json_dump": {"group_by", "key"}, "state_code": {"country_field", "countries"},
    "country_code": {"from_state", "countries"}, "email": {"match"},
    "boolean": {"true_values", "false_values", "default"},
    "selection_map": {"case_insensitive", "mapping"}, "priority": {"case_insensitive"},
    "date": {"tz"}, "datetime_utc": set(),
}


# -- data shapes ------------------------------------------------------------------------------


@dataclass
class Ref:
    """A value only the database can give (see the module doc for the kinds)."""

    kind: str
    key: object
    source_object: str | None = None
    model: str | None = None
    many: bool = False
    #: binding: the role (object line) of ``source_object`` whose record is wanted
    role: str | None = None
    #: binding/user: a field of the bound record (Odoo side) or, for ``source_field``, of
    #: the source record; product: 'name' or 'kind'
    field: str | None = None
    #: binding through another source record: ``key`` is an id of ``source_object``, whose
    #: source field ``via`` holds an id of ``to`` (Dispatch job contact → job → customer)
    via: str | None = None
    to: str | None = None
    #: file: the id of the source record the file belongs to (an API reads files by it)
    record_id: str | None = None

    def to_dict(self):
        data = asdict(self)
        if isinstance(data["key"], tuple):
            data["key"] = list(data["key"])
        return data


@dataclass
class FieldError:
    source_object: str
    source_id: str
    source_field: str | None
    target_field: str | None
    value: str
    reason: str

    def to_dict(self):
        return asdict(self)


@dataclass
class FieldWarning:
    """A value the line's transform could not normalise, written anyway ("Degrade, don't
    drop"): ``action`` is ``"kept as typed"`` (``value`` is what was written, trimmed) or
    ``"left empty"`` (``value`` is the raw value shown; the source value was treated as
    empty: the field is written empty — False — or, for an ``end_from_duration`` line
    with a default, the end is computed from the default duration); ``reason`` is the
    transform's own words and what to do. The record itself is written: this is no
    error."""

    source_object: str
    source_id: str
    source_field: str | None
    target_field: str | None
    value: str
    reason: str
    action: str

    def to_dict(self):
        return asdict(self)


KEPT = "kept as typed"
EMPTIED = "left empty"


@dataclass
class MappedRecord:
    role: str
    source_object: str
    source_id: str
    target_model: str
    values: dict = field(default_factory=dict)
    refs: dict = field(default_factory=dict)
    errors: list = field(default_factory=list)
    payload_hash: str = ""
    group_key: str | None = None
    lost: bool = False
    #: update roles (lines_json, parts_json, lead_fields): the record that receives values
    target: Ref | None = None
    #: two source records that must give one Odoo record (same job contact on several jobs)
    dedupe_key: str | None = None
    #: a condition only the importer can check ('has_children:work_order_lines.work_order_id')
    check: str | None = None
    #: values altered beyond normalisation (show them in the sample diff)
    notes: list = field(default_factory=list)
    #: aggregates: the items and the source ids they came from (a group split over two
    #: batches must be merged by the importer, see map_batch)
    items: list | None = None
    item_ids: list | None = None
    #: the source record's own id, when ``source_id`` is derived from it (a job's site
    #: ``site:…``, a customer's company ``company:…``) or shared (``dedupe_key``)
    origin_id: str | None = None
    #: :class:`FieldWarning` per value kept as typed or left empty (the record is written
    #: with them; ``values`` holds exactly what is written)
    warnings: list = field(default_factory=list)

    def to_dict(self):
        return {
            "role": self.role, "source_object": self.source_object,
            "source_id": self.source_id, "target_model": self.target_model,
            "values": dict(self.values),
            "refs": {k: v.to_dict() for k, v in self.refs.items()},
            "errors": [e.to_dict() for e in self.errors], "payload_hash": self.payload_hash,
            "group_key": self.group_key, "lost": self.lost,
            "target": self.target.to_dict() if self.target else None,
            "dedupe_key": self.dedupe_key, "check": self.check, "notes": list(self.notes),
            "items": self.items, "item_ids": self.item_ids, "origin_id": self.origin_id,
            "warnings": [w.to_dict() for w in self.warnings],
        }


class _Out:
    """A step's value with what came along: notes (value altered), lost (stage map),
    ``warning`` ``(raw value, reason)``: a source value the line's own arguments replaced
    (a malformed duration → the line's default duration), a :class:`FieldWarning`."""

    __slots__ = ("lost", "notes", "value", "warning")

    def __init__(self, value, notes=(), lost=False, warning=None):
        self.value = value
        self.notes = notes
        self.lost = lost
        self.warning = warning


class _Fail(Exception):
    """A value the mapper itself rejects (same role as ``TransformError``); ``value``: the
    raw value rejected, when it is not the source field's; ``map_problem``: the map line is
    wrong (every record fails on it, whatever the line's ``on_invalid``)."""

    def __init__(self, reason, *, value=None, map_problem=False):
        super().__init__(reason)
        self.reason = reason
        self.value = value
        self.map_problem = map_problem


#: what to do, after the transform's own words, in a :class:`FieldWarning`'s reason
_ADVICE = {
    KEPT: " — written as typed: correct it in the source and re-run, or in Odoo.",
    EMPTIED: " — the field was left empty: correct the value in the source and re-run, or "
             "fill the field in Odoo.",
}


# -- helpers ----------------------------------------------------------------------------------


def payload_hash(record):
    """SHA-1 of the canonical JSON of ``record`` (sorted keys, compact, UTF-8)."""
    text = json.dumps(record, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      default=str)
    return hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest()


def _norm(value):
    """Trimmed, spaces collapsed (incl. no-break), case-folded."""
    return " ".join(str(value).replace("\xa0", " ").split()).casefold()


def _sel_key(value):
    return re.sub(r"[\s_\-]+", " ", _norm(value)).strip()


def _empty(value):
    return value is None or value is False or value == "" or value == [] or value == {} or (
        isinstance(value, str) and not value.strip())


def show_value(value, source_field=None):
    """``repr`` of a value for an error, secrets masked, at most 120 characters."""
    if source_field and _SECRET_RE.search(source_field) and value not in (None, ""):
        return repr(mp.MASK)
    text = repr(value)
    return text if len(text) <= MAX_VALUE_REPR else text[:MAX_VALUE_REPR - 1] + "…"


def _getter(path):
    """A function reading ``path`` (dotted for nested dicts) from a record."""
    if "." not in path:
        return lambda record: record.get(path)
    parts = tuple(path.split("."))

    def get(record):
        if path in record:  # a source that flattens its records
            return record[path]
        value = record
        for part in parts:
            if not isinstance(value, dict):
                return None
            value = value.get(part)
        return value
    return get


def _has_path(record, path):
    if path in record:
        return True
    value = record
    for part in path.split("."):
        if not isinstance(value, dict) or part not in value:
            return False
        value = value[part]
    return True


def _scalar(value):
    """A CSV-ish text as the JSON value it stands for (JSON aggregates): numbers, yes/no."""
    if not isinstance(value, str):
        return value
    text = " ".join(value.split())
    if not text:
        return None
    lowered = text.lower()
    if lowered in ("yes", "true"):
        return True
    if lowered in ("no", "false"):
        return False
    if _NUMBER_TEXT_RE.fullmatch(text) and not (len(text) > 1 and text[0] == "0"
                                                and text[1] != "."):
        return float(text) if "." in text else int(text)
    return text


def _source_id(record, id_field):
    for name in ("id", id_field):
        if name and record.get(name) not in (None, ""):
            return str(record[name]).strip()
    return None


# -- validation -------------------------------------------------------------------------------

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


# -- dependency order -------------------------------------------------------------------------


def dependency_order(proposal):
    """Source objects in the order they must run: ``depends_on`` first, then the object
    lines' ``order`` (DESIGN.md's numbering), then the name. A cycle → ``ValueError``."""
    rank, deps = {}, {}
    for line in proposal.object_maps:
        if line.skip:
            continue
        obj = line.source_object
        rank[obj] = min(rank.get(obj, line.order), line.order)
        deps.setdefault(obj, set()).update(d for d in line.depends_on if d != obj)
    for obj in deps:
        deps[obj] &= set(rank)  # a dependency on an object the source lacks is moot
    done, order = set(), []
    while len(done) < len(rank):
        ready = [o for o in rank if o not in done and deps[o] <= done]
        if not ready:
            stuck = sorted(o for o in rank if o not in done)
            raise ValueError("the object map has a dependency cycle between "
                             + ", ".join(f"{o} (needs {', '.join(sorted(deps[o] - done))})"
                                         for o in stuck)
                             + ": remove one of these depends_on")
        best = min(ready, key=lambda o: (rank[o], o))
        order.append(best)
        done.add(best)
    return order


# -- conditions -------------------------------------------------------------------------------

#: condition text of the templates → a named condition the mapper implements. Unknown text:
#: the role always applies and a note says so (``RecordMapper.notes``).
CONDITIONS = {
    "customer_type Commercial → company (is_company=True), else person": "always",
    "one address partner per site": "always",
    "matched to an existing user by e-mail (case-insensitive); unmatched → the plan's "
    "fallback user, or a new user when the plan asks for it": "user_plan",
    "one employee per matched or created user": "user_not_fallback",
    "one line per skill": "per_skill",
    "only work orders with at least one line item": "has_line_items",
    "enabled in the plan and the part matches a product by name": "stock_moves_enabled",
    "company_name set → company, else none": "company_name_set",
    "company_name set → child contact of the company, else a standalone person": "always",
    "billing_address set and not the home address": "billing_differs",
    "one partner per (customer, first+last name, case-insensitive); the customer itself is "
    "not duplicated": "distinct_job_contact",
    "one per distinct job address per customer (case- and space-insensitive); the "
    "customer's own home address is not repeated": "distinct_job_location",
    "entity_type = Job and deleted_at empty (deleted files are reported)": "live_job_file",
}
_ADDRESS_KEYS = ("street_1", "street_2", "city", "state", "postal_code")


def _address_key(address):
    if not isinstance(address, dict):
        return None
    parts = [_norm(address.get(k) or "") for k in _ADDRESS_KEYS]
    return "|".join(parts) if any(parts) else None


# -- the mapper -------------------------------------------------------------------------------


class _Plan:
    """The compiled plan of one (source object, role)."""

    __slots__ = ("condition", "defaults", "flines", "group", "id_field", "line", "model",
                 "policy", "refs", "required", "sources", "steps", "target", "targets",
                 "update")

    def __init__(self, line, targets):
        self.line = line
        self.model = line.target_model
        self.targets = targets
        self.steps = []        # (target, label, func, kind) kind: 'value' | 'agg'
        self.defaults = {}     # plain defaults
        self.refs = {}         # Ref defaults
        self.sources = {}      # target → source field (for errors)
        self.flines = {}       # target → the field line that writes it
        self.policy = {}       # target → on_invalid policy: 'keep' | 'empty' | 'fail'
        self.condition = "always"
        self.group = None      # json aggregate: (group getter, group field, [(key, getter)])
        self.target = None     # update roles: (getter, source field, Ref factory)
        self.update = line.role in mp.UPDATE_ROLES
        self.required = ()
        self.id_field = None


class RecordMapper:
    """Maps source records with a confirmed :class:`services.mapping.Proposal`.

    ``targets``: ``{model: {name: TargetField}}`` (``targets_from_fields_get``); the new x_
    fields the proposal plans are added. ``default_tz``: the zone of naive source times.
    ``user_plan``: ``UserPlanLine``s (or dicts) — a technician whose line says ``fallback``
    gets no employee, and ``map``/``fallback`` users are not created (no login needed).
    ``stock_moves``: the plan enables stock.move per part (off by default).
    ``source_lookup(source_object, source_id) → record | None``: optional access to other
    source records, for the Dispatch conditions that need the customer of a job.
    ``children``: ``{"work_order_lines.work_order_id": ids}`` — parents that have children
    (else the sale order condition is left to the importer in ``MappedRecord.check``).
    ``source_fields``: ``{object: names}`` known to the source (discovery); a field line
    reading another name fails every record with a clear reason. ``strict``: raise
    ``ValueError`` at once for map problems instead of reporting them per record.
    """

    def __init__(self, proposal, targets, *, default_tz="UTC", user_plan=None,
                 stock_moves=False, source_lookup=None, children=None, source_fields=None,
                 strict=False):
        self.proposal = proposal
        self.default_tz = default_tz
        self.stock_moves = stock_moves
        self.source_lookup = source_lookup
        self.children = {k: {str(i) for i in v} for k, v in (children or {}).items()}
        self.source_fields = {k: set(v) for k, v in (source_fields or {}).items()}
        self.notes = []
        #: map problems (unknown transform, bad arguments, unknown source field…)
        self.problems = []
        #: source object → records exported to the JSON rebuild reference
        self.rebuild_reference = {}
        self.user_actions = {}
        for line in user_plan or ():
            data = line if isinstance(line, dict) else line.to_dict()
            self.user_actions[(data.get("source_object"), str(data.get("source_id")))] = \
                data.get("action")
        self.targets = {m: dict(f) for m, f in (targets or {}).items()}
        for (model, name), spec in proposal.new_fields().items():
            self.targets.setdefault(model, {}).setdefault(name, mp.TargetField(
                model=model, name=name, ttype=spec.get("ttype", "char"),
                string=spec.get("string", ""), selection=[tuple(o) for o in
                                                          spec.get("selection") or []],
                relation=spec.get("relation")))
        self._values = {}
        for vline in proposal.value_maps:
            self._values.setdefault((vline.source_object, vline.source_field, vline.kind),
                                    []).append(vline)
        self._lines = {}
        for oline in proposal.object_maps:
            self._lines.setdefault(oline.source_object, []).append(oline)
        self._main = {obj: self._main_role(obj) for obj in self._lines}
        self._user_objects = {o.source_object for o in proposal.object_maps
                              if o.target_model == "res.users" and not o.skip}
        self._plans = {}
        self._rebuild_fields = {}
        for obj, olines in self._lines.items():
            plans = []
            for oline in sorted(olines, key=lambda o: (o.order, o.role)):
                if oline.skip:
                    continue
                if oline.target_model == REBUILD:
                    self._rebuild_fields[obj] = sorted(
                        f.source_field for f in proposal.field_maps
                        if f.source_object == obj and f.role == oline.role)
                    continue
                plans.append(self._compile(oline))
            self._plans[obj] = plans
        if strict and self.problems:
            raise ValueError("the map cannot be used: " + "; ".join(self.problems))

    # -- public ---------------------------------------------------------------------------

    def roles(self, source_object):
        """The object lines of ``source_object`` the mapper writes (not skipped), in order."""
        return [plan.line for plan in self._plans.get(source_object, ())]

    def map_record(self, source_object, record):
        """One :class:`MappedRecord` per role of ``source_object`` whose condition holds
        (the skills role gives one per skill). Aggregate (json_dump) roles are only
        produced by :meth:`map_batch`."""
        out = []
        self._map(source_object, record, out, None)
        return out

    def map_batch(self, source_object, records):
        """:meth:`map_record` over ``records``, plus one MappedRecord per group of each
        aggregate role (``group_key`` = the parent's source id). A group whose records span
        two batches gives a partial list: the importer merges ``items`` by ``item_ids``."""
        out = []
        groups = {}
        for record in records:
            self._map(source_object, record, out, groups)
        for (role, key), data in groups.items():
            out.append(self._aggregate(source_object, role, key, data))
        self._check_absent(source_object, records, out)
        return out

    def lookup_requests(self, source_object, records):
        """``{source object: ids}`` the conditions of ``source_object``'s roles will read
        through ``source_lookup`` for ``records``, as far as the records already looked up
        tell (a job contact needs its job, then the job's customer): call, fetch, call
        again until nothing new is asked."""
        conditions = {plan.condition for plan in self._plans.get(source_object, ())}
        wants = {}
        lookup = self.source_lookup or (lambda _obj, _rid: None)
        for record in records:
            customer = None
            if "distinct_job_location" in conditions:
                customer = record.get("customer_id")
            if "distinct_job_contact" in conditions and not _empty(record.get("job_id")):
                wants.setdefault("jobs", set()).add(str(record["job_id"]))
                job = lookup("jobs", str(record["job_id"]))
                customer = job.get("customer_id") if job else None
            if not _empty(customer):
                wants.setdefault("customers", set()).add(str(customer))
        return wants

    def target_fields(self, source_object, role):
        """``{name: TargetField}`` a role writes (its model's, planned x_ fields and the
        _inherits parent's fields it maps)."""
        for plan in self._plans.get(source_object, ()):
            if plan.line.role == role:
                return plan.targets
        raise KeyError(f"{source_object} has no role {role!r}")

    def pop_rebuild_reference(self):
        """The rebuild reference gathered so far (and forget it: memory stays bounded)."""
        data, self.rebuild_reference = self.rebuild_reference, {}
        return data

    # -- compiling --------------------------------------------------------------------------

    def _main_role(self, obj):
        counts = {}
        for f in self.proposal.field_maps:
            if f.source_object == obj and not f.skip and f.target_field:
                counts[f.role] = counts.get(f.role, 0) + 1
        roles = [o for o in self._lines[obj] if not o.skip and o.target_model != REBUILD]
        if not roles:
            return None
        return max(roles, key=lambda o: (counts.get(o.role, 0), -o.order)).role

    def _role_for_model(self, obj, model):
        for oline in self._lines.get(obj, ()):
            if oline.target_model == model and not oline.skip:
                return oline.role
        return self._main.get(obj)

    def _problem(self, text):
        if text not in self.problems:
            self.problems.append(text)

    def _compile(self, oline):
        obj = oline.source_object
        targets = dict(self.targets.get(oline.target_model, {}))
        lines = [f for f in self.proposal.field_maps
                 if f.source_object == obj and f.role == oline.role]
        for fline in lines:
            # a line to the parent of an _inherits model (res.users → res.partner) is
            # written through the child record
            if fline.target_model == INHERITS.get(oline.target_model) and fline.target_field \
                    and not fline.skip and fline.target_field not in targets:
                parent = self.targets.get(fline.target_model, {}).get(fline.target_field)
                if parent is not None:
                    targets[fline.target_field] = parent
        plan = _Plan(oline, targets)
        plan.id_field = mp._Builder._id_column(obj, {
            f.source_field: None for f in self.proposal.field_maps if f.source_object == obj})
        if oline.condition:
            named = CONDITIONS.get(oline.condition)
            if named is None:
                named = "always"
                self.notes.append(f"{obj} ({oline.role}): condition {oline.condition!r} is not "
                                  "known to the mapper: the role always applies")
            plan.condition = named
        for name, value in (oline.defaults or {}).items():
            self._compile_default(plan, name, value)
        aggregates = {}
        for fline in lines:
            if fline.target_model == REBUILD:
                continue
            if fline.skip or not fline.target_field:
                if plan.update and fline.transform == "binding" and not fline.target_field:
                    ref_args = fline.transform_args or {}
                    plan.target = (_getter(fline.source_field), fline.source_field,
                                   self._binding_factory(ref_args, None))
                continue
            if fline.transform in mp.AGGREGATE_TRANSFORMS and (
                    fline.transform_args.get("fields") or fline.transform_args.get("group_by")):
                aggregates.setdefault((fline.target_model, fline.target_field), []).append(fline)
                continue
            self._compile_line(plan, fline)
        for (_model, target), group in aggregates.items():
            self._compile_aggregate(plan, target, group)
        if oline.target_model == "res.partner" and oline.defaults.get("type", "contact") == \
                "contact" and "name" in plan.sources:
            plan.required = ("name",)  # SQL check_name: a contact needs a name
        if plan.update and plan.target is None:
            self._problem(f"{obj} ({oline.role}): update role without the binding line that "
                          "says which record receives the values")
        for target_name, fline in plan.flines.items():
            plan.policy[target_name] = mp.on_invalid_of(
                fline, plan.targets.get(target_name),
                required=True if target_name in plan.required else None)
        return plan

    def _compile_default(self, plan, name, value):
        model = plan.model
        target = plan.targets.get(name)
        if name in mp.ODOO_DEFAULTS.get(model, {}) and target is not None and \
                target.ttype == "many2one":
            self.notes.append(f"{plan.line.source_object} ({plan.line.role}): default "
                              f"{name}={value!r} left to Odoo ({mp.ODOO_DEFAULTS[model][name]})")
            return
        if target is None or target.ttype not in ("many2one", "many2many", "one2many"):
            plan.defaults[name] = value
            return
        kind = RELATION_KINDS.get(target.relation, "record")
        many = target.ttype != "many2one"
        key = value
        if many and isinstance(value, (list, tuple)):  # one name → the name itself
            key = value[0] if len(value) == 1 else tuple(value)
        if kind == "skill_level":
            skill_type = plan.line.defaults.get("skill_type_id")
            key = (skill_type, value)
        if kind == "model":
            plan.refs[name] = Ref("model", value, model="ir.model", many=many)
        else:
            plan.refs[name] = Ref(kind, key, model=target.relation, many=many)

    def _binding_factory(self, args, target):
        """A function source value → Ref for a ``binding`` line."""
        obj = args.get("object")
        role = args.get("role")
        model = args.get("model")
        fld = args.get("field")
        via, to = args.get("via"), args.get("to")
        key_is_name = bool(args.get("key"))
        if model and not role:
            role = self._role_for_model(obj, model)
        role = role or self._main.get(obj)
        bound_model = model or next((o.target_model for o in self._lines.get(obj, ())
                                     if o.role == role), None)
        source_side = bool(fld) and (bound_model in (None, REBUILD) or fld not in
                                     self.targets.get(bound_model, {}))
        user = obj in self._user_objects and model in (None, "res.users") and not source_side

        if source_side:
            def make(value):
                return Ref("source_field", str(value).strip(), source_object=obj, field=fld)
        elif user:
            def make(value):
                return Ref("user", str(value).strip(), source_object=obj, field=fld,
                           model="res.users")
        elif key_is_name:
            def make(value):
                return Ref("binding", "company:" + _norm(value), source_object=obj,
                           role=role, model=bound_model)
        else:
            def make(value):
                return Ref("binding", str(value).strip(), source_object=obj, role=role,
                           model=bound_model, field=fld, via=via, to=to)
        return make

    def _bind(self, name, args, where):
        try:
            return tr.bind(name, **args)
        except tr.TransformArgError as exc:
            self._problem(f"{where}: {exc.reason}")
            reason = exc.reason

            def broken(_value):
                raise _Fail(f"{reason} (map problem: every record fails on this line)",
                            map_problem=True)
            return broken

    def _compile_line(self, plan, fline):
        """One field line → a step ``(target, source field, func)``; func(record) gives
        the value, a Ref, or raises TransformError/_Fail."""
        obj, src, name = fline.source_object, fline.source_field, fline.transform
        target_name = fline.target_field
        target = plan.targets.get(target_name)
        ttype = target.ttype if target else None
        args = dict(fline.transform_args or {})
        get = _getter(src)
        where = f"{obj}.{src} → {fline.target_model}.{target_name}"
        known = self.source_fields.get(obj)
        if known is not None and src not in known and src.split(".")[0] not in known:
            reason = (f"source field {src!r} does not exist in {obj} (the source has "
                      f"{len(known)} fields): fix the map line")
            self._problem(f"{where}: {reason}")

            def missing(_record, reason=reason):
                raise _Fail(reason, map_problem=True)
            plan.steps.append((target_name, src, missing))
            plan.sources[target_name] = src
            plan.flines[target_name] = fline
            return
        func = None
        if name == "binding":
            make = self._binding_factory(args, target)
            required = target is not None and target.required
            is_user = make("0").kind == "user"

            def func(record, get=get, make=make):
                value = get(record)
                if _empty(value):
                    return Ref("user", None, model="res.users") if is_user and required \
                        else None
                return make(value)
        elif name == "user_by_email":
            email = tr.bind("email")

            def func(record, get=get, email=email):
                value = email(get(record))
                return Ref("user_email", value, model="res.users") if value else None
        elif name == "product":
            by = args.get("by", "name")
            trim = tr.bind("trim")

            def func(record, get=get, trim=trim, by=by):
                value = trim(get(record))
                return Ref("product", value, model="product.product", field=by) \
                    if value else None
        elif name == "file":
            def func(record, get=get, obj=obj, src=src):
                value = get(record)
                return Ref("file", str(value).strip(), source_object=obj, field=src,
                           record_id=_source_id(record, None)) \
                    if not _empty(value) else None
        elif name == "pick":
            func = self._pick(args, get, where)
        elif name == "split_list":
            plan.steps.append((target_name, src, self._split(args, get), "split"))
            plan.sources[target_name] = src
            plan.flines[target_name] = fline
            return
        elif name == "end_from_duration":
            func = self._end_from_duration(args, get, where)
        elif name == "selection_map" and args.get("value_map") == "stage":
            func = self._stage(fline, get)
        elif name in ("selection_map", "priority"):
            func = self._selection(fline, get, target, where)
        elif name == "boolean" and ({"true_values", "false_values", "default"} & set(args)):
            func = self._boolean(args, get)
        elif name == "state_code":
            func = self._state(args, get, ttype, where)
        elif name == "country_code":
            func = self._country(args, get, ttype, where)
        else:
            func = self._plain(name, args, get, ttype, where, fline)
        plan.steps.append((target_name, src, func))
        plan.sources[target_name] = src
        plan.flines[target_name] = fline

    def _plain(self, name, args, get, ttype, where, fline):
        extra = MAPPER_ARGS.get(name, set()) | MAPPER_ARGS["*"]
        targs = {k: v for k, v in args.items() if k not in extra}
        if name == "datetime_utc" and "tz" not in targs:
            targs["tz"] = self.default_tz
        if name == "date" and "tz" in args:
            tz = args["tz"]
            if isinstance(tz, str) and ("." in tz or tz == "user"):
                # a field of the record ('address.timezone') or the user's zone: records
                # that lack it use the default zone
                tz_get = _getter(tz) if tz != "user" else None
                default = self._bind("date", {"tz": self.default_tz}, where)
                cache = {}

                def date_func(record, get=get, tz_get=tz_get):
                    zone = tz_get(record) if tz_get else None
                    if not zone:
                        return default(get(record))
                    bound = cache.get(zone)
                    if bound is None:
                        try:
                            bound = cache[zone] = tr.bind("date", tz=zone)
                        except tr.TransformArgError:
                            bound = cache[zone] = default
                    return bound(get(record))
                return date_func
            targs["tz"] = tz
        if name == "trim" and ttype in ("text", "html") and "multiline" not in targs:
            targs["multiline"] = True
        if name == "join" and "separator" in args:
            targs["sep"] = args["separator"]
        bound = self._bind(name, targs, where)
        if name == "identity" and ttype in ("char", "text"):
            def func(record, get=get):
                value = get(record)
                if isinstance(value, (int, float)) and not isinstance(value, bool):
                    return str(value)
                return value
            return func
        run = getattr(bound, "run", None)
        if run is None:  # a broken line
            return lambda record, get=get, bound=bound: bound(get(record))
        return _runner(run, get)

    def _pick(self, args, get, where):
        where_ = {k: _norm(v) if isinstance(v, str) else v
                  for k, v in (args.get("where") or {}).items()}
        prefer = args.get("prefer") or {}
        key = args.get("value")
        then = args.get("then")
        after = self._bind(then, {}, where) if then else None

        def matches(item, cond):
            for k, v in cond.items():
                got = item.get(k)
                if isinstance(got, str):
                    got = _norm(got)
                if got != v:
                    return False
            return True

        def func(record, get=get):
            items = get(record)
            if _empty(items):
                return None
            if not isinstance(items, list):
                raise _Fail(f"expected a list of records to pick from, got a "
                            f"{type(items).__name__}")
            items = [i for i in items if isinstance(i, dict)]
            chosen = None
            if where_:
                chosen = next((i for i in items if matches(i, where_)), None)
            else:
                chosen = next((i for i in items if matches(i, prefer)), None) if prefer \
                    else None
                chosen = chosen or (items[0] if items else None)
            if chosen is None:
                return None
            value = chosen.get(key) if key else chosen
            if after is not None:
                return after(value)
            return value
        return func

    def _split(self, args, get):
        sep = args.get("separator") or args.get("sep") or ";"
        trim = tr.bind("trim")

        def func(record, get=get):
            value = get(record)
            if _empty(value):
                return []
            parts = value if isinstance(value, list) else str(value).split(sep)
            seen, out = set(), []
            for part in parts:
                text = trim(part) if part is not None else None
                if text and _norm(text) not in seen:
                    seen.add(_norm(text))
                    out.append(text)
            return out
        return func

    def _end_from_duration(self, args, get, where):
        start_get = _getter(args.get("start", "start"))
        unit = {"s": 1, "min": 60, "m": 60, "h": 3600}.get(args.get("unit", "s"))
        if unit is None:
            self._problem(f"{where}: end_from_duration unit must be s, min or h")
            unit = 1
        default = args.get("default")
        start_t = self._bind("datetime_utc", {"tz": self.default_tz}, where)
        number = tr.bind("number")

        def func(record, get=get):
            start = start_t(start_get(record))
            if start is None:
                return None
            warning = None
            try:
                duration = number(get(record))
            except tr.TransformError as exc:
                if default is None:
                    raise
                # the line says what an unknown duration is: its default, with a warning
                duration = None
                warning = (exc.value, f"{exc.reason} The line's default duration "
                                      f"({default} {args.get('unit', 's')}) was used instead")
            if duration is None:
                if default is None:
                    raise _Fail("no duration and no default duration in the map line")
                duration = default
            if duration < 0:
                raise _Fail(f"negative duration {duration}: correct the source",
                            value=duration)
            moment = datetime.strptime(start, "%Y-%m-%d %H:%M:%S") + timedelta(
                seconds=duration * unit)
            end = moment.strftime("%Y-%m-%d %H:%M:%S")
            return _Out(end, warning=warning) if warning else end
        return func

    def _stage(self, fline, get):
        table = {}
        for vline in self._values.get((fline.source_object, fline.source_field, "stage"), ()):
            table[_sel_key(vline.source_value)] = (vline.target_value, vline.lost)
        lost_words = {_sel_key(v) for v in fline.transform_args.get("lost") or ()}
        for raw, stage in (fline.transform_args.get("mapping") or {}).items():
            table.setdefault(_sel_key(raw), (stage, _sel_key(raw) in lost_words))
        shown = ", ".join(sorted({repr(v.source_value) for v in self._values.get(
            (fline.source_object, fline.source_field, "stage"), ())})) or "none"

        def func(record, get=get):
            value = get(record)
            if _empty(value):
                return None
            key = _sel_key(value) if isinstance(value, str) else _sel_key(str(value))
            found = table.get(key)
            if found is None:
                raise _Fail(f"status {value!r} is not in the stage value map (mapped values: "
                            f"{shown}): add it to the value map", value=value)
            stage, lost = found
            ref = Ref("stage", stage, model="crm.stage")
            return _Out(ref, lost=True) if lost else ref
        return func

    def _selection(self, fline, get, target, where):
        kind = "priority" if fline.transform == "priority" else "selection"
        mapping = dict(fline.transform_args.get("mapping") or {})
        for vline in self._values.get((fline.source_object, fline.source_field, kind), ()):
            mapping[vline.source_value] = vline.target_value
        if kind == "priority":
            bound = self._bind("priority", {"mapping": mapping,
                                            "default": fline.transform_args.get("default")},
                               where)
        else:
            if not mapping:
                self._problem(f"{where}: selection_map without any value line")
                mapping = {"\x00": "\x00"}
            try:
                bound = tr.bind("selection_map", mapping=mapping,
                                default=fline.transform_args.get("default"))
            except tr.TransformArgError:  # two spellings → two keys: keep the value lines
                table = {}
                for source, value in mapping.items():
                    table.setdefault(_sel_key(source), value)
                bound = tr.bind("selection_map", mapping=table)
        return _runner(bound.run, get)

    def _boolean(self, args, get):
        trues = {_norm(v) for v in args.get("true_values") or ()}
        falses = {_norm(v) for v in args.get("false_values") or ()}
        has_default = "default" in args
        default = args.get("default")
        plain = tr.bind("boolean")

        def func(record, get=get):
            value = get(record)
            if _empty(value):
                return default if has_default else None
            key = _norm(value)
            if key in trues:
                return True
            if key in falses:
                return False
            try:
                return plain(value)
            except tr.TransformError:
                if has_default and not trues and not falses:
                    return default
                allowed = sorted(trues | falses)
                raise _Fail(f"{value!r} is none of the values this map line knows ("
                            + ", ".join(allowed) + "): add it to true_values or "
                            "false_values", value=value) from None
        return func

    def _state(self, args, get, ttype, where):
        country_get = _getter(args["country_field"]) if args.get("country_field") else None
        countries = tuple(args.get("countries") or ())
        country_t = tr.bind("country_code")
        cache = {}

        def state_of(value, country):
            bound = cache.get(country)
            if bound is None:
                bound = cache[country] = tr.bind("state_code", country=country)
            return bound(value)

        def func(record, get=get):
            value = get(record)
            if _empty(value):
                return None
            country = None
            if country_get is not None:
                raw = country_get(record)
                if not _empty(raw):
                    try:
                        country = country_t(raw)
                    except tr.TransformError:
                        country = None  # the country line reports it
            if country is None and countries:
                for code in countries:
                    try:
                        pair = state_of(value, code)
                        break
                    except tr.TransformError:
                        continue
                else:
                    raise _Fail(f"{value!r} is not a state or province of "
                                + "/".join(countries) + ": correct the source (two-letter "
                                "code or full name)", value=value)
            else:
                pair = state_of(value, country)
            if pair is None or pair == (None, None):
                return None
            return Ref("state", tuple(pair), model="res.country.state") \
                if ttype in ("many2one", None) else pair[1]
        return func

    def _country(self, args, get, ttype, where):
        from_state = bool(args.get("from_state"))
        countries = tuple(args.get("countries") or ("US", "CA"))
        country_t = tr.bind("country_code")
        states = {c: tr.bind("state_code", country=c) for c in countries} if from_state \
            else {}

        def func(record, get=get):
            value = get(record)
            if _empty(value):
                return None
            if from_state:
                code = None
                for bound in states.values():
                    try:
                        code = bound(value)[0]
                        break
                    except tr.TransformError:
                        continue
                if code is None:
                    raise _Fail(f"no country can be inferred from the state {value!r} (not a "
                                "state of " + "/".join(countries) + "): correct the source",
                                value=value)
            else:
                code = country_t(value)
            return Ref("country", code, model="res.country") if ttype in ("many2one", None) \
                else code
        return func

    def _compile_aggregate(self, plan, target_name, group):
        first = group[0]
        name = first.transform
        args = first.transform_args or {}
        plan.sources[target_name] = "+".join(f.source_field for f in group)
        plan.flines[target_name] = first
        label = plan.sources[target_name]
        where = f"{first.source_object}.{label} → {first.target_model}.{target_name}"
        if name == "json_dump":
            by = args.get("group_by")
            keys = [((f.transform_args or {}).get("key") or f.source_field,
                     _getter(f.source_field)) for f in group]
            if plan.group is not None:
                self._problem(f"{where}: two JSON aggregates in one role")
            plan.group = (target_name, _getter(by), by, keys)
            return
        fields_ = list(args.get("fields") or [f.source_field for f in group])
        getters = [_getter(f) for f in fields_]
        if name == "full_name":
            bound = self._bind("full_name", {k: v for k, v in args.items()
                                             if k in ("order",)}, where)

            def func(record):
                return bound(tuple(g(record) for g in getters[:2]))
        else:  # join
            bound = self._bind("join", {"sep": args.get("separator", args.get("sep", ", "))},
                               where)

            def func(record):
                return bound([g(record) for g in getters])
        plan.steps.append((target_name, label, func))

    # -- mapping ----------------------------------------------------------------------------

    def _applies(self, plan, record, source_id):
        """``(applies, check, dedupe_key, source_id)`` of a role for one record."""
        cond = plan.condition
        obj = plan.line.source_object
        if cond == "always" or cond == "user_plan" or cond == "per_skill":
            return True, None, None, source_id
        if cond == "user_not_fallback":
            user_obj = next(iter(self._user_objects), obj)
            action = self.user_actions.get((user_obj, source_id)) or \
                self.user_actions.get((obj, source_id))
            return action != "fallback", None, None, source_id
        if cond == "has_line_items":
            ids = self.children.get("work_order_lines.work_order_id")
            if ids is None:
                return True, "has_children:work_order_lines.work_order_id", None, source_id
            return source_id in ids, None, None, source_id
        if cond == "stock_moves_enabled":
            return bool(self.stock_moves), None, None, source_id
        if cond == "company_name_set":
            name = record.get("company_name")
            if _empty(name):
                return False, None, None, source_id
            return True, None, None, "company:" + _norm(name)
        if cond == "billing_differs":
            billing = _address_key(record.get("billing_address"))
            return billing is not None and billing != _address_key(
                record.get("home_address")), None, None, source_id
        if cond == "distinct_job_location":
            address = _address_key(record.get("address"))
            customer = record.get("customer_id")
            if address is None or _empty(customer):
                return False, None, None, source_id
            check = None
            if self.source_lookup is not None:
                owner = self.source_lookup("customers", str(customer))
                if owner is not None and _address_key(owner.get("home_address")) == address:
                    return False, None, None, source_id
            else:
                check = "not_home_address:customers.home_address"
            digest = hashlib.sha1(address.encode()).hexdigest()[:16]
            return True, check, None, f"site:{customer}:{digest}"
        if cond == "distinct_job_contact":
            name = _norm(f"{record.get('first_name') or ''} {record.get('last_name') or ''}")
            if self.source_lookup is None:
                return True, "distinct_contact:jobs.customer_id", None, source_id
            job = self.source_lookup("jobs", str(record.get("job_id")))
            customer_id = job.get("customer_id") if job else None
            if customer_id is None:
                return True, None, None, source_id
            customer = self.source_lookup("customers", str(customer_id))
            if customer is not None and _norm(f"{customer.get('first_name') or ''} "
                                              f"{customer.get('last_name') or ''}") == name:
                return False, None, None, source_id
            return True, None, f"{customer_id}|{name}", source_id
        if cond == "live_job_file":
            return (_norm(record.get("entity_type") or "") == "job"
                    and _empty(record.get("deleted_at"))), None, None, source_id
        return True, None, None, source_id

    def _map(self, obj, record, out, groups):
        plans = self._plans.get(obj)
        if plans is None:
            if obj in self._rebuild_fields:
                self._rebuild(obj, record)
                return
            raise ValueError(f"the map has no object {obj!r}: map one of "
                             + ", ".join(sorted(self._lines)))
        if obj in self._rebuild_fields:
            self._rebuild(obj, record)
        digest = payload_hash(record)
        id_field = plans[0].id_field if plans else None
        raw_id = _source_id(record, id_field)
        for plan in plans:
            source_id = raw_id
            if source_id is None:
                out.append(MappedRecord(plan.line.role, obj, "", plan.model, errors=[
                    FieldError(obj, "", "id", None, show_value(None),
                               "the record has no id: it cannot be bound; fix the source")],
                    payload_hash=digest))
                continue
            applies, check, dedupe, source_id = self._applies(plan, record, source_id)
            if not applies:
                continue
            if plan.group is not None:
                if groups is not None:
                    self._collect(plan, record, raw_id, groups)
                continue
            if plan.condition == "per_skill":
                out.extend(self._per_skill(plan, record, source_id, digest))
                continue
            mapped = self._run(plan, record, source_id, digest)
            mapped.check = check
            mapped.dedupe_key = dedupe
            mapped.origin_id = raw_id
            self._own_address_type(plan, record, mapped)
            if plan.condition == "user_plan":
                action = self.user_actions.get((obj, source_id))
                if action in ("map", "fallback"):
                    mapped.notes.append(f"user plan: {action} — no user is created")
            out.append(mapped)

    def _own_address_type(self, plan, record, mapped):
        """A child of type 'contact' takes its parent's address in Odoo (res.partner's
        address sync copies the parent's over the child's, and pushes later changes): a
        person with an address of their own, other than the parent's, becomes an 'other'
        address child instead, so that the address the source holds is the one kept."""
        if mapped.values.get("type") != "contact" or "parent_id" not in mapped.refs:
            return
        street = plan.sources.get("street") or ""
        prefix = street.rpartition(".")[0]
        own = _address_key(_safe_get(record, prefix) if prefix else None)
        if own is None:
            return
        parent = self._parent_source(mapped.refs["parent_id"])
        if parent is not None and own == _address_key(
                parent.get("home_address") or parent.get("address")):
            return  # the same address: Odoo's copy of it is the right one
        mapped.values["type"] = "other"
        mapped.notes.append("type: other — an address of its own (a contact would take its "
                            "parent's)")

    def _parent_source(self, ref):
        """The source record a parent_id binding points at, when the source tells it."""
        if ref.kind != "binding" or self.source_lookup is None or _empty(ref.key):
            return None
        if ref.via:
            through = self.source_lookup(ref.source_object, str(ref.key))
            parent_id = through.get(ref.via) if through else None
            return None if _empty(parent_id) else self.source_lookup(ref.to, str(parent_id))
        # a parent made from a source field (a company name) is no source record: None
        return self.source_lookup(ref.source_object, str(ref.key))

    def _run(self, plan, record, source_id, digest):
        obj = plan.line.source_object
        values = dict(plan.defaults)
        refs = dict(plan.refs)
        errors, notes = [], []
        lost = False
        warnings = []
        for step in plan.steps:
            target, src, func = step[0], step[1], step[2]
            try:
                value = func(record)
            except (tr.TransformError, _Fail) as exc:
                map_problem = isinstance(exc, tr.TransformArgError) or getattr(
                    exc, "map_problem", False)
                raw = exc.value if exc.value is not None else _safe_get(record, src)
                policy = "fail" if map_problem else plan.policy.get(target, "fail")
                if policy == "fail":
                    errors.append(FieldError(obj, source_id, src, target,
                                             show_value(_safe_get(record, src), src),
                                             exc.reason))
                    continue
                value, warning = self._degrade(plan, target, src, raw, exc.reason, policy)
                warnings.append(FieldWarning(obj, source_id, src, target, *warning))
                if value is None:
                    if target not in refs:
                        values[target] = False
                else:
                    values[target] = value
                continue
            if type(value) is _Out:
                notes.extend(f"{target}: {n}" for n in value.notes)
                lost = lost or value.lost
                if value.warning is not None:
                    raw, reason = value.warning
                    warnings.append(FieldWarning(obj, source_id, src, target,
                                                 show_value(raw, src),
                                                 reason + _ADVICE[EMPTIED], EMPTIED))
                if value.value is None and value.notes and target not in refs and \
                        plan.policy.get(target, "fail") != "fail":
                    raw = _safe_get(record, src)
                    if not _empty(raw) and isinstance(raw, (str, int, float)):
                        # a value the transform read as "nothing" (a zero date) is written
                        # empty: a warning as well as a note
                        warnings.append(FieldWarning(
                            obj, source_id, src, target, show_value(raw, src),
                            " ".join(value.notes) + _ADVICE[EMPTIED], EMPTIED))
                value = value.value
            if isinstance(value, Ref):
                refs[target] = value
                values.pop(target, None)
            elif value is None:
                # an empty source value: the object line's default where it has one
                if target not in refs and target not in plan.defaults:
                    values[target] = False
            else:
                values[target] = value
        mapped = MappedRecord(plan.line.role, obj, source_id, plan.model, values, refs, errors,
                              digest, lost=lost, notes=notes, warnings=warnings)
        if plan.target is not None:
            get, src, make = plan.target
            parent = get(record)
            if _empty(parent):
                mapped.errors.append(FieldError(
                    obj, source_id, src, None, show_value(parent),
                    f"no {src}: the record that should receive these values is unknown"))
            else:
                mapped.target = make(parent)
                mapped.group_key = str(parent).strip()
        if not mapped.errors:
            mapped.errors = validate_values(
                {**values, **refs}, plan.targets, required=plan.required,
                source_object=obj, source_id=source_id,
                check_required=not plan.update and not self._user_not_created(plan,
                                                                             source_id),
                sources=plan.sources)
        else:
            # fields that mapped still get checked (type/selection), not required ones
            mapped.errors += validate_values(
                {k: v for k, v in {**values, **refs}.items()
                 if k not in {e.target_field for e in errors}},
                plan.targets, source_object=obj, source_id=source_id, check_required=False,
                sources=plan.sources)
        return mapped

    def _degrade(self, plan, target, src, raw, reason, policy):
        """``(value to write or None, (shown value, reason, action))`` for a value the
        line's transform rejected, under ``policy`` 'keep' or 'empty'. Keep writes
        :func:`services.transforms.as_typed` where the target takes text (char, text,
        html); elsewhere, or for a value that is no text, the field is left empty. A kept
        text longer than a char field's ``size`` is left empty too (Odoo would cut it
        silently and the read-back would differ): never truncated."""
        field_ = plan.targets.get(target)
        ttype = field_.ttype if field_ is not None else None
        shown = show_value(raw, src)
        if policy == "keep":
            if ttype not in mp.TEXT_TTYPES:
                reason += f" (a {ttype or 'non-text'} field cannot hold the text as typed)"
            else:
                kept = tr.as_typed(raw, ttype)
                if kept is not None and field_.size and len(kept) > field_.size:
                    reason += (f" (as typed it has {len(kept)} characters, more than the "
                               f"{field_.size} {plan.model}.{target} holds)")
                elif kept is not None:
                    if src and _SECRET_RE.search(src):
                        return kept, (shown, reason + _ADVICE[KEPT], KEPT)
                    return kept, (show_value(kept, src), reason + _ADVICE[KEPT], KEPT)
        return None, (shown, reason + _ADVICE[EMPTIED], EMPTIED)

    def _user_not_created(self, plan, source_id):
        return plan.condition == "user_plan" and self.user_actions.get(
            (plan.line.source_object, source_id)) in ("map", "fallback")

    def _per_skill(self, plan, record, source_id, digest):
        split_steps = [s for s in plan.steps if len(s) > 3 and s[3] == "split"]
        others = _Plan.__new__(_Plan)
        for slot in _Plan.__slots__:
            setattr(others, slot, getattr(plan, slot))
        others.steps = [s for s in plan.steps if not (len(s) > 3 and s[3] == "split")]
        out = []
        for target, _src, func in (s[:3] for s in split_steps):
            for name in func(record):
                mapped = self._run(others, record, f"{source_id}:{_norm(name)}", digest)
                mapped.refs[target] = Ref("skill", name, model="hr.skill")
                mapped.values.pop(target, None)
                mapped.errors = [e for e in mapped.errors if e.target_field != target]
                out.append(mapped)
        return out

    def _collect(self, plan, record, source_id, groups):
        target_name, group_get, by, keys = plan.group
        parent = group_get(record)
        key = str(parent).strip() if not _empty(parent) else ""
        data = groups.setdefault((plan.line.role, key), {"plan": plan, "items": [], "ids": [],
                                                         "errors": []})
        if not key:
            data["errors"].append(FieldError(
                plan.line.source_object, source_id, by, target_name, show_value(parent),
                f"no {by}: the record cannot be added to its parent's {target_name}"))
            return
        data["items"].append({out_key: _scalar(get(record)) for out_key, get in keys})
        data["ids"].append(source_id)

    def _aggregate(self, obj, role, key, data):
        plan = data["plan"]
        target_name = plan.group[0]
        items = data["items"]
        errors = list(data["errors"])
        values = {}
        try:
            values[target_name] = tr.apply("json_dump", items) if items else False
        except tr.TransformError as exc:
            errors.append(FieldError(obj, key, plan.sources.get(target_name), target_name,
                                     show_value(items), exc.reason))
        mapped = MappedRecord(role, obj, key, plan.model, values, {}, errors,
                              payload_hash({"items": items, "ids": data["ids"]}),
                              group_key=key or None, items=items, item_ids=list(data["ids"]))
        if plan.target is not None and key:
            mapped.target = plan.target[2](key)
        if not errors:
            mapped.errors = validate_values(values, plan.targets, source_object=obj,
                                            source_id=key, check_required=False,
                                            sources=plan.sources)
        return mapped

    def _rebuild(self, obj, record):
        fields_ = self._rebuild_fields.get(obj) or sorted(record)
        entry = {}
        for name in fields_:
            value = _safe_get(record, name)
            entry[name] = mp.MASK if _SECRET_RE.search(name) and value not in (None, "") \
                else value
        self.rebuild_reference.setdefault(obj, []).append(entry)

    def _check_absent(self, obj, records, out):
        """A field line whose source field is in no record of a batch: noted (a source
        that omits empty keys is legitimate; ``source_fields`` makes it an error)."""
        if not records or self.source_fields.get(obj) is not None:
            return
        for plan in self._plans.get(obj, ()):
            for src in set(plan.sources.values()):
                for path in src.split("+"):
                    if not any(_has_path(r, path) for r in records):
                        note = (f"{obj}.{path}: in no record of a batch of {len(records)} "
                                "(a source that omits empty fields, or a map line to a field "
                                "that does not exist)")
                        if note not in self.notes:
                            self.notes.append(note)


def _runner(run, get):
    """A step calling a bound transform; notes come back in an :class:`_Out`. Empty values
    (None, "") skip the call: no transform the mapper binds this way handles them."""
    memo = {}

    def func(record):
        value = get(record)
        if value is None or value == "":
            return None
        if type(value) is str and len(value) <= MEMO_MAX_LEN:
            found = memo.get(value, memo)
            if found is not memo:
                return found
            result = run(value)
            out = _Out(result.value, result.notes) if result.notes else result.value
            if len(memo) >= MEMO_SIZE:
                memo.clear()
            memo[value] = out
            return out
        result = run(value)
        if result.notes:
            return _Out(result.value, result.notes)
        return result.value
    return func


def _safe_get(record, path):
    return _getter(path)(record) if "+" not in path else {
        p: _getter(p)(record) for p in path.split("+")}


__all__ = ["CONDITIONS", "EMPTIED", "KEPT", "FieldError", "FieldWarning", "MappedRecord",
           "Ref", "RecordMapper", "dependency_order", "payload_hash", "validate_values"]
