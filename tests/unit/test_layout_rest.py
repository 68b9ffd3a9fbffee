"""The FST REST adapter through a source layout: the emulator's own JSON is the known
profile; an installation whose JSON says ``CustomerNo``, ``WorkOrderNumber``, ``TechName``
… gets a layout that, once confirmed, reads the same canonical records."""

import pytest

from emulators.fst import API_PREFIX, FstApi
from emulators.fst_bundle import write_bundle
from emulators.fst_data import generate
from emulators.httpbase import EmulatorServer, FaultConfig
from services.errors import SourceConfigError, SourceConnectionError
from services.fst_bundle import FstBundleSource
from services.fst_rest import FstRestSource
from services.layout.discover import REST_PROFILE, propose_source_layout
from services.layout.model import SourceLayout, known_fst_profile
from services.layout.rest_tables import RestTables, text_row, text_value
from services.layout.source import LayoutSource
from services.source_base import Source
from services.source_factory import build_source

SEED = 11
TOKEN = "fst-dev-token"
#: the installation's own names, where the generic rule (below) is not what it says
OWN_NAMES = {
    "customers": {"customer_id": "CustomerNo", "name": "CustName", "email": "Cust_Email",
                  "account_code": "AccountCode", "updated_at": "LastModified",
                  "created_at": "DateCreated"},
    "technicians": {"technician_id": "TechID", "first_name": "TechFirstName",
                    "last_name": "TechLastName", "email": "TechEmail",
                    "active": "IsActive"},
    "work_orders": {"work_order_id": "WorkOrderID", "number": "WorkOrderNumber",
                    "customer_id": "CustomerNo", "site_id": "SiteNo",
                    "updated_at": "LastModified", "created_at": "DateCreated",
                    "scheduled_at": "ScheduledFor", "completed_at": "CompletedOn"},
}
#: customers' billing address sent as a nested object
NESTED = {"customers": ("BillTo", {"bill_street": "Street", "bill_street2": "Street2",
                                   "bill_city": "City", "bill_state": "State",
                                   "bill_zip": "Zip", "bill_country": "Country"})}


def own_name(obj, column):
    """``customer_id`` → ``CustomerNo``, ``unit_price`` → ``UnitPrice`` …"""
    if column in OWN_NAMES.get(obj, {}):
        return OWN_NAMES[obj][column]
    if column.startswith("cf_"):
        column = column[3:]
    if column.endswith("_id"):
        return "".join(p.title() for p in column[:-3].split("_")) + "No"
    return "".join(p.title() for p in column.split("_"))


class RenamingApi:
    """The FST emulator's router, its records sent in an installation's own JSON: every
    field renamed, the billing address nested, a work order's technician named by full
    name (``TechName``) instead of by id."""

    def __init__(self, api, dataset):
        self.api = api
        self.faults = api.faults
        self.tech_names = {t["technician_id"]: f"{t['first_name']} {t['last_name']}"
                           for t in dataset.records["technicians"]}

    def __call__(self, method, path, query, headers, body):
        status, answer_headers, payload = self.api(method, path, query, headers, body)
        parts = path[len(API_PREFIX):].strip("/").split("/")
        if status == 200 and len(parts) == 1 and isinstance(payload, dict) \
                and isinstance(payload.get("data"), list):
            payload = {**payload, "data": [self.rename(parts[0], r) for r in payload["data"]]}
        return status, answer_headers, payload

    def rename(self, obj, record):
        if not isinstance(record, dict):
            return record
        nested_key, nested = NESTED.get(obj, (None, {}))
        out, inner = {}, {}
        for column, value in record.items():
            if column in nested:
                inner[nested[column]] = value
            elif obj == "work_orders" and column == "technician_id":
                out["TechName"] = self.tech_names.get(value) if value is not None else None
            else:
                out[own_name(obj, column)] = value
        if nested_key:
            out[nested_key] = inner
        return out


@pytest.fixture(scope="module")
def dataset():
    return generate(1, seed=SEED)


@pytest.fixture(scope="module")
def bundle(dataset, tmp_path_factory):
    """The same data as an FST bundle in the built-in layout."""
    return FstBundleSource(write_bundle(dataset, tmp_path_factory.mktemp("bundle") / "b"))


@pytest.fixture(scope="module")
def expected(bundle):
    """The canonical records, as the built-in bundle gives them."""
    return {obj: list(bundle.iter_records(obj)) for obj in bundle.list_objects()}


@pytest.fixture
def serve(dataset):
    servers = []

    def start(renamed=False, unreadable=None, malformed=0):
        api = FstApi(dataset, unreadable=unreadable or {},
                     faults=FaultConfig(seed=SEED, malformed_rate=malformed))
        server = EmulatorServer(RenamingApi(api, dataset) if renamed else api).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


