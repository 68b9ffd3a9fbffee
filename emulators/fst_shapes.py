"""Write seeded FST data in a random foreign export shape, with the truth of that shape.

    python -m emulators.fst_shapes --out DIR --scale S --seed N --shape-seed K [--zip]
        [--fixed excel_office|legacy_cp1252|photos_by_folder] [--truth PATH]

writes the records of ``emulators.fst_data.generate(scale, seed)`` as a real account's
export might hold them (issue 17): file names and column labels from
:mod:`emulators.fst_vocabulary` in a drawn style, CSV (``,`` ``;`` tab; UTF-8, UTF-8
with BOM, cp1252, UTF-16) or XLSX (one workbook of sheets, or one workbook per object),
day-first / month-first / ISO dates, 12/24 h, decimal comma, currency symbols, yes/no
words, customers and work orders keyed by their number (the internal id then absent),
each link by id, number, name, full name or e-mail, photos by a manifest or by one
folder per work order, custom fields as plain columns, optional columns missing, and
sometimes a README.txt and a logo.png. Everything is drawn from ``shape_seed`` alone.

:func:`make_shape` returns the **truth** (also written as JSON beside, never inside,
the export): per table its object, per column its role and canonical field, the
conventions, the attachment mode, and per link column the canonical id every record's
link must resolve to, the written values that name several records (``ambiguous``) and
those that name none (``not_found``). The truth format is described in
``emulators/FST_BUNDLE.md`` ("Foreign shapes").
"""

import argparse
import copy
import csv
import io
import json
import os
import random
import re
import zipfile
from dataclasses import asdict
from datetime import datetime
from pathlib import Path, PurePosixPath

from services.fst_bundle import BUNDLE_OBJECTS, OBJECTS_BY_NAME

from . import fst_vocabulary as vocab
from . import messy
from .fst_data import CUSTOM_FIELDS, generate
from .fst_shape_draw import (  # noqa: F401
    FIXED_SHAPES,
    LINK_TARGETS,
    NUMBER_COLUMNS,
    Shape,
    draw_shape,
    fixed_shape,
)

TRUTH_FORMAT = 1
DATETIME_COLUMNS = {"created_at", "updated_at", "scheduled_at", "completed_at", "start",
                    "end", "travel_start", "arrived_at", "cf_follow_up_at"}
DATE_COLUMNS = {"invoice_date", "due_date", "cf_warranty_expires"}
MONEY_COLUMNS = {"credit_limit", "unit_price", "subtotal", "tax", "total", "cost"}
NUMBER_VALUE_COLUMNS = {"latitude", "longitude", "quantity", "cf_estimated_hours"}
BOOL_COLUMNS = {"active", "taxable", "cf_under_warranty"}
TABLE_OBJECTS = tuple(o.name for o in BUNDLE_OBJECTS if o.name != "attachments")
EXPORTED_AT = datetime(2025, 6, 30, 18, 0, 0)
README_TEXT = ("Field Service Trakker - data export\r\n\r\nThis archive was produced by "
               "Reports > Export All.\r\nQuestions: support@example.com\r\n")


def norm(text):
    """How a link value is compared: case-, accent-preserving, whitespace-insensitive."""
    return " ".join(str(text).split()).casefold()


