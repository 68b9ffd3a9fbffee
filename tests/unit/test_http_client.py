"""HttpClient against a real loopback server (emulators.httpbase), never mocked."""

import email.utils
import time
from datetime import datetime, timedelta, timezone

import pytest
import requests

from emulators.httpbase import EmulatorServer
from services.errors import (
    SourceAuthError,
    SourceConfigError,
    SourceConnectionError,
    SourceDataError,
    SourceHTTPError,
    SourceNotFound,
    SourceRateLimited,
)
from services.http_client import (
    ApiKeyAuth,
    BasicAuth,
    BearerAuth,
    HttpClient,
    parse_retry_after,
    redact,
    redact_url,
)

SECRET = "s3cr3t-t0ken-value"


class ScriptedRouter:
    """Answers each path from a queue of scripted answers, then with 200 {"ok": true}."""

    def __init__(self):
        self.scripts = {}
        self.hits = []

    def script(self, path, *answers):
        self.scripts[path] = list(answers)

    def __call__(self, method, path, query, headers, body):
        self.hits.append((method, path, query, headers))
        queue = self.scripts.get(path)
        if queue:
            return queue.pop(0)
        if path == "/text":
            return 200, {"Content-Type": "text/html"}, b"<html>not json</html>"
        return 200, {}, {"ok": True, "path": path}

    def count(self, path):
        return sum(1 for hit in self.hits if hit[1] == path)


class RecordingSleep:
    def __init__(self):
        self.waits = []

    def __call__(self, seconds):
        self.waits.append(seconds)


@pytest.fixture
def router():
    return ScriptedRouter()


@pytest.fixture
def server(router):
    with EmulatorServer(router) as srv:
        yield srv


@pytest.fixture
def sleep():
    return RecordingSleep()


def make_client(server, sleep, **kwargs):
    kwargs.setdefault("max_retries", 3)
    kwargs.setdefault("backoff_base", 0.5)
    kwargs.setdefault("backoff_max", 4.0)
    kwargs.setdefault("timeout", (2, 2))
    return HttpClient(server.url, sleep=sleep, **kwargs)


def test_success_sends_user_agent_and_auth(server, router, sleep):
    client = make_client(server, sleep, auth=BearerAuth(SECRET))
    assert client.get_json("/v3/things", params={"limit": 5}) == {"ok": True, "path": "/v3/things"}
    method, _path, query, headers = router.hits[-1]
    assert (method, query) == ("GET", {"limit": ["5"]})
    assert headers["authorization"] == f"Bearer {SECRET}"
    assert headers["user-agent"] == "field_service_migration"
    assert sleep.waits == []


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_server_errors_are_retried_with_bounded_jitter(server, router, sleep, status):
    router.script("/flaky", *[(status, {}, {"errors": "boom"})] * 3)
    client = make_client(server, sleep, max_retries=3)
    assert client.get_json("/flaky")["ok"] is True
    assert router.count("/flaky") == 4
    assert len(sleep.waits) == 3
    for attempt, wait in enumerate(sleep.waits):
        assert 0 <= wait <= min(4.0, 0.5 * 2**attempt)


def test_server_error_exhausted_raises_http_error(server, router, sleep):
    router.script("/down", *[(503, {}, {"errors": "maintenance"})] * 10)
    client = make_client(server, sleep, max_retries=2)
    with pytest.raises(SourceHTTPError) as exc:
        client.get_json("/down")
    assert exc.value.status == 503
    assert "3 attempts" in str(exc.value)
    assert exc.value.body_excerpt == '"maintenance"'
    assert router.count("/down") == 3


def test_retry_after_seconds_is_honoured_and_capped(server, router, sleep):
    router.script("/rl", (429, {"Retry-After": "3"}, {}), (429, {"Retry-After": "120"}, {}))
    client = make_client(server, sleep, backoff_max=10.0)
    assert client.get_json("/rl")["ok"] is True
    assert sleep.waits == [3.0, 10.0]


def test_retry_after_http_date_is_honoured(server, router, sleep):
    later = datetime.now(timezone.utc) + timedelta(seconds=3)
    router.script("/rl", (429, {"Retry-After": email.utils.format_datetime(later, True)}, {}))
    client = make_client(server, sleep)
    client.get_json("/rl")
    assert len(sleep.waits) == 1 and 1.0 <= sleep.waits[0] <= 3.0


