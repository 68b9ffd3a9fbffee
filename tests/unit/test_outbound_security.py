"""Outbound requests (issue 14): every redirect hop checked, credentials kept to the
first origin, attachment bodies capped after decompression.

Only loopback is ever contacted: the servers listen on 127.0.0.1, and every other host
name is resolved by a fake resolver; a hop that resolves anywhere but to an allowed
loopback literal is refused *before* anything is sent.
"""

import gzip
import http.server
import threading
import tracemalloc
import zlib

import pytest

from services.dispatch_client import DispatchSource
from services.errors import SourceConfigError, SourceHTTPError, SourceTooLarge
from services.fst_rest import FstRestSource
from services.http_client import ApiKeyAuth, BearerAuth, HttpClient
from services.url_policy import (
    DEFAULT_ALLOWED_HOSTS,
    DEFAULT_STORAGE_HOSTS,
    address_problem,
    check_hop,
    host_allowed,
)

API_KEY = "k-super-secret-api-key"
TOKEN = "t-super-secret-bearer"


class Recorder(http.server.ThreadingHTTPServer):
    daemon_threads = True


class LocalServer:
    """http.server on 127.0.0.1 (ephemeral port); ``routes[path](query) -> (status,
    headers, body)``; every request's path and headers recorded in ``hits``."""

    def __init__(self):
        self.routes = {}
        self.hits = []
        owner = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _serve(self):
                path, _, query = self.path.partition("?")
                owner.hits.append((self.command, path, dict(self.headers)))
                length = int(self.headers.get("Content-Length") or 0)
                if length:
                    self.rfile.read(length)
                route = owner.routes.get(path)
                status, headers, body = route(query) if route else (404, {}, b"{}")
                self.send_response(status)
                if isinstance(body, bytes):
                    headers = {"Content-Length": str(len(body)), **headers}
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                if isinstance(body, bytes):
                    self.wfile.write(body)
                else:  # an iterable of chunks
                    try:
                        for chunk in body:
                            self.wfile.write(chunk)
                    except (BrokenPipeError, ConnectionResetError):
                        pass

            do_GET = do_POST = _serve

        self.httpd = Recorder(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,),
                                       daemon=True)

    def redirect(self, path, location, status=302):
        self.routes[path] = lambda _q: (status, {"Location": location}, b"")

    def json(self, path, text):
        self.routes[path] = lambda _q: (200, {"Content-Type": "application/json"},
                                        text.encode())

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()


class FakeResolver:
    """Names → addresses, without DNS; records what was asked. Unknown names fail."""

    def __init__(self, table):
        self.table = table
        self.asked = []

    def __call__(self, host, port):
        self.asked.append(host)
        if host not in self.table:
            raise OSError(f"fake resolver: unknown host {host}")
        return self.table[host]


RESOLVER = {"internal.test": ["10.0.0.5"], "metadata.test": ["169.254.169.254"],
            "rebind.test": ["127.0.0.1"], "mixed.test": ["93.184.216.34", "192.168.1.7"],
            "mapped.test": ["::ffff:169.254.169.254"], "imds6.test": ["fd00:ec2::254"],
            "alibaba.test": ["100.100.100.200"]}


@pytest.fixture
def first():
    with LocalServer() as server:
        yield server


@pytest.fixture
def second():
    with LocalServer() as server:
        yield server


def client(server, **options):
    options.setdefault("allowed_hosts", ["127.0.0.1", "*.test"])
    options.setdefault("allow_loopback", True)
    options.setdefault("resolve", FakeResolver(RESOLVER))
    options.setdefault("max_retries", 0)
    options.setdefault("timeout", (2, 2))
    return HttpClient(server.url, sleep=lambda s: None, **options)


# -- every hop is checked --------------------------------------------------------------

