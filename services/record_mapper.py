"""The record mapper's old import path: a re-export of :mod:`services.engine`."""

from .engine import (  # noqa: F401
    CONDITIONS,
    EMPTIED,
    KEPT,
    MAPPER_TRANSFORMS,
    FieldError,
    FieldWarning,
    MappedRecord,
    RecordMapper,
    Ref,
    _address_key,
    dependency_order,
    payload_hash,
    show_value,
    validate_values,
)
