"""The FST data generator: deterministic, on the bundle layout, and its truth is true."""

import hashlib
import time
from collections import Counter

from emulators.fst_data import CUSTOM_FIELDS, WO_STATUSES, columns_of, csv_value, generate
from services.fst_bundle import BUNDLE_OBJECTS


def test_same_seed_gives_the_same_data_and_another_seed_other_data():
    first, again, other = generate(1, seed=3), generate(1, seed=3), generate(1, seed=4)
    assert first.records == again.records and first.files == again.files
    assert first.records["customers"] != other.records["customers"]


def test_every_record_has_exactly_the_bundle_columns_in_order():
    data = generate(1, seed=0)
    assert set(data.records) == {obj.name for obj in BUNDLE_OBJECTS}
    for obj, rows in data.records.items():
        assert rows, f"no {obj}"
        for row in rows:
            assert tuple(row) == columns_of(obj), obj


def test_scale_one_is_about_a_thousand_records_and_grows_linearly():
    small = generate(1, seed=0).truth()["total"]
    assert 900 <= small <= 1600
    started = time.perf_counter()
    ten = generate(10, seed=0).truth()["total"]
    assert 9 * small <= ten <= 11 * small
    assert time.perf_counter() - started < 1.5, "scale 100 would not take a few seconds"


def test_truth_matches_the_records():
    data = generate(2, seed=1)
    truth = data.truth()
    records = data.records
    assert truth["counts"] == {obj: len(rows) for obj, rows in records.items()}
    customer_ids = {c["customer_id"] for c in records["customers"]}
    orphans = truth["orphan_work_order_ids"]
    assert orphans, "the generator must produce orphan work orders"
    work_orders = {w["work_order_id"]: w for w in records["work_orders"]}
    assert all(work_orders[o]["customer_id"] not in customer_ids for o in orphans)
    contacts = Counter(c["customer_id"] for c in records["contacts"])
    assert truth["customers_with_2plus_contacts"] == sorted(
        k for k, n in contacts.items() if n >= 2)
    assert truth["customers_with_2plus_sites"]
    assert truth["custom_fields"] == list(CUSTOM_FIELDS)


def test_data_is_messy_where_promised():
    data = generate(2, seed=0)
    technicians = data.records["technicians"]
    emails = [t["email"].strip() for t in technicians if t["email"].strip()]
    assert any(not t["email"] for t in technicians), "no technician without e-mail"
    assert len({e.lower() for e in emails}) < len(emails), "no duplicated technician e-mail"
    statuses = {w["status"] for w in data.records["work_orders"]}
    assert {s.strip().lower() for s in statuses} == {s.lower() for s in WO_STATUSES}
    assert statuses - set(WO_STATUSES), "statuses are not in mixed case"
    custom = [w["cf_equipment_serial"] for w in data.records["work_orders"]]
    assert None in custom and any(custom)
    assert any("data:image/png;base64," in n["body_html"] for n in data.records["notes"])


def test_attachments_manifest_matches_the_file_bytes_and_some_bytes_repeat():
    data = generate(3, seed=0)
    manifest = data.records["attachments"]
    for row in manifest:
        content = data.files[row["path"]]
        assert row["size"] == len(content)
        assert row["sha1"] == hashlib.sha1(content).hexdigest()
    assert len({row["sha1"] for row in manifest}) < len(manifest), "no duplicate file"
    assert data.truth()["distinct_files"] == len({row["sha1"] for row in manifest})


def test_csv_value_spells_empty_and_booleans_as_an_export_does():
    assert [csv_value(v) for v in (None, True, False, 12, 2.5, "x")] == \
        ["", "Yes", "No", "12", "2.5", "x"]
