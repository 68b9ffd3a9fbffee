"""Which source URLs a migration may talk to.

The source host is configurable only by a migration manager and must be on an
allow-list kept in a system parameter. Loopback addresses (a local emulator) are
refused unless the caller explicitly allows them.
"""

import ipaddress
from urllib.parse import urlsplit

from .errors import SourceConfigError

#: the public Dispatch hosts (production, sandbox, files)
DEFAULT_ALLOWED_HOSTS = ("api.dispatch.me", "api-sandbox.dispatch.me", "files-api.dispatch.me")


def parse_allowed_hosts(text):
    """Split a comma/space/newline separated parameter value into lower-case hosts."""
    if not text:
        return []
    return [h.strip().lower() for h in text.replace("\n", ",").replace(" ", ",").split(",")
            if h.strip()]


def is_loopback(host):
    if host in ("localhost", "localhost.localdomain"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_source_url(url, allowed_hosts, allow_loopback=False):
    """Return the normalised URL or raise ``SourceConfigError`` saying what to change.

    A host matches an allow-list entry exactly, or as a sub-domain of an entry
    written ``*.example.com``. Plain ``http`` is only accepted for loopback hosts.
    """
    if not url or not url.strip():
        raise SourceConfigError("The source URL is empty: enter the base URL of the source API.")
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise SourceConfigError(
            f"'{url}' is not an http(s) URL: enter something like https://api.dispatch.me.")
    if parts.username or parts.password:
        raise SourceConfigError(
            "Do not put credentials in the URL: use the credential fields instead.")
    host = parts.hostname.lower()
    if is_loopback(host):
        if not allow_loopback:
            raise SourceConfigError(
                f"The host '{host}' is a loopback address, refused unless the system parameter "
                "field_service_migration.allow_loopback is set to True (local emulators, tests).")
        return url.strip().rstrip("/")
    if parts.scheme != "https":
        raise SourceConfigError(f"'{url}' must use https (plain http only for loopback hosts).")
    for entry in allowed_hosts:
        if host == entry or (entry.startswith("*.") and host.endswith(entry[1:])):
            return url.strip().rstrip("/")
    raise SourceConfigError(
        f"The host '{host}' is not on the allow-list (system parameter "
        f"field_service_migration.allowed_hosts: {', '.join(allowed_hosts) or 'empty'}). "
        "A system administrator can add it there.")
