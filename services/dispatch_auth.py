"""Dispatch's OAuth2: the grant, a bearer token reused until it nearly expires, refresh."""

import logging
import threading
import time

from .errors import SourceAuthError, SourceConfigError, SourceError, SourceHTTPError
from .http_client import Auth

_logger = logging.getLogger(__name__)


class DispatchOAuth(Auth):
    """OAuth2 bearer token from ``/v3/oauth/token``, reused until it nearly expires.

    ``refresh()`` (after a 401) uses the refresh token when there is one, else the
    original grant. Threads that met the same stale token refresh it only once.
    """

    #: a token is renewed this long before ``expires_in`` runs out (at most 10% of it)
    EXPIRY_MARGIN = 60

    @staticmethod
    def choose_grant(*, client_id=None, client_secret=None, username=None, password=None,
                     refresh_token=None):
        """The grant used when none is named: ``password`` when a username and password
        are given (they are only ever given to act as that user; the client id and secret
        go with them), else ``client_credentials`` when the client id and secret are, else
        ``refresh_token`` when one is, else ``"none"`` (a configuration error)."""
        if username and password:
            return "password"
        if client_id and client_secret:
            return "client_credentials"
        if refresh_token:
            return "refresh_token"
        return "none"

    def __init__(self, token_client, *, client_id=None, client_secret=None, username=None,
                 password=None, refresh_token=None, grant_type=None, clock=time.monotonic):
        grant_type = grant_type or self.choose_grant(
            client_id=client_id, client_secret=client_secret, username=username,
            password=password, refresh_token=refresh_token)
        if grant_type == "password":
            if not (username and password and client_id and client_secret):
                raise SourceConfigError(
                    "The Dispatch password grant needs the client id and client secret as "
                    "well as the username and password (Dispatch's documentation sends all "
                    "four). Fill them in the source settings.")
            # as documented (and as Dispatch's own SDK sends it): the client's
            # credentials travel with the user's
            grant = {"grant_type": "password", "username": username, "password": password,
                     "client_id": client_id, "client_secret": client_secret}
        elif grant_type == "client_credentials":
            if not (client_id and client_secret):
                raise SourceConfigError(
                    "The Dispatch client credentials grant needs a client id and a client "
                    "secret. Fill them in the source settings.")
            grant = {"grant_type": "client_credentials", "client_id": client_id,
                     "client_secret": client_secret}
        elif grant_type == "refresh_token" and refresh_token:
            grant = None
        elif grant_type in ("refresh_token", "none"):
            raise SourceConfigError(
                "Dispatch needs a client id and secret, a username and password, or a "
                "refresh token. Fill them in the source settings.")
        else:
            raise SourceConfigError(
                f"Unknown Dispatch grant type {grant_type!r}: use client_credentials, "
                "password or refresh_token.")
        self.grant_type = grant_type
        self._token_client = token_client
        self._grant = grant
        self._refresh_token = refresh_token
        self._initial_secrets = [s for s in (client_secret, password, refresh_token) if s]
        self._clock = clock
        self._lock = threading.Lock()
        self._local = threading.local()
        self._access_token = None
        self._expires_at = 0.0
        self.tokens_obtained = 0

    @property
    def secrets(self):
        return [*self._initial_secrets, self._access_token, self._refresh_token]

    def apply(self, headers):
        with self._lock:
            if self._access_token is None or self._clock() >= self._expires_at:
                self._obtain()
            token = self._access_token
        self._local.token = token
        headers["Authorization"] = f"Bearer {token}"

    def refresh(self):
        with self._lock:
            if getattr(self._local, "token", None) != self._access_token:
                return  # another thread already replaced the token this one used
            self._obtain(prefer_refresh=True)

    def _obtain(self, prefer_refresh=False):
        """Get a new access token (lock held)."""
        if self._refresh_token and (prefer_refresh or self._grant is None):
            try:
                self._request({"grant_type": "refresh_token",
                               "refresh_token": self._refresh_token})
                return
            except SourceAuthError:
                if self._grant is None:
                    raise
                _logger.info("Dispatch refresh token refused, asking a new token")
        self._request(self._grant)

    def _request(self, body):
        """Ask a token for ``body``; every error is ``source_wide`` (the credentials or
        the host, never one object)."""
        try:
            self._ask(body)
        except SourceError as exc:
            exc.source_wide = True
            raise

    def _ask(self, body):
        try:
            answer = self._token_client.request("POST", "v3/oauth/token", json=body).json()
        except ValueError:
            raise SourceAuthError("Dispatch token endpoint answered something that is not "
                                  "JSON; check the API URL.") from None
        except SourceAuthError as exc:
            raise self._auth_error(exc, body["grant_type"]) from None
        except SourceHTTPError as exc:
            if exc.status in (400, 422):
                raise self._auth_error(exc, body["grant_type"]) from None
            raise
        token = answer.get("access_token") if isinstance(answer, dict) else None
        if not token:
            raise SourceAuthError("Dispatch token endpoint answered without access_token.")
        self._access_token = token
        self._refresh_token = answer.get("refresh_token") or self._refresh_token
        lifetime = float(answer.get("expires_in") or 7200)
        self._expires_at = self._clock() + lifetime - min(self.EXPIRY_MARGIN, lifetime / 10)
        self.tokens_obtained += 1

    @staticmethod
    def _auth_error(exc, grant_type):
        what = {"client_credentials": "the client id / client secret",
                "password": "the username / password",
                "refresh_token": "the refresh token"}[grant_type]
        return SourceAuthError(
            f"Dispatch refused {what} (HTTP {exc.status}): {exc.body_excerpt or 'no detail'}. "
            "Check the credentials in the source settings.",
            status=exc.status, body_excerpt=exc.body_excerpt, url=exc.url)
