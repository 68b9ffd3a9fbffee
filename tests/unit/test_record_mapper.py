"""The record mapper against proposals built from the FST bundle and Dispatch emulators'
data and Odoo 18's real field metadata: every record of every object is mapped."""

import copy
import json
import time
from collections import Counter, defaultdict

import pytest
from unit_fixtures import ALL_APPS, CRM_STAGES, MemorySource, load_targets

from emulators.dispatch_data import DispatchData
from emulators.fst_bundle import write_bundle
from emulators.fst_data import columns_of, csv_value, generate
from services.fst_bundle import FstBundleSource
from services.mapping import (
    FieldMapLine,
    ObjectMapLine,
    Proposal,
    TargetField,
    propose,
)
from services.profiling import profile_source
from services.record_mapper import (
    CONDITIONS,
    FieldError,
    RecordMapper,
    Ref,
    _address_key,
    dependency_order,
    payload_hash,
    validate_values,
)
from services.user_plan import UserPlanLine

SCALE = 0.3


@pytest.fixture(scope="module")
def targets():
    return load_targets()


@pytest.fixture(scope="module")
def fst(tmp_path_factory):
    folder = tmp_path_factory.mktemp("fst_bundle")
    data = generate(SCALE, 0)
    write_bundle(data, folder)
    source = FstBundleSource(folder)
    try:
        records = {obj: [r for page in source.iter_pages(obj) for r in page]
                   for obj in source.list_objects()}
        return profile_source(source, "fst"), source.custom_fields(), records, data
    finally:
        source.close()


@pytest.fixture(scope="module")
def dispatch():
    data = DispatchData(SCALE, 0)
    return profile_source(MemorySource(data), "dispatch"), data.records


@pytest.fixture(scope="module")
def proposals(fst, dispatch, targets):
    dictionary, schema, _, _ = fst
    out = {}
    for label, installed in (("none", set()), ("all", ALL_APPS)):
        out["fst", label] = propose("fst", dictionary, targets, installed, CRM_STAGES,
                                    custom_fields=schema)
        out["dispatch", label] = propose("dispatch", dispatch[0], targets, installed,
                                         CRM_STAGES)
    return out


@pytest.fixture(scope="module")
def records(fst, dispatch):
    return {"fst": fst[2], "dispatch": dispatch[1]}


@pytest.fixture(scope="module")
def mapped(proposals, targets, records):
    """Every record of every object, mapped with each of the four proposals."""
    out = {}
    for (kind, label), proposal in proposals.items():
        mapper = RecordMapper(proposal, targets)
        out[kind, label] = mapper, {obj: mapper.map_batch(obj, rows)
                                    for obj, rows in records[kind].items()}
    return out


def by_role(results):
    grouped = defaultdict(list)
    for item in results:
        grouped[item.role].append(item)
    return grouped


def ids(rows):
    return [str(r["id"]) for r in rows]


# -- roles --------------------------------------------------------------------------------

#: roles that every record of the object yields, one MappedRecord each
FST_EVERY = {
    "customers": {"company"}, "contacts": {"contact"}, "sites": {"site"},
    "technicians": {"technician"}, "work_orders": {"lead"},
    "appointments": {"activity", "calendar_event"}, "notes": {"message"},
    "attachments": {"attachment"},
}
FST_EVERY_ALL = {"work_order_lines": {"sale_line"}, "invoices": {"invoice"},
                 "invoice_lines": {"invoice_line"}, "technicians": {"technician", "employee"},
                 "work_orders": {"lead", "sale_order"}}
DISPATCH_EVERY = {
    "organizations": {"organization"}, "customers": {"contact"}, "users": {"technician"},
    "sources": {"utm_source"}, "jobs": {"lead"}, "job_contacts": {"contact"},
    "appointments": {"activity", "calendar_event"}, "survey_responses": {"lead_fields"},
}


@pytest.mark.parametrize("kind,label", [("fst", "none"), ("fst", "all"),
                                        ("dispatch", "none"), ("dispatch", "all")])
