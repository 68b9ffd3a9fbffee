"""Reader of Field Service Trakker export bundles (a zip file or a folder).

FST publishes no API and no export format, so the project defines one (see
``emulators/FST_BUNDLE.md``): one CSV file per object, named after the object
(``customers.csv``, ``work_orders.csv`` …), a ``custom_fields.csv`` schema, an
``attachments.csv`` manifest and a ``files/`` folder holding the attachment bytes.

The reader is tolerant, because real exports are made by hand with Excel:

* encoding detected per file: UTF-8 (with or without BOM), UTF-16 with a BOM,
  otherwise Windows-1252 (Latin-1 when a byte is undefined there);
* delimiter detected per file from its header line: ``,`` ``;`` tab or ``|`` (an Excel
  ``sep=;`` first line is honoured);
* file and column names compared without case, spaces, dashes or underscores
  (``Work Orders.CSV`` is ``work_orders``, ``Customer ID`` and ``CUSTOMERID`` are
  ``customer_id``); unknown columns are kept under a snake_case name;
* rows are streamed, never a whole file in memory.

A problem never stops the whole read: a row that cannot be trusted (wrong number of
values, bytes not valid in the file's encoding, empty or duplicate id) is skipped and
reported as a :class:`RecordIssue` in ``self.issues`` with the file, the line where the
row starts, the column and the reason; things worth knowing that lose no data (an
unknown column kept, an optional column absent, an unreadable ``updated_at``) go to
``self.notices``. Only a bundle that cannot be opened at all raises
:class:`BundleError`.

Bounded whatever the input (issue 14): a physical line is read at most
``max_line_chars`` characters at a time (longer: the rest of the file is skipped, with
one issue); a line with more than ``max_line_delimiters`` delimiters is refused before
``csv`` splits it; a header wider than ``max_columns`` refuses the file with one issue;
unknown and duplicate column names are resolved in linear time and reported at most
``MAX_COLUMN_NOTICES`` times per file plus one summary; the ids already seen are kept
in a bounded set that spills to a temporary on-disk SQLite table (:class:`SeenIds`);
a zip member whose declared size is above ``max_member_bytes`` or whose declared
compression ratio is above ``max_ratio`` (beyond ``RATIO_FREE_BYTES``) is refused, and
every member is counted while read against the size its entry declares; an attachment
is refused above ``max_attachment_bytes`` (the manifest's ``size``, the member's
declared size, and the bytes actually read).

Layout: ``objects`` (the object files, their columns, custom field types, name keys),
``containers`` (a folder or zip read within bounds, safe attachment paths), ``text``
(encoding and delimiter detection, the bounded line reader, :func:`open_text`), ``seen``
(:class:`SeenIds`), ``values`` (timestamps, pages) and ``source``
(:class:`FstBundleSource`, which reads the files through them).
"""

from .containers import (
    MAX_MEMBER_BYTES,
    MAX_RATIO,
    RATIO_FREE_BYTES,
    BundleLimitError,
    attachment_path,
    safe_path,
)
from .objects import (
    BUNDLE_OBJECTS,
    CUSTOM_FIELD_TYPES,
    CUSTOM_FIELDS_FILE,
    FILES_FOLDER,
    OBJECTS_BY_NAME,
    BundleObject,
    custom_field_column,
    field_type,
    name_key,
    snake_case,
)
from .seen import SEEN_IDS_IN_MEMORY, SeenIds
from .source import (
    DEFAULT_PAGE_SIZE,
    MAX_COLUMN_NOTICES,
    MAX_COLUMNS,
    TEXT_SUFFIXES,
    FstBundleSource,
)
from .text import (
    DELIMITERS,
    MAX_FIELD_CHARS,
    MAX_LINE_CHARS,
    MAX_LINE_DELIMITERS,
    SNIFF_BYTES,
    detect_delimiter,
    detect_encoding,
    open_text,
)
from .values import pages, parse_timestamp

__all__ = [
    "BUNDLE_OBJECTS", "CUSTOM_FIELDS_FILE", "CUSTOM_FIELD_TYPES", "DEFAULT_PAGE_SIZE",
    "DELIMITERS", "FILES_FOLDER", "MAX_COLUMNS", "MAX_COLUMN_NOTICES", "MAX_FIELD_CHARS",
    "MAX_LINE_CHARS", "MAX_LINE_DELIMITERS", "MAX_MEMBER_BYTES", "MAX_RATIO",
    "OBJECTS_BY_NAME", "RATIO_FREE_BYTES", "SEEN_IDS_IN_MEMORY", "SNIFF_BYTES",
    "TEXT_SUFFIXES", "BundleLimitError", "BundleObject", "FstBundleSource", "SeenIds",
    "attachment_path", "custom_field_column", "detect_delimiter", "detect_encoding",
    "field_type", "name_key", "open_text", "pages", "parse_timestamp", "safe_path",
    "snake_case",
]
