"""Date transforms: dates and date-times to Odoo's text, time zones, epoch values."""

import math
import re
import unicodedata
from datetime import date as _date
from datetime import datetime as _datetime
from datetime import timedelta, timezone
from decimal import Decimal
from email.utils import parsedate_to_datetime
from zoneinfo import ZoneInfo

from .base import TransformArgError, TransformError, _as_text, _clean_text, _q
from .registry import _register

# --------------------------------------------------------------------------- dates

_UTC = timezone.utc
_EPOCH = _datetime(1970, 1, 1, tzinfo=_UTC)
_TZ_PART = r"\s*(Z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)?"
_TIME_PART = (r"(?:(?:\s*[T ,]\s*|\s+at\s+)(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?"
              r"(?:\s*([ap])\.?(?:m\.?)?)?)?")
_ISO_RE = re.compile(r"(\d{4})([-/.])(\d{1,2})\2(\d{1,2})" + _TIME_PART + _TZ_PART, re.I)
_ISO_BASIC_RE = re.compile(r"(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})?)?" + _TZ_PART, re.I)
_US_RE = re.compile(r"(\d{1,2})([-/.])(\d{1,2})\2(\d{4}|\d{2})" + _TIME_PART + _TZ_PART, re.I)
_MONTHS = {m: i for i, names in enumerate((
    (), ("jan", "january", "janv", "janvier", "ene", "enero"),
    ("feb", "february", "fev", "fevr", "fevrier", "febrero"),
    ("mar", "march", "mars", "marzo"), ("apr", "april", "avr", "avril", "abr", "abril"),
    ("may", "mai", "mayo"), ("jun", "june", "juin", "junio"),
    ("jul", "july", "juil", "juillet", "julio"), ("aug", "august", "aout", "ago", "agosto"),
    ("sep", "sept", "september", "septembre", "septiembre"),
    ("oct", "october", "octobre", "octubre"), ("nov", "november", "novembre", "noviembre"),
    ("dec", "december", "decembre", "dic", "diciembre"),
)) for m in names}
_NAMED_RE = re.compile(
    r"(?:[a-z]{3,9}\.?,?\s+)??"  # weekday
    r"(?:([a-z]{3,9})\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})"
    r"|(\d{1,2})(?:st|nd|rd|th)?(?:\s+|-)([a-z]{3,9})\.?,?(?:\s+|-)(\d{4}))"
    + _TIME_PART + _TZ_PART, re.I)
_EPOCH_RE = re.compile(r"[+-]?\d{9,13}(?:\.\d+)?")
_ZERO_DATE_RE = re.compile(r"0{4}-00-00(?:[T ]00:00(?::00)?)?|00/00/0{4}|0")


def _year2(text):
    year = int(text)
    if len(text) == 2:
        year += 2000 if year < 69 else 1900
    return year


def _tzinfo(text):
    if not text:
        return None
    upper = text.upper()
    if upper in ("Z", "UTC", "GMT"):
        return _UTC
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:4] or 0)
    if hours > 23 or minutes > 59:
        raise ValueError("offset out of range")
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def _build(year, month, day, hh, mm, ss, frac, ampm, tz):
    hour = int(hh or 0)
    if ampm:
        if not 1 <= hour <= 12:
            raise ValueError("hour out of range for AM/PM")
        hour = hour % 12 + (12 if ampm.lower() == "p" else 0)
    micro = int((frac or "0")[:6].ljust(6, "0"))
    return _datetime(year, month, day, hour, int(mm or 0), int(ss or 0), micro,
                     tzinfo=_tzinfo(tz))


def _parse_moment(value, dayfirst, ctx, raw):
    """``value`` → (datetime, possibly aware; has_time). ``None`` for a zero date."""
    if isinstance(value, _datetime):
        return value, True
    if isinstance(value, _date):
        return _datetime(value.year, value.month, value.day), False
    if isinstance(value, bool):
        raise TransformError(f"Expected a date, got the yes/no value {value}.")
    if isinstance(value, (int, float, Decimal)):
        return _from_epoch(value, raw), True
    text = _clean_text(_as_text(value, "a date"))
    if not text:
        return None, False
    m = _ISO_RE.fullmatch(text)
    if m:
        y, _sep, mo, d, hh, mi, ss, frac, ampm, tz = m.groups()
        if y == "0000" and mo in ("0", "00") and d in ("0", "00"):
            return _zero_date(ctx, raw)
        return _build(int(y), int(mo), int(d), hh, mi, ss, frac, ampm, tz), hh is not None
    m = _US_RE.fullmatch(text)
    if m:
        first, sep, second, y, hh, mi, ss, frac, ampm, tz = m.groups()
        first, second = int(first), int(second)
        if first == second == 0:
            return _zero_date(ctx, raw)
        day_first = dayfirst or sep == "."
        month, day = (second, first) if day_first else (first, second)
        if month > 12 and day <= 12:
            month, day = day, month
            order = "month/day" if day_first else "day/month"
            ctx.notes.append(f"{_q(raw)} read as {order} ({max(first, second)} cannot be a "
                             "month); check the column's date order.")
        return _build(_year2(y), month, day, hh, mi, ss, frac, ampm, tz), hh is not None
    if _EPOCH_RE.fullmatch(text):
        return _from_epoch(Decimal(text), raw), True
    m = _ISO_BASIC_RE.fullmatch(text)
    if m:
        y, mo, d, hh, mi, ss, tz = m.groups()
        return _build(int(y), int(mo), int(d), hh, mi, ss, None, None, tz), hh is not None
    if _ZERO_DATE_RE.fullmatch(text):
        return _zero_date(ctx, raw)
    m = _NAMED_RE.fullmatch(text)
    if m:
        mname1, d1, y1, d2, mname2, y2, hh, mi, ss, frac, ampm, tz = m.groups()
        mname = unicodedata.normalize("NFKD", (mname1 or mname2).lower())
        month = _MONTHS.get("".join(c for c in mname if c.isascii()))
        if month:
            return _build(int(y1 or y2), month, int(d1 or d2), hh, mi, ss, frac, ampm,
                          tz), hh is not None
    if "," in text or " " in text:
        try:  # RFC 2822: "Fri, 01 Mar 2024 12:00:00 +0000"
            return parsedate_to_datetime(text), True
        except (TypeError, ValueError, IndexError) as exc:
            raise ValueError("unrecognised") from exc
    raise ValueError("unrecognised")