def test_every_record_yields_its_roles(mapped, records, kind, label):
    mapper, results = mapped[kind, label]
    every = dict(FST_EVERY if kind == "fst" else DISPATCH_EVERY)
    if kind == "fst" and label == "all":
        every.update(FST_EVERY_ALL)
    if kind == "dispatch" and label == "all":
        every["users"] = {"technician", "employee"}
    for obj, rows in records[kind].items():
        roles = by_role(results[obj])
        assert set(roles) <= {line.role for line in mapper.roles(obj)}, obj
        for role in every.get(obj, ()):
            assert sorted(m.source_id for m in roles[role]) == sorted(ids(rows)), (obj, role)
    if kind == "fst":
        assert bool(mapper.roles("invoices")) is (label == "all")
    # nothing but the known errors (see test_known_data_errors), no exception
    for items in results.values():
        for item in items:
            assert all(isinstance(e, FieldError) for e in item.errors)


def test_dispatch_conditional_roles(mapped, records):
    mapper, results = mapped["dispatch", "none"]
    customers = records["dispatch"]["customers"]
    roles = by_role(results["customers"])

    def key(address):
        if not address:
            return None
        parts = [" ".join(str(address.get(k) or "").split()).casefold()
                 for k in ("street_1", "street_2", "city", "state", "postal_code")]
        return "|".join(parts) if any(parts) else None

    with_company = [c for c in customers if (c["company_name"] or "").strip()]
    assert len(roles["company"]) == len(with_company) > 0
    assert {m.source_id for m in roles["company"]} == {
        "company:" + " ".join(c["company_name"].split()).casefold() for c in with_company}
    for contact in roles["contact"]:
        row = next(c for c in customers if str(c["id"]) == contact.source_id)
        parent = contact.refs.get("parent_id")
        if (row["company_name"] or "").strip():
            assert parent == Ref("binding", "company:" + " ".join(
                row["company_name"].split()).casefold(), source_object="customers",
                role="company", model="res.partner")
        else:
            assert parent is None and contact.values["parent_id"] is False
    billing = [c for c in customers if key(c["billing_address"]) is not None
               and key(c["billing_address"]) != key(c["home_address"])]
    assert sorted(m.source_id for m in roles["invoice_address"]) == sorted(
        str(c["id"]) for c in billing)
    assert all(m.values["type"] == "invoice" for m in roles["invoice_address"])
    live = [a for a in records["dispatch"]["attachments"]
            if a["entity_type"] == "Job" and not a["deleted_at"]]
    assert sorted(m.source_id for m in results["attachments"]) == sorted(ids(live))
    deleted = dict(records["dispatch"]["attachments"][0], deleted_at="2024-01-01T00:00:00Z")
    customer_file = dict(records["dispatch"]["attachments"][0], entity_type="Customer")
    assert mapper.map_record("attachments", deleted) == []
    assert mapper.map_record("attachments", customer_file) == []
    sites = by_role(results["jobs"])["site"]
    jobs = records["dispatch"]["jobs"]
    assert len({m.source_id for m in sites}) < len(sites)  # one partner per location
    assert {m.source_id for m in sites} == {
        f"site:{j['customer_id']}:" + __import__("hashlib").sha1(
            key(j["address"]).encode()).hexdigest()[:16] for j in jobs}
    assert all(m.check == "not_home_address:customers.home_address" for m in sites)


def test_dispatch_conditions_with_source_lookup(proposals, targets, records):
    rows = records["dispatch"]
    index = {(obj, str(r["id"])): r for obj in ("jobs", "customers") for r in rows[obj]}
    mapper = RecordMapper(proposals["dispatch", "none"], targets,
                          source_lookup=lambda obj, rid: index.get((obj, rid)))
    contacts = mapper.map_batch("job_contacts", rows["job_contacts"])
    assert 0 < len(contacts) < len(rows["job_contacts"])  # the customer itself left out
    keys = Counter(m.dedupe_key for m in contacts)
    assert all(m.check is None for m in contacts)
    assert max(keys.values()) > 1  # the same person on several jobs → one partner
    sites = [m for m in mapper.map_batch("jobs", rows["jobs"]) if m.role == "site"]
    homes = {str(c["id"]): c["home_address"] for c in rows["customers"]}
    for site in sites:
        customer = site.source_id.split(":")[1]
        assert site.values["street"] != (homes.get(customer) or {}).get("street_1") or \
            site.values["city"] != (homes.get(customer) or {}).get("city")


