"""The source layout: what each file/sheet (or REST endpoint) of a source holds.

A layout sits between discovery and the field map. For every table the source has (a
CSV/TSV/TXT file, an Excel sheet, a REST endpoint) it says which *canonical object* it
holds (``customers``, ``work_orders`` … — the objects of :data:`CANONICAL`, the shape
the FST templates read) or that it is ignored, and for every column its *role*:

``key``       the record key (several ``key`` columns make a composite key, joined
              with ``.``); ``field`` names the canonical column it also is, if any
              (``customer_id``, or ``account_code`` when the export keys customers by
              their number);
``link``      a link to another object: ``field`` is the canonical link column
              (``customer_id``), ``link_object`` the object, ``link_key`` by which key
              of that object the values name it (:data:`KEY_KINDS`);
``updated``   when the record last changed (delta pickup); ``field`` is the canonical
              timestamp column (``updated_at``; ``created_at`` for notes);
``field``     an ordinary canonical column (``email``, ``scheduled_at`` …);
``custom``    a column of the source's own, kept as the custom field ``field``
              (``cf_<snake name>``) of type ``custom_type``;
``attachment_path``  a column of relative paths of files belonging to the record;
``ignore``    not migrated (said so in discovery).

Every choice carries a ``confidence`` (0–1) and a ``reason`` a consultant reads. A
layout is pure data: :meth:`SourceLayout.to_dict` / :meth:`SourceLayout.from_dict`
round-trip it through JSON (export from staging, import in production); the Odoo model
stores that JSON per version. :func:`known_fst_profile` is the built-in FST bundle
layout (``emulators/FST_BUNDLE.md``), recognised with confidence 1.
"""

import json
from dataclasses import asdict, dataclass, field, fields

LAYOUT_FORMAT = 1
ROLES = ("key", "link", "updated", "field", "custom", "attachment_path", "ignore")
#: by which key of the linked object a link column names it
KEY_KINDS = ("id", "number", "name", "full_name", "email")
DATE_ORDERS = ("ymd", "dmy", "mdy", "ambiguous")
ATTACHMENT_MODES = ("none", "manifest", "folders", "column")


@dataclass(frozen=True)
class CanonicalObject:
    """One object the FST templates read: its key column, columns, links, natural keys."""

    name: str
    id_column: str
    columns: tuple
    #: canonical link column → the object it names
    links: dict
    #: key kind → the canonical column(s) of this object holding that key
    natural_keys: dict
    timestamp_column: str | None = "updated_at"


def _canonical():
    from ..fst_bundle import BUNDLE_OBJECTS

    links = {"customer_id": "customers", "site_id": "sites", "technician_id": "technicians",
             "work_order_id": "work_orders", "invoice_id": "invoices",
             "author_technician_id": "technicians"}
    natural = {
        "customers": {"number": ("account_code",), "name": ("name",), "email": ("email",),
                      "full_name": ("first_name", "last_name")},
        "contacts": {"email": ("email",), "full_name": ("first_name", "last_name")},
        "sites": {"name": ("name",)},
        "technicians": {"email": ("email",), "full_name": ("first_name", "last_name"),
                        "name": ("first_name", "last_name")},
        "work_orders": {"number": ("number",)},
        "invoices": {"number": ("invoice_number",)},
    }
    result = {}
    for obj in BUNDLE_OBJECTS:
        own = {c: t for c, t in links.items() if c in obj.columns and c != obj.id_column}
        keys = {"id": (obj.id_column,), **natural.get(obj.name, {})}
        result[obj.name] = CanonicalObject(obj.name, obj.id_column, obj.columns, own, keys,
                                           obj.timestamp_column)
    return result


#: the canonical objects, in dependency order (the FST bundle's objects)
CANONICAL = _canonical()


@dataclass
class Conventions:
    """How the values of one table are written (found in the values themselves)."""

    #: order of day, month, year in dates without a 4-digit year first; "ambiguous" when
    #: no value proves either (then the consultant must choose before confirming)
    date_order: str = "ymd"
    #: "12" when times carry AM/PM
    clock: str = "24"
    #: time zone of naive date-times (an IANA name); aware values keep their offset
    timezone: str = "UTC"
    decimal: str = "."
    thousands: str = ""
    #: currency symbols/codes stripped from amounts ("$", "€", "USD")
    currency: tuple = ()
    true_words: tuple = ("yes", "true", "y", "1", "x")
    false_words: tuple = ("no", "false", "n", "0")
    confidence: float = 1.0
    reason: str = ""


