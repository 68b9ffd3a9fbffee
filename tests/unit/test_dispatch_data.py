"""The seeded Dispatch data generator: deterministic, messy as documented, and truthful."""

from emulators.dispatch_data import (
    APPOINTMENT_STATUSES,
    JOB_STATUSES,
    OBJECTS,
    DispatchData,
)


def test_same_seed_same_data_other_seed_other_data():
    assert DispatchData(1, seed=4).records == DispatchData(1, seed=4).records
    assert DispatchData(1, seed=4).records["customers"] != DispatchData(1, seed=5).records[
        "customers"]


def test_scale_one_is_about_a_thousand_records():
    counts = DispatchData(1, seed=0).truth()["counts"]
    assert set(counts) == set(OBJECTS)
    assert 900 <= sum(counts.values()) <= 1500
    assert all(counts[obj] > 0 for obj in OBJECTS)


def test_ids_unique_and_references_resolve():
    data = DispatchData(2, seed=1)
    ids = {obj: [r["id"] for r in records] for obj, records in data.records.items()}
    for obj, values in ids.items():
        assert len(values) == len(set(values)), obj
    jobs, customers = set(ids["jobs"]), set(ids["customers"])
    orphans = set(data.truth()["orphan_job_ids"])
    assert orphans and orphans <= jobs
    for job in data.records["jobs"]:
        assert (job["customer_id"] in customers) is (job["id"] not in orphans)
    for child in ("job_contacts", "appointments", "survey_responses"):
        assert {r["job_id"] for r in data.records[child]} <= jobs
    assert {r["entity_id"] for r in data.records["attachments"]} <= jobs
    technicians = {u["id"] for u in data.records["users"] if "technician" in u["roles"]}
    assert {a["user_id"] for a in data.records["appointments"]} - {None} <= technicians


def test_data_is_messy_as_documented():
    data = DispatchData(3, seed=2)
    customers, jobs = data.records["customers"], data.records["jobs"]
    emails = [c["email"] for c in customers]
    assert "" in emails
    folded = [e.strip().casefold() for e in emails if e]
    assert len(folded) > len(set(folded)), "duplicated e-mails expected"
    assert any(e != e.strip() or e != e.lower() for e in emails if e)
    assert any(any("\u0590" <= ch <= "\u06ff" for ch in c["first_name"]) for c in customers)
    assert any(c["first_name"] != c["first_name"].strip() for c in customers)
    numbers = [p["number"] for c in customers for p in c["phone_numbers"]]
    assert any(n.startswith("tel:+1-") for n in numbers)
    assert any(not n.startswith("tel:") for n in numbers)
    statuses = {j["status"] for j in jobs}
    assert {s.strip().lower() for s in statuses} == set(JOB_STATUSES)
    assert statuses - set(JOB_STATUSES), "mixed-case statuses expected"
    assert any(len(j["description"]) > 10_000 for j in jobs)
    assert any("custom_fields" in j for j in jobs) and any("custom_fields" not in j for j in jobs)
    times = [a["time"] for a in data.records["appointments"]]
    assert any(t.endswith("Z") or "+" in t[10:] or "-" in t[10:] for t in times)
    assert any(len(t) == 19 for t in times), "naive times expected"
    appointment_statuses = {a["status"].strip().lower() for a in data.records["appointments"]}
    assert set(APPOINTMENT_STATUSES) <= appointment_statuses
    users = data.records["users"]
    assert any(u["email"] is None and u["roles"] == ["technician"] for u in users)
    for address in (c["home_address"] for c in customers if c["home_address"]):
        assert set(address) == {"street_1", "street_2", "city", "state", "postal_code",
                                "timezone"}
        assert len(address["state"]) == 2


def test_truth_matches_the_records():
    data = DispatchData(1, seed=3)
    truth = data.truth()
    assert truth["counts"] == {obj: len(records) for obj, records in data.records.items()}
    by_customer = {}
    for contact in data.records["job_contacts"]:
        job = next(j for j in data.records["jobs"] if j["id"] == contact["job_id"])
        if job["id"] not in truth["orphan_job_ids"]:
            by_customer.setdefault(job["customer_id"], set()).add(
                (contact["first_name"].strip().casefold(), contact["last_name"].strip().casefold()))
    expected = sorted(cid for cid, people in by_customer.items() if len(people) >= 2)
    assert truth["customers_with_2plus_contacts"] == expected
    locations = {}
    for job in data.records["jobs"]:
        if job["id"] not in truth["orphan_job_ids"]:
            address = job["address"]
            key = (" ".join(address["street_1"].split()).casefold(), address["postal_code"])
            locations.setdefault(job["customer_id"], set()).add(key)
    assert truth["customers_with_2plus_locations"] == sorted(
        cid for cid, keys in locations.items() if len(keys) >= 2)


def test_files_are_deterministic_and_typed():
    data = DispatchData(1, seed=0)
    kinds = set()
    for attachment in data.records["attachments"][:30]:
        content_type, name, content = data.file(attachment["file_token"])
        assert data.file(attachment["file_token"])[2] == content
        assert name == attachment["name"]
        kinds.add(content_type.split(";")[0])
        if content_type == "image/png":
            assert content.startswith(b"\x89PNG")
        elif content_type == "application/pdf":
            assert content.startswith(b"%PDF-")
    assert kinds == {"image/png", "application/pdf", "text/plain"}
    assert data.file("no-such-token") is None