def settings(server, layout=None):
    return {"kind": "fst_rest", "url": server.url, "auth_method": "bearer", "token": TOKEN,
            "allow_loopback": True, "rest_config": {"page_size": 60}, "layout": layout}


# -- values as text ----------------------------------------------------------------------

def test_json_values_become_the_text_an_export_holds():
    assert [text_value(v) for v in (None, True, False, 0, 12, 1234.5, 0.1 + 0.2, 1e-05,
                                    2.5e20, "  as is ")] == [
        "", "true", "false", "0", "12", "1234.5", "0.30000000000000004", "0.00001",
        "250000000000000000000", "  as is "]
    assert text_value(["HVAC", "Boilers", 3, None]) == "HVAC; Boilers; 3"
    assert text_value(["a;b", "c"]) == '["a;b", "c"]'
    assert text_value([{"x": 1}]) == '[{"x": 1}]'
    row = text_row({"id": 7, "BillTo": {"City": "Oslo", "Geo": {"Lat": 1.5, "Deep": {"x": 1}}},
                    "Tags": [], "Empty": {}})
    assert row == {"id": "7", "BillTo.City": "Oslo", "BillTo.Geo.Lat": "1.5",
                   "BillTo.Geo.Deep": '{"x": 1}', "Tags": "", "Empty": "{}"}


# -- the known profile -------------------------------------------------------------------

def test_the_emulators_own_json_is_the_known_profile_read_by_the_adapter(serve):
    server = serve(unreadable={"invoices": 404})
    layout = propose_source_layout(settings(server))
    assert layout.profile == REST_PROFILE
    assert layout.lowest_confidence() == 1.0 and not layout.problems()
    tables = {t.object: t for t in layout.tables}
    assert [t.path for t in layout.tables] == [t.object for t in layout.tables]
    assert tables["invoices"].status.startswith("not readable: HTTP 404")
    assert tables["customers"].status == "read" and tables["customers"].rows == 80
    assert tables["customers"].sample[0]["customer_id"]
    # a confirmed fst_rest layout keeps the adapter itself
    source = build_source(settings(server, layout.to_dict()))
    assert isinstance(source, FstRestSource)
    source.close()


def _structure(data):
    """A layout's choices without its volatile parts (as the project compares them)."""
    volatile = ("confidence", "reason", "sample", "rows", "status", "encoding")
    if isinstance(data, dict):
        return {k: _structure(v) for k, v in data.items() if k not in volatile}
    if isinstance(data, list | tuple):
        return [_structure(v) for v in data]
    return data


def test_the_known_profile_makes_the_choices_rest_projects_confirmed_before(serve):
    """Before layouts were proposed from the API, a REST project got the built-in layout
    with one table per object named after it: a confirmed one stays the same."""
    before = known_fst_profile()
    before.profile = "fst_rest"
    for table in before.tables:
        table.path = table.object
    now = propose_source_layout(settings(serve()))
    assert _structure(now.to_dict()) == _structure(before.to_dict())
    # an endpoint with no records, or a configuration leaving an object out, neither
    # contradicts the adapter's JSON nor changes the choices
    server = serve()
    config = settings(server)
    config["rest_config"] = {"endpoints": {"parts_used": "", "notes": "/api/v1/nothing"}}
    now = propose_source_layout(config)
    assert now.profile == "fst_rest"
    assert _structure(now.to_dict()) == _structure(before.to_dict())
    statuses = {t.object: t.status for t in now.tables}
    assert statuses["parts_used"] == "no endpoint configured"
    assert statuses["notes"].startswith("not readable: HTTP 404")


def test_a_source_wide_failure_is_raised_not_listed(serve):
    server = serve()
    config = settings(server)
    server.stop()
    with pytest.raises(SourceConnectionError):
        propose_source_layout({**config, "rest_config": {"max_retries": 0,
                                                         "connect_timeout": 0.5}})


# -- an installation of its own ----------------------------------------------------------

def _proposed(server):
    source = FstRestSource({"base_url": server.url, "token": TOKEN, "page_size": 60})
    raw = RestTables(source)
    layout = propose_source_layout({"kind": "fst_rest"}, source=raw.source)
    return raw, layout


def test_an_installation_naming_its_fields_otherwise_gets_a_layout_to_confirm(serve):
    raw, layout = _proposed(serve(renamed=True))
    assert layout.profile == "custom"
    objects = {t.path: t.object for t in layout.tables}
    assert objects == {name: name for name in objects}, objects
    customers, work_orders = layout.table_of("customers"), layout.table_of("work_orders")
    assert [c.name for c in customers.key_columns()] == ["CustomerNo"]
    assert [c.name for c in work_orders.key_columns()] == ["WorkOrderID"]
    roles = {c.name: (c.role, c.field, c.link_object, c.link_key) for c in work_orders.columns}
    assert roles["CustomerNo"] == ("link", "customer_id", "customers", "id")
    assert roles["SiteNo"] == ("link", "site_id", "sites", "id")
    assert roles["TechName"] == ("link", "technician_id", "technicians", "full_name")
    assert roles["WorkOrderNumber"][:2] == ("field", "number")
    assert roles["LastModified"][:2] == ("updated", "updated_at")
    fields = {c.name: c.field for c in customers.columns}
    assert fields["Cust_Email"] == "email" and fields["BillTo.City"] == "bill_city"
    assert fields["AccountCode"] == "account_code"
    lines = {c.name: c for c in layout.table_of("invoice_lines").columns}
    assert (lines["InvoiceNo"].role, lines["InvoiceNo"].link_object) == ("link", "invoices")
    assert layout.attachments.mode == "manifest"
    assert not layout.problems(), layout.problems()
    raw.close()


