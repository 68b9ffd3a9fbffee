"""Readers: every file and sheet of an export (folder, zip, nested folders) as RawTables.

``open_tables(path, **limits)`` opens a folder or a zip and gives a :class:`FileTables`.
Tables are CSV/TSV/TXT files (encoding, delimiter and ``sep=`` line detected per file,
as :mod:`services.fst_bundle` does, with its bounds), XLSX/XLSM sheets (openpyxl, one
table per sheet) and XLS sheets (xlrd, when installed). Every other member is listed too
(``kind="file"``, ``status="not a table: image"`` …); macOS ``__MACOSX`` folders,
hidden files and folders and Office ``~$`` lock files are listed with why they are
skipped. Nothing is ignored silently.

The header of a table is its first non-empty row; blank header cells are named
``Column <n>`` and repeated ones ``<name> (2)``, each reported in ``notices``. Values are
the table's own strings (sheet cells as the text a user sees), never converted further.
A row that cannot be trusted (wrong number of values, bytes not valid in the file's
encoding, a CSV syntax error) is skipped and reported in ``issues`` as a
:class:`~services.source_base.RecordIssue` with the file, line, column and reason;
reading goes on. Blank rows are not records and are passed over.
"""

import csv
import io
import os
import posixpath
import shutil
import tempfile

from ..errors import BundleError
from ..fst_bundle import (
    _BAD_CHARS,
    _READ_ERRORS,
    MAX_COLUMN_NOTICES,
    MAX_COLUMNS,
    MAX_LINE_CHARS,
    MAX_LINE_DELIMITERS,
    MAX_MEMBER_BYTES,
    MAX_RATIO,
    BundleLimitError,
    _CappedFile,
    _csv_reader,
    _FolderContainer,
    _LineLimit,
    _Lines,
    _ZipContainer,
    open_text,
    safe_path,
)
from ..http_client import MAX_ATTACHMENT_BYTES
from ..source_base import RecordIssue
from . import sheets
from .model import RawTables, TableInfo

TEXT_SUFFIXES = (".csv", ".tsv", ".txt", ".tab")
XLSX_SUFFIXES = (".xlsx", ".xlsm")
XLS_SUFFIXES = (".xls",)
#: an .xls workbook is read whole into memory by xlrd: refused above this
MAX_XLS_BYTES = 256 * 1024 * 1024
#: a zipped workbook is copied to a temporary file (openpyxl seeks); kept in memory below
SPOOL_BYTES = 16 * 1024 * 1024
_NOT_TABLES = {
    "image": ("png", "jpg", "jpeg", "gif", "bmp", "tif", "tiff", "heic", "heif", "webp",
              "svg", "ico"),
    "PDF": ("pdf",),
    "document": ("doc", "docx", "odt", "rtf", "pages", "md", "htm", "html", "xml", "json"),
    "archive": ("zip", "7z", "rar", "gz", "tgz", "tar", "bz2"),
    "audio or video": ("mp3", "m4a", "wav", "mp4", "mov", "avi", "wmv"),
    "database": ("mdb", "accdb", "sqlite", "db", "bak"),
    "spreadsheet in another format": ("ods", "numbers", "xlsb"),
}
_KIND_BY_SUFFIX = {f".{ext}": kind for kind, exts in _NOT_TABLES.items() for ext in exts}


def skip_reason(path):
    """``(listed path, reason)`` when ``path`` is not to be read (macOS metadata, hidden
    file or folder, Office lock file), else None. Files of a skipped folder share the
    folder's listed path (``__MACOSX/``)."""
    parts = path.rstrip("/").split("/")
    for depth, part in enumerate(parts[:-1] if not path.endswith("/") else parts):
        folder = "/".join(parts[:depth + 1]) + "/"
        if part == "__MACOSX":
            return folder, "skipped: macOS metadata folder (__MACOSX)"
        if part.startswith("."):
            return folder, "skipped: hidden folder"
    base = parts[-1]
    if base.startswith("~$"):
        return path, "skipped: Office lock file (~$), not the document itself"
    if base.startswith("."):
        return path, "skipped: hidden file"
    return None


def file_kind(path):
    """``csv``, ``xlsx``, ``xls`` or ``file`` by the name's suffix."""
    suffix = posixpath.splitext(path)[1].lower()
    if suffix in TEXT_SUFFIXES:
        return "csv"
    if suffix in XLSX_SUFFIXES:
        return "xlsx"
    if suffix in XLS_SUFFIXES:
        return "xls"
    return "file"


def not_a_table(path):
    """``not a table: image`` … for a member that is not a table."""
    suffix = posixpath.splitext(path)[1].lower()
    if suffix in _KIND_BY_SUFFIX:
        return f"not a table: {_KIND_BY_SUFFIX[suffix]}"
    return f"not a table: {suffix[1:]} file" if suffix else "not a table: file without " \
        "extension"


