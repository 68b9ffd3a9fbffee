"""Typed errors raised by the source clients and readers.

Every message is meant for a consultant: it says what failed and, where it can, what
to do next. No message ever carries a secret (token, password, client secret).
"""


#: statuses that, on one object's endpoint (after the retries that apply), mean "this
#: account cannot read this object" rather than "the source is unreachable"
UNREADABLE_STATUSES = (401, 403, 404, 405, 501)


class SourceError(Exception):
    """Base class of every error a source raises.

    ``source_wide`` is True on an error about the whole source (its credentials refused
    at the token endpoint, its host down): never taken for one unreadable object.
    """

    source_wide = False

    def __init__(self, message, *, status=None, body_excerpt=None, url=None):
        super().__init__(message)
        self.status = status
        self.body_excerpt = body_excerpt
        self.url = url

    def to_dict(self):
        return {
            "error": type(self).__name__,
            "message": str(self),
            "status": self.status,
            "body_excerpt": self.body_excerpt,
            "url": self.url,
        }


class SourceConfigError(SourceError):
    """The connection settings are incomplete or refused (e.g. host not allowed)."""


class SourceAuthError(SourceError):
    """Credentials refused, or a token could not be obtained/refreshed."""


class SourceHTTPError(SourceError):
    """The server answered with an HTTP error status that retries did not cure."""


class SourceRateLimited(SourceHTTPError):
    """429 answers outlasted the retry budget."""


class SourceNotFound(SourceHTTPError):
    """404: the object or record does not exist on the source."""


class SourceObjectUnreadable(SourceHTTPError):
    """One object's endpoint refused this account (401, 403, 404, 405 or 501 after the
    retries that apply): the object is *not readable*, the others may be.

    ``object`` names it, ``status`` is the HTTP status and ``vendor_message`` the
    source's own words (its error body, at most 500 characters, secrets redacted).
    Discovery reports the object as not readable and goes on; a map proposes it as skip.
    """

    def __init__(self, obj, status, vendor_message=None, *, url=None, message=None):
        words = (vendor_message or "").strip()
        super().__init__(
            message or (f"{obj} is not readable with this account: HTTP {status}"
                        + (f", {words}" if words else "")
                        + ". The other objects are read; ask the vendor to open this "
                        "endpoint (plan, API revision or rights) to migrate it."),
            status=status, body_excerpt=vendor_message, url=url)
        self.object = obj
        self.vendor_message = words

    def to_dict(self):
        data = super().to_dict()
        data.update(object=self.object, vendor_message=self.vendor_message)
        return data


def as_unreadable(obj, exc):
    """``exc`` as a :class:`SourceObjectUnreadable` of ``obj`` when it is one object's
    endpoint refusing this account; None when it is anything else (credentials refused
    at the token endpoint, host down, server failing, a bad payload)."""
    if isinstance(exc, SourceObjectUnreadable):
        return exc
    if (not isinstance(exc, SourceHTTPError | SourceAuthError) or exc.source_wide
            or exc.status not in UNREADABLE_STATUSES):
        return None
    unreadable = SourceObjectUnreadable(obj, exc.status, exc.body_excerpt, url=exc.url)
    unreadable.__cause__ = exc
    return unreadable


class SourceConnectionError(SourceError):
    """The connection failed, timed out or was dropped, and retries did not cure it."""

    source_wide = True


class SourceDataError(SourceError):
    """The source answered, but the payload is not what its documentation says."""


class SourceTooLarge(SourceDataError):
    """A body (an attachment) is larger than the limit, counted after decompression."""


class BundleError(SourceError):
    """An FST export bundle cannot be read (at all, or one file of it).

    ``file``, ``line`` and ``column`` locate the problem as precisely as known.
    """

    def __init__(self, message, *, file=None, line=None, column=None):
        super().__init__(message)
        self.file = file
        self.line = line
        self.column = column

    def to_dict(self):
        data = super().to_dict()
        data.update(file=self.file, line=self.line, column=self.column)
        return data
