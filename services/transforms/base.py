"""Shared pieces of the transforms: errors, result types and the text helpers all use.

The underscored helpers (``_q``, ``_is_empty``, ``_clean_text``, ``_as_text``, ``_clean``,
``_pair``…) are the package's own: the family modules import them, nothing outside
``services.transforms`` should.
"""

import math
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

# --------------------------------------------------------------------------- core types

class TransformError(ValueError):
    """A value (or, for :class:`TransformArgError`, a map line) cannot be transformed.

    ``reason`` is a sentence for a consultant: what is wrong and what to do.
    ``value`` is the raw source value, ``transform`` the transform's name, ``internal``
    tells a bug in this module (to report) from bad data.
    """

    def __init__(self, reason, *, value=None, transform=None, internal=False):
        super().__init__(reason)
        self.reason = reason
        self.value = value
        self.transform = transform
        self.internal = internal


class TransformArgError(TransformError):
    """The transform's arguments are wrong: fix the map line, not the data."""


@dataclass(frozen=True)
class InlineImage:
    """An image taken out of an HTML body (``<img src="data:...">``)."""

    name: str
    mimetype: str
    data: bytes
    sha1: str


@dataclass(frozen=True)
class TransformResult:
    """Outcome of :func:`run`: the value, why it was altered, images extracted."""

    value: Any
    notes: tuple = ()
    images: tuple = ()

    @property
    def altered(self):
        """True when the value was changed beyond normalisation (see ``notes``)."""
        return bool(self.notes)


# --------------------------------------------------------------------------- text helpers

# NUL and C0 controls (PostgreSQL rejects NUL) and invisible characters that are never
# wanted: zero-width space, word joiner, BOM, Mongolian vowel separator. Zero-width
# (non-)joiners are meaningful inside Persian/Indic words and emoji: only trimmed at edges.
_INVISIBLE_RE = re.compile("[\x00-\x08\x0e-\x1b\x7f\u200b\u2060\ufeff\u180e]")
_SURROGATE_RE = re.compile("[\ud800-\udfff]")
_WS_RE = re.compile(r"\s+")
_HSPACE_RE = re.compile(r"[^\S\n]+")
_NEWLINES_RE = re.compile(r"\r\n?|[\u2028\u2029\x85\x0b\x0c]")
_MANY_BLANK_RE = re.compile(r"\n{3,}")
_EDGE = " \u200c\u200d"
_WORD_RE = re.compile(r"[^\W_]+")


def _q(value, limit=80):
    """``value`` quoted for an error message, shortened and control characters escaped."""
    text = value if isinstance(value, str) else repr(value)
    if len(text) > limit:
        text = text[:limit] + "…"
    text = "".join(c if c.isprintable() or c == " " else repr(c)[1:-1] for c in text)
    return f'"{text}"'


def _is_empty(value):
    if value is None:
        return True
    if isinstance(value, str):
        stripped = value.strip()
        if not stripped:
            return True
        if stripped[0] in "\u200b\u2060\ufeff\u180e\u200c\u200d" or stripped[0] < " ":
            return not _INVISIBLE_RE.sub("", stripped).strip(_EDGE + "\t\n\r")
        return False
    if isinstance(value, (list, tuple, dict, set, frozenset)):
        return not value
    return False


def _clean_text(text, multiline=False):
    """NFC, invisible characters out, whitespace collapsed (lines kept if ``multiline``)."""
    if not text.isascii():
        if not unicodedata.is_normalized("NFC", text):
            text = unicodedata.normalize("NFC", text)
        if _SURROGATE_RE.search(text):
            text = _SURROGATE_RE.sub("\ufffd", text)
    text = _INVISIBLE_RE.sub("", text)
    if not multiline:
        return _WS_RE.sub(" ", text).strip(_EDGE)
    text = _NEWLINES_RE.sub("\n", text)
    lines = [_HSPACE_RE.sub(" ", line).strip(_EDGE) for line in text.split("\n")]
    return _MANY_BLANK_RE.sub("\n\n", "\n".join(lines)).strip("\n")


def _as_text(value, what="text"):
    """``value`` as ``str``: text as is, numbers written out; anything else rejected."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        raise TransformError(
            f"Expected {what}, got the yes/no value {value}: map this field with the "
            "'boolean' transform or to a boolean field.")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise TransformError(f"Expected {what}, got the number {value}.")
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, Decimal):
        return str(value)
    kind = type(value).__name__
    raise TransformError(
        f"Expected {what}, got a {kind} ({_q(value)}): map a single text value to this "
        "field, or use 'join' (lists) or 'json_dump' (structured values).")


def _clean(value, multiline=False):
    """``_as_text`` + ``_clean_text``; ``None`` when nothing is left."""
    return _clean_text(_as_text(value), multiline) or None


# --------------------------------------------------------------------------- pairs


def _pair(value, keys, what):
    """``value`` as a pair: tuple/list of two, or a dict with one of ``keys`` pairs."""
    if value is None:
        return None, None
    if isinstance(value, dict):
        for a, b in keys:
            if a in value or b in value:
                return value.get(a), value.get(b)
        raise TransformError(
            f"Expected {what} as a dict with {' / '.join(f'{a}, {b}' for a, b in keys)}, got "
            f"the keys {', '.join(map(str, value))}.")
    if isinstance(value, (list, tuple)):
        if len(value) > 2:
            raise TransformError(f"Expected {what} (two values), got {len(value)} values.")
        return (tuple(value) + (None, None))[:2]
    return value, None
