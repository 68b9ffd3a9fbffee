"""The one interface every source implements (Dispatch, FST REST, FST bundle).

Records are plain dicts as the source gives them (JSON-like values), each with an
``"id"`` (int or str as the source has it; the engine always compares ``str(id)``).
Object names are the source's own (``customers``, ``jobs``, ``work_orders`` …).
The engine only ever talks to a source through this interface.

Per-object calls (``count``, ``iter_pages``, ``iter_records``) of every subclass are
wrapped (``__init_subclass__``): a 401/403/404/405/501 from that object's endpoint,
after the retries that apply, is raised as ``errors.SourceObjectUnreadable(obj, status,
vendor_message)``, so that a caller can report the object as *not readable* and go on
with the others. Errors about the whole source (credentials refused at the token
endpoint, marked ``source_wide``; host down; a failing server) are raised unchanged.
``test_connection`` is not wrapped: it stays fatal.
"""

import functools
from abc import ABC, abstractmethod
from dataclasses import dataclass, field

from .errors import SourceError, as_unreadable


@dataclass
class CustomFieldDef:
    """A custom field declared by the source for one of its objects."""

    object: str
    name: str
    label: str = ""
    type: str = "char"  # char, text, integer, float, boolean, date, datetime, selection
    options: list = field(default_factory=list)  # selection values, in source order
    required: bool = False


@dataclass
class RecordIssue:
    """A record (or row) that could not be read as documented; reading goes on."""

    object: str
    source_id: str | None
    reason: str
    file: str | None = None
    line: int | None = None
    column: str | None = None
    raw: dict | None = None


def _guard_count(method):
    @functools.wraps(method)
    def count(self, obj, *args, **kwargs):
        try:
            return method(self, obj, *args, **kwargs)
        except SourceError as exc:
            unreadable = as_unreadable(obj, exc)
            if unreadable is None or unreadable is exc:
                raise
            raise unreadable from exc
    count.guarded = True
    return count


def _guard_iteration(method):
    @functools.wraps(method)
    def iterate(self, obj, *args, **kwargs):
        try:
            yield from method(self, obj, *args, **kwargs)
        except SourceError as exc:
            unreadable = as_unreadable(obj, exc)
            if unreadable is None or unreadable is exc:
                raise
            raise unreadable from exc
    iterate.guarded = True
    return iterate


class Source(ABC):
    """A migration source. Implementations must be safe to iterate twice."""

    kind = "abstract"

    def __init_subclass__(cls, **kwargs):
        # every source's per-object reads tell an unreadable object from a dead source
        result = super().__init_subclass__(**kwargs)
        for name, guard in (("count", _guard_count), ("iter_pages", _guard_iteration),
                            ("iter_records", _guard_iteration)):
            method = cls.__dict__.get(name)
            if method is not None and not getattr(method, "guarded", False):
                setattr(cls, name, guard(method))
        return result

    #: problems met while reading (malformed rows, records that are not dicts …)
    issues: list

    def __init__(self):
        self.issues = []

    @abstractmethod
    def test_connection(self):
        """Raise a ``SourceError`` subclass with a clear message when unreachable."""

    @abstractmethod
    def list_objects(self):
        """Names of the objects this source can give, in dependency order."""

    @abstractmethod
    def iter_pages(self, obj, since=None, page_size=None):
        """Yield lists of record dicts for ``obj``.

        ``since`` (an aware ``datetime``) asks for records created or updated since
        then; a source that cannot filter yields everything (see ``supports_since``).
        """

    def iter_records(self, obj, since=None):
        for page in self.iter_pages(obj, since=since):
            yield from page

    def count(self, obj):
        """Number of records of ``obj`` if the source says it cheaply, else None."""
        return None

    def supports_since(self, obj):
        """True when ``iter_pages(obj, since=…)`` really filters on the server."""
        return False

    def custom_fields(self):
        """List of ``CustomFieldDef`` the source declares (may be empty)."""
        return []

    def open_attachment(self, ref):
        """Return a binary file-like object streaming the attachment ``ref``.

        The caller closes it. Never read the whole content into memory here.
        """
        raise NotImplementedError

    def close(self):  # noqa: B027 - optional hook, most sources hold nothing to release
        """Release sockets/files. Idempotent."""