@pytest.mark.parametrize(("name", "address", "kind"), [
    ("internal.test", "10.0.0.5", "a private address"),
    ("metadata.test", "169.254.169.254", "a cloud metadata address"),
    ("rebind.test", "127.0.0.1", "a loopback address"),
    ("mixed.test", "192.168.1.7", "a private address"),
    ("mapped.test", "::ffff:a9fe:a9fe", "a cloud metadata address"),
    ("imds6.test", "fd00:ec2::254", "a cloud metadata address"),
    ("alibaba.test", "100.100.100.200", "a cloud metadata address"),
])
def test_a_redirect_to_a_name_resolving_to_a_refused_address_is_refused_at_the_hop(
        first, name, address, kind):
    first.redirect("/v3/jobs", f"http://{name}:{first.port}/steal")
    resolver = FakeResolver(RESOLVER)
    with pytest.raises(SourceConfigError) as exc:
        client(first, resolve=resolver).get_json("/v3/jobs")
    message = str(exc.value)
    assert message.startswith(f"redirect from {first.url} to http://{name}:{first.port} "
                              f"refused: {name} resolves to {address}, {kind}")
    assert resolver.asked == [name]
    assert [path for _, path, _ in first.hits] == ["/v3/jobs"]  # nothing sent to the target


def test_a_loopback_first_host_is_refused_without_the_loopback_flag(first):
    with pytest.raises(SourceConfigError, match="a loopback address"):
        client(first, allow_loopback=False)
    assert first.hits == []


def test_metadata_and_private_literals_are_refused_even_with_loopback_allowed(first):
    for location in ("http://169.254.169.254/latest/meta-data/", "http://10.1.2.3/",
                     "http://[::ffff:10.1.2.3]/", "http://[fd00:ec2::254]/", "http://0.0.0.0/"):
        first.redirect("/r", location)
        with pytest.raises(SourceConfigError, match="refused: .* resolves to"):
            client(first, allowed_hosts=None).get_json("/r")


def test_a_redirect_off_the_allow_list_is_refused(first, second):
    first.redirect("/r", f"http://localhost:{second.port}/x")
    with pytest.raises(SourceConfigError, match="localhost is not in the allowed hosts"):
        client(first, allowed_hosts=["127.0.0.1"]).get_json("/r")
    assert second.hits == []


def test_redirect_loops_stop_after_the_hop_limit(first):
    first.redirect("/loop", "/loop")
    with pytest.raises(SourceHTTPError, match="more than 5 redirects"):
        client(first).get_json("/loop")
    assert len(first.hits) == 6


def test_a_body_is_never_resent_to_another_origin(first, second):
    first.redirect("/token", f"{second.url}/token", status=307)
    with pytest.raises(SourceConfigError, match="would send the request body to another host"):
        client(first).request("POST", "/token", json={"client_secret": "s"})
    assert second.hits == []


def test_an_allowed_redirect_is_followed_and_checked(first, second):
    first.redirect("/v3/jobs", f"{second.url}/v3/jobs?offset=0")
    second.json("/v3/jobs", '{"jobs": []}')
    assert client(first).get_json("/v3/jobs") == {"jobs": []}


# -- credentials stay with the first origin --------------------------------------------

@pytest.mark.parametrize("auth", [ApiKeyAuth("X-API-Key", API_KEY), BearerAuth(TOKEN)])
def test_credentials_never_reach_the_second_host(first, second, auth):
    first.redirect("/api/v1/customers", f"{second.url}/collect")
    second.json("/collect", "[]")
    http = client(first, auth=auth)
    assert http.request("GET", "/api/v1/customers",
                        headers={"Cookie": "session=abc"}).json() == []
    first_headers = {k.lower(): v for k, v in first.hits[0][2].items()}
    assert API_KEY in first_headers.values() or f"Bearer {TOKEN}" in first_headers.values()
    (_, path, headers), = second.hits
    assert path == "/collect"
    lowered = {k.lower(): v for k, v in headers.items()}
    assert not {"authorization", "x-api-key", "cookie"} & set(lowered)
    assert not [v for v in lowered.values() if API_KEY in v or TOKEN in v]


def test_fst_rest_lists_and_attachments_do_not_leak_the_api_key(first, second):
    first.redirect("/api/v1/customers", f"{second.url}/list")
    first.redirect("/api/v1/attachments/7/content", f"{second.url}/file")
    second.json("/list", '{"data": [{"customer_id": "C1"}], "meta": {"total": 1}}')
    second.routes["/file"] = lambda _q: (200, {}, b"bytes")
    source = FstRestSource({
        "base_url": first.url, "auth_type": "apikey", "api_key": API_KEY,
        "allowed_hosts": ["127.0.0.1"], "allow_loopback": True, "max_retries": 0},
        sleep=lambda s: None, resolve=FakeResolver(RESOLVER))
    assert [r["id"] for page in source.iter_pages("customers") for r in page] == ["C1"]
    with source.open_attachment("7") as stream:
        assert stream.read() == b"bytes"
    assert all(API_KEY in h.values() for _, _, h in first.hits)
    assert second.hits and not any(API_KEY in str(h) for _, _, h in second.hits)