def test_dispatch_lookup_requests_then_contact_types(proposals, targets, records):
    """The engine fetches what the conditions read in steps (job, then its customer); a
    child contact with an address of its own is an 'other' address (Odoo would give a
    'contact' its parent's), one at its parent's address or with none stays a contact."""
    rows = records["dispatch"]
    index = {(obj, str(r["id"])): r for obj in ("jobs", "customers") for r in rows[obj]}
    fetched = {}
    mapper = RecordMapper(proposals["dispatch", "none"], targets,
                          source_lookup=lambda obj, rid: fetched.get((obj, rid)))
    contacts = rows["job_contacts"]
    first = mapper.lookup_requests("job_contacts", contacts)
    assert set(first) == {"jobs"}
    assert first["jobs"] == {str(c["job_id"]) for c in contacts}
    fetched.update({k: v for k, v in index.items() if k[0] == "jobs"})
    second = mapper.lookup_requests("job_contacts", contacts)
    assert second["customers"] == {str(index["jobs", str(c["job_id"])]["customer_id"])
                                   for c in contacts
                                   if index["jobs", str(c["job_id"])]["customer_id"]}
    fetched.update(index)
    by_id = {str(c["id"]): c for c in contacts}
    mapped = mapper.map_batch("job_contacts", contacts)
    kinds = Counter(m.values["type"] for m in mapped)
    assert kinds["contact"] and kinds["other"]
    key = _address_key
    for item in mapped:
        source = by_id[item.source_id]
        job = index.get(("jobs", str(source["job_id"]))) or {}
        home = (index.get(("customers", str(job.get("customer_id")))) or {}).get(
            "home_address")  # (an orphan job: no customer, no parent address)
        own = key(source["address"])
        assert item.values["type"] == ("other" if own and own != key(home) else "contact")
        assert item.origin_id == item.source_id and item.dedupe_key
    people = [m for m in mapper.map_batch("customers", rows["customers"])
              if m.role == "contact"]
    for item in people:
        in_company = "parent_id" in item.refs
        assert item.values["type"] == ("other" if in_company and key(
            next(c for c in rows["customers"] if str(c["id"]) == item.source_id)[
                "home_address"]) else "contact")
    assert any(m.values["type"] == "other" for m in people)


def test_sale_order_condition_and_skills(mapped, proposals, targets, records, fst):
    mapper, results = mapped["fst", "all"]
    orders = by_role(results["work_orders"])["sale_order"]
    assert all(m.check == "has_children:work_order_lines.work_order_id" for m in orders)
    lines = records["fst"]["work_order_lines"]
    with_lines = {r["work_order_id"] for r in lines}
    indexed = RecordMapper(proposals["fst", "all"], targets,
                           children={"work_order_lines.work_order_id": with_lines})
    orders = by_role(indexed.map_batch("work_orders", records["fst"]["work_orders"]))
    assert {m.source_id for m in orders["sale_order"]} == with_lines
    skills = by_role(results["technicians"])["technician_skill"]
    expected = sum(len([s for s in t["skills"].split(";") if s.strip()])
                   for t in records["fst"]["technicians"])
    assert len(skills) == expected
    for skill in skills:
        assert skill.refs["skill_id"].kind == "skill"
        assert skill.refs["skill_type_id"] == Ref("skill_type", "Field service",
                                                  model="hr.skill.type")
        assert skill.refs["skill_level_id"].key == ("Field service", "Certified")
        assert skill.refs["employee_id"].model == "hr.employee"
        assert skill.errors == []


def test_user_plan_fallback(proposals, targets, records):
    users = records["dispatch"]["users"]
    no_mail = [u for u in users if not u["email"]]
    assert no_mail
    plain = RecordMapper(proposals["dispatch", "all"], targets)
    out = by_role(plain.map_batch("users", users))
    failed = {m.source_id for m in out["technician"] if m.errors}
    assert failed == {str(u["id"]) for u in no_mail}
    assert all("login is required" in m.errors[0].reason for m in out["technician"]
               if m.errors)
    plan = [UserPlanLine("users", str(u["id"]), u["first_name"], None, 3, "fallback", None,
                         "no e-mail") for u in no_mail]
    planned = RecordMapper(proposals["dispatch", "all"], targets, user_plan=plan)
    out = by_role(planned.map_batch("users", users))
    assert all(not m.errors for m in out["technician"])
    assert {m.source_id for m in out["employee"]} == {str(u["id"]) for u in users} - failed


# -- values -------------------------------------------------------------------------------

PY_TYPES = {"char": str, "text": str, "html": str, "integer": int, "float": (int, float),
            "monetary": (int, float), "boolean": bool, "date": str, "datetime": str,
            "selection": str}


