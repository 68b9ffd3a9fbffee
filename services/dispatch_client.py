"""Dispatch (dispatch.me) v3 API source: OAuth2, paged lists, delta pickup, files.

Follows the public documentation summarised in SOURCES.md:

* ``POST /v3/oauth/token`` (JSON body) with ``client_credentials``, ``password`` or
  ``refresh_token``. The grant is named by ``grant_type``; when it is not, a username
  and password mean ``password`` (see :meth:`DispatchOAuth.choose_grant`). The password
  grant carries the client id and secret too, as the docs and Dispatch's SDK do. The
  token is reused until shortly before it expires; after a 401 a fresh one is fetched
  once and the request retried once (see :class:`DispatchOAuth`).
* Lists ``/v3/<plural>?limit=&offset=`` answer ``{<plural>: [...], meta: {total}}``.
  A page shorter than the limit ends the list, ``meta`` or not (sub-resources such as
  job contacts answer the whole list without ``meta``).
  A server that clamps ``limit`` is followed (offsets advance by what came back); a 422
  on a ``limit`` above the documented 100 makes the client fall back to 100.
* ``since`` sends ``filter[updated_at_gteq]``, which is *not* documented: the answer is
  checked, and a record older than ``since`` proves the server ignored the filter. Then
  the scan simply goes on (an ignored filter *is* a full scan) and the object is
  remembered as ``supports_since() == False`` so that the filter is no longer sent.
* Job contacts come from ``/v3/jobs/:id/contacts``, one call per job, on a bounded
  thread pool (``max_workers``).
* Files: ``GET <files host>/v1/datafiles/:token`` (``files-api.dispatch.me`` for
  ``api.dispatch.me``, ``files-api-sandbox.dispatch.me`` for the sandbox) answers a
  302 to the stored object, which is fetched without the bearer token and streamed, by
  a client whose allow-list is ``storage_hosts`` (default
  :data:`.url_policy.DEFAULT_STORAGE_HOSTS`) plus ``allowed_hosts``; every hop's
  resolved address is checked (see :mod:`.url_policy`) and the body is capped at
  ``max_attachment_bytes`` decoded bytes.

Records that are not objects or have no ``id`` are recorded in ``self.issues`` and
skipped. No secret ever appears in an error message or a log line.
"""

import logging
import re
import threading
import time
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from urllib.parse import urljoin, urlsplit

from .dispatch_auth import DispatchOAuth
from .errors import (
    SourceConfigError,
    SourceDataError,
    SourceError,
    SourceHTTPError,
    SourceNotFound,
    SourceObjectUnreadable,
    as_unreadable,
)
from .http_client import MAX_ATTACHMENT_BYTES, HttpClient
from .source_base import CustomFieldDef, RecordIssue, Source
from .url_policy import DEFAULT_STORAGE_HOSTS

_logger = logging.getLogger(__name__)

#: objects in dependency order
OBJECTS = (
    "customers", "users", "organizations", "brands", "sources", "jobs", "job_contacts",
    "appointments", "survey_responses", "attachments",
)
#: documented maximum page size
MAX_PAGE_SIZE = 100
PRODUCTION_HOST = "api.dispatch.me"
PRODUCTION_FILES_URL = "https://files-api.dispatch.me"
SANDBOX_HOST = "api-sandbox.dispatch.me"
SANDBOX_FILES_URL = "https://files-api-sandbox.dispatch.me"
#: the files host of each documented API host; any other host (an emulator, a proxy)
#: serves its files itself
FILES_URLS = {PRODUCTION_HOST: PRODUCTION_FILES_URL, SANDBOX_HOST: SANDBOX_FILES_URL}
#: how many job records are read to discover custom fields when no pull has run yet
CUSTOM_FIELD_SAMPLE = 2000
#: a string custom field with at most this many distinct values, each seen at least
#: twice on average, is proposed as a selection
SELECTION_MAX_OPTIONS = 10
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$")


