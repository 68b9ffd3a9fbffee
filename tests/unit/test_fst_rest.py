"""The configurable FST REST adapter against the FST emulator, over real loopback sockets."""

import hashlib
import json
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest
import requests

from emulators.fst import FstCredentials, make_server
from emulators.fst_data import generate
from emulators.httpbase import FaultConfig
from services.errors import (
    SourceAuthError,
    SourceConfigError,
    SourceConnectionError,
    SourceDataError,
    SourceHTTPError,
)
from services.fst_rest import FstRestConfig, FstRestSource, OAuth2ClientCredentials, dig
from services.http_client import HttpClient

CREDENTIALS = FstCredentials()
AUTH_SETTINGS = {
    "bearer": {"token": CREDENTIALS.token},
    "apikey": {"api_key": CREDENTIALS.api_key},
    "basic": {"username": CREDENTIALS.user, "password": CREDENTIALS.password},
    "oauth2": {"client_id": CREDENTIALS.client_id, "client_secret": CREDENTIALS.client_secret},
}
#: how each emulator pagination style is described to the adapter
PAGINATION_SETTINGS = {
    "page": {},
    "offset": {},
    "cursor": {},
    "link": {"records_path": "", "total_path": "", "total_header": "X-Total-Count"},
}
SECRETS = (CREDENTIALS.token, CREDENTIALS.api_key, CREDENTIALS.password,
           CREDENTIALS.client_secret)


@pytest.fixture(scope="module")
def dataset():
    return generate(1, seed=11)


@pytest.fixture
def serve(dataset):
    """Start an emulator over a fresh copy of the data; stopped after the test."""
    servers = []

    def start(**options):
        data = generate(1, seed=11) if options.pop("fresh", False) else dataset
        server = make_server(dataset=data, seed=11, **options).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


def make_source(server, auth="bearer", pagination="page", sleeps=None, **settings):
    config = {"base_url": server.url, "auth_type": auth, "pagination": pagination,
              "page_size": 40, **AUTH_SETTINGS[auth], **PAGINATION_SETTINGS[pagination],
              **settings}
    sleep = sleeps.append if sleeps is not None else (lambda seconds: None)
    return FstRestSource(config, sleep=sleep)


def ids(records):
    return [r["id"] for r in records]


@pytest.mark.parametrize("pagination", ["page", "offset", "cursor", "link"])
@pytest.mark.parametrize("auth", ["bearer", "apikey", "basic", "oauth2"])
def test_every_auth_and_pagination_style_reads_every_record(auth, pagination, serve, dataset):
    server = serve(auth=auth, pagination=pagination)
    source = make_source(server, auth, pagination)
    source.test_connection()
    for obj in ("customers", "work_orders"):
        pages = list(source.iter_pages(obj))
        assert all(len(page) <= 40 for page in pages) and len(pages) > 1
        records = [r for page in pages for r in page]
        expected = dataset.records[obj]
        assert ids(records) == [r[f"{obj[:-1]}_id"] for r in expected]
        assert records[0] == {**expected[0], "id": expected[0][f"{obj[:-1]}_id"]}
        assert source.count(obj) == len(expected)
    assert [f.name for f in source.custom_fields()] == [
        f["name"] for f in dataset.custom_fields]
    assert source.issues == []
    source.close()


@pytest.mark.parametrize("auth", ["bearer", "apikey", "basic", "oauth2"])
def test_wrong_credentials_are_an_auth_error_without_the_secret(auth, serve):
    server = serve(auth=auth)
    wrong = {key: value + "-wrong" for key, value in AUTH_SETTINGS[auth].items()}
    source = make_source(server, auth, **wrong)
    with pytest.raises(SourceAuthError) as caught:
        source.test_connection()
    message = json.dumps(caught.value.to_dict())
    assert not any(secret in message for secret in (*SECRETS, *wrong.values()))


def test_oauth2_token_is_fetched_once_and_renewed_after_a_401(serve):
    server = serve(auth="oauth2")
    source = make_source(server, "oauth2")
    pages = source.iter_pages("work_orders")
    first = next(pages)
    assert server.router.token_requests == 1
    requests.post(server.url + "/_admin/revoke_tokens", timeout=5)
    rest = [r for page in pages for r in page]
    assert len(first) + len(rest) == len(server.router.dataset.records["work_orders"])
    assert server.router.token_requests == 2


