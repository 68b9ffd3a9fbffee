from services.profiling import (
    MASK,
    CardinalitySpec,
    cardinality,
    flatten,
    profile_records,
    profile_source,
    value_type,
)
from services.source_base import CustomFieldDef, Source


def by_name(profile):
    return {f["name"]: f for f in profile["fields"]}


def test_value_types():
    cases = {
        "a.b@example.com": "email", " A.B@Example.COM ": "email",
        "2024-03-01": "date", "2024-03-01T10:00:00-05:00": "datetime",
        "2024-03-01 10:00": "datetime", "2024-03-01T10:00:00Z": "datetime",
        "42": "integer", "1,234.50": "float", "$ 12.00": "float",
        "(555) 123-4567": "phone", "tel:+1-555-123-4567": "phone", "+1 555 123 4567 x12": "phone",
        "5551234567": "phone", "yes": "boolean", "https://x.example/a": "url",
        "<p>Hello <b>there</b></p>": "html", "x" * 300: "text", "Boiler repair": "char",
        True: "boolean", 3: "integer", 2.5: "float",
    }
    assert value_type([1]) == "list" and value_type({"a": 1}) == "json"
    for value, expected in cases.items():
        assert value_type(value) == expected, value


def test_profile_counts_nulls_distinct_samples_and_enums():
    rows = []
    for i in range(40):
        rows.append({
            "id": i,
            "email": f"user{i % 30}@example.com" if i % 4 else "",
            "status": ["Open", "Completed", "On Hold"][i % 3],
            "address": {"city": "Austin" if i % 2 else "Dallas", "zip": f"7870{i % 10}"},
            "password": f"secret-{i}",
        })
    rows[5]["late_field"] = "only here"
    prof = profile_records("customers", rows)
    fields = by_name(prof)
    assert prof["profiled"] == 40
    assert fields["email"]["inferred_type"] == "email"
    assert fields["email"]["null_rate"] == 0.25
    assert fields["email"]["distinct"] == 25  # i % 30 over the 30 non-multiples of 4
    assert fields["status"]["inferred_type"] == "selection"
    assert fields["status"]["distinct"] == 3
    assert fields["status"]["options"] == ["Completed", "On Hold", "Open"]
    assert fields["id"]["options"] == []  # 40 distinct values: not an enumeration
    assert fields["password"]["options"] == []
    assert fields["address.city"]["samples"] == ["Dallas", "Austin"]
    assert fields["address.zip"]["inferred_type"] == "integer"
    assert fields["password"]["samples"] == [MASK]
    assert fields["late_field"]["null_rate"] == round(39 / 40, 4)
    assert fields["id"]["distinct"] == 40 and len(fields["id"]["samples"]) == 5


def test_mixed_columns_widen():
    prof = profile_records("x", [{"n": "1"}, {"n": "2.5"}, {"d": "2024-01-01"},
                                 {"d": "2024-01-01T10:00:00Z"}, {"t": "short"}, {"t": "y" * 400}])
    fields = by_name(prof)
    assert fields["n"]["inferred_type"] == "float"
    assert fields["d"]["inferred_type"] == "datetime"
    assert fields["t"]["inferred_type"] == "text"


def test_custom_flag_and_flatten_depth():
    assert flatten({"a": {"b": {"c": {"d": 1}}}}) == {"a.b.c": {"d": 1}}
    prof = profile_records("jobs", [{"custom_fields": {"gate_code": "1234"}, "cf_warranty": "y",
                                     "title": "Fix"}], custom_names={"warranty_until"})
    fields = by_name(prof)
    assert fields["custom_fields.gate_code"]["custom"]
    assert fields["cf_warranty"]["custom"]
    assert not fields["title"]["custom"]


