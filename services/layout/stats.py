"""Statistics of a table's sampled columns: value kinds, uniqueness, and the conventions
(date order, 12/24 h, decimal comma, thousands separator, currency, yes/no words) the
values themselves prove."""

import re
from collections import Counter
from dataclasses import dataclass, field

from ..profiling import EMAIL, HTML, PHONE, URL

_TIME = r"(?:[ T,]+(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?\s*([AaPp]\.?[Mm]\.?)?)?"
#: 13/04/2023, 4-13-23, 13.04.2023 14:05, 04/13/2023 2:05 PM
SLASH_DATE = re.compile(r"^(\d{1,2})([/.\-])(\d{1,2})\2(\d{4}|\d{2})" + _TIME + r"$")
ISO_DATE = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}$|^\d{4}/\d{1,2}/\d{1,2}$")
ISO_DATETIME = re.compile(r"^\d{4}[-/]\d{1,2}[-/]\d{1,2}[T ]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?"
                          r"\s*([AaPp]\.?[Mm]\.?)?\s*(Z|[+-]\d{2}:?\d{2})?$")
_MONTHS = "jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec"
MONTH_DATE = re.compile(r"^(\d{1,2}[ \-])?(" + _MONTHS + r")[a-z]*\.?[ \-]+(\d{1,2},?\s+)?"
                        r"\d{2,4}" + _TIME + r"$", re.I)
AMPM = re.compile(r"\d\s*[AaPp]\.?[Mm]\.?$")
INTEGER = re.compile(r"^[+-]?\d+$")
CURRENCY = re.compile(r"^\(?-?\s*([$€£¥]|USD|CAD|EUR|GBP|AUD)\s*|\s*([$€£¥]|USD|CAD|EUR|GBP"
                      r"|AUD)\)?$")
AMOUNT = re.compile(r"^\(?[+-]?\d[\d,. '\u00a0]*\)?$")
PATH = re.compile(r"^[^\s<>|?*\"]*[/\\][^<>|?*\"]*\.[A-Za-z0-9]{2,5}$|^[^/\\<>|]+\.(png|jpe?g|"
                  r"gif|pdf|txt|docx?|xlsx?|heic|tiff?|bmp|csv)$", re.I)
CODE = re.compile(r"^[A-Za-z]{1,6}[-_ #]?\d{2,}$")
TRUE_WORDS = ("yes", "true", "y", "t", "x", "on", "checked")
FALSE_WORDS = ("no", "false", "n", "f", "off", "unchecked")
BOOL_WORDS = frozenset(TRUE_WORDS + FALSE_WORDS)
#: distinct values remembered per column (the sample is bounded anyway)
DISTINCT_CAP = 5000
SELECTION_MAX = 25


