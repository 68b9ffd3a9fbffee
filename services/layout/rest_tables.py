"""RestTables: the endpoints of a REST source as raw tables of text, for the layout
proposer and :class:`~.source.LayoutSource`.

One table per object the source lists (``TableInfo(path=<object>, kind="rest")``). Its
rows are the records as the API sends them (``FstRestSource.iter_items``: no id needed,
so an installation whose JSON says ``CustomerNo`` is read; any other :class:`Source`:
its ``iter_pages`` records), flattened like profiling does and given as the text a CSV
export would hold:

* nested objects become dotted columns, two levels deep (``bill_to.city``); deeper
  objects are JSON text;
* a list of scalars is joined with ``"; "`` (``["HVAC", "Electrical"]`` →
  ``"HVAC; Electrical"``) unless a value holds a ``;``; any other list is JSON text;
* ``None`` → ``""``; booleans ``"true"``/``"false"`` (yes/no words the conventions
  read); integers as written; floats as their shortest round-trip text, never with an
  exponent (``1e-05`` → ``"0.00001"``); strings unchanged.

A table's header is the union of the keys of its first :data:`HEADER_RECORDS` records
(read once, at :meth:`RestTables.tables`); every row carries the header's columns (``""``
when the record lacks one) plus any key of its own. An endpoint the account may not read
(``errors.SourceObjectUnreadable``: 401/403/404/405/501) is listed with its status and
never stops the others; an error about the whole source (host down, credentials refused)
is raised.

Attachments: a REST source has no member files (:meth:`RestTables.files` raises
``NotImplementedError``, so folders and path columns are never proposed). In the
*manifest* mode :class:`~.source.LayoutSource` opens an attachment record through
:meth:`RestTables.open_record_file`: the record key of the attachments table (the API's
attachment id) is handed to the source's ``open_attachment`` (the attachments content
endpoint).
"""

import json
import math
from decimal import Decimal

from ..errors import SourceDataError, SourceError, as_unreadable
from ..profiling import flatten
from .model import RawTables, TableInfo

#: records read per endpoint to make its header (the union of their keys)
HEADER_RECORDS = 200
#: rows of each endpoint kept for the layout page
SAMPLE_ROWS = 5
LIST_SEPARATOR = "; "


def text_value(value):
    """One JSON value as the text a table of strings holds (see the module doc)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return str(value)
        text = repr(value)
        return format(Decimal(text), "f") if "e" in text or "E" in text else text
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        if all(v is None or isinstance(v, str | int | float) for v in value):
            texts = [text_value(v) for v in value if v is not None]
            if not any(";" in t for t in texts):
                return LIST_SEPARATOR.join(texts)
    return json.dumps(value, ensure_ascii=False, default=str)


def text_row(record):
    """``record`` flattened (dotted keys, two levels) with every value as text."""
    return {key: text_value(value) for key, value in flatten(record).items()}


class RestTables(RawTables):
    """The objects of ``source`` (an ``FstRestSource`` or any :class:`Source`) as
    :class:`~.model.RawTables`; :meth:`close` closes the source."""

    def __init__(self, source, *, header_records=HEADER_RECORDS, page_size=None):
        self.source = source
        self.header_records = header_records
        self.page_size = page_size
        self._infos = None
        #: the first rows of each readable endpoint (as text), for the layout page
        self.samples = {}

    @property
    def issues(self):
        """The source's issues (records that are not objects …), the same list."""
        return self.source.issues

    # -- RawTables ---------------------------------------------------------------------

    def tables(self):
        """One :class:`TableInfo` per object the source lists (read once, cached)."""
        if self._infos is None:
            self._infos = [self._info(obj) for obj in self.source.list_objects()]
        return list(self._infos)

    def iter_rows(self, path, sheet=None):
        """Yield ``(position, row)`` for every record of the endpoint ``path`` (1-based
        position in the API's order), streamed page by page."""
        header = self._header(path)
        blank = dict.fromkeys(header, "")
        position = 0
        for page in self._pages(path):
            for record in page:
                position += 1
                yield position, {**blank, **text_row(record)}

    def count_rows(self, path, sheet=None):
        """The records of ``path``: counted while sampling when they all fit, else the
        total the API announces (one small request), else None."""
        info = next((i for i in self.tables() if i.path == path), None)
        if info is not None and info.rows is not None:
            return info.rows
        return self.source.count(path)

    def files(self):
        raise NotImplementedError("a REST source has no member files: its attachments are "
                                  "read through its attachments endpoint")

    def open_file(self, path, max_bytes=None):
        raise SourceDataError(f"A REST source has no file {path!r}: attachments are read by "
                              "their record (a manifest of attachments), not by path.")

    def open_record_file(self, record, max_bytes=None):
        """The file of an attachment record, by its key, from the source's attachments
        endpoint (``max_bytes``: the source applies its own limit)."""
        return self.source.open_attachment(str(record.get("id", "")))

    def close(self):
        self.source.close()

    # -- reading -----------------------------------------------------------------------

    def _pages(self, obj):
        items = getattr(self.source, "iter_items", None)
        if items is not None:
            return items(obj, page_size=self.page_size)
        return self.source.iter_pages(obj, page_size=self.page_size)

    def _header(self, path):
        info = next((i for i in self.tables() if i.path == path), None)
        if info is None:
            raise SourceDataError(f"{path!r} is not an endpoint of this source; known: "
                                  f"{', '.join(i.path for i in self.tables())}.")
        return info.header

    def _info(self, obj):
        """Read the first records of ``obj``: header, status, rows when all were read."""
        header, read, complete = {}, 0, True
        sample = []
        try:
            pages = self._pages(obj)
            for page in pages:
                for record in page:
                    row = text_row(record)
                    header.update(dict.fromkeys(row))
                    if len(sample) < SAMPLE_ROWS:
                        sample.append(row)
                    read += 1
                if read >= self.header_records:
                    complete = False
                    break
            close = getattr(pages, "close", None)
            if close:
                close()
        except SourceError as exc:
            unreadable = as_unreadable(obj, exc)
            if unreadable is None:
                raise
            words = f": {unreadable.vendor_message}" if unreadable.vendor_message else ""
            return TableInfo(obj, None, "rest", f"not readable: HTTP {unreadable.status}"
                             f"{words}"[:300], (), None, None)
        self.samples[obj] = [{k: row.get(k, "") for k in header} for row in sample]
        return TableInfo(obj, None, "rest", "read" if header else "empty", tuple(header),
                         None, read if complete else None)
