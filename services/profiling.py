"""Discovery: profile a source's records into a data dictionary.

For every object: how many records; for every field (nested dicts flattened with dots,
``home_address.city``): the inferred type, the null rate, the distinct count, up to five
sample values (secrets masked) and whether it is a custom field. Plus cardinality
figures such as "customers with several contacts", which tell how many accounts need a
parent/child restructure in Odoo.

Large sources are profiled on their first ``sample_limit`` records per object; the
record count is then the source's own when it says it cheaply (``Source.count``), and
the profile says it was sampled.

An object whose endpoint this account cannot read (``errors.SourceObjectUnreadable``:
401/403/404/405/501 on that object) is not fatal: it is listed with ``readable: False``,
``status``, ``vendor_message`` and ``reason``, 0 records and no fields, and the other
objects are profiled. Errors about the whole source (credentials refused, host down)
still raise.
"""

import logging
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from .errors import SourceError, as_unreadable

_logger = logging.getLogger(__name__)

MAX_SAMPLES = 5
MASK = "•••"
SECRET_NAME = re.compile(r"pass(word)?|secret|token|api_?key|ssn|card_?number|iban|pin$", re.I)
EMAIL = re.compile(r"^\s*[^@\s]+@[^@\s]+\.[A-Za-z]{2,}\s*$")
PHONE = re.compile(r"^\s*(tel:)?[+(]?\d[\d\s().\-]{6,}\d(\s*(x|ext\.?|;ext=)\s*\d+)?\s*$", re.I)
DATE = re.compile(r"^\s*\d{4}-\d{2}-\d{2}\s*$")
DATETIME = re.compile(
    r"^\s*\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?\s*$")
INTEGER = re.compile(r"^\s*[+-]?\d+\s*$")
NUMBER = re.compile(r"^\s*[+-]?\$?\s*\d{1,3}(,?\d{3})*(\.\d+)?\s*$")
BOOLEAN_WORDS = {"true", "false", "yes", "no", "y", "n"}
HTML = re.compile(r"<\s*(p|br|div|span|img|b|i|ul|li|table|a)\b[^>]*>", re.I)
URL = re.compile(r"^\s*https?://\S+\s*$", re.I)
CHAR_LIMIT = 255
#: an enumeration: few distinct values, each seen several times
ENUM_MAX_DISTINCT = 25
ENUM_MIN_RECORDS = 20
#: an enumeration typed by hand has variants ('Repair', ' repair', 'REPAIR'): up to this many
#: raw values, it is told by its spellings (case, spaces, '_' and '-' aside)
ENUM_MAX_VARIANTS = 400
#: beyond this many distinct values per field, stop remembering them (count is a floor)
DISTINCT_CAP = 100_000

#: when a field's values vote for several types, the first type of a pair that covers both
WIDENING = [
    ({"integer", "float"}, "float"),
    ({"date", "datetime"}, "datetime"),
    ({"char", "text"}, "text"),
    ({"email", "char"}, "char"),
    ({"phone", "char"}, "char"),
    ({"html", "text"}, "html"),
    ({"html", "char"}, "html"),
]


def value_type(value):
    """The type one non-empty value suggests."""
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "float"
    if isinstance(value, list):
        return "list"
    if isinstance(value, dict):
        return "json"
    text = str(value)
    if EMAIL.match(text):
        return "email"
    if DATETIME.match(text) and not DATE.match(text):
        return "datetime"
    if DATE.match(text):
        return "date"
    if INTEGER.match(text):
        # long digit strings are identifiers or phone numbers, not quantities
        return "phone" if len(text.strip()) >= 10 and PHONE.match(text) else "integer"
    if NUMBER.match(text):
        return "float"
    if PHONE.match(text):
        return "phone"
    if text.strip().lower() in BOOLEAN_WORDS:
        return "boolean"
    if URL.match(text):
        return "url"
    if HTML.search(text):
        return "html"
    return "text" if len(text) > CHAR_LIMIT or "\n" in text.strip() else "char"


def is_empty(value):
    return value is None or (isinstance(value, str) and not value.strip()) or value in ([], {})


def flatten(record, prefix="", depth=2):
    """Nested dicts become dotted keys (two levels); lists and deeper dicts stay whole."""
    flat = {}
    for key, value in record.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict) and depth > 0 and value:
            flat.update(flatten(value, f"{name}.", depth - 1))
        else:
            flat[name] = value
    return flat


def spelling(value):
    """``value`` as an enumeration compares it: case, runs of spaces, '_' and '-' aside."""
    return re.sub(r"[\s_\-]+", " ", str(value)).strip().casefold()


def mask(name, value):
    if SECRET_NAME.search(name.rsplit(".", 1)[-1]):
        return MASK
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


