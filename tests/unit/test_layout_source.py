"""LayoutSource: a confirmed layout over a foreign-shaped export gives the canonical records."""

import zipfile
from datetime import datetime, timezone

import openpyxl
import pytest

from emulators.fst_bundle import write_bundle
from emulators.fst_data import generate
from services.errors import BundleError
from services.fst_bundle import FstBundleSource
from services.layout.custom import declare_custom_columns, read_schema
from services.layout.model import (
    AttachmentLayout,
    ColumnLayout,
    Conventions,
    SourceLayout,
    TableLayout,
    known_fst_profile,
)
from services.layout.readers import open_tables
from services.layout.source import LINK_PROBLEM, LayoutSource
from services.layout.values import FIELD_TYPES
from services.mapping_templates import fst_templates

CUSTOMERS = """ID,Customer #,Company,First,Last,E-mail,Credit,Changed,Gate Code,Internal,Extra
12,C-100,Smith Plumbing,John,Smith,JOHN@SMITH.example,"1.234,56 €",13/04/2023 14:05,1234,x,e
47,C-200,Acme,Ann,Smith,ann@co.example,"500,00",01/02/2024 09:00,,y,e
51,C-300,Acme,Bob,Brown,bob@brown.example,,02/01/2024 10:00,,z,e
,C-400,No key,,,,,,,,
47,C-500,Again,,,,,,,,
60,C-600,Odd date,,,,,yesterday,,,
"""
TECHNICIANS = """Tech ID,First Name,Last Name,Email,Active
T1,John,Smith,john.s@x.example,Y
T2,Mary,Jones,mary@x.example,n
T3,Mary,Jones,mj2@x.example,maybe
"""
JOBS = """Job ID,Number,Cust #,Customer,Tech,Tech Email,Scheduled,Total,Warranty,Photos
J1,WO-1,c-100 ,smith  PLUMBING,"Smith, John",JOHN.S@X.EXAMPLE,04/13/2023 2:05 PM,\
"$1,234.50",Y,"a.jpg; docs\\b.pdf"
J2,WO-2,C-200,Acme,mary jones,mj2@x.example,12/01/2023 9:00 AM,$20,,
J3,WO-3,C-999,Nobody Inc,,ghost@x.example,13/04/2023 10:00,(5.00),n,a.jpg
"""
LINES = """Job ID;Line;Item;Qty;Price
J1;1;Valve;2,5;1.234,50
J1;2;Labour;1;95
J2;1;Filter;3;6,75
"""


def col(name, role="field", field=None, **kw):
    return ColumnLayout(name, role, field, **kw)


def _export(tmp_path):
    root = tmp_path / "export"
    (root / "Photos" / "WO-1").mkdir(parents=True)
    (root / "Photos" / "wo-2" / "sub").mkdir(parents=True)
    (root / "Photos" / "WO-9").mkdir()
    (root / "Files" / "docs").mkdir(parents=True)
    (root / "Customer List.csv").write_text(CUSTOMERS, encoding="utf-8")
    (root / "Technicians.csv").write_bytes(TECHNICIANS.encode("cp1252"))
    (root / "Jobs.csv").write_text(JOBS, encoding="utf-8-sig")
    (root / "Lines.csv").write_text(LINES)
    (root / "Photos" / "WO-1" / "front.jpg").write_bytes(b"jpeg-1")
    (root / "Photos" / "wo-2" / "sub" / "plan.pdf").write_bytes(b"%PDF")
    (root / "Photos" / "WO-9" / "x.png").write_bytes(b"png")
    (root / "Photos" / "loose.jpg").write_bytes(b"loose")
    (root / "Photos" / ".DS_Store").write_bytes(b"\0")
    (root / "Files" / "a.jpg").write_bytes(b"file-a")
    (root / "Files" / "docs" / "b.pdf").write_bytes(b"file-b")
    return root


