"""The Dispatch emulator over real sockets: envelopes, filters, errors, tokens, admin."""

import argparse
import json
from datetime import datetime, timezone

import pytest
import requests

from emulators.dispatch import DispatchEmulator, add_arguments, build_router
from emulators.dispatch_data import DispatchData
from emulators.httpbase import EmulatorServer, add_fault_arguments, faults_from_args
from emulators.variations import Variations

CREDENTIALS = {"grant_type": "client_credentials", "client_id": "emulator-client",
               "client_secret": "emulator-secret"}


@pytest.fixture(scope="module")
def data():
    return DispatchData(1, seed=11)


@pytest.fixture
def emulator(data):
    return DispatchEmulator(data)


@pytest.fixture
def server(emulator):
    with EmulatorServer(emulator) as srv:
        yield srv


@pytest.fixture
def api(server):
    """``api(path, **params)`` -> requests.Response, with a valid bearer token."""
    token = requests.post(server.url + "/v3/oauth/token", json=CREDENTIALS, timeout=5).json()
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {token['access_token']}"

    def call(path, **params):
        return session.get(server.url + path, params=params, timeout=5)
    yield call
    session.close()


def _parse(value):
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def all_ids(api, path, **params):
    ids, offset = [], 0
    while True:
        body = api(path, limit=100, offset=offset, **params).json()
        key = path.rsplit("/", 1)[-1]
        ids += [r["id"] for r in body[key]]
        offset += 100
        if offset >= body["meta"]["total"]:
            return ids


def test_token_answer_is_as_documented(server):
    answer = requests.post(server.url + "/v3/oauth/token", json=CREDENTIALS, timeout=5)
    body = answer.json()
    assert answer.status_code == 200
    assert body["token_type"] == "bearer" and body["expires_in"] == 10800
    assert body["access_token"] and body["refresh_token"]
    assert isinstance(body["created_at"], int)


@pytest.mark.parametrize("body,status,error", [
    ({**CREDENTIALS, "client_secret": "wrong"}, 401, "invalid_client"),
    ({**CREDENTIALS, "grant_type": "password", "username": "dispatcher@example.com",
      "password": "x"}, 400, "invalid_grant"),
    # the documented password grant carries the client's credentials: checked too
    ({"grant_type": "password", "username": "dispatcher@example.com",
      "password": "dispatch-password"}, 401, "invalid_client"),
    ({**CREDENTIALS, "client_secret": "wrong", "grant_type": "password",
      "username": "dispatcher@example.com", "password": "dispatch-password"}, 401,
     "invalid_client"),
    ({"grant_type": "refresh_token", "refresh_token": "nope"}, 400, "invalid_grant"),
    ({"grant_type": "implicit"}, 400, "unsupported_grant_type"),
    ({}, 400, "invalid_request"),
])
def test_token_errors(server, body, status, error):
    answer = requests.post(server.url + "/v3/oauth/token", json=body, timeout=5)
    assert answer.status_code == status
    assert answer.json()["error"] == error and answer.json()["error_description"]


def test_list_envelope_paging_and_singular(api, data):
    body = api("/v3/customers", limit=10, offset=20).json()
    assert body["meta"] == {"total": len(data.records["customers"]), "limit": 10, "offset": 20}
    assert [c["id"] for c in body["customers"]] == [
        c["id"] for c in data.records["customers"][20:30]]
    assert api("/v3/customers").json()["meta"]["limit"] == 25
    one = api(f"/v3/jobs/{data.records['jobs'][5]['id']}").json()
    assert one == {"job": data.records["jobs"][5]}


def test_errors(api, server, emulator):
    assert api("/v3/jobs/1").status_code == 404
    assert api("/v3/jobs/abc").json() == {"errors": "Not found"}
    assert api("/v3/invoices").status_code == 404
    too_big = api("/v3/jobs", limit=101)
    assert too_big.status_code == 422 and "limit" in too_big.json()["errors"]
    assert api("/v3/jobs", limit=0).status_code == 400
    assert api("/v3/jobs", **{"filter[nope_eq]": "1"}).status_code == 400
    assert api("/v3/jobs", **{"filter[status_like]": "1"}).status_code == 400
    assert api("/v3/appointments", **{"filter[time_gt]": "yesterday"}).status_code == 422
    assert requests.get(server.url + "/v3/jobs", timeout=5).status_code == 401
    emulator.forbidden = {"organizations"}
    assert api("/v3/organizations").status_code == 403


def _expected(data, obj, test):
    return [r["id"] for r in data.records[obj] if test(r)]


