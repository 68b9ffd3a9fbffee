import pytest
from unit_fixtures import load_targets

from emulators.fst_bundle import write_bundle
from emulators.fst_data import generate
from services.fst_bundle import FstBundleSource
from services.mapping import propose
from services.profiling import profile_source
from services.sample import anchor_object, links_of, select_sample


@pytest.fixture(scope="module")
def fst(tmp_path_factory):
    out = tmp_path_factory.mktemp("bundle") / "b"
    write_bundle(generate(0.5, 3), str(out))
    source = FstBundleSource(str(out))
    proposal = propose("fst", profile_source(source, "fst"), load_targets(), set())
    records = {obj: list(source.iter_records(obj)) for obj in source.list_objects()}
    return proposal, records


def test_links_and_anchor(fst):
    proposal, _records = fst
    links = links_of(proposal)
    assert anchor_object(proposal) == "work_orders"
    assert ("customer_id", "customers") in links["work_orders"]
    assert ("work_order_id", "work_orders") in links["appointments"]


def test_sample_is_closed_under_parents_and_spans_children(fst):
    proposal, records = fst
    reads = []

    def fetch(obj):
        reads.append(obj)
        return iter(records[obj])

    sample = select_sample(proposal, fetch, size=40)
    links = links_of(proposal)
    assert len(sample["work_orders"]) >= 10
    by_id = {obj: {str(r["id"]): r for r in rows} for obj, rows in records.items()}
    for obj, ids in sample.items():
        for rid in ids:
            record = by_id[obj].get(rid)
            if record is None:
                continue  # an orphan's missing parent: the run reports it as blocked
            for field, parent in links.get(obj, []):
                value = record.get(field)
                if value not in (None, ""):
                    assert str(value) in sample[parent], (obj, rid, field)
    # children of the sampled work orders are all in
    for line in records["work_order_lines"]:
        if str(line["work_order_id"]) in sample["work_orders"]:
            assert str(line["id"]) in sample["work_order_lines"]
    # customers' contacts come along
    assert sample.get("contacts")
    # the sample keeps its size: no other work order comes in through its customer
    assert len(sample["work_orders"]) == 10
    assert reads.count("customers") <= 4
