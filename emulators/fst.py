"""A plausible Field Service Trakker REST API, served from the generated FST data.

    python -m emulators.fst --port P --scale S --seed N [--auth bearer|apikey|basic|oauth2]
        [--pagination page|offset|cursor|link] [--fault-rate-429 0.1 …]

FST publishes no API; this emulator is one plausible shape, and the configurable adapter
(``services.fst_rest``) is tested against each of its variants. Every call but the token
call needs credentials (``--auth``):

* ``bearer``: ``Authorization: Bearer <token>``;
* ``apikey``: ``X-API-Key: <key>``;
* ``basic``: HTTP basic with ``<user>``/``<password>``;
* ``oauth2``: ``POST /oauth/token`` (form: ``grant_type=client_credentials``,
  ``client_id``, ``client_secret``) gives a bearer token valid ``token_ttl`` seconds.

Endpoints (``<object>`` is a bundle object name such as ``customers``, ``work_orders``):

* ``GET /api/v1/<object>``: a page of records, oldest id first, ``updated_since``
  (ISO 8601) filtering on ``updated_at``. Paging by ``--pagination``:
  ``page``: ``?page=1&per_page=100`` → ``{"data": [...], "meta": {"page", "per_page",
  "total"}}``; ``offset``: ``?offset=0&limit=100`` → ``{"data", "meta": {"offset",
  "limit", "total"}}``; ``cursor``: ``?cursor=…&limit=100`` → ``{"data", "meta":
  {"next_cursor", "total"}}``; ``link``: ``?page=1&per_page=100`` → a bare JSON list,
  a ``Link: <…>; rel="next"`` header and ``X-Total-Count``.
* ``GET /api/v1/<object>/<id>``: ``{"data": record}``.
* ``GET /api/v1/custom_fields``: ``{"data": [schema rows]}`` (a bare list with ``link``).
* ``GET /api/v1/attachments/<id>/content``: the file bytes.

Admin endpoints (never faulted), to change the data while a test runs:
``POST /_admin/records/<object>`` (JSON record; created, or replaced when its id exists;
``updated_at`` set to now unless given), ``PATCH /_admin/records/<object>/<id>`` (JSON
changes; ``updated_at`` set to now unless given), ``DELETE /_admin/records/<object>/<id>``,
``POST /_admin/revoke_tokens`` (OAuth2 tokens expire at once), ``GET /_admin/truth``.
With ``malformed_rate`` a stable share of records is served damaged: not an object, or
without its id.

Account variations (:mod:`emulators.variations`, seeded by ``--seed``): ``--unreadable
invoices=404,notes=403`` (those endpoints answer that status), ``--empty parts_used``,
``--absent-rate 0.2`` (that share of each object's optional columns never sent),
``--malformed-value-rate 0.02`` (phones, e-mails, dates, states, countries and numbers
typed so that no normaliser reads them); ``dataset.variation_report`` lists them all.
"""

import base64
import binascii
import hmac
import json
import secrets
import threading
import time
import zlib
from dataclasses import dataclass
from datetime import datetime, timezone
from urllib.parse import parse_qs, urlencode

from services.fst_bundle import OBJECTS_BY_NAME

from . import httpbase, messy
from .fst_data import generate
from .variations import add_variation_arguments, variations_from_args

API_PREFIX = "/api/v1/"
AUTH_MODES = ("bearer", "apikey", "basic", "oauth2")
PAGINATION_STYLES = ("page", "offset", "cursor", "link")
DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 500
MIME_BY_SUFFIX = {"png": "image/png", "pdf": "application/pdf", "txt": "text/plain"}


@dataclass(frozen=True)
class FstCredentials:
    """The credentials the emulator accepts (all modes at once; ``auth`` picks one)."""

    token: str = "fst-dev-token"
    api_key: str = "fst-dev-key"
    user: str = "fst"
    password: str = "fst-dev-password"
    client_id: str = "fst-client"
    client_secret: str = "fst-dev-secret"


def _error(status, message, code="invalid_request"):
    return status, {}, {"error": code, "error_description": message}


