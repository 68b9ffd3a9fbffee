"""Degrade, don't drop (issue 18): a value a transform cannot normalise is kept as typed or
left empty with a warning, per the map line's ``on_invalid``; only "fail" lines (keys,
bindings, amounts, exact dates, required non-text fields) still fail the record.

Driven by the emulators' malformed values (``emulators.variations``): their report lists
exactly which values were malformed, so the warnings can be counted against it."""

import copy
from collections import Counter, defaultdict

import pytest
from unit_fixtures import ALL_APPS, CRM_STAGES, MemorySource, load_targets

from emulators.dispatch_data import DispatchData
from emulators.fst_bundle import write_bundle
from emulators.fst_data import generate
from emulators.variations import Variations
from services import transforms as tr
from services.fst_bundle import FstBundleSource
from services.mapping import (
    ON_INVALID,
    FieldMapLine,
    Proposal,
    TargetField,
    default_on_invalid,
    on_invalid_of,
    propose,
    validate,
)
from services.profiling import profile_source
from services.record_mapper import EMPTIED, KEPT, RecordMapper, validate_values

SCALE = 0.3
RATE = 0.05
SEEDS = (1, 2, 3)
#: lines that copy a value without normalising it: a malformed value passes unchanged
COPYING = {"json_dump", "identity", "trim"}


@pytest.fixture(scope="module")
def targets():
    return load_targets()


def _fst(folder, variations):
    data = generate(SCALE, 0, variations=variations)
    write_bundle(data, folder)
    source = FstBundleSource(folder)
    try:
        records = {obj: [r for page in source.iter_pages(obj) for r in page]
                   for obj in source.list_objects()}
        return (profile_source(source, "fst"), source.custom_fields(), records,
                data.variation_report)
    finally:
        source.close()


def _dispatch(variations):
    data = DispatchData(SCALE, 0, variations=variations)
    return (profile_source(MemorySource(data), "dispatch"), None, data.records,
            data.variation_report)


@pytest.fixture(scope="module")
def accounts(tmp_path_factory, targets):
    """``{(kind, seed): (proposal, mapper, records, report, mapped)}``; seed None: clean."""
    out = {}
    for kind in ("fst", "dispatch"):
        for seed in (None, *SEEDS):
            variations = Variations(malformed_rate=RATE, seed=seed) if seed else None
            if kind == "fst":
                dictionary, schema, records, report = _fst(
                    tmp_path_factory.mktemp(f"fst_{seed}"), variations)
                proposal = propose("fst", dictionary, targets, ALL_APPS, CRM_STAGES,
                                   custom_fields=schema)
            else:
                dictionary, _, records, report = _dispatch(variations)
                proposal = propose("dispatch", dictionary, targets, ALL_APPS, CRM_STAGES)
            assert validate(proposal, targets) == []
            mapper = RecordMapper(proposal, targets)
            mapped = {obj: mapper.map_batch(obj, rows) for obj, rows in records.items()}
            out[kind, seed] = proposal, mapper, records, report, mapped
    return out


# -- helpers (an oracle independent of the mapper) ----------------------------------------


def _root(path):
    """``phone_numbers[1].number`` → ``phone_numbers``; ``home_address.state`` as is."""
    return path.split("[", 1)[0]


def _index(path):
    return int(path.split("[", 1)[1].split("]", 1)[0]) if "[" in path else None


def _picked(line, record):
    """The index of the item a ``pick`` line reads (the rule its arguments state)."""
    items = record.get(line.source_field) or []
    args = line.transform_args
    where, prefer = args.get("where") or {}, args.get("prefer") or {}

    def matches(item, cond):
        return all((str(item.get(k)).casefold() if isinstance(item.get(k), str)
                    else item.get(k)) == (v.casefold() if isinstance(v, str) else v)
                   for k, v in cond.items())
    for cond in ([where] if where else [prefer] if prefer else []):
        for i, item in enumerate(items):
            if isinstance(item, dict) and matches(item, cond):
                return i
        if where:
            return None
    return 0 if items else None


def _policy(mapper, line):
    return on_invalid_of(line, mapper.target_fields(line.source_object, line.role)
                         .get(line.target_field),
                         required=True if line.target_model == "res.partner"
                         and line.target_field == "name" else None)


