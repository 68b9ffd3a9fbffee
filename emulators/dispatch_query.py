"""The Dispatch emulator's lists: paging, filter[...] predicates (compiled, cached), encoding."""

import json
import zlib
from datetime import datetime, timezone

from . import httpbase
from .dispatch_api import _JSON, ApiError

PREDICATES = ("not_eq", "contains", "gteq", "lteq", "null", "eq", "in", "gt", "lt")
TIME_ATTRIBUTES = ("created_at", "updated_at")
DEFAULT_LIMIT = 25
FILTER_CACHE_SIZE = 64


def _parse_time(value):
    """Aware datetime from an ISO 8601 string (``Z``, offset, or naive meaning UTC)."""
    parsed = datetime.fromisoformat(str(value).strip().replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


class QueryMixin:
    """A list answer: the ids matching the filters (cached per object version), one page
    of them encoded once (damaged where ``malformed_rate`` says so), and its ``meta``."""

    def _list(self, obj, query):
        filters = self._parse_filters(obj, query)
        with self._lock:
            ids = self._matching_ids(obj, filters)
        return self._page(obj, ids, query, key=obj)

    def _page(self, obj, ids, query, *, key):
        limit = self._int_param(query, "limit", DEFAULT_LIMIT)
        offset = self._int_param(query, "offset", 0)
        if limit < 1 or offset < 0:
            raise ApiError(400, {"errors": {"limit": ["limit must be >= 1, offset >= 0"]}})
        if limit > self.max_limit:
            raise ApiError(422, {"errors": {"limit": [
                f"must be less than or equal to {self.max_limit}"]}})
        with self._lock:
            chunk = [self._served(obj, rid) for rid in ids[offset:offset + limit]
                     if rid in self._records[obj]]
        meta = json.dumps({"total": len(ids), "limit": limit, "offset": offset}).encode()
        body = b'{"%s":[%s],"meta":%s}' % (key.encode(), b",".join(chunk), meta)
        return 200, _JSON, body

    @staticmethod
    def _int_param(query, name, default):
        values = query.get(name)
        if not values:
            return default
        try:
            return int(values[0])
        except ValueError:
            raise ApiError(400, {"errors": {name: ["must be an integer"]}}) from None

    def _parse_filters(self, obj, query):
        """``[(attribute, predicate, raw value)]`` from ``filter[...]`` parameters."""
        filters = []
        for name, values in sorted(query.items()):
            if not (name.startswith("filter[") and name.endswith("]")):
                continue
            expression = name[len("filter["):-1]
            if obj == "users" and expression == "by_user_roles":
                filters.append(("roles", "by_roles", values[-1]))
                continue
            predicate = next((p for p in PREDICATES if expression.endswith("_" + p)
                              and expression[:-len(p) - 1] in self._attributes[obj]), None)
            if predicate is not None:
                attribute = expression[:-len(predicate) - 1]
            elif expression in self._attributes[obj] or expression == "external_id":
                # the docs' own example: filter[job_id]=123&filter[status]=scheduled
                attribute, predicate = expression, "eq"
            else:
                known = next((p for p in PREDICATES if expression.endswith("_" + p)), None)
                if known is None:
                    raise ApiError(400, {"errors": {"filter": [
                        f"{expression!r}: unknown predicate, use one of "
                        f"{', '.join(PREDICATES)} (or none, meaning eq)"]}})
                attribute, predicate = expression[:-len(known) - 1], known
            if attribute == "external_id":
                attribute = "external_ids"
            if attribute not in self._attributes[obj]:
                raise ApiError(400, {"errors": {"filter": [
                    f"{attribute!r} is not an attribute of {obj}"]}})
            if attribute in TIME_ATTRIBUTES and not self.honour_updated_filter:
                continue
            filters.append((attribute, predicate, values[-1]))
        return tuple(filters)

    def _matching_ids(self, obj, filters):
        """Ids of ``obj`` matching all ``filters`` (cached until ``obj`` changes)."""
        if not filters:
            if obj not in self._ids:
                self._ids[obj] = list(self._records[obj])
            return self._ids[obj]
        key = (obj, self._version[obj], filters)
        ids = self._filter_cache.get(key)
        if ids is None:
            tests = [self._compile(attribute, predicate, value)
                     for attribute, predicate, value in filters]
            ids = [rid for rid, record in self._records[obj].items()
                   if all(test(record) for test in tests)]
            self._filter_cache[key] = ids
            if len(self._filter_cache) > FILTER_CACHE_SIZE:
                self._filter_cache.popitem(last=False)
        return ids

    def _compile(self, attribute, predicate, raw):
        """A ``record -> bool`` test for one filter; bad values raise a 422."""
        def invalid():
            return ApiError(422, {"errors": {"filter": [
                f"{attribute}_{predicate}: invalid value {raw!r}"]}})

        is_time = attribute in TIME_ATTRIBUTES or attribute == "time"
        try:
            convert = _parse_time if is_time else _scalar
            if predicate == "by_roles":
                roles = {v.strip().casefold() for v in raw.split(",") if v.strip()}
                return lambda r: bool(roles & {str(role).casefold()
                                               for role in r.get(attribute) or ()})
            if predicate == "null":
                wanted = raw.strip().lower() in ("true", "1", "t", "yes")
                return lambda r: (r.get(attribute) in (None, "", [])) == wanted
            if predicate == "in":
                options = {convert(v) for v in raw.split(",") if v.strip()}
                return lambda r: _value(r, attribute, convert) in options
            if predicate == "contains":
                needle = raw.casefold()
                return lambda r: _contains(r.get(attribute), needle)
            target = convert(raw)
        except ValueError:
            raise invalid() from None
        if predicate == "eq":
            return lambda r: _value(r, attribute, convert) == target
        if predicate == "not_eq":
            return lambda r: _value(r, attribute, convert) != target
        compare = {"gt": lambda a: a > target, "gteq": lambda a: a >= target,
                   "lt": lambda a: a < target, "lteq": lambda a: a <= target}[predicate]

        def ordered(record):
            value = _value(record, attribute, convert)
            try:
                return value is not None and compare(value)
            except TypeError:  # e.g. a number compared with a string
                return False
        return ordered

    # -- encoding ---------------------------------------------------------------------

    def precompute(self):
        """Encode every record now, so that the first pull is as fast as the next ones."""
        with self._lock:
            for obj, records in self._records.items():
                for record_id in records:
                    self._encoded(obj, record_id)

    def _encoded(self, obj, record_id):
        cache = self._json[obj]
        encoded = cache.get(record_id)
        if encoded is None:
            encoded = httpbase.json_body(self._records[obj][record_id])
            cache[record_id] = encoded
        return encoded

    def _served(self, obj, record_id):
        """The record as a list answer carries it, damaged if ``malformed_rate`` says so."""
        if not httpbase.record_is_malformed(self.faults, f"{obj}:{record_id}"):
            return self._encoded(obj, record_id)
        record = dict(self._records[obj][record_id])
        damage = zlib.crc32(f"damage:{obj}:{record_id}".encode()) % 4
        if damage == 0:
            record.pop("id")
            return httpbase.json_body(record)
        if damage == 1:
            return b'"<record could not be serialized>"'
        if damage == 2:
            return b"null"
        record.update(created_at="not a date", updated_at=12345)
        return httpbase.json_body(record)


def _scalar(text):
    """A filter value as the JSON scalar it spells (int, float, bool) or the string."""
    lowered = text.strip().lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            continue
    return text


def _value(record, attribute, convert):
    """The record's value as a filter compares it (times parsed, digit strings as ints)."""
    value = record.get(attribute)
    if value is None:
        return None
    if convert is _parse_time:
        try:
            return _parse_time(value)
        except ValueError:
            return None
    if isinstance(value, str):
        return _scalar(value.strip()) if value.strip().lstrip("-").isdigit() else value
    return value


def _contains(value, needle):
    if isinstance(value, list):
        return any(needle in str(item).casefold() for item in value)
    return value is not None and needle in str(value).casefold()