class FstApi:
    """The FST REST router: ``api(method, path, query, headers, body)``."""

    def __init__(self, dataset, *, auth="bearer", pagination="page", credentials=None,
                 faults=None, token_ttl=3600, unreadable=None):
        if auth not in AUTH_MODES:
            raise ValueError(f"auth must be one of {', '.join(AUTH_MODES)}")
        if pagination not in PAGINATION_STYLES:
            raise ValueError(f"pagination must be one of {', '.join(PAGINATION_STYLES)}")
        self.dataset = dataset
        self.auth = auth
        self.pagination = pagination
        self.credentials = credentials or FstCredentials()
        self.faults = faults or httpbase.FaultConfig()
        self.token_ttl = token_ttl
        report = getattr(dataset, "variation_report", None)
        #: object -> HTTP status its endpoint answers (the dataset's variations by default)
        self.unreadable = dict(unreadable if unreadable is not None
                               else (report.unreadable if report else {}))
        self.tokens = {}  # access token → expiry (epoch seconds)
        self.token_requests = 0
        self._lock = threading.Lock()
        self._rows = {obj: {r[spec.id_column]: r for r in dataset.records[obj]}
                      for obj, spec in OBJECTS_BY_NAME.items()}

    # -- routing -------------------------------------------------------------------------

    def __call__(self, method, path, query, headers, body):
        if path == "/oauth/token":
            return self._token(method, headers, body)
        if path.startswith(httpbase.ADMIN_PREFIX):
            return self._admin(method, path[len(httpbase.ADMIN_PREFIX):].strip("/"), body)
        if not path.startswith(API_PREFIX):
            return _error(404, f"no such path {path}", "not_found")
        denied = self._check_auth(headers)
        if denied:
            return denied
        if method != "GET":
            return _error(405, "the API is read-only", "method_not_allowed")
        parts = path[len(API_PREFIX):].strip("/").split("/")
        if parts == ["custom_fields"]:
            schema = self.dataset.custom_fields
            return 200, {}, schema if self.pagination == "link" else {"data": schema}
        obj = parts[0]
        if obj not in self._rows:
            return _error(404, f"unknown object {obj!r}", "not_found")
        if self.unreadable.get(obj):
            status = self.unreadable[obj]
            return _error(status, f"{obj} is not available on this account (HTTP {status})",
                          {403: "forbidden", 404: "not_found"}.get(status, "unavailable"))
        if len(parts) == 1:
            return self._list(obj, query, headers)
        record = self._find(obj, parts[1])
        if record is None:
            return _error(404, f"{obj} {parts[1]} not found", "not_found")
        if len(parts) == 2:
            return 200, {}, {"data": self._served(obj, record)}
        if len(parts) == 3 and obj == "attachments" and parts[2] == "content":
            return self._content(record)
        return _error(404, f"no such path {path}", "not_found")

    def _find(self, obj, raw_id):
        with self._lock:
            rows = self._rows[obj]
            try:
                return rows.get(int(raw_id))
            except ValueError:
                return rows.get(raw_id)

    # -- auth ----------------------------------------------------------------------------

    def _check_auth(self, headers):
        c = self.credentials
        given = headers.get("authorization", "")
        if self.auth == "apikey":
            if hmac.compare_digest(headers.get("x-api-key", ""), c.api_key):
                return None
            return _error(401, "missing or wrong X-API-Key", "invalid_api_key")
        if self.auth == "basic":
            expected = "Basic " + base64.b64encode(f"{c.user}:{c.password}".encode()).decode()
            if hmac.compare_digest(given, expected):
                return None
            return _error(401, "wrong user or password", "invalid_credentials")
        token = given[7:] if given.lower().startswith("bearer ") else ""
        if self.auth == "bearer":
            if token and hmac.compare_digest(token, c.token):
                return None
        else:
            with self._lock:
                expiry = self.tokens.get(token)
            if expiry is not None and expiry > time.time():
                return None
        return _error(401, "missing, wrong or expired token", "invalid_token")

    def _token(self, method, headers, body):
        """OAuth2 client-credentials grant (form body or HTTP basic client auth)."""
        if method != "POST":
            return _error(405, "POST the token request", "method_not_allowed")
        form = {k: v[0] for k, v in parse_qs(body.decode("utf-8", "replace")).items()}
        client_id, client_secret = form.get("client_id", ""), form.get("client_secret", "")
        basic = headers.get("authorization", "")
        if basic.lower().startswith("basic "):
            try:
                client_id, _, client_secret = base64.b64decode(basic[6:]).decode().partition(":")
            except (binascii.Error, UnicodeDecodeError):
                return _error(400, "malformed basic client authentication", "invalid_client")
        if form.get("grant_type") != "client_credentials":
            return _error(400, "grant_type must be client_credentials", "unsupported_grant_type")
        c = self.credentials
        if not (hmac.compare_digest(client_id, c.client_id)
                and hmac.compare_digest(client_secret, c.client_secret)):
            return _error(401, "unknown client or wrong secret", "invalid_client")
        token = secrets.token_urlsafe(24)
        with self._lock:
            self.tokens[token] = time.time() + self.token_ttl
            self.token_requests += 1
        return 200, {"Cache-Control": "no-store"}, {
            "access_token": token, "token_type": "bearer", "expires_in": self.token_ttl}

    # -- listing ---------------------------------------------------------------------------

    def _list(self, obj, query, headers):
        def arg(name, default):
            values = query.get(name)
            return values[0] if values else default

        try:
            size = min(int(arg("limit" if self.pagination in ("offset", "cursor")
                               else "per_page", DEFAULT_PAGE_SIZE)), MAX_PAGE_SIZE)
            if self.pagination == "offset":
                start = int(arg("offset", 0))
            elif self.pagination == "cursor":
                start = _decode_cursor(arg("cursor", ""))
            else:
                start = (int(arg("page", 1)) - 1) * size
            since = arg("updated_since", None)
            since = messy.parse_timestamp(since) if since else None
        except ValueError as exc:
            return _error(400, f"bad paging or filter parameter: {exc}")
        if size < 1 or start < 0:
            return _error(400, "page size must be ≥ 1 and offsets ≥ 0")
        with self._lock:
            rows = list(self._rows[obj].values())
        if since is not None and OBJECTS_BY_NAME[obj].timestamp_column == "updated_at":
            rows = [r for r in rows if _updated(r) is None or _updated(r) >= since]
        total = len(rows)
        page = [self._served(obj, r) for r in rows[start:start + size]]
        more = start + size < total
        if self.pagination == "page":
            meta = {"page": start // size + 1, "per_page": size, "total": total}
            return 200, {}, {"data": page, "meta": meta}
        if self.pagination == "offset":
            return 200, {}, {"data": page, "meta": {"offset": start, "limit": size,
                                                     "total": total}}
        if self.pagination == "cursor":
            cursor = _encode_cursor(start + size) if more else None
            return 200, {}, {"data": page, "meta": {"next_cursor": cursor, "total": total}}
        answer_headers = {"X-Total-Count": total}
        if more:
            params = {k: v[0] for k, v in query.items()}
            params.update(page=start // size + 2, per_page=size)
            host = headers.get("host", "127.0.0.1")
            answer_headers["Link"] = (f'<http://{host}{API_PREFIX}{obj}?{urlencode(params)}>; '
                                      'rel="next"')
        return 200, answer_headers, page

    def _served(self, obj, record):
        """The record as served: damaged for a stable ``malformed_rate`` share."""
        record_id = record[OBJECTS_BY_NAME[obj].id_column]
        if not httpbase.record_is_malformed(self.faults, f"{obj}:{record_id}"):
            return record
        if zlib.crc32(f"{obj}:{record_id}".encode()) % 2:
            return f"<corrupt {obj} record>"
        return {k: v for k, v in record.items() if k != OBJECTS_BY_NAME[obj].id_column}

    def _content(self, record):
        content = self.dataset.files.get(record["path"])
        if content is None:
            return _error(404, "file missing", "not_found")
        suffix = record["path"].rsplit(".", 1)[-1].lower()
        return 200, {"Content-Type": record.get("mime_type") or MIME_BY_SUFFIX.get(
            suffix, "application/octet-stream")}, content

    # -- admin ---------------------------------------------------------------------------

    def _admin(self, method, path, body):
        parts = path.split("/")
        if parts == ["truth"] and method == "GET":
            with self._lock:
                return 200, {}, self.dataset.truth()
        if parts == ["revoke_tokens"] and method == "POST":
            with self._lock:
                self.tokens.clear()
            return 204, {}, b""
        if parts[0] != "records" or len(parts) not in (2, 3) or parts[1] not in self._rows:
            return _error(404, f"no admin path {path}", "not_found")
        obj, spec = parts[1], OBJECTS_BY_NAME[parts[1]]
        try:
            payload = json.loads(body or b"{}")
        except ValueError:
            return _error(400, "body is not JSON")
        if method == "POST" and len(parts) == 2:
            if not isinstance(payload, dict):
                return _error(400, "a JSON object is expected")
            return self._upsert(obj, spec, payload, touch=not payload.get("updated_at"))
        record = self._find(obj, parts[2]) if len(parts) == 3 else None
        if record is None:
            return _error(404, f"{obj} {path} not found", "not_found")
        if method == "PATCH":
            if not isinstance(payload, dict):
                return _error(400, "a JSON object is expected")
            return self._upsert(obj, spec, {**record, **payload,
                                            spec.id_column: record[spec.id_column]},
                                touch="updated_at" not in payload)
        if method == "DELETE":
            with self._lock:
                del self._rows[obj][record[spec.id_column]]
                self.dataset.records[obj].remove(record)
            return 204, {}, b""
        return _error(405, "POST, PATCH or DELETE", "method_not_allowed")

    def _upsert(self, obj, spec, record, touch):
        """Create or replace ``record``, giving it an id if it has none and, with
        ``touch``, ``updated_at`` = now."""
        with self._lock:
            rows = self._rows[obj]
            if record.get(spec.id_column) is None:
                record[spec.id_column] = max(rows, default=0) + 1
            if touch and "updated_at" in spec.columns:
                record["updated_at"] = datetime.now(timezone.utc).isoformat(
                    timespec="seconds")
            old = rows.get(record[spec.id_column])
            rows[record[spec.id_column]] = record
            records = self.dataset.records[obj]
            if old is None:
                records.append(record)
            else:
                records[records.index(old)] = record
        return (201 if old is None else 200), {}, {"data": record}


def _updated(record):
    value = record.get("updated_at")
    try:
        return messy.parse_timestamp(value) if value else None
    except ValueError:
        return None


def _encode_cursor(offset):
    return base64.urlsafe_b64encode(f"o:{offset}".encode()).decode().rstrip("=")


def _decode_cursor(cursor):
    """Offset of an opaque cursor ("" is the start); ``ValueError`` when forged."""
    if not cursor:
        return 0
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError):
        raise ValueError("invalid cursor") from None
    if not text.startswith("o:"):
        raise ValueError("invalid cursor")
    return int(text[2:])


def make_server(*, scale=1, seed=0, auth="bearer", pagination="page", port=0, faults=None,
                credentials=None, token_ttl=3600, dataset=None):
    """An :class:`httpbase.EmulatorServer` serving FST data (call ``start()``); its
    ``router`` is the :class:`FstApi`."""
    faults = faults or httpbase.FaultConfig(seed=seed)
    api = FstApi(dataset or generate(scale, seed), auth=auth, pagination=pagination,
                 credentials=credentials, faults=faults, token_ttl=token_ttl)
    return httpbase.EmulatorServer(api, port=port, faults=faults)


def _add_arguments(parser):
    parser.add_argument("--auth", choices=AUTH_MODES, default="bearer")
    parser.add_argument("--pagination", choices=PAGINATION_STYLES, default="page")
    parser.add_argument("--token-ttl", type=int, default=3600,
                        help="OAuth2 token lifetime in seconds")
    add_variation_arguments(parser)


def _make_router(args, faults):
    dataset = generate(args.scale, args.seed, variations=variations_from_args(args))
    return FstApi(dataset, auth=args.auth, pagination=args.pagination, faults=faults,
                  token_ttl=args.token_ttl)


def main(argv=None):
    return httpbase.main(_make_router, argv, description=__doc__.split("\n\n")[0],
                         add_arguments=_add_arguments)


if __name__ == "__main__":
    raise SystemExit(main())
