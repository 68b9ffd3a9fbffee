"""The killed-worker check of ``make test`` compares three projects field by field
(tools/odoo_suite.py ``compare_dumps``): any field that differs is reported."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tools"))

from odoo_suite import compare_dumps

REFERENCE = {
    "customers/1/company": {"name": "Acme", "street": "1 Main St", "parent_id": []},
    "work_orders/7/lead": {"name": "Fix", "partner_id": ["customers/1/company"]},
}


def _copy():
    return {k: dict(v) for k, v in REFERENCE.items()}


def test_identical_projects_compare_equal():
    assert compare_dumps([REFERENCE, _copy(), _copy()], ["one", "two", "killed"]) == []


def test_a_changed_field_a_lost_record_and_a_wrong_link_are_reported():
    changed, lost = _copy(), _copy()
    changed["customers/1/company"]["street"] = "2 Main St"
    changed["work_orders/7/lead"]["partner_id"] = ["customers/2/company"]
    del lost["work_orders/7/lead"]
    problems = compare_dumps([REFERENCE, changed, lost], ["one", "two", "killed"])
    assert "two: customers/1/company differs on ['street']" in problems
    assert "two: work_orders/7/lead differs on ['partner_id']" in problems
    assert any(p.startswith("killed: work_orders/7/lead differs") for p in problems)
    assert len(problems) == 3


def test_records_made_from_technicians_are_left_to_each_projects_user_plan():
    other = _copy()
    reference = dict(REFERENCE, **{"technicians/502/employee": {"name": "Ann"}})
    other["technicians/502/employee"] = {"name": "Bob"}
    assert compare_dumps([reference, other], ["one", "two"]) == []