def _lines_reading(proposal, entry):
    """The mapped, normalising field lines that read the malformed value ``entry``."""
    for line in proposal.field_maps:
        if line.skip or not line.target_field or line.source_object != entry["object"]:
            continue
        if line.transform in COPYING or line.transform_args.get("fields"):
            continue
        if line.source_field == entry["field"] or (
                "[" in entry["field"] and line.source_field == _root(entry["field"])):
            yield line


def _expected(proposal, mapper, records, report, mapped):
    """What the report says the warnings must be: ``(values, total, fail_values)``.

    ``values``: ``{(object, id, root field, repr(value))}`` of malformed values read by at
    least one line that is not "fail" in a role the record has; ``total``: one per (value,
    such line, mapped record); ``fail_values``: the malformed values read by a "fail"
    line."""
    by_id = {obj: {str(r.get("id") or ""): r for r in rows} for obj, rows in records.items()}
    roles = defaultdict(Counter)  # (obj, origin id) -> role -> records
    for obj, items in mapped.items():
        for item in items:
            roles[obj, item.origin_id or item.source_id][item.role] += 1
    values, total, fail_values = set(), 0, set()
    for entry in report.malformed:
        key = (entry["object"], str(entry["id"]), _root(entry["field"]), repr(entry["value"]))
        record = by_id[entry["object"]].get(str(entry["id"])) or next(
            (r for r in records[entry["object"]]
             if str(entry["id"]) in {str(v) for v in r.values()}), None)
        for line in _lines_reading(proposal, entry):
            if line.transform == "pick" and _picked(line, record) != _index(entry["field"]):
                continue
            count = roles[entry["object"], str(entry["id"])][line.role]
            if not count:
                continue
            if line.transform == "end_from_duration" and "default" in line.transform_args:
                # a malformed duration: the line's default duration is used, with a
                # warning, unless the start itself is malformed (the record then fails)
                start = line.transform_args.get("start", "start")
                if any(m["object"] == entry["object"] and m["id"] == entry["id"]
                       and m["field"] == start for m in report.malformed):
                    continue
            elif _policy(mapper, line) == "fail":
                fail_values.add(key)
                continue
            values.add(key)
            total += count
    return values, total, fail_values


def _warnings(mapped):
    return [(item, w) for items in mapped.values() for item in items for w in item.warnings]


def _error_keys(mapped):
    return {(item.source_object, item.role, item.origin_id or item.source_id, e.target_field)
            for items in mapped.values() for item in items for e in item.errors}


# -- the malformed values of the emulators ------------------------------------------------


@pytest.mark.parametrize("kind", ["fst", "dispatch"])
def test_clean_accounts_have_no_warnings(accounts, kind):
    *_, mapped = accounts[kind, None]
    assert _warnings(mapped) == []


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("kind", ["fst", "dispatch"])
def test_warnings_count_exactly_the_malformed_values(accounts, kind, seed):
    proposal, mapper, records, report, mapped = accounts[kind, seed]
    assert report.malformed
    values, total, fail = _expected(proposal, mapper, records, report, mapped)
    warnings = _warnings(mapped)
    # a kept value shows what was written: the malformed values are trimmed already
    seen = {(w.source_object, item.origin_id or item.source_id, _root(w.source_field),
             w.value) for item, w in warnings}
    # the same values, one by one: none missing, none made up
    assert seen == values
    assert len(warnings) == total
    assert values and total >= len(values)
    print(f"{kind} seed {seed}: {len(report.malformed)} malformed, {len(values)} read by "
          f"degrading lines, {len(fail)} by fail lines, {len(warnings)} warnings (expected "
          f"{total}: one per mapped record and target field)")


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("kind", ["fst", "dispatch"])
def test_no_record_fails_for_a_malformed_optional_value(accounts, kind, seed):
    proposal, mapper, records, report, mapped = accounts[kind, seed]
    *_, clean = accounts[kind, None]
    malformed_ids = {(m["object"], str(m["id"])) for m in report.malformed}
    lines = {(f.source_object, f.role, f.target_field): f for f in proposal.field_maps
             if not f.skip and f.target_field}
    new = _error_keys(mapped) - _error_keys(clean)
    for obj, role, source_id, target in new:
        # only a "fail" line of a record with a malformed value fails it
        assert (obj, source_id) in malformed_ids, (obj, role, source_id, target)
        line = lines.get((obj, role, target))
        assert line is not None and _policy(mapper, line) == "fail", (obj, role, target)
    for (item, warning) in _warnings(mapped):
        assert warning.action in (KEPT, EMPTIED)
        written = item.values.get(warning.target_field)
        if warning.action == KEPT:
            assert isinstance(written, str) and repr(written) == warning.value
        elif warning.target_field == "stop":  # the line's default duration was used
            assert "default duration" in warning.reason and written
        else:
            assert written is False and warning.target_field not in item.refs
        assert "—" in warning.reason  # the transform's words, then what to do


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("kind", ["fst", "dispatch"])
def test_malformed_values_in_fail_lines_still_fail(accounts, kind, seed):
    proposal, mapper, records, report, mapped = accounts[kind, seed]
    _values, _total, fail_values = _expected(proposal, mapper, records, report, mapped)
    errors = {(item.source_object, item.origin_id or item.source_id, _root(e.source_field))
              for items in mapped.values() for item in items for e in item.errors
              if e.source_field}
    for obj, source_id, field, _value in fail_values:
        assert (obj, source_id, field) in errors