@dataclass
class ColumnLayout:
    name: str  # the column's header exactly as the table has it
    role: str = "ignore"
    field: str | None = None
    link_object: str | None = None
    link_key: str | None = None
    custom_type: str | None = None
    confidence: float = 0.0
    reason: str = ""


@dataclass
class TableLayout:
    """One table of the source: a file (``sheet`` None) or a sheet of a workbook, or a
    REST endpoint (``path`` = the endpoint's object name)."""

    path: str  # '/'-separated, relative to the bundle's root
    sheet: str | None = None
    object: str | None = None  # a CANONICAL name, or None: ignored
    columns: list = field(default_factory=list)  # ColumnLayout
    conventions: Conventions = field(default_factory=Conventions)
    confidence: float = 0.0
    reason: str = ""
    rows: int | None = None
    #: what discovery made of the table ("read", "empty", "not a table: …")
    status: str = "read"
    #: a few rows as read, for the layout page (values truncated)
    sample: list = field(default_factory=list)
    encoding: str | None = None

    @property
    def label(self):
        return f"{self.path} [{self.sheet}]" if self.sheet else self.path

    def key_columns(self):
        return [c for c in self.columns if c.role == "key"]

    def column(self, name):
        return next((c for c in self.columns if c.name == name), None)


@dataclass
class AttachmentLayout:
    """Where the files of the records are: a manifest table (``attachments`` object),
    folders named by a record key under ``folder``, or a column of relative paths."""

    mode: str = "none"
    folder: str = ""
    record_object: str = "work_orders"
    record_key: str = "id"  # KEY_KINDS: what the folder names are
    confidence: float = 0.0
    reason: str = ""