def test_fst_rest_redirect_to_metadata_is_refused(first):
    first.redirect("/api/v1/customers", "http://metadata.test/latest/meta-data/iam")
    source = FstRestSource({
        "base_url": first.url, "auth_type": "apikey", "api_key": API_KEY,
        "allowed_hosts": ["127.0.0.1", "metadata.test"], "allow_loopback": True,
        "max_retries": 0}, sleep=lambda s: None, resolve=FakeResolver(RESOLVER))
    with pytest.raises(SourceConfigError, match="169.254.169.254, a cloud metadata address"):
        list(source.iter_pages("customers"))


# -- Dispatch: API lists and the files host's 302 ---------------------------------------

def dispatch(server, **options):
    options.setdefault("allowed_hosts", ["127.0.0.1"])
    return DispatchSource(server.url, client_id="c", client_secret="s", max_retries=0,
                          timeout=(2, 2), sleep=lambda s: None, allow_loopback=True,
                          resolve=FakeResolver(RESOLVER), **options)


def token_route(server):
    server.json("/v3/oauth/token", f'{{"access_token": "{TOKEN}", "expires_in": 10800}}')


def test_dispatch_list_redirect_to_a_private_address_is_refused(first):
    token_route(first)
    first.redirect("/v3/customers", f"http://internal.test:{first.port}/v3/customers")
    with pytest.raises(SourceConfigError, match="resolves to 10.0.0.5, a private address"):
        dispatch(first, allowed_hosts=["127.0.0.1", "internal.test"]).count("customers")


def test_dispatch_storage_redirect_is_checked_on_its_own_allow_list(first, second):
    token_route(first)
    first.redirect("/v1/datafiles/tok", f"http://storage.test:{second.port}/obj")
    source = dispatch(first)
    with pytest.raises(SourceConfigError, match="storage.test is not in the allowed hosts"):
        source.open_attachment({"file_token": "tok"})
    first.redirect("/v1/datafiles/tok", "http://metadata.test/latest/")
    source = dispatch(first, storage_hosts=["*.test"])
    with pytest.raises(SourceConfigError,
                       match=f"redirect from {first.url} to http://metadata.test refused"):
        source.open_attachment({"file_token": "tok"})
    assert second.hits == []


def test_dispatch_storage_gets_no_bearer_token(first, second):
    token_route(first)
    first.redirect("/v1/datafiles/tok", f"{second.url}/obj?signature=x")
    second.routes["/obj"] = lambda _q: (200, {}, b"file-bytes")
    source = dispatch(first, storage_hosts=[f"127.0.0.1:{second.port}"])
    with source.open_attachment({"file_token": "tok"}) as stream:
        assert stream.read() == b"file-bytes"
    assert any(f"Bearer {TOKEN}" in h.values() for _, p, h in first.hits if p.startswith("/v1"))
    assert not any(TOKEN in str(h) for _, _, h in second.hits)


# -- the attachment cap counts decoded bytes -------------------------------------------

