"""The layout proposer on foreign-shaped FST exports (in-memory tables from seeds)."""

import random

import pytest
from layout_fakes import FakeTables, foreign_shape, random_shape

from emulators.fst_bundle import file_name, header_name
from emulators.fst_data import columns_of, csv_value, generate
from services.layout.model import CANONICAL, SourceLayout
from services.layout.propose import propose_layout
from services.layout.sketches import Sketch, overlap
from services.layout.stats import ColumnStats, custom_type, table_conventions
from services.layout.vocabulary import table_name_scores, tokens

FILES = {"customers": "Customer List.csv", "contacts": "People.csv",
         "sites": "Service Addresses.csv", "technicians": "Techs.csv",
         "work_orders": "Jobs.csv", "work_order_lines": "Job Line Items.csv",
         "appointments": "Schedule.csv", "invoices": "Invoices.csv",
         "invoice_lines": "Invoice Items.csv", "parts_used": "Materials.csv",
         "notes": "Job Notes.csv", "attachments": "Photos Manifest.csv"}
LABELS = {
    "customers": {"customer_id": "Customer ID", "account_code": "Customer #",
                  "name": "Company Name", "email": "E-mail Address", "phone": "Phone #",
                  "mobile": "Cell", "bill_zip": "Zip/Postal Code",
                  "updated_at": "Last Updated", "first_name": "First Name",
                  "last_name": "Last Name"},
    "work_orders": {"work_order_id": "Job ID", "number": "Job #",
                    "customer_id": "Customer #", "technician_id": "Assigned Tech",
                    "scheduled_at": "Scheduled Date", "updated_at": "Date Modified",
                    "site_id": "Site"},
    "technicians": {"technician_id": "Tech ID", "first_name": "First Name",
                    "last_name": "Last Name", "email": "Email", "skills": "Skill Set"},
    "notes": {"author_technician_id": "Written By", "body_html": "Note"},
}


@pytest.fixture(scope="module")
def dataset():
    return generate(1, 11)


def _raw(dataset, files=FILES, labels=LABELS, links=None, dates="mdy", extra=None,
         attachment_files=None, drop=(), objects=None):
    tables = foreign_shape(dataset, files, labels, links, dates=dates, drop=drop,
                           objects=objects)
    tables.update(extra or {})
    if attachment_files is None:
        attachment_files = [f"Photos/{p}" for p in dataset.files]
    return FakeTables(tables, files=attachment_files)


def _by_object(layout):
    return {t.object: t for t in layout.tables if t.object}


def _col(layout, obj, name):
    return _by_object(layout)[obj].column(name)


def test_name_tokens_and_synonyms():
    assert tokens("Cust. No.") == ("customer", "number")
    assert tokens("workOrderID") == ("workorder", "id")
    assert tokens("E-mail Address") == ("email", "address")
    assert max(table_name_scores("2024-05 Customer List (export).csv").items(),
               key=lambda kv: kv[1][0])[0] == "customers"
    assert max(table_name_scores("Job Notes.csv").items(),
               key=lambda kv: kv[1][0])[0] == "notes"
    scores = table_name_scores("Visits.xlsx")
    assert set(scores) == {"work_orders", "appointments"}