def _layout(customer_link=("Cust #", "number"), tech_link=("Tech", "full_name"),
            jobs_order="mdy", attachments=None):
    customers = TableLayout("Customer List.csv", None, "customers", [
        col("ID", "key", "customer_id"), col("Customer #", field="account_code"),
        col("Company", field="name"), col("First", field="first_name"),
        col("Last", field="last_name"), col("E-mail", field="email"),
        col("Credit", field="credit_limit"), col("Changed", "updated", "updated_at"),
        col("Gate Code", "custom", "cf_gate_code", custom_type="char"),
        col("Internal", "ignore")],
        Conventions(date_order="dmy", decimal=",", thousands=".", currency=("€",)))
    technicians = TableLayout("Technicians.csv", None, "technicians", [
        col("Tech ID", "key", "technician_id"), col("First Name", field="first_name"),
        col("Last Name", field="last_name"), col("Email", field="email"),
        col("Active", field="active")])
    jobs_columns = [col("Job ID", "key", "work_order_id"), col("Number", field="number"),
                    col("Scheduled", field="scheduled_at"), col("Total", field="total"),
                    col("Warranty", "custom", "cf_warranty", custom_type="boolean"),
                    col("Photos", "attachment_path")]
    for name in ("Cust #", "Customer", "Tech", "Tech Email"):
        if name == customer_link[0]:
            jobs_columns.append(col(name, "link", "customer_id", link_object="customers",
                                    link_key=customer_link[1]))
        elif name == tech_link[0]:
            jobs_columns.append(col(name, "link", "technician_id", link_object="technicians",
                                    link_key=tech_link[1]))
        else:
            jobs_columns.append(col(name, "ignore"))
    jobs = TableLayout("Jobs.csv", None, "work_orders", jobs_columns, Conventions(
        date_order=jobs_order, clock="12", timezone="America/New_York", thousands=",",
        currency=("$",)))
    lines = TableLayout("Lines.csv", None, "work_order_lines", [
        col("Job ID", "key", "work_order_id"), col("Line", "key"),
        col("Item", field="description"), col("Qty", field="quantity"),
        col("Price", field="unit_price")], Conventions(decimal=",", thousands="."))
    return SourceLayout("custom", [customers, technicians, jobs, lines],
                        attachments or AttachmentLayout())


def _source(tmp_path, **layout):
    return LayoutSource(open_tables(_export(tmp_path)), _layout(**layout))


def _records(source, obj, **kw):
    return {r["id"]: r for r in source.iter_records(obj, **kw)}


def test_columns_renamed_to_canonical_fields_custom_kept_ignored_dropped(tmp_path):
    source = _source(tmp_path)
    source.test_connection()
    assert source.list_objects() == ["customers", "technicians", "work_orders",
                                     "work_order_lines"]
    customers = _records(source, "customers")
    assert customers["12"] == {
        "id": "12", "customer_id": "12", "account_code": "C-100", "name": "Smith Plumbing",
        "first_name": "John", "last_name": "Smith", "email": "JOHN@SMITH.example",
        "credit_limit": "1234.56", "updated_at": "2023-04-13T14:05:00Z",
        "cf_gate_code": "1234"}
    assert customers["47"]["credit_limit"] == "500.00"
    assert set(customers) == {"12", "47", "51", "60"}
    reasons = [(i.object, i.line, i.reason) for i in source.issues]
    assert ("customers", 5, "the record key 'ID' is empty; row skipped") in reasons
    assert ("customers", 6, "record key '47' appears again; this row is skipped") in reasons
    assert any("'Extra'" in n.reason and "not migrated" in n.reason for n in source.notices)
    assert [(f.object, f.name, f.label, f.type) for f in source.custom_fields()] == [
        ("customers", "gate_code", "Gate Code", "char"),
        ("work_orders", "warranty", "Warranty", "boolean")]
    technicians = _records(source, "technicians")
    assert [technicians[t]["active"] for t in ("T1", "T2", "T3")] == ["Yes", "No", "maybe"]
    assert source.count("customers") == 6 and source.count("technicians") == 3


def test_composite_key_and_decimal_comma(tmp_path):
    lines = _records(_source(tmp_path), "work_order_lines")
    assert set(lines) == {"J1.1", "J1.2", "J2.1"}
    assert lines["J1.1"] == {"id": "J1.1", "line_id": "J1.1", "work_order_id": "J1",
                             "description": "Valve", "quantity": "2.5",
                             "unit_price": "1234.50"}
    assert lines["J2.1"]["unit_price"] == "6.75"


