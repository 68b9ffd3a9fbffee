"""Which source URLs a migration may talk to, and which addresses a request may reach.

The source host is configurable only by a migration manager and must be on an
allow-list kept in a system parameter. Loopback addresses (a local emulator) are
refused unless the caller explicitly allows them.

:func:`check_hop` is applied by :class:`~.http_client.HttpClient` to *every* URL a
request goes to, the first one and each redirect target: scheme, allow-list, and every
address the host resolves to (:func:`address_problem`: private, loopback, link-local,
multicast, reserved, unspecified, shared/CGNAT and cloud-metadata addresses are refused,
IPv4-mapped/NAT64/6to4 IPv6 forms included). Loopback is accepted only when the caller
allows it *and* the host is written as a loopback host (``127.0.0.1``, ``[::1]``,
``localhost``): a name that resolves to a loopback address is refused even then, and
private addresses are never accepted.
"""

import ipaddress
import socket
from urllib.parse import urlsplit

from .errors import SourceConfigError, SourceConnectionError

#: the public Dispatch hosts (production, sandbox, files of both)
DEFAULT_ALLOWED_HOSTS = ("api.dispatch.me", "api-sandbox.dispatch.me", "files-api.dispatch.me",
                         "files-api-sandbox.dispatch.me")
#: where Dispatch's files host redirects to (the signed URL of the stored object). The
#: public documentation only says "a 302 to the stored object"; Dispatch runs on AWS and
#: its signed file URLs are S3 pre-signed URLs (``expires`` + ``signature``), so the S3
#: endpoints are allowed: virtual-hosted (``bucket.s3.amazonaws.com``,
#: ``bucket.s3.<region>.amazonaws.com``, ``bucket.s3-<region>.amazonaws.com``) and path
#: style (``s3.amazonaws.com``, ``s3.<region>.amazonaws.com``), and CloudFront
#: distributions. The storage request never carries credentials. Another storage host is
#: added to the same system parameter (``field_service_migration.allowed_hosts``).
DEFAULT_STORAGE_HOSTS = ("s3.amazonaws.com", "*.s3.amazonaws.com", "s3.*.amazonaws.com",
                         "*.s3.*.amazonaws.com", "*.s3-*.amazonaws.com", "s3-*.amazonaws.com",
                         "*.cloudfront.net")
#: how many redirects one request may follow
MAX_REDIRECTS = 5
#: cloud metadata and similar host-local services, named in messages (most are also
#: link-local or private; 168.63.129.16, Azure's wire server, is not)
METADATA_ADDRESSES = frozenset(ipaddress.ip_address(a) for a in (
    "169.254.169.254",  # AWS, GCP, Azure, OpenStack, Oracle, DigitalOcean …
    "169.254.170.2",  # AWS ECS task credentials
    "169.254.170.23",  # AWS EKS pod identity
    "fd00:ec2::254",  # AWS IMDS over IPv6
    "fd00:ec2::23",  # AWS EKS pod identity over IPv6
    "100.100.100.200",  # Alibaba Cloud
    "168.63.129.16",  # Azure wire server
    "192.0.0.192",  # Oracle Cloud (classic)
))
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


def parse_allowed_hosts(text):
    """Split a comma/space/newline separated parameter value into lower-case hosts."""
    if not text:
        return []
    return [h.strip().lower() for h in text.replace("\n", ",").replace(" ", ",").split(",")
            if h.strip()]


def host_matches(host, entry, port=None):
    """True when ``host`` (lower case) matches one allow-list ``entry``.

    An entry is a host name (``api.dispatch.me``), a host and port
    (``127.0.0.1:8069``), or a pattern where ``*`` stands for one or more whole labels
    at the start (``*.example.com``: any sub-domain, not ``example.com`` itself) or for
    the rest of one label (``s3-*.amazonaws.com``, ``s3.*.amazonaws.com``).
    """
    entry = entry.strip().lower().rstrip(".")
    host = host.lower().rstrip(".")
    if not entry:
        return False
    if port is not None and entry == f"{host}:{port}":
        return True
    if "*" not in entry:
        return host == entry
    labels = host.split(".")
    pattern = entry.split(".")
    if pattern[0] == "*":
        # "*.rest": one or more labels, then "rest" label by label
        rest = pattern[1:]
        if len(labels) <= len(rest):
            return False
        return _labels_match(labels[len(labels) - len(rest):], rest)
    return len(labels) == len(pattern) and _labels_match(labels, pattern)


def _labels_match(labels, pattern):
    for label, want in zip(labels, pattern, strict=True):
        if "*" in want:
            head, _, tail = want.partition("*")
            if "*" in tail or not (label.startswith(head) and label.endswith(tail)
                                   and len(label) > len(head) + len(tail)):
                return False
        elif label != want:
            return False
    return True