def test_foreign_shape_every_table_key_link_and_convention(dataset):
    links = {("work_orders", "customer_id"): ("number", "customers"),
             ("work_orders", "technician_id"): ("full_name", "technicians"),
             ("notes", "author_technician_id"): ("email", "technicians")}
    layout = propose_layout(_raw(dataset, links=links))
    tables = _by_object(layout)
    assert {obj: t.path for obj, t in tables.items()} == FILES
    assert layout.profile == "custom"
    assert layout.problems() == []
    for table in layout.tables:
        assert 0 <= table.confidence <= 1 and table.reason
        for col in table.columns:
            assert 0 <= col.confidence <= 1 and col.reason, (table.label, col)
    key = _col(layout, "customers", "Customer ID")
    assert (key.role, key.field) == ("key", "customer_id")
    assert _col(layout, "customers", "Customer #").field == "account_code"
    assert _col(layout, "customers", "Cell").field == "mobile"
    assert _col(layout, "customers", "Zip/Postal Code").field == "bill_zip"
    assert _col(layout, "customers", "Last Updated").role == "updated"
    cust = _col(layout, "work_orders", "Customer #")
    assert (cust.role, cust.field, cust.link_object, cust.link_key) == (
        "link", "customer_id", "customers", "number")
    assert "'Customer #' in 'Jobs.csv' are values of 'Customer #' in 'Customer List.csv'" \
        in cust.reason
    tech = _col(layout, "work_orders", "Assigned Tech")
    assert (tech.field, tech.link_object, tech.link_key) == (
        "technician_id", "technicians", "full_name")
    author = _col(layout, "notes", "Written By")
    assert (author.field, author.link_object, author.link_key) == (
        "author_technician_id", "technicians", "email")
    site = _col(layout, "work_orders", "Site")
    assert (site.field, site.link_object, site.link_key) == ("site_id", "sites", "id")
    assert _col(layout, "work_orders", "cf_under_warranty").custom_type == "boolean"
    assert _col(layout, "work_orders", "cf_contract_level").custom_type == "selection"
    assert _col(layout, "work_orders", "cf_visit_count").custom_type == "integer"
    conv = tables["work_orders"].conventions
    assert (conv.date_order, conv.clock) == ("mdy", "12")
    assert "proves month-first" in conv.reason
    assert layout.attachments.mode == "manifest"
    assert layout.attachments.folder == "Photos"
    assert SourceLayout.from_json(layout.to_json()).to_dict() == layout.to_dict()


def test_customers_keyed_by_number_day_first_upper_labels(dataset):
    labels = {"customers": {"account_code": "CUST NO", "name": "CUSTOMER NAME",
                            "email": "EMAIL ADDRESS"},
              "work_orders": {"customer_id": "custNo", "number": "jobNumber",
                              "work_order_id": "jobId"}}
    records = {**dataset.records}
    # keyed by number: every customer has one, the id column is gone
    customers = [dict(r, account_code=r["account_code"] or f"X-{r['customer_id']}")
                 for r in records["customers"]]
    shaped = generate(1, 11)
    shaped.records["customers"] = customers
    links = {("work_orders", "customer_id"): ("number", "customers"),
             ("contacts", "customer_id"): ("number", "customers"),
             ("sites", "customer_id"): ("number", "customers"),
             ("invoices", "customer_id"): ("number", "customers")}
    layout = propose_layout(_raw(shaped, labels=labels, links=links, dates="dmy",
                                 drop=(("customers", "customer_id"),)))
    key = _col(layout, "customers", "CUST NO")
    assert (key.role, key.field) == ("key", "account_code")
    link = _col(layout, "work_orders", "custNo")
    assert (link.role, link.link_object, link.link_key) == ("link", "customers", "number")
    assert _col(layout, "work_orders", "jobId").role == "key"
    assert _by_object(layout)["customers"].conventions.date_order == "dmy"
    assert _by_object(layout)["work_orders"].conventions.clock == "24"


def test_link_by_name_with_two_customers_of_one_name_is_flagged(dataset):
    shaped = generate(1, 11)
    customers = shaped.records["customers"]
    customers[1]["name"] = customers[0]["name"]  # two customers, one name
    links = {("work_orders", "customer_id"): ("name", "customers")}
    wos = [w for w in shaped.records["work_orders"]
           if w["customer_id"] == customers[0]["customer_id"]]
    if not wos:
        shaped.records["work_orders"][0]["customer_id"] = customers[0]["customer_id"]
    layout = propose_layout(_raw(shaped, links=links))
    link = _col(layout, "work_orders", "Customer #")
    assert (link.link_object, link.link_key) == ("customers", "name")
    assert "two or more rows" in link.reason and "blocked" in link.reason
    assert link.confidence < 0.75


