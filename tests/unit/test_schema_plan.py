from services.schema_plan import SERVICE_TAG, build_plan, to_ir_model_fields_xml

MAP = {
    "fields": [
        {"target_model": "crm.lead", "target_field": "x_studio_gate_code", "skip": False,
         "new_field_type": "char", "new_field_label": "Gate code"},
        {"target_model": "crm.lead", "target_field": "x_studio_gate_code", "skip": False,
         "new_field_type": "char"},  # a second source field on the same new field: once
        {"target_model": "res.partner", "target_field": "x_studio_contact_role", "skip": False,
         "new_field_type": "selection", "new_field_options": "Billing\nSite contact\nBilling\n"},
        {"target_model": "crm.lead", "target_field": "x_studio_skipped", "skip": True,
         "new_field_type": "char"},
        {"target_model": "crm.lead", "target_field": "x_studio_exists", "skip": False,
         "new_field_type": "char"},
        {"target_model": "crm.lead", "target_field": "email_from", "skip": False,
         "new_field_type": False},
        {"target_model": "crm.lead", "target_field": "x_studio_site_id", "skip": False,
         "new_field_type": "many2one", "new_field_relation": "res.partner"},
    ],
    "values": [
        {"kind": "stage", "target_value": "Completed", "is_won": True, "create_new": True},
        {"kind": "stage", "target_value": "completed ", "is_won": True, "create_new": True},
        {"kind": "stage", "target_value": "New", "create_new": True},
        {"kind": "priority", "target_value": "2", "create_new": False},
    ],
    "users": [
        {"action": "create", "email": "Tech@Example.com", "name": "Tech", "source_id": "T1"},
        {"action": "create", "email": "tech@example.com ", "name": "Tech 2", "source_id": "T2"},
        {"action": "create", "email": "old@example.com", "name": "Old", "source_id": "T3"},
        {"action": "map", "email": "x@example.com", "name": "X", "source_id": "T4"},
    ],
}


def test_plan_lists_only_what_is_missing_once():
    plan = build_plan(MAP, {"crm.lead": {"x_studio_exists", "email_from"}}, ["New"], [],
                      existing_logins=["OLD@example.com"])
    assert [(f.model, f.name) for f in plan.fields] == [
        ("crm.lead", "x_studio_gate_code"), ("res.partner", "x_studio_contact_role"),
        ("crm.lead", "x_studio_site_id")]
    assert plan.fields[2].relation == "res.partner"
    assert plan.fields[0].string == "Gate code"
    assert plan.fields[1].selection == [("Billing", "Billing"), ("Site contact", "Site contact")]
    assert plan.stages == [{"name": "Completed", "is_won": True}]
    assert [u["email"] for u in plan.users] == ["tech@example.com"]
    assert plan.tags == [SERVICE_TAG]
    assert plan.summary() == {"fields": 3, "stages": 1, "users": 1, "tags": 1}
    assert build_plan(MAP, {}, [], ["service HISTORY"]).tags == []


def test_bad_field_name_refused():
    bad = {"fields": [{"target_model": "crm.lead", "target_field": "x_Bad Name", "skip": False,
                       "new_field_type": "char"}]}
    try:
        build_plan(bad, {}, [], [])
    except ValueError as exc:
        assert "x_Bad Name" in str(exc)
    else:
        raise AssertionError("an invalid field name must be refused")


def test_xml_export_is_loadable_data():
    from xml.etree import ElementTree

    xml = to_ir_model_fields_xml(build_plan(MAP, {}, [], []))
    root = ElementTree.fromstring(xml.encode())
    records = root.findall("record")
    assert [r.get("model") for r in records] == ["ir.model.fields"] * 4
    role = next(r for r in records if r.get("id").endswith("x_studio_contact_role"))
    fields = {f.get("name"): f for f in role.findall("field")}
    assert fields["model_id"].get("ref") == "base.model_res_partner"
    assert fields["ttype"].text == "selection" and fields["state"].text == "manual"
    assert "'value': 'Site contact'" in fields["selection_ids"].get("eval")
    site = next(r for r in records if r.get("id").endswith("x_studio_site_id"))
    assert {f.get("name"): f.text for f in site.findall("field")}["relation"] == "res.partner"
