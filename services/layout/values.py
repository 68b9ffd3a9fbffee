"""Value conventions: a table's dates, amounts and yes/no words turned into canonical text.

Only the columns whose canonical field is a date, a date-time, a number or a boolean in
the FST bundle (:data:`FIELD_TYPES`, or a custom column's ``custom_type``) are touched.
:class:`Normaliser` ``(conventions)(kind, text)`` returns ``(text, None)`` with the
canonical form (ISO 8601 dates and date-times in UTC with ``Z``, ``1234.56``,
``Yes``/``No``), or ``(text as written, reason)`` when the value cannot be read by the
conventions: it is then left as written and the caller reports it. A value already in
the canonical form is returned exactly as written, so that a bundle in the built-in
layout reads the same as through :class:`services.fst_bundle.FstBundleSource`. Nothing
is guessed: a ``04/13/2023`` in a day-first table is not read as 13 April.
"""

import re
from datetime import date, datetime, timezone

try:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError
except ImportError:  # pragma: no cover - Python < 3.9
    ZoneInfo = ZoneInfoNotFoundError = None

#: canonical columns by value kind (emulators/fst_data.py, services/mapping_templates.py)
FIELD_TYPES = {
    **dict.fromkeys(("created_at", "updated_at", "scheduled_at", "completed_at", "start",
                     "end", "travel_start", "arrived_at"), "datetime"),
    **dict.fromkeys(("invoice_date", "due_date"), "date"),
    **dict.fromkeys(("credit_limit", "latitude", "longitude", "quantity", "unit_price",
                     "subtotal", "tax", "total", "cost", "size"), "number"),
    **dict.fromkeys(("taxable", "active"), "boolean"),
}
#: a custom column's type → the value kind normalised
CUSTOM_KINDS = {"date": "date", "datetime": "datetime", "integer": "number",
                "float": "number", "boolean": "boolean"}
MONTHS = {name: number for number, names in enumerate((
    ("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"),
    ("may",), ("jun", "june"), ("jul", "july"), ("aug", "august"),
    ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"),
    ("dec", "december")), start=1) for name in names}
CURRENCY_SIGNS = "$€£¥₹₩₽¢"

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_START = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")
_TIME = re.compile(r"(?:[ T,]+(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?\s*([ap])?\.?(?:m\.?)?)?"
                   r"\s*(z|utc|gmt|[+-]\d{2}:?\d{2})?$", re.I)
_NUMERIC_DATE = re.compile(r"^(\d{1,4})[/.\-](\d{1,2})[/.\-](\d{1,4})")
_NAMED_DATE = re.compile(r"^(?:(\d{1,2})[ \-]([a-z]{3,9})\.?|([a-z]{3,9})\.? (\d{1,2}))"
                         r"[ ,\-]+(\d{2,4})", re.I)
_CANONICAL_NUMBER = re.compile(r"^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$")
_PLAIN = re.compile(r"^-?\d+(?:\.\d+)?$")


def value_kind(field, custom_type=None):
    """``date``/``datetime``/``number``/``boolean`` for a canonical or custom column."""
    if custom_type:
        return CUSTOM_KINDS.get(custom_type)
    return FIELD_TYPES.get(field)


def _year(text):
    year = int(text)
    if len(text) <= 2:
        year += 2000 if year < 70 else 1900
    return year


