"""In-memory raw tables and foreign-shaped FST exports for the layout proposer's tests
and benchmark (the readers are not needed to exercise the proposer)."""

from datetime import datetime

from emulators.fst_data import columns_of, csv_value
from services.fst_bundle import parse_timestamp
from services.layout.model import RawTables, TableInfo


class FakeTables(RawTables):
    """``tables``: ``{path: [row dict]}`` (or ``{(path, sheet): rows}``); ``files``:
    member paths. Rows are streamed from the lists (no copy)."""

    def __init__(self, tables, files=()):
        self._tables = {(k if isinstance(k, tuple) else (k, None)): v
                        for k, v in tables.items()}
        self._files = list(files)
        self.issues = []
        self.reads = 0

    def tables(self):
        out = []
        for (path, sheet), rows in self._tables.items():
            header = tuple(rows[0]) if rows else ()
            out.append(TableInfo(path, sheet, "xlsx" if sheet else "csv",
                                 "read" if rows else "empty", header, "utf-8", len(rows)))
        out.extend(TableInfo(p, None, "file", "not a table: file") for p in self._files)
        return out

    def iter_rows(self, path, sheet=None):
        self.reads += 1
        yield from enumerate(self._tables[(path, sheet)], start=2)

    def files(self):
        return list(self._files) + [p for p, _ in self._tables]

    def open_file(self, path, max_bytes=None):
        raise FileNotFoundError(path)


def _date_text(value, style):
    when = parse_timestamp(value) if isinstance(value, str) else None
    if when is None:
        return csv_value(value)
    date_only = len(value.strip()) == 10
    if style == "iso":
        return value
    pattern = {"dmy": "%d/%m/%Y", "mdy": "%m/%d/%Y"}[style]
    if date_only:
        return when.strftime(pattern)
    return when.strftime(pattern + " %I:%M %p") if style == "mdy" else \
        when.strftime(pattern + " %H:%M")


DATE_COLUMNS = {"created_at", "updated_at", "scheduled_at", "completed_at", "start", "end",
                "travel_start", "arrived_at", "invoice_date", "due_date",
                "cf_warranty_expires", "cf_follow_up_at"}


def foreign_shape(dataset, files, labels, links=None, dates="iso", drop=(), objects=None):
    """``{path: rows}`` of ``dataset`` renamed: ``files`` {object: path}, ``labels``
    {object: {canonical column: label}} (unlisted columns keep their name), ``links``
    {(object, link column): (key kind, target object)} to write a link by the target's
    number/name/full_name/email instead of its id, ``dates`` iso/dmy/mdy."""
    records = dataset.records
    lookups = {}
    for (obj, column), (kind, target) in (links or {}).items():
        spec = {"number": {"customers": "account_code", "work_orders": "number",
                           "invoices": "invoice_number"}, "name": {"customers": "name",
                                                                   "sites": "name"},
                "email": {"customers": "email", "technicians": "email"}}
        id_col = {"customers": "customer_id", "technicians": "technician_id",
                  "work_orders": "work_order_id", "sites": "site_id",
                  "invoices": "invoice_id"}[target]
        if kind == "full_name":
            lookups[(obj, column)] = {r[id_col]: f"{r['first_name']} {r['last_name']}"
                                      for r in records[target]}
        else:
            lookups[(obj, column)] = {r[id_col]: r[spec[kind][target]]
                                      for r in records[target]}
    out = {}
    for obj in objects or files:
        own = labels.get(obj, {})
        columns = [c for c in columns_of(obj) if c not in drop and (obj, c) not in drop]
        rows = []
        for record in records[obj]:
            row = {}
            for column in columns:
                value = record.get(column)
                if (obj, column) in lookups and value is not None:
                    value = lookups[(obj, column)].get(value, value)
                text = _date_text(value, dates) if column in DATE_COLUMNS and dates != "iso" \
                    else csv_value(value)
                row[own.get(column, column)] = text
            rows.append(row)
        out[files[obj]] = rows
    return out


def stamp(text):
    """A date-time text → naive datetime (tests)."""
    return datetime.fromisoformat(text)