def unique_header(cells, notice):
    """Header names made unique: blank → ``Column <n>``, repeated → ``<name> (2)``;
    ``notice(position, cell, text)`` is told each renaming."""
    out, used, next_suffix = [], set(), {}
    for position, cell in enumerate(cells, start=1):
        name = _BAD_CHARS.sub("", cell).replace("\ufeff", "").strip()
        if not name:
            name = f"Column {position}"
            while name.casefold() in used:
                name += "'"
            notice(position, cell, f"column {position} has no header; named {name!r}")
        elif name.casefold() in used:
            key = name.casefold()
            suffix = next_suffix.get(key, 2)
            while f"{name} ({suffix})".casefold() in used:
                suffix += 1
            next_suffix[key] = suffix + 1
            renamed = f"{name} ({suffix})"
            notice(position, cell, f"column {name!r} appears again at position {position}; "
                                   f"named {renamed!r}")
            name = renamed
        used.add(name.casefold())
        out.append(name)
    return out


class _TableLines(_Lines):
    """The physical lines of a text table, blank lines before the header passed over."""

    def skip_blank_start(self):
        while True:
            first = self.peek_first()
            if first is None or first.strip():
                return
            self.skip_first()
            self._pending = None


class _Walk(_FolderContainer):
    """A folder's files; hidden, macOS-metadata and linked folders listed, not entered."""

    def __init__(self, root):
        super().__init__(root)
        self.skipped = []  # (listed path, reason)

    def names(self):
        for folder, dirs, files in os.walk(self.root):
            rel = os.path.relpath(folder, self.root)
            prefix = "" if rel == "." else rel.replace(os.sep, "/") + "/"
            kept = []
            for name in sorted(dirs):
                found = skip_reason(prefix + name + "/")
                if found:
                    self.skipped.append(found)
                elif os.path.islink(os.path.join(folder, name)):
                    self.skipped.append((prefix + name + "/",
                                         "skipped: a link to another folder"))
                else:
                    kept.append(name)
            dirs[:] = kept
            for name in sorted(files):
                yield prefix + name


def open_tables(path, **limits):
    """The tables of the folder or zip at ``path`` (:class:`FileTables`); limits:
    ``max_line_chars``, ``max_line_delimiters``, ``max_columns``, ``max_member_bytes``,
    ``max_ratio``, ``max_attachment_bytes``. :class:`BundleError` when it cannot be
    opened at all."""
    return FileTables(path, **limits)


