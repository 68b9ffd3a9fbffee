"""Contact-point transforms: e-mail addresses and phone numbers."""

import re
import sys

from .base import TransformArgError, TransformError, _as_text, _clean_text, _q
from .registry import _register

try:  # installed in Odoo's virtualenv (crm needs it); a regex fallback covers its absence
    import phonenumbers
except ImportError:  # pragma: no cover - exercised by the no-phonenumbers test run
    phonenumbers = None


def _phonenumbers():
    """The ``phonenumbers`` module or ``None``, as the package holds it: the tests switch
    the library off with ``monkeypatch.setattr(services.transforms, "phonenumbers", None)``."""
    return sys.modules[__package__].phonenumbers


# --------------------------------------------------------------------------- e-mail

_EMAIL_RE = re.compile(
    r"[\w!#$%&'*+/=?^`{|}~-]+(?:\.[\w!#$%&'*+/=?^`{|}~-]+)*"
    r"@(?:[^\W_](?:[\w-]{0,61}[^\W_])?\.)+(?:[^\W\d_]{2,63}|xn--[a-z0-9-]{2,59})")
_ANGLE_RE = re.compile(r"<([^<>]*)>")
_EMAIL_SPLIT_RE = re.compile(r"[;,\s]+")
_EMAIL_LIST_RE = re.compile(r"[;,]")
_MAILTO_RE = re.compile(r"mailto:", re.I)
_EMAIL_JUNK = "\"'()[]<>.:"


def _valid_email(address):
    return len(address) <= 254 and _EMAIL_RE.fullmatch(address) is not None


@_register("email", "char",
           "Trim and lower-case an e-mail address and check it. Several addresses (; , or "
           "space separated, or 'Name <addr>'): the first valid one is kept and a note "
           "names the dropped ones; no valid address → rejected.")
def _t_email(value, ctx):
    raw = _as_text(value, "an e-mail address")
    text = _clean_text(raw).lower()
    text = _MAILTO_RE.sub(" ", text)
    if "<" in text:
        bracketed = _ANGLE_RE.findall(text)
        parts = [p for b in bracketed for p in _EMAIL_SPLIT_RE.split(b) if p]
    else:
        parts = [p for p in _EMAIL_SPLIT_RE.split(text) if p]
    if not parts:
        return None
    if len(parts) == 1 and _valid_email(parts[0]):  # the common case
        return parts[0]
    if "<" not in text:
        for chunk in _EMAIL_LIST_RE.split(text):
            words = [w.strip(_EMAIL_JUNK) for w in chunk.split()]
            if len(words) > 1 and any("@" in w for w in words) and any(
                    w and "@" not in w for w in words):
                # 'mary smith@gmail.com': a space inside an address, or a name before it;
                # keeping 'smith@gmail.com' could write someone else's mailbox
                raise TransformError(
                    f"{_q(raw)} is not a valid e-mail address (words and an address "
                    "separated by a space): correct it in the source, write a name as "
                    "'Name <address>', or map this column to a plain text field.")
    kept, dropped = None, []
    for part in parts:
        candidate = part.strip(_EMAIL_JUNK)
        if kept is None and _valid_email(candidate):
            kept = candidate
            if candidate != part:
                ctx.notes.append(f"Stray punctuation removed around {_q(candidate)}.")
        elif candidate != kept:
            dropped.append(part)
    if kept is None:
        raise TransformError(
            f"{_q(raw)} is not a valid e-mail address: correct it in the source, or map "
            "this column to a plain text field.")
    if dropped:
        ctx.notes.append(f"Kept the first valid address {_q(kept)}; dropped "
                         + ", ".join(_q(d) for d in dropped) + ".")
    return kept


# --------------------------------------------------------------------------- phone

_EXT_RE = re.compile(
    r"\s*(?:[,;]\s*)?(?:;?ext=|e?xt\.?|extension|ex\.?|x|#)\s*[:.]?\s*(\d{1,7})\s*$", re.I)
_TEL_PARAM_RE = re.compile(r";([a-z0-9-]+)(?:=([^;]*))?", re.I)
_PHONE_LABEL_RE = re.compile(
    r"^(?:tel|phone|ph|cell|mobile|mob|home|work|office|main|fax|c|m|h|w|o|t)\s*[:.]\s*",
    re.I)
_PHONE_TRAIL_RE = re.compile(r"\s*\(?\b(?:cell|mobile|home|work|office|main|fax)\b\)?\s*$",
                             re.I)
_PHONE_CHARS_RE = re.compile(r"[+\d\s().\-/\u2010-\u2015]+")
_PHONE_MULTI_RE = re.compile(r"\s*(?:[;,/|]|\bor\b|\band\b)\s*", re.I)
_EXCEL_FLOAT_RE = re.compile(r"^(\d{7,15})\.0$")
_NON_DIGIT_RE = re.compile(r"\D")
_NANP_REGIONS = frozenset(("US", "CA", "PR", "VI", "GU", "AS", "MP", "UM", "BS", "BB", "JM",
                           "TT", "DO", "BM", "KY", "AG", "DM", "GD", "KN", "LC", "VC", "VG",
                           "AI", "MS", "TC", "SX"))


def _prepare_phone(region="US", format="international"):
    if region is not None:
        if not isinstance(region, str) or not re.fullmatch(r"[A-Za-z]{2}", region):
            raise TransformArgError(
                f"phone: region must be a two-letter country code such as 'US', not "
                f"{region!r}.")
        region = region.upper()
    if format not in ("international", "e164"):
        raise TransformArgError(
            f"phone: format must be 'international' or 'e164', not {format!r}.")
    return {"region": region, "format": format}