def test_kept_values_are_exactly_what_is_written(accounts, targets):
    for seed in SEEDS:
        for kind in ("fst", "dispatch"):
            *_, mapper, _records, _report, mapped = accounts[kind, seed]
            for item, warning in _warnings(mapped):
                fields_ = mapper.target_fields(item.source_object, item.role)
                problems = validate_values({warning.target_field: item.values[
                    warning.target_field]}, fields_, source_object=item.source_object,
                    source_id=item.source_id, check_required=False)
                assert problems == [], problems


# -- the cases of the issue ---------------------------------------------------------------


def _customer(accounts):
    proposal, mapper, records, *_ = accounts["fst", None]
    return mapper, copy.deepcopy(records["customers"][0]), proposal


def test_a_seven_digit_local_phone_is_kept_as_typed_on_the_partner(accounts):
    mapper, customer, _ = _customer(accounts)
    customer.update(phone=" 867-5309 ", mobile="5550134")
    (partner,) = mapper.map_record("customers", customer)
    assert partner.errors == []
    assert partner.values["phone"] == "867-5309" and partner.values["mobile"] == "5550134"
    warnings = {w.target_field: w for w in partner.warnings}
    assert warnings["phone"].action == KEPT and warnings["phone"].value == "'867-5309'"
    assert "Cannot read the phone number" in warnings["phone"].reason
    assert "written as typed" in warnings["phone"].reason
    assert partner.to_dict()["warnings"] == [w.to_dict() for w in partner.warnings]
    # Dispatch: the primary number of a customer
    _proposal, dmapper, records, *_ = accounts["dispatch", None]
    customer = copy.deepcopy(next(r for r in records["customers"] if r.get("phone_numbers")))
    customer["phone_numbers"] = [{"number": "867-5309", "primary": True, "type": "home"}]
    contact = next(m for m in dmapper.map_record("customers", customer) if m.role == "contact")
    assert contact.errors == [] and contact.values["phone"] == "867-5309"
    assert [w.action for w in contact.warnings if w.target_field == "phone"] == [KEPT]


def test_a_malformed_email_is_kept(accounts):
    mapper, customer, _ = _customer(accounts)
    for raw in ("john at gmail.com", "mary smith@gmail.com", "bob@"):
        customer["email"] = raw
        (partner,) = mapper.map_record("customers", customer)
        assert partner.errors == [] and partner.values["email"] == raw
        (warning,) = [w for w in partner.warnings if w.target_field == "email"]
        assert warning.action == KEPT and "not a valid e-mail address" in warning.reason


def test_a_malformed_optional_date_is_left_empty(accounts):
    proposal, mapper, records, *_ = accounts["fst", None]
    work_order = copy.deepcopy(records["work_orders"][0])
    work_order.update(cf_warranty_expires="31/02/2023", scheduled_at="next tuesday")
    lead = next(m for m in mapper.map_record("work_orders", work_order) if m.role == "lead")
    assert lead.errors == []
    warnings = {w.target_field: w for w in lead.warnings}
    for name in ("x_studio_warranty_expires", "x_studio_scheduled_at"):
        assert lead.values[name] is False and warnings[name].action == EMPTIED
        assert "Cannot read" in warnings[name].reason and "left empty" in warnings[name].reason
    invoice = copy.deepcopy(records["invoices"][0])
    invoice["due_date"] = "00/00/0000"  # a zero date: no date, said with a warning
    (move,) = [m for m in mapper.map_record("invoices", invoice) if m.role == "invoice"]
    assert move.errors == [] and move.values["invoice_date_due"] is False
    assert [w.action for w in move.warnings] == [EMPTIED]