def test_month_first_dates_with_am_pm_in_a_time_zone_and_amounts(tmp_path):
    source = _source(tmp_path)
    jobs = _records(source, "work_orders")
    assert jobs["J1"]["scheduled_at"] == "2023-04-13T18:05:00Z"  # EDT, UTC-4
    assert jobs["J2"]["scheduled_at"] == "2023-12-01T14:00:00Z"  # EST, UTC-5
    assert jobs["J3"]["scheduled_at"] == "13/04/2023 10:00"  # not month-first: as written
    notice = next(n for n in source.notices if n.column == "Scheduled")
    assert (notice.object, notice.file, notice.line) == ("work_orders", "Jobs.csv", 4)
    assert "'13/04/2023 10:00'" in notice.reason and "Jobs.csv" in notice.reason
    assert [jobs[j]["total"] for j in ("J1", "J2", "J3")] == ["1234.50", "20", "-5.00"]
    assert [jobs[j]["cf_warranty"] for j in ("J1", "J2", "J3")] == ["Yes", "", "No"]
    assert not any(n.column == "Changed" for n in source.notices)  # index built quietly
    _records(source, "customers")
    odd = next(n for n in source.notices if n.column == "Changed")
    assert "'yesterday'" in odd.reason and odd.line == 7


def test_day_first_and_month_first_read_the_same_text_differently(tmp_path):
    dmy = _records(_source(tmp_path / "a", jobs_order="dmy"), "work_orders")
    mdy = _records(_source(tmp_path / "b", jobs_order="mdy"), "work_orders")
    assert dmy["J2"]["scheduled_at"] == "2023-01-12T14:00:00Z"
    assert mdy["J2"]["scheduled_at"] == "2023-12-01T14:00:00Z"
    assert dmy["J3"]["scheduled_at"] == "2023-04-13T14:00:00Z"  # 24 h, EDT
    assert dmy["J1"]["scheduled_at"] == "04/13/2023 2:05 PM"  # no 13th month: as written


def test_links_by_number_and_by_full_name(tmp_path):
    jobs = _records(_source(tmp_path), "work_orders")
    assert jobs["J1"]["customer_id"] == "12"  # 'c-100 ': case and spaces do not count
    assert jobs["J2"]["customer_id"] == "47"
    assert jobs["J3"]["customer_id"] == (
        f"{LINK_PROBLEM}'C-999' in column 'Cust #' of Jobs.csv matches no 'Customer #' in "
        "Customer List.csv")
    assert jobs["J1"]["technician_id"] == "T1"  # "Smith, John": Last, First
    assert jobs["J2"]["technician_id"] == (
        f"{LINK_PROBLEM}'mary jones' in column 'Tech' of Jobs.csv matches 2 technicians: "
        "T2 (Mary Jones), T3 (Mary Jones)")
    assert jobs["J3"]["technician_id"] == ""  # no technician named: no link


def test_links_by_name_and_by_email(tmp_path):
    source = _source(tmp_path, customer_link=("Customer", "name"),
                     tech_link=("Tech Email", "email"))
    jobs = _records(source, "work_orders")
    assert jobs["J1"]["customer_id"] == "12"
    assert jobs["J2"]["customer_id"] == (
        f"{LINK_PROBLEM}'Acme' in column 'Customer' of Jobs.csv matches 2 customers: "
        "47 (Acme), 51 (Acme)")
    assert jobs["J3"]["customer_id"].startswith(f"{LINK_PROBLEM}'Nobody Inc' in column "
                                                "'Customer' of Jobs.csv matches no 'Company'")
    assert [jobs[j]["technician_id"] for j in ("J1", "J2")] == ["T1", "T3"]
    assert "matches no 'Email' in Technicians.csv" in jobs["J3"]["technician_id"]
    # the index of a target is built once and reports nothing of its own
    assert sum(1 for i in source.issues if i.object == "customers") == 0


def test_a_link_whose_target_has_no_such_column_is_a_problem_not_a_guess(tmp_path):
    layout = _layout()
    customers = layout.table_of("customers")
    customers.columns = [c for c in customers.columns if c.name != "Customer #"]
    source = LayoutSource(open_tables(_export(tmp_path)), layout)
    jobs = _records(source, "work_orders")
    assert jobs["J1"]["customer_id"] == (
        f"{LINK_PROBLEM}column 'Cust #' of Jobs.csv names customers by their number, but "
        "Customer List.csv has no column for their account_code")


