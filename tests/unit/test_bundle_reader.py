"""The FST bundle reader against bundles written by the emulator, clean and damaged."""

import hashlib
import io
import os
import zipfile
from datetime import datetime, timezone

import pytest

from emulators.fst_bundle import csv_text, main, write_bundle
from emulators.fst_data import columns_of, csv_value, generate
from services.errors import BundleError
from services.fst_bundle import (
    BUNDLE_OBJECTS,
    FstBundleSource,
    attachment_path,
    detect_delimiter,
    detect_encoding,
    parse_timestamp,
)


@pytest.fixture(scope="module")
def dataset():
    return generate(1, seed=5)


@pytest.fixture(scope="module")
def folder_bundle(dataset, tmp_path_factory):
    return write_bundle(dataset, tmp_path_factory.mktemp("bundle") / "export")


@pytest.fixture(scope="module")
def zip_bundle(dataset, tmp_path_factory):
    return write_bundle(dataset, tmp_path_factory.mktemp("bundle") / "export.zip", as_zip=True)


def expected_records(dataset, obj, encoding="utf-8"):
    """What the reader must give for ``obj``: the bundle text of every value, plus id."""
    spec = next(o for o in BUNDLE_OBJECTS if o.name == obj)
    rows = []
    for record in dataset.records[obj]:
        row = {c: csv_value(record[c]).encode(encoding, "replace").decode(encoding)
               for c in columns_of(obj)}
        row["id"] = str(record[spec.id_column])
        rows.append(row)
    return rows


def read_all(source, obj):
    return [r for page in source.iter_pages(obj) for r in page]


def small_customers(rows, header=None, delimiter=","):
    """Bytes of a customers.csv with the layout's header (or ``header``) and ``rows``."""
    header = header or list(columns_of("customers"))
    return csv_text(header, rows, delimiter=delimiter)


def customer_row(customer_id, name="Acme"):
    row = [""] * len(columns_of("customers"))
    row[0], row[2] = str(customer_id), name
    return row


def bundle_of(tmp_path, files):
    """A folder bundle holding ``files`` ({relative path: bytes})."""
    root = tmp_path / "bundle"
    for name, content in files.items():
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
    return FstBundleSource(root)


@pytest.mark.parametrize("kind", ["folder", "zip"])
def test_round_trip_gives_back_every_generated_record(kind, dataset, folder_bundle,
                                                      zip_bundle):
    source = FstBundleSource(folder_bundle if kind == "folder" else zip_bundle, page_size=40)
    source.test_connection()
    assert source.list_objects() == [obj.name for obj in BUNDLE_OBJECTS]
    for spec in BUNDLE_OBJECTS:
        pages = list(source.iter_pages(spec.name))
        assert all(len(page) <= 40 for page in pages)
        assert [r for page in pages for r in page] == expected_records(dataset, spec.name), \
            spec.name
        assert source.count(spec.name) == len(dataset.records[spec.name])
    assert source.issues == [] and source.notices == []
    fields = source.custom_fields()
    assert [(f.object, f.name, f.type, f.required) for f in fields] == [
        (f["object"], f["name"], f["type"], f["required"]) for f in dataset.custom_fields]
    contract = next(f for f in fields if f.name == "contract_level")
    assert contract.options == ["None", "Bronze", "Silver", "Gold", "Platinum"]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252", "utf-16"])
@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_every_encoding_and_delimiter_is_detected(encoding, delimiter, dataset, tmp_path):
    path = write_bundle(dataset, tmp_path / "b.zip", as_zip=True, encoding=encoding,
                        delimiter=delimiter)
    source = FstBundleSource(path)
    for obj in ("customers", "notes", "work_orders"):
        assert read_all(source, obj) == expected_records(dataset, obj, encoding), obj
    assert source.issues == []


@pytest.mark.parametrize("header_style", ["title", "upper"])
def test_header_and_file_name_spellings_are_tolerated(header_style, dataset, tmp_path):
    path = write_bundle(dataset, tmp_path / "b", header_style=header_style, file_style="title")
    assert (path / "Work Orders.CSV").exists()
    source = FstBundleSource(path)
    assert source.list_objects() == [obj.name for obj in BUNDLE_OBJECTS]
    for obj in ("customers", "work_orders", "contacts"):
        assert read_all(source, obj) == expected_records(dataset, obj), obj
    assert len(source.custom_fields()) == len(dataset.custom_fields)
    assert source.issues == [] and source.notices == []