def _zero_date(ctx, raw):
    ctx.notes.append(f"{_q(raw)} is a 'zero date' (no date): left empty.")
    return None, False


def _from_epoch(number, raw):
    if isinstance(number, float) and not math.isfinite(number):
        raise TransformError(f"{_q(raw)} is not a date or a time.")
    seconds = Decimal(repr(number)) if isinstance(number, float) else Decimal(number)
    if not seconds.is_finite():
        raise TransformError(f"{_q(raw)} is not a date or a time.")
    if abs(seconds) >= 100_000_000_000:  # milliseconds (year 5138 in seconds)
        seconds /= 1000
    try:
        return _EPOCH + timedelta(seconds=float(seconds))
    except OverflowError as exc:
        raise TransformError(f"{_q(raw)} is out of the range of dates Odoo can store.") \
            from exc


def _date_error(raw, what):
    return TransformError(
        f"Cannot read {_q(raw)} as a {what}: use ISO 8601 (2024-03-31 14:05:00, with or "
        "without +hh:mm offset or Z), MM/DD/YYYY [HH:MM [AM/PM]] or epoch seconds; correct "
        "the source or pick the right day order (dayfirst).")


def _moment(value, dayfirst, ctx, what):
    try:
        return _parse_moment(value, dayfirst, ctx, value)
    except TransformError:
        raise
    except (ValueError, OverflowError) as exc:
        raise _date_error(value, what) from exc


def _prepare_tz(tz="UTC", dayfirst=False):
    return {"tz": _zone(tz), "dayfirst": bool(dayfirst)}


def _zone(tz):
    if tz is None or tz == "UTC":
        return _UTC
    if not isinstance(tz, str):
        raise TransformArgError(f"tz must be an IANA time zone name, not {tz!r}.")
    try:
        return ZoneInfo(tz.strip())
    except (ValueError, KeyError, OSError) as exc:  # ZoneInfoNotFoundError is a KeyError
        raise TransformArgError(
            f"Unknown time zone {_q(tz)}: use an IANA name such as 'America/Chicago'.") \
            from exc


def _fmt_datetime(value):
    return (f"{value.year:04d}-{value.month:02d}-{value.day:02d} "
            f"{value.hour:02d}:{value.minute:02d}:{value.second:02d}")


@_register("datetime_utc", "datetime",
           "A date-time as Odoo stores it: naive UTC 'YYYY-MM-DD HH:MM:SS'. Reads ISO 8601 "
           "with offset, Z or naive; MM/DD/YYYY HH:MM [AM/PM]; epoch seconds (or ms). "
           "Naive values are local time in tz (IANA name, default UTC).",
           args=("tz", "dayfirst"), defaults={"tz": "UTC", "dayfirst": False},
           prepare=_prepare_tz)
def _t_datetime_utc(value, ctx, tz=_UTC, dayfirst=False):
    moment, _has_time = _moment(value, dayfirst, ctx, "date and time")
    if moment is None:
        return None
    try:
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=tz)
        return _fmt_datetime(moment.astimezone(_UTC))
    except (OverflowError, ValueError) as exc:
        raise TransformError(f"{_q(value)} is out of the range of dates Odoo can store.") \
            from exc


def _prepare_date(tz=None, dayfirst=False):
    return {"tz": None if tz is None else _zone(tz), "dayfirst": bool(dayfirst)}


@_register("date", "date",
           "A calendar date 'YYYY-MM-DD'. Reads what datetime_utc reads; the date is the "
           "one written in the source (no time-zone shift) unless tz is given, then a "
           "value with an offset is first converted to tz.",
           args=("tz", "dayfirst"), defaults={"tz": None, "dayfirst": False},
           prepare=_prepare_date)
def _t_date(value, ctx, tz=None, dayfirst=False):
    moment, _has_time = _moment(value, dayfirst, ctx, "date")
    if moment is None:
        return None
    if tz is not None and moment.tzinfo is not None:
        try:
            moment = moment.astimezone(tz)
        except (OverflowError, ValueError) as exc:
            raise TransformError(f"{_q(value)} is out of the range of dates.") from exc
    return f"{moment.year:04d}-{moment.month:02d}-{moment.day:02d}"
