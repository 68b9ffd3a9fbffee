"""The map's lines and the proposal: the dataclasses, with ``to_dict()``/``from_dict()``
for their JSON form."""

from dataclasses import asdict, dataclass, field, fields


class _Jsonable:
    """``to_dict()``/``from_dict()`` for the dataclasses (tuples become lists in JSON)."""

    def to_dict(self):
        return asdict(self)

    @classmethod
    def from_dict(cls, data):
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})


@dataclass
class ObjectMapLine(_Jsonable):
    source_object: str
    target_model: str
    role: str
    depends_on: list = field(default_factory=list)
    order: int = 0
    confidence: float = 1.0
    reason: str = ""
    condition: str | None = None
    skip: bool = False
    #: constant values the importer writes on every record (type='opportunity' …)
    defaults: dict = field(default_factory=dict)


@dataclass
class FieldMapLine(_Jsonable):
    source_object: str
    source_field: str
    target_model: str
    target_field: str | None
    transform: str = "identity"
    transform_args: dict = field(default_factory=dict)
    confidence: float = 1.0
    reason: str = ""
    new_field: dict | None = None
    skip: bool = False
    samples: list = field(default_factory=list)
    #: the object line (source_object, role) this line belongs to
    role: str = ""
    #: what to do with a value the transform cannot normalise: "keep" (write it as typed,
    #: trimmed, where the target takes text), "empty" (leave the field empty), "fail" (fail
    #: the record). None: the default for the line's target (:func:`default_on_invalid`).
    #: Maps saved before this key existed load with None.
    on_invalid: str | None = None

    @classmethod
    def from_dict(cls, data):
        obj = super().from_dict(data)
        if obj.new_field and obj.new_field.get("selection"):
            obj.new_field = dict(obj.new_field,
                                 selection=[tuple(o) for o in obj.new_field["selection"]])
        return obj


@dataclass
class ValueMapLine(_Jsonable):
    kind: str  # 'stage' | 'priority' | 'selection'
    source_object: str
    source_field: str
    source_value: str
    target_value: str
    is_won: bool = False
    create: bool = False
    confidence: float = 1.0
    reason: str = ""
    #: stage lines only: the lead is archived as lost (active=False, probability 0)
    lost: bool = False


@dataclass
class Proposal(_Jsonable):
    source_kind: str
    object_maps: list = field(default_factory=list)
    field_maps: list = field(default_factory=list)
    value_maps: list = field(default_factory=list)
    notes: list = field(default_factory=list)

    def to_dict(self):
        return {"source_kind": self.source_kind,
                "object_maps": [line.to_dict() for line in self.object_maps],
                "field_maps": [line.to_dict() for line in self.field_maps],
                "value_maps": [line.to_dict() for line in self.value_maps],
                "notes": list(self.notes)}

    @classmethod
    def from_dict(cls, data):
        return cls(source_kind=data["source_kind"],
                   object_maps=[ObjectMapLine.from_dict(d) for d in data["object_maps"]],
                   field_maps=[FieldMapLine.from_dict(d) for d in data["field_maps"]],
                   value_maps=[ValueMapLine.from_dict(d) for d in data["value_maps"]],
                   notes=list(data.get("notes", [])))

    def new_fields(self):
        """``{(model, name): spec}`` of the new x_ fields the field lines plan."""
        planned = {}
        for line in self.field_maps:
            if line.new_field and not line.skip:
                planned.setdefault((line.target_model, line.new_field["name"]),
                                   line.new_field)
        return planned
