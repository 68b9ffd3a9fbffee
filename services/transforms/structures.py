"""Structure transforms: lists and dicts (or JSON text) to JSON text."""

import json
import math
from datetime import date as _date
from datetime import datetime as _datetime
from decimal import Decimal

from .base import TransformArgError, TransformError, _q
from .registry import _register

# --------------------------------------------------------------------------- structures

def _json_ready(obj, depth=0):
    if depth > 50:
        raise TransformError("The structure is nested more than 50 levels deep.")
    if obj is None or isinstance(obj, (str, bool, int)):
        return obj
    if isinstance(obj, float):
        if not math.isfinite(obj):
            raise TransformError(f"The number {obj} cannot be stored as JSON.")
        return obj
    if isinstance(obj, Decimal):
        if not obj.is_finite():
            raise TransformError(f"The number {obj} cannot be stored as JSON.")
        return int(obj) if obj == obj.to_integral_value() and abs(obj) < 10 ** 18 else \
            float(obj)
    if isinstance(obj, (_datetime, _date)):
        return obj.isoformat()
    if isinstance(obj, dict):
        return {str(k): _json_ready(v, depth + 1) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_json_ready(v, depth + 1) for v in obj]
    if isinstance(obj, (set, frozenset)):
        return sorted((_json_ready(v, depth + 1) for v in obj), key=repr)
    raise TransformError(f"A {type(obj).__name__} value cannot be stored as JSON.")


def _prepare_json(fields=None):
    if fields is None:
        return {"fields": None}
    if isinstance(fields, str):
        fields = [f.strip() for f in fields.split(",") if f.strip()]
    if isinstance(fields, (list, tuple)):
        fields = {str(f): str(f) for f in fields}
    if not isinstance(fields, dict) or not fields:
        raise TransformArgError(
            "json_dump: fields must be a list of keys, or a {written key: source key} dict.")
    return {"fields": {str(k): str(v) for k, v in fields.items()}}


def _pick(item, fields):
    if not isinstance(item, dict):
        raise TransformError(
            f"Expected records (dicts) to pick the keys {', '.join(fields)} from, got "
            f"{_q(item)}.")
    return {out: item.get(src) for out, src in fields.items()}


@_register("json_dump", "json",
           "A list or dict (or JSON text) → compact JSON text, keys sorted, non-ASCII kept "
           "(e.g. parts used [{\"cost\":…,\"name\":…,\"qty\":…}]). fields keeps (or renames, "
           "with a {written: source} dict) the keys of each record.",
           args=("fields",), defaults={"fields": None}, prepare=_prepare_json)
def _t_json_dump(value, ctx, fields=None):
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError as exc:
            raise TransformError(
                f"{_q(value)} is not JSON: give a list or dict, or map this column with "
                "'trim' to a text field.") from exc
    if fields is not None:
        value = [_pick(i, fields) for i in value] if isinstance(value, list) else \
            _pick(value, fields)
    return json.dumps(_json_ready(value), sort_keys=True, ensure_ascii=False,
                      separators=(",", ":"))
