"""Text transforms: trim, case, title, truncate, default, join, personal names; *keep*."""

import math
import re
import unicodedata

from .base import (
    _WORD_RE,
    TransformArgError,
    TransformError,
    _as_text,
    _clean,
    _clean_text,
    _is_empty,
    _pair,
    _q,
)
from .registry import _register, apply

# --------------------------------------------------------------------------- basic text

def as_typed(value, ttype="char"):
    """A value a transform rejected, as typed, for a field line whose policy is *keep*
    (``services.mapping.default_on_invalid``): text trimmed (whitespace collapsed; lines
    kept for ``text``), numbers written out; ``html`` targets get the text escaped in a
    paragraph so that what is written reads back unchanged. ``None`` when the value is no
    text (a list, a dict, a pair of values, a boolean) or nothing is left: the caller then
    leaves the field empty."""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return None
    try:
        text = _clean(value, multiline=ttype in ("text", "html"))
    except TransformError:
        return None
    if text is None:
        return None
    if ttype == "html":
        return apply("text_to_html", text)
    return text


@_register("identity", "char", "The source value unchanged (empty → empty).")
def _t_identity(value, ctx):
    return value


@_register("trim", "char",
           "Trim, collapse inner whitespace, remove invisible characters (zero-width, "
           "BOM, control codes), Unicode NFC. Keeps accents and right-to-left text. "
           "multiline=True keeps line breaks (for text fields).",
           args=("multiline",), defaults={"multiline": False})
def _t_trim(value, ctx, multiline=False):
    return _clean(value, multiline)


@_register("lower", "char", "Trim, then lower-case.")
def _t_lower(value, ctx):
    text = _clean(value)
    return text.lower() if text else None


@_register("upper", "char", "Trim, then upper-case.")
def _t_upper(value, ctx):
    text = _clean(value)
    return text.upper() if text else None


_TITLE_START_RE = re.compile(r"(^|[\s\-/(\"“«.&+])([^\W\d_])")
_TITLE_APOS_RE = re.compile(r"(?<!\w)([^\W\d_])(['’])([^\W\d_])")
_TITLE_MC_RE = re.compile(r"\bMc([a-z])")
_TITLE_ACRONYMS = frozenset((
    "llc", "llp", "lp", "pllc", "hvac", "usa", "us", "uk", "po", "ii", "iii", "iv", "dba",
    "ups", "ac", "rv", "cpa", "dds", "md", "pc", "ymca",
))


def title_case(text):
    """Title case that leaves ``O'Neil``, ``D'Amico``, ``McDonald``, ``LLC`` right and does
    not write ``Don'T`` (unlike ``str.title``)."""
    text = text.lower()
    text = _TITLE_START_RE.sub(lambda m: m.group(1) + m.group(2).upper(), text)
    text = _TITLE_APOS_RE.sub(lambda m: m.group(1).upper() + m.group(2) + m.group(3).upper(),
                              text)
    text = _TITLE_MC_RE.sub(lambda m: "Mc" + m.group(1).upper(), text)
    return _WORD_RE.sub(
        lambda m: m.group(0).upper() if m.group(0).lower() in _TITLE_ACRONYMS else m.group(0),
        text)


@_register("title", "char",
           "Trim, then Title Case (O'Neil, McDonald, LLC and HVAC kept right).")
def _t_title(value, ctx):
    text = _clean(value)
    return title_case(text) if text else None


def _prepare_truncate(size, strict=False, multiline=False):
    if isinstance(size, bool) or not isinstance(size, int) or size < 1:
        raise TransformArgError(f"truncate: size must be a whole number ≥ 1, not {size!r}.")
    return {"size": size, "strict": bool(strict), "multiline": bool(multiline)}


@_register("truncate", "char",
           "Trim, then cut to size characters (a note says so); strict=True rejects "
           "longer values instead.",
           args=("size", "strict", "multiline"), required=("size",),
           defaults={"strict": False, "multiline": False}, prepare=_prepare_truncate)
def _t_truncate(value, ctx, size, strict=False, multiline=False):
    text = _clean(value, multiline)
    if text is None or len(text) <= size:
        return text
    if strict:
        raise TransformError(
            f"The value is {len(text)} characters long, more than the {size} allowed "
            f"({_q(text, 40)}): shorten it in the source, widen the field, or map it "
            "without strict=True to cut it.")
    cut = size
    while cut > 0 and unicodedata.combining(text[cut]):  # do not split a letter from its accent
        cut -= 1
    out = text[:cut].rstrip() or text[:size]
    ctx.notes.append(f"Cut from {len(text)} to {len(out)} characters.")
    return out


@_register("default", "char",
           "The value, or the given value when the source is empty (a note says so).",
           args=("value",), defaults={"value": None}, handles_empty=True)
def _t_default(source, ctx, /, value=None):
    # positional-only: the argument is called "value" like the input
    if _is_empty(source):
        if value is not None:
            ctx.notes.append(f"Source empty: default {_q(value)} used.")
        return value
    return source


# --------------------------------------------------------------------------- lists


def _prepare_join(sep=", "):
    if not isinstance(sep, str):
        raise TransformArgError(f"join: sep must be text, not {sep!r}.")
    return {"sep": sep}


