"""DispatchSource against the emulator, in-process, over real loopback sockets."""

import json
import logging
from datetime import datetime, timedelta, timezone

import pytest
import requests

from emulators.dispatch import DispatchEmulator
from emulators.dispatch_data import OBJECTS, DispatchData
from emulators.httpbase import EmulatorServer
from services.dispatch_client import DispatchSource, parse_timestamp
from services.errors import (
    SourceAuthError,
    SourceConfigError,
    SourceConnectionError,
    SourceHTTPError,
    SourceNotFound,
    SourceObjectUnreadable,
)

SECRET = "emulator-secret"


class RecordingSleep:
    def __init__(self):
        self.waits = []

    def __call__(self, seconds):
        self.waits.append(seconds)


@pytest.fixture(scope="module")
def data():
    return DispatchData(1, seed=21)


@pytest.fixture
def emulator(data):
    return DispatchEmulator(data)


@pytest.fixture
def server(emulator):
    with EmulatorServer(emulator) as srv:
        yield srv


@pytest.fixture
def sleep():
    return RecordingSleep()


def make_source(server, sleep=None, **options):
    options.setdefault("client_id", "emulator-client")
    options.setdefault("client_secret", SECRET)
    options.setdefault("backoff_base", 0.001)
    options.setdefault("backoff_max", 5.0)
    options.setdefault("timeout", (2, 5))
    return DispatchSource(server.url, sleep=sleep or RecordingSleep(), **options)


def pull(source, obj, **kwargs):
    return [record for page in source.iter_pages(obj, **kwargs) for record in page]


def canonical(records):
    """Records as comparable JSON, by id."""
    return {r["id"]: json.dumps(r, sort_keys=True) for r in records}


def test_full_pull_gives_every_record_exactly(server, data):
    source = make_source(server)
    source.test_connection()
    assert source.list_objects() == [
        "customers", "users", "organizations", "brands", "sources", "jobs", "job_contacts",
        "appointments", "survey_responses", "attachments"]
    assert set(source.list_objects()) == set(OBJECTS)
    for obj in source.list_objects():
        records = pull(source, obj)
        assert canonical(records) == canonical(data.records[obj]), obj
        assert len(records) == len(data.records[obj])
        if obj != "job_contacts":
            assert source.count(obj) == len(data.records[obj])
    assert source.count("job_contacts") is None
    assert source.issues == []
    assert source.auth.tokens_obtained == 1
    source.close()


