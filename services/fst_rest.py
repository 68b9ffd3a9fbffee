"""A configurable REST adapter for Field Service Trakker installations that expose an API.

FST documents no API, so everything an installation may do differently is a setting of
:class:`FstRestConfig` (stored as JSON on the Odoo side): the base URL; the credentials
(bearer token, API-key header, HTTP basic or OAuth2 client credentials); one endpoint per
object; the pagination style (``page``/``per_page``, ``offset``/``limit``, a cursor read
at a dotted JSON path, or a ``Link: <…>; rel="next"`` header); where the records sit in
an answer (a dotted path such as ``data`` or ``result.items``, or the root list) and
where the total is. Records come back as the API gives them, plus ``"id"``.
"""

import threading
import time
from dataclasses import asdict, dataclass, field, fields
from datetime import timezone

from .errors import SourceAuthError, SourceConfigError, SourceDataError, SourceError
from .fst_bundle import BUNDLE_OBJECTS, OBJECTS_BY_NAME, field_type, parse_timestamp
from .http_client import MAX_ATTACHMENT_BYTES, ApiKeyAuth, Auth, BasicAuth, BearerAuth, HttpClient
from .source_base import CustomFieldDef, RecordIssue, Source

AUTH_TYPES = ("none", "bearer", "apikey", "basic", "oauth2")
PAGINATION_STYLES = ("page", "offset", "cursor", "link")
#: seconds before its announced expiry at which an OAuth2 token is renewed
TOKEN_EXPIRY_MARGIN = 30


def default_endpoints():
    """``{object: "/api/v1/<object>"}`` for every FST object."""
    return {obj.name: f"/api/v1/{obj.name}" for obj in BUNDLE_OBJECTS}


def default_id_fields():
    """``{object: id field}`` as in the bundle layout (``customers`` → ``customer_id``)."""
    return {obj.name: obj.id_column for obj in BUNDLE_OBJECTS}


