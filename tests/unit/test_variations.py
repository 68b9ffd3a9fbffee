"""Account variations in the emulators: unreadable endpoints, empty objects, absent
optional fields and malformed values, seeded and reported exactly."""

import argparse

import pytest
import requests

from emulators import dispatch, fst
from emulators.dispatch import DispatchEmulator
from emulators.dispatch_data import KEEP, VALUE_KINDS, DispatchData
from emulators.fst_data import generate
from emulators.httpbase import EmulatorServer, add_fault_arguments, faults_from_args
from emulators.variations import (
    KINDS,
    MALFORMED,
    Variations,
    _locate,
    _parse_path,
    parse_unreadable,
)
from services.fst_bundle import BUNDLE_OBJECTS

CREDENTIALS = {"grant_type": "client_credentials", "client_id": "emulator-client",
               "client_secret": "emulator-secret"}


def value_at(record, field):
    """The value at a reported path (``phone_numbers[1].number``)."""
    value = record
    for part in field.replace("[", ".[").split("."):
        if not part:
            continue
        value = value[int(part[1:-1])] if part.startswith("[") else value[part]
    return value


def test_malformed_values_are_reported_exactly_and_seeded():
    variations = Variations(malformed_rate=0.05, seed=3)
    data = DispatchData(1, seed=5, variations=variations)
    report = data.variation_report
    clean = DispatchData(1, seed=5)
    by_id = {obj: {r["id"]: r for r in rows} for obj, rows in data.records.items()}
    clean_by_id = {obj: {r["id"]: r for r in rows} for obj, rows in clean.records.items()}
    assert report.malformed
    for entry in report.malformed:
        served = by_id[entry["object"]][entry["id"]]
        assert value_at(served, entry["field"]) == entry["value"]
        assert entry["value"] in MALFORMED[entry["kind"]]
        assert value_at(clean_by_id[entry["object"]][entry["id"]], entry["field"]) \
            == entry["original"]
    kinds = {entry["kind"] for entry in report.malformed}
    assert kinds == {"phone", "email", "state", "number", "date", "datetime"}  # no country
    # exactly those values differ from the clean account: count every normalised value
    changed = 0
    for obj, paths in VALUE_KINDS.items():
        for record in data.records[obj]:
            original = clean_by_id[obj][record["id"]]
            for path, _kind in paths:
                steps = _parse_path(path)
                served = {where: v for where, v, _ in _locate(dict(record), steps)}
                for where, value, _ in _locate(dict(original), steps):
                    changed += served.get(where) != value
    assert changed == len(report.malformed) == report.malformed_count()
    again = DispatchData(1, seed=5, variations=Variations(malformed_rate=0.05, seed=3))
    assert again.variation_report.malformed == report.malformed
    other = DispatchData(1, seed=5, variations=Variations(malformed_rate=0.05, seed=4))
    assert other.variation_report.malformed != report.malformed


def test_malformed_shared_address_changes_in_one_record_only():
    data = DispatchData(1, seed=5, variations=Variations(malformed_rate=1.0, seed=1))
    clean = DispatchData(1, seed=5)
    # a contact shares its job's address dict; malforming one must not change the other
    jobs = {j["id"]: j for j in data.records["jobs"]}
    states = [e for e in data.variation_report.malformed
              if e["object"] == "job_contacts" and e["field"] == "address.state"]
    assert states
    clean_jobs = {j["id"]: j for j in clean.records["jobs"]}
    contact = next(c for c in data.records["job_contacts"] if c["id"] == states[0]["id"])
    job = jobs[contact["job_id"]]
    job_entries = [e for e in data.variation_report.malformed
                   if e["object"] == "jobs" and e["id"] == job["id"]
                   and e["field"] == "address.state"]
    expected = job_entries[0]["value"] if job_entries else \
        clean_jobs[job["id"]]["address"]["state"]
    assert job["address"]["state"] == expected