def test_paging_follows_meta_total(server, data):
    source = make_source(server, page_size=7)
    sizes = [len(page) for page in source.iter_pages("customers")]
    total = len(data.records["customers"])
    assert sizes == [7] * (total // 7) + ([total % 7] if total % 7 else [])


def test_concurrent_pages_come_in_order(server, data):
    source = make_source(server, page_size=9, fetch_concurrency=4)
    ids = [r["id"] for page in source.iter_pages("jobs") for r in page]
    assert ids == [j["id"] for j in data.records["jobs"]]


def test_smaller_server_limit_is_detected(server, emulator, data):
    emulator.max_limit = 30
    source = make_source(server)
    assert len(pull(source, "jobs")) == len(data.records["jobs"])


def test_job_contacts_concurrently_match_sequential(server, data):
    sequential = pull(make_source(server, max_workers=1), "job_contacts")
    concurrent = pull(make_source(server, max_workers=8), "job_contacts")
    assert [c["id"] for c in concurrent] == [c["id"] for c in sequential]
    assert canonical(concurrent) == canonical(data.records["job_contacts"])


def test_token_reused_then_refreshed_after_expiry(server, emulator):
    source = make_source(server)
    source.count("jobs")
    source.count("users")
    assert source.auth.tokens_obtained == 1
    requests.post(server.url + "/_admin/tokens/expire", timeout=5)
    assert source.count("jobs") > 0
    assert source.auth.tokens_obtained == 2


def test_short_lived_token_is_renewed_before_use(server, emulator):
    emulator.token_ttl = 0.2
    source = make_source(server)
    source.count("jobs")
    source.auth._expires_at = 0  # as if the clock had passed expires_in
    source.count("jobs")
    assert source.auth.tokens_obtained == 2


@pytest.mark.parametrize("options", [
    {"client_secret": "wrong-secret-123"},
    {"username": "dispatcher@example.com", "password": "wrong-secret-123"},
    {"username": "dispatcher@example.com", "password": "dispatch-password",
     "client_secret": "wrong-secret-123"},
    {"client_id": None, "client_secret": None, "refresh_token": "wrong-secret-123"},
])
def test_wrong_credentials_raise_clear_auth_error_without_secret(server, options, caplog):
    caplog.set_level(logging.DEBUG)
    source = make_source(server, **options)
    with pytest.raises(SourceAuthError) as exc:
        source.test_connection()
    message = str(exc.value)
    assert "Dispatch refused" in message and "Check the credentials" in message
    assert "wrong-secret-123" not in message + json.dumps(exc.value.to_dict())
    assert "wrong-secret-123" not in caplog.text


def test_password_grant_and_refresh_token_grant(server):
    source = make_source(server, username="dispatcher@example.com",
                         password="dispatch-password")
    source.test_connection()
    refresh_token = source.auth._refresh_token
    again = make_source(server, client_id=None, client_secret=None, refresh_token=refresh_token)
    assert again.count("brands") > 0


class GrantRecorder:
    """A token client that records the grant bodies it is asked for."""

    def __init__(self):
        self.bodies = []

    def request(self, method, path, json=None):
        self.bodies.append(json)
        answer = {"access_token": "t", "expires_in": 10800, "refresh_token": "r"}
        return type("Answer", (), {"json": lambda self: answer})()


def test_password_grant_carries_client_credentials_as_documented():
    from services.dispatch_client import DispatchOAuth

    recorder = GrantRecorder()
    auth = DispatchOAuth(recorder, client_id="id", client_secret="secret",
                         username="me@example.com", password="pw")
    auth.apply({})
    assert auth.grant_type == "password"  # username + password: the user's grant
    assert recorder.bodies == [{"grant_type": "password", "username": "me@example.com",
                                "password": "pw", "client_id": "id",
                                "client_secret": "secret"}]
    # the choice is explicit when asked for: client credentials although a user is given
    recorder = GrantRecorder()
    auth = DispatchOAuth(recorder, client_id="id", client_secret="secret",
                         username="me@example.com", password="pw",
                         grant_type="client_credentials")
    auth.apply({})
    assert recorder.bodies[0] == {"grant_type": "client_credentials", "client_id": "id",
                                  "client_secret": "secret"}
    with pytest.raises(SourceConfigError, match="client id and client secret"):
        DispatchOAuth(recorder, username="me@example.com", password="pw")
    with pytest.raises(SourceConfigError, match="client id and a client secret"):
        DispatchOAuth(recorder, username="me@example.com", password="pw",
                      client_id="id", grant_type="client_credentials")


def test_source_factory_passes_the_chosen_grant(server):
    from services.source_factory import build_source

    settings = {"kind": "dispatch", "url": server.url, "allow_loopback": True,
                "auth_method": "password", "client_id": "emulator-client",
                "client_secret": SECRET, "username": "dispatcher@example.com",
                "password": "dispatch-password"}
    source = build_source(settings)
    assert source.auth.grant_type == "password"
    source.test_connection()
    settings["auth_method"] = "client_credentials"
    assert build_source(settings).auth.grant_type == "client_credentials"


@pytest.mark.parametrize(("api", "files"), [
    ("https://api.dispatch.me", "https://files-api.dispatch.me"),
    ("https://api-sandbox.dispatch.me", "https://files-api-sandbox.dispatch.me"),
    ("http://127.0.0.1:9999", "http://127.0.0.1:9999"),
])
def test_files_host_follows_the_api_host(api, files):
    source = DispatchSource(api, client_id="a", client_secret="b")
    assert source.files_http.url_for("v1/datafiles/x").startswith(files + "/")
    source.close()


def test_unpaged_job_contacts_are_read_once(server, emulator, data):
    """The docs answer ``/v3/jobs/:id/contacts`` whole, without ``meta``."""
    emulator.unpaged_subresources = True
    source = make_source(server)
    contacts = pull(source, "job_contacts")
    assert len(contacts) == len(data.records["job_contacts"])
    assert len({c["id"] for c in contacts}) == len(contacts)
    assert canonical(contacts) == canonical(data.records["job_contacts"])


def test_short_page_without_meta_ends_the_list(data):
    """A page shorter than the limit is the last one, whether or not ``meta`` is there."""
    source = DispatchSource("http://127.0.0.1:1", client_id="a", client_secret="b")
    calls = []
    records = [{"id": n} for n in range(250)]

    def fetch(params):
        calls.append(params["offset"])
        chunk = records[params["offset"]:params["offset"] + params["limit"]]
        return {"records": chunk, "total": None}
    first = fetch({"limit": 100, "offset": 0})
    pages = list(source._pages_after(fetch, {}, 100, first))
    assert [len(p) for p in pages] == [100, 100, 50] and calls == [0, 100, 200]
    calls.clear()
    first = fetch({"limit": 300, "offset": 0})
    assert [len(p) for p in source._pages_after(fetch, {}, 300, first)] == [250]
    assert calls == [0]  # no second call after a short first page
    source.close()


def test_missing_credentials_is_a_config_error(server):
    with pytest.raises(SourceConfigError):
        make_source(server, client_id=None, client_secret=None)


def test_host_outside_allow_list_is_refused(server):
    with pytest.raises(SourceConfigError):
        make_source(server, allowed_hosts=["api.dispatch.me"])


def test_not_found_forbidden_and_unknown_object(server, emulator):
    source = make_source(server)
    with pytest.raises(SourceNotFound):
        source.http.get_json("v3/jobs/1")
    with pytest.raises(SourceConfigError):
        list(source.iter_pages("invoices"))
    emulator.forbidden = {"users"}
    with pytest.raises(SourceObjectUnreadable) as exc:
        pull(source, "users")
    assert exc.value.status == 403 and exc.value.object == "users"
    assert "Not allowed to read users" in exc.value.vendor_message


def test_422_carries_the_errors_body(server):
    source = make_source(server)
    with pytest.raises(SourceHTTPError) as exc:
        source.http.get_json("v3/appointments", params={"filter[time_gt]": "someday"})
    assert exc.value.status == 422 and "time_gt" in exc.value.body_excerpt


def test_since_ignored_by_server_falls_back_to_full_scan(server, data):
    source = make_source(server)
    since = datetime(2024, 7, 1, tzinfo=timezone.utc)
    records = pull(source, "jobs", since=since)
    assert len(records) == len(data.records["jobs"])
    assert source.supports_since("jobs") is False
    assert source.supports_since("job_contacts") is False


def test_since_honoured_is_detected_and_used(server, emulator, data):
    emulator.honour_updated_filter = True
    source = make_source(server)
    since = datetime(2024, 7, 1, tzinfo=timezone.utc)
    records = pull(source, "jobs", since=since)
    expected = [j["id"] for j in data.records["jobs"] if j["updated_at"] >= "2024-07-01"]
    assert [r["id"] for r in records] == expected
    assert source.supports_since("jobs") is True


def test_since_picks_up_runtime_changes():
    data = DispatchData(1, seed=22)
    emulator = DispatchEmulator(data, honour_updated_filter=True)
    with EmulatorServer(emulator) as server:
        source = make_source(server)
        before = datetime.now(timezone.utc)
        changed = data.records["customers"][3]["id"]
        requests.patch(f"{server.url}/_admin/customers/{changed}", json={"notes": "moved"},
                       timeout=5)
        created = requests.post(f"{server.url}/_admin/customers", json={"first_name": "Zed"},
                                timeout=5).json()["customer"]["id"]
        records = pull(source, "customers", since=before)
        assert [r["id"] for r in records] == [changed, created]
        assert records[0]["notes"] == "moved"


def test_since_inside_the_same_second_is_not_taken_for_an_ignored_filter():
    data = DispatchData(1, seed=24)
    with EmulatorServer(DispatchEmulator(data, honour_updated_filter=True)) as server:
        changed = data.records["users"][0]["id"]
        stamp = requests.patch(f"{server.url}/_admin/users/{changed}", json={"last_name": "X"},
                               timeout=5).json()["user"]["updated_at"]
        since = parse_timestamp(stamp) + timedelta(microseconds=1)  # filter says whole seconds
        source = make_source(server)
        assert [r["id"] for r in pull(source, "users", since=since)] == [changed]
        assert source.supports_since("users") is True


def test_custom_fields_are_typed_from_values(server):
    fields = {f.name: f for f in make_source(server).custom_fields()}
    assert {name: f.type for name, f in fields.items()} == {
        "warranty_number": "char", "priority": "selection", "visit_count": "integer",
        "unit_tonnage": "float", "is_commercial": "boolean", "install_date": "date"}
    assert sorted(fields["priority"].options) == ["Emergency", "High", "Low", "Normal"]
    assert all(f.object == "jobs" for f in fields.values())


def test_open_attachment_streams_through_redirect(server, data):
    source = make_source(server)
    for attachment in data.records["attachments"][:6]:
        stream = source.open_attachment(attachment)
        chunks = []
        while chunk := stream.read(1024):
            chunks.append(chunk)
        stream.close()
        assert b"".join(chunks) == data.file(attachment["file_token"])[2]
    with pytest.raises(SourceNotFound):
        source.open_attachment({"id": 1, "file_token": "missing"})


def test_429_retry_after_is_honoured(server, sleep):
    server.set_faults(rate_429=0.5, retry_after_seconds=2, seed=1)
    source = make_source(server, sleep, max_retries=20)
    assert len(pull(source, "customers", page_size=20)) > 0
    assert sleep.waits and set(sleep.waits) == {2.0}


def test_429_without_retry_after_backs_off(server, sleep):
    server.set_faults(rate_429_no_retry_after=0.5, seed=2)
    source = make_source(server, sleep, max_retries=20, backoff_base=0.01, backoff_max=0.05)
    pull(source, "users", page_size=2)
    assert sleep.waits and all(0 <= w <= 0.05 for w in sleep.waits)


@pytest.mark.parametrize("knob", ["rate_5xx", "drop_rate"])
def test_server_errors_and_drops_are_retried(server, data, sleep, knob):
    server.set_faults(**{knob: 0.4, "seed": 3})
    source = make_source(server, sleep, max_retries=20)
    assert canonical(pull(source, "brands", page_size=1)) == canonical(data.records["brands"])
    assert sleep.waits


def test_slow_answers_time_out_and_are_retried(server, data, sleep):
    server.set_faults(slow_rate=0.5, slow_seconds=0.3, seed=4)
    source = make_source(server, sleep, max_retries=20, timeout=(1, 0.1))
    assert len(pull(source, "sources", page_size=1)) == len(data.records["sources"])
    assert sleep.waits


def test_persistent_failure_raises_connection_error(server, sleep):
    server.set_faults(drop_rate=1.0)
    source = make_source(server, sleep, max_retries=2)
    with pytest.raises(SourceConnectionError) as exc:
        source.test_connection()
    assert SECRET not in str(exc.value)


def test_malformed_records_become_issues(server, data):
    server.set_faults(malformed_rate=0.1, seed=5)
    source = make_source(server)
    records = pull(source, "customers")
    damaged = [i for i in source.issues if i.object == "customers"]
    assert damaged and len(records) + len(damaged) == len(data.records["customers"])
    assert {i.reason.split(",")[0] for i in damaged} >= {"record has no id"}
    again = make_source(server)
    assert [r["id"] for r in pull(again, "customers")] == [r["id"] for r in records]


def test_pull_under_twenty_percent_faults_equals_fault_free_pull():
    data = DispatchData(10, seed=23)
    with EmulatorServer(DispatchEmulator(data)) as server:
        clean_source = make_source(server, fetch_concurrency=4, max_workers=8)
        clean = {obj: canonical(pull(clean_source, obj)) for obj in OBJECTS}
        server.set_faults(rate_429=0.05, rate_429_no_retry_after=0.05, rate_5xx=0.05,
                          drop_rate=0.05, retry_after_seconds=0, seed=6)
        sleep = RecordingSleep()
        faulty_source = make_source(server, sleep, fetch_concurrency=4, max_workers=8,
                                    max_retries=12)
        faulty = {obj: canonical(pull(faulty_source, obj)) for obj in OBJECTS}
    assert len(sleep.waits) > 100, "faults must really have happened"
    for obj in OBJECTS:
        assert faulty[obj] == clean[obj], obj
        assert len(clean[obj]) == len(data.records[obj])
    assert faulty_source.issues == []


@pytest.mark.parametrize("status", [401, 403, 404, 405, 501])
@pytest.mark.parametrize("obj", ["organizations", "customers", "job_contacts"])
def test_an_unreadable_object_is_told_apart(server, emulator, obj, status):
    """One object's endpoint refusing is ``SourceObjectUnreadable`` from count,
    iter_pages and iter_records; the other objects read on; the connection holds."""
    emulator.unreadable = {obj: status}
    source = make_source(server, max_retries=1)
    source.test_connection()  # the token proves the credentials
    calls = [lambda: pull(source, obj), lambda: list(source.iter_records(obj))]
    if obj != "job_contacts":
        calls.append(lambda: source.count(obj))
    for call in calls:
        with pytest.raises(SourceObjectUnreadable) as exc:
            call()
        assert exc.value.object == obj and exc.value.status == status
        assert exc.value.vendor_message and "not readable" in str(exc.value)
    assert pull(source, "jobs")


def test_refused_credentials_and_host_down_stay_fatal(server, emulator, sleep):
    source = make_source(server, client_secret="wrong")
    for call in (source.test_connection, lambda: pull(source, "customers"),
                 lambda: source.count("customers")):
        with pytest.raises(SourceAuthError) as exc:
            call()
        assert not isinstance(exc.value, SourceObjectUnreadable) and exc.value.source_wide
    down = DispatchSource("http://127.0.0.1:9", client_id="a", client_secret="b",
                          max_retries=0, sleep=sleep, timeout=(0.5, 0.5))
    with pytest.raises(SourceConnectionError):
        pull(down, "customers")
