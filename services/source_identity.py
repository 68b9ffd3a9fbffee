"""Which source a project reads, as one string: kind + normalised host (or the bundle's
location) + the account (client id or user name). Never a secret. Two projects with the
same identity read the same source: the command line reuses the project, the form warns,
and the engine never creates a record another project already made from it.
"""

import os
from urllib.parse import urlsplit

#: default ports, dropped from the identity (https://h and https://h:443 are one host)
DEFAULT_PORTS = {"http": 80, "https": 443}


def normalise_host(url):
    """``scheme://host[:port]`` lower-cased, default port and path dropped ('' if none)."""
    if not url or not url.strip():
        return ""
    parts = urlsplit(url.strip() if "://" in url else f"https://{url.strip()}")
    host = (parts.hostname or "").lower().rstrip(".")
    if not host:
        return ""
    port = parts.port
    scheme = (parts.scheme or "https").lower()
    shown = f"[{host}]" if ":" in host else host
    if port and port != DEFAULT_PORTS.get(scheme):
        shown = f"{shown}:{port}"
    return f"{scheme}://{shown}"


def normalise_path(path):
    """The bundle's absolute location, symlinks resolved, without a trailing slash."""
    if not path or not str(path).strip():
        return ""
    return os.path.realpath(os.path.expanduser(str(path).strip())).rstrip(os.sep) or os.sep


def source_identity(kind, url=None, client_id=None, username=None, bundle_path=None):
    """The identity of a source (``''`` when the settings do not name one yet)."""
    if not kind:
        return ""
    if kind == "fst_bundle":
        where = normalise_path(bundle_path)
        return f"fst_bundle|{where}" if where else ""
    host = normalise_host(url)
    if not host:
        return ""
    account = (client_id or username or "").strip()
    return f"{kind}|{host}|{account}"