def test_good_records_validate_and_have_the_right_types(mapped):
    checked = 0
    for (_kind, _label), (mapper, results) in mapped.items():
        for items in results.values():
            for item in items:
                if item.errors:
                    continue
                fields_ = mapper.target_fields(item.source_object, item.role)
                for name, value in item.values.items():
                    if value is False and fields_[name].ttype != "boolean":
                        continue
                    assert isinstance(value, PY_TYPES.get(fields_[name].ttype, object)), \
                        (item.source_object, name, value)
                    checked += 1
                for name, ref in item.refs.items():
                    assert isinstance(ref, Ref) and fields_[name].ttype in (
                        "many2one", "many2many", "many2one_reference", "char", "binary")
                assert validate_values({**item.values, **item.refs}, fields_,
                                       source_object=item.source_object,
                                       source_id=item.source_id,
                                       check_required=item.role not in (
                                           "lines_json", "parts_json", "lead_fields")) == []
    assert checked > 10_000


def test_known_data_errors(mapped, proposals):
    """The generated data's mess that a map cannot absorb gives precise FieldErrors."""
    seen = Counter()
    for (kind, _label), (_mapper, results) in mapped.items():
        for items in results.values():
            for item in items:
                for error in item.errors:
                    seen[kind, item.source_object, error.target_field] += 1
                    assert error.source_id == item.source_id and error.reason.endswith(
                        (".", ")", "value map", "the source", "the map line",
                         "object line a default", "set a default."))
                    assert len(error.value) <= 120
    # value maps hold every distinct value discovery saw (not only 5 samples): the only
    # mess left is Dispatch users without an e-mail, who cannot get a login
    assert set(seen) <= {("dispatch", "users", "login")}


def with_policy(proposal, policy):
    """A copy of ``proposal`` whose every field line says ``on_invalid=policy``."""
    changed = copy.deepcopy(proposal)
    for line in changed.field_maps:
        line.on_invalid = policy
    return changed


def test_unknown_enumeration_value_is_left_empty_with_a_warning(mapped, records, proposals,
                                                                 targets):
    mapper, _results = mapped["fst", "none"]
    odd = dict(records["fst"]["work_orders"][0], service_type="Teleportation")
    lead = by_role(mapper.map_record("work_orders", odd))["lead"][0]
    assert not [e for e in lead.errors if e.source_field == "service_type"]
    warning = next(w for w in lead.warnings if w.source_field == "service_type")
    assert "is not in the value map of this field (mapped values:" in warning.reason
    assert warning.value and "Teleportation" in warning.value
    assert warning.action == "left empty" and lead.values[warning.target_field] is False
    # on_invalid='fail': today's field error
    strict = RecordMapper(with_policy(proposals["fst", "none"], "fail"), targets)
    lead = by_role(strict.map_record("work_orders", odd))["lead"][0]
    error = next(e for e in lead.errors if e.source_field == "service_type")
    assert "is not in the value map of this field (mapped values:" in error.reason
    assert error.value and "Teleportation" in error.value and not lead.warnings


def test_orphans_are_refs_not_errors(mapped, fst, records):
    mapper, results = mapped["fst", "none"]
    orphans = {str(i) for i in fst[3].truth()["orphan_work_order_ids"]}
    orphan = dict(records["fst"]["work_orders"][0], customer_id="990001", site_id="999999",
                  id="29999", work_order_id="29999")
    orphans.add("29999")
    for lead in by_role(results["work_orders"])["lead"] + mapper.map_record("work_orders",
                                                                             orphan):
        if lead.source_id in orphans:
            ref = lead.refs["partner_id"]
            assert ref.kind == "binding" and int(ref.key) >= 990000
            assert not [e for e in lead.errors if e.target_field == "partner_id"]


