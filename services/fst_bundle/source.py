"""FstBundleSource: an FST export bundle read as a migration Source (files found, rows checked)."""

import csv
import io
import os
import posixpath

from ..errors import BundleError
from ..http_client import MAX_ATTACHMENT_BYTES
from ..source_base import CustomFieldDef, RecordIssue, Source
from .containers import (
    _READ_ERRORS,
    MAX_MEMBER_BYTES,
    MAX_RATIO,
    BundleLimitError,
    _as_size,
    _CappedFile,
    _FolderContainer,
    _ZipContainer,
    attachment_path,
)
from .objects import (
    _TRUE_WORDS,
    BUNDLE_OBJECTS,
    CUSTOM_FIELDS_FILE,
    FILES_FOLDER,
    OBJECTS_BY_NAME,
    _object_name,
    custom_field_column,
    field_type,
    name_key,
    snake_case,
)
from .seen import SEEN_IDS_IN_MEMORY, SeenIds
from .text import (
    _BAD_CHARS,
    MAX_LINE_CHARS,
    MAX_LINE_DELIMITERS,
    _csv_reader,
    _LineLimit,
    _Lines,
    open_text,
)
from .values import _as_utc, pages, parse_timestamp

#: file suffixes taken as delimited text
TEXT_SUFFIXES = (".csv", ".tsv", ".txt")
DEFAULT_PAGE_SIZE = 500
#: the widest header read (columns); a wider file is refused with one issue
MAX_COLUMNS = 4096
#: unknown/duplicate column findings reported one by one per file, then one summary
MAX_COLUMN_NOTICES = 50


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


def _raw(header, row):
    """The values of a bad row, by column name where one exists (for the issue)."""
    raw = {header[i] if i < len(header) else f"#{i + 1}": value for i, value in enumerate(row)}
    return {k: v[:200] for k, v in raw.items()}
