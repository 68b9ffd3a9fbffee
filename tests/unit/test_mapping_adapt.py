"""Templates adapt to what discovery saw (issue 18): absent fields, empty and unreadable
objects never block the map; tried on shapes the emulators do not make."""

import copy
import random

import pytest
from unit_fixtures import ALL_APPS, CRM_STAGES, MemorySource, load_targets, profiled_fst_bundle

from emulators.dispatch_data import DispatchData
from emulators.variations import Variations
from services import mapping_templates as tpl
from services.errors import SourceObjectUnreadable
from services.mapping import propose, validate
from services.profiling import profile_source, unreadable_profile


@pytest.fixture(scope="module")
def targets():
    return load_targets()


@pytest.fixture(scope="module")
def dispatch():
    return profile_source(MemorySource(DispatchData(0.5, 0)), "dispatch")


@pytest.fixture(scope="module")
def fst(tmp_path_factory):
    return profiled_fst_bundle(tmp_path_factory.mktemp("fst_adapt"), 0.5, 0)


def without(dictionary, obj, *names):
    """The dictionary as if ``obj`` had never sent ``names`` (nor fields under them)."""
    changed = copy.deepcopy(dictionary)
    for profile in changed["objects"]:
        if profile["object"] == obj:
            profile["fields"] = [f for f in profile["fields"] if not any(
                f["name"] == n or f["name"].startswith(n + ".") for n in names)]
    return changed


def emptied(dictionary, *objs):
    changed = copy.deepcopy(dictionary)
    for profile in changed["objects"]:
        if profile["object"] in objs:
            profile.update(count=0, profiled=0, fields=[])
    return changed


def unreadable(dictionary, obj, status=404, words='"Not found"'):
    changed = copy.deepcopy(dictionary)
    changed["objects"] = [unreadable_profile(obj, SourceObjectUnreadable(obj, status, words))
                          if p["object"] == obj else p for p in changed["objects"]]
    return changed


def object_line(proposal, obj, role):
    return next(line for line in proposal.object_maps
                if line.source_object == obj and line.role == role)


def field_lines(proposal, obj, target=None):
    return [line for line in proposal.field_maps if line.source_object == obj
            and (target is None or line.target_field == target) and not line.skip]


def test_an_alternative_field_fills_a_required_target(dispatch, targets):
    proposal = propose("dispatch", without(dispatch, "sources", "title"), targets, (),
                       CRM_STAGES)
    assert validate(proposal, targets) == []
    (line,) = field_lines(proposal, "sources", "name")
    assert line.source_field == "name" and "never seen" in line.reason
    assert not object_line(proposal, "sources", "utm_source").skip
    # the template line of a field never seen is not proposed
    assert not [f for f in proposal.field_maps if f.source_object == "sources"
                and f.source_field == "title"]


def test_a_default_fills_a_required_target_when_no_field_can(dispatch, targets):
    shape = without(dispatch, "jobs", "title", "service_type", "description")
    proposal = propose("dispatch", shape, targets, (), CRM_STAGES)
    assert validate(proposal, targets) == []
    lead = object_line(proposal, "jobs", "lead")
    assert not lead.skip and lead.defaults["name"] == "Dispatch job"
    assert "default 'Dispatch job'" in lead.reason


def test_without_any_source_or_default_the_object_line_is_skipped_with_the_reason(
        dispatch, targets):
    shape = without(dispatch, "appointments", "time", "created_at")
    proposal = propose("dispatch", shape, targets, (), CRM_STAGES)
    assert validate(proposal, targets) == []
    activity = object_line(proposal, "appointments", "activity")
    assert activity.skip
    assert "mail.activity.date_deadline has no source" in activity.reason
    assert "map a source field to it or give it a default" in activity.reason


@pytest.mark.parametrize("kind", ["dispatch", "fst"])
def test_empty_objects_are_skipped_as_nothing_to_migrate(kind, dispatch, fst, targets):
    dictionary = dispatch if kind == "dispatch" else fst[0]
    objs = ("brands", "sources", "survey_responses") if kind == "dispatch" else (
        "parts_used", "invoices", "notes")
    proposal = propose(kind, emptied(dictionary, *objs), targets, ALL_APPS, CRM_STAGES)
    assert validate(proposal, targets) == []
    for line in proposal.object_maps:
        if line.source_object in objs:
            assert line.skip and line.reason.startswith("nothing to migrate: 0 records")


@pytest.mark.parametrize("obj", ["customers", "jobs", "users", "organizations",
                                 "appointments", "attachments", "job_contacts"])
def test_an_unreadable_object_is_skipped_and_never_blocks(obj, dispatch, targets):
    proposal = propose("dispatch", unreadable(dispatch, obj, 403, "Not in your plan"),
                       targets, ALL_APPS, CRM_STAGES)
    assert validate(proposal, targets) == []
    for line in proposal.object_maps:
        if line.source_object == obj:
            assert line.skip and line.reason.startswith(
                "not readable: HTTP 403 Not in your plan")
    if obj == "customers":  # jobs are planned without their customer
        link = next(f for f in proposal.field_maps if f.source_object == "jobs"
                    and f.target_field == "partner_id" and f.role == "lead")
        assert link.skip and link.reason.startswith("links to customers, which is skipped")
        assert not object_line(proposal, "jobs", "lead").skip
    if obj == "jobs":  # an activity on no lead means nothing: blocked with the reason
        activity = object_line(proposal, "appointments", "activity")
        assert activity.skip and activity.reason.startswith("blocked: its records hang on jobs")


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("kind", ["dispatch", "fst"])
def test_random_shapes_always_validate(kind, seed, dispatch, fst, targets):
    """Fields dropped at random (30%), one object empty and one unreadable: whatever the
    shape, the proposal validates and every object line either maps or says why not."""
    rng = random.Random(f"{kind}:{seed}")
    dictionary = copy.deepcopy(dispatch if kind == "dispatch" else fst[0])
    for profile in dictionary["objects"]:
        leaves = sorted({f["name"].split(".")[0] for f in profile["fields"]} - {"id"})
        dropped = [name for name in leaves if rng.random() < 0.3]
        dictionary = without(dictionary, profile["object"], *dropped)
    names = sorted(p["object"] for p in dictionary["objects"])
    dictionary = emptied(dictionary, rng.choice(names))
    dictionary = unreadable(dictionary, rng.choice(names), rng.choice((401, 403, 404)))
    installed = ALL_APPS if seed % 2 else ()
    schema = fst[1] if kind == "fst" else None
    proposal = propose(kind, dictionary, targets, installed, CRM_STAGES, custom_fields=schema)
    assert validate(proposal, targets) == []
    for line in proposal.object_maps:
        assert line.reason


def test_emulator_variations_map_without_blocking(targets):
    """The emulator's own knobs: 20% of optional fields absent, one empty collection."""
    for seed in range(4):
        data = DispatchData(0.3, seed, variations=Variations(
            absent_rate=0.2, empty=("brands",), seed=seed))
        dictionary = profile_source(MemorySource(data), "dispatch")
        proposal = propose("dispatch", dictionary, targets, ALL_APPS, CRM_STAGES)
        assert validate(proposal, targets) == [], seed


def test_fallback_table_names_real_transforms():
    from services.mapping import TRANSFORM_TYPES

    for table in tpl.FALLBACKS.values():
        for candidates in table.values():
            for source, transform, _args in candidates:
                assert source == "=" or transform in TRANSFORM_TYPES
