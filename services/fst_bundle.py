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
"""

import codecs
import csv
import hashlib
import io
import os
import posixpath
import re
import sqlite3
import zipfile
import zlib
from dataclasses import dataclass
from datetime import datetime, timezone

from .errors import BundleError
from .http_client import MAX_ATTACHMENT_BYTES
from .source_base import CustomFieldDef, RecordIssue, Source

#: bytes read from the start of a file to detect its encoding
SNIFF_BYTES = 64 * 1024
#: candidate delimiters, in order of preference on a tie
DELIMITERS = (",", ";", "\t", "|")
#: file suffixes taken as delimited text
TEXT_SUFFIXES = (".csv", ".tsv", ".txt")
#: folder of the attachment bytes, next to the CSV files
FILES_FOLDER = "files"
#: a single value may be long (HTML notes with inline images), but not unbounded
MAX_FIELD_CHARS = 64 * 1024 * 1024
DEFAULT_PAGE_SIZE = 500
#: the longest physical line read (characters); a longer one stops the file's read
MAX_LINE_CHARS = 32 * 1024 * 1024
#: the most delimiters one physical line may hold before ``csv`` splits it
MAX_LINE_DELIMITERS = 64 * 1024
#: the widest header read (columns); a wider file is refused with one issue
MAX_COLUMNS = 4096
#: unknown/duplicate column findings reported one by one per file, then one summary
MAX_COLUMN_NOTICES = 50
#: the largest zip member read (declared uncompressed bytes)
MAX_MEMBER_BYTES = 4 * 1024 * 1024 * 1024
#: the highest declared compression ratio of a zip member larger than RATIO_FREE_BYTES
MAX_RATIO = 100
RATIO_FREE_BYTES = 8 * 1024 * 1024
#: ids of one file kept in memory before the rest spill to a temporary SQLite table
SEEN_IDS_IN_MEMORY = 200_000

# the limit is process-wide in the csv module; it is only ever raised here
csv.field_size_limit(max(csv.field_size_limit(), MAX_FIELD_CHARS))

#: undecodable bytes (``surrogateescape``) and NUL bytes both end up in this range
_BAD_CHARS = re.compile("[\udc00-\udcff]")
_NOT_ALNUM = re.compile(r"[^0-9a-z]+")
_SEP_LINE = re.compile(r"^sep=(.)\r?\n?$", re.I)


@dataclass(frozen=True)
class BundleObject:
    """One CSV file of the bundle: its columns in export order and which are required."""

    name: str
    id_column: str
    columns: tuple
    required: tuple
    #: column compared with ``since`` for delta pickup (None: the object is never filtered)
    timestamp_column: str | None = "updated_at"
    #: columns whose values, joined by ``.``, make the record id (default: ``id_column``)
    key_columns: tuple = ()


#: the bundle layout, in dependency order (see ``emulators/FST_BUNDLE.md``)
BUNDLE_OBJECTS = (
    BundleObject("customers", "customer_id", (
        "customer_id", "account_code", "name", "customer_type", "status", "first_name",
        "last_name", "email", "phone", "mobile", "tax_type", "payment_type", "credit_limit",
        "sales_rep_email", "notes", "bill_street", "bill_street2", "bill_city", "bill_state",
        "bill_zip", "bill_country", "created_at", "updated_at"), ("customer_id",)),
    BundleObject("contacts", "contact_id", (
        "contact_id", "customer_id", "first_name", "last_name", "title", "role", "email",
        "phone", "mobile", "updated_at"), ("contact_id", "customer_id")),
    BundleObject("sites", "site_id", (
        "site_id", "customer_id", "name", "street", "street2", "city", "state", "zip",
        "country", "latitude", "longitude", "access_notes", "updated_at"),
        ("site_id", "customer_id")),
    BundleObject("technicians", "technician_id", (
        "technician_id", "first_name", "last_name", "email", "phone", "skills", "active",
        "updated_at"), ("technician_id",)),
    BundleObject("work_orders", "work_order_id", (
        "work_order_id", "number", "customer_id", "site_id", "technician_id", "service_type",
        "status", "priority", "po_number", "description", "office_notes", "billing_notes",
        "created_at", "scheduled_at", "completed_at", "updated_at"), ("work_order_id",)),
    BundleObject("work_order_lines", "line_id", (
        "line_id", "work_order_id", "kind", "description", "quantity", "unit_price",
        "taxable", "updated_at"), ("line_id", "work_order_id")),
    BundleObject("appointments", "appointment_id", (
        "appointment_id", "work_order_id", "technician_id", "start", "end", "travel_start",
        "arrived_at", "status", "updated_at"), ("appointment_id", "work_order_id")),
    BundleObject("invoices", "invoice_id", (
        "invoice_id", "work_order_id", "customer_id", "invoice_number", "invoice_date",
        "due_date", "status", "subtotal", "tax", "total", "updated_at"), ("invoice_id",)),
    BundleObject("invoice_lines", "line_id", (
        "line_id", "invoice_id", "description", "quantity", "unit_price", "taxable"),
        ("line_id", "invoice_id"), timestamp_column=None),
    BundleObject("parts_used", "part_id", (
        "part_id", "work_order_id", "name", "quantity", "cost"),
        ("part_id", "work_order_id"), timestamp_column=None),
    BundleObject("notes", "note_id", (
        "note_id", "work_order_id", "author_technician_id", "created_at", "body_html"),
        ("note_id", "work_order_id"), timestamp_column="created_at"),
    BundleObject("attachments", "attachment_id", (
        "attachment_id", "work_order_id", "file_name", "path", "mime_type", "size", "sha1"),
        ("attachment_id", "path"), timestamp_column=None),
)
OBJECTS_BY_NAME = {obj.name: obj for obj in BUNDLE_OBJECTS}
#: the custom field schema file: one row per custom field of an object
CUSTOM_FIELDS_FILE = BundleObject(
    "custom_fields", "name", ("object", "name", "label", "type", "options", "required"),
    ("object", "name"), timestamp_column=None, key_columns=("object", "name"))
#: custom field types the engine knows, and spellings met in exports
CUSTOM_FIELD_TYPES = ("char", "text", "integer", "float", "boolean", "date", "datetime",
                      "selection")
_TYPE_ALIASES = {
    "string": "char", "varchar": "char", "memo": "text", "multiline": "text",
    "longtext": "text", "int": "integer", "number": "float", "decimal": "float",
    "currency": "float", "money": "float", "bool": "boolean", "checkbox": "boolean",
    "yesno": "boolean", "timestamp": "datetime", "dropdown": "selection",
    "picklist": "selection", "list": "selection", "choice": "selection",
}
_TRUE_WORDS = frozenset({"1", "true", "yes", "y", "x", "t", "required"})


def name_key(text):
    """Key used to compare file and column names: lower case, letters and digits only."""
    return _NOT_ALNUM.sub("", text.lower())


def snake_case(text):
    """``"Gate Code #"`` → ``"gate_code"``: the name under which an unknown column is kept."""
    return _NOT_ALNUM.sub("_", text.strip().lower()).strip("_")


def custom_field_column(name):
    """Column holding the values of custom field ``name`` in its object's file."""
    return "cf_" + snake_case(name)