def test_a_malformed_value_in_a_fail_line_fails_the_record(accounts, targets):
    proposal, mapper, records, *_ = accounts["fst", None]
    line = copy.deepcopy(records["work_order_lines"][0])
    line["unit_price"] = "$1.2.3"  # an amount
    (sale_line,) = [m for m in mapper.map_record("work_order_lines", line)
                    if m.role == "sale_line"]
    assert [e.target_field for e in sale_line.errors] == ["price_unit"]
    assert sale_line.warnings == []
    # a date the map says must be exact
    exact = copy.deepcopy(proposal)
    for fline in exact.field_maps:
        if fline.source_object == "invoices" and fline.target_field == "invoice_date":
            fline.transform_args = dict(fline.transform_args, exact=True)
    strict = RecordMapper(exact, targets)
    invoice = dict(records["invoices"][0], invoice_date="31/02/2023")
    (move,) = [m for m in strict.map_record("invoices", invoice) if m.role == "invoice"]
    assert [e.target_field for e in move.errors] == ["invoice_date"]
    (move,) = [m for m in mapper.map_record("invoices", invoice) if m.role == "invoice"]
    assert move.errors == [] and move.values["invoice_date"] is False
    # a line's own policy wins over the default
    failing = copy.deepcopy(proposal)
    for fline in failing.field_maps:
        if fline.source_object == "customers" and fline.target_field == "phone":
            fline.on_invalid = "fail"
    customer = dict(records["customers"][0], phone="867-5309")
    (partner,) = RecordMapper(failing, targets).map_record("customers", customer)
    assert [e.target_field for e in partner.errors] == ["phone"]


def test_a_kept_text_longer_than_the_field_is_left_empty_not_cut(accounts, targets):
    proposal, *_ = accounts["fst", None]
    _p, _m, records, *_ = accounts["fst", None]
    small = copy.deepcopy(targets)
    small["res.partner"]["phone"].size = 8
    mapper = RecordMapper(proposal, small)
    customer = dict(records["customers"][0], phone="call office")
    (partner,) = mapper.map_record("customers", customer)
    assert partner.errors == [] and partner.values["phone"] is False
    (warning,) = [w for w in partner.warnings if w.target_field == "phone"]
    assert warning.action == EMPTIED and "more than the 8" in warning.reason
    customer["phone"] = "5550134"  # fits: kept
    (partner,) = mapper.map_record("customers", customer)
    assert partner.values["phone"] == "5550134"


def test_a_malformed_duration_uses_the_lines_default(accounts):
    _proposal, mapper, records, *_ = accounts["dispatch", None]
    appointment = dict(records["appointments"][0], duration="N/A")
    event = next(m for m in mapper.map_record("appointments", appointment)
                 if m.role == "calendar_event")
    assert event.errors == [] and event.values["stop"]
    (warning,) = event.warnings
    assert warning.target_field == "stop" and "default duration" in warning.reason


def test_map_problems_fail_whatever_the_policy(accounts, targets):
    proposal, _m, records, *_ = accounts["fst", None]
    broken = copy.deepcopy(proposal)
    for fline in broken.field_maps:
        if fline.source_object == "customers" and fline.target_field == "phone":
            fline.transform_args = {"region": "Atlantis"}
            fline.on_invalid = "keep"
    (partner,) = RecordMapper(broken, targets).map_record("customers", records["customers"][0])
    assert "phone" in {e.target_field for e in partner.errors} and not partner.warnings


# -- the policy rule ----------------------------------------------------------------------


def _line(target_field="x", transform="identity", model="res.partner", **args):
    return FieldMapLine("o", "f", model, target_field, transform, args)


def _target(ttype, name="x", model="res.partner", required=False, size=None):
    return TargetField(model, name, ttype, required=required, size=size)


@pytest.mark.parametrize("ttype, expected", [
    ("char", "keep"), ("text", "keep"), ("html", "keep"), ("selection", "empty"),
    ("date", "empty"), ("datetime", "empty"), ("float", "empty"), ("integer", "empty"),
    ("monetary", "empty"), ("boolean", "empty"), ("many2one", "empty"),
    ("many2many", "empty"), ("many2one_reference", "fail"),
])
def test_default_on_invalid_per_target_type(ttype, expected):
    assert default_on_invalid(_line(), _target(ttype)) == expected