def test_ambiguous_dates_flagged_unless_another_table_proves(dataset):
    shaped = generate(1, 11)
    for record in shaped.records["invoices"]:
        record["invoice_date"] = "2023-03-04"
        record["due_date"] = "2023-04-03"
    only = ("invoices",)
    layout = propose_layout(_raw(shaped, files={"invoices": "Bills.csv"}, objects=only,
                                 dates="dmy", drop=(("invoices", "updated_at"),)))
    conv = _by_object(layout)["invoices"].conventions
    assert conv.date_order == "ambiguous" and conv.confidence < 0.5
    assert any("day-first or month-first" in p for p in layout.problems())
    both = propose_layout(_raw(shaped, files={"invoices": "Bills.csv",
                                              "work_orders": "Jobs.csv"},
                               objects=("invoices", "work_orders"), dates="dmy",
                               drop=(("invoices", "updated_at"),)))
    conv = _by_object(both)["invoices"].conventions
    assert conv.date_order == "dmy" and "'Jobs.csv'" in conv.reason


def test_composite_key_when_no_column_is_unique(dataset):
    shaped = generate(1, 11)
    per_order = {}
    for line in shaped.records["work_order_lines"]:
        per_order[line["work_order_id"]] = per_order.get(line["work_order_id"], 0) + 1
        line["line_id"] = per_order[line["work_order_id"]]
    labels = {"work_order_lines": {"line_id": "Line No", "work_order_id": "Job ID"},
              "work_orders": LABELS["work_orders"]}
    layout = propose_layout(_raw(shaped, labels=labels,
                                 files={"work_orders": "Jobs.csv",
                                        "work_order_lines": "Charges.csv"},
                                 objects=("work_orders", "work_order_lines")))
    keys = _by_object(layout)["work_order_lines"].key_columns()
    assert {c.name for c in keys} == {"Line No", "Job ID"}
    job = _col(layout, "work_order_lines", "Job ID")
    assert (job.link_object, job.link_key) == ("work_orders", "id")


def test_attachments_by_folders_named_by_work_order_numbers(dataset):
    numbers = {w["work_order_id"]: w["number"] for w in dataset.records["work_orders"]}
    paths = []
    for path in dataset.files:
        folder, name = path.split("/", 1)
        paths.append(f"Job Photos/{numbers[int(folder[3:])]}/{name}")
    files = {k: v for k, v in FILES.items() if k != "attachments"}
    layout = propose_layout(_raw(dataset, files=files, attachment_files=paths,
                                 objects=list(files)))
    att = layout.attachments
    assert (att.mode, att.folder, att.record_object, att.record_key) == (
        "folders", "Job Photos", "work_orders", "number")
    assert "folders under 'Job Photos'" in att.reason


def test_column_of_relative_paths(dataset):
    shaped = generate(1, 11)
    for record in shaped.records["work_orders"]:
        record["photo"] = None
    for path in dataset.files:
        wo = int(path.split("/")[0][3:])
        record = next(w for w in shaped.records["work_orders"] if w["work_order_id"] == wo)
        record["photo"] = "files/" + path
    tables = foreign_shape(shaped, {"work_orders": "Jobs.csv", "customers": "Clients.csv"},
                           LABELS, objects=("work_orders", "customers"))
    for row, record in zip(tables["Jobs.csv"], shaped.records["work_orders"], strict=True):
        row["Photo"] = csv_value(record["photo"])
    raw = FakeTables(tables, files=[f"files/{p}" for p in dataset.files])
    layout = propose_layout(raw)
    assert _col(layout, "work_orders", "Photo").role == "attachment_path"
    assert layout.attachments.mode == "column"


def test_unrelated_file_conflict_and_visits(dataset):
    rng = random.Random(5)
    mileage = [{"Truck": f"T{rng.randint(1, 9)}", "Miles": str(rng.randint(5, 300)),
                "Driver Mood": rng.choice(("ok", "meh"))} for _ in range(40)]
    files = {"customers": "Customers.csv", "appointments": "Visits.csv",
             "work_orders": "Service Calls.csv", "technicians": "Staff.csv"}
    tables = foreign_shape(dataset, files, LABELS)
    tables["Truck Mileage.csv"] = mileage
    # a second, poorer customer table
    tables["Accounts.csv"] = [{"Account": r["Customer ID"], "Company Name": r["Company Name"]}
                              for r in tables["Customers.csv"]]
    layout = propose_layout(FakeTables(tables))
    by_path = {t.path: t for t in layout.tables}
    assert by_path["Visits.csv"].object == "appointments"
    assert by_path["Service Calls.csv"].object == "work_orders"
    assert by_path["Customers.csv"].object == "customers"
    assert by_path["Accounts.csv"].object is None
    assert "'Customers.csv' is a better match" in by_path["Accounts.csv"].reason
    assert by_path["Truck Mileage.csv"].object is None
    assert by_path["Truck Mileage.csv"].confidence <= 0.3
    assert "matches no object" in by_path["Truck Mileage.csv"].reason