def test_cardinality():
    contacts = [{"customer_id": c} for c in ["1", "1", "2", "3", "3", "3", None]]
    figures = cardinality(CardinalitySpec("several contacts", "contacts", "customer_id"), contacts)
    assert figures["parents"] == 3
    assert figures["parents_with_several"] == 2
    assert figures["max_per_parent"] == 3
    assert figures["histogram"] == {"1": 1, "2": 1, "3": 1}
    jobs = [{"customer_id": 1, "address": {"street_1": "A"}},
            {"customer_id": 1, "address": {"street_1": "A"}},
            {"customer_id": 2, "address": {"street_1": "A"}},
            {"customer_id": 2, "address": {"street_1": "B"}}]
    spec = CardinalitySpec("several locations", "jobs", "customer_id",
                           distinct_keys=("address",))
    assert cardinality(spec, jobs)["parents_with_several"] == 1
    # the same address typed again with other case and stray spaces is one location
    jobs.append({"customer_id": 1, "address": {"street_1": "  a "}})
    assert cardinality(spec, jobs)["parents_with_several"] == 1
    # job contacts reach their customer through their job; one person counted once
    contacts = [{"job_id": 10, "first_name": "Ann", "last_name": "Lee"},
                {"job_id": 11, "first_name": "ann ", "last_name": "LEE"},
                {"job_id": 11, "first_name": "Bob", "last_name": "Lee"},
                {"job_id": 12, "first_name": "Cy", "last_name": "Ng"},
                {"job_id": 99, "first_name": "Orphan", "last_name": "Job"}]
    via = CardinalitySpec("several contacts", "job_contacts", "customer_id",
                          distinct_keys=("first_name", "last_name"), via=("jobs", "job_id"))
    figures = cardinality(via, contacts, {"10": 1, "11": 1, "12": 2})
    assert figures["parents"] == 2 and figures["parents_with_several"] == 1
    # children of a customer that does not exist (an orphan job) are left out
    figures = cardinality(via, contacts, {"10": 1, "11": 1, "12": 77}, known_parents={"1", "2"})
    assert figures["parents"] == 1


class ListSource(Source):
    """A source over in-memory lists, to exercise profile_source's bookkeeping."""

    kind = "memory"

    def __init__(self, data, counts=None):
        super().__init__()
        self.data, self.counts = data, counts or {}

    def test_connection(self):
        return None

    def list_objects(self):
        return list(self.data)

    def iter_pages(self, obj, since=None, page_size=None):
        yield list(self.data[obj])

    def count(self, obj):
        return self.counts.get(obj)

    def custom_fields(self):
        return [CustomFieldDef(object="work_orders", name="cf_gate_code")]


def test_profile_source_samples_and_reports_progress():
    data = {
        "customers": [{"id": i} for i in range(3)],
        "contacts": [{"id": i, "customer_id": i % 3} for i in range(9)],
        "sites": [{"id": i, "customer_id": 0} for i in range(2)],
        "work_orders": [{"id": 1, "cf_gate_code": ""}],
    }
    seen = []
    result = profile_source(ListSource(data, counts={"customers": 1000}), "fst", sample_limit=5,
                            progress=lambda obj, i, n: seen.append((obj, i, n)))
    objects = {o["object"]: o for o in result["objects"]}
    assert seen[0] == ("customers", 0, 4) and len(seen) == 4
    assert objects["customers"]["count"] == 1000 and objects["customers"]["sampled"]
    assert objects["customers"]["profiled"] == 3
    assert objects["work_orders"]["count"] == 1 and not objects["work_orders"]["sampled"]
    assert by_name(objects["work_orders"])["cf_gate_code"]["inferred_type"] == "empty"
    figures = {c["label"]: c for c in result["cardinality"]}
    assert figures["customers with several sites"]["parents_with_several"] == 1
    assert figures["customers with several contacts"]["parents"] == 3
    assert result["custom_fields"] == ["cf_gate_code"]


def test_an_enumeration_typed_by_hand_stays_an_enumeration_at_any_scale():
    """'Repair', ' repair ', 'REPAIR'…: the variants of few values are one enumeration (its
    options keep every spelling, for the value map), however many records repeat them."""
    from services.profiling import ENUM_MAX_DISTINCT, FieldProfile

    kinds = [f"Kind {i}" for i in range(ENUM_MAX_DISTINCT)]
    profile = FieldProfile("service_type")
    for n in range(5000):
        value = kinds[n % len(kinds)]
        value = (value.upper(), f"  {value} ", value.lower().replace(" ", "_"), value)[n % 4]
        profile.add(value)
    assert profile.distinct > ENUM_MAX_DISTINCT
    assert profile.inferred_type == "selection"
    options = profile.to_dict()["options"]
    assert len(options) == profile.distinct and "KIND 3" in options

    free = FieldProfile("title")
    for n in range(5000):
        free.add(f"Job {n % 300}")
    assert free.inferred_type == "char" and free.to_dict()["options"] == []
