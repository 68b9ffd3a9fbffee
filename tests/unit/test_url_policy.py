import pytest

from services.errors import SourceConfigError
from services.url_policy import DEFAULT_ALLOWED_HOSTS, check_source_url, parse_allowed_hosts


def test_public_dispatch_hosts_are_allowed_by_default():
    assert check_source_url("https://api.dispatch.me/", DEFAULT_ALLOWED_HOSTS) == \
        "https://api.dispatch.me"
    check_source_url("https://api-sandbox.dispatch.me", DEFAULT_ALLOWED_HOSTS)


@pytest.mark.parametrize("url,fragment", [
    ("https://evil.example.com", "not on the allow-list"),
    ("http://api.dispatch.me", "must use https"),
    ("ftp://api.dispatch.me", "not an http(s) URL"),
    ("", "empty"),
    ("https://user:pw@api.dispatch.me", "credentials"),
    ("http://127.0.0.1:8080", "loopback"),
    ("http://localhost:8080", "loopback"),
    ("http://[::1]:8080", "loopback"),
])
def test_refused_urls_say_why(url, fragment):
    with pytest.raises(SourceConfigError) as exc:
        check_source_url(url, DEFAULT_ALLOWED_HOSTS)
    assert fragment in str(exc.value)
    assert "pw" not in str(exc.value)


def test_loopback_only_when_allowed():
    assert check_source_url("http://127.0.0.1:8080/", [], allow_loopback=True) == \
        "http://127.0.0.1:8080"


def test_wildcard_entry_and_parameter_parsing():
    hosts = parse_allowed_hosts(" api.dispatch.me,\n*.trakker.example  ")
    assert hosts == ["api.dispatch.me", "*.trakker.example"]
    check_source_url("https://acme.trakker.example/api", hosts)
    with pytest.raises(SourceConfigError):
        check_source_url("https://trakker.example.evil.com", hosts)