@pytest.mark.parametrize("obj,flt,value,test", [
    ("jobs", "status_eq", "complete", lambda r: r["status"] == "complete"),
    ("jobs", "status_not_eq", "complete", lambda r: r["status"] != "complete"),
    ("jobs", "status_in", "scheduled,paused", lambda r: r["status"] in ("scheduled", "paused")),
    ("appointments", "user_id_null", "true", lambda r: r["user_id"] is None),
    ("appointments", "user_id_null", "false", lambda r: r["user_id"] is not None),
    ("jobs", "symptom_null", "false", lambda r: bool(r.get("symptom"))),
    ("customers", "external_id_contains", "QB:",
     lambda r: any("QB:" in x for x in r["external_ids"])),
    ("appointments", "time_gt", "2023-01-01T00:00:00Z",
     lambda r: _parse(r["time"]) > datetime(2023, 1, 1, tzinfo=timezone.utc)),
    ("appointments", "time_gteq", "2023-01-01T00:00:00-05:00",
     lambda r: _parse(r["time"]) >= datetime(2023, 1, 1, 5, tzinfo=timezone.utc)),
    ("appointments", "time_lt", "2020-01-01", lambda r: _parse(r["time"]) < datetime(
        2020, 1, 1, tzinfo=timezone.utc)),
    ("appointments", "time_lteq", "2020-01-01T00:00:00Z", lambda r: _parse(r["time"]) <= datetime(
        2020, 1, 1, tzinfo=timezone.utc)),
    ("survey_responses", "rating_gteq", "4", lambda r: r["rating"] >= 4),
])
def test_each_filter_predicate(api, data, obj, flt, value, test):
    expected = _expected(data, obj, test)
    assert expected, "the filter must select something to be meaningful"
    assert len(expected) < len(data.records[obj]), "and must leave something out"
    assert all_ids(api, f"/v3/{obj}", **{f"filter[{flt}]": value}) == expected


def test_password_grant_with_client_credentials_gives_a_token(server):
    body = {**CREDENTIALS, "grant_type": "password", "username": "dispatcher@example.com",
            "password": "dispatch-password"}
    answer = requests.post(server.url + "/v3/oauth/token", json=body, timeout=5)
    assert answer.status_code == 200 and answer.json()["access_token"]


@pytest.mark.parametrize("obj,flt,value,test", [
    # the docs' own example: a filter without predicate means _eq
    ("jobs", "status", "complete", lambda r: r["status"] == "complete"),
    ("appointments", "job_id", None, None),
    ("survey_responses", "rating", "4", lambda r: r["rating"] == 4),
])
def test_filter_without_predicate_means_eq(api, data, obj, flt, value, test):
    if value is None:  # the SDK's get_surveys_for_job style: filter[job_id]=<id>
        value = data.records[obj][0]["job_id"]
        test = lambda r: r["job_id"] == value  # noqa: E731
    expected = _expected(data, obj, test)
    assert expected and len(expected) < len(data.records[obj])
    assert all_ids(api, f"/v3/{obj}", **{f"filter[{flt}]": value}) == expected
    assert all_ids(api, f"/v3/{obj}", **{f"filter[{flt}_eq]": value}) == expected


def test_users_by_user_roles(api, data):
    technicians = _expected(data, "users", lambda r: "technician" in r["roles"])
    dispatchers = _expected(data, "users", lambda r: "dispatcher" in r["roles"])
    assert 0 < len(technicians) < len(data.records["users"])
    assert all_ids(api, "/v3/users", **{"filter[by_user_roles]": "technician"}) == technicians
    assert all_ids(api, "/v3/users", **{"filter[by_user_roles]": "dispatcher"}) == dispatchers
    both = _expected(data, "users", lambda r: set(r["roles"]) & {"technician", "dispatcher"})
    assert all_ids(api, "/v3/users",
                   **{"filter[by_user_roles]": "dispatcher,technician"}) == both
    assert api("/v3/jobs", **{"filter[by_user_roles]": "technician"}).status_code == 400


def test_documented_fields_stay_filterable_when_absent_or_empty():
    """An account that never sends a field, or has no record of an object, answers a
    filter on a documented attribute with an empty list, not a 400 (found by the SDK
    contract test); an attribute that is not documented still is a 400."""
    data = DispatchData(1, seed=11, variations=Variations(empty=("customers",),
                                                           absent_rate=1.0, seed=2))
    assert "email" not in data.records["users"][0] and not data.records["customers"]
    emulator = DispatchEmulator(data)
    token = emulator("POST", "/v3/oauth/token", {}, {}, json.dumps(CREDENTIALS).encode())
    headers = {"authorization": f"Bearer {token[2]['access_token']}"}

    def get(path, **params):
        return emulator("GET", path, {k: [v] for k, v in params.items()}, headers, b"")

    for path, flt in (("/v3/users", "filter[email_eq]"), ("/v3/customers", "filter[email]"),
                      ("/v3/jobs", "filter[status]")):
        status, _, body = get(path, **{flt: "x@example.com"})
        assert status == 200 and json.loads(body)["meta"]["total"] == 0, (path, flt)
    assert get("/v3/users", **{"filter[shoe_size_eq]": "9"})[0] == 400