def test_absent_fields_and_empty_objects():
    variations = Variations(absent_rate=0.3, empty=("brands", "job_contacts"), seed=2)
    data = DispatchData(1, seed=5, variations=variations)
    report = data.variation_report
    assert data.records["brands"] == [] and data.records["job_contacts"] == []
    assert all(job["contacts"] == [] for job in data.records["jobs"])
    assert report.empty == ["brands", "job_contacts"] and report.emptied_records["brands"] > 0
    assert report.absent_fields
    for obj, names in report.absent_fields.items():
        assert not set(names) & KEEP[obj]
        assert all(name not in record for record in data.records[obj] for name in names)
    clean = DispatchData(1, seed=5)
    for obj, rows in data.records.items():
        if obj in report.empty:
            continue
        present = set().union(*(r.keys() for r in rows)) if rows else set()
        clean_keys = set().union(*(r.keys() for r in clean.records[obj]))
        assert clean_keys - present == set(report.absent_fields.get(obj, ()))
    assert data.truth()["counts"]["brands"] == 0


@pytest.mark.parametrize("status", [401, 403, 404, 405, 501])
def test_dispatch_unreadable_endpoint_answers_the_status(status):
    data = DispatchData(0.2, seed=1, variations=Variations(
        unreadable={"customers": status, "job_contacts": 403}, empty=("sources",)))
    with EmulatorServer(DispatchEmulator(data)) as server:
        token = requests.post(server.url + "/v3/oauth/token", json=CREDENTIALS,
                              timeout=5).json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
        answer = requests.get(server.url + "/v3/customers", headers=headers, timeout=5)
        assert answer.status_code == status and answer.json()["errors"]
        job_id = data.records["jobs"][0]["id"]
        contacts = requests.get(f"{server.url}/v3/jobs/{job_id}/contacts", headers=headers,
                                timeout=5)
        assert contacts.status_code == 403 and "plan" in contacts.json()["errors"]
        assert requests.get(server.url + "/v3/jobs", headers=headers, timeout=5).ok
        empty = requests.get(server.url + "/v3/sources", headers=headers, timeout=5).json()
        assert empty == {"sources": [], "meta": {"total": 0, "limit": 25, "offset": 0}}
        report = requests.get(server.url + "/_admin/variations", timeout=5).json()
        assert report["unreadable"] == {"customers": status, "job_contacts": 403}


def test_fst_variations_and_unreadable_endpoint():
    variations = Variations(unreadable={"invoices": 404}, empty=("parts_used",),
                            absent_rate=0.2, malformed_rate=0.05, seed=7)
    dataset = generate(0.3, seed=2, variations=variations)
    report = dataset.variation_report
    assert dataset.records["parts_used"] == []
    assert {e["kind"] for e in report.malformed} == set(KINDS)  # countries too
    id_fields = {spec.name: spec.id_column for spec in BUNDLE_OBJECTS}
    for entry in report.malformed:
        row = next(r for r in dataset.records[entry["object"]]
                   if r[id_fields[entry["object"]]] == entry["id"])
        assert row[entry["field"]] == entry["value"]
    for names in report.absent_fields.values():
        assert not any(name.endswith("_id") for name in names)
    server = fst.make_server(dataset=dataset)
    with server:
        headers = {"Authorization": "Bearer fst-dev-token"}
        answer = requests.get(server.url + "/api/v1/invoices", headers=headers, timeout=5)
        assert answer.status_code == 404 and "not available" in answer.json()[
            "error_description"]
        assert requests.get(server.url + "/api/v1/customers", headers=headers, timeout=5).ok


def test_command_line_flags_reach_both_emulators():
    assert parse_unreadable("customers=404, brands=403,jobs") == {
        "customers": 404, "brands": 403, "jobs": 404}
    for module, add, empty in ((dispatch, dispatch.add_arguments, "sources"),
                               (fst, fst._add_arguments, "parts_used")):
        parser = argparse.ArgumentParser()
        parser.add_argument("--scale", type=float)
        parser.add_argument("--seed", type=int)
        add_fault_arguments(parser)
        add(parser)
        args = parser.parse_args([
            "--scale", "0.2", "--seed", "4", "--unreadable", "customers=403",
            "--empty", empty, "--absent-rate", "0.2", "--malformed-value-rate", "0.02"])
        faults = faults_from_args(args)
        router = (dispatch.build_router(args, faults) if module is dispatch
                  else fst._make_router(args, faults))
        assert router.unreadable == {"customers": 403}
        report = (router.data.variation_report if module is dispatch
                  else router.dataset.variation_report)
        assert report.malformed and report.absent_fields is not None