def test_folder_attachments_resolved_by_record_number(tmp_path):
    source = _source(tmp_path, attachments=AttachmentLayout(
        "folders", "Photos", "work_orders", "number"))
    assert source.list_objects()[-1] == "attachments"
    found = _records(source, "attachments")
    assert set(found) == {"WO-1/front.jpg", "wo-2/sub/plan.pdf", "WO-9/x.png", "loose.jpg"}
    front = found["WO-1/front.jpg"]
    assert front == {"id": "WO-1/front.jpg", "attachment_id": "WO-1/front.jpg",
                     "work_order_id": "J1", "file_name": "front.jpg", "path": "WO-1/front.jpg",
                     "mime_type": "image/jpeg", "size": "6", "sha1": ""}
    assert found["wo-2/sub/plan.pdf"]["work_order_id"] == "J2"
    assert found["wo-2/sub/plan.pdf"]["mime_type"] == "application/pdf"
    assert found["WO-9/x.png"]["work_order_id"].startswith(
        f"{LINK_PROBLEM}folder 'Photos/WO-9': 'WO-9'")
    assert "matches no 'Number' in Jobs.csv" in found["WO-9/x.png"]["work_order_id"]
    assert found["loose.jpg"]["work_order_id"].startswith(LINK_PROBLEM)
    assert source.count("attachments") == 4
    with source.open_attachment(front) as stream:
        assert stream.read() == b"jpeg-1"
    with pytest.raises(BundleError, match="refused"):
        source.open_attachment({"path": "../Customer List.csv"})


def test_path_column_attachments(tmp_path):
    source = _source(tmp_path, attachments=AttachmentLayout(
        "column", "Files", "work_orders", "id"))
    found = _records(source, "attachments")
    assert set(found) == {"J1/a.jpg", "J1/docs/b.pdf", "J3/a.jpg"}
    assert found["J1/docs/b.pdf"]["work_order_id"] == "J1"
    assert found["J1/docs/b.pdf"]["path"] == "docs/b.pdf"
    assert found["J3/a.jpg"]["size"] == "6"
    with source.open_attachment(found["J1/docs/b.pdf"]) as stream:
        assert stream.read() == b"file-b"
    with source.open_attachment("Files/a.jpg") as stream:  # the folder prefix tolerated
        assert stream.read() == b"file-a"


def test_since_filters_on_the_updated_column_read_by_its_conventions(tmp_path):
    source = _source(tmp_path)
    since = datetime(2024, 1, 1, tzinfo=timezone.utc)
    assert set(_records(source, "customers", since=since)) == {"47", "51", "60"}
    assert len(_records(source, "work_orders", since=since)) == 3  # no updated column
    assert not source.supports_since("customers")


def test_missing_table_and_unknown_object_are_clear_errors(tmp_path):
    layout = _layout()
    layout.table_of("technicians").path = "Staff.xlsx"
    source = LayoutSource(open_tables(_export(tmp_path)), layout)
    with pytest.raises(BundleError, match="Staff.xlsx, which the layout says holds"):
        source.test_connection()
    with pytest.raises(BundleError, match="Unknown object"):
        list(source.iter_records("jobs"))
    assert list(source.iter_records("invoices")) == []


def test_value_types_agree_with_the_fst_templates():
    kinds = {"datetime_utc": "datetime", "money": "number", "number": "number",
             "boolean": "boolean", "date": "date"}
    checked = 0
    for template in fst_templates(("sale", "account", "stock", "hr", "calendar")):
        for line in template.fields:
            expected = kinds.get(line.transform)
            if expected is None or line.args.get("true_values"):
                continue
            if expected == "date" and FIELD_TYPES.get(line.source) == "datetime":
                continue  # a date-time read as its day
            assert FIELD_TYPES.get(line.source) == expected, line.source
            checked += 1
    assert checked >= 15


@pytest.mark.parametrize("as_zip", [False, True])
def test_the_emulator_bundle_reads_the_same_through_the_built_in_profile(tmp_path, as_zip):
    dataset = generate(1, 7)
    path = write_bundle(dataset, tmp_path / ("b.zip" if as_zip else "b"), as_zip=as_zip)
    expected = FstBundleSource(path)
    raw = open_tables(path)
    schema = read_schema(raw)
    layout = declare_custom_columns(known_fst_profile(), raw, schema)
    source = LayoutSource(raw, layout, custom_schema=schema)
    source.test_connection()
    assert source.list_objects() == expected.list_objects()
    for obj in expected.list_objects():
        mine, theirs = list(source.iter_records(obj)), list(expected.iter_records(obj))
        assert len(mine) == len(dataset.records[obj]), obj
        assert mine == theirs, obj
        assert source.count(obj) == expected.count(obj)
    def key(field):
        return field.object, field.name
    assert sorted(source.custom_fields(), key=key) == sorted(expected.custom_fields(), key=key)
    assert not source.issues and not source.notices
    row = next(expected.iter_records("attachments"))
    with source.open_attachment(row) as mine, expected.open_attachment(row) as theirs:
        assert mine.read() == theirs.read()
    # without the schema the profile keeps every canonical column and drops cf_ ones
    plain = LayoutSource(open_tables(path), known_fst_profile())
    work_orders = list(plain.iter_records("work_orders"))
    assert work_orders == [{k: v for k, v in r.items() if not k.startswith("cf_")}
                           for r in expected.iter_records("work_orders")]
    if as_zip:
        assert zipfile.is_zipfile(path)