def test_oauth2_token_is_renewed_before_it_expires(serve):
    server = serve(auth="oauth2", token_ttl=60)
    now = [1000.0]
    auth = OAuth2ClientCredentials("/oauth/token", CREDENTIALS.client_id,
                                   CREDENTIALS.client_secret, token_client=HttpClient(
                                       server.url), clock=lambda: now[0])
    headers = {}
    auth.apply(headers)
    auth.apply(headers)
    assert server.router.token_requests == 1
    now[0] += 60 - 29  # inside the renewal margin
    auth.apply(headers)
    assert server.router.token_requests == 2
    assert headers["Authorization"] == f"Bearer {auth.access_token}"


def test_faults_are_retried_and_every_record_read_exactly_once(serve, dataset):
    faults = FaultConfig(rate_429=0.15, rate_429_no_retry_after=0.1, rate_5xx=0.15,
                         drop_rate=0.05, seed=3, retry_after_seconds=2)
    server = serve(pagination="offset", faults=faults)
    sleeps = []
    source = make_source(server, pagination="offset", sleeps=sleeps, max_retries=12)
    records = list(source.iter_records("work_orders"))
    assert ids(records) == [w["work_order_id"] for w in dataset.records["work_orders"]]
    assert 2.0 in sleeps, "Retry-After was not honoured"
    assert any(0 <= s < 2.0 for s in sleeps), "no jittered backoff without Retry-After"


def test_a_server_that_keeps_failing_is_an_http_error(serve):
    server = serve(faults=FaultConfig(rate_5xx=1.0))
    source = make_source(server, max_retries=2)
    with pytest.raises(SourceHTTPError, match="after 3 attempts"):
        list(source.iter_records("customers"))


def test_a_slow_server_times_out_as_a_connection_error(serve):
    server = serve(faults=FaultConfig(slow_rate=1.0, slow_seconds=0.6))
    source = make_source(server, max_retries=1, read_timeout=0.2)
    started = time.perf_counter()
    with pytest.raises(SourceConnectionError, match="failed after 2 attempts"):
        source.test_connection()
    assert time.perf_counter() - started < 2


def test_malformed_records_become_issues_and_the_rest_comes_through(serve, dataset):
    server = serve(pagination="cursor", faults=FaultConfig(malformed_rate=0.1, seed=5))
    source = make_source(server, pagination="cursor")
    records = list(source.iter_records("customers"))
    customers = dataset.records["customers"]
    assert 0 < len(source.issues) < len(customers) // 4
    assert len(records) + len(source.issues) == len(customers)
    reasons = {issue.reason.split(" but ")[0] for issue in source.issues}
    assert reasons == {"record is not a JSON object", "record has no 'customer_id'"}
    good = {c["customer_id"] for c in customers} - {r["id"] for r in records}
    assert len(good) == len(source.issues)


@pytest.mark.parametrize("server_filters", [True, False])
def test_delta_pickup_sees_changes_made_while_running(server_filters, serve):
    server = serve(fresh=True)
    admin = server.url + "/_admin/records/customers"
    source = make_source(server, updated_since_param="updated_since" if server_filters
                         else "")
    assert source.supports_since("customers") is server_filters
    cutoff = datetime.now(timezone.utc).replace(microsecond=0)
    before = source.count("customers")
    created = requests.post(admin, json={"name": "New Co"}, timeout=5).json()["data"]
    first = server.router.dataset.records["customers"][0]["customer_id"]
    requests.patch(f"{admin}/{first}", json={"name": "Renamed"}, timeout=5)
    last = server.router.dataset.records["customers"][-2]["customer_id"]
    assert requests.delete(f"{admin}/{last}", timeout=5).status_code == 204
    changed = list(source.iter_records("customers", since=cutoff))
    assert {(r["id"], r["name"]) for r in changed} == {
        (first, "Renamed"), (created["customer_id"], "New Co")}
    assert source.count("customers") == before
    assert last not in ids(source.iter_records("customers"))