@dataclass
class ColumnStats:
    """What the sampled values of one column look like."""

    name: str
    seen: int = 0
    empty: int = 0
    kinds: Counter = field(default_factory=Counter)
    values: Counter = field(default_factory=Counter)  # normalised value → rows
    max_length: int = 0
    #: values proving a convention: "dmy" (day-first), "mdy", "ymd", "ambiguous_dates",
    #: "ampm", "decimal_comma", "decimal_dot", "codes" (like WO-000123, ACCT-1)
    marks: Counter = field(default_factory=Counter)
    thousands: Counter = field(default_factory=Counter)
    currency: Counter = field(default_factory=Counter)
    bool_words: Counter = field(default_factory=Counter)
    samples: list = field(default_factory=list)

    def add(self, raw):
        self.seen += 1
        text = "" if raw is None else str(raw).strip()
        if not text:
            self.empty += 1
            return
        self.max_length = max(self.max_length, len(text))
        norm = " ".join(text.casefold().split())
        if len(self.values) < DISTINCT_CAP or norm in self.values:
            self.values[norm] += 1
        if len(self.samples) < 5 and text not in self.samples:
            self.samples.append(text[:60])
        self.kinds[self._kind(text)] += 1

    def _kind(self, text):
        if EMAIL.match(text):
            return "email"
        if ISO_DATETIME.match(text):
            self.marks["ymd"] += 1
            self.marks["ampm"] += bool(AMPM.search(text))
            return "datetime"
        if ISO_DATE.match(text):
            self.marks["ymd"] += 1
            return "date"
        match = SLASH_DATE.match(text)
        if match:
            first, second = int(match.group(1)), int(match.group(3))
            if first > 12 and second <= 12:
                self.marks["dmy"] += 1
            elif second > 12 and first <= 12:
                self.marks["mdy"] += 1
            elif first != second and first <= 12 and second <= 12:
                self.marks["ambiguous_dates"] += 1
            if match.group(8):
                self.marks["ampm"] += 1
            return "datetime" if match.group(5) else "date"
        if MONTH_DATE.match(text):
            self.marks["ampm"] += bool(AMPM.search(text))
            return "datetime" if ":" in text else "date"
        if INTEGER.match(text):
            if len(text.lstrip("+-")) >= 10 and PHONE.match(text):
                return "phone"
            return "integer"
        amount = self._amount(text)
        if amount:
            return amount
        if text.lower() in BOOL_WORDS:
            self.bool_words[text.lower()] += 1
            return "boolean"
        if PHONE.match(text):
            return "phone"
        if CODE.match(text):
            self.marks["codes"] += 1
            return "char"
        if URL.match(text):
            return "url"
        if HTML.search(text):
            return "html"
        if PATH.match(text):
            return "path"
        return "text" if len(text) > 255 or "\n" in text else "char"

    def _amount(self, text):
        """"float"/"money" for a number, noting its separators; None when not one."""
        symbol = None
        match = CURRENCY.search(text)
        body = text
        while match:
            symbol = (match.group(1) or match.group(2)).strip()
            body = (body[:match.start()] + body[match.end():]).strip()
            match = CURRENCY.search(body) if body else None
        if not body or not AMOUNT.match(body):
            return None
        digits = body.strip("()+- ")
        comma, dot = digits.rfind(","), digits.rfind(".")
        if comma >= 0 and dot >= 0:
            if comma > dot:
                self.marks["decimal_comma"] += 1
                self.thousands["."] += 1
            else:
                self.marks["decimal_dot"] += 1
                self.thousands[","] += 1
        elif comma >= 0 or dot >= 0:
            sep = "," if comma >= 0 else "."
            # "1,234" groups thousands; "1.234" alone is a decimal, "1.234.567" is not
            groups = r"\d{1,3}(,\d{3})+" if sep == "," else r"\d{1,3}(\.\d{3}){2,}"
            if re.fullmatch(groups, digits):
                self.thousands[sep] += 1
            elif re.fullmatch(r"\d+" + re.escape(sep) + r"\d+", digits):
                self.marks["decimal_comma" if sep == "," else "decimal_dot"] += 1
            else:
                return None
        elif re.fullmatch(r"\d{1,3}([ '\u00a0]\d{3})+", digits):
            self.thousands[" " if " " in digits else "'"] += 1
        elif not symbol or not re.fullmatch(r"\d+", digits):
            return None
        if symbol:
            self.currency[symbol] += 1
            return "money"
        return "float"

    # -- what the values say ---------------------------------------------------------------

    @property
    def filled(self):
        return self.seen - self.empty

    @property
    def distinct(self):
        return len(self.values)

    @property
    def unique(self):
        """Every non-empty sampled value is different (and there are some)."""
        return self.filled > 0 and self.distinct == self.filled and self.empty == 0

    @property
    def fill_rate(self):
        return self.filled / self.seen if self.seen else 0.0

    @property
    def kind(self):
        """The column's value kind: the values' own, one odd value in fifty aside."""
        if not self.kinds:
            return "empty"
        total = sum(self.kinds.values())
        kinds = {k for k, n in self.kinds.items() if n / total >= 0.02} or set(self.kinds)
        for pair, wider in (({"integer", "float"}, "float"), ({"integer", "money"}, "money"),
                            ({"float", "money"}, "money"), ({"date", "datetime"}, "datetime"),
                            ({"char", "text"}, "text"), ({"html", "text"}, "html"),
                            ({"html", "char"}, "html"), ({"phone", "integer"}, "phone"),
                            ({"phone", "char"}, "phone"), ({"boolean", "integer"}, "boolean"),
                            ({"path", "char"}, "path")):
            if kinds == pair:
                return self._selection(wider)
        if len(kinds) > 1:
            return "text" if "text" in kinds else "char"
        return self._selection(next(iter(kinds)))

    def _selection(self, kind):
        if kind == "integer" and (set(self.values) <= {"0", "1"} or set(self.values) <= {
                "0", "-1"}) and self.filled >= 4:
            return "boolean"
        if kind == "char" and self.filled >= 8 and self.distinct <= SELECTION_MAX \
                and self.distinct <= self.filled / 3 and self.max_length <= 60:
            return "selection"
        return kind

    @property
    def short_codes(self):
        """Share of the distinct values that are 2–3 letters (state, country codes)."""
        if not self.values:
            return 0.0
        return sum(1 for v in self.values if 2 <= len(v) <= 3 and v.isalpha()) / len(
            self.values)

    @property
    def code_like(self):
        """Most values look like WO-000123: a number of a record, not an id."""
        return self.filled > 0 and self.marks["codes"] / self.filled >= 0.8

    @property
    def key_like(self):
        """The values look like record keys: integers, codes, e-mails or other single
        tokens holding a digit ("C-1001", "a7f3…"), not free text such as names ("Acme
        Ltd", "Smith"), which may happen to be unique but are a weak key."""
        if self.kind in ("integer", "email"):
            return True
        values = list(self.values)[:500]
        if not values:
            return False
        keyish = sum(1 for v in values if " " not in v and any(c.isdigit() for c in v))
        return keyish / len(values) >= 0.9

    def is_latitude(self):
        return self.kind == "float" and all(
            _in_range(v, 90) for v in list(self.values)[:200])

    def is_longitude(self):
        return self.kind == "float" and all(
            _in_range(v, 180) for v in list(self.values)[:200])