def test_a_zip_whose_files_sit_in_a_folder_is_read(dataset, tmp_path):
    path = tmp_path / "nested.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("export-2024/customers.csv", small_customers([customer_row(1)]))
        archive.writestr("export-2024/files/a.txt", b"hello")
        archive.writestr("__MACOSX/export-2024/._customers.csv", b"\x00\x05junk")
    source = FstBundleSource(path)
    assert [r["id"] for r in read_all(source, "customers")] == ["1"]
    with source.open_attachment("a.txt") as stream:
        assert stream.read() == b"hello"


def test_windows_backslash_names_in_a_zip_are_understood(tmp_path):
    path = tmp_path / "windows.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("export\\Customers.CSV", small_customers([customer_row(3)]))
        archive.writestr("export\\files\\wo_1\\a.txt", b"bytes")
    source = FstBundleSource(path)
    assert [r["id"] for r in read_all(source, "customers")] == ["3"]
    with source.open_attachment("wo_1\\a.txt") as stream:
        assert stream.read() == b"bytes"


def test_a_password_protected_zip_is_a_bundle_error(tmp_path):
    path = tmp_path / "locked.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("customers.csv", small_customers([customer_row(1)]))
    raw = bytearray(path.read_bytes())
    central = raw.index(b"PK\x01\x02")
    raw[central + 8] |= 0x01  # the "encrypted" flag bit
    path.write_bytes(bytes(raw))
    source = FstBundleSource(path)
    with pytest.raises(BundleError, match="password-protected") as caught:
        list(source.iter_pages("customers"))
    assert caught.value.file == "customers.csv"