def field_type(raw):
    """The engine's type for a custom field type as spelled in an export, else None."""
    text = (raw or "").strip().lower()
    text = _TYPE_ALIASES.get(name_key(text), text)
    return text if text in CUSTOM_FIELD_TYPES else None


def detect_encoding(prefix):
    """Codec name for a file starting with the bytes ``prefix``.

    A BOM decides; otherwise UTF-8 when the bytes are (mostly) valid UTF-8, UTF-16 when
    every other byte is NUL, else Windows-1252, or Latin-1 when a byte is undefined in
    Windows-1252. "Mostly": at least as many valid multi-byte characters as invalid
    bytes (Windows-1252 text almost never forms valid UTF-8), so that a few stray bytes
    in a UTF-8 file are reported row by row rather than turning every accented letter of
    the file into mojibake.
    """
    if prefix.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if prefix.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    sample = prefix[:4096]
    if len(sample) >= 4:
        if sample[1::2].count(0) > 0.4 * len(sample) / 2 and not sample[0::2].count(0):
            return "utf-16-le"
        if sample[0::2].count(0) > 0.4 * len(sample) / 2 and not sample[1::2].count(0):
            return "utf-16-be"
    text = codecs.getincrementaldecoder("utf-8")("surrogateescape").decode(prefix)
    bad = len(_BAD_CHARS.findall(text))
    good_non_ascii = sum(1 for ch in text if ord(ch) > 127) - bad
    if good_non_ascii >= bad:
        return "utf-8"
    try:
        prefix.decode("cp1252")
    except UnicodeDecodeError:
        return "latin-1"
    return "cp1252"


def detect_delimiter(header_line):
    """The candidate delimiter found most often outside quotes in ``header_line``."""
    counts = dict.fromkeys(DELIMITERS, 0)
    quoted = False
    for ch in header_line:
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch in counts:
            counts[ch] += 1
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def parse_timestamp(text):
    """An aware UTC ``datetime`` from an ISO string (naive means UTC), else None."""
    text = (text or "").strip()
    if not text:
        return None
    if text[-1:] in ("Z", "z"):  # Python 3.10's fromisoformat does not take "Z"
        text = text[:-1] + "+00:00"
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        for pattern in ("%m/%d/%Y %H:%M:%S", "%m/%d/%Y %H:%M", "%m/%d/%Y %I:%M %p",
                        "%m/%d/%Y"):
            try:
                value = datetime.strptime(text, pattern)
                break
            except ValueError:
                continue
        else:
            return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc)


