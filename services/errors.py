"""Typed errors raised by the source clients and readers.

Every message is meant for a consultant: it says what failed and, where it can, what
to do next. No message ever carries a secret (token, password, client secret).
"""


class SourceError(Exception):
    """Base class of every error a source raises."""

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


class SourceConnectionError(SourceError):
    """The connection failed, timed out or was dropped, and retries did not cure it."""


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
