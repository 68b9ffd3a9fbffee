"""The data shapes the mapper hands the importer: Ref, MappedRecord, FieldError/Warning.

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

An orphan (a binding whose source record does not exist) is *not* an error here: its Ref
is emitted like any other and the importer reports the record as blocked by its parent.
"""

from dataclasses import asdict, dataclass, field


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
class _FieldNote:
    """What a field error and a field warning both say: which value of which record."""

    source_object: str
    source_id: str
    source_field: str | None
    target_field: str | None
    value: str
    reason: str

    def to_dict(self):
        return asdict(self)


@dataclass
class FieldError(_FieldNote):
    """A value that keeps its record from being written: ``reason`` says why and what to
    do."""


@dataclass
class FieldWarning(_FieldNote):
    """A value the line's transform could not normalise, written anyway ("Degrade, don't
    drop"): ``action`` is ``"kept as typed"`` (``value`` is what was written, trimmed) or
    ``"left empty"`` (``value`` is the raw value shown; the source value was treated as
    empty: the field is written empty — False — or, for an ``end_from_duration`` line
    with a default, the end is computed from the default duration); ``reason`` is the
    transform's own words and what to do. The record itself is written: this is no
    error."""

    action: str


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