def test_attachments_stream_with_their_checksum(serve, dataset):
    server = serve()
    source = make_source(server)
    manifest = list(source.iter_records("attachments"))
    assert len(manifest) == len(dataset.records["attachments"])
    for row in manifest[:8]:
        with source.open_attachment(row) as stream:
            digest = hashlib.sha1()
            for chunk in iter(lambda: stream.read(100), b""):
                digest.update(chunk)
        assert digest.hexdigest() == row["sha1"]
    with source.open_attachment(manifest[0]["id"]) as stream:
        assert hashlib.sha1(stream.read()).hexdigest() == manifest[0]["sha1"]


def test_without_a_total_paging_goes_on_until_an_empty_page(serve, dataset):
    server = serve()
    source = make_source(server, total_path="", page_size=500)
    assert source.count("customers") is None
    pages = list(source.iter_pages("customers", page_size=30))
    assert len(pages) == -(-len(dataset.records["customers"]) // 30)
    assert ids(r for page in pages for r in page) == [
        c["customer_id"] for c in dataset.records["customers"]]


def test_records_path_that_does_not_match_is_a_data_error(serve):
    server = serve()
    source = make_source(server, records_path="result.items")
    with pytest.raises(SourceDataError, match="no list of records at 'result.items'"):
        list(source.iter_pages("customers"))


def test_an_api_that_ignores_paging_is_detected(serve):
    server = serve(pagination="offset")
    source = make_source(server, pagination="page", total_path="")
    with pytest.raises(SourceDataError, match="ignores the pagination"):
        list(source.iter_pages("customers"))


def test_hosts_outside_the_allow_list_are_refused(serve):
    server = serve()
    with pytest.raises(SourceConfigError, match="not in the allowed hosts"):
        make_source(server, allowed_hosts=["fst.example.com"])
    assert make_source(server, allowed_hosts=["127.0.0.1"]).count("customers")


def test_config_from_a_plain_dict_validates_every_problem_at_once():
    with pytest.raises(SourceConfigError) as caught:
        FstRestConfig.from_dict({"base_url": "ftp://x", "auth_type": "oauth2",
                                 "pagination": "pages", "page_size": 0, "colour": "red",
                                 "attachment_content_endpoint": "/files"})
    message = str(caught.value)
    for expected in ("unknown setting 'colour'", "base_url 'ftp://x' must start with https://",
                     "client_id is required with auth_type 'oauth2'",
                     "pagination 'pages' is not one of page, offset, cursor, link",
                     "page_size 0 must be a whole number from 1 to 10000",
                     "attachment_content_endpoint must contain {id}"):
        assert expected in message
    with pytest.raises(SourceConfigError, match="base_url is required"):
        FstRestConfig.from_dict({"auth_type": "none"})


def test_config_round_trips_through_json_and_hides_secrets_in_repr():
    config = FstRestConfig.from_dict({
        "base_url": "https://fst.example.com", "auth_type": "basic", "username": "u",
        "password": "s3cret", "endpoints": {"work_orders": "/v2/jobs", "notes": ""},
        "id_fields": {"work_orders": "uid"}})
    assert config.endpoints["work_orders"] == "/v2/jobs"
    assert config.endpoints["customers"] == "/api/v1/customers"
    assert config.id_fields == {**config.id_fields, "work_orders": "uid",
                                "customers": "customer_id"}
    assert FstRestConfig.from_dict(json.loads(json.dumps(config.to_dict()))) == config
    assert "s3cret" not in repr(config)
    source = FstRestSource(config)
    assert "notes" not in source.list_objects() and "work_orders" in source.list_objects()


def test_dig_follows_dotted_paths():
    payload = {"result": {"items": [1, 2], "pages": [{"next": "c2"}]}}
    assert dig(payload, "result.items") == [1, 2]
    assert dig(payload, "result.pages.0.next") == "c2"
    assert dig(payload, "") is payload
    assert dig(payload, "result.missing.x") is None


def test_command_line_serves_the_api():
    root = Path(__file__).resolve().parents[2]
    process = subprocess.Popen(
        [sys.executable, "-m", "emulators.fst", "--port", "0", "--scale", "0.2",
         "--auth", "apikey", "--pagination", "cursor"],
        cwd=root, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        url = process.stdout.readline().split()[-1]
        source = FstRestSource({"base_url": url, "auth_type": "apikey",
                                "api_key": CREDENTIALS.api_key, "pagination": "cursor"})
        assert len(list(source.iter_records("customers"))) == len(
            generate(0.2, 0).records["customers"])
    finally:
        process.terminate()
        process.wait(timeout=10)