def test_visits_holding_work_orders_are_work_orders(dataset):
    files = {"customers": "Customers.csv", "work_orders": "Visits.csv",
             "technicians": "Staff.csv"}
    layout = propose_layout(FakeTables(foreign_shape(dataset, files, LABELS)))
    assert _by_object(layout)["work_orders"].path == "Visits.csv"


def test_a_column_overlapping_two_tables_links_to_the_one_its_name_says(dataset):
    shaped = generate(1, 11)
    # site ids renumbered onto the customers' ids: 'Site' values are in both tables
    customer_ids = [c["customer_id"] for c in shaped.records["customers"]]
    renumber = {}
    for index, site in enumerate(shaped.records["sites"]):
        renumber[site["site_id"]] = customer_ids[index % len(customer_ids)] + (
            0 if index < len(customer_ids) else 100000)
        site["site_id"] = renumber[site["site_id"]]
    for order in shaped.records["work_orders"]:
        order["site_id"] = renumber.get(order["site_id"], order["site_id"])
    files = {"customers": "Customers.csv", "sites": "Locations.csv", "work_orders": "Jobs.csv",
             "contacts": "Contacts.csv"}
    labels = {**LABELS, "contacts": {"customer_id": "Ref"}}
    layout = propose_layout(FakeTables(foreign_shape(shaped, files, labels)))
    site = _col(layout, "work_orders", "Site")
    assert (site.field, site.link_object) == ("site_id", "sites")
    cust = _col(layout, "sites", "customer_id")
    assert (cust.field, cust.link_object) == ("customer_id", "customers")
    # a name that says nothing: the only link contacts have, and the rival is said
    ref = _col(layout, "contacts", "Ref")
    assert (ref.field, ref.link_object) == ("customer_id", "customers")
    assert "'Locations.csv'" in ref.reason and "check the choice" in ref.reason
    assert ref.confidence < 0.8


@pytest.mark.parametrize("style", ["snake", "title", "upper"])
def test_the_fst_bundle_is_the_known_profile(dataset, style):
    tables = {}
    for obj in CANONICAL:
        rows = [{header_name(c, style): csv_value(r.get(c)) for c in columns_of(obj)}
                for r in dataset.records[obj]]
        tables[file_name(obj, "title" if style != "snake" else "snake")] = rows
    tables[file_name("custom_fields", "snake")] = [
        {header_name(k, style): csv_value(v) for k, v in row.items()}
        for row in dataset.custom_fields]
    layout = propose_layout(FakeTables(tables, files=[f"files/{p}" for p in dataset.files]))
    assert layout.profile == "fst_bundle"
    assert layout.lowest_confidence() == 1.0
    customers = _by_object(layout)["customers"]
    assert customers.key_columns()[0].name == header_name("customer_id", style)


def test_a_renamed_bundle_file_is_no_longer_the_known_profile(dataset):
    tables = {f"{obj}.csv": [{c: csv_value(r.get(c)) for c in columns_of(obj)}
                             for r in dataset.records[obj]] for obj in CANONICAL}
    tables["Jobs.csv"] = tables.pop("work_orders.csv")
    layout = propose_layout(FakeTables(tables))
    assert layout.profile == "custom"
    assert _by_object(layout)["work_orders"].path == "Jobs.csv"


def test_sketch_is_bounded_and_estimates_overlap():
    source, target = Sketch(cap=256), Sketch(cap=256)
    for number in range(20000):
        target.add(str(number))
    for number in range(15000, 25000):  # half of them in the target
        source.add(str(number))
    assert len(target.counts) <= 256 and len(source.counts) <= 256
    result = overlap(source, target)
    assert 0.4 < result.share < 0.6
    assert target.rows == 20000


