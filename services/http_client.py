"""A small HTTP client shared by the REST source adapters (Dispatch, FST REST).

What it guarantees, for every call:

* a connect/read timeout;
* bounded exponential backoff with full jitter on 429, 500/502/503/504 and on dropped
  or failed connections (``Retry-After`` in seconds or as an HTTP-date is honoured,
  capped by ``backoff_max``);
* one credential refresh (``Auth.refresh``) and one retry after a 401;
* typed errors from :mod:`.errors`, carrying the status, a body excerpt (at most
  500 characters) and the URL with secret query values masked;
* no secret (token, client secret, password, API key) in any exception text or log line;
* an optional allow-list of hosts, checked before any request leaves;
* redirects followed by hand (``requests`` never follows one), at most ``max_redirects``
  hops, and *every* hop checked by :func:`.url_policy.check_hop` before it is sent:
  scheme (no https → http), allow-list, and every address its host resolves to
  (private, loopback, link-local, metadata … refused; see :mod:`.url_policy`);
* credentials (the ``auth``, an ``Authorization``/``Cookie`` header, netrc or session
  auth) only ever sent to the origin (scheme, host, port) of the request's first URL:
  a hop to another origin goes without them, and a request body is never re-sent to
  another origin (a 307/308 there is refused);
* :meth:`HttpClient.open_stream`: a response body streamed with a cap on the *decoded*
  bytes (``Content-Length`` checked first; gzip/deflate decoded here in bounded steps),
  see :class:`.http_body.CappedBody`.
"""

import base64
import email.utils
import io
import json as jsonlib
import logging
import random
import re
import threading
import time
from datetime import datetime, timezone
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import requests
from requests.adapters import HTTPAdapter

from .errors import (
    SourceAuthError,
    SourceConfigError,
    SourceConnectionError,
    SourceDataError,
    SourceHTTPError,
    SourceNotFound,
    SourceRateLimited,
)
from .http_body import DECODE_STEP, CappedBody
from .url_policy import MAX_REDIRECTS, check_hop, is_loopback, system_resolve

_logger = logging.getLogger(__name__)

#: statuses retried with backoff (429 is handled apart because of ``Retry-After``)
RETRY_STATUSES = frozenset({500, 502, 503, 504})
#: transport failures retried with backoff
RETRY_EXCEPTIONS = (
    requests.exceptions.ConnectionError,
    requests.exceptions.Timeout,
    requests.exceptions.ChunkedEncodingError,
)
BODY_EXCERPT_CHARS = 500
#: query parameter names whose values are masked in URLs shown in errors and logs
_SECRET_PARAM = re.compile(
    r"token|secret|password|passwd|key|signature|sig$|auth", re.IGNORECASE
)
#: headers never sent to an origin other than the request's first one
CREDENTIAL_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie"})
#: the largest attachment body read (decoded bytes), unless the caller says otherwise
MAX_ATTACHMENT_BYTES = 25 * 1024 * 1024


def _origin_key(url):
    """(scheme, host, port) of ``url``, the default port filled in."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    return scheme, (parts.hostname or "").lower(), parts.port or (443 if scheme == "https"
                                                                   else 80)


def _no_auth(request):
    """A requests auth that adds nothing: it also keeps netrc and session auth away."""
    return request


def redact(text, secrets):
    """Return ``text`` with every non-empty string of ``secrets`` replaced by ``***``."""
    if text is None:
        return None
    text = str(text)
    # longest first, so that a secret containing another one is masked whole
    for secret in sorted({s for s in secrets if s}, key=len, reverse=True):
        text = text.replace(secret, "***")
    return text


def redact_url(url):
    """Return ``url`` with the values of secret-looking query parameters masked."""
    parts = urlsplit(url)
    if not parts.query:
        return url
    query = [
        (name, "***" if _SECRET_PARAM.search(name) else value)
        for name, value in parse_qsl(parts.query, keep_blank_values=True)
    ]
    return urlunsplit(parts._replace(query=urlencode(query, safe="[]*")))


class Auth:
    """Credentials applied to every request. Subclasses set headers and may refresh."""

    def apply(self, headers):
        """Add the credentials to the ``headers`` dict of an outgoing request."""

    def refresh(self):
        """Renew the credentials; called once after a 401 before one retry."""

    @property
    def secrets(self):
        """Strings that must never appear in an error message or a log line."""
        return []


class BearerAuth(Auth):
    """``Authorization: Bearer <token>`` with a fixed token."""

    def __init__(self, token):
        self.token = token

    def apply(self, headers):
        headers["Authorization"] = f"Bearer {self.token}"

    @property
    def secrets(self):
        return [self.token]


class ApiKeyAuth(Auth):
    """An API key sent in a header of the caller's choice (e.g. ``X-Api-Key``)."""

    def __init__(self, header, key):
        self.header = header
        self.key = key

    def apply(self, headers):
        headers[self.header] = self.key

    @property
    def secrets(self):
        return [self.key]


