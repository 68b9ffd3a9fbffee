"""An object the account cannot read is reported by discovery, not fatal (issue 18)."""

import pytest

from emulators.dispatch import DispatchEmulator
from emulators.dispatch_data import OBJECTS, DispatchData
from emulators.fst import make_server
from emulators.fst_data import generate
from emulators.httpbase import EmulatorServer
from emulators.variations import Variations
from services.dispatch_client import DispatchSource
from services.errors import SourceAuthError, SourceObjectUnreadable, as_unreadable
from services.fst_rest import FstRestSource
from services.profiling import profile_source, unreadable_objects


@pytest.fixture(scope="module")
def data():
    return DispatchData(0.3, seed=8)


def dispatch_source(server, **options):
    return DispatchSource(server.url, client_id="emulator-client",
                          client_secret=options.pop("client_secret", "emulator-secret"),
                          max_retries=1, backoff_base=0.001, sleep=lambda s: None, **options)


def test_every_object_unreadable_in_turn_leaves_the_others_profiled(data):
    emulator = DispatchEmulator(data)
    with EmulatorServer(emulator) as server:
        full = profile_source(dispatch_source(server), "dispatch")
        counts = {o["object"]: o["count"] for o in full["objects"]}
        assert all(o["readable"] for o in full["objects"]) and full["unreadable"] == []
        for index, obj in enumerate(OBJECTS):
            status = (404, 403, 401, 405, 501)[index % 5]
            emulator.unreadable = {obj: status}
            result = profile_source(dispatch_source(server), "dispatch")
            by_name = {o["object"]: o for o in result["objects"]}
            assert set(by_name) == set(counts)
            entry = by_name[obj]
            assert entry["readable"] is False and entry["status"] == status
            assert entry["count"] == 0 and entry["fields"] == []
            assert entry["vendor_message"] and f"HTTP {status}" in entry["reason"]
            expected_unreadable = [obj]
            if obj == "jobs":  # job contacts are read through the jobs list
                expected_unreadable.append("job_contacts")
                assert "read through their jobs" in by_name["job_contacts"]["reason"]
            assert result["unreadable"] == unreadable_objects(result)
            assert [u["object"] for u in result["unreadable"]] == expected_unreadable
            assert result["unreadable"][0] == {
                "object": obj, "status": status, "vendor_message": entry["vendor_message"],
                "reason": entry["reason"]}
            others = {name: o["count"] for name, o in by_name.items()
                      if name not in expected_unreadable}
            assert others == {name: n for name, n in counts.items()
                              if name not in expected_unreadable}


def test_refused_credentials_still_fail_discovery_at_once(data):
    with EmulatorServer(DispatchEmulator(data)) as server:
        with pytest.raises(SourceAuthError) as exc:
            profile_source(dispatch_source(server, client_secret="wrong"), "dispatch")
        assert not isinstance(exc.value, SourceObjectUnreadable)


def test_variations_unreadable_reaches_discovery():
    data = DispatchData(0.2, seed=3, variations=Variations(
        unreadable={"brands": 403, "survey_responses": 404}, empty=("sources",)))
    with EmulatorServer(DispatchEmulator(data)) as server:
        result = profile_source(dispatch_source(server), "dispatch")
    assert {u["object"]: u["status"] for u in result["unreadable"]} == {
        "brands": 403, "survey_responses": 404}
    sources = next(o for o in result["objects"] if o["object"] == "sources")
    assert sources["readable"] is True and sources["count"] == 0


@pytest.mark.parametrize("status", [401, 403, 404, 405, 501])
def test_fst_rest_unreadable_object(status):
    dataset = generate(0.3, seed=4)
    server = make_server(dataset=dataset).start()
    try:
        server.router.unreadable = {"invoices": status}
        source = FstRestSource({"base_url": server.url, "auth_type": "bearer",
                                "token": "fst-dev-token", "max_retries": 0,
                                "allowed_hosts": ["127.0.0.1"]}, sleep=lambda s: None)
        source.test_connection()
        for call in (lambda: list(source.iter_pages("invoices")),
                     lambda: list(source.iter_records("invoices")),
                     lambda: source.count("invoices")):
            with pytest.raises(SourceObjectUnreadable) as exc:
                call()
            assert exc.value.object == "invoices" and exc.value.status == status
            assert "not available" in exc.value.vendor_message
        result = profile_source(source, "fst")
        assert [u["object"] for u in result["unreadable"]] == ["invoices"]
        customers = next(o for o in result["objects"] if o["object"] == "customers")
        assert customers["count"] == len(dataset.records["customers"])
    finally:
        server.stop()


def test_as_unreadable_keeps_source_wide_and_other_errors():
    from services.errors import SourceConnectionError, SourceHTTPError

    assert as_unreadable("x", SourceHTTPError("boom", status=500)) is None
    assert as_unreadable("x", SourceConnectionError("down")) is None
    wide = SourceAuthError("refused", status=401)
    wide.source_wide = True
    assert as_unreadable("x", wide) is None
    found = as_unreadable("x", SourceHTTPError("gone", status=404, body_excerpt='"Not found"'))
    assert isinstance(found, SourceObjectUnreadable) and found.to_dict()["object"] == "x"
