"""Build a ``Source`` from plain connection settings (what a project stores).

``settings`` keys: ``kind`` (dispatch, fst_rest, fst_bundle), ``url``, ``auth_method``,
``client_id``, ``client_secret``, ``username``, ``password``, ``api_key``,
``api_key_header``, ``token``, ``bundle_path``, ``rest_config`` (dict),
``allowed_hosts`` (list), ``allow_loopback`` (bool), ``layout`` (the confirmed source
layout as a dict: an FST bundle whose layout is not the built-in profile ``fst_bundle``,
or an FST REST installation whose layout is not the adapter's profile ``fst_rest``, is
read through it, ``services.layout.source.LayoutSource`` over the bundle's tables or
the API's endpoints (``services.layout.rest_tables.RestTables``); Dispatch reads its
documented objects) and, optionally, ``storage_hosts``
(list: where Dispatch's files host may redirect; default
:data:`.url_policy.DEFAULT_STORAGE_HOSTS`, plus ``allowed_hosts`` in any case).

``allowed_hosts`` and ``allow_loopback`` reach the clients, which check every hop of
every request (redirects included) and the addresses it resolves to.
"""

from urllib.parse import urlsplit

from .errors import SourceConfigError
from .url_policy import check_source_url

#: the project's auth methods → the FST REST adapter's auth types
REST_AUTH = {"client_credentials": "oauth2", "bearer": "bearer", "api_key": "apikey",
             "basic": "basic"}


def build_source(settings):
    kind = settings.get("kind")
    if kind == "fst_bundle":
        if not settings.get("bundle_path"):
            raise SourceConfigError("Enter the path of the FST export bundle (folder or zip).")
        layout = settings.get("layout")
        if layout and layout.get("profile") not in (None, "fst_bundle"):
            # an export in another shape: its tables read through the confirmed layout
            from .layout.model import SourceLayout
            from .layout.readers import open_tables
            from .layout.source import LayoutSource

            return LayoutSource(open_tables(settings["bundle_path"]),
                                SourceLayout.from_dict(layout))
        from .fst_bundle import FstBundleSource

        return FstBundleSource(settings["bundle_path"])
    url = check_source_url(settings.get("url"), settings.get("allowed_hosts") or [],
                           settings.get("allow_loopback", False))
    if kind == "dispatch":
        from .dispatch_client import DispatchSource

        return DispatchSource(url, allow_loopback=bool(settings.get("allow_loopback")),
                              storage_hosts=settings.get("storage_hosts"),
                              **_dispatch_credentials(settings))
    if kind == "fst_rest":
        from .fst_rest import FstRestSource

        source = FstRestSource(_rest_config(url, settings))
        layout = settings.get("layout")
        if layout and layout.get("profile") not in (None, "fst_rest"):
            # an installation whose JSON is not the adapter's: read through the layout
            from .layout.model import SourceLayout
            from .layout.rest_tables import RestTables
            from .layout.source import LayoutSource

            confirmed = SourceLayout.from_dict(layout)
            if confirmed.attachments.mode in ("folders", "column"):
                source.close()
                raise SourceConfigError(
                    "An FST REST source has no files by folder or by path: in the layout, "
                    "choose attachments from a manifest (the attachments endpoint) or none.")
            return LayoutSource(RestTables(source), confirmed)
        return source
    raise SourceConfigError(f"Unknown source kind {kind!r}.")


def _dispatch_credentials(settings):
    """Dispatch's OAuth2 grants: client credentials, or password (with the client's id and
    secret, as documented); ``auth_method`` names the grant."""
    method = settings.get("auth_method") or "client_credentials"
    if method not in ("client_credentials", "password"):
        raise SourceConfigError(
            "Dispatch authenticates with OAuth2: choose 'OAuth2 client credentials' or "
            "'OAuth2 password'.")
    if not settings.get("client_id") or not settings.get("client_secret"):
        raise SourceConfigError("Dispatch needs a client ID and a client secret.")
    # the grant is the one the user chose, never guessed from which fields are filled
    credentials = {"client_id": settings["client_id"],
                   "client_secret": settings["client_secret"], "grant_type": method}
    if method == "password":
        if not settings.get("username") or not settings.get("password"):
            raise SourceConfigError("The OAuth2 password grant needs a user name and password.")
        credentials.update(username=settings["username"], password=settings["password"])
    url_host = urlsplit(settings["url"]).hostname
    credentials["allowed_hosts"] = [url_host, *(settings.get("allowed_hosts") or [])]
    return credentials


def _rest_config(url, settings):
    """The FST REST adapter's config: the project's JSON settings (endpoints, pagination …)
    completed with its URL, auth and secrets, which the JSON may not override."""
    method = settings.get("auth_method") or "bearer"
    if method not in REST_AUTH:
        raise SourceConfigError(
            f"The FST REST adapter does not support the auth method {method!r}: choose "
            f"one of {', '.join(sorted(REST_AUTH))}.")
    config = dict(settings.get("rest_config") or {})
    config.update({
        "base_url": url, "auth_type": REST_AUTH[method],
        "token": settings.get("token") or "", "api_key": settings.get("api_key") or "",
        "api_key_header": settings.get("api_key_header") or "X-API-Key",
        "username": settings.get("username") or "", "password": settings.get("password") or "",
        "client_id": settings.get("client_id") or "",
        "client_secret": settings.get("client_secret") or "",
        # the URL passed the allow-list above; the adapter refuses any other host
        "allowed_hosts": [urlsplit(url).hostname, *(settings.get("allowed_hosts") or [])],
        "allow_loopback": bool(settings.get("allow_loopback")),
    })
    return config