def host_allowed(host, allowed_hosts, port=None):
    """True when ``host`` matches an entry of ``allowed_hosts`` (see :func:`host_matches`)."""
    return any(host_matches(host, entry, port) for entry in allowed_hosts)


def address_problem(address, allow_loopback=False):
    """Why a request must not reach ``address`` (an IP string or object), else None.

    The answer completes "… resolves to <address>, ": e.g. "a private address".
    """
    ip = ipaddress.ip_address(address) if isinstance(address, str) else address
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.ipv4_mapped or ip.sixtofour
        if embedded is None and ip in _NAT64:
            embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if embedded is None and ip.teredo:
            embedded = ip.teredo[1]
        if embedded is not None:
            problem = address_problem(embedded, allow_loopback)
            return f"{problem} ({embedded})" if problem else None
    if ip in METADATA_ADDRESSES:
        return "a cloud metadata address"
    if ip.is_loopback:
        return None if allow_loopback else "a loopback address"
    if ip.is_unspecified:
        return "an unspecified address"
    if ip.is_link_local:
        return "a link-local address"
    if ip.is_multicast:
        return "a multicast address"
    if ip.is_private:
        return "a private address"
    if ip.is_reserved:
        return "a reserved address"
    if not ip.is_global:
        return "a non-public address"
    return None


def system_resolve(host, port):
    """Every IP address ``host`` resolves to (``socket.getaddrinfo``), as strings."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return sorted({info[4][0].split("%", 1)[0] for info in infos})


def check_hop(url, *, allowed_hosts=None, allow_loopback=False, resolve=system_resolve,
              previous=None):
    """Refuse (``SourceConfigError``) a URL a request is about to go to.

    ``allowed_hosts`` None means any host name (the addresses are still checked).
    ``previous`` is the URL that redirected here (named in the message). ``resolve``
    ``(host, port)`` returns the host's addresses; tests inject a fake one.
    """
    parts = urlsplit(url)
    where = (f"redirect from {_origin(previous)} to {_origin(url)} refused"
             if previous else f"request to {_origin(url)} refused")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise SourceConfigError(f"{where}: not an http(s) URL.", url=_origin(url))
    host = parts.hostname.lower()
    loopback_host = is_loopback(host)
    if previous and urlsplit(previous).scheme == "https" and parts.scheme != "https" \
            and not loopback_host:
        raise SourceConfigError(f"{where}: it leaves https for plain http.", url=_origin(url))
    if allowed_hosts is not None and not host_allowed(host, allowed_hosts, parts.port):
        raise SourceConfigError(
            f"{where}: {host} is not in the allowed hosts (the allow-list, system parameter "
            f"field_service_migration.allowed_hosts: {', '.join(allowed_hosts) or 'empty'}).",
            url=_origin(url))
    try:
        literal = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        literal = None
    if literal is not None:
        addresses = [literal]
    else:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        try:
            addresses = [ipaddress.ip_address(a) for a in resolve(host, port)]
        except (OSError, UnicodeError, ValueError) as exc:
            raise SourceConnectionError(f"{where}: {host} cannot be resolved ({exc}).",
                                        url=_origin(url)) from None
        if not addresses:
            raise SourceConnectionError(f"{where}: {host} resolves to no address.",
                                        url=_origin(url))
    for address in addresses:
        # loopback only for a host written as loopback, and only when allowed
        problem = address_problem(address, allow_loopback and loopback_host)
        if problem:
            hint = ""
            if address.is_loopback and allow_loopback:
                hint = " (loopback is only allowed for a host written as such, e.g. 127.0.0.1)"
            elif address.is_loopback:
                hint = (" (set the system parameter field_service_migration.allow_loopback "
                        "to True for a local emulator)")
            raise SourceConfigError(
                f"{where}: {host} resolves to {address}, {problem}{hint}.", url=_origin(url))
    return addresses


def _origin(url):
    """``scheme://host[:port]`` of a URL: what messages show (no path, no query)."""
    if not url:
        return ""
    parts = urlsplit(url)
    netloc = parts.hostname or ""
    if ":" in netloc:
        netloc = f"[{netloc}]"
    if parts.port:
        netloc += f":{parts.port}"
    return f"{parts.scheme}://{netloc}"


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
    if host_allowed(host, allowed_hosts, parts.port):
        return url.strip().rstrip("/")
    raise SourceConfigError(
        f"The host '{host}' is not on the allow-list (system parameter "
        f"field_service_migration.allowed_hosts: {', '.join(allowed_hosts) or 'empty'}). "
        "A system administrator can add it there.")