def test_values_of_known_records(mapped, records):
    _, results = mapped["fst", "none"]
    customers = {m.source_id: m for m in results["customers"]}
    rows = {str(r["id"]): r for r in records["fst"]["customers"]}
    for sid, item in customers.items():
        row = rows[sid]
        assert item.values["is_company"] is (row["customer_type"].strip().lower()
                                             == "commercial")
        if row["email"].strip():
            assert item.values["email"] == row["email"].strip().lower()
        if row["bill_state"]:
            assert item.refs["state_id"].kind == "state"
            assert item.refs["state_id"].key[1] == row["bill_state"].strip().upper()
        if row["bill_country"].strip():
            assert item.refs["country_id"].key in ("US", "CA")
        if row["phone"].strip():
            assert item.values["phone"].startswith("+1 ")
    contacts = {m.source_id: m for m in results["contacts"]}
    for row in records["fst"]["contacts"]:
        expected = " ".join(p for p in (" ".join(row["first_name"].split()),
                                        " ".join(row["last_name"].split())) if p)
        item = contacts[str(row["id"])]
        assert item.values["name"] == expected
        assert item.refs["parent_id"] == Ref("binding", row["customer_id"],
                                             source_object="customers", role="company",
                                             model="res.partner")
        assert item.values["type"] == "contact"
    notes = results["notes"]
    assert all(n.refs["author_id"].kind in ("user",) and n.refs["author_id"].field ==
               "partner_id" for n in notes if "author_id" in n.refs)
    activity = by_role(results["appointments"])["activity"][0]
    assert activity.refs["res_model_id"] == Ref("model", "crm.lead", model="ir.model")
    assert activity.refs["activity_type_id"].key == "Call"
    assert activity.refs["res_id"].model == "crm.lead"
    message = notes[0]
    assert message.refs["subtype_id"] == Ref("subtype", "mail.mt_note",
                                             model="mail.message.subtype")
    assert message.values["message_type"] == "comment"
    attachment = results["attachments"][0]
    assert attachment.refs["raw"].kind == "file"


def test_dispatch_values(mapped, records):
    _, results = mapped["dispatch", "none"]
    events = by_role(results["appointments"])["calendar_event"]
    rows = {str(r["id"]): r for r in records["dispatch"]["appointments"]}
    for event in events:
        assert event.values["start"] < event.values["stop"]
        assert event.refs["res_model_id"].key == "crm.lead"
        if rows[event.source_id]["user_id"] is None:
            assert "user_id" not in event.refs
    activities = by_role(results["appointments"])["activity"]
    assert any(a.refs["user_id"].key is None for a in activities)  # required → fallback
    leads = by_role(results["jobs"])["lead"]
    assert all(lead.refs["x_studio_brand"].kind == "source_field" for lead in leads)
    assert all(lead.refs["tag_ids"] == Ref("tag", "Service history", model="crm.tag",
                                           many=True) for lead in leads)
    customer = next(m for m in by_role(results["customers"])["contact"]
                    if records["dispatch"]["customers"][0]["id"] == int(m.source_id))
    assert customer.values["is_company"] is False
    surveys = results["survey_responses"]
    assert all(s.target.kind == "binding" and s.target.source_object == "jobs"
               and s.group_key == s.target.key for s in surveys)


# -- aggregates ---------------------------------------------------------------------------


def test_work_order_lines_json(mapped, records):
    _, results = mapped["fst", "none"]
    groups = by_role(results["work_order_lines"])["lines_json"]
    rows = defaultdict(list)
    for row in records["fst"]["work_order_lines"]:
        rows[row["work_order_id"]].append(row)
    assert {g.group_key for g in groups} == set(rows)
    for group in groups:
        items = json.loads(group.values["x_studio_line_items"])
        source = rows[group.group_key]
        assert group.item_ids == ids(source)
        assert [i["description"] for i in items] == [r["description"] for r in source]
        assert [i["quantity"] for i in items] == [float(r["quantity"]) for r in source]
        assert [i["taxable"] for i in items] == [r["taxable"] == "Yes" for r in source]
        assert group.target == Ref("binding", group.group_key, source_object="work_orders",
                                   role="lead", model="crm.lead")
        assert group.errors == []


def test_parts_used_json(mapped, fst):
    _, results = mapped["fst", "all"]
    groups = results["parts_used"]
    truth = defaultdict(list)
    for part in fst[3].records["parts_used"]:
        truth[str(part["work_order_id"])].append(part)
    assert {g.group_key for g in groups} == set(truth)
    for group in groups:
        items = json.loads(group.values["x_studio_parts_used"])
        assert items == [{"name": p["name"], "qty": p["quantity"], "cost": p["cost"]}
                         for p in truth[group.group_key]]