def _split_phone(text):
    """``text`` → (number part, extension or None), RFC 3966 and labels handled."""
    ext = None
    if text[:4].lower() == "tel:":
        text = text[4:]
        if ";" in text:
            text, params = text.split(";", 1)
            for key, val in _TEL_PARAM_RE.findall(";" + params):
                if key.lower() == "ext" and val:
                    ext = _NON_DIGIT_RE.sub("", val) or None
    m = _EXCEL_FLOAT_RE.match(text)
    if m:
        return m.group(1), ext
    text = _PHONE_LABEL_RE.sub("", text)
    text = _PHONE_TRAIL_RE.sub("", text)
    if ext is None:
        m = _EXT_RE.search(text)
        if m and m.start() > 0:
            ext = m.group(1)
            text = text[:m.start()]
    return text.strip(), ext


def _format_nanp(digits, ext, fmt):
    core = f"+1{digits}" if fmt == "e164" else f"+1 {digits[:3]}-{digits[3:6]}-{digits[6:]}"
    return core + (f" ext. {ext}" if ext else "")


_NANP_SHAPE_RE = re.compile(r"(\+?1)?[\s.\-]*\(?([2-9]\d{2})\)?[\s.\-]*([2-9]\d{2})[\s.\-]*(\d{4})")


def _nanp_digits(number, region):
    """The 10 digits of a well-formed North-American number, else ``None``."""
    m = _NANP_SHAPE_RE.fullmatch(number)
    if m is None or not m.group(1) and region not in _NANP_REGIONS or \
            m.group(1) == "1" and region not in _NANP_REGIONS:
        return None
    return m.group(2) + m.group(3) + m.group(4)


def _phone_fallback(number, ext, region, fmt, ctx, raw):
    digits = _NON_DIGIT_RE.sub("", number)
    plus = number.lstrip("(").startswith("+")
    if not plus and digits.startswith("011") and region in _NANP_REGIONS:
        plus, digits = True, digits[3:]
    elif not plus and digits.startswith("00"):
        plus, digits = True, digits[2:]
    if plus and digits.startswith("1") and len(digits) == 11 or \
            not plus and region in _NANP_REGIONS and (
                len(digits) == 10 or len(digits) == 11 and digits.startswith("1")):
        digits = digits[-10:]
        return _format_nanp(digits, ext, fmt)
    if plus and 8 <= len(digits) <= 15 and digits[0] not in "01":
        return f"+{digits}" + (f" ext. {ext}" if ext else "")
    if not plus and region not in _NANP_REGIONS:
        raise TransformError(
            f"Cannot read the phone number {_q(raw)} as a number of region {region} "
            "without the 'phonenumbers' package: write it with its +country code in the "
            "source, or install phonenumbers.")
    raise TransformError(_phone_reason(raw, region))


def _phone_reason(raw, region):
    return (f"Cannot read the phone number {_q(raw)}: it has the wrong number of digits for "
            f"region {region or '(none)'}. Correct it in the source, write it with its "
            "+country code, or map the column to a plain text field.")


def _phone_lib(number, ext, region, fmt, ctx, raw):
    try:
        parsed = phonenumbers.parse(number, region)
    except phonenumbers.NumberParseException as exc:
        raise TransformError(_phone_reason(raw, region)) from exc
    reason = phonenumbers.is_possible_number_with_reason(parsed)
    if reason != phonenumbers.ValidationResult.IS_POSSIBLE:
        raise TransformError(_phone_reason(raw, region))
    style = phonenumbers.PhoneNumberFormat.E164 if fmt == "e164" else \
        phonenumbers.PhoneNumberFormat.INTERNATIONAL
    return phonenumbers.format_number(parsed, style) + (f" ext. {ext}" if ext else "")


def _phone_one(text, region, fmt, ctx, raw):
    number, ext = _split_phone(text)
    if not number or not _PHONE_CHARS_RE.fullmatch(number) or not any(
            c.isdigit() for c in number):
        if _phonenumbers() is None or not number or sum(c.isdigit() for c in number) < 3:
            raise TransformError(
                f"{_q(raw)} is not a phone number: correct it in the source or map the "
                "column to a text field.")
    fast = _nanp_digits(number, region)
    if fast is not None:  # the common case, formatted exactly as phonenumbers does, 5x faster
        return _format_nanp(fast, ext, fmt)
    if _phonenumbers() is not None:
        return _phone_lib(number, ext, region, fmt, ctx, raw)
    return _phone_fallback(number, ext, region, fmt, ctx, raw)


@_register("phone", "char",
           "A phone number in the international format Odoo uses: '+1 555-123-4567', "
           "extension as ' ext. 12'. Reads RFC 3966 (tel:+1-555-123-4567;ext=12), "
           "(555) 123-4567 x12, 555.123.4567…; numbers without +country code are read in "
           "region (default US). Several numbers: the first is kept with a note.",
           args=("region", "format"), defaults={"region": "US", "format": "international"},
           prepare=_prepare_phone)
def _t_phone(value, ctx, region="US", format="international"):
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    raw = _as_text(value, "a phone number")
    text = _clean_text(raw)
    if not text:
        return None
    try:
        return _phone_one(text, region, format, ctx, raw)
    except TransformError:
        parts = [p for p in _PHONE_MULTI_RE.split(text) if p] if text[:4].lower() != "tel:" \
            else []
        if len(parts) < 2:
            raise
        first = _phone_one(parts[0], region, format, ctx, raw)
        ctx.notes.append(f"Several numbers in {_q(raw)}: kept the first, {_q(first)}.")
        return first
