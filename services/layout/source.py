"""LayoutSource: a confirmed source layout applied to raw tables, as a migration Source.

``LayoutSource(raw, layout)`` gives the :data:`~.model.CANONICAL` objects a table holds,
in dependency order, with records shaped exactly as
:class:`services.fst_bundle.FstBundleSource` gives them: string values, ``"id"`` the key
column's value trimmed (a composite key's values joined with ``.``), every column with
role key/field/updated/link under its canonical ``field``, custom columns under their
``cf_<name>`` field (declared by :meth:`custom_fields`), ignored columns (and columns
the layout does not name) dropped. Values are normalised by the table's conventions
(:mod:`.values`): a value the conventions cannot read is left as written and reported
in ``notices``, never dropped. Links whose key is not the target's key are resolved by
natural key (:mod:`.links`): one match gives the target's id, none or several give a
*link problem* (:data:`LINK_PROBLEM` + a sentence) that the engine blocks the record
with; so is a link by id whose value is not shaped like the target's keys (a name
where they are numbers). Attachments come from a manifest table, from folders named by
a record key, or from a column of paths (:mod:`.attachments`).
"""

from ..errors import BundleError
from ..fst_bundle import DEFAULT_PAGE_SIZE, SeenIds, pages, parse_timestamp
from ..fst_bundle.containers import _as_size
from ..fst_bundle.values import _as_utc
from ..http_client import MAX_ATTACHMENT_BYTES
from ..source_base import CustomFieldDef, RecordIssue, Source
from . import attachments as files
from .links import LINK_PROBLEM, KeyIndex, key_values, record_label, unresolvable
from .model import CANONICAL
from .values import Normaliser, value_kind

__all__ = ["LINK_PROBLEM", "LayoutSource"]

#: values not read by the conventions reported one by one per column, then one summary
MAX_VALUE_NOTICES = 20
#: roles whose column is kept under its canonical ``field``
_CANONICAL_ROLES = ("key", "field", "updated", "link")


class _Column:
    """One column of a table as the records give it."""

    __slots__ = ("name", "field", "convert", "link_object", "link_key")

    def __init__(self, name, field, convert=None, link_object=None, link_key=None):
        self.name, self.field, self.convert = name, field, convert
        self.link_object, self.link_key = link_object, link_key


class _Plan:
    """How the rows of one table become records of its canonical object."""

    def __init__(self, table, header, notices):
        self.table = table
        self.obj = CANONICAL[table.object]
        self.label = table.label
        self.keys = [c.name for c in table.key_columns()]
        self.updated = None
        self.columns = []
        self.paths = []  # attachment_path columns
        self.normalise = Normaliser(table.conventions)
        present = set(header) if header else None
        taken = set()
        for col in table.columns:
            if present is not None and col.name not in present:
                notices.append(self.notice(None, col.name, f"column {col.name!r} named by "
                                            f"the layout is not in {self.label}; left out"))
                continue
            if col.role == "attachment_path":
                self.paths.append(col.name)
                continue
            field = col.field
            if col.role == "custom":
                field = field or files.custom_column(col.name)
            elif col.role not in _CANONICAL_ROLES or not field:
                continue
            if field in taken:
                notices.append(self.notice(None, col.name, f"column {col.name!r} is also "
                                            f"{field!r}, already given by another column; "
                                            "left out"))
                continue
            taken.add(field)
            custom = col.custom_type if col.role == "custom" else None
            link = (col.link_object, col.link_key) if col.role == "link" else (None, None)
            kind = value_kind(field, custom)
            self.columns.append(_Column(col.name, field, kind and self.normalise.converter(kind),
                                        *link))
            if col.role == "updated":
                self.updated = field
        named = {c.name for c in table.columns}
        left = [h for h in header or () if h not in named]
        if left:
            shown = ", ".join(repr(h) for h in left[:20]) + (" …" if len(left) > 20 else "")
            notices.append(self.notice(None, None, f"{len(left)} column(s) of {self.label} "
                                        f"are not in the layout and not migrated: {shown}"))

    def notice(self, line, column, reason, source_id=None):
        return RecordIssue(self.obj.name, source_id, reason, file=self.table.path,
                           line=line, column=column)