def test_parse_retry_after():
    now = datetime(2025, 1, 1, tzinfo=timezone.utc)
    assert parse_retry_after("7", now) == 7.0
    assert parse_retry_after("Wed, 01 Jan 2025 00:00:05 GMT", now) == 5.0
    assert parse_retry_after("Tue, 31 Dec 2024 00:00:00 GMT", now) == 0.0
    assert parse_retry_after("soon", now) is None
    assert parse_retry_after(None, now) is None


def test_429_without_retry_after_uses_backoff_then_gives_up(server, router, sleep):
    router.script("/rl", *[(429, {}, {"errors": "slow down"})] * 10)
    client = make_client(server, sleep, max_retries=2)
    with pytest.raises(SourceRateLimited) as exc:
        client.get_json("/rl")
    assert exc.value.status == 429
    assert len(sleep.waits) == 2
    assert "lower the concurrency" in str(exc.value)


@pytest.mark.parametrize("status", [400, 422])
def test_client_errors_are_not_retried_and_carry_errors(server, router, sleep, status):
    router.script("/bad", (status, {}, {"errors": {"limit": ["must be <= 100"]}}))
    client = make_client(server, sleep)
    with pytest.raises(SourceHTTPError) as exc:
        client.get_json("/bad")
    assert not isinstance(exc.value, (SourceRateLimited, SourceNotFound))
    assert exc.value.status == status
    assert exc.value.body_excerpt == '{"limit": ["must be <= 100"]}'
    assert "must be <= 100" in str(exc.value)
    assert router.count("/bad") == 1 and sleep.waits == []


def test_404_raises_not_found(server, router, sleep):
    router.script("/v3/jobs/9", (404, {}, {"errors": "Not found"}))
    with pytest.raises(SourceNotFound) as exc:
        make_client(server, sleep).get_json("/v3/jobs/9")
    assert exc.value.status == 404
    assert exc.value.url == f"{server.url}/v3/jobs/9"


def test_body_excerpt_is_at_most_500_chars(server, router, sleep):
    router.script("/big", (400, {}, b"x" * 5000))
    with pytest.raises(SourceHTTPError) as exc:
        make_client(server, sleep).get_json("/big")
    assert len(exc.value.body_excerpt) == 500


class CountingAuth(BearerAuth):
    def __init__(self, token, new_token):
        super().__init__(token)
        self.new_token = new_token
        self.refreshes = 0

    def refresh(self):
        self.refreshes += 1
        self.token = self.new_token


def test_401_refreshes_once_and_retries(server, router, sleep):
    router.script("/me", (401, {}, {"errors": "expired"}))
    auth = CountingAuth("old-token", "new-token")
    client = make_client(server, sleep, auth=auth)
    assert client.get_json("/me")["ok"] is True
    assert auth.refreshes == 1
    assert router.hits[-1][3]["authorization"] == "Bearer new-token"


def test_401_after_refresh_raises_auth_error_without_secret(server, router, sleep):
    echo = {"errors": f"token {SECRET} is invalid"}
    router.script("/me", (401, {}, echo), (401, {}, echo))
    auth = CountingAuth(SECRET, SECRET)
    client = make_client(server, sleep, auth=auth)
    with pytest.raises(SourceAuthError) as exc:
        client.get_json("/me", params={"access_token": SECRET})
    assert auth.refreshes == 1
    text = str(exc.value) + repr(exc.value.to_dict())
    assert SECRET not in text
    assert "access_token=***" in exc.value.url
    assert "credentials were refused" in str(exc.value)


def test_403_is_an_auth_error_without_refresh(server, router, sleep):
    router.script("/admin", (403, {}, {"errors": "forbidden"}))
    auth = CountingAuth("t", "t2")
    with pytest.raises(SourceAuthError) as exc:
        make_client(server, sleep, auth=auth).get_json("/admin")
    assert exc.value.status == 403 and auth.refreshes == 0


def test_non_json_body_raises_data_error(server, sleep):
    with pytest.raises(SourceDataError) as exc:
        make_client(server, sleep).get_json("/text")
    assert "not JSON" in str(exc.value)
    assert exc.value.body_excerpt.startswith("<html>")