def attachment_path(ref):
    """The safe path, relative to ``files/``, of an attachment reference.

    ``ref`` is a manifest row (its ``path``) or the path itself. Absolute paths, drive
    letters and any ``..`` component are refused with :class:`BundleError`.
    """
    raw = ref.get("path") if isinstance(ref, dict) else ref
    if not isinstance(raw, str) or not raw.strip():
        raise BundleError(f"Attachment reference {ref!r} has no path.")
    path = raw.strip().replace("\\", "/")
    if path.lower().startswith(FILES_FOLDER + "/"):
        path = path[len(FILES_FOLDER) + 1:]
    return safe_path(path, raw, ref)


def safe_path(path, raw=None, ref=None, where=f"bundle's {FILES_FOLDER}/ folder"):
    """``path`` ('/'-separated) normalised, or :class:`BundleError` when it is absolute,
    has a drive letter or a ``..`` component (it would point outside ``where``)."""
    raw = path if raw is None else raw
    parts = path.split("/")
    if path.startswith("/") or re.match(r"^[A-Za-z]:", path) or ".." in parts:
        raise BundleError(
            f"Attachment path {raw!r} is refused: it points outside the {where}.", file=raw)
    clean = posixpath.normpath(path)
    if clean in (".", ""):
        raise BundleError(f"Attachment reference {raw if ref is None else ref!r} has no file "
                          "name.", file=raw)
    return clean


class BundleLimitError(BundleError):
    """A file of the bundle is out of the reader's bounds (size, ratio): that file is
    not read (an issue when it is an object's file), the others are."""


class _Container:
    """The files of a bundle, by path relative to the bundle root (``/`` separated)."""

    def names(self):
        raise NotImplementedError

    def open(self, name, max_bytes=None):
        """A binary stream over one file; ``FileNotFoundError`` when absent; a
        ``BundleError`` when it declares more than ``max_bytes``."""
        raise NotImplementedError

    def close(self):
        """Release the underlying file handles."""


class _FolderContainer(_Container):
    def __init__(self, root):
        self.root = os.path.realpath(root)

    def names(self):
        for folder, dirs, files in os.walk(self.root):
            dirs[:] = [d for d in dirs if not d.startswith(".")]
            rel = os.path.relpath(folder, self.root)
            for file_name in files:
                path = file_name if rel == "." else os.path.join(rel, file_name)
                yield path.replace(os.sep, "/")

    def open(self, name, max_bytes=None):
        full = os.path.realpath(os.path.join(self.root, *name.split("/")))
        if os.path.commonpath([full, self.root]) != self.root:
            raise BundleError(f"{name!r} resolves outside the bundle folder; refused.",
                              file=name)
        if max_bytes is not None and os.path.isfile(full) and os.path.getsize(full) > max_bytes:
            raise BundleLimitError(f"{name} holds {os.path.getsize(full)} bytes, above the limit "
                              f"of {max_bytes} bytes; not read.", file=name)
        return open(full, "rb")


class _ZipContainer(_Container):
    """Zip members, refused when their declared size or ratio is out of bounds and
    counted while read against the size their entry declares."""

    max_member_bytes = MAX_MEMBER_BYTES
    max_ratio = MAX_RATIO

    def __init__(self, path):
        try:
            self.zip = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError) as exc:
            raise BundleError(
                f"{os.path.basename(path)} is not a readable zip file ({exc}); it may be "
                "truncated: copy or download it again.", file=os.path.basename(path)) from None
        # some Windows tools write "folder\\file.csv": compare with "/" everywhere
        self.members = {info.filename.replace("\\", "/"): info
                        for info in self.zip.infolist() if not info.is_dir()}

    def names(self):
        return iter(self.members)

    def check(self, name, max_bytes=None):
        """Refuse (``BundleError``) a member whose declared sizes are out of bounds."""
        info = self.members[name]
        limit = min(self.max_member_bytes, max_bytes or self.max_member_bytes)
        if info.file_size > limit:
            raise BundleLimitError(f"{name} declares {info.file_size} bytes, above the limit of "
                              f"{limit} bytes; not read.", file=name)
        ratio = info.file_size / max(info.compress_size, 1)
        if self.max_ratio and info.file_size > RATIO_FREE_BYTES and ratio > self.max_ratio:
            raise BundleLimitError(
                f"{name} declares {info.file_size} bytes compressed into "
                f"{info.compress_size} (ratio {ratio:.0f}:1, above {self.max_ratio}:1): a "
                "compression bomb, not read.", file=name)
        return info

    def open(self, name, max_bytes=None):
        if name not in self.members:
            raise FileNotFoundError(name)
        info = self.check(name, max_bytes)
        try:
            return io.BufferedReader(_CountedMember(self.zip.open(info), name, info.file_size))
        except RuntimeError:  # zipfile's way of saying "encrypted"
            raise BundleError(f"{name} is password-protected in the zip: export the bundle "
                              "again without a password.", file=name) from None
        except NotImplementedError as exc:  # e.g. Deflate64 from Windows Explorer
            raise BundleError(f"{name} is compressed with a method Python cannot read "
                              f"({exc}): zip the bundle again with standard Deflate.",
                              file=name) from None

    def close(self):
        self.zip.close()