class LayoutSource(Source):
    """The canonical objects of a confirmed layout over :class:`~.model.RawTables`."""

    kind = "fst_bundle"

    def __init__(self, raw, layout, *, page_size=DEFAULT_PAGE_SIZE,
                 max_attachment_bytes=MAX_ATTACHMENT_BYTES, custom_schema=None):
        super().__init__()
        self.raw = raw
        self.layout = layout
        self.page_size = page_size
        self.max_attachment_bytes = max_attachment_bytes
        #: findings that lose no data: values left as written, columns not migrated …
        self.notices = []
        #: CustomFieldDef from a schema file (label, options, required), by (object, name)
        self._schema = {(d.object, d.name): d for d in custom_schema or ()}
        self._tables = {}
        for table in layout.tables:
            if table.object in CANONICAL and table.object not in self._tables:
                self._tables[table.object] = table
        self._plans = {}
        self._indexes = {}
        self._ids = {}  # object → (its table's keys, their shapes): links by id checked
        self._counts = {}
        self.attachments = layout.attachments

    # -- Source interface ------------------------------------------------------------

    def test_connection(self):
        """Check that every table of the layout is in the raw tables and readable."""
        found = {(t.path, t.sheet): t for t in self.raw.tables()}
        if not self._tables:
            raise BundleError("The source layout assigns no table to an object: confirm a "
                              "layout that says which file holds which object.")
        for table in self._tables.values():
            info = found.get((table.path, table.sheet))
            if info is None:
                raise BundleError(f"{table.label}, which the layout says holds "
                                  f"{table.object}, is not in the export.", file=table.path)
            if info.status not in ("read", "empty"):
                raise BundleError(f"{table.label} ({table.object}): {info.status}.",
                                  file=table.path)

    def list_objects(self):
        """The objects a table holds (plus synthesised attachments), dependency order."""
        out = [name for name in CANONICAL if name in self._tables]
        if self.attachments.mode in ("folders", "column") and "attachments" not in out:
            out.append("attachments")
        return out

    def iter_pages(self, obj, since=None, page_size=None):
        """Lists of records (``page_size`` at most); ``since`` keeps the rows whose
        ``updated`` column is at or after it, and rows whose timestamp cannot be read."""
        self._check(obj)
        yield from pages((record for _line, record in self._iter_object(obj, _as_utc(since))),
                         page_size or self.page_size)

    def count(self, obj):
        """Data rows of the object's table (untrustworthy rows included)."""
        self._check(obj)
        if obj not in self._counts:
            table = self._tables.get(obj)
            if table is None:
                self._counts[obj] = sum(1 for _ in self._iter_object(obj, None)) \
                    if obj == "attachments" else 0
            elif hasattr(self.raw, "count_rows"):
                self._counts[obj] = self.raw.count_rows(table.path, table.sheet)
            else:
                info = next((t for t in self.raw.tables()
                             if (t.path, t.sheet) == (table.path, table.sheet)), None)
                self._counts[obj] = info.rows if info else None
        return self._counts[obj]

    def custom_fields(self):
        """One :class:`CustomFieldDef` per custom column of the layout."""
        out = []
        for table in self._tables.values():
            for col in table.columns:
                if col.role != "custom":
                    continue
                field = col.field or files.custom_column(col.name)
                name = field[3:] if field.startswith("cf_") else field
                declared = self._schema.get((table.object, name))
                out.append(CustomFieldDef(
                    table.object, name, declared.label if declared else col.name,
                    col.custom_type or (declared.type if declared else "char"),
                    list(declared.options) if declared else [],
                    declared.required if declared else False))
        return out

    def open_attachment(self, ref):
        """A binary stream over an attachment; ``ref`` a record or its path, relative to
        the layout's attachment folder. Raw tables whose files are not members (a REST
        source) open a record by its key (``RawTables.open_record_file``)."""
        raw = ref.get("path") if isinstance(ref, dict) else ref
        limit = self.max_attachment_bytes
        declared = _as_size(ref.get("size")) if isinstance(ref, dict) else None
        if declared is not None and declared > limit:
            where = raw or ref.get("id")
            raise BundleError(f"Attachment {where!r}: {declared} bytes declared, above the "
                              f"limit of {limit} bytes; not read.", file=raw)
        stream = self.raw.open_record_file(ref, max_bytes=limit) \
            if isinstance(ref, dict) else None
        if stream is not None:
            return stream
        member = files.member_path(self.attachments.folder, raw)
        return self.raw.open_file(member, max_bytes=limit)

    def close(self):
        self.raw.close()

    # -- records ---------------------------------------------------------------------

    def _check(self, obj):
        if obj not in CANONICAL:
            raise BundleError(f"Unknown object {obj!r}; known: {', '.join(CANONICAL)}.")

    def plan(self, obj):
        """How the rows of ``obj``'s table become records (built once)."""
        if obj not in self._plans:
            table = self._tables[obj]
            info = next((t for t in self.raw.tables()
                         if (t.path, t.sheet) == (table.path, table.sheet)), None)
            self._plans[obj] = _Plan(table, info.header if info else None, self.notices)
        return self._plans[obj]

    def _iter_object(self, obj, since):
        if obj in self._tables:
            for line, record, _row in self._iter_table(obj, since):
                yield line, record
        elif obj == "attachments" and self.attachments.mode == "folders":
            yield from files.from_folders(self)
        elif obj == "attachments" and self.attachments.mode == "column":
            yield from files.from_columns(self)

    def _iter_table(self, obj, since, quiet=False):
        """Yield ``(line, record)`` of the good rows of ``obj``'s table; ``quiet`` (an
        index being built): links as written, nothing reported (the object's own read
        reports its rows)."""
        plan = self.plan(obj)
        issues, notices = ([], []) if quiet else (self.issues, self.notices)
        raw_issues = getattr(self.raw, "issues", None)
        mark = start = len(raw_issues) if raw_issues is not None else 0
        seen = SeenIds()
        told = {}
        try:
            for line, row in self.raw.iter_rows(plan.table.path, plan.table.sheet):
                if raw_issues is not None and len(raw_issues) > mark:
                    mark = _take_issues(obj, raw_issues, mark, issues)
                record = self._record(plan, (line, row), seen, told, (issues, notices))
                if record is None:
                    continue
                if since is not None and not self._is_since(plan, record, since, line):
                    continue
                yield line, record, row
        finally:
            seen.close()
            if raw_issues is not None and quiet:
                # a read for an index (often in the middle of another object's read): the
                # rows it found bad are the object's own read's to report, not the object
                # being read's, which would take them as its own at its next row
                del raw_issues[start:]
            elif raw_issues is not None:
                _take_issues(obj, raw_issues, mark, issues)
            for column, count in told.items():
                if count > MAX_VALUE_NOTICES:
                    notices.append(plan.notice(
                        None, column, f"{count - MAX_VALUE_NOTICES} more values of column "
                        f"{column!r} in {plan.label} not read by its conventions, left as "
                        "written"))

    def _record(self, plan, read, seen, told, sinks):
        line, row = read
        issues, notices = sinks
        links = sinks[0] is self.issues
        record = {}
        for col in plan.columns:
            value = row.get(col.name, "")
            if col.convert:
                value, problem = col.convert(value)
                if problem:
                    told[col.name] = told.get(col.name, 0) + 1
                    if told[col.name] <= MAX_VALUE_NOTICES:
                        notices.append(plan.notice(
                            line, col.name, f"{value!r} in column {col.name!r} of "
                            f"{plan.label} (line {line}): {problem}; left as written"))
            if links and col.link_key and value.strip():
                value = self._link(plan, col, value)
            record[col.field] = value
        parts = []
        for name in plan.keys:
            part = (row.get(name) or "").strip()
            if not part:
                issues.append(plan.notice(line, name, f"the record key {name!r} is "
                                                "empty; row skipped"))
                return None
            parts.append(part)
        source_id = ".".join(parts)
        if not seen.add(source_id):
            issues.append(plan.notice(line, plan.keys[0], f"record key {source_id!r} "
                                            "appears again; this row is skipped", source_id))
            return None
        record["id"] = source_id
        record.setdefault(plan.obj.id_column, source_id)
        return record

    def _is_since(self, plan, record, since, line):
        value = record.get(plan.updated) if plan.updated else None
        when = parse_timestamp(value) if value else None
        if when is not None:
            return when >= since
        if value and value.strip():
            self.notices.append(plan.notice(line, plan.updated, f"{plan.updated} {value!r} "
                                            "is not a date; the row is kept by the since "
                                            "filter", record["id"]))
        return True

    # -- links by natural keys ----------------------------------------------------------

    def _link(self, plan, col, value):
        target = self.resolve_key(col.link_object, col.link_key)
        if isinstance(target, str):  # the target cannot be searched: say why
            return unresolvable(col.link_object, col.link_key, col.name, plan.label, target)
        if target is None:  # values are ids of the target's table: check they are
            return self._check_id(plan, col, value)
        return target.resolve(value, col.name, plan.label)

    def _check_id(self, plan, col, value):
        """``value`` when it may be a key of a record of the target's table, else a link
        problem: a name or an e-mail ("Acme Ltd" where the customers' keys are numbers)
        passed on as an id would be an orphan no one understands. A value shaped like
        the target's keys that no record has stays as written (a deleted record: the
        engine blocks it as an orphan, as for the built-in bundle, never checked here),
        and so does any value when the layout holds no table of the target (the engine
        looks for it among the records migrated before)."""
        obj = col.link_object
        if obj not in self._tables or self.layout.profile == "fst_bundle":
            return value
        known = self._ids.get(obj)
        if known is None:
            ids = {record["id"] for _line, record, _row
                   in self._iter_table(obj, None, quiet=True)}
            known = self._ids[obj] = (ids, {_key_shape(i) for i in ids})
        text = value.strip()
        if text in known[0] or _key_shape(text) in known[1]:
            return value
        table = self._tables[obj]
        keys = " + ".join(repr(c.name) for c in table.key_columns()) or "its key"
        return (f"{LINK_PROBLEM}{text!r} in column {col.name!r} of {plan.label} is not a "
                f"{obj.replace('_', ' ')} key: the keys of {table.label} ({keys}) look "
                f"like {_SHAPE_WORDS[next(iter(known[1]), 'word')]}; the column names "
                "them by another key (check the layout)")

    def resolve_key(self, obj, kind):
        """The :class:`KeyIndex` of ``obj`` by ``kind``; None when ``kind`` is the key of
        ``obj``'s table (values are its ids); a string when it cannot be built (why)."""
        cached = self._indexes.get((obj, kind))
        if cached is not None or (obj, kind) in self._indexes:
            return cached
        self._indexes[(obj, kind)] = index = self._build_index(obj, kind)
        return index

    def _build_index(self, obj, kind):
        if kind == "id":
            return None
        table = self._tables.get(obj)
        if table is None:
            return "no table of the layout holds them"
        columns = CANONICAL[obj].natural_keys.get(kind)
        if not columns:
            return f"{obj.replace('_', ' ')} have no {kind}"
        plan = self.plan(obj)
        by_field = {c.field: c.name for c in plan.columns}
        key_fields = [c.field for c in table.key_columns() if c.field]
        if len(plan.keys) == 1 and key_fields == list(columns):
            return None  # the table is keyed by that very column: values are ids
        missing = [c for c in columns if c not in by_field]
        if missing:
            return f"{table.label} has no column for their {', '.join(missing)}"
        names = [by_field[c] for c in columns]
        looked_in = " + ".join(repr(n) for n in names)
        looked_in = f"full name ({looked_in})" if len(names) > 1 else looked_in
        index = KeyIndex(obj, kind, table.label, looked_in)
        for _line, record, _row in self._iter_table(obj, None, quiet=True):
            index.add(key_values(record, columns), record["id"], record_label(record))
        return index

    # -- for the attachment synthesis ----------------------------------------------------

    def holds(self, obj):
        """Whether a table of the layout holds ``obj``."""
        return obj in self._tables

    def table_rows(self, obj):
        """``(line, record, row)`` of ``obj``'s table, nothing reported (read again)."""
        return self._iter_table(obj, None, quiet=True)


_SHAPE_WORDS = {"email": "e-mail addresses", "integer": "numbers", "code": "codes",
                "words": "names", "word": "words"}


def _key_shape(text):
    """What a key value looks like: an e-mail, a number, a code, words or a word."""
    if "@" in text:
        return "email"
    if text.isdigit():
        return "integer"
    if any(c.isspace() for c in text):
        return "words"
    return "code" if any(c.isdigit() for c in text) else "word"


def _take_issues(obj, raw_issues, mark, issues):
    """The readers' issues since ``mark``, as issues of ``obj``; the new mark."""
    for issue in raw_issues[mark:]:
        issues.append(RecordIssue(obj, issue.source_id, issue.reason, file=issue.file,
                                  line=issue.line, column=issue.column, raw=issue.raw))
    return len(raw_issues)