@_register("join", "char",
           "A list → its non-empty items trimmed and joined with sep (default ', ').",
           args=("sep",), defaults={"sep": ", "}, prepare=_prepare_join)
def _t_join(value, ctx, sep=", "):
    if isinstance(value, (list, tuple, set, frozenset)):
        items = sorted(value, key=repr) if isinstance(value, (set, frozenset)) else value
        parts = [p for p in (_clean(item) for item in items if item is not None) if p]
        return sep.join(parts) or None
    return _clean(value)


# --------------------------------------------------------------------------- personal names


_HONORIFICS = frozenset(("mr", "mrs", "ms", "miss", "mx", "dr", "prof", "rev", "sir",
                         "madam", "mme", "mlle", "m", "sr", "sra", "srta", "herr", "frau"))
_NAME_SUFFIXES = frozenset(("jr", "sr", "ii", "iii", "iv", "v", "phd", "md", "dds", "esq",
                            "cpa", "pe", "rn"))
_PARTICLES = frozenset(("van", "von", "der", "den", "de", "del", "della", "dei", "di", "da",
                        "du", "la", "le", "st", "st.", "saint", "ste", "dos", "das", "do",
                        "bin", "ibn", "al", "el", "ter", "ten", "y",
                        "عبد", "بن", "ابن", "أبو", "ابو", "آل", "بنت", "בן", "בת"))


def _token_key(token):
    return token.casefold().strip(".,")


def split_name(full, notes=None):
    """A full name → ``(first, last)``.

    ``"Smith, John"`` → ``("John", "Smith")``; particles stay with the last name
    (``"Jan van der Berg"`` → ``("Jan", "van der Berg")``, ``"محمد عبد الله"`` →
    ``("محمد", "عبد الله")``); suffixes too (``"John Smith Jr."`` → ``("John", "Smith
    Jr.")``); a leading title (Mr., Dr.…) is dropped with a note; one word → ``(word,
    None)``; empty → ``(None, None)``.
    """
    text = _clean_text(full)
    if not text:
        return None, None
    if text.count(",") == 1:
        before, after = (p.strip() for p in text.split(","))
        if before and after and not all(_token_key(t) in _NAME_SUFFIXES for t in after.split()):
            text = f"{after} {before}"
    tokens = text.replace(",", " ").split()
    if not tokens:  # punctuation only
        return None, None
    if len(tokens) > 1 and _token_key(tokens[0]) in _HONORIFICS and \
            _token_key(tokens[0]) not in ("m", "sr") or \
            len(tokens) > 2 and _token_key(tokens[0]) in ("m", "sr") and tokens[0].endswith("."):
        if notes is not None:
            notes.append(f"Title {_q(tokens[0])} dropped from the name.")
        tokens = tokens[1:]
    if len(tokens) == 1:
        return tokens[0], None
    end = len(tokens)
    while end > 1 and _token_key(tokens[end - 1]) in _NAME_SUFFIXES:
        end -= 1
    start = max(end - 1, 0)
    while start > 0 and tokens[start - 1].casefold() in _PARTICLES:
        start -= 1
    if start == 0 and end - 1 > 0:  # "van Gogh": no first name
        return None, " ".join(tokens)
    if start == 0:
        return tokens[0], " ".join(tokens[1:]) or None
    return " ".join(tokens[:start]), " ".join(tokens[start:])


@_register("split_name", "char",
           "A full name → (first, last): 'Smith, John', particles (van der, de la, عبد), "
           "suffixes (Jr.) handled; part='first' or 'last' gives one of them.",
           args=("part",), defaults={"part": None}, handles_empty=True, outputs=2,
           prepare=lambda part=None: {"part": part} if part in (None, "first", "last") else
           (_ for _ in ()).throw(TransformArgError(
               f"split_name: part must be 'first', 'last' or empty, not {part!r}.")))
def _t_split_name(value, ctx, part=None):
    first, last = split_name(_as_text(value, "a name"), ctx.notes) if not _is_empty(value) \
        else (None, None)
    if part == "first":
        return first
    if part == "last":
        return last
    return first, last


def full_name(first, last, order="first_last"):
    """``first`` and ``last`` trimmed and joined (either may be missing); ``None`` when
    both are empty. ``order="last_first"`` writes ``"Last, First"``. No direction marks
    are added, so right-to-left names stay as typed."""
    first = _clean(first) if first is not None else None
    last = _clean(last) if last is not None else None
    if first and last:
        return f"{last}, {first}" if order == "last_first" else f"{first} {last}"
    return first or last or None


@_register("full_name", "char",
           "(first, last) → 'First Last' (order='last_first' → 'Last, First'); either part "
           "may be missing; both empty → empty.",
           args=("order",), defaults={"order": "first_last"}, handles_empty=True, inputs=2,
           prepare=lambda order="first_last": {"order": order}
           if order in ("first_last", "last_first") else
           (_ for _ in ()).throw(TransformArgError(
               f"full_name: order must be 'first_last' or 'last_first', not {order!r}.")))
def _t_full_name(value, ctx, order="first_last"):
    first, last = _pair(value, (("first_name", "last_name"), ("first", "last")), "a name")
    return full_name(first, last, order)