def test_host_not_allowed_fails_before_any_request(server, router, sleep):
    with pytest.raises(SourceConfigError):
        make_client(server, sleep, allowed_hosts=["api.dispatch.me"])
    client = make_client(server, sleep, allowed_hosts=["127.0.0.1"])
    with pytest.raises(SourceConfigError) as exc:
        client.request("GET", "https://evil.example.com/steal")
    assert "allow-list" in str(exc.value)
    assert router.hits == []


def test_dropped_connections_are_retried(server, router, sleep):
    server.set_faults(drop_rate=0.5, seed=3)
    client = make_client(server, sleep, max_retries=8)
    for _ in range(20):
        assert client.get_json("/x")["ok"] is True
    assert sleep.waits, "some requests must have been dropped and retried"
    assert router.count("/x") == 20


def test_connection_failures_exhausted_raise_connection_error(server, router, sleep):
    server.set_faults(drop_rate=1.0)
    client = make_client(server, sleep, max_retries=2, auth=BearerAuth(SECRET))
    with pytest.raises(SourceConnectionError) as exc:
        client.get_json("/x", params={"api_key": SECRET})
    assert "3 attempts" in str(exc.value)
    assert SECRET not in str(exc.value) and SECRET not in exc.value.url
    assert router.hits == []


def test_read_timeout_is_retried(server, router, sleep):
    server.set_faults(slow_rate=1.0, slow_seconds=0.6)
    client = make_client(server, sleep, timeout=(1, 0.2), max_retries=1)
    with pytest.raises(SourceConnectionError) as exc:
        client.get_json("/slow")
    assert "Timeout" in str(exc.value)
    assert len(sleep.waits) == 1
    server.set_faults(slow_rate=0.0)


def test_each_status_fault_knob(server, router, sleep):
    client = make_client(server, sleep, max_retries=0)
    server.set_faults(rate_429=1.0, retry_after_seconds=2)
    with pytest.raises(SourceRateLimited):
        client.get_json("/x")
    server.set_faults(rate_429=0.0, rate_429_no_retry_after=1.0)
    response = requests.get(server.url + "/x", timeout=2)
    assert response.status_code == 429 and "Retry-After" not in response.headers
    server.set_faults(rate_429_no_retry_after=0.0, rate_5xx=1.0)
    with pytest.raises(SourceHTTPError) as exc:
        client.get_json("/x")
    assert exc.value.status in (500, 503)
    assert router.hits == []


def test_admin_faults_endpoint_is_not_faulted(server):
    server.set_faults(rate_5xx=1.0)
    answer = requests.post(server.url + "/_admin/faults", json={"rate_5xx": 0, "rate_429": 0.25},
                           timeout=2)
    assert answer.status_code == 200
    assert answer.json()["rate_429"] == 0.25 and answer.json()["rate_5xx"] == 0.0
    assert server.faults.rate_429 == 0.25
    refused = requests.post(server.url + "/_admin/faults", json={"nope": 1}, timeout=2)
    assert refused.status_code == 422


def test_stream_returns_an_open_response(server, router, sleep):
    router.script("/file", (200, {"Content-Type": "application/octet-stream"}, b"\x00" * 70000))
    response = make_client(server, sleep).request("GET", "/file", stream=True)
    chunks = list(response.iter_content(8192))
    response.close()
    assert sum(map(len, chunks)) == 70000 and len(chunks) > 1


def test_auth_helpers_and_redaction():
    headers = {}
    ApiKeyAuth("X-Api-Key", "k-123").apply(headers)
    BasicAuth("me", "pw-456").apply(headers)
    assert headers["X-Api-Key"] == "k-123"
    assert headers["Authorization"].startswith("Basic ")
    basic = BasicAuth("me", "pw-456")
    assert redact(f"pw-456 {headers['Authorization']}", basic.secrets) == "*** Basic ***"
    assert redact("a b", ["", None]) == "a b"
    assert redact_url("https://h/p?client_secret=x&limit=5&token=y") == (
        "https://h/p?client_secret=***&limit=5&token=***"
    )


def test_backoff_waits_for_real_with_default_sleep(server, router):
    router.script("/flaky", (503, {}, {}))
    client = HttpClient(server.url, backoff_base=0.05, backoff_max=0.05, timeout=(2, 2))
    started = time.monotonic()
    client.get_json("/flaky")
    assert time.monotonic() - started < 1.0
    client.close()
