"""Readers of foreign-shaped exports: workbooks, encodings, nested zips, non-tables, bad rows."""

import codecs
import io
import os
import zipfile
from datetime import date, datetime, time
from types import SimpleNamespace

import openpyxl
import pytest
import xlrd

from services.errors import BundleError
from services.layout import readers, sheets
from services.layout.readers import open_tables


def _by_key(tables):
    return {(t.path, t.sheet): t for t in tables.tables()}


def _rows(tables, path, sheet=None):
    return list(tables.iter_rows(path, sheet))


def _workbook(path):
    book = openpyxl.Workbook()
    customers = book.active
    customers.title = "Customer List"
    customers.append([])  # the header is the first non-empty row, not row 1
    customers.append(["Customer #", "Company", "Since", "Last visit", "Balance", "Active",
                      "Notes", "Ratio"])
    customers.append(["C-1", "Acme", date(2023, 4, 13), datetime(2024, 1, 2, 15, 4, 5), 12.0,
                      True, None, 0.30000000000000004])
    customers.append(["C-2", "Bolt & Co", datetime(2022, 12, 1), datetime(2024, 2, 3, 8, 0),
                      1234.5, False, "call first", 1e20])
    customers.append([None] * 8)  # a blank row is no record
    customers.append(["C-3", "Tiny", None, None, 7, None, None, time(9, 30)])
    customers["C3"].number_format = "yyyy-mm-dd"
    customers["C4"].number_format = "dd/mm/yyyy"
    customers["D3"].number_format = "yyyy-mm-dd hh:mm:ss"
    customers["D4"].number_format = "m/d/yyyy h:mm AM/PM"
    jobs = book.create_sheet("Jobs")
    jobs.append(["Job #", "Customer", "Customer", None, "Total"])
    jobs.append(["J-1", "C-1", "Acme", "x", 10])
    jobs.append(["J-2", "C-2", "Bolt", None, 20, None, "stray"])  # a value with no header
    jobs.append(["J-3"])  # a sheet leaves trailing empty cells out: padded, kept
    book.create_sheet("Empty")
    book.save(path)


def test_workbook_sheets_are_tables_with_the_text_a_user_sees(tmp_path):
    _workbook(tmp_path / "Export.xlsx")
    tables = open_tables(tmp_path)
    found = _by_key(tables)
    assert found[("Export.xlsx", "Empty")].status == "empty"
    customers = found[("Export.xlsx", "Customer List")]
    assert (customers.kind, customers.status) == ("xlsx", "read")
    assert customers.header[:3] == ("Customer #", "Company", "Since")
    rows = _rows(tables, "Export.xlsx", "Customer List")
    assert [line for line, _ in rows] == [3, 4, 6]
    first, second, third = (row for _, row in rows)
    assert first == {"Customer #": "C-1", "Company": "Acme", "Since": "2023-04-13",
                     "Last visit": "2024-01-02 15:04:05", "Balance": "12", "Active": "TRUE",
                     "Notes": "", "Ratio": "0.3"}
    assert (second["Since"], second["Last visit"]) == ("2022-12-01", "2024-02-03 08:00:00")
    assert (second["Balance"], second["Active"], second["Ratio"]) == (
        "1234.5", "FALSE", "100000000000000000000")
    assert (third["Balance"], third["Ratio"], third["Since"]) == ("7", "09:30:00", "")
    jobs = found[("Export.xlsx", "Jobs")]
    assert jobs.header == ("Job #", "Customer", "Customer (2)", "Column 4", "Total")
    assert {n.reason for n in tables.notices} >= {
        "column 'Customer' appears again at position 3; named 'Customer (2)'",
        "column 4 has no header; named 'Column 4'"}
    job_rows = _rows(tables, "Export.xlsx", "Jobs")
    assert [row["Job #"] for _, row in job_rows] == ["J-1", "J-3"]
    assert job_rows[1][1]["Total"] == ""
    stray = [i for i in tables.issues if i.line == 3]
    assert stray and stray[0].file == "Export.xlsx" and stray[0].column == "#7"
    assert "beyond the header's 5 columns" in stray[0].reason
    assert tables.count_rows("Export.xlsx", "Jobs") == 3  # the skipped row counted
    tables.close()


