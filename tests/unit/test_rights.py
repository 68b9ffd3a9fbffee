"""The rights model (``services.rights``): the proposals for both sources pass it, and
every way a map could grant rights, log in or reach ``ir.*`` is refused by name."""

import copy

import pytest
from unit_fixtures import ALL_APPS, CRM_STAGES, MemorySource, load_targets, profiled_fst_bundle

from emulators.dispatch_data import DispatchData
from services import rights
from services.mapping import FieldMapLine, ObjectMapLine, propose, validate
from services.profiling import profile_source


@pytest.fixture(scope="module")
def targets():
    return load_targets()


@pytest.fixture(scope="module")
def proposals(tmp_path_factory, targets):
    fst, schema = profiled_fst_bundle(tmp_path_factory.mktemp("fst_bundle"), 1, 0)
    dispatch = profile_source(MemorySource(DispatchData(1, 0)), "dispatch")
    return {
        ("fst", label): propose("fst", fst, targets, apps, CRM_STAGES, custom_fields=schema)
        for label, apps in (("none", set()), ("all", ALL_APPS))} | {
        ("dispatch", label): propose("dispatch", dispatch, targets, apps, CRM_STAGES)
        for label, apps in (("none", set()), ("all", ALL_APPS))}


def test_every_proposal_passes_the_rights_model(proposals, targets):
    for key, proposal in proposals.items():
        assert rights.proposal_problems(proposal, targets) == [], key


def _with(proposal, *, objects=(), fields=()):
    changed = copy.deepcopy(proposal)
    changed.object_maps.extend(objects)
    changed.field_maps.extend(fields)
    return changed


ATTACKS = [
    # (what, object lines, field lines, words the refusal says)
    ("users through defaults", [ObjectMapLine(
        "technicians", "res.users", "user", 99, defaults={"groups_id": ["Settings"],
                                                         "password": "x"})], [],
     "matched by the user plan"),
    ("groups default on a partner", [ObjectMapLine(
        "customers", "res.partner", "evil", 99, defaults={"user_ids": [2]})], [],
     "never written by a migration"),
    ("a model outside the map", [ObjectMapLine("customers", "ir.config_parameter", "p", 99)],
     [], "not a target"),
    ("res.groups", [ObjectMapLine("customers", "res.groups", "g", 99)], [], "not a target"),
    ("login on an employee", [], [FieldMapLine("technicians", "email", "hr.employee",
                                               "login")], "never written"),
    ("private field", [], [FieldMapLine("customers", "name", "res.partner", "__last_update")],
     "never written"),
    ("x_ field on ir.rule", [], [FieldMapLine(
        "customers", "name", "ir.rule", "x_evil",
        new_field={"name": "x_evil", "ttype": "char"})], "custom fields are created only"),
    ("x_ field on res.users", [], [FieldMapLine(
        "customers", "name", "res.users", "x_evil",
        new_field={"name": "x_evil", "ttype": "char"})], "custom fields are created only"),
    ("x_ link to res.groups", [], [FieldMapLine(
        "customers", "name", "res.partner", "x_grp",
        new_field={"name": "x_grp", "ttype": "many2one", "relation": "res.groups"})],
     "must point to a target model"),
]


@pytest.mark.parametrize("what,objects,fields,words", ATTACKS, ids=[a[0] for a in ATTACKS])
def test_attacks_are_refused_at_validation(proposals, targets, what, objects, fields, words):
    attacked = _with(proposals["dispatch", "all"], objects=objects, fields=fields)
    problems = rights.proposal_problems(attacked, targets)
    assert problems and any(words in p for p in problems), (what, problems)
    assert any(words in p for p in validate(attacked, targets)), what


def test_engine_check_of_values(targets):
    fields_of = targets["res.partner"]
    assert rights.values_problems("res.partner", {"name": "A", "email": "a@b.c"},
                                  fields_of) == []
    refused = dict(rights.values_problems("res.partner", {"name": "A", "user_ids": [(4, 2)]},
                                          fields_of))
    assert "user_ids" in refused
    assert rights.values_problems("res.users", {"name": "x"}, targets.get("res.users", {}))
    assert rights.values_problems("ir.config_parameter", {"key": "x"}, {})


def test_secrets_are_masked():
    assert rights.mask_secrets({"password": "hunter2", "name": "A"}) == {
        "password": "(set)", "name": "A"}
    assert rights.mask_secrets({"password": False}) == {"password": False}
    assert rights.mask_secrets(None) is None