class FileTables(RawTables):
    """The files of a folder or zip as :class:`RawTables` (see the module docstring)."""

    def __init__(self, path, *, max_line_chars=MAX_LINE_CHARS,
                 max_line_delimiters=MAX_LINE_DELIMITERS, max_columns=MAX_COLUMNS,
                 max_member_bytes=MAX_MEMBER_BYTES, max_ratio=MAX_RATIO,
                 max_attachment_bytes=MAX_ATTACHMENT_BYTES):
        self.path = os.fspath(path)
        self.max_line_chars = max_line_chars
        self.max_line_delimiters = max_line_delimiters
        self.max_columns = max_columns
        self.max_attachment_bytes = max_attachment_bytes
        self.issues = []
        #: findings that lose no data (a header renamed …)
        self.notices = []
        if os.path.isdir(self.path):
            self._container = _Walk(self.path)
        elif os.path.isfile(self.path):
            self._container = _ZipContainer(self.path)
            self._container.max_member_bytes = max_member_bytes
            self._container.max_ratio = max_ratio
        else:
            raise BundleError(f"No export at {self.path}: give a folder or a .zip file.",
                              file=self.path)
        self._names = sorted(self._container.names())
        self._tables = None
        self._by_key = {}

    # -- RawTables -----------------------------------------------------------------------

    def tables(self):
        if self._tables is None:
            self._tables = self._list()
            self._by_key = {(t.path, t.sheet): t for t in self._tables}
        return list(self._tables)

    def iter_rows(self, path, sheet=None):
        info = self._table(path, sheet)
        if info.header:
            issue = self._issue(info)
            yield from self._records(info, self._cells(
                info, lambda line, column, reason: self.issues.append(
                    issue(line, column, reason))))

    def count_rows(self, path, sheet=None):
        """Data rows of the table (rows skipped as untrustworthy included; blank rows
        not), without reporting anything."""
        info = self._table(path, sheet)
        if not info.header:
            return 0
        rows = self._cells(info, lambda *a, **k: None)
        started = False
        count = 0
        for _line, cells in rows:
            if any(c.strip() for c in cells):
                count += started
                started = True
        return count

    def files(self):
        return list(self._names)

    def size(self, path):
        """Bytes of the member ``path`` (None when unknown)."""
        name = safe_path(path.replace("\\", "/"), where="export")
        if isinstance(self._container, _ZipContainer):
            info = self._container.members.get(name)
            return info.file_size if info else None
        full = os.path.realpath(os.path.join(self._container.root, *name.split("/")))
        inside = os.path.commonpath([full, self._container.root]) == self._container.root
        return os.path.getsize(full) if inside and os.path.isfile(full) else None

    def open_file(self, path, max_bytes=None):
        name = safe_path(str(path).strip().replace("\\", "/"), where="export")
        limit = max_bytes or self.max_attachment_bytes
        try:
            stream = self._container.open(name, max_bytes=limit)
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            raise BundleError(f"{name!r} is not in the export.", file=name) from None
        except _READ_ERRORS as exc:
            raise BundleError(f"{name!r} cannot be read: {exc}", file=name) from None
        return io.BufferedReader(_CappedFile(stream, limit, name))

    def close(self):
        self._container.close()

    # -- listing -------------------------------------------------------------------------

    def _list(self):
        out, groups = [], {}
        for listed, reason in getattr(self._container, "skipped", ()):
            groups.setdefault(listed, [reason, None])
        for name in self._names:
            skipped = skip_reason(name)
            if skipped:
                listed, reason = skipped
                group = groups.setdefault(listed, [reason, 0])
                group[1] = (group[1] or 0) + 1
                continue
            kind = file_kind(name)
            if kind == "file":
                out.append(TableInfo(name, None, "file", not_a_table(name)))
            elif kind == "csv":
                out.append(self._describe(TableInfo(name, None, "csv")))
            else:
                out.extend(self._list_workbook(name, kind))
        for listed, (reason, count) in groups.items():
            files = f" ({count} file{'s' if count != 1 else ''})" \
                if count and listed.endswith("/") else ""
            out.append(TableInfo(listed, None, "file", reason + files))
        return sorted(out, key=lambda t: (t.path, t.sheet or ""))

    def _describe(self, info):
        """``info`` with its header, encoding and status from the table's first rows."""
        problems = []
        rows = self._cells(info, lambda line, column, reason, **_: problems.append(reason))
        try:
            for line, cells in rows:
                if not any(c.strip() for c in cells):
                    continue
                header = self._header_cells(cells)
                if len(header) > self.max_columns:
                    reason = (f"the header has {len(header)} columns, more than the limit "
                              f"of {self.max_columns}")
                    self.issues.append(self._issue(info)(line, None, reason + "; not read"))
                    info.status = f"not read: {reason}"
                    return info
                info.header = tuple(unique_header(header, self._notice(info, line)))
                return info
        finally:
            rows.close()
        if problems:
            info.status = f"not read: {problems[0]}"
            self.issues.append(self._issue(info)(None, None, problems[0]))
        else:
            info.status = "empty"
        return info

    def _list_workbook(self, name, kind):
        missing = sheets.available(kind)
        if missing:
            return [TableInfo(name, None, kind, missing)]
        try:
            book = self._open_workbook(name, kind)
        except (BundleError, sheets.WorkbookError, *_READ_ERRORS) as exc:
            reason = str(exc)
            self.issues.append(RecordIssue(name, None, reason, file=name))
            return [TableInfo(name, None, kind, f"not read: {reason}")]
        out = []
        try:
            for sheet, status in book.sheets():
                info = TableInfo(name, sheet, kind, status or "read")
                self._by_key[(name, sheet)] = info
                out.append(info if status else self._describe_sheet(info, book))
        finally:
            book.close()
        return out

    def _describe_sheet(self, info, book):
        self._book = book
        try:
            return self._describe(info)
        finally:
            self._book = None

    # -- reading -------------------------------------------------------------------------

    _book = None  # the workbook being listed (its sheets read without reopening it)

    def _table(self, path, sheet):
        self.tables()
        info = self._by_key.get((path, sheet))
        if info is None or info.kind == "file":
            where = f"{path} [{sheet}]" if sheet else path
            raise BundleError(f"{where} is not a table of the export.", file=path)
        return info

    def _issue(self, info):
        label = f"{info.path} [{info.sheet}]" if info.sheet else info.path

        def issue(line, column, reason, raw=None):
            return RecordIssue(label, None, reason, file=info.path, line=line, column=column,
                               raw=raw)
        return issue

    def _notice(self, info, line):
        issue = self._issue(info)
        told = [0]

        def notice(position, cell, text):
            told[0] += 1
            if told[0] <= MAX_COLUMN_NOTICES:
                self.notices.append(issue(line, f"#{position}", text))
        return notice

    @staticmethod
    def _header_cells(cells):
        """The header cells without the blank ones after the last name."""
        end = len(cells)
        while end and not cells[end - 1].strip():
            end -= 1
        return cells[:end]

    def _cells(self, info, report):
        """Yield ``(line, [values])`` of every physical row of the table."""
        if info.kind == "csv":
            return self._csv_cells(info, report)
        return self._sheet_cells(info, report)

    def _csv_cells(self, info, report):
        name = info.path
        try:
            text = open_text(self._container, name, info.encoding)
        except BundleLimitError as exc:
            report(None, None, str(exc))
            return
        except BundleError as exc:
            report(None, None, str(exc))
            return
        except _READ_ERRORS as exc:
            report(None, None, f"file cannot be opened: {exc}")
            return
        with text:
            info.encoding = text.encoding
            lines = _TableLines(text, self.max_line_chars, self.max_line_delimiters)
            try:
                lines.skip_blank_start()
                reader = _csv_reader(lines)
                start = lines.count + 1
                while reader is not None:
                    try:
                        row = next(reader)
                    except StopIteration:
                        return
                    except csv.Error as exc:
                        report(start, None, f"unreadable CSV row: {exc}; row skipped")
                        start = lines.count + 1
                        continue
                    line, start = start, lines.count + 1
                    yield line, row
            except _LineLimit as exc:
                report(lines.count + 1, None, f"{exc}; the rest of the file is skipped")
            except UnicodeDecodeError as exc:
                report(lines.count + 1, None, f"cannot be decoded after line {lines.count}: "
                                              f"{exc}; the rest of the file is skipped")
            except _READ_ERRORS as exc:
                report(lines.count + 1, None, f"file is damaged after line {lines.count} "
                                              f"({exc}); the rest of the file is skipped")

    def _sheet_cells(self, info, report):
        book = self._book
        own = book is None
        try:
            if own:
                book = self._open_workbook(info.path, info.kind)
            yield from book.rows(info.sheet)
        except (BundleError, sheets.WorkbookError, *_READ_ERRORS) as exc:
            report(None, None, f"{info.path} cannot be read: {exc}")
        finally:
            if own and book is not None:
                book.close()

    def _open_workbook(self, name, kind):
        """The workbook ``name``, from a seekable copy when it sits in a zip."""
        limit = MAX_XLS_BYTES if kind == "xls" else None
        copy = self._container.open(name, max_bytes=limit)
        if isinstance(self._container, _ZipContainer) or kind == "xls":
            stream, copy = copy, tempfile.SpooledTemporaryFile(SPOOL_BYTES)
            try:
                shutil.copyfileobj(stream, copy, 1024 * 1024)
            finally:
                stream.close()
            copy.seek(0)
        try:
            return _OwnedWorkbook(sheets.open_workbook(copy, kind), copy)
        except sheets.WorkbookError:
            copy.close()
            raise

    def _records(self, info, rows):
        """Yield ``(line, {header: value})`` of the data rows after the header."""
        issue = self._issue(info)
        header = list(info.header)
        width = len(header)
        pad = info.kind != "csv"  # a sheet omits the empty cells at the end of a row
        started = False
        for line, row in rows:
            cells = row
            joined = "".join(cells)
            if not joined.strip():
                continue
            if not started:
                started = True
                continue
            if len(cells) > width:
                extra = next((i for i in range(width, len(cells)) if cells[i].strip()), None)
                if extra is not None:
                    self.issues.append(issue(
                        line, f"#{extra + 1}", f"row has a value in column {extra + 1}, beyond "
                        f"the header's {width} columns (an unquoted delimiter, or a value "
                        "without a header); row skipped", _raw(header, cells)))
                    continue
                cells = cells[:width]
            elif len(cells) < width:
                if not pad:
                    self.issues.append(issue(
                        line, header[len(cells)], f"row has {len(cells)} values but the header "
                        f"has {width} columns; {header[len(cells)]!r} and after are missing; "
                        "row skipped", _raw(header, cells)))
                    continue
                cells = cells + [""] * (width - len(cells))
            if _BAD_CHARS.search(joined):
                bad = next(i for i, value in enumerate(cells) if _BAD_CHARS.search(value))
                self.issues.append(issue(
                    line, header[bad], "value has bytes not valid in the file's encoding "
                    f"({info.encoding}) or a NUL byte; row skipped: re-export the file as "
                    "UTF-8", _raw(header, cells)))
                continue
            yield line, dict(zip(header, cells, strict=True))


class _OwnedWorkbook(sheets.Workbook):
    """A workbook that closes the file it was opened from."""

    def __init__(self, book, stream):
        self.book = book
        self.stream = stream

    def sheets(self):
        return self.book.sheets()

    def rows(self, name):
        return self.book.rows(name)

    def close(self):
        try:
            self.book.close()
        finally:
            self.stream.close()


def _raw(header, row):
    """The values of a bad row by column name (for the issue), truncated."""
    return {(header[i] if i < len(header) else f"#{i + 1}"): value[:200]
            for i, value in enumerate(row)}