def test_cp1252_and_utf16_files_decoded_with_their_delimiters(tmp_path):
    (tmp_path / "Clients.csv").write_bytes(
        "Nom;Ville;Solde\r\nCafé Müller;Montréal;1 234,50 €\r\n".encode("cp1252"))
    (tmp_path / "Staff.txt").write_bytes(
        codecs.BOM_UTF16_LE + "Name\tE-mail\nJosé Núñez\tjose@example.com\n".encode(
            "utf-16-le"))
    (tmp_path / "excel.csv").write_bytes(b"sep=|\r\n\r\nA|B\r\n1|2\r\n")
    tables = open_tables(tmp_path)
    found = _by_key(tables)
    assert found[("Clients.csv", None)].encoding == "cp1252"
    assert _rows(tables, "Clients.csv") == [
        (2, {"Nom": "Café Müller", "Ville": "Montréal", "Solde": "1 234,50 €"})]
    assert found[("Staff.txt", None)].encoding == "utf-16"
    assert _rows(tables, "Staff.txt") == [
        (2, {"Name": "José Núñez", "E-mail": "jose@example.com"})]
    assert found[("excel.csv", None)].header == ("A", "B")
    assert _rows(tables, "excel.csv") == [(4, {"A": "1", "B": "2"})]
    assert not tables.issues


def _nested_zip(path):
    book = io.BytesIO()
    workbook = openpyxl.Workbook()
    workbook.active.append(["Tech", "Phone"])
    workbook.active.append(["Ann Lee", "555-0100"])
    workbook.save(book)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("Export 2024/Customers/customers.csv", "id,name\n1,Acme\n")
        archive.writestr("Export 2024/Jobs/2024/Q1/jobs.tsv", "Job\tCustomer\nJ1\t1\n")
        archive.writestr("Export 2024/Staff.xlsx", book.getvalue())
        archive.writestr("Export 2024/photos/J1/front.JPG", b"\xff\xd8\xff")
        archive.writestr("Export 2024/docs/manual.pdf", b"%PDF-1.4")
        archive.writestr("Export 2024/empty.csv", b"")
        archive.writestr("Export 2024/README", b"hello")
        archive.writestr("Export 2024/~$Staff.xlsx", b"lock")
        archive.writestr("Export 2024/.DS_Store", b"\0")
        archive.writestr("__MACOSX/Export 2024/._customers.csv", b"\0")
        archive.writestr("__MACOSX/Export 2024/._Staff.xlsx", b"\0")


def test_nested_zip_lists_every_member_with_what_was_made_of_it(tmp_path):
    _nested_zip(tmp_path / "export.zip")
    tables = open_tables(tmp_path / "export.zip")
    found = {(t.path, t.sheet): (t.kind, t.status) for t in tables.tables()}
    assert found == {
        ("Export 2024/Customers/customers.csv", None): ("csv", "read"),
        ("Export 2024/Jobs/2024/Q1/jobs.tsv", None): ("csv", "read"),
        ("Export 2024/Staff.xlsx", "Sheet"): ("xlsx", "read"),
        ("Export 2024/photos/J1/front.JPG", None): ("file", "not a table: image"),
        ("Export 2024/docs/manual.pdf", None): ("file", "not a table: PDF"),
        ("Export 2024/empty.csv", None): ("csv", "empty"),
        ("Export 2024/README", None): ("file", "not a table: file without extension"),
        ("Export 2024/~$Staff.xlsx", None): (
            "file", "skipped: Office lock file (~$), not the document itself"),
        ("Export 2024/.DS_Store", None): ("file", "skipped: hidden file"),
        ("__MACOSX/", None): ("file", "skipped: macOS metadata folder (__MACOSX) (2 files)"),
    }
    assert _rows(tables, "Export 2024/Jobs/2024/Q1/jobs.tsv") == [
        (2, {"Job": "J1", "Customer": "1"})]
    assert _rows(tables, "Export 2024/Staff.xlsx", "Sheet") == [
        (2, {"Tech": "Ann Lee", "Phone": "555-0100"})]
    assert "Export 2024/photos/J1/front.JPG" in tables.files()
    with tables.open_file("Export 2024/photos/J1/front.JPG") as stream:
        assert stream.read() == b"\xff\xd8\xff"
    with pytest.raises(BundleError, match="not a table"):
        list(tables.iter_rows("Export 2024/docs/manual.pdf"))
    tables.close()