def test_max_rows_bounds_the_rows_read(dataset):
    raw = _raw(dataset, objects=("customers", "work_orders"))
    layout = propose_layout(raw, sample_rows=20, max_rows=50)
    assert {t.rows for t in layout.tables if t.object} == {50}


def _check_shape(layout, files, labels, links):
    """(columns right, columns, wrong links, tables wrong) of a layout against its shape."""
    by_path = {t.path: t for t in layout.tables}
    right = total = wrong_links = wrong_tables = 0
    for obj, path in files.items():
        table = by_path[path]
        if table.object != obj:
            wrong_tables += 1
            continue
        canonical_of = {label: c for c, label in labels[obj].items()}
        spec = CANONICAL[obj]
        for col in table.columns:
            canon = canonical_of.get(col.name)
            total += 1
            if canon in spec.links:
                kind = links.get((obj, canon), ("id",))[0]
                good = col.role in ("link", "key") and (
                    col.field, col.link_object, col.link_key) == (canon, spec.links[canon], kind)
                if col.link_object and not good and "blocked" not in col.reason:
                    wrong_links += 1
            elif canon.startswith("cf_"):
                good = col.role == "custom"
            else:
                good = col.field == canon
            right += good
    return right, total, wrong_links, wrong_tables


@pytest.mark.parametrize("seed", range(12))
def test_random_shapes(dataset, seed):
    files, labels, links, dates, drop = random_shape(seed)
    tables = foreign_shape(dataset, files, labels, links, dates=dates, drop=drop)
    layout = propose_layout(FakeTables(tables))
    right, total, wrong_links, wrong_tables = _check_shape(layout, files, labels, links)
    assert wrong_tables == 0
    assert wrong_links == 0
    assert right / total >= 0.95
    allowed = ("ymd",) if dates == "iso" else (dates, "ymd")
    for table in layout.tables:
        assert table.conventions.date_order in allowed, table.conventions


def test_files_named_by_nothing_are_assigned_by_their_columns_and_links(dataset):
    files = {obj: f"export_{index}.csv" for index, obj in enumerate(CANONICAL)}
    layout = propose_layout(FakeTables(foreign_shape(dataset, files, {})))
    assert {t.object: t.path for t in layout.tables if t.object} == files
    lines = _by_object(layout)["invoice_lines"]
    assert "by its columns only" in lines.reason.lower()


def _stats(name, values):
    stats = ColumnStats(name)
    for value in values:
        stats.add(value)
    return stats


def test_conventions_from_the_values():
    amounts = _stats("Total", ["1.234,50 €", "12,00 €", "7,5 €", ""])
    when = _stats("Visit", ["04/13/2023 2:05 PM", "05/01/2023 9:00 AM"])
    flags = _stats("Taxable", ["Yes", "No", "yes", "No", "Y", "N"])
    conv = table_conventions([amounts, when, flags])
    assert amounts.kind == "money" and when.kind == "datetime"
    assert (conv["decimal"], conv["thousands"], conv["currency"]) == (",", ".", ("€",))
    assert (conv["date_order"], conv["clock"]) == ("mdy", "12")
    assert conv["true_words"] == ("yes", "y") and conv["false_words"] == ("no", "n")
    us = table_conventions([_stats("Amount", ["$1,234.50", "$3,000.00", "$12.00"])])
    assert (us["decimal"], us["thousands"], us["currency"]) == (".", ",", ("$",))
    assert table_conventions([_stats("D", ["03/04/2023", "04/03/2023"])])["date_order"] \
        == "ambiguous"
    assert table_conventions([_stats("D", ["13.04.2023", "01.02.2023"])])["date_order"] \
        == "dmy"
    assert custom_type(_stats("Level", ["Gold", "Silver", "Gold", "Bronze"] * 5)) == \
        "selection"
    assert custom_type(_stats("Hours", ["1.5", "2", "3.25"])) == "float"


