"""Reading a source record: dotted paths, its id, a text's JSON scalar, its payload hash."""

import hashlib
import json
import re

_NUMBER_TEXT_RE = re.compile(r"-?\d+(?:\.\d+)?")


def payload_hash(record):
    """SHA-1 of the canonical JSON of ``record`` (sorted keys, compact, UTF-8)."""
    text = json.dumps(record, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      default=str)
    return hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest()



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


def _safe_get(record, path):
    return _getter(path)(record) if "+" not in path else {
        p: _getter(p)(record) for p in path.split("+")}
