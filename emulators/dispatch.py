"""Local emulator of the Dispatch (dispatch.me) v3 API, as documented (see SOURCES.md).

Run: ``python -m emulators.dispatch --port 8069 --scale 1 --seed 0`` (``--help`` lists
the fault knobs). Everything is served by one server on 127.0.0.1:

``POST /v3/oauth/token``
    JSON (or form) body, ``grant_type`` ``client_credentials`` (``client_id``,
    ``client_secret``), ``password`` (``username``, ``password`` *and* ``client_id``,
    ``client_secret``, as documented) or ``refresh_token``.
    Answers ``access_token``, ``token_type: "bearer"``, ``created_at``, ``expires_in``
    (``--token-ttl``, default 10800 s), ``refresh_token``; errors are
    ``{"error", "error_description"}`` (401 ``invalid_client``, 400 ``invalid_grant`` /
    ``unsupported_grant_type`` / ``invalid_request``).
``GET /v3/<plural>``
    ``{"<plural>": [...], "meta": {"total", "limit", "offset"}}`` in id order.
    ``limit`` defaults to 25; above ``--max-limit`` (default 100, the documented
    maximum) the answer is **422** ``{"errors": {"limit": [...]}}`` rather than a silent
    clamp, so a client that asks too much learns it. ``filter[<attr>_<pred>]`` with
    ``eq not_eq in null contains gt gteq lt lteq`` on any attribute of the object
    (``in`` takes comma-separated values; ``external_id`` means ``external_ids``);
    ``filter[<attr>]`` without a predicate means ``_eq`` (the docs' own example,
    ``filter[status]=scheduled``); users take the documented ``filter[by_user_roles]``
    (comma-separated roles, any of them); an unknown attribute or predicate is a 400,
    a value of the wrong type a 422. A documented attribute stays filterable when the
    account never sends it or has no record of the object (``--absent-rate``,
    ``--empty``): the answer is then simply empty, as a real account's is.
    ``created_at``/``updated_at`` filters are *ignored* unless
    ``--honour-updated-filter`` is on: the real API does not document them, so clients
    must check what they got.
``GET /v3/<plural>/<id>``
    ``{"<singular>": {...}}`` or 404 ``{"errors": "Not found"}``.
``GET /v3/jobs/<id>/contacts``
    the job's contacts, enveloped and paged like a list; with ``unpaged_subresources``
    (``--unpaged-subresources``) as the docs show it: ``{"contacts": [...]}``, the whole
    list, ``limit``/``offset`` ignored, no ``meta``.
``GET /v1/datafiles/<token>`` (and the older ``/v3/datafiles/<token>``)
    302 to ``/_files/<token>?expires=…&signature=…`` on the same server (standing in for
    ``files-api.dispatch.me`` and its signed storage URL), which serves the bytes without
    a bearer token.

A missing, unknown or expired bearer token is a 401; an object listed in the
``forbidden`` setting is a 403; an object in ``unreadable`` (``{object: status}``,
``--unreadable customers=404,brands=403``; job contacts through their job's endpoint)
answers that status with the vendor's words, as an endpoint gated by the plan does.

Account variations (:mod:`emulators.variations`, seeded by ``--seed``), applied to the
data before it is served: ``--empty brands,sources`` (0 records), ``--absent-rate 0.2``
(that share of each object's optional fields never sent), ``--malformed-value-rate
0.02`` (that share of phones, e-mails, dates, states and numbers typed so that no
normaliser reads them). ``DispatchData.variation_report`` says exactly what changed.

Admin endpoints (never faulted, no token): ``GET|POST /_admin/config``
(``token_ttl``, ``honour_updated_filter``, ``max_limit``, ``forbidden``,
``unpaged_subresources``, ``unreadable``), ``POST /_admin/tokens/expire``,
``GET /_admin/truth``, ``GET /_admin/variations`` (the variation report), and
``POST /_admin/<plural>``, ``PATCH|DELETE /_admin/<plural>/<id>`` to change data at run
time (``updated_at`` moves to now, strictly increasing).

Faults (``--fault-*``) come from :mod:`emulators.httpbase`; ``malformed_rate`` damages
records in list answers, chosen by record id so that the damage is stable across pulls.
"""

import hmac
import json
import secrets
import threading
import time
import zlib
from collections import OrderedDict
from datetime import datetime, timedelta, timezone
from urllib.parse import parse_qs