def ordered_map(function, items, workers):
    """``function(item)`` for each item on ``workers`` threads, results in item order.

    At most ``2 * workers`` calls are in flight or waiting to be consumed, so memory
    stays bounded however many items there are. An exception is raised in order too.
    """
    if workers <= 1:
        yield from map(function, items)
        return
    with ThreadPoolExecutor(workers, thread_name_prefix="dispatch") as pool:
        pending = deque()
        for item in items:
            pending.append(pool.submit(function, item))
            if len(pending) >= 2 * workers:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()


def parse_timestamp(value):
    """Aware UTC datetime from an API timestamp, or None when it is not one."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed.astimezone(timezone.utc)


def normalize_since(since):
    """``since`` as the filter can say it: aware UTC, whole seconds (naive means UTC)."""
    if since.tzinfo is None:
        since = since.replace(tzinfo=timezone.utc)
    return since.astimezone(timezone.utc).replace(microsecond=0)


class _FieldStats:
    """Values seen for one custom field, enough to infer its type."""

    def __init__(self):
        self.kinds = set()
        self.seen = 0
        self.distinct = {}  # value -> None, in first-seen order (bounded)
        self.max_length = 0
        self.multiline = False

    def add(self, value):
        if value is None or value == "":
            return
        self.seen += 1
        if isinstance(value, bool):
            self.kinds.add("boolean")
        elif isinstance(value, int):
            self.kinds.add("integer")
        elif isinstance(value, float):
            self.kinds.add("float")
        elif isinstance(value, str):
            if _DATE.match(value):
                self.kinds.add("date")
            elif _DATETIME.match(value):
                self.kinds.add("datetime")
            else:
                self.kinds.add("string")
            self.max_length = max(self.max_length, len(value))
            self.multiline = self.multiline or "\n" in value
            if len(self.distinct) <= SELECTION_MAX_OPTIONS:
                self.distinct.setdefault(value, None)
        else:
            self.kinds.add("other")

    def field_type(self):
        """``(type, options)`` as ``CustomFieldDef`` names them."""
        kinds = self.kinds
        if kinds == {"boolean"}:
            return "boolean", []
        if kinds == {"integer"}:
            return "integer", []
        if kinds and kinds <= {"integer", "float"}:
            return "float", []
        if kinds == {"date"}:
            return "date", []
        if kinds and kinds <= {"date", "datetime"}:
            return "datetime", []
        if self.max_length > 255 or self.multiline:
            return "text", []
        if (kinds == {"string"} and len(self.distinct) <= SELECTION_MAX_OPTIONS
                and self.seen >= 2 * len(self.distinct)):
            return "selection", list(self.distinct)
        return "char", []


class DispatchSource(Source):
    """The Dispatch v3 API as a migration :class:`Source`.

    ``fetch_concurrency`` > 1 fetches that many pages of one object at once (results
    still come in order, memory stays bounded); ``max_workers`` bounds the concurrent
    per-job contact calls. Other keyword arguments tune the :class:`HttpClient`.
    """

    kind = "dispatch"

    def __init__(self, base_url="https://api.dispatch.me", *, client_id=None,
                 client_secret=None, username=None, password=None, refresh_token=None,
                 grant_type=None, files_url=None, page_size=MAX_PAGE_SIZE, max_workers=4,
                 fetch_concurrency=1, allowed_hosts=None, timeout=(5, 30), max_retries=5,
                 backoff_base=0.5, backoff_max=30.0, sleep=time.sleep, allow_loopback=None,
                 resolve=None, storage_hosts=None,
                 max_attachment_bytes=MAX_ATTACHMENT_BYTES):
        super().__init__()
        http_options = {"timeout": timeout, "max_retries": max_retries,
                        "backoff_base": backoff_base, "backoff_max": backoff_max,
                        "sleep": sleep, "allowed_hosts": allowed_hosts,
                        "allow_loopback": allow_loopback, "resolve": resolve,
                        "pool_size": max(16, max_workers, fetch_concurrency)}
        self.max_attachment_bytes = max_attachment_bytes
        self._token_http = HttpClient(base_url, secrets=lambda: self.auth.secrets,
                                      **http_options)
        self.auth = DispatchOAuth(self._token_http, client_id=client_id,
                                  client_secret=client_secret, username=username,
                                  password=password, refresh_token=refresh_token,
                                  grant_type=grant_type)
        self.http = HttpClient(base_url, auth=self.auth, **http_options)
        if files_url is None:
            files_url = FILES_URLS.get(urlsplit(base_url).hostname, base_url)
        self.files_http = HttpClient(files_url, auth=self.auth, **http_options)
        # the storage behind the 302 is another host: no credentials, its own allow-list
        # (the storage hosts and the source's own), every hop's address checked
        storage_allowed = None
        if allowed_hosts is not None or storage_hosts is not None:
            storage_allowed = [*(DEFAULT_STORAGE_HOSTS if storage_hosts is None
                                 else storage_hosts), *(allowed_hosts or [])]
        storage_options = {**http_options, "allowed_hosts": storage_allowed}
        self._storage_http = HttpClient(files_url, secrets=lambda: self.auth.secrets,
                                        **storage_options)
        self.page_size = min(page_size, MAX_PAGE_SIZE) if page_size else MAX_PAGE_SIZE
        self.max_workers = max(1, max_workers)
        self.fetch_concurrency = max(1, fetch_concurrency)
        self._since_support = {}  # obj -> True (proven), False (proven not), None
        self._job_ids = None  # ids seen by the last complete jobs pull
        self._field_stats = {}
        self._field_stats_lock = threading.Lock()

    # -- Source interface -------------------------------------------------------------

    def test_connection(self):
        """Get a token and read one organization; typed errors say what failed.

        Organizations not readable with this account (gated by plan) is no connection
        failure: the token proved the credentials, discovery reports the object."""
        try:
            self.count("organizations")
        except SourceObjectUnreadable as exc:
            _logger.info("Dispatch connection OK, but %s", exc)

    def list_objects(self):
        return list(OBJECTS)

    def count(self, obj):
        if obj == "job_contacts":
            return None
        self._check_object(obj)
        answer = self._get_list_page(obj, {"limit": 1, "offset": 0})
        return answer["total"]

    def supports_since(self, obj):
        if obj == "job_contacts":
            obj = "jobs"
        return self._since_support.get(obj) is True

    def iter_pages(self, obj, since=None, page_size=None):
        self._check_object(obj)
        size = min(page_size or self.page_size, MAX_PAGE_SIZE)
        if obj == "job_contacts":
            return self._iter_job_contacts(since, size)
        return self._iter_list(obj, since, size)

    def custom_fields(self):
        """Connect ``custom_fields{}`` of jobs, typed from the values seen.

        Uses what the last jobs pull saw; before any pull, reads up to
        ``CUSTOM_FIELD_SAMPLE`` jobs.
        """
        if not self._field_stats:
            read = 0
            for page in self._iter_list("jobs", None, self.page_size, remember_ids=False):
                read += len(page)
                if read >= CUSTOM_FIELD_SAMPLE:
                    break
        with self._field_stats_lock:
            items = sorted(self._field_stats.items())
        definitions = []
        for name, stats in items:
            field_type, options = stats.field_type()
            definitions.append(CustomFieldDef(
                object="jobs", name=name, label=name.replace("_", " ").strip().title(),
                type=field_type, options=options))
        return definitions

    def open_attachment(self, ref):
        """Stream the file of an attachment record (or a ``file_token``).

        Returns a binary stream (``read``/``close``) of the decoded bytes, which raises
        ``SourceTooLarge`` past ``max_attachment_bytes``; the caller closes it.
        """
        token = ref.get("file_token") if isinstance(ref, dict) else ref
        if not token:
            raise SourceDataError(f"Attachment {ref.get('id') if isinstance(ref, dict) else ref}"
                                  " has no file_token")
        response, stream = self.files_http.open_stream(
            f"v1/datafiles/{token}", max_bytes=self.max_attachment_bytes,
            allow_redirects=False)
        if stream is None:  # the 302 to the stored object
            location = urljoin(response.url, response.headers["Location"])
            response.close()
            _, stream = self._storage_http.open_stream(
                location, max_bytes=self.max_attachment_bytes, redirected_from=response.url)
        return stream

    def close(self):
        for client in (self.http, self.files_http, self._storage_http, self._token_http):
            client.close()

    # -- lists ------------------------------------------------------------------------

    def _check_object(self, obj):
        if obj not in OBJECTS:
            raise SourceConfigError(f"Dispatch has no object {obj!r}; known: "
                                    f"{', '.join(OBJECTS)}")

    def _get_list_page(self, obj, params, path=None, key=None):
        """One list call: ``{"records", "total"}``; a wrong envelope is a SourceDataError."""
        path = path or f"v3/{obj}"
        key = key or obj
        answer = self.http.get_json(path, params=params)
        records = answer.get(key) if isinstance(answer, dict) else None
        if not isinstance(records, list):
            keys = sorted(answer)[:5] if isinstance(answer, dict) else []
            raise SourceDataError(
                f"Dispatch {path} did not answer a {key!r} list as documented "
                f"(got {type(answer).__name__}, keys {keys})", url=self.http.url_for(path))
        meta = answer.get("meta") if isinstance(answer.get("meta"), dict) else {}
        total = meta.get("total")
        return {"records": records, "total": total if isinstance(total, int) else None}

    def _since_params(self, obj, since):
        if since is None or self._since_support.get(obj) is False:
            return {}
        return {"filter[updated_at_gteq]": since.strftime("%Y-%m-%dT%H:%M:%SZ")}

    def _lister(self, obj, path=None, key=None):
        """``fetch(params)`` reading one page of a list endpoint."""
        return lambda params: self._get_list_page(obj, params, path, key)

    def _iter_list(self, obj, since, size, remember_ids=True):
        """Pages of ``obj`` (generator), with since detection and clamp/422 handling."""
        fetch = self._lister(obj)
        since = normalize_since(since) if since is not None else None
        filters = self._since_params(obj, since)
        first, size = self._first_page(fetch, obj, filters, size)
        if filters:
            self._judge_since(obj, since, first)
        seen_ids = [] if obj == "jobs" and remember_ids and since is None else None
        pages = self._pages_after(fetch, filters, size, first, self.fetch_concurrency)
        for raw in pages:
            page = self._clean(obj, raw)
            if obj == "jobs":
                self._observe_custom_fields(page)
            if seen_ids is not None:
                seen_ids.extend(record["id"] for record in page)
            if filters and self._since_support.get(obj) is None:
                self._judge_since(obj, since, {"records": page, "total": None})
            yield page
        if seen_ids is not None:
            self._job_ids = seen_ids

    def _first_page(self, fetch, obj, filters, size):
        """First page; adapts ``size`` when the server refuses (422) or clamps it."""
        try:
            first = fetch({"limit": size, "offset": 0, **filters})
        except SourceHTTPError as exc:
            if exc.status != 422 or "limit" not in (exc.body_excerpt or "") or size <= 1:
                raise
            smaller = size // 2
            _logger.info("Dispatch refused limit=%s for %s, using %s", size, obj, smaller)
            return self._first_page(fetch, obj, filters, smaller)
        count = len(first["records"])
        if first["total"] is not None and 0 < count < min(size, first["total"]):
            size = count  # the server clamps the page size: follow it
        return first, size

    def _pages_after(self, fetch, filters, size, first, concurrency=1):
        """Raw record lists from the first page on, in order.

        The list ends at ``meta.total`` when the server sends it, and in any case at the
        first page shorter than ``size`` (the documented end of a list: sub-resources
        answer their whole list at once, without ``meta``).
        """
        yield first["records"]
        offset = len(first["records"])
        total = first["total"]
        if offset < size:
            return
        if concurrency > 1 and total is not None and offset < total:
            offsets = range(offset, total, size)
            yield from self._fetch_concurrently(fetch, filters, size, offsets, concurrency)
            return
        while total is None or offset < total:
            answer = fetch({"limit": size, "offset": offset, **filters})
            page = answer["records"]
            total = answer["total"] if answer["total"] is not None else total
            offset += len(page)
            if page:
                yield page
            if len(page) < size:
                return

    @staticmethod
    def _fetch_concurrently(fetch, filters, size, offsets, concurrency):
        """Pages at ``offsets`` fetched ``concurrency`` at a time, yielded in order."""
        params = ({"limit": size, "offset": offset, **filters} for offset in offsets)
        for answer in ordered_map(fetch, params, concurrency):
            yield answer["records"]

    def _clean(self, obj, records):
        """Keep dict records with an id; the others become ``RecordIssue``s."""
        clean = []
        for record in records:
            if not isinstance(record, dict):
                self.issues.append(RecordIssue(
                    object=obj, source_id=None,
                    reason=f"record is {type(record).__name__}, not an object: {str(record)[:80]}"))
            elif record.get("id") in (None, ""):
                self.issues.append(RecordIssue(object=obj, source_id=None,
                                               reason="record has no id", raw=record))
            else:
                clean.append(record)
        return clean

    def _judge_since(self, obj, since, answer):
        """Decide whether the server honoured ``filter[updated_at_gteq]``."""
        records = [r for r in answer["records"] if isinstance(r, dict)]
        stamps = [parse_timestamp(r.get("updated_at")) for r in records]
        if any(stamp is not None and stamp < since for stamp in stamps):
            _logger.info("Dispatch ignored filter[updated_at_gteq] on %s: full scan", obj)
            self._since_support[obj] = False
        elif answer["total"] is not None and self._since_support.get(obj) is None:
            unfiltered = self.count(obj)
            if answer["total"] < unfiltered:
                self._since_support[obj] = True

    # -- job contacts -----------------------------------------------------------------

    def _job_ids_for(self, since):
        if since is None and self._job_ids is not None:
            return self._job_ids
        ids = []
        try:
            for page in self._iter_list("jobs", since, self.page_size):
                ids.extend(record["id"] for record in page)
        except SourceError as exc:
            jobs = as_unreadable("jobs", exc)
            if jobs is None:
                raise
            raise SourceObjectUnreadable(
                "job_contacts", jobs.status, jobs.vendor_message, url=jobs.url,
                message=f"job_contacts are read through their jobs, and {jobs}") from exc
        return ids

    def _contacts_of(self, job_id):
        """All contacts of one job (``job_id`` set on each), each once; the 404 error if
        the job vanished. The docs answer the whole list without ``meta``: a short page ends it,
        and a record met again (a full page repeated by a server that ignores
        ``offset``) is not taken twice."""
        fetch = self._lister("job_contacts", f"v3/jobs/{job_id}/contacts", "contacts")
        try:
            first = fetch({"limit": MAX_PAGE_SIZE, "offset": 0})
        except SourceNotFound as exc:
            _logger.info("Dispatch job %s vanished while reading its contacts", job_id)
            return exc  # the caller tells a vanished job from an unreadable endpoint
        contacts, seen = [], set()
        for page in self._pages_after(fetch, {}, MAX_PAGE_SIZE, first):
            new = 0
            for record in page:
                if isinstance(record, dict) and record.get("id") not in (None, ""):
                    if record["id"] in seen:
                        continue  # a server that does not page answers the list again
                    seen.add(record["id"])
                    record.setdefault("job_id", job_id)
                new += 1
                contacts.append(record)
            if not new:
                break
        return contacts

    def _iter_job_contacts(self, since, size):
        """Contacts of every job (of the jobs changed since ``since``), in pages.

        A job that answers 404 vanished since the jobs were listed; when every job
        does, the contacts endpoint itself is missing: ``SourceObjectUnreadable``."""
        buffer, answered, not_found = [], False, None
        for contacts in ordered_map(self._contacts_of, self._job_ids_for(since),
                                    self.max_workers):
            if isinstance(contacts, SourceNotFound):
                not_found = contacts
                continue
            answered = True  # one job answered: the endpoint is readable
            buffer.extend(self._clean("job_contacts", contacts))
            while len(buffer) >= size:
                yield buffer[:size]
                del buffer[:size]
        if buffer:
            yield buffer
        if not_found is not None and not answered:
            # every job's contacts answered 404: the endpoint, not the jobs, is missing
            raise SourceObjectUnreadable("job_contacts", 404, not_found.body_excerpt,
                                         url=not_found.url)

    # -- custom fields ----------------------------------------------------------------

    def _observe_custom_fields(self, jobs):
        with self._field_stats_lock:
            for job in jobs:
                fields = job.get("custom_fields")
                if not isinstance(fields, dict):
                    continue
                for name, value in fields.items():
                    self._field_stats.setdefault(str(name), _FieldStats()).add(value)
