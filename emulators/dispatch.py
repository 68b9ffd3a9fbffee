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

import secrets
import threading
from collections import OrderedDict
from datetime import datetime, timezone

from . import httpbase
from .dispatch_admin import AdminMixin
from .dispatch_api import _JSON, LIST_OBJECTS, SINGULAR, ApiError
from .dispatch_auth import AuthMixin
from .dispatch_data import OBJECTS, DispatchData
from .dispatch_query import QueryMixin
from .variations import add_variation_arguments, variations_from_args


class DispatchEmulator(AuthMixin, QueryMixin, AdminMixin):
    """The router: ``emulator(method, path, query, headers, body)``.

    It serves the record dicts of ``data`` themselves: admin changes show in
    ``data.records`` too, while ``data.truth()`` keeps describing the generated state.
    Routing is here; the token grants, the lists and the admin side are its mixins
    (:mod:`.dispatch_auth`, :mod:`.dispatch_query`, :mod:`.dispatch_admin`).
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