@dataclass
class FstRestConfig:
    """Settings of one FST REST installation. Build it with :meth:`from_dict`."""

    base_url: str
    auth_type: str = "bearer"
    token: str = field(default="", repr=False)
    api_key_header: str = "X-API-Key"
    api_key: str = field(default="", repr=False)
    username: str = ""
    password: str = field(default="", repr=False)
    token_url: str = "/oauth/token"
    client_id: str = ""
    client_secret: str = field(default="", repr=False)
    scope: str = ""
    #: object → path (or absolute URL); objects absent or empty are not read
    endpoints: dict = field(default_factory=default_endpoints)
    #: object → field holding the record id
    id_fields: dict = field(default_factory=default_id_fields)
    custom_fields_endpoint: str = "/api/v1/custom_fields"
    #: ``{id}`` is replaced by the attachment id
    attachment_content_endpoint: str = "/api/v1/attachments/{id}/content"
    pagination: str = "page"
    page_param: str = "page"
    per_page_param: str = "per_page"
    first_page: int = 1
    offset_param: str = "offset"
    limit_param: str = "limit"
    cursor_param: str = "cursor"
    cursor_path: str = "meta.next_cursor"
    #: dotted path of the record list in an answer; empty when the answer is the list
    records_path: str = "data"
    #: dotted path of the total count in an answer; empty when there is none
    total_path: str = "meta.total"
    #: response header holding the total count (e.g. ``X-Total-Count``); empty: none
    total_header: str = ""
    page_size: int = 100
    #: query parameter filtering on ``updated_at``; empty when the API cannot filter
    updated_since_param: str = "updated_since"
    connect_timeout: float = 5.0
    read_timeout: float = 30.0
    max_retries: int = 5
    #: hosts the adapter may call (None: any); the Odoo side always sets it. Every hop
    #: of every request (redirects included) is checked, with its resolved addresses
    allowed_hosts: list | None = None
    #: loopback addresses allowed (a local emulator; only for hosts written as loopback);
    #: None: allowed when ``base_url`` itself is a loopback host
    allow_loopback: bool | None = None
    #: the largest attachment read, in decoded bytes
    max_attachment_bytes: int = MAX_ATTACHMENT_BYTES

    @classmethod
    def from_dict(cls, data):
        """Build and validate a config from a plain dict (e.g. JSON from the database).

        Raise ``SourceConfigError`` listing every problem at once. ``endpoints`` and
        ``id_fields`` given here override the defaults object by object.
        """
        if not isinstance(data, dict):
            raise SourceConfigError("FST REST settings must be a JSON object.")
        known = {f.name for f in fields(cls)}
        problems = [f"unknown setting {name!r}" for name in sorted(set(data) - known)]
        values = {k: v for k, v in data.items() if k in known}
        for name in ("endpoints", "id_fields"):
            given = values.get(name)
            if given is None:
                continue
            if not isinstance(given, dict):
                problems.append(f"{name} must be an object mapping FST objects to values")
                values.pop(name)
            else:
                defaults = default_endpoints() if name == "endpoints" else default_id_fields()
                values[name] = {**defaults, **given}
        if not values.get("base_url"):
            problems.append("base_url is required (e.g. https://fst.example.com)")
            values["base_url"] = ""
        config = cls(**values)
        problems.extend(config.problems())
        if problems:
            raise SourceConfigError("FST REST settings: " + "; ".join(problems) + ".")
        return config

    def problems(self):
        """What is wrong with these settings, as sentences (empty when valid)."""
        problems = []
        if self.base_url and not self.base_url.lower().startswith(("http://", "https://")):
            problems.append(f"base_url {self.base_url!r} must start with https://")
        if self.auth_type not in AUTH_TYPES:
            problems.append(f"auth_type {self.auth_type!r} is not one of {', '.join(AUTH_TYPES)}")
        needed = {"bearer": ("token",), "apikey": ("api_key_header", "api_key"),
                  "basic": ("username", "password"),
                  "oauth2": ("token_url", "client_id", "client_secret")}
        for name in needed.get(self.auth_type, ()):
            if not getattr(self, name):
                problems.append(f"{name} is required with auth_type {self.auth_type!r}")
        if self.pagination not in PAGINATION_STYLES:
            problems.append(f"pagination {self.pagination!r} is not one of "
                            f"{', '.join(PAGINATION_STYLES)}")
        if self.pagination == "cursor" and not self.cursor_path:
            problems.append("cursor_path is required with pagination 'cursor'")
        if not isinstance(self.page_size, int) or not 1 <= self.page_size <= 10000:
            problems.append(f"page_size {self.page_size!r} must be a whole number "
                            "from 1 to 10000")
        if not isinstance(self.max_retries, int) or self.max_retries < 0:
            problems.append("max_retries must be a whole number ≥ 0")
        for name in ("connect_timeout", "read_timeout"):
            value = getattr(self, name)
            if not isinstance(value, (int, float)) or value <= 0:
                problems.append(f"{name} must be a number of seconds > 0")
        for obj, path in self.endpoints.items():
            if path and not isinstance(path, str):
                problems.append(f"endpoint of {obj!r} must be a path such as /api/v1/{obj}")
        if "{id}" not in (self.attachment_content_endpoint or "{id}"):
            problems.append("attachment_content_endpoint must contain {id}")
        if self.allowed_hosts is not None and not isinstance(self.allowed_hosts, list):
            problems.append("allowed_hosts must be a list of host names")
        if self.allow_loopback not in (None, True, False):
            problems.append("allow_loopback must be true or false")
        if not isinstance(self.max_attachment_bytes, int) or self.max_attachment_bytes < 1:
            problems.append("max_attachment_bytes must be a whole number of bytes ≥ 1")
        return problems

    def to_dict(self):
        """The settings as a plain dict (secrets included: store it encrypted or hidden)."""
        return asdict(self)

    def make_auth(self):
        """The :class:`Auth` these settings describe (None for ``auth_type`` "none")."""
        if self.auth_type == "bearer":
            return BearerAuth(self.token)
        if self.auth_type == "apikey":
            return ApiKeyAuth(self.api_key_header, self.api_key)
        if self.auth_type == "basic":
            return BasicAuth(self.username, self.password)
        if self.auth_type == "oauth2":
            return OAuth2ClientCredentials(
                self.token_url, self.client_id, self.client_secret, scope=self.scope)
        return None