def _in_range(text, bound):
    try:
        return abs(float(text)) <= bound
    except ValueError:
        return False


def custom_type(stats):
    """The custom field type a column's values suggest."""
    kind = stats.kind
    return {"integer": "integer", "float": "float", "money": "float", "boolean": "boolean",
            "date": "date", "datetime": "datetime", "selection": "selection",
            "text": "text", "html": "text"}.get(kind, "char")


def table_conventions(columns):
    """``Conventions`` fields proven by a table's columns (:class:`ColumnStats`):
    ``{"date_order", "clock", "decimal", "thousands", "currency", "true_words",
    "false_words", "proof": {...}}`` — ``date_order`` None when no date has a
    day-month order at all, "ambiguous" when none proves it."""
    dmy = sum(c.marks["dmy"] for c in columns)
    mdy = sum(c.marks["mdy"] for c in columns)
    ymd = sum(c.marks["ymd"] for c in columns)
    ambiguous = sum(c.marks["ambiguous_dates"] for c in columns)
    proof = {"dmy": dmy, "mdy": mdy, "ymd": ymd, "ambiguous": ambiguous}
    if dmy and mdy:
        order = "dmy" if dmy > mdy * 4 else "mdy" if mdy > dmy * 4 else "ambiguous"
    elif dmy:
        order = "dmy"
    elif mdy:
        order = "mdy"
    elif ambiguous:
        order = "ambiguous"
    else:
        order = "ymd" if ymd else None
    for column in columns:
        if column.marks["dmy"] or column.marks["mdy"]:
            proof.setdefault("column", column.name)
            proof.setdefault("example", next(
                (s for s in column.samples if _proves(s, order)), column.samples[0]))
    comma = sum(c.marks["decimal_comma"] for c in columns)
    dot = sum(c.marks["decimal_dot"] for c in columns)
    thousands = Counter()
    currency = Counter()
    words = Counter()
    for column in columns:
        thousands.update(column.thousands)
        currency.update(column.currency)
        if column.kind == "boolean":
            words.update(column.bool_words)
    decimal = "," if comma > dot else "."
    thousands.pop(decimal, None)
    return {
        "date_order": order, "proof": proof,
        "clock": "12" if sum(c.marks["ampm"] for c in columns) else "24",
        "decimal": decimal,
        "thousands": thousands.most_common(1)[0][0] if thousands else "",
        "currency": tuple(sorted(currency)),
        "true_words": tuple(w for w in TRUE_WORDS if w in words),
        "false_words": tuple(w for w in FALSE_WORDS if w in words),
    }


def _proves(text, order):
    match = SLASH_DATE.match(text)
    if not match:
        return False
    first, second = int(match.group(1)), int(match.group(3))
    return (first > 12) if order == "dmy" else (second > 12)