def test_truncated_zip_is_a_bundle_error(zip_bundle, tmp_path):
    damaged = tmp_path / "truncated.zip"
    damaged.write_bytes(zip_bundle.read_bytes()[: os.path.getsize(zip_bundle) // 2])
    source = FstBundleSource(damaged)
    with pytest.raises(BundleError, match="not a readable zip.*truncated") as caught:
        source.test_connection()
    assert caught.value.file == "truncated.zip"
    with pytest.raises(BundleError):
        list(source.iter_pages("customers"))


def test_a_zip_member_damaged_inside_is_reported_and_the_rest_read(dataset, tmp_path):
    path = tmp_path / "b.zip"
    notes = csv_text(list(columns_of("notes")),
                     ([csv_value(r[c]) for c in columns_of("notes")]
                      for r in dataset.records["notes"]))
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("notes.csv", notes)
        archive.writestr("customers.csv", small_customers([customer_row(1)]))
    raw = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo("notes.csv")
    data_start = info.header_offset + 30 + len(info.filename)
    middle = data_start + info.compress_size // 2
    raw[middle:middle + 64] = bytes(64)
    path.write_bytes(bytes(raw))
    source = FstBundleSource(path)
    read = read_all(source, "notes")
    assert len(read) < len(dataset.records["notes"])
    [issue] = source.issues
    assert issue.file == "notes.csv" and issue.object == "notes"
    assert "damaged" in issue.reason and issue.line > 1
    assert [r["id"] for r in read_all(source, "customers")] == ["1"]


def test_bytes_invalid_in_the_encoding_skip_only_their_row(tmp_path):
    content = small_customers([customer_row(1, "Zoë"), customer_row(2, "BAD"),
                               customer_row(3, "Łukasz"), customer_row(4, "Renée")])
    content = content.replace(b"BAD", b"Caf\xe9")
    source = bundle_of(tmp_path, {"customers.csv": content})
    assert [r["name"] for r in read_all(source, "customers")] == ["Zoë", "Łukasz", "Renée"]
    [issue] = source.issues
    assert (issue.file, issue.line, issue.column) == ("customers.csv", 3, "name")
    assert "0xE9 at character 4" in issue.reason


def test_a_nul_byte_is_reported_with_its_column(tmp_path):
    content = small_customers([customer_row(1, "ok"), customer_row(2, "nu\x00l")])
    source = bundle_of(tmp_path, {"customers.csv": content})
    assert [r["id"] for r in read_all(source, "customers")] == ["1"]
    [issue] = source.issues
    assert (issue.line, issue.column) == (3, "name") and "0x00" in issue.reason


def test_a_missing_required_column_skips_the_file_with_its_name(tmp_path):
    header = [c for c in columns_of("contacts") if c != "customer_id"]
    content = csv_text(header, [["1"] + [""] * (len(header) - 1)])
    source = bundle_of(tmp_path, {"contacts.csv": content,
                                  "customers.csv": small_customers([customer_row(9)])})
    assert read_all(source, "contacts") == []
    [issue] = source.issues
    assert (issue.file, issue.line, issue.column) == ("contacts.csv", 1, "customer_id")
    assert "required column 'customer_id' is missing" in issue.reason
    assert [r["id"] for r in read_all(source, "customers")] == ["9"]


def test_unknown_columns_are_kept_and_absent_ones_noted(tmp_path):
    header = ["Customer ID", "Name", "Gate Code #", "id"]
    source = bundle_of(tmp_path, {"customers.csv": csv_text(header, [["7", "Acme", "1234",
                                                                      "x"]])})
    [record] = read_all(source, "customers")
    assert record == {"customer_id": "7", "name": "Acme", "gate_code": "1234", "id_2": "x",
                      "id": "7"}
    assert source.issues == []
    reasons = [n.reason for n in source.notices]
    assert "unknown column 'Gate Code #' kept as 'gate_code'" in reasons
    assert "unknown column 'id' kept as 'id_2'" in reasons
    assert "column 'email' is absent; left out of the records" in reasons
    gate = next(n for n in source.notices if n.column == "Gate Code #")
    assert (gate.file, gate.line) == ("customers.csv", 1)


def test_a_column_spelled_twice_is_kept_apart_and_reported(tmp_path):
    header = ["customer_id", "E-mail", "EMAIL"]
    source = bundle_of(tmp_path, {"customers.csv": csv_text(header, [["1", "a@x", "b@x"]])})
    [record] = read_all(source, "customers")
    assert (record["email"], record["email_2"]) == ("a@x", "b@x")
    [issue] = source.issues
    assert (issue.line, issue.column) == (1, "EMAIL")
    assert issue.reason == "column 'EMAIL' appears twice; this one is kept as email_2"


def test_ragged_rows_are_reported_at_their_line_and_column(tmp_path):
    width = len(columns_of("customers"))
    multi_line = customer_row(1, "two\nlines")
    content = small_customers([multi_line, customer_row(2) + ["extra"],
                               customer_row(3)[:5], customer_row(4)])
    source = bundle_of(tmp_path, {"customers.csv": content})
    assert [r["id"] for r in read_all(source, "customers")] == ["1", "4"]
    too_many, too_few = source.issues
    assert (too_many.line, too_many.column) == (4, f"#{width + 1}")
    assert f"row has {width + 1} values but the header has {width} columns" in too_many.reason
    assert (too_few.line, too_few.column) == (5, "first_name")
    assert "row has 5 values" in too_few.reason and too_few.raw["customer_id"] == "3"


def test_empty_and_duplicate_ids_are_reported(tmp_path):
    content = small_customers([customer_row(1), customer_row(" "), customer_row(1, "again")])
    source = bundle_of(tmp_path, {"customers.csv": content})
    assert [r["name"] for r in read_all(source, "customers")] == ["Acme"]
    empty, duplicate = source.issues
    assert (empty.line, empty.column, empty.reason) == (
        3, "customer_id", "customer_id is empty; row skipped")
    assert (duplicate.line, duplicate.source_id) == (4, "1")


def test_empty_files_an_excel_sep_line_and_a_header_only_file(tmp_path):
    content = b"sep=;\r\n" + small_customers([customer_row(5)], delimiter=";")
    source = bundle_of(tmp_path, {"customers.csv": content, "sites.csv": b"",
                                  "contacts.csv": ",".join(columns_of("contacts")).encode()})
    assert [r["id"] for r in read_all(source, "customers")] == ["5"]
    assert read_all(source, "sites") == [] and read_all(source, "contacts") == []
    [issue] = source.issues
    assert (issue.file, issue.line) == ("sites.csv", 1) and "empty" in issue.reason
    assert source.count("customers") == 1 and source.count("contacts") == 0


def test_a_folder_without_export_files_is_a_bundle_error(tmp_path):
    (tmp_path / "readme.txt").write_text("hello")
    with pytest.raises(BundleError, match="holds no FST export file"):
        FstBundleSource(tmp_path).test_connection()
    with pytest.raises(BundleError, match="No bundle at"):
        FstBundleSource(tmp_path / "missing.zip").list_objects()


def test_custom_field_types_are_normalised_and_unknown_ones_reported(tmp_path):
    rows = [["Work Orders", "gate", "Gate", "Dropdown", "A| B |", "yes"],
            ["contacts", "mood", "Mood", "emoji", "", ""]]
    source = bundle_of(tmp_path, {"Custom Fields.csv": csv_text(
        ["Object", "Name", "Label", "Type", "Options", "Required"], rows),
        "customers.csv": small_customers([])})
    gate, mood = source.custom_fields()
    assert (gate.object, gate.type, gate.options, gate.required) == (
        "work_orders", "selection", ["A", "B"], True)
    assert (mood.type, mood.required) == ("char", False)
    [issue] = source.issues
    assert (issue.line, issue.column) == (3, "type") and "emoji" in issue.reason


@pytest.mark.parametrize("kind", ["folder", "zip"])
def test_attachments_stream_with_the_manifest_checksums(kind, dataset, folder_bundle,
                                                        zip_bundle):
    source = FstBundleSource(folder_bundle if kind == "folder" else zip_bundle)
    manifest = read_all(source, "attachments")
    assert len(manifest) == len(dataset.records["attachments"])
    for row in manifest:
        with source.open_attachment(row) as stream:
            assert isinstance(stream, io.IOBase)
            digest = hashlib.sha1()
            for chunk in iter(lambda: stream.read(64), b""):
                digest.update(chunk)
        assert digest.hexdigest() == row["sha1"]
    with source.open_attachment("files/" + manifest[0]["path"]) as stream:
        assert hashlib.sha1(stream.read()).hexdigest() == manifest[0]["sha1"]


@pytest.mark.parametrize("ref", ["../customers.csv", "/etc/passwd", "files/../../secret",
                                 "a/../../b", "C:\\Windows\\win.ini", "..\\..\\boot.ini"])
def test_attachment_paths_leaving_files_are_refused(ref, folder_bundle):
    source = FstBundleSource(folder_bundle)
    with pytest.raises(BundleError, match="outside the bundle"):
        source.open_attachment({"path": ref})


def test_a_symlink_out_of_the_folder_is_refused(tmp_path):
    outside = tmp_path / "secret.txt"
    outside.write_text("secret")
    source = bundle_of(tmp_path, {"customers.csv": small_customers([])})
    (tmp_path / "bundle" / "files").mkdir()
    (tmp_path / "bundle" / "files" / "link.txt").symlink_to(outside)
    with pytest.raises(BundleError, match="outside the bundle folder"):
        source.open_attachment("link.txt")
    with pytest.raises(BundleError, match="is not in the bundle"):
        source.open_attachment("missing.png")


def test_since_filters_on_updated_at_client_side(dataset, folder_bundle):
    source = FstBundleSource(folder_bundle)
    cutoff = datetime(2023, 1, 1, tzinfo=timezone.utc)
    got = {r["id"] for r in source.iter_records("customers", since=cutoff)}
    expected = {str(c["customer_id"]) for c in dataset.records["customers"]
                if parse_timestamp(c["updated_at"]) >= cutoff}
    assert got == expected and 0 < len(got) < len(dataset.records["customers"])
    assert not source.supports_since("customers")
    assert len(list(source.iter_records("invoice_lines", since=cutoff))) == \
        len(dataset.records["invoice_lines"]), "objects without a timestamp are not filtered"


def test_an_unreadable_updated_at_keeps_the_row_and_is_noted(tmp_path):
    header = ["customer_id", "updated_at"]
    source = bundle_of(tmp_path, {"customers.csv": csv_text(
        header, [["1", "yesterday"], ["2", "2020-01-01T00:00:00Z"], ["3", "03/04/2024"]])})
    cutoff = datetime(2021, 1, 1, tzinfo=timezone.utc)
    assert [r["id"] for r in source.iter_records("customers", since=cutoff)] == ["1", "3"]
    [notice] = [n for n in source.notices if "not a date" in n.reason]
    assert (notice.line, notice.column, notice.source_id) == (2, "updated_at", "1")


def test_detection_helpers():
    assert detect_encoding("é".encode("utf-8-sig")) == "utf-8-sig"
    assert detect_encoding("id,näme\n".encode("utf-16")) == "utf-16"
    assert detect_encoding("id,näme\n".encode("utf-16-le")) == "utf-16-le"
    assert detect_encoding("Zoë,Renée,Chloé".encode()) == "utf-8"
    assert detect_encoding("Zoë,Renée,Chloé".encode("cp1252")) == "cp1252"
    assert detect_encoding(b"caf\xe9 \x81") == "latin-1"
    assert detect_delimiter('"a,b";c;d') == ";"
    assert detect_delimiter("a\tb\tc|d") == "\t"
    assert detect_delimiter("single") == ","
    assert attachment_path({"path": "files/wo_1/a b.png"}) == "wo_1/a b.png"


def test_command_line_writes_a_zip(tmp_path, capsys):
    assert main(["--out", str(tmp_path / "demo"), "--zip", "--scale", "0.2", "--seed", "2",
                 "--delimiter", "pipe", "--encoding", "utf-16"]) == 0
    assert "records" in capsys.readouterr().out
    source = FstBundleSource(tmp_path / "demo.zip")
    assert read_all(source, "customers") == expected_records(generate(0.2, 2), "customers")
