"""The Dispatch emulator's OAuth side: the token grants, the bearer check, signed file links."""

import hmac
import json
import secrets
import time
from urllib.parse import parse_qs

from .dispatch_api import ApiError


class AuthMixin:
    """Tokens granted (client credentials, password, refresh) and checked, and the
    short-lived signed links a data file is served through."""

    def _token(self, headers, body):
        params = self._read_body(headers, body)
        grant = params.get("grant_type")
        if grant == "client_credentials":
            self._check_client(params)
        elif grant == "password":
            # the documented password grant carries the client's credentials too
            self._check_client(params)
            if params.get("username") != self.username or not hmac.compare_digest(
                    str(params.get("password", "")), self.password):
                raise ApiError(400, {"error": "invalid_grant", "error_description":
                                     "The provided authorization grant is invalid, expired, "
                                     "revoked, or was issued to another client."})
        elif grant == "refresh_token":
            with self._lock:
                known = params.get("refresh_token") in self._refresh_tokens
            if not known:
                raise ApiError(400, {"error": "invalid_grant",
                                     "error_description": "The refresh token is invalid."})
        elif grant is None:
            raise ApiError(400, {"error": "invalid_request",
                                 "error_description": "grant_type is missing."})
        else:
            raise ApiError(400, {"error": "unsupported_grant_type",
                                 "error_description": f"{grant!r} is not supported."})
        access, refresh = secrets.token_hex(24), secrets.token_hex(24)
        now = time.time()
        with self._lock:
            self._tokens[access] = now + self.token_ttl
            self._refresh_tokens.add(refresh)
        return 200, {}, {"access_token": access, "token_type": "bearer",
                         "expires_in": self.token_ttl, "refresh_token": refresh,
                         "created_at": int(now)}

    def _check_client(self, params):
        """The client's credentials, which every grant but a refresh carries, or a 401."""
        if params.get("client_id") != self.client_id or not hmac.compare_digest(
                str(params.get("client_secret", "")), self.client_secret):
            raise ApiError(401, {"error": "invalid_client", "error_description":
                                 "Client authentication failed due to unknown client, "
                                 "no client authentication included, or unsupported "
                                 "authentication method."})

    @staticmethod
    def _read_body(headers, body):
        content_type = headers.get("content-type", "")
        if "application/x-www-form-urlencoded" in content_type:
            return {k: v[0] for k, v in parse_qs(body.decode()).items()}
        try:
            params = json.loads(body or b"{}")
        except ValueError:
            raise ApiError(400, {"error": "invalid_request",
                                 "error_description": "The body is not JSON."}) from None
        if not isinstance(params, dict):
            raise ApiError(400, {"error": "invalid_request",
                                 "error_description": "A JSON object is expected."})
        return params

    def _authenticate(self, headers):
        scheme, _, token = headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise ApiError(401, {"errors": "Authorization: Bearer <token> is required"})
        with self._lock:
            expiry = self._tokens.get(token)
        if expiry is None:
            raise ApiError(401, {"errors": "The access token is invalid"})
        if expiry <= time.time():
            raise ApiError(401, {"errors": "The access token expired"})

    # -- files ------------------------------------------------------------------------

    def _signature(self, token, expires):
        return hmac.new(self._file_key, f"{token}:{expires}".encode(), "sha256").hexdigest()

    def _redirect_to_file(self, token, headers):
        if self.data.file(token) is None:
            raise ApiError(404, {"errors": "Not found"})
        expires = int(time.time()) + 300
        host = headers.get("host", "127.0.0.1")
        location = (f"http://{host}/_files/{token}?expires={expires}"
                    f"&signature={self._signature(token, expires)}")
        return 302, {"Location": location}, b""

    def _serve_file(self, token, query):
        expires = (query.get("expires") or ["0"])[0]
        signature = (query.get("signature") or [""])[0]
        if not expires.isdigit() or int(expires) < time.time() or not hmac.compare_digest(
                signature, self._signature(token, int(expires))):
            raise ApiError(403, {"errors": "Signature invalid or expired"})
        found = self.data.file(token)
        if found is None:
            raise ApiError(404, {"errors": "Not found"})
        content_type, name, content = found
        return 200, {"Content-Type": content_type,
                     "Content-Disposition": f'attachment; filename="{name}"'}, content