def test_unpaged_subresources_answer_the_whole_list_without_meta(api, data, emulator):
    emulator.unpaged_subresources = True
    by_job = {}
    for contact in data.records["job_contacts"]:
        by_job.setdefault(contact["job_id"], []).append(contact)
    job_id = max(by_job, key=lambda j: len(by_job[j]))
    body = api(f"/v3/jobs/{job_id}/contacts", limit=1, offset=1).json()
    assert body == {"contacts": by_job[job_id]}  # limit/offset ignored, no meta
    assert len(by_job[job_id]) >= 2


def test_customer_id_in_filter(api, data):
    wanted = [data.records["customers"][i]["id"] for i in (1, 2, 3)]
    ids = all_ids(api, "/v3/jobs", **{"filter[customer_id_in]": ",".join(map(str, wanted))})
    assert ids == _expected(data, "jobs", lambda r: r["customer_id"] in wanted)


def test_updated_filter_ignored_unless_honoured(api, data, emulator):
    params = {"filter[updated_at_gteq]": "2024-07-01T00:00:00Z"}
    assert len(all_ids(api, "/v3/jobs", **params)) == len(data.records["jobs"])
    emulator.honour_updated_filter = True
    since = datetime(2024, 7, 1, tzinfo=timezone.utc)
    assert all_ids(api, "/v3/jobs", **params) == _expected(
        data, "jobs", lambda r: _parse(r["updated_at"]) >= since)


def test_job_contacts_endpoint(api, data):
    job_id = data.records["job_contacts"][0]["job_id"]
    body = api(f"/v3/jobs/{job_id}/contacts").json()
    assert body["contacts"] == [c for c in data.records["job_contacts"] if c["job_id"] == job_id]
    assert body["meta"]["total"] == len(body["contacts"])
    assert api("/v3/jobs/42/contacts").status_code == 404


def test_datafile_redirects_to_signed_url(api, server, data):
    attachment = data.records["attachments"][0]
    answer = api(f"/v1/datafiles/{attachment['file_token']}")
    assert answer.history and answer.history[0].status_code == 302
    assert answer.content == data.file(attachment["file_token"])[2]
    location = answer.history[0].headers["Location"]
    assert "/_files/" in location and "signature=" in location
    forged = location.split("signature=")[0] + "signature=00"
    assert requests.get(forged, timeout=5).status_code == 403
    assert api("/v3/datafiles/unknown").status_code == 404


def test_admin_changes_records():
    data = DispatchData(1, seed=12)
    emulator = DispatchEmulator(data, token_ttl=60)
    with EmulatorServer(emulator) as server:
        admin = server.url + "/_admin/"
        created = requests.post(admin + "customers", json={"first_name": "New"}, timeout=5).json()
        new_id = created["customer"]["id"]
        job = data.records["jobs"][0]
        patched = requests.patch(admin + f"jobs/{job['id']}", json={"title": "Changed"},
                                 timeout=5).json()["job"]
        assert patched["title"] == "Changed" and patched["updated_at"] > "2025"
        victim = data.records["customers"][0]["id"]
        assert requests.delete(admin + f"customers/{victim}", timeout=5).status_code == 204
        contact = requests.post(admin + "job_contacts", json={"job_id": job["id"],
                                "first_name": "Added"}, timeout=5).json()["contact"]
        token = requests.post(server.url + "/v3/oauth/token", json=CREDENTIALS,
                              timeout=5).json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
        listed = requests.get(server.url + "/v3/customers", params={"limit": 100, "offset": 100},
                              headers=headers, timeout=5).json()
        assert listed["meta"]["total"] == len(data.records["customers"])  # one in, one out
        assert listed["customers"][-1]["id"] == new_id
        contacts = requests.get(server.url + f"/v3/jobs/{job['id']}/contacts", headers=headers,
                                timeout=5).json()["contacts"]
        assert contact["id"] in [c["id"] for c in contacts]
        assert requests.post(admin + "tokens/expire", timeout=5).status_code == 200
        expired = requests.get(server.url + "/v3/jobs", headers=headers, timeout=5)
        assert expired.status_code == 401 and "expired" in expired.json()["errors"]
        assert requests.patch(admin + "jobs/1", json={}, timeout=5).status_code == 404


def test_command_line_options_reach_the_emulator():
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=float)
    parser.add_argument("--seed", type=int)
    add_fault_arguments(parser)
    add_arguments(parser)
    args = parser.parse_args([
        "--scale", "0.1", "--seed", "9", "--fault-rate-429", "0.2", "--fault-drop-rate", "0.1",
        "--token-ttl", "5", "--honour-updated-filter", "--client-secret", "s",
        "--unpaged-subresources"])
    faults = faults_from_args(args)
    assert (faults.rate_429, faults.drop_rate, faults.seed) == (0.2, 0.1, 9)
    emulator = build_router(args, faults)
    assert emulator.faults is faults and emulator.client_secret == "s"
    assert emulator.token_ttl == 5 and emulator.honour_updated_filter is True
    assert emulator.unpaged_subresources is True
    assert EmulatorServer(emulator).faults is faults
