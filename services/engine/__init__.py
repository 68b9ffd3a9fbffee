"""The pure engine: source records → mapped values (the record mapper, by role and stage).

``mapper`` (RecordMapper, the dispatcher), ``plan`` (compiling the map into steps),
``steps`` (the special field lines), ``roles`` (conditions per role), ``run`` (mapping a
record with its plan), ``validation`` (values against target fields), ``shapes`` (Ref and
what comes out), ``payload`` (reading a record, its hash), ``values`` (keys, display),
``dependency`` (the order objects run in).
"""

from .dependency import dependency_order
from .mapper import RecordMapper
from .payload import payload_hash
from .plan import MAPPER_TRANSFORMS
from .roles import CONDITIONS, _address_key
from .shapes import EMPTIED, KEPT, FieldError, FieldWarning, MappedRecord, Ref
from .validation import validate_values
from .values import show_value

__all__ = ["CONDITIONS", "EMPTIED", "KEPT", "MAPPER_TRANSFORMS", "FieldError", "FieldWarning",
           "MappedRecord", "RecordMapper", "Ref", "dependency_order", "payload_hash",
           "show_value", "validate_values"]