class BasicAuth(Auth):
    """HTTP basic authentication."""

    def __init__(self, user, password):
        self.user = user
        self.password = password
        raw = f"{user}:{password}".encode()
        self._encoded = base64.b64encode(raw).decode("ascii")

    def apply(self, headers):
        headers["Authorization"] = f"Basic {self._encoded}"

    @property
    def secrets(self):
        return [self.password, self._encoded]


def parse_retry_after(value, now=None):
    """Seconds to wait from a ``Retry-After`` header value, or None if absent/invalid."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    now = now or datetime.now(timezone.utc)
    return max(0.0, (when - now).total_seconds())


class HttpClient:
    """A ``requests.Session`` with timeouts, retries, typed errors and secret hygiene.

    ``sleep`` is injectable so that tests can record the waits instead of sleeping.
    ``secrets`` (strings, or a callable returning them) are masked in every message
    besides the ``auth``'s own, e.g. the client secret sent in a token request body.
    The client is safe to share between threads (one session, a lock-free retry loop);
    ``pool_size`` bounds the connections kept open per host.
    """

    def __init__(
        self,
        base_url,
        *,
        timeout=(5, 30),
        max_retries=5,
        backoff_base=0.5,
        backoff_max=30.0,
        auth=None,
        session=None,
        allowed_hosts=None,
        user_agent="field_service_migration",
        sleep=time.sleep,
        pool_size=16,
        secrets=None,
        allow_loopback=None,
        resolve=None,
        max_redirects=MAX_REDIRECTS,
    ):
        self.base_url = base_url.rstrip("/") + "/"
        self.timeout = timeout
        self.max_retries = max_retries
        self.backoff_base = backoff_base
        self.backoff_max = backoff_max
        self.auth = auth
        self.allowed_hosts = (
            sorted({h.strip().lower() for h in allowed_hosts if h and h.strip()})
            if allowed_hosts is not None else None
        )
        #: None: loopback allowed when the base URL's own host is written as loopback
        #: (a client deliberately pointed at a local emulator); True/False: as said
        if allow_loopback is None:
            allow_loopback = is_loopback((urlsplit(self.base_url).hostname or "").lower())
        self.allow_loopback = bool(allow_loopback)
        self.resolve = resolve or system_resolve
        self.max_redirects = max_redirects
        self.user_agent = user_agent
        self.sleep = sleep
        self.extra_secrets = secrets
        self._rng = random.Random()
        self._rng_lock = threading.Lock()
        self._own_session = session is None
        self.session = session or requests.Session()
        if self._own_session:
            adapter = HTTPAdapter(pool_connections=4, pool_maxsize=pool_size)
            self.session.mount("http://", adapter)
            self.session.mount("https://", adapter)
        self.check_url(self.base_url, resolve=False)

    # -- public API -------------------------------------------------------------------

    def url_for(self, path_or_url):
        """Absolute URL for a path relative to ``base_url`` (or an absolute URL as is)."""
        if re.match(r"^https?://", path_or_url, re.IGNORECASE):
            return path_or_url
        return urljoin(self.base_url, path_or_url.lstrip("/"))

    def check_url(self, url, *, previous=None, resolve=True):
        """Raise ``SourceConfigError`` when a request must not go to ``url``.

        Scheme and allow-list always; with ``resolve``, every address the host resolves
        to (see :func:`.url_policy.check_hop`). ``previous`` is the URL that redirected.
        """
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise SourceConfigError(f"Not an http(s) URL: {redact_url(url)}", url=redact_url(url))
        if not resolve:  # no DNS: a public stand-in address, IP literals still checked
            check_hop(url, allowed_hosts=self.allowed_hosts, allow_loopback=self.allow_loopback,
                      resolve=lambda *_: ["1.1.1.1"])
            return
        check_hop(url, allowed_hosts=self.allowed_hosts, allow_loopback=self.allow_loopback,
                  resolve=self.resolve, previous=previous)

    def request(
        self,
        method,
        path_or_url,
        *,
        params=None,
        json=None,
        data=None,
        headers=None,
        stream=False,
        allow_redirects=True,
        redirected_from=None,
    ):
        """Send one request with retries; return the successful ``requests.Response``.

        Redirects are followed here, hop by hop, each hop checked (see the module
        docstring); with ``allow_redirects=False`` a 3xx answer is returned as is.
        ``redirected_from``: the URL whose redirect the caller follows with this request
        (named when the first hop is refused).
        With ``stream=True`` the caller reads (and closes) the body. Error statuses raise
        a ``SourceError`` subclass; the body of a failed response is always closed.
        """
        url = self.url_for(path_or_url)
        origin = _origin_key(url)
        previous = redirected_from
        hops = 0
        while True:
            self.check_url(url, previous=previous)
            same_origin = _origin_key(url) == origin
            response = self._send(method, url, params=params, json=json, data=data,
                                  headers=headers, stream=stream, credentials=same_origin)
            if not (allow_redirects and response.is_redirect):
                return response
            status = response.status_code
            location = urljoin(response.url or url, response.headers["Location"])
            location = urlunsplit(urlsplit(location)._replace(fragment=""))
            shown = self._shown_url(url, params)
            response.close()
            hops += 1
            if hops > self.max_redirects:
                raise SourceHTTPError(
                    f"{method} {shown}: more than {self.max_redirects} redirects; refused.",
                    status=status, url=shown)
            if status == 303 or (status in (301, 302) and method not in ("GET", "HEAD")):
                method, json, data = "GET", None, None
            elif (json is not None or data is not None) and _origin_key(location) != origin:
                raise SourceConfigError(
                    f"redirect from {shown} to {self._shown_url(location, None)} refused: "
                    "it would send the request body to another host.", url=shown)
            _logger.info("%s %s: HTTP %s, redirected to %s", method, shown, status,
                         self._shown_url(location, None))
            previous, url, params = url, location, None

    def _send(self, method, url, *, params, json, data, headers, stream, credentials):
        """One URL with retries (no redirect followed); a response below 400, or raise.

        Without ``credentials`` no auth is applied and credential headers are dropped.
        """
        shown_url = self._shown_url(url, params)
        refreshed = False
        attempt = 0
        while True:
            send_headers = {"User-Agent": self.user_agent, "Accept": "application/json"}
            if headers:
                send_headers.update(headers)
            if credentials and self.auth is not None:
                self.auth.apply(send_headers)
            if not credentials:
                secret_header = getattr(self.auth, "header", "").lower()
                send_headers = {k: v for k, v in send_headers.items()
                                if k.lower() not in CREDENTIAL_HEADERS
                                and k.lower() != secret_header}
            try:
                response = self.session.request(
                    method,
                    url,
                    params=params,
                    json=json,
                    data=data,
                    headers=send_headers,
                    timeout=self.timeout,
                    stream=stream,
                    allow_redirects=False,
                    **({} if credentials else {"auth": _no_auth, "cookies": None}),
                )
            except requests.exceptions.SSLError as exc:
                raise SourceConnectionError(
                    f"TLS error talking to {shown_url}: {self._redact(exc)}", url=shown_url
                ) from None
            except RETRY_EXCEPTIONS as exc:
                if attempt >= self.max_retries:
                    raise SourceConnectionError(
                        f"{method} {shown_url} failed after {attempt + 1} attempts: "
                        f"{type(exc).__name__}: {self._redact(exc)}. "
                        "Check the network and that the service is up, then retry.",
                        url=shown_url,
                    ) from None
                self._wait(attempt, None, f"{type(exc).__name__}", method, shown_url)
                attempt += 1
                continue

            status = response.status_code
            if status < 400:
                return response
            if status == 401 and credentials and self.auth is not None and not refreshed:
                response.close()
                refreshed = True
                _logger.info("%s %s: 401, refreshing credentials once", method, shown_url)
                self.auth.refresh()
                continue
            retryable = status == 429 or status in RETRY_STATUSES
            if retryable and attempt < self.max_retries:
                retry_after = parse_retry_after(response.headers.get("Retry-After"))
                response.close()
                self._wait(attempt, retry_after, f"HTTP {status}", method, shown_url)
                attempt += 1
                continue
            raise self._error_for(response, method, shown_url, attempt)

    def open_stream(self, path_or_url, *, max_bytes=MAX_ATTACHMENT_BYTES, headers=None,
                    allow_redirects=True, redirected_from=None):
        """GET a body as a binary stream capped at ``max_bytes`` *decoded* bytes.

        Returns ``(response, stream)``: a 3xx ``response`` (``allow_redirects=False``)
        comes back with ``stream`` None. A ``Content-Length`` above the cap is refused
        before any byte is read; past the cap, ``read`` raises ``SourceTooLarge``.
        """
        send = {"Accept": "*/*", "Accept-Encoding": "gzip, deflate"}
        send.update(headers or {})
        response = self.request("GET", path_or_url, headers=send, stream=True,
                                allow_redirects=allow_redirects,
                                redirected_from=redirected_from)
        if response.is_redirect:
            return response, None
        shown = self._shown_url(response.url or self.url_for(path_or_url), None)
        return response, io.BufferedReader(CappedBody(response, max_bytes, shown),
                                           buffer_size=DECODE_STEP)

    def get_json(self, path_or_url, params=None):
        """GET and decode JSON; a body that is not JSON raises ``SourceDataError``."""
        response = self.request("GET", path_or_url, params=params)
        try:
            return response.json()
        except ValueError:
            url = self._shown_url(response.url or self.url_for(path_or_url), None)
            raise SourceDataError(
                f"GET {url} answered {response.status_code} with a body that is not JSON",
                status=response.status_code,
                body_excerpt=self._redact(response.text[:BODY_EXCERPT_CHARS]),
                url=url,
            ) from None

    def close(self):
        """Close the session if this client created it. Idempotent."""
        if self._own_session:
            self.session.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    # -- internals --------------------------------------------------------------------

    @property
    def secrets(self):
        """Every string that must not appear in a message or log line."""
        found = list(self.auth.secrets) if self.auth is not None else []
        extra = self.extra_secrets() if callable(self.extra_secrets) else self.extra_secrets
        return found + list(extra or ())

    def _redact(self, text):
        return redact(text, self.secrets)

    def _shown_url(self, url, params):
        """The URL as it may appear in messages: params merged, secrets masked."""
        if params:
            sep = "&" if urlsplit(url).query else "?"
            url = url + sep + urlencode(params, doseq=True, safe="[]*")
        return self._redact(redact_url(url))

    def backoff_delay(self, attempt):
        """Full-jitter delay for retry number ``attempt`` (0-based)."""
        ceiling = min(self.backoff_max, self.backoff_base * (2**attempt))
        with self._rng_lock:
            return self._rng.uniform(0, ceiling)

    def _wait(self, attempt, retry_after, reason, method, shown_url):
        if retry_after is not None:
            delay = min(retry_after, self.backoff_max)
        else:
            delay = self.backoff_delay(attempt)
        _logger.info(
            "%s %s: %s, retry %d/%d in %.2fs",
            method, shown_url, reason, attempt + 1, self.max_retries, delay,
        )
        self.sleep(delay)

    def _body_excerpt(self, response):
        """Up to 500 characters of an error body; the ``errors`` member when it is JSON."""
        try:
            text = response.text
        except RETRY_EXCEPTIONS:
            text = ""
        finally:
            response.close()
        try:
            payload = jsonlib.loads(text)
        except ValueError:
            payload = None
        if isinstance(payload, dict) and "errors" in payload:
            text = jsonlib.dumps(payload["errors"], ensure_ascii=False)
        elif isinstance(payload, dict) and "error" in payload:
            text = jsonlib.dumps(
                {k: payload[k] for k in ("error", "error_description") if k in payload},
                ensure_ascii=False,
            )
        return self._redact(text[:BODY_EXCERPT_CHARS])

    def _error_for(self, response, method, shown_url, attempt):
        status = response.status_code
        excerpt = self._body_excerpt(response)
        where = f"{method} {shown_url}"
        kwargs = {"status": status, "body_excerpt": excerpt, "url": shown_url}
        if status in (401, 403):
            hint = (
                "the credentials were refused even after a refresh; check them"
                if status == 401
                else "the credentials are valid but not allowed to do this; check their rights"
            )
            return SourceAuthError(f"{where}: HTTP {status}, {hint}. {excerpt}".strip(), **kwargs)
        if status == 404:
            return SourceNotFound(f"{where}: HTTP 404, not found. {excerpt}".strip(), **kwargs)
        if status == 429:
            return SourceRateLimited(
                f"{where}: still rate limited (HTTP 429) after {attempt + 1} attempts; "
                "wait a few minutes or lower the concurrency, then retry.",
                **kwargs,
            )
        if status in RETRY_STATUSES:
            return SourceHTTPError(
                f"{where}: HTTP {status} after {attempt + 1} attempts; "
                f"the service is failing, retry later. {excerpt}".strip(),
                **kwargs,
            )
        return SourceHTTPError(f"{where}: HTTP {status}. {excerpt}".strip(), **kwargs)