class Normaliser:
    """The canonical text of a table's values by its :class:`~.model.Conventions`."""

    def __init__(self, conventions):
        self.order = conventions.date_order
        self.decimal = conventions.decimal or "."
        self.thousands = conventions.thousands or ""
        self.currency = tuple(c for c in conventions.currency if c)
        self.true_words = {w.casefold() for w in conventions.true_words}
        self.false_words = {w.casefold() for w in conventions.false_words}
        self.tz_name = conventions.timezone or "UTC"
        self.tz, self.tz_error = timezone.utc, None
        if self.tz_name.upper() not in ("UTC", "Z", "GMT"):
            try:
                self.tz = ZoneInfo(self.tz_name)
            except (ZoneInfoNotFoundError, ValueError, TypeError):
                self.tz_error = f"the time zone {self.tz_name!r} is unknown"

    def __call__(self, kind, text):
        return self.converter(kind)(text)

    def converter(self, kind):
        """``text → (text, problem)`` for one value kind (blank values pass)."""
        method = getattr(self, "_" + kind)

        def convert(text):
            if not text or text.isspace():
                return text, None
            return method(text)
        return convert

    # -- dates ------------------------------------------------------------------------

    def _date(self, text):
        clean = text.strip()
        if _ISO_DATE.match(clean) or _ISO_START.match(clean):
            return text, None
        parsed = self._parse(clean)
        if isinstance(parsed, str):
            return text, parsed
        return parsed[0].isoformat(), None

    def _datetime(self, text):
        clean = text.strip()
        if _ISO_DATE.match(clean):
            return text, None
        if _ISO_START.match(clean):
            iso = clean[:-1] + "+00:00" if clean[-1:] in "Zz" else clean
            try:
                value = datetime.fromisoformat(iso)
            except ValueError:
                value = None
            if value is not None:
                if value.tzinfo is not None or self.tz is timezone.utc:
                    return text, None  # canonical already (naive means UTC)
                return self._utc(value, text)
        parsed = self._parse(clean)
        if isinstance(parsed, str):
            return text, parsed
        day, moment, offset = parsed
        if moment is None:
            return day.isoformat(), None
        value = datetime.combine(day, moment)
        if offset is not None:
            return value.replace(tzinfo=offset).astimezone(timezone.utc).strftime(
                "%Y-%m-%dT%H:%M:%SZ"), None
        return self._utc(value, text)

    def _utc(self, naive, text):
        if self.tz_error:
            return text, self.tz_error
        aware = naive.replace(tzinfo=self.tz)
        return aware.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"), None

    def _parse(self, text):
        """``(date, time or None, tzinfo or None)``, or why the text is not a date."""
        match = _NUMERIC_DATE.match(text) or _NAMED_DATE.match(text)
        if not match:
            return "not a date"
        rest = _TIME.match(text[match.end():])
        if rest is None:
            return "not a date (unexpected text after the date)"
        if match.re is _NAMED_DATE:
            day_text, month_text = (match.group(1), match.group(2)) if match.group(1) \
                else (match.group(4), match.group(3))
            month = MONTHS.get(month_text.lower())
            if month is None:
                return f"{month_text!r} is not a month"
            year, day = _year(match.group(5)), int(day_text)
        else:
            found = self._numeric(*match.groups())
            if isinstance(found, str):
                return found
            year, month, day = found
        try:
            day_value = date(year, month, day)
        except ValueError:
            return f"not a valid date as {self._order_name()}"
        hour, minute, second, half, zone = rest.groups()
        if hour is None:
            return day_value, None, None
        hour, minute, second = int(hour), int(minute), int(second or 0)
        if half:
            if not 1 <= hour <= 12:
                return f"hour {hour} with AM/PM"
            hour = hour % 12 + (12 if half.lower() == "p" else 0)
        try:
            moment = datetime(2000, 1, 1, hour, minute, second).time()
        except ValueError:
            return "not a valid time"
        return day_value, moment, self._offset(zone)

    def _numeric(self, first, second, third):
        if len(first) == 4:
            return int(first), int(second), int(third)
        order = self.order
        if order == "ambiguous":  # only a value that proves its order is read
            order = "dmy" if int(first) > 12 else "mdy" if int(second) > 12 else None
            if order is None:
                return "day-first or month-first is not decided for this table"
        if order == "dmy":
            return _year(third), int(second), int(first)
        if order == "mdy":
            return _year(third), int(first), int(second)
        if len(third) == 4:
            return "year last, but the table's dates are year-first"
        return _year(first), int(second), int(third)

    def _order_name(self):
        return {"dmy": "day/month/year", "mdy": "month/day/year"}.get(self.order,
                                                                      "year-month-day")

    @staticmethod
    def _offset(zone):
        if zone is None:
            return None
        if zone.lower() in ("z", "utc", "gmt"):
            return timezone.utc
        return datetime.strptime(zone.replace(":", ""), "%z").tzinfo

    # -- numbers and booleans -----------------------------------------------------------

    def _number(self, text):
        clean = text.strip()
        if self.decimal == "." and not self.thousands and _CANONICAL_NUMBER.match(clean):
            return text, None
        negative = False
        if clean.startswith("(") and clean.endswith(")"):
            negative, clean = True, clean[1:-1]
        for sign in self.currency + tuple(CURRENCY_SIGNS):
            clean = clean.replace(sign, "")
        clean = clean.replace("\u00a0", " ").replace("\u202f", " ").strip()
        if clean.endswith("-") and clean[:-1].strip():
            negative, clean = not negative, clean[:-1]
        if clean[:1] in "+-":
            negative, clean = (not negative) if clean[0] == "-" else negative, clean[1:]
        clean = clean.strip()
        separators = (self.thousands,) if self.thousands else (
            (",",) if self.decimal == "." else (".", " ", "'"))
        for sep in separators:
            if sep in clean:
                whole, _, fraction = clean.partition(self.decimal)
                groups = whole.split(sep)
                if not (groups[0].isdigit() and len(groups[0]) <= 3
                        and all(len(g) == 3 and g.isdigit() for g in groups[1:])):
                    return text, f"not a number with {self._number_name()}"
                clean = "".join(groups) + (self.decimal + fraction if fraction or
                                           self.decimal in clean else "")
        clean = clean.replace(" ", "")
        if self.decimal != ".":
            if "." in clean:
                return text, f"not a number with {self._number_name()}"
            clean = clean.replace(self.decimal, ".")
        if not _PLAIN.match(clean):
            return text, f"not a number with {self._number_name()}"
        return ("-" if negative and clean.strip("0.") else "") + clean, None

    def _number_name(self):
        thousands = {"": "", ",": ", thousands ','", ".": ", thousands '.'",
                     " ": ", thousands ' '"}.get(self.thousands, f", thousands "
                                                 f"{self.thousands!r}")
        return f"decimal {self.decimal!r}{thousands}"

    def _boolean(self, text):
        clean = text.strip()
        if clean in ("Yes", "No"):
            return text, None
        word = clean.casefold()
        if word in self.true_words:
            return "Yes", None
        if word in self.false_words:
            return "No", None
        return text, "not a yes/no word of the table"