def test_folder_listing_skips_hidden_folders_and_reads_any_depth(tmp_path):
    deep = tmp_path / "a" / "b" / "c"
    deep.mkdir(parents=True)
    (deep / "Parts.csv").write_text("Part,Qty\nValve,2\n")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "config").write_text("x")
    tables = open_tables(tmp_path)
    found = {(t.path, t.sheet): t.status for t in tables.tables()}
    assert found == {("a/b/c/Parts.csv", None): "read", (".git/", None): "skipped: hidden folder"}
    assert _rows(tables, "a/b/c/Parts.csv") == [(2, {"Part": "Valve", "Qty": "2"})]


def test_ragged_and_undecodable_rows_are_issues_and_reading_goes_on(tmp_path):
    content = ("Id,Name,City\n1,Zoë,Paris\n2,Too,many,values\n3,Few\n".encode()
               + b"4,Bad \xff byte,Oslo\n" + "5,Ève,Nice\n\n6,\"multi\nline\",Rome\n".encode())
    (tmp_path / "people.csv").write_bytes(content)
    tables = open_tables(tmp_path)
    rows = _rows(tables, "people.csv")
    assert [(line, row["Id"]) for line, row in rows] == [(2, "1"), (6, "5"), (8, "6")]
    assert rows[2][1]["Name"] == "multi\nline"
    issues = {i.line: i for i in tables.issues}
    assert set(issues) == {3, 4, 5}
    assert (issues[3].file, issues[3].column) == ("people.csv", "#4")
    assert issues[4].column == "City" and "row has 2 values" in issues[4].reason
    assert issues[5].column == "Name" and "not valid in the file's encoding" in issues[5].reason
    assert issues[5].raw["Id"] == "4"
    assert tables.count_rows("people.csv") == 6


def test_duplicate_and_blank_headers_made_unique_and_reported(tmp_path):
    (tmp_path / "c.csv").write_text("Phone,phone,,Name,Phone,,\n1,2,3,4,5,,\n")
    tables = open_tables(tmp_path)
    info = tables.tables()[0]
    assert info.header == ("Phone", "phone (2)", "Column 3", "Name", "Phone (3)")
    assert _rows(tables, "c.csv") == [(2, dict(zip(info.header, "12345", strict=True)))]
    assert len(tables.notices) == 3 and all(n.line == 1 for n in tables.notices)


def test_limits_and_path_safety(tmp_path):
    (tmp_path / "wide.csv").write_text(",".join(f"c{i}" for i in range(10)) + "\n")
    (tmp_path / "big.bin").write_bytes(b"x" * 100)
    outside = tmp_path.parent / "secret.txt"
    outside.write_text("no")
    os.symlink(outside, tmp_path / "link.csv")
    tables = open_tables(tmp_path, max_columns=5)
    found = {t.path: t.status for t in tables.tables()}
    assert found["wide.csv"].startswith("not read: the header has 10 columns")
    assert "outside the bundle folder" in found["link.csv"]
    with tables.open_file("big.bin", max_bytes=1000) as stream:
        assert len(stream.read()) == 100
    with pytest.raises(BundleError, match="above the limit"):
        tables.open_file("big.bin", max_bytes=10)
    for bad in ("../secret.txt", "/etc/passwd", "C:/x.csv", "a/../../secret.txt"):
        with pytest.raises(BundleError, match="refused"):
            tables.open_file(bad)
    with pytest.raises(BundleError, match="outside"):
        tables.open_file("link.csv")
    with pytest.raises(BundleError, match="not in the export"):
        tables.open_file("missing.png")
    with pytest.raises(BundleError, match="No export"):
        open_tables(tmp_path / "nothing")


