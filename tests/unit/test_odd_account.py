"""An account shaped otherwise than the emulator, found by running the migration on the
emulator's knobs: users that send no e-mail at all, attachments with no name and an
empty description. A matched user needs nothing written; an attachment still gets a
name. Both objects migrate instead of being skipped or failed."""

import pytest
from unit_fixtures import ALL_APPS, CRM_STAGES, MemorySource, load_targets

from emulators.dispatch_data import DispatchData
from services.mapping import propose, validate
from services.profiling import profile_source
from services.record_mapper import RecordMapper


@pytest.fixture(scope="module")
def targets():
    return load_targets()


@pytest.fixture(scope="module")
def odd():
    data = DispatchData(0.3, 7)
    for user in data.records["users"]:
        user.pop("email", None)
    for index, attachment in enumerate(data.records["attachments"]):
        attachment.pop("name", None)
        if index % 2:
            attachment["description"] = ""
    return data


@pytest.fixture(scope="module")
def proposal(odd, targets):
    return propose("dispatch", profile_source(MemorySource(odd), "dispatch"), targets,
                   ALL_APPS, CRM_STAGES)


def test_users_without_email_are_still_matched(proposal, targets):
    technician = [o for o in proposal.object_maps
                  if o.source_object == "users" and o.role == "technician"]
    assert technician and not technician[0].skip, technician[0].reason
    assert validate(proposal, targets) == []


def test_attachments_without_name_get_one(proposal, odd, targets):
    line = next(o for o in proposal.object_maps if o.source_object == "attachments")
    assert not line.skip, line.reason
    assert line.defaults.get("name") == "Dispatch attachment"
    mapper = RecordMapper(proposal, targets, user_plan=[])
    items = [i for i in mapper.map_batch("attachments", odd.records["attachments"])
             if i.role == "attachment"]
    assert items
    named = {i.source_id: i.values.get("name") for i in items if not i.errors}
    with_description = {str(a["id"]): a["description"] for a in odd.records["attachments"]
                        if a.get("description")}
    for source_id, name in named.items():
        assert name == with_description.get(source_id, "Dispatch attachment"), source_id
    assert not [i.errors for i in items if any(e.target_field == "name" for e in i.errors)]