def test_a_workbook_sheet_and_a_manifest_in_another_folder(tmp_path):
    root = tmp_path / "x"
    (root / "Docs" / "wo1").mkdir(parents=True)
    (root / "Docs" / "wo1" / "p.png").write_bytes(b"png-bytes")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Visits"
    sheet.append(["Visit", "Job", "Starts", "Paid"])
    sheet.append(["V1", "J1", datetime(2024, 1, 2, 15, 4, 5), True])
    sheet.append(["V2", "J2", datetime(2024, 7, 2, 9, 0), False])
    files = book.create_sheet("Files")
    files.append(["File", "Job", "Where"])
    files.append(["F1", "J1", "Docs/wo1/p.png"])
    book.save(root / "Book.xlsx")
    layout = SourceLayout("custom", [
        TableLayout("Book.xlsx", "Visits", "appointments", [
            col("Visit", "key", "appointment_id"), col("Job", "link", "work_order_id",
                                                       link_object="work_orders",
                                                       link_key="id"),
            col("Starts", field="start"), col("Paid", "custom", "cf_paid",
                                              custom_type="boolean")],
            Conventions(timezone="America/Chicago")),
        TableLayout("Book.xlsx", "Files", "attachments", [
            col("File", "key", "attachment_id"), col("Job", "link", "work_order_id",
                                                     link_object="work_orders", link_key="id"),
            col("Where", field="path")])],
        AttachmentLayout("manifest", "Docs"))
    source = LayoutSource(open_tables(root), layout)
    source.test_connection()
    visits = _records(source, "appointments")
    assert visits["V1"] == {"id": "V1", "appointment_id": "V1", "work_order_id": "J1",
                            "start": "2024-01-02T21:04:05Z", "cf_paid": "Yes"}  # CST
    assert visits["V2"]["start"] == "2024-07-02T14:00:00Z"  # CDT
    assert visits["V2"]["cf_paid"] == "No"
    (manifest,) = source.iter_records("attachments")
    with source.open_attachment(manifest) as stream:  # "Docs/" in the path tolerated
        assert stream.read() == b"png-bytes"


def test_a_link_by_id_holding_names_is_a_problem_an_orphan_id_stays(tmp_path):
    """A link proposed by id whose values are names is no orphan: a link problem says the
    column names them by another key; a value shaped like the keys but naming no record
    (a deleted one) stays as written for the engine to block as an orphan."""
    root = tmp_path / "ids"
    root.mkdir()
    (root / "Customers.csv").write_text("ID,Company\n1,Acme Ltd\n2,Smith Plumbing\n")
    (root / "Jobs.csv").write_text("Job ID,Cust\nJ1,1\nJ2,99\nJ3,Acme Ltd\nJ4,\n")
    layout = SourceLayout("custom", [
        TableLayout("Customers.csv", None, "customers", [
            col("ID", "key", "customer_id"), col("Company", field="name")]),
        TableLayout("Jobs.csv", None, "work_orders", [
            col("Job ID", "key", "work_order_id"),
            col("Cust", "link", "customer_id", link_object="customers", link_key="id")])])
    jobs = _records(LayoutSource(open_tables(root), layout), "work_orders")
    assert [jobs[j]["customer_id"] for j in ("J1", "J2", "J4")] == ["1", "99", ""]
    assert jobs["J3"]["customer_id"] == (
        f"{LINK_PROBLEM}'Acme Ltd' in column 'Cust' of Jobs.csv is not a customers key: the "
        "keys of Customers.csv ('ID') look like numbers; the column names them by another "
        "key (check the layout)")