class OAuth2ClientCredentials(Auth):
    """OAuth2 client-credentials grant: fetch a bearer token, renew it before it expires
    and whenever the API answers 401.

    The token request is a form POST of ``grant_type``, ``client_id``, ``client_secret``
    (and ``scope`` when set) to ``token_url``, sent through ``token_client`` (the
    adapter's own :class:`HttpClient`, without credentials, set by the adapter).
    """

    def __init__(self, token_url, client_id, client_secret, *, scope="", token_client=None,
                 clock=time.monotonic):
        self.token_url = token_url
        self.client_id = client_id
        self.client_secret = client_secret
        self.scope = scope
        self.token_client = token_client
        self.clock = clock
        self.access_token = None
        self.expires_at = None
        self._lock = threading.Lock()

    def apply(self, headers):
        with self._lock:
            if self.access_token is None or (
                    self.expires_at is not None and self.clock() >= self.expires_at):
                self._fetch()
            headers["Authorization"] = f"Bearer {self.access_token}"

    def refresh(self):
        with self._lock:
            self._fetch()

    @property
    def secrets(self):
        return [self.client_secret, self.access_token]

    def _fetch(self):
        if self.token_client is None:
            raise SourceConfigError("OAuth2 credentials have no HTTP client to ask a token with.")
        form = {"grant_type": "client_credentials", "client_id": self.client_id,
                "client_secret": self.client_secret}
        if self.scope:
            form["scope"] = self.scope
        try:
            response = self.token_client.request(
                "POST", self.token_url, data=form, allow_redirects=False)
            payload = response.json()
        except SourceError as exc:
            refused = SourceAuthError(
                f"The OAuth2 token request was refused: {exc} Check the client id and "
                "secret and the token URL.", status=exc.status, url=exc.url)
            refused.source_wide = True  # the whole source, not one object's endpoint
            raise refused from None
        except ValueError:
            raise SourceAuthError("The OAuth2 token answer is not JSON; check the token "
                                  "URL.", url=self.token_url) from None
        token = payload.get("access_token") if isinstance(payload, dict) else None
        if not token:
            raise SourceAuthError("The OAuth2 token answer has no access_token; check the "
                                  "token URL.", url=self.token_url)
        self.access_token = token
        expires_in = payload.get("expires_in")
        self.expires_at = (self.clock() + float(expires_in) - TOKEN_EXPIRY_MARGIN
                           if isinstance(expires_in, (int, float)) else None)


def dig(payload, path):
    """The value at a dotted ``path`` (``"result.items"``) of ``payload``; ``payload``
    itself for an empty path; None when a step is missing."""
    value = payload
    for step in filter(None, (path or "").split(".")):
        if isinstance(value, dict):
            value = value.get(step)
        elif isinstance(value, list) and step.isdigit() and int(step) < len(value):
            value = value[int(step)]
        else:
            return None
    return value