def test_value_maps_stage_priority_lost(mapped, records):
    _, results = mapped["fst", "none"]
    rows = {str(r["id"]): r for r in records["fst"]["work_orders"]}
    seen = set()
    for lead in by_role(results["work_orders"])["lead"]:
        status = " ".join(rows[lead.source_id]["status"].split()).lower()
        priority = rows[lead.source_id]["priority"].strip().lower()
        stage = lead.refs["stage_id"]
        if status == "completed":
            assert stage.key == "Won" and not lead.lost
        elif status == "cancelled":
            assert stage.key == "New" and lead.lost
        else:
            assert stage.key.lower() == status and not lead.lost
        assert lead.values["priority"] == {"low": "0", "normal": "1", "high": "2",
                                           "urgent": "3"}[priority]
        seen.add(status)
    assert {"completed", "cancelled", "in progress"} <= seen
    _, results = mapped["dispatch", "none"]
    rows = {str(r["id"]): r for r in records["dispatch"]["jobs"]}
    for lead in by_role(results["jobs"])["lead"]:
        status = rows[lead.source_id]["status"].strip().lower()
        assert lead.lost is (status in ("canceled", "rejected"))


# -- messy values -------------------------------------------------------------------------


def _messy(records):
    customer = copy.deepcopy(records["fst"]["customers"][0])
    customer.update(email="jane.doe@", phone="12", bill_country="Atlantis",
                    customer_type="Government", credit_limit="lots")
    work_order = copy.deepcopy(records["fst"]["work_orders"][0])
    work_order.update(status="Exploded", priority="whenever", created_at="31/31/2020",
                      cf_visit_count="2.5", description="x" * 500)
    return customer, work_order


def test_messy_values_give_field_errors_when_the_lines_say_fail(proposals, targets, records):
    mapper = RecordMapper(with_policy(proposals["fst", "none"], "fail"), targets)
    customer, work_order = _messy(records)
    (item,) = mapper.map_record("customers", customer)
    errors = {e.target_field: e for e in item.errors}
    assert set(errors) >= {"email", "phone", "country_id", "is_company",
                           "x_studio_credit_limit"}
    assert "is not a valid e-mail address" in errors["email"].reason
    assert errors["email"].value == "'jane.doe@'" and errors["email"].source_field == "email"
    assert "Cannot read the phone number" in errors["phone"].reason
    assert "Unknown country" in errors["country_id"].reason
    assert "true_values or false_values" in errors["is_company"].reason
    (lead,) = mapper.map_record("work_orders", work_order)
    errors = {e.target_field: e for e in lead.errors}
    assert "status 'Exploded' is not in the stage value map" in errors["stage_id"].reason
    assert "'Completed'" in errors["stage_id"].reason
    assert "Priority" in errors["priority"].reason
    assert "Cannot read" in errors["x_studio_source_created_at"].reason
    assert "not a whole number" in errors["x_studio_visit_count"].reason
    assert "description" not in errors


def test_messy_values_degrade_with_warnings_by_default(proposals, targets, records):
    mapper = RecordMapper(proposals["fst", "none"], targets)
    customer, work_order = _messy(records)
    (item,) = mapper.map_record("customers", customer)
    assert item.errors == []
    warnings = {w.target_field: w for w in item.warnings}
    assert set(warnings) == {"email", "phone", "country_id", "is_company",
                             "x_studio_credit_limit"}
    # text targets keep the value as typed; the others are left empty
    assert item.values["email"] == "jane.doe@" and item.values["phone"] == "12"
    assert warnings["email"].action == warnings["phone"].action == "kept as typed"
    assert "is not a valid e-mail address" in warnings["email"].reason
    assert warnings["email"].value == "'jane.doe@'" and warnings["email"].source_field == \
        "email"
    assert "country_id" not in item.refs and item.values["country_id"] is False
    assert item.values["is_company"] is False and item.values["x_studio_credit_limit"] is False
    for name in ("country_id", "is_company", "x_studio_credit_limit"):
        assert warnings[name].action == "left empty", name
        assert "left empty" in warnings[name].reason
    assert "Unknown country" in warnings["country_id"].reason
    assert item.to_dict()["warnings"][0] == item.warnings[0].to_dict()
    (lead,) = mapper.map_record("work_orders", work_order)
    assert lead.errors == []
    warnings = {w.target_field: w for w in lead.warnings}
    assert set(warnings) == {"stage_id", "priority", "x_studio_source_created_at",
                             "x_studio_visit_count"}
    assert "status 'Exploded' is not in the stage value map" in warnings["stage_id"].reason
    assert "stage_id" not in lead.refs and lead.values["stage_id"] is False
    assert all(lead.values[name] is False for name in warnings)