from . import httpbase
from .dispatch_data import OBJECTS, DispatchData
from .variations import add_variation_arguments, variations_from_args

#: objects served as ``/v3/<plural>`` (job contacts only through their job)
LIST_OBJECTS = tuple(obj for obj in OBJECTS if obj != "job_contacts")
SINGULAR = {obj: obj[:-1] for obj in OBJECTS}
SINGULAR["job_contacts"] = "contact"
PREDICATES = ("not_eq", "contains", "gteq", "lteq", "null", "eq", "in", "gt", "lt")
TIME_ATTRIBUTES = ("created_at", "updated_at")
DEFAULT_LIMIT = 25
FILTER_CACHE_SIZE = 64


class ApiError(Exception):
    """An error answer: ``status`` and JSON ``body``."""

    def __init__(self, status, body):
        super().__init__(status)
        self.status = status
        self.body = body


def _parse_time(value):
    """Aware datetime from an ISO 8601 string (``Z``, offset, or naive meaning UTC)."""
    parsed = datetime.fromisoformat(str(value).strip().replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


class DispatchEmulator:
    """The router: ``emulator(method, path, query, headers, body)``.

    It serves the record dicts of ``data`` themselves: admin changes show in
    ``data.records`` too, while ``data.truth()`` keeps describing the generated state.
    """

    def __init__(self, data, *, client_id="emulator-client", client_secret="emulator-secret",
                 username="dispatcher@example.com", password="dispatch-password",
                 token_ttl=10800, honour_updated_filter=False, max_limit=100,
                 unpaged_subresources=False, unreadable=None, faults=None):
        self.data = data
        self.client_id = client_id
        self.client_secret = client_secret
        self.username = username
        self.password = password
        self.token_ttl = token_ttl
        self.honour_updated_filter = honour_updated_filter
        self.max_limit = max_limit
        self.unpaged_subresources = unpaged_subresources
        self.forbidden = set()
        #: object -> HTTP status its endpoint answers (the data's variations by default)
        self.unreadable = dict(unreadable if unreadable is not None
                               else data.variation_report.unreadable)
        self.faults = faults or httpbase.FaultConfig()
        self._lock = threading.RLock()
        self._tokens = {}  # access token -> expiry (epoch seconds)
        self._refresh_tokens = set()
        self._file_key = secrets.token_bytes(16)
        self._records = {obj: {r["id"]: r for r in data.records[obj]} for obj in OBJECTS}
        # filterable: the documented fields, whether or not this account sends them
        documented = getattr(data, "fields", {})
        self._attributes = {obj: set(documented.get(obj, ())).union(
                                *(r.keys() for r in records.values()))
                            for obj, records in self._records.items()}
        self._contacts_by_job = {}
        for contact in data.records["job_contacts"]:
            self._contacts_by_job.setdefault(contact["job_id"], []).append(contact["id"])
        self._ids = {}  # obj -> list of ids in order (rebuilt after a change)
        self._json = {obj: {} for obj in OBJECTS}  # obj -> id -> encoded record
        self._version = dict.fromkeys(OBJECTS, 0)
        self._filter_cache = OrderedDict()
        self._last_stamp = datetime.now(timezone.utc)

    # -- routing ----------------------------------------------------------------------

    def __call__(self, method, path, query, headers, body):
        try:
            return self._dispatch(method, path.rstrip("/"), query, headers, body)
        except ApiError as err:
            return err.status, {}, err.body

    def _dispatch(self, method, path, query, headers, body):
        parts = path.strip("/").split("/")
        if parts[0] == "_admin":
            return self._admin(method, parts[1:], body)
        if parts[0] == "_files" and len(parts) == 2 and method == "GET":
            return self._serve_file(parts[1], query)
        if path == "/v3/oauth/token":
            if method != "POST":
                raise ApiError(405, {"errors": "use POST"})
            return self._token(headers, body)
        self._authenticate(headers)
        if len(parts) == 3 and parts[0] in ("v1", "v3") and parts[1] == "datafiles":
            return self._redirect_to_file(parts[2], headers)
        if method != "GET" or parts[0] != "v3" or len(parts) < 2:
            raise ApiError(404, {"errors": "Not found"})
        obj = parts[1]
        if obj not in LIST_OBJECTS:
            raise ApiError(404, {"errors": f"Unknown resource {obj!r}"})
        self._check_readable(obj)
        if len(parts) == 2:
            return self._list(obj, query)
        record_id = self._parse_id(parts[2])
        if len(parts) == 3:
            with self._lock:
                if record_id not in self._records[obj]:
                    raise ApiError(404, {"errors": "Not found"})
                encoded = self._encoded(obj, record_id)
            return 200, _JSON, b'{"%s":%s}' % (SINGULAR[obj].encode(), encoded)
        if len(parts) == 4 and obj == "jobs" and parts[3] == "contacts":
            self._check_readable("job_contacts")
            with self._lock:
                if record_id not in self._records["jobs"]:
                    raise ApiError(404, {"errors": "Not found"})
                ids = list(self._contacts_by_job.get(record_id, ()))
                if self.unpaged_subresources:
                    chunk = [self._encoded("job_contacts", rid) for rid in ids
                             if rid in self._records["job_contacts"]]
                    return 200, _JSON, b'{"contacts":[%s]}' % b",".join(chunk)
            return self._page("job_contacts", ids, query, key="contacts")
        raise ApiError(404, {"errors": "Not found"})

    #: the vendor's words for an unreadable endpoint, by status
    UNREADABLE_BODIES = {
        401: "Your plan does not include API access to {obj}",
        403: "Not allowed to read {obj}: this endpoint is not included in your plan",
        404: "Not found",
        405: "Method not allowed",
        501: "Not implemented",
    }

    def _check_readable(self, obj):
        if obj in self.forbidden:
            raise ApiError(403, {"errors": f"Not allowed to read {obj}"})
        status = self.unreadable.get(obj)
        if status:
            words = self.UNREADABLE_BODIES.get(status, "Error {status}")
            raise ApiError(status, {"errors": words.format(obj=obj, status=status)})

    @staticmethod
    def _parse_id(text):
        try:
            return int(text)
        except ValueError:
            raise ApiError(404, {"errors": "Not found"}) from None

    # -- auth -------------------------------------------------------------------------

    def _token(self, headers, body):
        params = self._read_body(headers, body)
        grant = params.get("grant_type")
        if grant == "client_credentials":
            if params.get("client_id") != self.client_id or not hmac.compare_digest(
                    str(params.get("client_secret", "")), self.client_secret):
                raise ApiError(401, {"error": "invalid_client", "error_description":
                                     "Client authentication failed due to unknown client, "
                                     "no client authentication included, or unsupported "
                                     "authentication method."})
        elif grant == "password":
            # the documented password grant carries the client's credentials too
            if params.get("client_id") != self.client_id or not hmac.compare_digest(
                    str(params.get("client_secret", "")), self.client_secret):
                raise ApiError(401, {"error": "invalid_client", "error_description":
                                     "Client authentication failed due to unknown client, "
                                     "no client authentication included, or unsupported "
                                     "authentication method."})
            if params.get("username") != self.username or not hmac.compare_digest(
                    str(params.get("password", "")), self.password):
                raise ApiError(400, {"error": "invalid_grant", "error_description":
                                     "The provided authorization grant is invalid, expired, "
                                     "revoked, or was issued to another client."})
        elif grant == "refresh_token":
            with self._lock:
                known = params.get("refresh_token") in self._refresh_tokens
            if not known:
                raise ApiError(400, {"error": "invalid_grant",
                                     "error_description": "The refresh token is invalid."})
        elif grant is None:
            raise ApiError(400, {"error": "invalid_request",
                                 "error_description": "grant_type is missing."})
        else:
            raise ApiError(400, {"error": "unsupported_grant_type",
                                 "error_description": f"{grant!r} is not supported."})
        access, refresh = secrets.token_hex(24), secrets.token_hex(24)
        now = time.time()
        with self._lock:
            self._tokens[access] = now + self.token_ttl
            self._refresh_tokens.add(refresh)
        return 200, {}, {"access_token": access, "token_type": "bearer",
                         "expires_in": self.token_ttl, "refresh_token": refresh,
                         "created_at": int(now)}

    @staticmethod
    def _read_body(headers, body):
        content_type = headers.get("content-type", "")
        if "application/x-www-form-urlencoded" in content_type:
            return {k: v[0] for k, v in parse_qs(body.decode()).items()}
        try:
            params = json.loads(body or b"{}")
        except ValueError:
            raise ApiError(400, {"error": "invalid_request",
                                 "error_description": "The body is not JSON."}) from None
        if not isinstance(params, dict):
            raise ApiError(400, {"error": "invalid_request",
                                 "error_description": "A JSON object is expected."})
        return params

    def _authenticate(self, headers):
        scheme, _, token = headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise ApiError(401, {"errors": "Authorization: Bearer <token> is required"})
        with self._lock:
            expiry = self._tokens.get(token)
        if expiry is None:
            raise ApiError(401, {"errors": "The access token is invalid"})
        if expiry <= time.time():
            raise ApiError(401, {"errors": "The access token expired"})

    # -- lists and filters ------------------------------------------------------------

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

    # -- files ------------------------------------------------------------------------

    def _signature(self, token, expires):
        return hmac.new(self._file_key, f"{token}:{expires}".encode(), "sha256").hexdigest()

    def _redirect_to_file(self, token, headers):
        if self.data.file(token) is None:
            raise ApiError(404, {"errors": "Not found"})
        expires = int(time.time()) + 300
        host = headers.get("host", "127.0.0.1")
        location = (f"http://{host}/_files/{token}?expires={expires}"
                    f"&signature={self._signature(token, expires)}")
        return 302, {"Location": location}, b""

    def _serve_file(self, token, query):
        expires = (query.get("expires") or ["0"])[0]
        signature = (query.get("signature") or [""])[0]
        if not expires.isdigit() or int(expires) < time.time() or not hmac.compare_digest(
                signature, self._signature(token, int(expires))):
            raise ApiError(403, {"errors": "Signature invalid or expired"})
        found = self.data.file(token)
        if found is None:
            raise ApiError(404, {"errors": "Not found"})
        content_type, name, content = found
        return 200, {"Content-Type": content_type,
                     "Content-Disposition": f'attachment; filename="{name}"'}, content

    # -- admin ------------------------------------------------------------------------

    def _admin(self, method, parts, body):
        if parts == ["config"]:
            if method == "POST":
                self._configure(_json_object(body))
            return 200, {}, self._config()
        if parts == ["tokens", "expire"] and method == "POST":
            with self._lock:
                self._tokens = dict.fromkeys(self._tokens, 0)
            return 200, {}, {"expired": len(self._tokens)}
        if parts == ["truth"] and method == "GET":
            return 200, {}, self.data.truth()
        if parts == ["variations"] and method == "GET":
            return 200, {}, self.data.variation_report.to_dict()
        if not parts or parts[0] not in OBJECTS:
            raise ApiError(404, {"errors": "Not found"})
        obj = parts[0]
        values = _json_object(body) if method in ("POST", "PATCH") else {}
        if method == "POST" and len(parts) == 1:
            return 201, {}, {SINGULAR[obj]: self.create(obj, values)}
        if len(parts) == 2 and method == "PATCH":
            return 200, {}, {SINGULAR[obj]: self.update(obj, self._parse_id(parts[1]), values)}
        if len(parts) == 2 and method == "DELETE":
            self.delete(obj, self._parse_id(parts[1]))
            return 204, {}, b""
        raise ApiError(405, {"errors": "POST /_admin/<obj>, PATCH or DELETE /_admin/<obj>/<id>"})

    def _config(self):
        return {"token_ttl": self.token_ttl, "honour_updated_filter": self.honour_updated_filter,
                "max_limit": self.max_limit, "forbidden": sorted(self.forbidden),
                "unpaged_subresources": self.unpaged_subresources,
                "unreadable": dict(self.unreadable)}

    def _configure(self, values):
        with self._lock:
            if "token_ttl" in values:
                self.token_ttl = float(values["token_ttl"])
            if "honour_updated_filter" in values:
                self.honour_updated_filter = bool(values["honour_updated_filter"])
            if "max_limit" in values:
                self.max_limit = int(values["max_limit"])
            if "forbidden" in values:
                self.forbidden = set(values["forbidden"])
            if "unreadable" in values:
                self.unreadable = {str(k): int(v) for k, v in values["unreadable"].items()}
            if "unpaged_subresources" in values:
                self.unpaged_subresources = bool(values["unpaged_subresources"])

    def _now_stamp(self):
        """Now, as an API timestamp strictly later than any stamp given before."""
        now = max(datetime.now(timezone.utc), self._last_stamp + timedelta(milliseconds=1))
        self._last_stamp = now
        return now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"

    def _touch(self, obj, record_id=None):
        self._version[obj] += 1
        self._ids.pop(obj, None)
        if record_id is not None:
            self._json[obj].pop(record_id, None)

    def create(self, obj, values):
        """Add a record (``id`` assigned when absent); return it."""
        with self._lock:
            records = self._records[obj]
            record_id = values.get("id") or (max(records) + 1 if records else 1)
            if record_id in records:
                raise ApiError(422, {"errors": {"id": ["already taken"]}})
            stamp = self._now_stamp()
            record = {**values, "id": record_id, "created_at": stamp, "updated_at": stamp}
            records[record_id] = record
            self._attributes[obj].update(record)
            self._touch(obj, record_id)
            if obj == "job_contacts":
                self._contacts_by_job.setdefault(record.get("job_id"), []).append(record_id)
                self._sync_job_contacts(record.get("job_id"))
            return record

    def update(self, obj, record_id, values):
        """Change some fields of a record and move its ``updated_at`` to now."""
        with self._lock:
            record = self._records[obj].get(record_id)
            if record is None:
                raise ApiError(404, {"errors": "Not found"})
            record.update({k: v for k, v in values.items() if k != "id"})
            self._attributes[obj].update(record)
            record["updated_at"] = self._now_stamp()
            self._touch(obj, record_id)
            if obj == "job_contacts":
                self._sync_job_contacts(record.get("job_id"))
            return record

    def delete(self, obj, record_id):
        """Remove a record (as the API would stop listing it)."""
        with self._lock:
            record = self._records[obj].pop(record_id, None)
            if record is None:
                raise ApiError(404, {"errors": "Not found"})
            self._touch(obj, record_id)
            if obj == "job_contacts":
                self._contacts_by_job.get(record.get("job_id"), []).remove(record_id)
                self._sync_job_contacts(record.get("job_id"))

    def _sync_job_contacts(self, job_id):
        """Keep a job's embedded ``contacts`` equal to its contacts endpoint."""
        job = self._records["jobs"].get(job_id)
        if job is not None:
            contacts = self._records["job_contacts"]
            job["contacts"] = [contacts[cid] for cid in self._contacts_by_job.get(job_id, ())]
            job["updated_at"] = self._now_stamp()
            self._touch("jobs", job_id)


_JSON = {"Content-Type": "application/json; charset=utf-8"}


def _json_object(body):
    """An admin request body: a JSON object, else a 400."""
    try:
        values = json.loads(body or b"{}")
    except ValueError:
        values = None
    if not isinstance(values, dict):
        raise ApiError(400, {"errors": "a JSON object is expected"})
    return values


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


def build_router(args, faults):
    """Router for :func:`emulators.httpbase.main` from the command-line options."""
    data = DispatchData(scale=args.scale, seed=args.seed, variations=variations_from_args(args))
    emulator = DispatchEmulator(
        data, client_id=args.client_id, client_secret=args.client_secret,
        token_ttl=args.token_ttl, honour_updated_filter=args.honour_updated_filter,
        max_limit=args.max_limit, unpaged_subresources=args.unpaged_subresources,
        faults=faults)
    emulator.precompute()
    return emulator


def add_arguments(parser):
    """The emulator's own command-line options (besides port, scale, seed, faults)."""
    parser.add_argument("--client-id", default="emulator-client")
    parser.add_argument("--client-secret", default="emulator-secret")
    parser.add_argument("--token-ttl", type=float, default=10800)
    parser.add_argument("--max-limit", type=int, default=100)
    add_variation_arguments(parser)
    parser.add_argument("--unpaged-subresources", action="store_true",
                        help="answer /v3/jobs/:id/contacts as the docs show it: the whole "
                             "list, no paging, no meta")
    parser.add_argument("--honour-updated-filter", action="store_true",
                        help="apply filter[created_at_*]/filter[updated_at_*] (off: ignored)")


def main(argv=None):
    return httpbase.main(build_router, argv, description="Dispatch v3 API emulator",
                         add_arguments=add_arguments)


if __name__ == "__main__":
    raise SystemExit(main())
