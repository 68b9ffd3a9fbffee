"""Contract test: Dispatch's official Python SDK (``DispatchMe/python-sdk``) against our
emulator, compared with what our own client (``DispatchSource``) reads.

The SDK is never part of this repository: it is fetched and installed outside it, like
Odoo, and found in ``$DISPATCH_SDK_SRC``, ``/opt/dispatch-python-sdk`` or
``~/dispatch-python-sdk`` (a checkout holding ``dispatchsdk/client.py``). Without it the
whole module is skipped. It needs only ``requests`` (in requirements-test.txt), so it is
imported from its checkout as it is, unmodified.

What the SDK does, and so what is checked here:

* ``Client(client_id, client_secret, username, password, api_url)``: ``POST
  /v3/oauth/token`` with a JSON body; the password grant when a username is given (the
  client id and secret go with it), else client credentials.
* ``list_<plural>(query)``: ``GET /v3/<plural>?filter[<key>]=<value>`` for each key of
  ``query``, as given (no predicate added: ``{"status": "scheduled"}`` is
  ``filter[status]=scheduled``). It sends no ``limit``/``offset``: it reads the first
  page only (the server's default size). Paging with the SDK is ``do_request`` on a path
  that carries its own ``limit``/``offset`` (``query=None``).
* It answers the first key of the body that is not ``meta``; it has no call for job
  contacts, read here with ``do_request("get", "/v3/jobs/<id>/contacts")``.
"""

import os
import sys
import warnings
from pathlib import Path
from urllib.parse import urlencode

import pytest

from emulators.dispatch import DispatchEmulator
from emulators.dispatch_data import DispatchData
from emulators.httpbase import EmulatorServer
from emulators.variations import Variations
from services.dispatch_client import DispatchSource

CLIENT_ID, CLIENT_SECRET = "emulator-client", "emulator-secret"
USERNAME, PASSWORD = "dispatcher@example.com", "dispatch-password"
#: the server's default page size, all the SDK's list calls ever get
DEFAULT_PAGE = 25


def _sdk_locations():
    env = os.environ.get("DISPATCH_SDK_SRC")
    return [*([Path(env)] if env else []), Path("/opt/dispatch-python-sdk"),
            Path.home() / "dispatch-python-sdk"]


def _find_sdk():
    for location in _sdk_locations():
        if (location / "dispatchsdk" / "client.py").is_file():
            return location
    return None


SDK_ROOT = _find_sdk()
if SDK_ROOT is None:
    pytest.skip("Dispatch python-sdk not found (no dispatchsdk/client.py in "
                + ", ".join(map(str, _sdk_locations()))
                + "; $DISPATCH_SDK_SRC names another checkout): contract test skipped",
                allow_module_level=True)
if str(SDK_ROOT) not in sys.path:
    sys.path.insert(0, str(SDK_ROOT))
with warnings.catch_warnings():
    # the SDK compares with ``is`` against literals: SyntaxWarning on Python >= 3.8
    warnings.simplefilter("ignore", SyntaxWarning)
    import dispatchsdk


@pytest.fixture(autouse=True)
def _quiet_sdk(capsys):
    """The SDK prints every URL and response body: keep them out of the output."""
    yield
    capsys.readouterr()


@pytest.fixture(scope="module")
def data():
    return DispatchData(1, seed=31)


@pytest.fixture(scope="module")
def emulator(data):
    return DispatchEmulator(data)


@pytest.fixture(scope="module")
def server(emulator):
    with EmulatorServer(emulator) as srv:
        yield srv


@pytest.fixture(scope="module")
def ours(server):
    """Everything our client reads, by object: ``{obj: [records]}``."""
    source = DispatchSource(server.url, client_id=CLIENT_ID, client_secret=CLIENT_SECRET,
                            username=USERNAME, password=PASSWORD, timeout=(2, 10),
                            backoff_base=0.001)
    try:
        source.test_connection()
        return {obj: [r for page in source.iter_pages(obj) for r in page]
                for obj in ("customers", "users", "jobs", "job_contacts", "appointments",
                            "survey_responses", "attachments")}
    finally:
        source.close()


def sdk_client(server, **options):
    options = {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, "username": USERNAME,
               "password": PASSWORD, **options}
    return dispatchsdk.Client(api_url=server.url, **options)


@pytest.fixture(scope="module")
def sdk(server):
    return sdk_client(server)


def sdk_all(client, path, filters=None, limit=100):
    """Every record of ``path`` through the SDK, paging as its docs say (limit/offset)."""
    records, offset = [], 0
    while True:
        query = {**{f"filter[{k}]": v for k, v in (filters or {}).items()},
                 "limit": limit, "offset": offset}
        page = client.do_request("get", f"{path}?{urlencode(query)}")
        records.extend(page)
        offset += len(page)
        if len(page) < limit:
            return records


def ids(records):
    return [r["id"] for r in records]


def test_password_grant_as_the_sdk_sends_it(server):
    """Client id + secret + username + password: a token; any one of them wrong: refused."""
    assert ids(sdk_client(server).list_customers({}))
    for wrong in ({"client_secret": "nope"}, {"client_id": "nope"}, {"password": "nope"},
                  {"username": "someone@example.com"}):
        with pytest.raises(dispatchsdk.RequestError) as refused:
            sdk_client(server, **wrong).list_customers({})
        assert refused.value.code in (400, 401), wrong


def test_client_credentials_grant_as_the_sdk_sends_it(server, ours):
    client = sdk_client(server, username=None, password=None)
    assert ids(client.list_jobs({})) == ids(ours["jobs"])[:DEFAULT_PAGE]


@pytest.mark.parametrize("obj", ["customers", "users", "jobs", "appointments",
                                 "survey_responses", "attachments"])