class FstRestSource(Source):
    """An FST installation read over its REST API, as described by an
    :class:`FstRestConfig` (or the plain dict of one)."""

    kind = "fst_rest"

    def __init__(self, config, *, sleep=time.sleep, session=None, resolve=None):
        super().__init__()
        self.config = config if isinstance(config, FstRestConfig) \
            else FstRestConfig.from_dict(config)
        c = self.config
        options = {"timeout": (c.connect_timeout, c.read_timeout),
                   "max_retries": c.max_retries, "allowed_hosts": c.allowed_hosts,
                   "allow_loopback": c.allow_loopback, "resolve": resolve, "sleep": sleep,
                   "session": session}
        auth = c.make_auth()
        if isinstance(auth, OAuth2ClientCredentials):
            auth.token_client = HttpClient(c.base_url, **options)
        self.client = HttpClient(c.base_url, auth=auth, **options)

    # -- Source interface ------------------------------------------------------------

    def test_connection(self):
        """Read one record of the first configured object; raise a ``SourceError``."""
        objects = self.list_objects()
        if not objects:
            raise SourceConfigError("No FST endpoint is configured.")
        self._fetch_page(objects[0], self._first_request(objects[0], None, 1))

    def list_objects(self):
        """Objects with an endpoint: FST ones in dependency order, then any others."""
        configured = [obj for obj, path in self.config.endpoints.items() if path]
        ordered = [obj.name for obj in BUNDLE_OBJECTS if obj.name in configured]
        return ordered + [obj for obj in configured if obj not in ordered]

    def supports_since(self, obj):
        return bool(self.config.updated_since_param) and self._timestamp_field(obj) \
            == "updated_at"

    def count(self, obj):
        """The total the API announces for ``obj`` (one small request), else None."""
        if not (self.config.total_path or self.config.total_header):
            return None
        _, total, _ = self._fetch_page(obj, self._first_request(obj, None, 1))
        return total

    def iter_pages(self, obj, since=None, page_size=None):
        """Yield the records of ``obj`` page by page, each with ``"id"``.

        Records that are not objects or have no id are reported in ``self.issues`` and
        left out. With ``since``, the API filters when ``updated_since_param`` is set;
        the adapter filters the answers again on ``updated_at`` in any case.
        """
        for items in self._item_pages(obj, since, page_size or self.config.page_size):
            page = [r for r in self._records(obj, items)
                    if since is None or self._is_since(obj, r, since)]
            if page:
                yield page

    def iter_items(self, obj, page_size=None):
        """Yield the records of ``obj`` page by page exactly as the API sends them: JSON
        objects, no id required nor added (an installation whose JSON names its fields
        otherwise is read through a source layout, ``services.layout.rest_tables``).
        Items that are not objects are reported in ``self.issues`` and left out. Errors
        are raised as the API gives them (``errors.as_unreadable`` tells one object's
        refusal from a dead source)."""
        for items in self._item_pages(obj, None, page_size or self.config.page_size):
            page = []
            for item in items:
                if isinstance(item, dict):
                    page.append(item)
                else:
                    self._not_an_object(obj, item)
            if page:
                yield page

    def _item_pages(self, obj, since, size):
        """The lists of items of ``obj``'s pages, following the configured pagination."""
        request = self._first_request(obj, since, size)
        fetched, seen_requests, previous_first = 0, set(), None
        while request is not None:
            key = repr(request)
            if key in seen_requests:
                raise SourceDataError(f"{obj}: the API sends the same page again ({key}); "
                                      "check the pagination settings.")
            seen_requests.add(key)
            items, total, following = self._fetch_page(obj, request)
            if not items:
                return
            first = repr(items[0])
            if first == previous_first:
                raise SourceDataError(f"{obj}: two pages start with the same record; the API "
                                      "ignores the pagination parameters configured.")
            previous_first = first
            fetched += len(items)
            yield items
            if total is not None and fetched >= total:
                return
            request = following(len(items))

    def custom_fields(self):
        """Custom fields declared by the API's schema endpoint (empty when none)."""
        path = self.config.custom_fields_endpoint
        if not path:
            return []
        payload = self.client.get_json(path)
        rows = dig(payload, self.config.records_path)
        if not isinstance(rows, list):
            raise SourceDataError(f"{path}: no list at {self.config.records_path!r}.")
        result = []
        for row in rows:
            if not isinstance(row, dict) or not row.get("name") or not row.get("object"):
                self.issues.append(RecordIssue("custom_fields", None, "schema row without "
                                               "object and name", raw=_excerpt(row)))
                continue
            known_type = field_type(row.get("type"))
            if known_type is None:
                self.issues.append(RecordIssue("custom_fields", row["name"],
                                               f"unknown custom field type {row.get('type')!r};"
                                               " read as char", column="type", raw=row))
            options = row.get("options") or []
            if isinstance(options, str):
                options = [o.strip() for o in options.split("|") if o.strip()]
            required = row.get("required")
            if isinstance(required, str):
                required = required.strip().lower() in ("1", "true", "yes", "y")
            result.append(CustomFieldDef(
                object=str(row["object"]), name=str(row["name"]),
                label=str(row.get("label") or ""), type=known_type or "char",
                options=[str(o) for o in options], required=bool(required)))
        return result

    def open_attachment(self, ref):
        """Stream an attachment's bytes; ``ref`` is an attachment record or its id."""
        attachment_id = ref.get(self._id_field("attachments"), ref.get("id")) \
            if isinstance(ref, dict) else ref
        if attachment_id in (None, ""):
            raise SourceDataError(f"Attachment reference {_excerpt(ref)!r} has no id.")
        path = self.config.attachment_content_endpoint.replace("{id}", str(attachment_id))
        _, stream = self.client.open_stream(path, max_bytes=self.config.max_attachment_bytes)
        return stream

    def close(self):
        self.client.close()
        auth = self.client.auth
        if isinstance(auth, OAuth2ClientCredentials) and auth.token_client is not None:
            auth.token_client.close()

    # -- paging --------------------------------------------------------------------------

    def _endpoint(self, obj):
        path = self.config.endpoints.get(obj)
        if not path:
            raise SourceConfigError(f"No endpoint is configured for FST object {obj!r}.")
        return path

    def _id_field(self, obj):
        return self.config.id_fields.get(obj) or "id"

    def _timestamp_field(self, obj):
        spec = OBJECTS_BY_NAME.get(obj)
        return spec.timestamp_column if spec else "updated_at"

    def _first_request(self, obj, since, size):
        """``(url, params)`` of the first page."""
        c = self.config
        params = {}
        if since is not None and self.supports_since(obj):
            params[c.updated_since_param] = since.isoformat()
        if c.pagination == "offset":
            params.update({c.offset_param: 0, c.limit_param: size})
        elif c.pagination == "cursor":
            params[c.limit_param] = size
        else:
            params.update({c.page_param: c.first_page, c.per_page_param: size})
        return self._endpoint(obj), params

    def _fetch_page(self, obj, request):
        """GET one page: ``(items, total or None, following)`` where
        ``following(len(items))`` is the next request or None."""
        c = self.config
        url, params = request
        response = self.client.request("GET", url, params=params)
        try:
            payload = response.json()
        except ValueError:
            raise SourceDataError(f"{obj}: the answer of {url} is not JSON.",
                                  status=response.status_code,
                                  body_excerpt=response.text[:500]) from None
        items = dig(payload, c.records_path)
        if not isinstance(items, list):
            raise SourceDataError(
                f"{obj}: no list of records at {c.records_path or 'the root'!r} in the "
                f"answer of {url}; check records_path.", body_excerpt=_excerpt(payload))
        total = _as_int(dig(payload, c.total_path)) if c.total_path else None
        if total is None and c.total_header:
            total = _as_int(response.headers.get(c.total_header))

        def following(count):
            if c.pagination == "link":
                link = response.links.get("next", {}).get("url")
                return (link, None) if link else None
            next_params = dict(params)
            if c.pagination == "cursor":
                cursor = dig(payload, c.cursor_path)
                if not cursor:
                    return None
                next_params[c.cursor_param] = cursor
            elif c.pagination == "offset":
                next_params[c.offset_param] = params[c.offset_param] + count
            else:
                next_params[c.page_param] = params[c.page_param] + 1
            return url, next_params

        return items, total, following

    def _records(self, obj, items):
        """The dict items with an id, ``"id"`` added; the others become issues."""
        id_field = self._id_field(obj)
        for item in items:
            if not isinstance(item, dict):
                self._not_an_object(obj, item)
                continue
            source_id = item.get(id_field, item.get("id"))
            if source_id in (None, ""):
                self.issues.append(RecordIssue(obj, None, f"record has no {id_field!r}",
                                               column=id_field, raw=item))
                continue
            yield {**item, "id": source_id}

    def _not_an_object(self, obj, item):
        self.issues.append(RecordIssue(obj, None, f"record is not a JSON object but "
                                       f"{type(item).__name__}", raw={"value": _excerpt(item)}))

    def _is_since(self, obj, record, since):
        column = self._timestamp_field(obj)
        value = record.get(column) if column else None
        when = parse_timestamp(value) if isinstance(value, str) else None
        if since.tzinfo is None:
            since = since.replace(tzinfo=timezone.utc)
        return when is None or when >= since


def _as_int(value):
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def _excerpt(value, limit=200):
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "…"