@dataclass
class SourceLayout:
    profile: str = "custom"  # "fst_bundle": the built-in layout, unchanged
    tables: list = field(default_factory=list)  # TableLayout
    attachments: AttachmentLayout = field(default_factory=AttachmentLayout)
    format: int = LAYOUT_FORMAT

    def table_of(self, obj):
        """The table holding canonical object ``obj`` (None when no table does)."""
        return next((t for t in self.tables if t.object == obj), None)

    def lowest_confidence(self):
        values = [t.confidence for t in self.tables if t.object] + [
            c.confidence for t in self.tables if t.object for c in t.columns]
        return min(values, default=1.0)

    def problems(self):
        """What stops this layout from being confirmed, one sentence each."""
        out = []
        seen = {}
        for table in self.tables:
            if not table.object:
                continue
            if table.object not in CANONICAL:
                out.append(f"{table.label}: unknown object {table.object!r}.")
                continue
            if table.object in seen:
                out.append(f"{table.label} and {seen[table.object]} both hold "
                           f"{table.object}: ignore one of them.")
            seen[table.object] = table.label
            if not table.key_columns():
                out.append(f"{table.label}: choose the column that is the record key.")
            if table.conventions.date_order == "ambiguous":
                out.append(f"{table.label}: its dates could be day-first or month-first; "
                           "choose one.")
            for col in table.columns:
                if col.role not in ROLES:
                    out.append(f"{table.label}, column {col.name!r}: unknown role "
                               f"{col.role!r}.")
                elif col.role == "link":
                    if col.link_object not in CANONICAL:
                        out.append(f"{table.label}, column {col.name!r}: links to no "
                                   "known object.")
                    elif col.link_key not in CANONICAL[col.link_object].natural_keys:
                        out.append(f"{table.label}, column {col.name!r}: "
                                   f"{col.link_object} have no key {col.link_key!r}.")
        for table in self.tables:
            for col in table.columns if table.object else ():
                if col.role == "link" and col.link_object in CANONICAL \
                        and col.link_object not in seen:
                    out.append(f"{table.label}, column {col.name!r} links to "
                               f"{col.link_object}, which no table holds.")
        return out

    # -- JSON ------------------------------------------------------------------------------

    def to_dict(self):
        return asdict(self)

    def to_json(self):
        return json.dumps(self.to_dict(), indent=1, ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_dict(cls, data):
        if not isinstance(data, dict):
            raise ValueError("a layout is a JSON object")
        if data.get("format", LAYOUT_FORMAT) != LAYOUT_FORMAT:
            raise ValueError(f"layout format {data.get('format')!r} is not {LAYOUT_FORMAT}")
        tables = []
        for given in data.get("tables") or []:
            raw = _known(TableLayout, given)
            raw["columns"] = [ColumnLayout(**_known(ColumnLayout, c))
                              for c in raw.get("columns") or []]
            conv = _known(Conventions, raw.get("conventions") or {})
            for name in ("currency", "true_words", "false_words"):
                if name in conv:
                    conv[name] = tuple(conv[name])
            raw["conventions"] = Conventions(**conv)
            tables.append(TableLayout(**raw))
        return cls(profile=data.get("profile") or "custom", tables=tables,
                   attachments=AttachmentLayout(**_known(AttachmentLayout,
                                                         data.get("attachments") or {})))

    @classmethod
    def from_json(cls, text):
        return cls.from_dict(json.loads(text))


def _known(klass, data):
    names = {f.name for f in fields(klass)}
    return {k: v for k, v in dict(data).items() if k in names}


def known_fst_profile(tables=None):
    """The built-in FST bundle layout (FST_BUNDLE.md), every choice at confidence 1.

    ``tables``: optional ``{object: path}`` of the files found (default
    ``<object>.csv``)."""
    out = []
    for obj in CANONICAL.values():
        path = (tables or {}).get(obj.name, f"{obj.name}.csv")
        cols = []
        for name in obj.columns:
            if name == obj.id_column:
                col = ColumnLayout(name, "key", name)
            elif name in obj.links:
                col = ColumnLayout(name, "link", name, obj.links[name], "id")
            elif name == obj.timestamp_column:
                col = ColumnLayout(name, "updated", name)
            else:
                col = ColumnLayout(name, "field", name)
            col.confidence, col.reason = 1.0, "the FST bundle layout (FST_BUNDLE.md)"
            cols.append(col)
        out.append(TableLayout(path, None, obj.name, cols, Conventions(reason="ISO 8601"),
                               1.0, "the FST bundle layout: file named after the object"))
    return SourceLayout("fst_bundle", out, AttachmentLayout(
        "manifest", "files", "work_orders", "id", 1.0,
        "the FST bundle layout: attachments.csv and files/"))


@dataclass
class TableInfo:
    """One table a :class:`RawTables` found, or a file it could make nothing of."""

    path: str
    sheet: str | None = None
    kind: str = "csv"  # csv, xlsx, xls, rest, file (not a table: a photo, a PDF …)
    status: str = "read"  # "read", "empty", or why it is not read ("not a table: image")
    header: tuple = ()
    encoding: str | None = None
    rows: int | None = None  # data rows, when known cheaply


class RawTables:
    """What the readers give the proposer and :class:`~.source.LayoutSource`.

    Implemented by ``readers.open_tables(path)`` (a folder, a zip, nested folders; CSV,
    TSV, TXT, XLSX, XLS) and by ``rest_tables.RestTables`` (one table per endpoint of a
    REST source; no member files). Values are the
    table's own strings (Excel cells are given as the text a user sees: dates ISO,
    numbers without exponent), never converted further here.
    """

    issues: list  # RecordIssue: rows that could not be read (the reading goes on)

    def tables(self):
        """Every file and sheet found, as :class:`TableInfo` (non-tables included)."""
        raise NotImplementedError

    def iter_rows(self, path, sheet=None):
        """Yield ``(line, {header: value})`` for the table's data rows, streamed."""
        raise NotImplementedError

    def files(self):
        """Every member path of the container (for attachment folders)."""
        raise NotImplementedError

    def open_file(self, path, max_bytes=None):
        """A binary stream over a member (the caller closes it)."""
        raise NotImplementedError

    def open_record_file(self, record, max_bytes=None):
        """A binary stream over the file of an attachment ``record`` (its canonical
        fields, ``"id"`` its key) when the files are not members (a REST source's
        attachments endpoint); None: :meth:`open_file` by its path."""
        return None

    def close(self):
        """Release files (optional)."""
