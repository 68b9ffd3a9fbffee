"""Comparing and showing source values: normalised keys, emptiness, an error's masked repr."""

import re

from .. import mapping as mp

MAX_VALUE_REPR = 120
_SECRET_RE = re.compile(r"password|passwd|secret|token|api_?key|authorization|credential",
                        re.I)


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