def test_sheets_of_a_workbook_and_a_custom_field_schema(dataset):
    files = {"customers": "Customers", "work_orders": "Jobs", "notes": "Notes",
             "technicians": "Techs"}
    shaped = foreign_shape(dataset, files, LABELS)
    tables = {("Jobs.xlsx", "Customers"): shaped["Customers"],
              ("Jobs.xlsx", "Jobs"): shaped["Jobs"], ("Jobs.xlsx", "Notes"): shaped["Notes"],
              ("Techs.xlsx", "Sheet1"): shaped["Techs"],
              "custom_fields.csv": [{k: csv_value(v) for k, v in row.items()}
                                    for row in dataset.custom_fields]}
    layout = propose_layout(FakeTables(tables))
    got = {t.label: t.object for t in layout.tables}
    assert got == {"Jobs.xlsx [Customers]": "customers", "Jobs.xlsx [Jobs]": "work_orders",
                   "Jobs.xlsx [Notes]": "notes", "Techs.xlsx [Sheet1]": "technicians",
                   "custom_fields.csv": None}
    schema = next(t for t in layout.tables if t.path == "custom_fields.csv")
    assert "custom field schema" in schema.reason


def test_link_named_but_matching_nothing_and_a_number_found_by_its_values(dataset):
    shaped = generate(1, 11)
    for order in shaped.records["work_orders"]:
        order["customer_id"] = 990000 + order["work_order_id"]  # every one an orphan
    labels = {"customers": {"account_code": "Legacy"},
              "work_orders": {"customer_id": "Customer ID", "work_order_id": "Job ID"}}
    files = {"customers": "Customers.csv", "work_orders": "Jobs.csv"}
    layout = propose_layout(FakeTables(foreign_shape(shaped, files, labels)))
    link = _col(layout, "work_orders", "Customer ID")
    assert (link.role, link.link_object, link.link_key) == ("link", "customers", "id")
    assert link.confidence <= 0.3 and "match no key of 'Customers.csv'" in link.reason
    legacy = _col(layout, "customers", "Legacy")
    assert (legacy.role, legacy.field) == ("field", "account_code")
    assert "record numbers" in legacy.reason


class _NoFiles(FakeTables):
    def files(self):
        raise NotImplementedError


def test_a_source_without_member_files_like_rest(dataset):
    tables = {obj: [{c: csv_value(r.get(c)) for c in columns_of(obj)}
                    for r in dataset.records[obj]] for obj in ("customers", "work_orders")}
    raw = _NoFiles(tables)
    layout = propose_layout(raw)
    assert layout.profile == "fst_bundle"
    tables["Jobs"] = tables.pop("work_orders")
    layout = propose_layout(_NoFiles(tables))
    assert layout.attachments.mode == "none"
    assert _by_object(layout)["work_orders"].path == "Jobs"


@pytest.mark.parametrize("keyed_by", ["customer_id", "account_code"])
def test_cust_hash_is_the_id_or_the_number_by_its_values(dataset, keyed_by):
    shaped = generate(1, 11)
    for record in shaped.records["customers"]:
        record["account_code"] = record["account_code"] or f"ACCT-9{record['customer_id']}"
    other = "account_code" if keyed_by == "customer_id" else "customer_id"
    labels = {"customers": {keyed_by: "Cust #"}, "work_orders": {"customer_id": "Cust #"}}
    links = {("work_orders", "customer_id"): ("number", "customers")} \
        if keyed_by == "account_code" else {}
    layout = propose_layout(FakeTables(foreign_shape(
        shaped, {"customers": "Customers.csv", "work_orders": "Jobs.csv"}, labels, links,
        drop=(("customers", other),))))
    key = _col(layout, "customers", "Cust #")
    assert (key.role, key.field) == ("key", keyed_by)
    link = _col(layout, "work_orders", "Cust #")
    assert link.link_key == ("id" if keyed_by == "customer_id" else "number")


def test_the_tables_own_id_is_its_key_before_its_number(dataset):
    labels = {"work_orders": {"work_order_id": "Call ID", "number": "Call #"}}
    layout = propose_layout(FakeTables(foreign_shape(
        dataset, {"work_orders": "Service Calls.csv", "work_order_lines": "Charges.csv"},
        labels)))
    assert [(c.name, c.field) for c in _by_object(layout)["work_orders"].key_columns()] == [
        ("Call ID", "work_order_id")]
    assert _col(layout, "work_orders", "Call #").field == "number"
    link = _col(layout, "work_order_lines", "work_order_id")
    assert (link.link_object, link.link_key) == ("work_orders", "id")