class _CountedMember(io.RawIOBase):
    """A zip member's stream that fails (``BadZipFile``) as soon as it yields more bytes
    than its entry declares, or ends before them."""

    def __init__(self, member, name, declared):
        self._member = member
        self.name = name
        self.declared = declared
        self.read_bytes = 0

    def readable(self):
        return True

    def readinto(self, buffer):
        data = self._member.read(min(len(buffer), 1024 * 1024))
        self.read_bytes += len(data)
        if self.read_bytes > self.declared:
            raise zipfile.BadZipFile(f"{self.name} holds more than the {self.declared} bytes "
                                     "its zip entry declares")
        if not data and len(buffer) and self.read_bytes < self.declared:
            raise zipfile.BadZipFile(f"{self.name} ends after {self.read_bytes} of the "
                                     f"{self.declared} bytes its zip entry declares")
        buffer[:len(data)] = data
        return len(data)

    def close(self):
        if not self.closed:
            self._member.close()
        return super().close()


#: errors a damaged zip member or disk raises while being read
_READ_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, OSError)


def open_text(container, member, encoding=None):
    """Text stream over ``member`` of ``container`` with its detected encoding (or
    ``encoding``, detected before); undecodable bytes are kept as lone surrogates so
    that the row holding them can be reported. Its ``encoding`` is the codec used."""
    if encoding:
        return io.TextIOWrapper(container.open(member), encoding=encoding,
                                errors="surrogateescape", newline="")
    prefix = b""
    with container.open(member) as probe:
        try:  # a damaged zip member is reported where the rows stop, not here
            while len(prefix) < SNIFF_BYTES:
                chunk = probe.read(8192)
                if not chunk:
                    break
                prefix += chunk
        except _READ_ERRORS:
            prefix = prefix or b""  # sniff what was read; the rows report the damage
    encoding = detect_encoding(prefix)
    binary = container.open(member)
    return io.TextIOWrapper(binary, encoding=encoding, errors="surrogateescape", newline="")


class SeenIds:
    """A set of ids with bounded memory: the first ``in_memory`` ids in a Python set of
    16-byte BLAKE2 digests, the others in a temporary on-disk SQLite table (SQLite's
    ``""`` database: private, deleted on close, page cache capped at 8 MB).

    ``add(id)`` returns False when the id was already there.
    """

    def __init__(self, in_memory=SEEN_IDS_IN_MEMORY):
        self.in_memory = in_memory
        self._set = set()
        self._db = None

    @staticmethod
    def _key(value):
        return hashlib.blake2b(value.encode("utf-8", "surrogatepass"), digest_size=16).digest()

    def add(self, value):
        key = self._key(value)
        if key in self._set:
            return False
        if len(self._set) < self.in_memory:
            self._set.add(key)
            return True
        if self._db is None:
            self._db = sqlite3.connect("")
            self._db.execute("PRAGMA cache_size=-8192")
            self._db.execute("PRAGMA journal_mode=OFF")
            self._db.execute("PRAGMA synchronous=OFF")
            self._db.execute("CREATE TABLE seen (k BLOB PRIMARY KEY) WITHOUT ROWID")
        return self._db.execute("INSERT OR IGNORE INTO seen VALUES (?)", (key,)).rowcount == 1

    def __len__(self):
        spilled = self._db.execute("SELECT count(*) FROM seen").fetchone()[0] if self._db else 0
        return len(self._set) + spilled

    def close(self):
        self._set = set()
        if self._db is not None:
            self._db.close()
            self._db = None


class _LineLimit(Exception):
    """A physical line out of bounds: the rest of the file cannot be read safely."""