def test_damaged_workbooks_and_missing_xlrd_are_listed_not_fatal(tmp_path, monkeypatch):
    (tmp_path / "broken.xlsx").write_bytes(b"not a zip at all")
    (tmp_path / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0 nothing else")
    (tmp_path / "ok.csv").write_text("a\n1\n")
    found = {t.path: t.status for t in open_tables(tmp_path).tables()}
    assert found["broken.xlsx"].startswith("not read: cannot be opened as an Excel workbook")
    assert found["old.xls"].startswith("not read: cannot be opened as an Excel 97-2003")
    assert found["ok.csv"] == "read"
    monkeypatch.setattr(sheets, "xlrd", None)
    found = {t.path: t.status for t in open_tables(tmp_path).tables()}
    assert found["old.xls"].startswith("not read: .xls needs the xlrd library")


def test_xls_cells_as_the_text_a_user_sees():
    book = sheets._Xls.__new__(sheets._Xls)
    book.book = SimpleNamespace(datemode=0)
    cell = xlrd.sheet.Cell
    assert book._text(cell(xlrd.XL_CELL_DATE, 45029.0)) == "2023-04-13"
    assert book._text(cell(xlrd.XL_CELL_DATE, 45029.5)) == "2023-04-13 12:00:00"
    assert book._text(cell(xlrd.XL_CELL_NUMBER, 12.0)) == "12"
    assert book._text(cell(xlrd.XL_CELL_BOOLEAN, 1)) == "TRUE"
    assert book._text(cell(xlrd.XL_CELL_EMPTY, "")) == ""
    assert book._text(cell(xlrd.XL_CELL_ERROR, 0x2A)) == "#N/A"
    assert book._text(cell(xlrd.XL_CELL_TEXT, "Acme")) == "Acme"


@pytest.mark.parametrize(("value", "text"), [
    (12.0, "12"), (0.1 + 0.2, "0.3"), (-3.25, "-3.25"), (1e20, "100000000000000000000"),
    (1.5e-7, "0.00000015"), (7, "7"), (123456789.123, "123456789.123")])
def test_number_text_has_no_float_artefacts(value, text):
    assert sheets.number_text(value) == text


def test_datetime_text_follows_the_cell_format():
    moment = datetime(2023, 4, 13, 0, 0)
    assert sheets.datetime_text(moment, "dd/mm/yyyy") == "2023-04-13"
    assert sheets.datetime_text(moment, "dd/mm/yyyy hh:mm") == "2023-04-13 00:00:00"
    assert sheets.datetime_text(moment, "General") == "2023-04-13"
    assert sheets.datetime_text(datetime(2023, 4, 13, 10, 59, 59, 999_800), None) == \
        "2023-04-13 11:00:00"
    assert sheets.datetime_text(moment, '[$-409]mmmm d, yyyy;@') == "2023-04-13"


def test_skip_reasons():
    assert readers.skip_reason("a/b.csv") is None
    assert readers.skip_reason("x/.hidden/y.csv") == ("x/.hidden/", "skipped: hidden folder")
    assert readers.skip_reason("x/~$Book.xlsx")[1].startswith("skipped: Office lock file")


def test_a_sheet_damaged_half_way_keeps_its_first_rows_and_says_where(tmp_path):
    book = openpyxl.Workbook()
    for i in range(50):
        book.active.append([f"r{i}", i])
    buffer = io.BytesIO()
    book.save(buffer)
    with zipfile.ZipFile(buffer) as source, \
            zipfile.ZipFile(tmp_path / "bad.xlsx", "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data[:len(data) // 2]
            target.writestr(item, data)
    tables = open_tables(tmp_path)
    rows = _rows(tables, "bad.xlsx", "Sheet")
    assert 5 < len(rows) < 49 and rows[0] == (2, {"r0": "r1", "0": "1"})
    (issue,) = tables.issues
    assert issue.file == "bad.xlsx" and "damaged after row" in issue.reason