class _Writer:
    """Writes one dataset in one shape and builds its truth."""

    def __init__(self, dataset, shape, words=None):
        self.shape = shape
        self.words = words or vocab  # the word tables labels and file names come from
        self.rng = random.Random(f"fst-shape-labels:{shape.shape_seed}")
        self.records = copy.deepcopy(dataset.records)
        self.dataset = dataset
        self.files = {}  # relative path → bytes
        self.workbooks = {}  # relative path → [(sheet, header, rows)]
        self.truth = {"format": TRUTH_FORMAT, "scale": dataset.scale, "seed": dataset.seed,
                      "shape_seed": shape.shape_seed, "name": shape.name,
                      "shape": _jsonable(asdict(shape)),
                      "counts": dataset.truth()["counts"], "tables": [],
                      "attachments": {}}
        self._fill_numbers()
        self.index = {}

    # -- keys and links ------------------------------------------------------------------

    def _fill_numbers(self):
        """An export keyed or linked by customer number has one for every customer."""
        uses = self.shape.keys["customers"] == "number" or any(
            kind == "number" and LINK_TARGETS[key.split(".", 1)[1]] == "customers"
            for key, kind in self.shape.links.items())
        filled = 0
        for index, record in enumerate(self.records["customers"]):
            if uses and not (record["account_code"] or "").strip():
                record["account_code"] = f"ACCT-{index + 1:05d}"
                filled += 1
        self.truth["filled_numbers"] = filled

    def key_of(self, obj, record):
        """The record's canonical id in this shape: its id, or its number."""
        if self.shape.keys.get(obj) == "number":
            return self.written(record[NUMBER_COLUMNS[obj]]).strip()
        return str(record[OBJECTS_BY_NAME[obj].id_column])

    def written(self, text):
        """``text`` as it reads back from the file (cp1252 turns others into ``?``)."""
        text = "" if text is None else str(text)
        if self.shape.format == "csv" and self.shape.encoding == "cp1252":
            return text.encode("cp1252", errors="replace").decode("cp1252")
        return text

    def key_value(self, target, kind, record, order="first_last"):
        """The text by which a link of ``kind`` names ``record`` of ``target``."""
        if kind == "id":
            return str(record[OBJECTS_BY_NAME[target].id_column])
        if kind == "number":
            return self.written(record[NUMBER_COLUMNS[target]])
        if kind == "name" and target != "technicians":
            return self.written(record["name"])
        if kind == "email":
            return self.written(record["email"])
        first, last = (" ".join(self.written(record[c]).split())
                       for c in ("first_name", "last_name"))
        return f"{last}, {first}" if order == "last_first" else f"{first} {last}"

    def lookup(self, target, kind, order):
        """``norm(written key)`` → canonical ids of ``target`` records."""
        key = (target, kind, order)
        if key not in self.index:
            found = {}
            for record in self.records[target]:
                value = norm(self.key_value(target, kind, record, order))
                if value:
                    found.setdefault(value, set()).add(self.key_of(target, record))
            self.index[key] = found
        return self.index[key]

    def link(self, obj, column, record, truth):
        """The written value of a link, recording what it must resolve to in ``truth``."""
        target = LINK_TARGETS[column]
        kind, order = truth["link_key"], truth.get("name_order", "first_last")
        own = self.key_of(obj, record)
        raw = record.get(column)
        if raw is None:
            truth["expected"][own] = None
            return ""
        hit = self._by_id(target).get(raw)
        if hit is None:  # the record it named was deleted: the export still names it
            value = {"id": str(raw), "number": f"X-{raw}", "name": f"(deleted) {raw}",
                     "email": f"deleted-{raw}@example.invalid",
                     "full_name": f"Deleted Record {raw}"}[kind]
        else:
            value = self.key_value(target, kind, hit, order)
        candidates = self.lookup(target, kind, order).get(norm(value), set())
        if not value.strip():
            truth["expected"][own] = None
        elif len(candidates) > 1:
            truth["expected"][own] = "ambiguous"
            truth["ambiguous"].add(value)
        elif not candidates:
            truth["expected"][own] = "not_found"
            truth["not_found"].add(value)
        else:
            truth["expected"][own] = next(iter(candidates))
        assert hit is None or not value.strip() or self.key_of(target, hit) in candidates
        return value

    def _by_id(self, obj):
        key = ("by_id", obj)
        if key not in self.index:
            column = OBJECTS_BY_NAME[obj].id_column
            self.index[key] = {r[column]: r for r in self.records[obj]}
        return self.index[key]

    # -- values -------------------------------------------------------------------------

    def value(self, column, raw):
        """A canonical value as this export writes it (text, or an xlsx cell value)."""
        shape = self.shape
        if raw is None or raw == "":
            return ""
        xlsx = shape.format == "xlsx"
        if column in DATETIME_COLUMNS:
            when = messy.parse_timestamp(raw).replace(tzinfo=None)
            return when if xlsx and shape.native_dates else self.datetime_text(when)
        if column in DATE_COLUMNS:
            day = messy.parse_timestamp(raw).date()
            return day if xlsx and shape.native_dates else self.date_text(day)
        if column in BOOL_COLUMNS:
            return shape.bool_words[0] if raw else shape.bool_words[1]
        if column in MONEY_COLUMNS or column in NUMBER_VALUE_COLUMNS:
            if xlsx and not shape.currency:
                return raw
            text = f"{raw:.2f}" if column in MONEY_COLUMNS else str(raw)
            text = text.replace(".", shape.decimal)
            return shape.currency + text if column in MONEY_COLUMNS and shape.currency \
                else text
        if xlsx and isinstance(raw, int) and not isinstance(raw, bool):
            return raw
        return str(raw)

    def date_text(self, day):
        order = self.shape.date_order
        if order == "dmy":
            return day.strftime("%d/%m/%Y")
        if order == "mdy":
            return day.strftime("%m/%d/%Y")
        return day.isoformat()

    def datetime_text(self, when):
        clock = "%I:%M:%S %p" if self.shape.clock == "12" else "%H:%M:%S"
        return f"{self.date_text(when.date())} {when.strftime(clock)}"

    # -- tables -------------------------------------------------------------------------

    def label(self, used, choices, role_word=None):
        """A label from ``choices`` in the shape's style, distinct from ``used``."""
        options = list(choices)
        self.rng.shuffle(options)
        for option in options:
            text = vocab.styled_label(option.format(role=role_word or ""), self.shape.label_style)
            if norm(text) not in used:
                used.add(norm(text))
                return text
        base = vocab.styled_label(options[0].format(role=role_word or ""),
                                  self.shape.label_style)
        number = 2
        while norm(f"{base} {number}") in used:
            number += 1
        used.add(norm(f"{base} {number}"))
        return f"{base} {number}"

    def columns(self, obj):
        """``[(canonical column, column truth)]`` of the table of ``obj`` in this shape."""
        shape, spec = self.shape, OBJECTS_BY_NAME[obj]
        used, out = set(), []
        by_number = shape.keys.get(obj) == "number"
        for column in spec.columns:
            if column in shape.dropped.get(obj, ()):
                continue
            if column == spec.id_column:
                if by_number:
                    continue
                truth = {"role": "key", "field": column}
                truth["name"] = self.label(used, self.words.ID_LABELS[obj])
            elif by_number and column == NUMBER_COLUMNS[obj]:
                truth = {"role": "key", "field": column,
                         "name": self.label(used, self.words.FIELD_LABELS[(obj, column)])}
            elif column in LINK_TARGETS:
                target, key = LINK_TARGETS[column], f"{obj}.{column}"
                kind = shape.links[key]
                truth = {"role": "link", "field": column, "link_object": target,
                         "link_key": kind, "expected": {}, "ambiguous": set(),
                         "not_found": set()}
                if kind == "full_name":
                    truth["name_order"] = shape.name_order[key]
                roles = self.words.TECHNICIAN_ROLES.get(column, ("",))
                truth["name"] = self.label(used, self.words.LINK_LABELS[(target, kind)],
                                           self.rng.choice(roles))
            elif column == spec.timestamp_column:
                truth = {"role": "updated", "field": column,
                         "name": self.label(used, self.words.FIELD_LABELS[(obj, column)])}
            else:
                truth = {"role": "field", "field": column,
                         "name": self.label(used, self.words.FIELD_LABELS[(obj, column)])}
            out.append((column, truth))
        for custom in CUSTOM_FIELDS:
            if custom["object"] == obj and custom["name"] in shape.custom:
                truth = {"role": "custom", "field": f"cf_{custom['name']}",
                         "custom_type": custom["type"],
                         "name": self.label(used, self.words.CUSTOM_LABELS[custom["name"]])}
                out.append((truth["field"], truth))
        if shape.shuffle:
            head, tail = out[:1], out[1:]
            self.rng.shuffle(tail)
            out = head + tail
        return out

    def table(self, obj, records, columns, base):
        """Write one table; return its truth entry."""
        header = [truth["name"] for _, truth in columns]
        rows = []
        for record in records:
            row = []
            for column, truth in columns:
                if truth["role"] == "link":
                    row.append(self.link(obj, column, record, truth))
                elif truth["role"] == "key" and self.shape.keys.get(obj) == "number":
                    row.append(self.key_of(obj, record))
                else:
                    row.append(self.value(column, record.get(column)))
            rows.append(row)
        entry = {"object": obj, "rows": len(rows), "columns": [], "sheet": None}
        for _, truth in columns:
            for name in ("ambiguous", "not_found"):
                if name in truth:
                    truth[name] = sorted(truth[name])
            entry["columns"].append(truth)
        entry.update(self.place(base, header, rows))
        entry["conventions"] = self.conventions(columns, rows)
        return entry

    def place(self, base, header, rows):
        """Put a table in a CSV file, a workbook of its own or the shared workbook."""
        shape = self.shape
        if shape.format == "xlsx":
            sheet = _sheet_name(base)
            if shape.workbook:
                path = self.path(vocab.styled_file(shape.workbook, shape.file_style)
                                 + ".xlsx")
            else:
                path = self.path(vocab.styled_file(base, shape.file_style) + ".xlsx")
                sheet = self.rng.choice((sheet, "Sheet1"))
            self.workbooks.setdefault(path, []).append((sheet, header, rows))
            return {"path": path, "sheet": sheet, "kind": "xlsx"}
        path = self.path(vocab.styled_file(base, shape.file_style) + shape.extension)
        buffer = io.StringIO(newline="")
        writer = csv.writer(buffer, delimiter=shape.delimiter)
        writer.writerow(header)
        writer.writerows(rows)
        self.files[path] = buffer.getvalue().encode(shape.encoding, errors="replace")
        return {"path": path, "kind": "csv", "encoding": shape.encoding,
                "delimiter": shape.delimiter}

    def conventions(self, columns, rows):
        shape = self.shape
        dated = [i for i, (c, _) in enumerate(columns) if c in DATETIME_COLUMNS | DATE_COLUMNS]
        text_dates = not (shape.format == "xlsx" and shape.native_dates)
        proven = shape.date_order == "ymd" or any(
            isinstance(row[i], str) and row[i][:2].isdigit() and int(
                row[i][:2] if shape.date_order == "dmy" else row[i][3:5]) > 12
            for row in rows for i in dated if row[i])
        return {"date_order": shape.date_order if text_dates else "ymd",
                "has_dates": bool(dated), "date_order_proven": bool(proven),
                "clock": shape.clock if text_dates else "24", "timezone": "UTC",
                "decimal": shape.decimal if shape.format == "csv" or shape.currency
                else ".", "currency": [shape.currency] if shape.currency else [],
                "true_words": [shape.bool_words[0]], "false_words": [shape.bool_words[1]]}

    def path(self, name):
        return str(PurePosixPath(self.shape.root, name)) if self.shape.root else name

    # -- the export ---------------------------------------------------------------------

    def run(self):
        shape = self.shape
        for obj in TABLE_OBJECTS:
            base = self.rng.choice(self.words.FILE_NAMES[obj])
            self.truth["tables"].append(
                self.table(obj, self.records[obj], self.columns(obj), base))
        self.photos()
        self.truth["record_keys"] = {
            obj: sorted(self.key_of(obj, r) for r in self.records[obj])
            for obj in self.records}
        self.truth["key_aliases"] = {  # number → canonical id, where keyed by id
            obj: {self.written(r[column]).strip(): self.key_of(obj, r)
                  for r in self.records[obj] if (r[column] or "").strip()}
            for obj, column in NUMBER_COLUMNS.items() if shape.keys[obj] == "id"}
        for extra in shape.extras:
            path = self.path(extra)
            self.files[path] = README_TEXT.encode() if extra.endswith(".txt") else \
                messy.png_bytes(random.Random(shape.shape_seed), size=8)
            self.truth["tables"].append({"path": path, "sheet": None, "object": None,
                                         "kind": "extra", "columns": [], "rows": None})
        for path, sheets in self.workbooks.items():
            self.files[path] = _workbook_bytes(sheets)
        return self.files, self.truth

    def photos(self):
        """Attachment files: a manifest table and a folder, or one folder per order."""
        shape = self.shape
        folder = self.path(shape.photo_folder)
        attachments = self.records["attachments"]
        info = {"mode": shape.attachments, "folder": folder, "record_object": "work_orders",
                "count": len(attachments)}
        if shape.attachments == "manifest":
            obj = "attachments"
            base = self.rng.choice(self.words.FILE_NAMES[obj])
            self.truth["tables"].append(self.table(obj, attachments, self.columns(obj), base))
            for record in attachments:
                self.files[f"{folder}/{record['path']}"] = self.dataset.files[record["path"]]
            info["record_key"] = "id"
        else:
            by_wo, seen = {}, set()
            orders = self._by_id("work_orders")
            for record in attachments:
                order = orders[record["work_order_id"]]
                name = order["number"] if shape.folder_key == "number" else \
                    str(order["work_order_id"])
                stem, dot, ext = record["file_name"].rpartition(".")
                path, copy_no = f"{folder}/{name}/{record['file_name']}", 1
                while path in seen:
                    path = f"{folder}/{name}/{stem} ({copy_no}){dot}{ext}"
                    copy_no += 1
                seen.add(path)
                self.files[path] = self.dataset.files[record["path"]]
                by_wo.setdefault(self.key_of("work_orders", order), []).append(path)
            info["record_key"] = shape.folder_key
            info["files"] = by_wo
        self.truth["attachments"] = info