class FstBundleSource(Source):
    """An FST export bundle, zipped or not, read as a migration :class:`Source`.

    ``since`` is applied while reading (``supports_since`` stays False: a bundle is a
    snapshot, every read scans the whole file). Attachments are opened with
    :meth:`open_attachment` from a manifest row or its path.
    """

    kind = "fst_bundle"

    def __init__(self, path, *, page_size=DEFAULT_PAGE_SIZE, max_line_chars=MAX_LINE_CHARS,
                 max_line_delimiters=MAX_LINE_DELIMITERS, max_columns=MAX_COLUMNS,
                 max_member_bytes=MAX_MEMBER_BYTES, max_ratio=MAX_RATIO,
                 max_attachment_bytes=MAX_ATTACHMENT_BYTES,
                 seen_ids_in_memory=SEEN_IDS_IN_MEMORY):
        super().__init__()
        self.max_line_chars = max_line_chars
        self.max_line_delimiters = max_line_delimiters
        self.max_columns = max_columns
        self.max_member_bytes = max_member_bytes
        self.max_ratio = max_ratio
        self.max_attachment_bytes = max_attachment_bytes
        self.seen_ids_in_memory = seen_ids_in_memory
        #: informational findings that lose no data (unknown columns kept …)
        self.notices = []
        self.path = os.fspath(path)
        self.page_size = page_size
        self._container = None
        self._files = None  # object name → member name
        self._root = ""
        self._custom_fields = None
        self._counts = {}

    # -- Source interface ------------------------------------------------------------

    def test_connection(self):
        """Open the bundle and check that it holds at least one FST export file."""
        self._open()

    def list_objects(self):
        """The objects present in the bundle, in dependency order."""
        files = self._open()
        return [obj.name for obj in BUNDLE_OBJECTS if obj.name in files]

    def iter_pages(self, obj, since=None, page_size=None):
        """Yield lists of row dicts (plus ``"id"``), at most ``page_size`` per list.

        Values are the strings of the file, unchanged. ``since`` keeps the rows whose
        timestamp column (``updated_at``; ``created_at`` for notes) is at or after it,
        and rows whose timestamp cannot be read; objects without one are never filtered.
        """
        spec = self._spec(obj)
        since = _as_utc(since)
        yield from pages((record for line, record in self._iter_file(spec)
                          if since is None or self._is_since(spec, record, since, line)),
                         page_size or self.page_size)

    def count(self, obj):
        """Data rows in the object's file (bad rows included); 0 when the file is absent."""
        spec = self._spec(obj)
        if obj not in self._counts:
            self._counts[obj] = self._count_rows(spec)
        return self._counts[obj]

    def custom_fields(self):
        """The fields declared in ``custom_fields.csv`` (empty when the file is absent)."""
        if self._custom_fields is None:
            self._custom_fields = list(self._read_custom_fields())
        return list(self._custom_fields)

    def open_attachment(self, ref):
        """A binary stream over an attachment's bytes; ``ref`` is a manifest row or path."""
        self._open()
        rel = attachment_path(ref)
        name = posixpath.join(self._root, FILES_FOLDER, rel)
        limit = self.max_attachment_bytes
        declared = _as_size(ref.get("size")) if isinstance(ref, dict) else None
        if declared is not None and declared > limit:
            raise BundleError(f"Attachment {rel!r}: the manifest declares {declared} bytes, "
                              f"above the limit of {limit} bytes; not read.",
                              file=f"{FILES_FOLDER}/{rel}")
        try:
            stream = self._container.open(name, max_bytes=limit)
            return io.BufferedReader(_CappedFile(stream, limit, f"{FILES_FOLDER}/{rel}"))
        except (FileNotFoundError, IsADirectoryError):
            raise BundleError(f"Attachment {rel!r} is not in the bundle's {FILES_FOLDER}/ "
                              "folder.", file=f"{FILES_FOLDER}/{rel}") from None
        except _READ_ERRORS as exc:
            raise BundleError(f"Attachment {rel!r} cannot be read: {exc}",
                              file=f"{FILES_FOLDER}/{rel}") from None

    def close(self):
        if self._container is not None:
            self._container.close()
            self._container = None
            self._files = None

    # -- opening -------------------------------------------------------------------------

    def _open(self):
        """Open the container once and find the object files; return object → member."""
        if self._files is not None:
            return self._files
        if os.path.isdir(self.path):
            container = _FolderContainer(self.path)
        elif os.path.isfile(self.path):
            container = _ZipContainer(self.path)
            container.max_member_bytes = self.max_member_bytes
            container.max_ratio = self.max_ratio
        else:
            raise BundleError(f"No bundle at {self.path}: give a .zip file or a folder.",
                              file=self.path)
        known = {name_key(obj.name): obj.name
                 for obj in (*BUNDLE_OBJECTS, CUSTOM_FIELDS_FILE)}
        found = {}
        for member in sorted(container.names(), key=lambda n: (n.count("/"), n)):
            folder, base = posixpath.split(member)
            stem, suffix = posixpath.splitext(base)
            if suffix.lower() not in TEXT_SUFFIXES or base.startswith((".", "~$")) \
                    or member.startswith("__MACOSX/"):
                continue
            obj = known.get(name_key(stem))
            if obj is None:
                continue
            if not found:
                self._root = folder
            if folder != self._root:
                continue
            if obj in found:
                self.issues.append(RecordIssue(
                    obj, None, f"two files hold {obj}: {found[obj]!r} is read, {member!r} "
                    "is ignored", file=member))
                continue
            found[obj] = member
        if not found:
            container.close()
            raise BundleError(
                f"{os.path.basename(self.path.rstrip('/'))} holds no FST export file: "
                "expected customers.csv, work_orders.csv … (see FST_BUNDLE.md).",
                file=self.path)
        self._container = container
        self._files = found
        return found

    def _spec(self, obj):
        if obj not in OBJECTS_BY_NAME:
            raise BundleError(f"Unknown FST object {obj!r}; known: "
                              f"{', '.join(OBJECTS_BY_NAME)}.")
        return OBJECTS_BY_NAME[obj]

    # -- reading -------------------------------------------------------------------------

    def _known_columns(self, spec):
        if spec is CUSTOM_FIELDS_FILE:
            return spec.columns
        extra = tuple(custom_field_column(f.name) for f in self.custom_fields()
                      if f.object == spec.name)
        return spec.columns + extra

    def _is_since(self, spec, record, since, line):
        column = spec.timestamp_column
        if column is None or column not in record:
            return True
        when = parse_timestamp(record[column])
        if when is None:
            if record[column].strip():
                self.notices.append(RecordIssue(
                    spec.name, record["id"], f"{column} {record[column]!r} is not a date; "
                    "the row is kept by the since filter", file=self._files[spec.name],
                    line=line, column=column))
            return True
        return when >= since

    def _open_text(self, member):
        return open_text(self._container, member)

    def _iter_file(self, spec):
        """Yield ``(line, record)`` for every good row of the object's file."""
        member = self._open().get(spec.name)
        if member is None:
            return
        issue = self._issue_factory(spec, member)
        try:
            text = self._open_text(member)
        except BundleLimitError as exc:
            self.issues.append(issue(None, None, str(exc)))
            return
        except _READ_ERRORS as exc:
            self.issues.append(issue(None, None, f"file cannot be opened: {exc}"))
            return
        seen_ids = SeenIds(self.seen_ids_in_memory)
        with text:
            lines = _Lines(text, self.max_line_chars, self.max_line_delimiters)
            try:
                yield from self._iter_rows(spec, lines, issue, seen_ids)
            except _LineLimit as exc:
                self.issues.append(issue(lines.count + 1, None,
                                         f"{exc}; the rest of the file is skipped"))
            except UnicodeDecodeError as exc:
                self.issues.append(issue(lines.count + 1, None,
                                         f"cannot be decoded after line {lines.count}: {exc}; "
                                         "the rest of the file is skipped"))
            except _READ_ERRORS as exc:
                self.issues.append(issue(lines.count + 1, None,
                                         f"file is damaged after line {lines.count} ({exc}); "
                                         "the rest of the file is skipped"))
            finally:
                seen_ids.close()

    def _issue_factory(self, spec, member):
        def issue(line, column, reason, source_id=None, raw=None):
            return RecordIssue(spec.name, source_id, reason, file=member, line=line,
                               column=column, raw=raw)
        return issue

    def _iter_rows(self, spec, lines, issue, seen_ids):
        reader = _csv_reader(lines)
        if reader is None:
            self.issues.append(issue(1, None, "file is empty (no header line)"))
            return
        header = self._read_header(spec, reader, lines, issue)
        if header is None:
            return
        row_start = lines.count + 1
        while True:
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                self.issues.append(issue(row_start, None, f"unreadable CSV row: {exc}"))
                row_start = lines.count + 1
                continue
            line, row_start = row_start, lines.count + 1
            if not row:
                continue
            record = self._check_row(spec, header, row, line, seen_ids, issue)
            if record is not None:
                yield line, record

    def _read_header(self, spec, reader, lines, issue):
        """Canonical column names of the header row, or None when the file is unusable."""
        try:
            cells = next(reader)
        except (StopIteration, csv.Error) as exc:
            self.issues.append(issue(1, None, f"no readable header line ({exc or 'empty'})"))
            return None
        if len(cells) > self.max_columns:
            self.issues.append(issue(lines.count, None,
                                     f"the header has {len(cells)} columns, more than the limit "
                                     f"of {self.max_columns}; the file is not read"))
            return None
        known = self._known_columns(spec)
        canonical = {name_key(c): c for c in known}
        header, used = [], {"id"}
        next_suffix = {}  # name → the next suffix to try (linear in the header's width)
        reported = {"unknown": 0, "duplicate": 0}

        def report(kind, finding):
            reported[kind] += 1
            if reported[kind] <= MAX_COLUMN_NOTICES:
                (self.issues if kind == "duplicate" else self.notices).append(finding)

        for position, cell in enumerate(cells, start=1):
            if _BAD_CHARS.search(cell):
                self.issues.append(issue(lines.count, f"#{position}",
                                         f"header {position} has bytes not valid in the "
                                         "file's encoding"))
            name = canonical.get(name_key(cell))
            unknown = name is None
            if unknown:
                name = snake_case(_BAD_CHARS.sub("", cell)) or f"column_{position}"
            if name in used:
                suffix = next_suffix.get(name, 2)
                while f"{name}_{suffix}" in used:
                    suffix += 1
                next_suffix[name] = suffix + 1
                if name != "id":  # "id" is only reserved for the record id: no conflict
                    report("duplicate", issue(lines.count, cell,
                                              f"column {cell!r} appears twice; this one is "
                                              f"kept as {name}_{suffix}"))
                name = f"{name}_{suffix}"
            if unknown:
                report("unknown", issue(lines.count, cell,
                                        f"unknown column {cell!r} kept as {name!r}"))
            used.add(name)
            header.append(name)
        for kind, target in (("duplicate", self.issues), ("unknown", self.notices)):
            if reported[kind] > MAX_COLUMN_NOTICES:
                target.append(issue(lines.count, None,
                                    f"{reported[kind] - MAX_COLUMN_NOTICES} more {kind} "
                                    "columns, not listed one by one"))
        present = set(header)
        missing = [c for c in spec.required if c not in present]
        for column in missing:
            shown = ", ".join(header[:50]) + (" …" if len(header) > 50 else "")
            self.issues.append(issue(lines.count, column,
                                     f"required column {column!r} is missing; the file is "
                                     f"not read (columns found: {shown})"))
        if missing:
            return None
        for column in known:
            if column not in present:
                self.notices.append(issue(lines.count, column,
                                          f"column {column!r} is absent; left out of the "
                                          "records"))
        return header

    def _check_row(self, spec, header, row, line, seen_ids, issue):
        """The record of a data row, or None (and an issue) when it cannot be trusted."""
        if len(row) != len(header):
            if len(row) > len(header):
                column = f"#{len(header) + 1}"
                reason = (f"row has {len(row)} values but the header has {len(header)} "
                          "columns (extra values, or an unquoted delimiter); row skipped")
            else:
                column = header[len(row)]
                reason = (f"row has {len(row)} values but the header has {len(header)} "
                          f"columns; {column!r} and after are missing; row skipped")
            self.issues.append(issue(line, column, reason, raw=_raw(header, row)))
            return None
        if _BAD_CHARS.search("".join(row)):
            position = next(i for i, value in enumerate(row) if _BAD_CHARS.search(value))
            value = row[position]
            bad = _BAD_CHARS.search(value).group()
            byte = ord(bad) - 0xDC00
            self.issues.append(issue(
                line, header[position],
                f"value has byte 0x{byte:02X} at character {value.index(bad) + 1}, not valid "
                "in the file's encoding (or a NUL byte); row skipped: re-export the file as "
                "UTF-8", raw=_raw(header, row)))
            return None
        record = dict(zip(header, row, strict=True))
        key_columns = spec.key_columns or (spec.id_column,)
        for column in key_columns:
            if not record[column].strip():
                self.issues.append(issue(line, column, f"{column} is empty; row skipped",
                                         raw=record))
                return None
        source_id = ".".join(record[column].strip() for column in key_columns)
        if not seen_ids.add(source_id):
            self.issues.append(issue(line, spec.id_column, f"{spec.id_column} {source_id!r} "
                                     "appears again; this row is skipped", source_id, record))
            return None
        record["id"] = source_id
        return record

    def _count_rows(self, spec):
        member = self._open().get(spec.name)
        if member is None:
            return 0
        rows = -1  # the header line
        try:
            with self._open_text(member) as text:
                reader = _csv_reader(_Lines(text, self.max_line_chars,
                                            self.max_line_delimiters))
                while reader is not None:
                    try:
                        rows += 1 if next(reader) else 0
                    except StopIteration:
                        break
                    except csv.Error:
                        rows += 1
        except (UnicodeDecodeError, BundleLimitError, _LineLimit, *_READ_ERRORS):
            return None
        return max(rows, 0)

    def _read_custom_fields(self):
        member = self._open().get(CUSTOM_FIELDS_FILE.name)
        if member is None:
            return
        issue = self._issue_factory(CUSTOM_FIELDS_FILE, member)
        for line, row in self._iter_file(CUSTOM_FIELDS_FILE):
            known_type = field_type(row.get("type"))
            if known_type is None:
                self.issues.append(issue(line, "type", f"unknown custom field type "
                                         f"{row.get('type')!r}; read as char", row["id"], row))
            options = [o.strip() for o in (row.get("options") or "").split("|") if o.strip()]
            yield CustomFieldDef(
                object=_object_name(row["object"]),
                name=row["name"].strip(),
                label=(row.get("label") or "").strip(),
                type=known_type or "char",
                options=options,
                required=(row.get("required") or "").strip().lower() in _TRUE_WORDS,
            )