@dataclass
class FieldProfile:
    name: str
    seen: int = 0  # records profiled (present or not)
    nulls: int = 0
    type_votes: Counter = field(default_factory=Counter)
    values: set = field(default_factory=set)
    distinct_capped: bool = False
    samples: list = field(default_factory=list)
    max_length: int = 0
    custom: bool = False

    def add(self, value):
        self.seen += 1
        if is_empty(value):
            self.nulls += 1
            return
        self.type_votes[value_type(value)] += 1
        key = value if isinstance(value, str | int | float | bool) else repr(value)
        if isinstance(key, str):
            self.max_length = max(self.max_length, len(key))
        if not self.distinct_capped:
            self.values.add(key)
            if len(self.values) >= DISTINCT_CAP:
                self.distinct_capped = True
        if len(self.samples) < MAX_SAMPLES:
            shown = mask(self.name, value)
            if shown not in self.samples:
                self.samples.append(shown)

    @property
    def null_rate(self):
        return round(self.nulls / self.seen, 4) if self.seen else 1.0

    @property
    def distinct(self):
        return len(self.values)

    @property
    def spellings(self):
        """Distinct values told apart as the map's value lookup does (case, runs of spaces,
        '_' and '-' aside); the raw count past ``ENUM_MAX_VARIANTS`` (no enumeration)."""
        if self.distinct > ENUM_MAX_VARIANTS or self.distinct_capped:
            return self.distinct
        return len({spelling(v) for v in self.values})

    @property
    def inferred_type(self):
        votes = self.type_votes
        if not votes:
            return "empty"
        kinds = set(votes)
        if len(kinds) > 1:
            # one odd value in a hundred does not change a column's type
            total = sum(votes.values())
            kinds = {k for k, n in votes.items() if n / total >= 0.02} or kinds
        for pair, wider in WIDENING:
            if len(kinds) == 2 and kinds == pair:
                return wider
        if len(kinds) > 1:
            return "text" if "text" in kinds or self.max_length > CHAR_LIMIT else "char"
        (kind,) = kinds
        non_null = self.seen - self.nulls
        if kind == "char" and non_null >= ENUM_MIN_RECORDS and self.max_length <= 80:
            spellings = self.spellings
            if spellings <= ENUM_MAX_DISTINCT and spellings <= non_null / 4:
                return "selection"
        return kind

    def to_dict(self):
        return {
            "name": self.name,
            "inferred_type": self.inferred_type,
            "null_rate": self.null_rate,
            "distinct": self.distinct,
            "distinct_capped": self.distinct_capped,
            "samples": list(self.samples),
            "max_length": self.max_length,
            "custom": self.custom,
            "type_votes": dict(self.type_votes),
            # all the values of an enumeration-like field (the map's selection options)
            # (every spelling of each: the value map needs them all)
            "options": (sorted({mask(self.name, v) for v in self.values})
                        if 0 < self.spellings <= ENUM_MAX_DISTINCT and self.max_length <= 80
                        and not self.distinct_capped else []),
        }


def is_custom_name(name, custom_names):
    leaf = name.rsplit(".", 1)[-1]
    return (name in custom_names or leaf in custom_names or name.startswith("custom_fields.")
            or leaf.startswith(("cf_", "x_")))


def profile_records(obj, records, *, custom_names=(), sample_limit=None):
    """Profile an iterable of record dicts. Returns a plain dict (see module doc)."""
    profiles = {}
    seen = 0
    for record in records:
        if sample_limit is not None and seen >= sample_limit:
            break
        seen += 1
        flat = flatten(record)
        for name in flat.keys() - profiles.keys():
            # a field first met late was missing (null) in every record before
            profiles[name] = FieldProfile(name, seen=seen - 1, nulls=seen - 1,
                                          custom=is_custom_name(name, custom_names))
        for name, prof in profiles.items():
            prof.add(flat.get(name))
    return {
        "object": obj,
        "profiled": seen,
        "fields": [p.to_dict() for p in sorted(profiles.values(), key=lambda p: p.name)],
    }


@dataclass
class CardinalitySpec:
    """How many distinct children each parent has.

    Children are the records of ``child_obj``; their parent is the value of
    ``parent_key``, or, with ``via=(obj, link_field)``, the ``parent_key`` of the ``obj``
    record whose id is the child's ``link_field`` (job contacts → their job's customer).
    Children are told apart by ``distinct_keys`` when given (values compared trimmed and
    case-insensitively, as the same person or address typed twice), else each counts.
    """

    label: str
    child_obj: str
    parent_key: str
    distinct_keys: tuple = ()
    via: tuple | None = None
    #: only parents that exist in this object count (orphans' children are not a restructure)
    parent_obj: str = "customers"


def _normalised(value):
    if isinstance(value, dict):
        return tuple(sorted((k, _normalised(v)) for k, v in value.items()))
    if isinstance(value, list):
        return tuple(_normalised(v) for v in value)
    if isinstance(value, str):
        return " ".join(value.split()).casefold()
    return value