def test_secrets_are_masked_and_values_short():
    error = FieldError("o", "1", "api_token", "x", "", "")
    assert error.to_dict()["source_field"] == "api_token"
    from services.record_mapper import show_value
    assert show_value("s3cr3t", "file_token") == "'•••'"
    assert len(show_value("y" * 1000, "name")) == 120


# -- payload hash, validation, order ------------------------------------------------------


def test_payload_hash():
    record = {"id": 1, "name": "Acme", "address": {"city": "Austin", "zip": "78701"}}
    shuffled = {"address": {"zip": "78701", "city": "Austin"}, "name": "Acme", "id": 1}
    assert payload_hash(record) == payload_hash(shuffled)
    assert len(payload_hash(record)) == 40
    changed = copy.deepcopy(record)
    changed["address"]["city"] = "Dallas"
    assert payload_hash(changed) != payload_hash(record)


def test_validate_values(targets):
    lead = targets["crm.lead"]
    good = {"name": "WO-1", "type": "opportunity", "priority": "2", "expected_revenue": 1.5,
            "date_deadline": "2024-03-01", "active": True, "stage_id": Ref("stage", "Won"),
            "tag_ids": Ref("tag", ["a"], many=True), "user_id": 7}
    assert validate_values(good, lead, source_object="o", source_id="1") == []
    bad = {"name": "", "priority": "9", "expected_revenue": "12", "date_deadline": "03/01/24",
           "active": "yes", "tag_ids": Ref("tag", "a"), "user_id": "7", "x_nope": 1}
    errors = {e.target_field: e.reason for e in validate_values(
        bad, lead, source_object="o", source_id="1", sources={"name": "title"})}
    assert set(errors) == {"name", "priority", "expected_revenue", "date_deadline", "active",
                           "tag_ids", "user_id", "x_nope"}
    assert "'9' is not an option" in errors["priority"] and "'3'" in errors["priority"]
    assert "source field 'title'" in errors["name"]
    assert "has no field 'x_nope'" in errors["x_nope"]
    sized = {"code": TargetField("res.partner", "code", "char", size=2)}
    (error,) = validate_values({"code": "USA"}, sized, source_object="o", source_id="1")
    assert "more than the 2" in error.reason
    # required fields Odoo fills itself (services.mapping.ODOO_DEFAULTS) are not asked for
    assert validate_values({"name": "x", "start": "2024-01-01 10:00:00",
                            "stop": "2024-01-01 11:00:00"}, targets["calendar.event"],
                           source_object="o", source_id="1") == []


DESIGN_RANK = {  # DESIGN.md's dependency order (1 customers … 11 attachments)
    "customers": 1, "organizations": 1, "contacts": 2, "job_contacts": 2, "sites": 3,
    "technicians": 4, "users": 4, "sources": 4, "brands": 4, "work_orders": 5, "jobs": 5,
    "work_order_lines": 6, "appointments": 7, "invoices": 8, "invoice_lines": 8,
    "survey_responses": 8, "parts_used": 9, "notes": 10, "attachments": 11,
}


@pytest.mark.parametrize("kind", ["fst", "dispatch"])
def test_dependency_order(proposals, kind):
    for label in ("none", "all"):
        order = dependency_order(proposals[kind, label])
        assert sorted(order) == sorted({o.source_object for o in
                                        proposals[kind, label].object_maps})
        assert [DESIGN_RANK[o] for o in order] == sorted(DESIGN_RANK[o] for o in order)
        position = {o: i for i, o in enumerate(order)}
        for line in proposals[kind, label].object_maps:
            for dep in line.depends_on:
                assert position[dep] <= position[line.source_object]
    if kind == "fst":
        assert dependency_order(proposals["fst", "none"]) == [
            "customers", "contacts", "sites", "technicians", "work_orders",
            "work_order_lines", "appointments", "invoice_lines", "invoices", "parts_used",
            "notes", "attachments"]


def test_dependency_cycle():
    proposal = Proposal("fst", object_maps=[
        ObjectMapLine("a", "res.partner", "x", depends_on=["b"], order=1),
        ObjectMapLine("b", "res.partner", "x", depends_on=["a"], order=2),
        ObjectMapLine("c", "res.partner", "x", order=3)])
    with pytest.raises(ValueError, match=r"cycle between a \(needs b\), b \(needs a\)"):
        dependency_order(proposal)


# -- broken maps, rebuild reference, conditions -------------------------------------------