def _object_name(text):
    """The bundle object named ``text`` in any spelling (``Work Orders``), else as is."""
    key = name_key(text)
    for obj in BUNDLE_OBJECTS:
        if name_key(obj.name) == key:
            return obj.name
    return text.strip()


def _csv_reader(lines):
    """A ``csv.reader`` over ``lines`` with the delimiter of its header (or of an Excel
    ``sep=`` line, then skipped); None for an empty file."""
    first = lines.peek_first()
    if first is None:
        return None
    sep = _SEP_LINE.match(first)
    if sep:
        lines.skip_first()
        lines.delimiter = sep.group(1)
    else:
        lines.delimiter = detect_delimiter(first)
    return csv.reader(lines, delimiter=lines.delimiter)


def pages(records, size):
    """Lists of at most ``size`` of ``records``, in order."""
    page = []
    for record in records:
        page.append(record)
        if len(page) >= size:
            yield page
            page = []
    if page:
        yield page


def _raw(header, row):
    """The values of a bad row, by column name where one exists (for the issue)."""
    raw = {header[i] if i < len(header) else f"#{i + 1}": value for i, value in enumerate(row)}
    return {k: v[:200] for k, v in raw.items()}


def _as_utc(value):
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc)


class _Lines:
    """Iterates the physical lines of a text stream for ``csv.reader``.

    NUL bytes become ``\\udc00`` so that the row holding one is reported like any other
    undecodable byte. ``count`` is the number of lines handed out so far. A line is
    read at most ``max_chars`` (+1) characters at a time: a longer one, or one with more
    than ``max_delimiters`` ``delimiter`` characters, raises ``_LineLimit``.
    """

    def __init__(self, text, max_chars=MAX_LINE_CHARS, max_delimiters=MAX_LINE_DELIMITERS):
        self._text = text
        self._pending = None
        self.count = 0
        self.max_chars = max_chars
        self.max_delimiters = max_delimiters
        self.delimiter = None

    def _readline(self):
        line = self._text.readline(self.max_chars + 1)
        if len(line) > self.max_chars:
            raise _LineLimit(f"line {self.count + 1} is longer than {self.max_chars} "
                             "characters (the limit of one line)")
        if self.delimiter and line.count(self.delimiter) > self.max_delimiters:
            raise _LineLimit(f"line {self.count + 1} has more than {self.max_delimiters} "
                             f"{self.delimiter!r} delimiters (the limit of one line)")
        return line

    def peek_first(self):
        """The first line (without consuming it), or None for an empty file."""
        if self._pending is None:
            self._pending = self._readline()
        return self._pending or None

    def skip_first(self):
        self.peek_first()
        self._pending = ""
        self.count += 1

    def __iter__(self):
        return self

    def __next__(self):
        if self._pending:
            line, self._pending = self._pending, ""
            if self.delimiter and line.count(self.delimiter) > self.max_delimiters:
                raise _LineLimit(f"line {self.count + 1} has more than {self.max_delimiters} "
                                 f"{self.delimiter!r} delimiters (the limit of one line)")
        else:
            line = self._readline()
            if not line:
                raise StopIteration
        self.count += 1
        return line.replace("\x00", "\udc00") if "\x00" in line else line


def _as_size(value):
    """A manifest ``size`` as a whole number of bytes, else None."""
    text = str(value).strip() if value is not None else ""
    return int(text) if text.isdigit() else None


class _CappedFile(io.RawIOBase):
    """An attachment's stream that raises ``BundleError`` past ``limit`` bytes read."""

    def __init__(self, stream, limit, name):
        self._stream = stream
        self.limit = limit
        self.name = name
        self.read_bytes = 0

    def readable(self):
        return True

    def readinto(self, buffer):
        try:
            data = self._stream.read(min(len(buffer), 1024 * 1024))
        except _READ_ERRORS as exc:
            raise BundleError(f"Attachment {self.name!r} cannot be read: {exc}",
                              file=self.name) from None
        self.read_bytes += len(data)
        if self.read_bytes > self.limit:
            raise BundleError(f"Attachment {self.name!r} is larger than the limit of "
                              f"{self.limit} bytes; reading stopped.", file=self.name)
        buffer[:len(data)] = data
        return len(data)

    def close(self):
        if not self.closed:
            self._stream.close()
        return super().close()