def cardinality(spec, records, parent_of=None, known_parents=None):
    """Figures for ``spec`` over ``records`` (the child records). ``parent_of`` maps
    a link value to the parent key when the spec goes ``via`` another object;
    ``known_parents`` (ids as strings), when given, leaves out children of missing parents."""
    per_parent = defaultdict(set)
    for index, record in enumerate(records):
        if spec.via:
            parent = (parent_of or {}).get(str(record.get(spec.via[1])))
        else:
            parent = flatten(record).get(spec.parent_key)
        if is_empty(parent) or (known_parents is not None and str(parent) not in known_parents):
            continue
        marker = (tuple(_normalised(record.get(k)) for k in spec.distinct_keys)
                  if spec.distinct_keys else index)
        per_parent[str(parent)].add(marker)
    sizes = Counter(len(children) for children in per_parent.values())
    return {
        "label": spec.label,
        "parents": len(per_parent),
        "parents_with_several": sum(n for size, n in sizes.items() if size >= 2),
        "max_per_parent": max(sizes, default=0),
        "histogram": {str(size): n for size, n in sorted(sizes.items())},
    }


#: the restructures that matter, per source kind
CARDINALITY_SPECS = {
    "fst": [
        CardinalitySpec("customers with several contacts", "contacts", "customer_id"),
        CardinalitySpec("customers with several sites", "sites", "customer_id"),
    ],
    "dispatch": [
        CardinalitySpec("customers with several contacts", "job_contacts", "customer_id",
                        distinct_keys=("first_name", "last_name"), via=("jobs", "job_id")),
        CardinalitySpec("customers with several service locations", "jobs", "customer_id",
                        distinct_keys=("address",)),
    ],
}


def _tee(records, kept, link, link_key, ids):
    """Pass records through, keeping what the cardinality figures need on the way."""
    for record in records:
        if kept is not None:
            kept.append(record)
        if link is not None:
            link[str(record.get("id"))] = record.get(link_key)
        if ids is not None:
            ids.add(str(record.get("id")))
        yield record


def unreadable_profile(obj, error):
    """The dictionary entry of an object this account cannot read."""
    return {"object": obj, "profiled": 0, "count": 0, "sampled": False, "fields": [],
            "readable": False, "status": error.status,
            "vendor_message": error.vendor_message, "reason": str(error)}


def unreadable_objects(dictionary):
    """``[{"object", "status", "vendor_message", "reason"}]`` of a dictionary's objects
    not readable (what the report and the reconciliation list)."""
    return [{key: obj.get(key) for key in ("object", "status", "vendor_message", "reason")}
            for obj in dictionary.get("objects", []) if obj.get("readable") is False]


def profile_source(source, kind, *, sample_limit=5000, progress=None):
    """Profile every object of ``source``. ``kind`` picks the cardinality specs
    ("fst" or "dispatch"). ``progress(obj, index, total)`` is called per object.

    Each object gets ``readable`` (True, or False with ``status``, ``vendor_message``
    and ``reason``: see the module doc); ``result["unreadable"]`` lists the latter."""
    objects = source.list_objects()
    try:
        custom_names = {f.name for f in source.custom_fields()}
    except SourceError as exc:
        # custom fields are read from an object (Dispatch: jobs) or a schema endpoint:
        # one the account cannot read leaves them unknown, it stops nothing
        if as_unreadable("custom_fields", exc) is None:
            raise
        _logger.info("Custom fields not readable: %s", exc)
        custom_names = set()
    specs = CARDINALITY_SPECS.get(kind, [])
    result = {"objects": [], "cardinality": [], "sample_limit": sample_limit,
              "custom_fields": sorted(custom_names)}
    #: link tables for the specs that go via another object: {obj: {id: parent}}
    links = {spec.via[0]: {} for spec in specs if spec.via}
    #: ids of the parent objects, to leave orphans out of the figures: {obj: set}
    parent_ids = {spec.parent_obj: set() for spec in specs}
    for index, obj in enumerate(objects):
        if progress:
            progress(obj, index, len(objects))
        needs = [s for s in specs if s.child_obj == obj]
        kept = [] if needs else None
        link = links.get(obj)
        link_key = next((s.parent_key for s in specs if s.via and s.via[0] == obj), None)
        ids = parent_ids.get(obj)
        records = _tee(source.iter_records(obj), kept, link, link_key, ids)
        try:
            prof = profile_records(obj, records, custom_names=custom_names,
                                   sample_limit=sample_limit)
            counted = source.count(obj)
        except SourceError as exc:
            unreadable = as_unreadable(obj, exc)
            if unreadable is None:
                raise
            _logger.info("Discovery: %s", unreadable)
            result["objects"].append(unreadable_profile(obj, unreadable))
            continue
        prof["count"] = counted if counted is not None else prof["profiled"]
        prof["sampled"] = prof["count"] > prof["profiled"]
        prof["readable"] = True
        result["objects"].append(prof)
        for spec in needs:
            result["cardinality"].append(cardinality(
                spec, kept, links.get(spec.via[0]) if spec.via else None,
                parent_ids[spec.parent_obj] if parent_ids.get(spec.parent_obj) else None))
    result["unreadable"] = unreadable_objects(result)
    result["issues"] = [
        {"object": i.object, "source_id": i.source_id, "reason": i.reason, "file": i.file,
         "line": i.line, "column": i.column} for i in getattr(source, "issues", [])]
    return result