def test_a_header_without_rows_and_an_empty_file(dataset):
    tables = foreign_shape(dataset, {"customers": "Customers.csv"}, LABELS)
    raw = FakeTables(tables)
    raw._tables[("Jobs.csv", None)] = []
    layout = propose_layout(raw)
    by_path = {t.path: t for t in layout.tables}
    assert by_path["Jobs.csv"].object is None and "not read: empty" in by_path["Jobs.csv"].reason
    assert by_path["Customers.csv"].object == "customers"


@pytest.mark.parametrize("scale,seed", [(0.3, 5), (0.2, 31)])
def test_a_bundle_with_text_attachments_is_still_the_known_profile(tmp_path, scale, seed):
    """The emulator's bundles carry technicians' readings as ``files/wo_*/…_readings.txt``:
    the readers list them as tables, the known profile must not count them (it did: a
    standard bundle fell to a 'custom' layout and its map was refused)."""
    from emulators.fst_bundle import write_bundle
    from services.layout.readers import open_tables

    write_bundle(generate(scale, seed), tmp_path / "b")
    raw = open_tables(tmp_path / "b")
    assert any(t.path.startswith("files/") and t.kind != "file" for t in raw.tables())
    layout = propose_layout(raw)
    assert layout.profile == "fst_bundle"
    assert layout.lowest_confidence() == 1.0


def test_keys_and_links_follow_the_values_when_the_labels_mislead(dataset):
    """A unique column of names ('Account') is no record key when an id column exists;
    a site column of customer names is a link by name whatever its header says, and the
    field it frees goes to the column naming it; a free-text column named after the
    customer is no link; an unnamed phone column is the customer's free phone field."""
    files = {"customers": "Customers.csv", "sites": "Sites.csv", "work_orders": "Jobs.csv"}
    labels = {"customers": {"customer_id": "Acct Key", "name": "Account",
                            "phone": "Phone", "mobile": "Zzq Line"},
              "sites": {"site_id": "Site Key", "customer_id": "Business Name",
                        "name": "Premise Name"},
              "work_orders": {"work_order_id": "Job ID", "customer_id": "Acct Key",
                              "description": "Customer Saga"}}
    links = {("sites", "customer_id"): ("name", "customers")}
    shaped = generate(0.3, 3)
    layout = propose_layout(FakeTables(foreign_shape(shaped, files, labels, links),
                                       files=[]))
    key = _by_object(layout)["customers"].key_columns()
    assert [c.name for c in key] == ["Acct Key"], [(c.name, c.reason) for c in key]
    assert (_col(layout, "customers", "Account").role,
            _col(layout, "customers", "Account").field) == ("field", "name")
    business = _col(layout, "sites", "Business Name")
    assert (business.role, business.link_object, business.link_key) == (
        "link", "customers", "name"), business.reason
    assert _col(layout, "sites", "Premise Name").field == "name"
    request = _col(layout, "work_orders", "Customer Saga")
    assert request.role == "custom", request.reason
    link = _col(layout, "work_orders", "Acct Key")
    assert (link.role, link.link_key) == ("link", "id")
    mobile = _col(layout, "customers", "Zzq Line")
    assert (mobile.role, mobile.field) == ("field", "mobile"), mobile.reason


def test_text_files_among_the_photos_are_attachments_not_tables(tmp_path):
    """A technician's readings.txt in the attachments' folder was proposed as an ignored
    table at 30 % and listed first on the layout page, above the sheets to review."""
    from emulators.fst_shapes import make_shape
    from services.layout.readers import open_tables

    make_shape(tmp_path / "x", 0.5, 1, 0, fixed="excel_office")
    layout = propose_layout(open_tables(tmp_path / "x"))
    assert layout.attachments.mode == "manifest" and layout.attachments.folder
    inside = [t for t in layout.tables if t.path.startswith(layout.attachments.folder + "/")]
    assert inside  # the shape has text files beside the photos
    for table in inside:
        assert table.object is None
        assert table.status.startswith("an attachment"), table
        assert table.confidence == 1.0