def test_sdk_lists_what_our_client_reads(sdk, ours, obj):
    """The SDK's own list call (first page, server default size), then every page."""
    own_list = {"customers": sdk.list_customers, "users": sdk.list_users,
                "jobs": sdk.list_jobs, "appointments": sdk.list_appointments,
                "survey_responses": lambda q: sdk.list(sdk.path_for("survey"), q),
                "attachments": sdk.list_attachments}[obj]
    assert ids(own_list({})) == ids(ours[obj])[:DEFAULT_PAGE]
    path = sdk.path_for({"customers": "customer", "users": "user", "jobs": "job",
                         "appointments": "appointment", "survey_responses": "survey",
                         "attachments": "attachment"}[obj])
    assert ids(sdk_all(sdk, path)) == ids(ours[obj])


def test_sdk_get_one_matches_our_record(sdk, ours):
    for obj, getter in (("customers", sdk.get_customer), ("jobs", sdk.get_job),
                        ("users", sdk.get_user), ("appointments", sdk.get_appointment),
                        ("attachments", sdk.get_attachment)):
        record = ours[obj][len(ours[obj]) // 2]
        assert getter(record["id"]) == record, obj


def test_predicate_less_filters_as_in_the_docs(sdk, ours):
    """``filter[status]=…`` (the docs' own example) and ``filter[job_id]=…``."""
    status = ours["jobs"][0]["status"]
    expected = [r["id"] for r in ours["jobs"] if r["status"] == status]
    assert ids(sdk.list_jobs({"status": status})) == expected[:DEFAULT_PAGE]
    assert ids(sdk_all(sdk, "/v3/jobs", {"status": status})) == expected
    appointment = ours["appointments"][0]
    job_id, status = appointment["job_id"], appointment["status"]
    assert ids(sdk.list_appointments({"job_id": job_id, "status": status})) == [
        r["id"] for r in ours["appointments"]
        if r["job_id"] == job_id and r["status"] == status]


def test_documented_user_filters(sdk, ours):
    """``by_user_roles``, ``email_eq``, ``organization_id_eq`` (the docs' users table)."""
    for roles in ("technician", "dispatcher", "dispatcher,technician"):
        wanted = set(roles.split(","))
        expected = [u["id"] for u in ours["users"] if wanted & set(u["roles"])]
        assert ids(sdk_all(sdk, "/v3/users", {"by_user_roles": roles})) == expected, roles
    user = ours["users"][1]
    assert ids(sdk.list_users({"email_eq": user["email"]})) == [
        u["id"] for u in ours["users"] if u["email"] == user["email"]]
    org = user["organization_id"]
    assert ids(sdk_all(sdk, "/v3/users", {"organization_id_eq": org})) == [
        u["id"] for u in ours["users"] if u["organization_id"] == org]


def test_surveys_for_job(sdk, ours):
    """The SDK's ``get_surveys_for_job``: ``filter[job_id]``."""
    job_id = ours["survey_responses"][0]["job_id"]
    assert ids(sdk.get_surveys_for_job(job_id)) == [
        r["id"] for r in ours["survey_responses"] if r["job_id"] == job_id]


@pytest.mark.parametrize("unpaged", [False, True], ids=["paged", "as-documented"])
def test_job_contacts_as_the_sdk_reads_them(server, emulator, sdk, ours, unpaged):
    """``GET /v3/jobs/:id/contacts`` (no SDK call for it: ``do_request``) gives each job's
    contacts once, as our client reads them, whether or not the answer is paged."""
    emulator.unpaged_subresources = unpaged
    try:
        if unpaged:
            source = DispatchSource(server.url, client_id=CLIENT_ID,
                                    client_secret=CLIENT_SECRET, timeout=(2, 10))
            try:
                contacts = [r for page in source.iter_pages("job_contacts") for r in page]
            finally:
                source.close()
        else:
            contacts = ours["job_contacts"]
        by_job = {}
        for contact in contacts:
            by_job.setdefault(contact["job_id"], []).append(contact["id"])
        assert len(ids(contacts)) == len(set(ids(contacts)))
        jobs = ours["jobs"][:40]
        for job in jobs:
            answer = sdk.do_request("get", f"/v3/jobs/{job['id']}/contacts",
                                    parse_response=False)
            assert ("meta" in answer) is not unpaged
            assert ids(answer["contacts"]) == by_job.get(job["id"], []), job["id"]
    finally:
        emulator.unpaged_subresources = False


def test_documented_filter_on_an_empty_or_sparse_collection_is_no_error(server):
    """A documented attribute stays filterable when the account has no record of the
    object, or never sends that field (a real account does not 400 on it)."""
    data = DispatchData(1, seed=31, variations=Variations(empty=("customers",),
                                                           absent_rate=1.0, seed=3))
    with EmulatorServer(DispatchEmulator(data)) as other:
        client = sdk_client(other)
        assert client.list_customers({"email_eq": "nobody@example.com"}) == []
        assert client.list_users({"email_eq": "nobody@example.com"}) == []
        assert client.list_jobs({"status": "scheduled"}) == []


def test_expired_token_is_a_401_the_sdk_does_not_survive(server, emulator):
    """Recorded SDK behaviour, not ours: its 401 retry compares ``status_code is 401``
    (never true for a parsed 401 in CPython), so an expired token is an error. Our
    client fetches a new token and retries (test_dispatch_client)."""
    client = sdk_client(server)
    assert client.list_users({})
    emulator("POST", "/_admin/tokens/expire", {}, {}, b"")
    with pytest.raises(dispatchsdk.RequestError) as expired:
        client.list_users({})
    assert expired.value.code == 401