@pytest.mark.parametrize("line, target, expected", [
    # phone/e-mail/url-like lines writing text: keep, required or not
    (_line("phone", "phone"), _target("char", "phone"), "keep"),
    (_line("email", "email"), _target("char", "email", required=True), "keep"),
    # a required field that cannot hold the text
    (_line("partner_id"), _target("many2one", "partner_id", required=True), "fail"),
    (_line("start", "datetime_utc", "calendar.event"),
     _target("datetime", "start", "calendar.event", required=True), "fail"),
    # Odoo fills it when left empty: not required here
    (_line("journal_id", model="account.move"),
     _target("many2one", "journal_id", "account.move", required=True), "empty"),
    # keys and bindings
    (_line("partner_id", "binding"), _target("many2one", "partner_id"), "fail"),
    (_line("res_id"), _target("integer", "res_id"), "fail"),
    (_line("login", "email", "res.users"), _target("char", "login", "res.users"), "fail"),
    # amounts of invoices, orders and their lines
    (_line("price_unit", "money", "account.move.line"),
     _target("float", "price_unit", "account.move.line"), "fail"),
    (_line("quantity", "number", "account.move.line"),
     _target("float", "quantity", "account.move.line"), "fail"),
    (_line("product_uom_qty", "number", "sale.order.line"),
     _target("float", "product_uom_qty", "sale.order.line"), "fail"),
    (_line("amount_total", "money", "sale.order"),
     _target("monetary", "amount_total", "sale.order"), "fail"),
    # a number elsewhere is no amount
    (_line("expected_revenue", "money", "crm.lead"),
     _target("monetary", "expected_revenue", "crm.lead"), "empty"),
    (_line("partner_latitude", "number"), _target("float", "partner_latitude"), "empty"),
    # dates the map says must be exact
    (_line("invoice_date", "date", "account.move", exact=True),
     _target("date", "invoice_date", "account.move"), "fail"),
    (_line("invoice_date", "date", "account.move"),
     _target("date", "invoice_date", "account.move"), "empty"),
])
def test_default_on_invalid_keys_amounts_exact_dates_required(line, target, expected):
    assert default_on_invalid(line, target) == expected


def test_default_on_invalid_of_planned_fields_and_overrides():
    planned = FieldMapLine("o", "f", "crm.lead", "x_when", "date", {},
                           new_field={"name": "x_when", "ttype": "date"})
    assert default_on_invalid(planned, None) == "empty"
    planned.new_field = {"name": "x_when", "ttype": "char"}
    assert default_on_invalid(planned, None) == "keep"
    assert default_on_invalid(_line(), _target("many2one"), required=True) == "fail"
    line = _line()
    for policy in ON_INVALID:
        line.on_invalid = policy
        assert on_invalid_of(line, _target("many2one", required=True)) == policy
    line.on_invalid = None
    assert on_invalid_of(line, _target("char")) == "keep"


def test_old_maps_load_without_on_invalid_and_policies_round_trip(accounts, targets):
    proposal, *_ = accounts["fst", None]
    data = proposal.to_dict()
    assert all("on_invalid" in d and d["on_invalid"] is None for d in data["field_maps"])
    for line in data["field_maps"]:
        del line["on_invalid"]
    old = Proposal.from_dict(data)
    assert all(line.on_invalid is None for line in old.field_maps)
    assert validate(old, targets) == []
    index = next(i for i, line in enumerate(old.field_maps)
                 if not line.skip and line.target_field)
    old.field_maps[index].on_invalid = "empty"
    again = Proposal.from_dict(old.to_dict())
    assert again.field_maps[index].on_invalid == "empty"
    old.field_maps[index].on_invalid = "drop"
    assert any("on_invalid 'drop' is not one of keep, empty, fail" in p
               for p in validate(old, targets))


def test_as_typed():
    assert tr.as_typed("  867-5309 ") == "867-5309"
    assert tr.as_typed("a  b\n c") == "a b c"
    assert tr.as_typed("a\n c", "text") == "a\nc"
    assert tr.as_typed("a < b & c", "html") == "<p>a &lt; b &amp; c</p>"
    assert tr.as_typed(12.5) == "12.5"
    for nothing in (None, "", "  ", [1], {"a": 1}, True, ("a", "b"), float("nan")):
        assert tr.as_typed(nothing) is None