def gzip_bomb(decoded_bytes):
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    block = bytes(1024 * 1024)
    parts = [compressor.compress(block) for _ in range(decoded_bytes // len(block))]
    return b"".join(parts) + compressor.flush()


def test_a_gzip_bomb_stops_at_the_cap_with_bounded_memory(first):
    bomb = gzip_bomb(64 * 1024 * 1024)  # 64 MB of zeros in about 64 KB
    assert len(bomb) < 100 * 1024
    first.routes["/file"] = lambda _q: (200, {"Content-Encoding": "gzip"}, bomb)
    http = client(first)
    tracemalloc.start()
    try:
        _, stream = http.open_stream("/file", max_bytes=2 * 1024 * 1024)
        read = 0
        with pytest.raises(SourceTooLarge, match="more than 2097152 bytes"):
            while chunk := stream.read(256 * 1024):
                read += len(chunk)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert read <= 2 * 1024 * 1024
    assert peak < 2 * 1024 * 1024, peak  # never the 64 MB, nor the cap, at once


def test_a_bomb_read_in_one_call_is_refused_too(first):
    first.routes["/file"] = lambda _q: (200, {"Content-Encoding": "gzip"},
                                        gzip_bomb(8 * 1024 * 1024))
    _, stream = client(first).open_stream("/file", max_bytes=1024 * 1024)
    with pytest.raises(SourceTooLarge):
        stream.read(1024 * 1024 + 1)


def test_content_length_above_the_cap_is_refused_before_reading(first):
    def endless(_q):
        return 200, {"Content-Length": str(10 ** 9)}, iter([b"x" * 1024] * 4)
    first.routes["/file"] = endless
    with pytest.raises(SourceTooLarge, match="announces 1000000000 bytes"):
        client(first).open_stream("/file", max_bytes=1024 * 1024)


def test_fst_rest_attachment_cap_counts_decoded_bytes(first):
    first.routes["/api/v1/attachments/1/content"] = lambda _q: (
        200, {"Content-Encoding": "gzip"}, gzip_bomb(4 * 1024 * 1024))
    source = FstRestSource({"base_url": first.url, "auth_type": "none",
                            "max_attachment_bytes": 1024 * 1024, "max_retries": 0},
                           sleep=lambda s: None)
    with source.open_attachment("1") as stream, pytest.raises(SourceTooLarge):
        stream.read()


@pytest.mark.parametrize("encoding", ["gzip", "deflate-zlib", "deflate-raw", "gzip-2-members",
                                      "identity"])
def test_encoded_bodies_under_the_cap_are_decoded(first, encoding):
    payload = bytes(range(256)) * 4000
    if encoding == "gzip":
        body, header = gzip.compress(payload), "gzip"
    elif encoding == "gzip-2-members":
        body, header = gzip.compress(payload[:5000]) + gzip.compress(payload[5000:]), "gzip"
    elif encoding == "deflate-zlib":
        body, header = zlib.compress(payload), "deflate"
    elif encoding == "deflate-raw":
        raw = zlib.compressobj(6, zlib.DEFLATED, -15)
        body, header = raw.compress(payload) + raw.flush(), "deflate"
    else:
        body, header = payload, "identity"
    first.routes["/file"] = lambda _q: (200, {"Content-Encoding": header}, body)
    _, stream = client(first).open_stream("/file", max_bytes=len(payload))
    with stream:
        assert stream.read() == payload


# -- the policy itself -----------------------------------------------------------------

def test_default_hosts_include_the_sandbox_files_host_and_s3():
    assert "files-api-sandbox.dispatch.me" in DEFAULT_ALLOWED_HOSTS
    for host in ("bucket.s3.amazonaws.com", "bucket.s3.us-west-2.amazonaws.com",
                 "s3.eu-west-1.amazonaws.com", "bucket.s3-eu-west-1.amazonaws.com"):
        assert host_allowed(host, DEFAULT_STORAGE_HOSTS), host
    for host in ("s3.amazonaws.com.evil.com", "evil-s3.amazonaws.com.example",
                 "ec2-1-2-3-4.compute-1.amazonaws.com"):
        assert not host_allowed(host, DEFAULT_STORAGE_HOSTS), host


def test_https_to_http_is_refused():
    resolve = FakeResolver({"a.example": ["93.184.216.34"]})
    with pytest.raises(SourceConfigError, match="leaves https for plain http"):
        check_hop("http://a.example/x", previous="https://api.dispatch.me/v3",
                  resolve=resolve)


@pytest.mark.parametrize(("address", "loopback_ok", "expected"), [
    ("8.8.8.8", False, None), ("2606:4700::1111", False, None),
    ("127.0.0.1", True, None), ("::1", True, None), ("127.0.0.1", False, "loopback"),
    ("10.0.0.1", True, "private"), ("192.168.0.1", True, "private"),
    ("172.16.0.1", True, "private"), ("fc00::1", True, "private"),
    ("169.254.169.254", True, "metadata"), ("169.254.1.1", True, "link-local"),
    ("fe80::1", True, "link-local"), ("224.0.0.1", True, "multicast"),
    ("0.0.0.0", True, "unspecified"), ("::", True, "unspecified"),
    ("100.64.0.1", True, "non-public"), ("168.63.129.16", True, "metadata"),
    ("::ffff:10.0.0.1", True, "private"), ("64:ff9b::a9fe:a9fe", True, "metadata"),
    ("2002:a00:1::", True, "private"),
])
def test_address_problem(address, loopback_ok, expected):
    problem = address_problem(address, loopback_ok)
    assert (problem is None) if expected is None else (expected in problem)