def _sheet_name(base):
    text = "".join(c for c in base if c not in "[]:*?/\\")
    return text[:31]


def _workbook_bytes(sheets):
    from openpyxl import Workbook  # an Odoo requirement; only needed for xlsx shapes

    book = Workbook(write_only=True)
    book.properties.created = book.properties.modified = EXPORTED_AT
    for sheet, header, rows in sheets:
        page = book.create_sheet(sheet)
        page.append(header)
        for row in rows:
            page.append([_cell(v) for v in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return _stable_zip(buffer.getvalue())


def _stable_zip(content):
    """The zip ``content`` rewritten with fixed member dates (same seeds, same bytes)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(content)) as source, \
            zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "docProps/core.xml":  # openpyxl stamps the saving time
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>"
                              + EXPORTED_AT.isoformat().encode() + b"Z", data)
            target.writestr(_member(info.filename), data)
    return out.getvalue()


def _member(name):
    info = zipfile.ZipInfo(name, date_time=EXPORTED_AT.timetuple()[:6])
    info.compress_type = zipfile.ZIP_DEFLATED
    return info


def _cell(value):
    """openpyxl refuses control characters other than tab and newlines."""
    if isinstance(value, str):
        return "".join(c for c in value if c >= " " or c in "\t\n\r")
    return value


def _jsonable(value):
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [_jsonable(v) for v in value]
    return value


def shape_files(scale, seed, shape, words=None):
    """``(files, truth)``: every file of the export (relative path → bytes) and its
    truth, for the data of ``generate(scale, seed)`` in ``shape`` (a :class:`Shape`);
    ``words``: another vocabulary to draw file names and labels from (an object with the
    word tables of :mod:`emulators.fst_vocabulary`, see ``fst_vocabulary.with_words``)."""
    return _Writer(generate(scale, seed), shape, words).run()


def make_shape(out, scale=1, seed=0, shape_seed=0, *, fixed=None, as_zip=False,
               truth_path=None, words=None):
    """Write the export of ``generate(scale, seed)`` in the shape drawn from
    ``shape_seed`` (or the fixed shape named ``fixed``) to the folder ``out`` (or the zip
    ``out`` with ``as_zip``); write the truth to ``truth_path`` (default beside ``out``:
    ``<out>.truth.json``, never inside it) and return it. ``words``: as in
    :func:`shape_files`."""
    shape = fixed_shape(fixed) if fixed else draw_shape(shape_seed)
    files, truth = shape_files(scale, seed, shape, words)
    out = Path(out)
    if as_zip:
        out.parent.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for path in sorted(files):
                archive.writestr(_member(path), files[path])
    else:
        for path in sorted(files):
            target = out.joinpath(*path.split("/"))
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(files[path])
    truth["export"] = str(out)
    truth_path = Path(truth_path) if truth_path else \
        out.with_name(out.name.removesuffix(".zip") + ".truth.json")
    truth_path.write_text(json.dumps(truth, indent=1, ensure_ascii=False, default=str),
                          encoding="utf-8")
    truth["truth_path"] = str(truth_path)
    return truth


def main(argv=None):
    parser = argparse.ArgumentParser(
        description="Write FST data in a random (or fixed) foreign export shape.")
    parser.add_argument("--out", required=True, help="folder to write (DIR.zip with --zip)")
    parser.add_argument("--zip", action="store_true", help="write one zip file")
    parser.add_argument("--scale", type=float, default=1, help="1 is about 1,300 records")
    parser.add_argument("--seed", type=int, default=0, help="seed of the data")
    parser.add_argument("--shape-seed", type=int, default=0, help="seed of the shape")
    parser.add_argument("--fixed", choices=sorted(FIXED_SHAPES), help="a named shape")
    parser.add_argument("--truth", help="where to write the truth JSON "
                        "(default: beside the export, <out>.truth.json)")
    args = parser.parse_args(argv)
    out = args.out
    if args.zip and not out.lower().endswith(".zip"):
        out = out.rstrip("/" + os.sep) + ".zip"
    truth = make_shape(out, args.scale, args.seed, args.shape_seed, fixed=args.fixed,
                       as_zip=args.zip, truth_path=args.truth)
    tables = [t for t in truth["tables"] if t["object"]]
    print(f"wrote {out}: {len(tables)} tables, {sum(truth['counts'].values())} records, "
          f"attachments by {truth['attachments']['mode']}; truth in {truth['truth_path']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