def test_broken_map(proposals, targets, records, fst):
    proposal = copy.deepcopy(proposals["fst", "none"])
    line = next(f for f in proposal.field_maps if f.source_object == "contacts"
                and f.source_field == "title")
    line.transform = "shout"
    proposal.field_maps.append(FieldMapLine("contacts", "fax_number", "res.partner",
                                            "phone2", "phone", role="contact"))
    mapper = RecordMapper(proposal, targets)
    assert any("Unknown transform 'shout'" in p for p in mapper.problems)
    out = mapper.map_batch("contacts", records["fst"]["contacts"])
    assert all(any("Unknown transform 'shout'" in e.reason and e.target_field == "function"
                   for e in item.errors) for item in out)
    assert all(any(e.target_field == "phone2" and "has no field" in e.reason
                   for e in item.errors) for item in out)
    assert any("contacts.fax_number: in no record" in n for n in mapper.notes)
    known = {o["object"]: {f["name"] for f in o["fields"]} for o in fst[0]["objects"]}
    strict_fields = RecordMapper(proposal, targets, source_fields=known)
    item = strict_fields.map_record("contacts", records["fst"]["contacts"][0])[0]
    assert any("source field 'fax_number' does not exist in contacts" in e.reason
               for e in item.errors)
    with pytest.raises(ValueError, match="Unknown transform 'shout'"):
        RecordMapper(proposal, targets, strict=True)
    with pytest.raises(ValueError, match="no object 'widgets'"):
        mapper.map_record("widgets", {"id": 1})
    (no_id,) = mapper.map_record("sites", {"name": "x"})
    assert "has no id" in no_id.errors[0].reason


def test_rebuild_reference(mapped, records):
    mapper, results = mapped["fst", "none"]
    assert results["invoices"] == [] and results["invoice_lines"] == []
    assert len(mapper.rebuild_reference["invoices"]) == len(records["fst"]["invoices"])
    first = mapper.rebuild_reference["invoices"][0]
    assert first["invoice_number"] == records["fst"]["invoices"][0]["invoice_number"]
    mapper, _ = mapped["dispatch", "none"]
    assert len(mapper.rebuild_reference["brands"]) == len(records["dispatch"]["brands"])
    data = mapper.pop_rebuild_reference()
    assert "brands" in data and mapper.rebuild_reference == {}


def test_every_template_condition_is_known(proposals, targets):
    for proposal in proposals.values():
        mapper = RecordMapper(proposal, targets)
        assert not [n for n in mapper.notes if "not known to the mapper" in n]
        for line in proposal.object_maps:
            assert line.condition is None or line.condition in CONDITIONS
    proposal = copy.deepcopy(proposals["fst", "none"])
    proposal.object_maps[0].condition = "only on Tuesdays"
    mapper = RecordMapper(proposal, targets)
    assert any("'only on Tuesdays' is not known" in n for n in mapper.notes)


def test_stock_moves_when_enabled(proposals, targets, records):
    rows = records["fst"]["parts_used"]
    off = RecordMapper(proposals["fst", "all"], targets)
    assert {m.role for m in off.map_batch("parts_used", rows)} == {"parts_json"}
    on = RecordMapper(proposals["fst", "all"], targets, stock_moves=True)
    moves = by_role(on.map_batch("parts_used", rows))["stock_move"]
    assert len(moves) == len(rows)
    move = moves[0]
    assert move.refs["product_id"] == Ref("product", rows[0]["name"].strip(),
                                          model="product.product", field="name")
    assert move.refs["origin"].kind == "source_field" and move.refs["origin"].field == \
        "number"
    assert move.refs["location_id"].key == "WH/Stock"
    assert "product_uom" not in move.values  # computed by Odoo from the product
    assert move.errors == []


# -- speed --------------------------------------------------------------------------------


def test_mapping_rate(proposals, targets):
    data = generate(6, 7)  # ~930 distinct work orders, as the bundle reader gives them
    columns = columns_of("work_orders")
    rows = [{**{c: csv_value(r[c]) for c in columns}, "id": str(r["work_order_id"])}
            for r in data.records["work_orders"]]
    mapper = RecordMapper(proposals["fst", "none"], targets)
    start = time.perf_counter()
    out = mapper.map_batch("work_orders", rows)
    rate = len(rows) / (time.perf_counter() - start)
    print(f"\nmapped {len(rows)} FST work orders at {rate:,.0f} records/s")
    assert len(out) == len(rows)
    assert rate >= 1000