def test_the_confirmed_layout_reads_the_same_canonical_records(serve, expected, bundle):
    server = serve(renamed=True)
    raw, layout = _proposed(server)
    raw.close()
    source = build_source(settings(server, SourceLayout.from_json(layout.to_json()).to_dict()))
    assert isinstance(source, LayoutSource) and isinstance(source.raw, RestTables)
    source.test_connection()
    assert source.list_objects() == list(expected)
    for obj, theirs in expected.items():
        mine = list(source.iter_records(obj))
        assert len(mine) == len(theirs), obj
        assert mine == theirs, obj  # ids, links, values and custom fields (cf_<snake>)
        assert source.count(obj) == len(theirs), obj
    assert not source.issues and not source.notices
    declared = {(f.object, f.name) for f in source.custom_fields()}
    assert declared == {(f.object, f.name) for f in bundle.custom_fields()}
    attachment = expected["attachments"][0]
    with source.open_attachment(next(source.iter_records("attachments"))) as stream:
        content = stream.read()
    assert len(content) == int(attachment["size"])
    source.close()
    # files by folder or path do not exist over REST: said when the source is built
    folders = SourceLayout.from_json(layout.to_json())
    folders.attachments.mode = "folders"
    with pytest.raises(SourceConfigError, match="no files by folder or by path"):
        build_source(settings(server, folders.to_dict()))


def test_an_endpoint_answering_404_is_listed_not_readable_the_others_proposed(serve):
    raw, layout = _proposed(serve(renamed=True, unreadable={"parts_used": 404}))
    parts = next(t for t in layout.tables if t.path == "parts_used")
    assert parts.object is None and parts.status.startswith("not readable: HTTP 404")
    assert "not read" in parts.reason
    assert layout.table_of("work_orders").path == "work_orders"
    assert [c.name for c in layout.table_of("customers").key_columns()] == ["CustomerNo"]
    raw.close()


def test_damaged_records_are_reported_one_by_one_never_lost_silently(serve, expected):
    """Records served as no object, or without their id, are issues; the others read."""
    layout = _proposed(serve(renamed=True))[1]
    server = serve(renamed=True, malformed=0.1)
    source = build_source(settings(server, layout.to_dict()))
    for obj in ("customers", "work_orders"):
        mark = len(source.issues)
        mine = list(source.iter_records(obj))
        issues = source.issues[mark:]
        assert issues and len(mine) + len(issues) == len(expected[obj]), obj
        kinds = {"no object" if i.reason.startswith("record is not a JSON object")
                 else "no key" if i.reason.endswith("is empty; row skipped") else i.reason
                 for i in issues}
        assert kinds == {"no object", "no key"}, kinds
        assert {r["id"] for r in mine} < {r["id"] for r in expected[obj]}
    source.close()


class _Fake(Source):
    """Any Source: its ``iter_pages`` records are the rows (no ``iter_items``)."""

    def __init__(self, records):
        super().__init__()
        self.records = records
        self.closed = False

    def test_connection(self):
        """Nothing to connect to."""

    def list_objects(self):
        return list(self.records)

    def iter_pages(self, obj, since=None, page_size=None):
        yield from ([r] for r in self.records[obj])

    def close(self):
        self.closed = True


def test_rest_tables_over_any_source_streams_rows_with_the_union_header():
    fake = _Fake({"jobs": [{"id": 1, "a": True}, {"id": 2, "b": {"c": 2.0}}, {"id": 3}],
                  "none": []})
    raw = RestTables(fake, header_records=2)
    infos = {i.path: i for i in raw.tables()}
    assert infos["jobs"].header == ("id", "a", "b.c") and infos["jobs"].rows is None
    assert infos["none"].status == "empty" and infos["none"].kind == "rest"
    assert list(raw.iter_rows("jobs")) == [
        (1, {"id": "1", "a": "true", "b.c": ""}), (2, {"id": "2", "a": "", "b.c": "2.0"}),
        (3, {"id": "3", "a": "", "b.c": ""})]
    with pytest.raises(NotImplementedError):
        raw.files()
    raw.close()
    assert fake.closed
