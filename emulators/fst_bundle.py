"""Write a Field Service Trakker export bundle from generated data.

    python -m emulators.fst_bundle --out DIR [--zip] --scale S --seed N
        [--encoding utf-8|utf-8-sig|cp1252|utf-16] [--delimiter ,|;|tab|pipe]
        [--header-style snake|title|upper] [--file-style snake|title]

writes one CSV per object (``customers.csv`` …), ``custom_fields.csv``, the
``attachments.csv`` manifest and a ``files/`` folder, into ``DIR`` or, with ``--zip``,
into ``DIR.zip``. The layout is described in ``emulators/FST_BUNDLE.md``. The encoding,
delimiter and spelling options reproduce what hand-made exports look like; characters
the encoding cannot hold become ``?``, as Excel does.
"""

import argparse
import csv
import io
import os
import zipfile
from pathlib import Path

from services.fst_bundle import BUNDLE_OBJECTS, CUSTOM_FIELDS_FILE, FILES_FOLDER

from .fst_data import columns_of, csv_value, generate

DELIMITER_NAMES = {",": ",", ";": ";", "tab": "\t", "\t": "\t", "pipe": "|", "|": "|"}
HEADER_STYLES = ("snake", "title", "upper")
FILE_STYLES = ("snake", "title")


def header_name(column, style):
    """``customer_id`` spelled as ``customer_id``, ``Customer Id`` or ``CUSTOMERID``."""
    if style == "title":
        return column.replace("_", " ").title()
    if style == "upper":
        return column.replace("_", "").upper()
    return column


def file_name(obj, style):
    """``work_orders.csv`` or, in the title style, ``Work Orders.CSV``."""
    if style == "title":
        return obj.replace("_", " ").title() + ".CSV"
    return obj + ".csv"


def csv_text(header, rows, *, delimiter=",", encoding="utf-8"):
    """Bytes of one CSV file: ``header`` then ``rows`` (lists of strings)."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding, errors="replace")


def bundle_files(dataset, *, encoding="utf-8", delimiter=",", header_style="snake",
                 file_style="snake"):
    """Yield ``(relative path, bytes)`` for every file of the bundle of ``dataset``."""
    for spec in BUNDLE_OBJECTS:
        columns = columns_of(spec.name)
        records = dataset.records[spec.name]
        rows = ([csv_value(record.get(c)) for c in columns] for record in records)
        yield file_name(spec.name, file_style), csv_text(
            [header_name(c, header_style) for c in columns], rows, delimiter=delimiter,
            encoding=encoding)
    schema = ([csv_value(row[c]) for c in CUSTOM_FIELDS_FILE.columns]
              for row in dataset.custom_fields)
    yield file_name(CUSTOM_FIELDS_FILE.name, file_style), csv_text(
        [header_name(c, header_style) for c in CUSTOM_FIELDS_FILE.columns], schema,
        delimiter=delimiter, encoding=encoding)
    for path in sorted(dataset.files):
        yield f"{FILES_FOLDER}/{path}", dataset.files[path]


def write_bundle(dataset, out, *, as_zip=False, **options):
    """Write the bundle of ``dataset`` to the folder ``out`` or the zip ``out``.

    ``options`` are those of :func:`bundle_files`. Return the path written.
    """
    out = Path(out)
    if as_zip:
        out.parent.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for path, content in bundle_files(dataset, **options):
                archive.writestr(path, content)
        return out
    for path, content in bundle_files(dataset, **options):
        target = out.joinpath(*path.split("/"))
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description="Write a Field Service Trakker export bundle.")
    parser.add_argument("--out", required=True, help="folder to write (DIR.zip with --zip)")
    parser.add_argument("--zip", action="store_true", help="write one zip file")
    parser.add_argument("--scale", type=float, default=1, help="1 is about 1,300 records")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--encoding", default="utf-8",
                        choices=("utf-8", "utf-8-sig", "cp1252", "utf-16"))
    parser.add_argument("--delimiter", default=",", choices=sorted(DELIMITER_NAMES))
    parser.add_argument("--header-style", default="snake", choices=HEADER_STYLES)
    parser.add_argument("--file-style", default="snake", choices=FILE_STYLES)
    args = parser.parse_args(argv)
    dataset = generate(args.scale, args.seed)
    out = args.out
    if args.zip and not out.lower().endswith(".zip"):
        out = out.rstrip("/" + os.sep) + ".zip"
    path = write_bundle(dataset, out, as_zip=args.zip, encoding=args.encoding,
                        delimiter=DELIMITER_NAMES[args.delimiter],
                        header_style=args.header_style, file_style=args.file_style)
    truth = dataset.truth()
    print(f"wrote {path}: {truth['total']} records, {len(dataset.files)} files")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
