"""Unit tests of services.transforms (pure Python, no Odoo)."""

import base64
import hashlib
import json
import random
import time
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from emulators import dispatch_data, fst_data, messy
from services import transforms as tr
from services.transforms import TRANSFORMS, TransformArgError, TransformError, apply, run

HAS_PHONENUMBERS = tr.phonenumbers is not None
needs_phonenumbers = pytest.mark.skipif(not HAS_PHONENUMBERS,
                                        reason="phonenumbers is not installed")

#: arguments each transform needs to be callable at all
REQUIRED_ARGS = {
    "truncate": {"size": 10},
    "selection_map": {"mapping": {"Open": "open", "In Progress": "progress"}},
}


def rejected(name, value, **args):
    """Assert ``value`` is rejected with a useful reason; return the error."""
    with pytest.raises(TransformError) as info:
        apply(name, value, **args)
    assert not info.value.internal, info.value.reason
    assert len(info.value.reason) > 20
    return info.value


@pytest.fixture
def no_phonenumbers(monkeypatch):
    """Run the regex fallback even where phonenumbers is installed."""
    monkeypatch.setattr(tr, "phonenumbers", None)


# --------------------------------------------------------------------------- registry

def test_registry_and_describe():
    names = {d["name"] for d in tr.describe()}
    expected = {"identity", "trim", "lower", "upper", "title", "truncate", "default", "email",
                "number",
                "phone", "datetime_utc", "date", "integer", "float", "money", "boolean",
                "selection_map", "priority", "country_code", "state_code",
                "markdown_to_html", "html_clean", "text_to_html", "json_dump", "join",
                "split_name", "full_name", "address_lines"}
    assert expected <= names == set(TRANSFORMS)
    for entry in tr.describe():
        assert entry["description"] and entry["output_type"] in tr.OUTPUT_TYPES
        assert set(entry["arg_defaults"]) <= set(entry["args"])
        assert set(entry["required_args"]) <= set(entry["args"])
        json.dumps(entry)  # the UI gets it as JSON
    by_name = {d["name"]: d for d in tr.describe()}
    assert by_name["phone"]["args"] == ["region", "format"]
    assert by_name["datetime_utc"]["output_type"] == "datetime"
    assert by_name["state_code"]["outputs"] == 2 and by_name["full_name"]["inputs"] == 2


def test_bad_names_and_arguments_are_map_errors():
    with pytest.raises(TransformArgError, match="Unknown transform 'nope'"):
        apply("nope", "x")
    with pytest.raises(TransformArgError, match="has no argument colour"):
        apply("trim", "x", colour="red")
    with pytest.raises(TransformArgError, match="needs the argument size"):
        apply("truncate", "x")
    for name, args in (("truncate", {"size": 0}), ("phone", {"region": "USA"}),
                       ("datetime_utc", {"tz": "Mars/Olympus"}), ("money", {"decimal": ";"}),
                       ("priority", {"mapping": {"x": "9"}}), ("split_name", {"part": "mid"}),
                       ("selection_map", {"mapping": {"Open": "a", "OPEN": "b"}}),
                       ("full_name", {"order": "sideways"}), ("json_dump", {"fields": 3})):
        with pytest.raises(TransformArgError) as info:
            apply(name, "x", **args)
        assert isinstance(info.value, TransformError) and info.value.transform == name


@pytest.mark.parametrize("name", sorted(TRANSFORMS))
@pytest.mark.parametrize("empty", [None, "", "   ", "\t\n", "\u200b", "\ufeff \u00a0"])
def test_empty_in_empty_out(name, empty):
    args = REQUIRED_ARGS.get(name, {})
    expected = (None, None) if TRANSFORMS[name].outputs == 2 else None
    assert apply(name, empty, **args) == expected


def test_bind_run_and_chain():
    bound = tr.bind("truncate", size=5)
    assert bound("  abcdefgh ") == "abcde"
    result = bound.run("abcdefgh")
    assert result.altered and "Cut from 8 to 5" in result.notes[0]
    assert not bound.run("abc").altered
    assert tr.bind("truncate", size=5) is bound  # arguments prepared once
    steps = tr.chain([("default", {"value": "n/a"}), "upper"])
    result = steps.run("")
    assert result.value == "N/A" and result.altered


def test_errors_carry_value_and_transform():
    error = rejected("email", "not-an-email")
    assert error.transform == "email" and error.value == "not-an-email"
    assert '"not-an-email"' in error.reason and str(error) == error.reason


# --------------------------------------------------------------------------- text

@pytest.mark.parametrize("raw, expected", [
    ("  Blue   Ridge\tPlumbing \n", "Blue Ridge Plumbing"),
    ("\u00a0José\u200b Núñez\ufeff", "José Núñez"),
    ("Jose\u0301", "José"),  # NFD → NFC
    ("  عبد   الله ", "عبد الله"),
    ("\u200fשרה כהן\u200f", "\u200fשרה כהן\u200f"),  # bidi marks kept
    ("می\u200cخواهم", "می\u200cخواهم"),  # ZWNJ inside a Persian word kept
    ("\u200dAcme\u200c", "Acme"),
    ("nul\x00byte", "nulbyte"),
    ("明 美咲", "明 美咲"),
    (42, "42"), (4.0, "4"), (Decimal("1.50"), "1.50"),
])
def test_trim(raw, expected):
    assert apply("trim", raw) == expected


def test_trim_multiline_and_rejections():
    assert apply("trim", " a  b \r\n\r\n\r\n\r\n  c\u2028d ", multiline=True) == "a b\n\nc\nd"
    assert apply("trim", "a\nb") == "a b"
    rejected("trim", True)
    rejected("trim", ["a"])
    assert apply("identity", ["a"]) == ["a"] and apply("identity", 0) == 0


@pytest.mark.parametrize("name, raw, expected", [
    ("lower", "  JOHN.Smith@Example.COM ", "john.smith@example.com"),
    ("upper", " tx ", "TX"),
    ("title", "BLUE RIDGE HVAC LLC", "Blue Ridge HVAC LLC"),
    ("title", "o'neil mcdonald-smith", "O'Neil McDonald-Smith"),
    ("title", "don't stop", "Don't Stop"),
    ("title", "d'amico  côté", "D'Amico Côté"),
    ("title", "محمد", "محمد"),
])
def test_case_transforms(name, raw, expected):
    assert apply(name, raw) == expected


def test_truncate():
    assert apply("truncate", "  short  ", size=10) == "short"
    result = run("truncate", "Blue Ridge Plumbing", size=10)
    assert result.value == "Blue Ridge" and result.altered
    assert len(apply("truncate", "x" * 300, size=255)) == 255
    error = rejected("truncate", "abcdef", size=3, strict=True)
    assert "6 characters" in error.reason and "3 allowed" in error.reason


def test_truncate_never_splits_an_accent():
    text = "abc" + "e\u0301" * 5  # NFC merges these; use a letter without precomposed form
    assert apply("truncate", text, size=4) == "abcé"
    decomposed = "abq\u0301q\u0301"  # q + combining acute has no precomposed form
    assert apply("truncate", decomposed, size=3) == "ab"


def test_default():
    assert apply("default", "", value="Unknown") == "Unknown"
    assert run("default", None, value="Unknown").notes
    assert apply("default", " x ", value="Unknown") == " x "
    assert apply("default", None) is None


# --------------------------------------------------------------------------- e-mail

@pytest.mark.parametrize("raw, expected", [
    ("  John.Smith@Gmail.COM ", "john.smith@gmail.com"),
    ("mailto:info@acme.com", "info@acme.com"),
    ("O'Brien+tag@shaw.ca", "o'brien+tag@shaw.ca"),
    ("josé@exämple.com", "josé@exämple.com"),
])
def test_email_normalised_without_notes(raw, expected):
    result = run("email", raw)
    assert result.value == expected and not result.altered


@pytest.mark.parametrize("raw, kept", [
    ("a@x.com; B@Y.com", "a@x.com"),
    ("a@x.com, b@y.com", "a@x.com"),
    ("broken@, b@y.com", "b@y.com"),
    ("John Smith <John@X.com>, Jane <jane@y.com>", "john@x.com"),
    ("(a@x.com)", "a@x.com"),
    ("a@x.com.", "a@x.com"),
])
def test_email_altered_with_notes(raw, kept):
    result = run("email", raw)
    assert result.value == kept and result.altered, result


@pytest.mark.parametrize("raw", ["john", "john@", "@x.com", "john@@x.com", "john@x",
                                 "john@ x.com", "a@b.c", "john@x..com", "a@-x.com"])
def test_email_rejected(raw):
    error = rejected("email", raw)
    assert f'"{raw}"' in error.reason


def test_email_same_address_twice_is_not_an_alteration():
    assert not run("email", "a@x.com; A@X.com").altered


# --------------------------------------------------------------------------- phone

NANP_CASES = [
    ("tel:+1-555-123-4567", "+1 555-123-4567"),
    ("tel:+1-555-123-4567;ext=12", "+1 555-123-4567 ext. 12"),
    ("tel:+1-555-123-4567;phone-context=example.com", "+1 555-123-4567"),
    ("(555) 123-4567 x12", "+1 555-123-4567 ext. 12"),
    ("555.123.4567", "+1 555-123-4567"),
    ("+1 (212) 555-0123", "+1 212-555-0123"),
    ("1-212-555-0123 ext. 9", "+1 212-555-0123 ext. 9"),
    ("2125550123 #45", "+1 212-555-0123 ext. 45"),
    ("212-555-0123 ext 4567", "+1 212-555-0123 ext. 4567"),
    ("+12125550123", "+1 212-555-0123"),
    ("Cell: 212 555 0123", "+1 212-555-0123"),
    ("\u00a0212-555-0123 ", "+1 212-555-0123"),
    (2125550123, "+1 212-555-0123"),
    (2125550123.0, "+1 212-555-0123"),
    ("2125550123.0", "+1 212-555-0123"),
    ("011 1 212 555 0123", "+1 212-555-0123"),
]


@pytest.mark.parametrize("raw, expected", NANP_CASES)
def test_phone_north_america(raw, expected):
    assert apply("phone", raw) == expected


@pytest.mark.parametrize("raw, expected", NANP_CASES)
def test_phone_north_america_fallback(no_phonenumbers, raw, expected):
    assert apply("phone", raw) == expected


@pytest.mark.parametrize("raw", ["call me", "123", "555-1234", "12345678901234567",
                                 "+1 212 555 01234", "n/a", "ext. 12", "(555) 123-456"])
def test_phone_rejected_quotes_the_value(raw):
    assert f'"{raw}"' in rejected("phone", raw).reason


def test_phone_rejected_by_fallback(no_phonenumbers):
    for raw in ("call me", "555-1234", "+1 212 555 01234", "020 7946 0958"):
        assert f'"{raw}"' in rejected("phone", raw).reason
    assert "phonenumbers" in rejected("phone", "020 7946 0958", region="GB").reason


def test_phone_e164_and_several_numbers():
    assert apply("phone", "(212) 555-0123", format="e164") == "+12125550123"
    result = run("phone", "212-555-0123 / 212-555-0199")
    assert result.value == "+1 212-555-0123" and result.altered


@needs_phonenumbers
def test_phone_international_with_phonenumbers():
    assert apply("phone", "+44 20 7946 0958") == "+44 20 7946 0958"
    assert apply("phone", "+44 20 7946 0958 ext. 3") == "+44 20 7946 0958 ext. 3"
    assert apply("phone", "020 7946 0958", region="GB") == "+44 20 7946 0958"
    assert apply("phone", "+33 1 42 68 53 00") == "+33 1 42 68 53 00"
    assert apply("phone", "1-800-FLOWERS") == "+1 800-356-9377"


def test_phone_international_fallback(no_phonenumbers):
    assert apply("phone", "+44 20 7946 0958") == "+442079460958"
    assert apply("phone", "0044 20 7946 0958 x3") == "+442079460958 ext. 3"


def test_phone_output_is_stable():
    for raw, _ in NANP_CASES:
        once = apply("phone", raw)
        assert apply("phone", once) == once


# --------------------------------------------------------------------------- dates

@pytest.mark.parametrize("raw, args, expected", [
    ("2024-03-01T12:00:00Z", {}, "2024-03-01 12:00:00"),
    ("2024-03-01T12:00:00.000Z", {}, "2024-03-01 12:00:00"),
    ("2024-03-01T12:00:00.999999+00:00", {}, "2024-03-01 12:00:00"),
    ("2024-03-01T07:00:00-05:00", {}, "2024-03-01 12:00:00"),
    ("2024-03-01T08:30:00-0330", {}, "2024-03-01 12:00:00"),
    ("2024-03-01 12:00:00", {}, "2024-03-01 12:00:00"),
    ("2024-03-01 06:00:00", {"tz": "America/Chicago"}, "2024-03-01 12:00:00"),
    ("2024-07-01 07:00", {"tz": "America/Chicago"}, "2024-07-01 12:00:00"),  # CDT
    ("2024-03-01T12:00:00Z", {"tz": "America/Chicago"}, "2024-03-01 12:00:00"),
    ("03/01/2024 2:05 PM", {}, "2024-03-01 14:05:00"),
    ("3/1/2024 12:05 am", {}, "2024-03-01 00:05:00"),
    ("03/01/2024 12:00 p.m.", {}, "2024-03-01 12:00:00"),
    ("03/01/2024 14:05:09", {}, "2024-03-01 14:05:09"),
    ("03/01/24", {}, "2024-03-01 00:00:00"),
    ("01/03/2024 14:05", {"dayfirst": True}, "2024-03-01 14:05:00"),
    ("01.03.2024 14:05", {}, "2024-03-01 14:05:00"),
    ("2024-03-01", {"tz": "America/New_York"}, "2024-03-01 05:00:00"),
    ("Mar 1, 2024 2:05 PM", {}, "2024-03-01 14:05:00"),
    ("1 March 2024", {}, "2024-03-01 00:00:00"),
    ("Fri, 01 Mar 2024 12:00:00 +0000", {}, "2024-03-01 12:00:00"),
    ("1709294400", {}, "2024-03-01 12:00:00"),
    (1709294400, {}, "2024-03-01 12:00:00"),
    (1709294400000, {}, "2024-03-01 12:00:00"),
    (1709294400.5, {}, "2024-03-01 12:00:00"),
    (datetime(2024, 3, 1, 7, tzinfo=timezone(timedelta(hours=-5))), {}, "2024-03-01 12:00:00"),
    (date(2024, 3, 1), {}, "2024-03-01 00:00:00"),
    ("0999-01-01 00:00:00", {}, "0999-01-01 00:00:00"),
])
def test_datetime_utc(raw, args, expected):
    assert apply("datetime_utc", raw, **args) == expected


def test_datetime_notes_and_zero_dates():
    result = run("datetime_utc", "25/12/2024 10:00")
    assert result.value == "2024-12-25 10:00:00" and result.altered
    result = run("datetime_utc", "0000-00-00 00:00:00")
    assert result.value is None and result.altered


@pytest.mark.parametrize("raw", ["yesterday", "2024-13-01", "2024-02-30 10:00",
                                 "13/13/2024", "2024-03-01 25:00", "03/01/2024 13:00 PM",
                                 "2024-03-01T12:00:00+25:00", "12345", True, float("nan"),
                                 10 ** 30, "9999-12-31T23:00:00-05:00", ["2024-03-01"]])
def test_datetime_rejected(raw):
    rejected("datetime_utc", raw)


@pytest.mark.parametrize("raw, args, expected", [
    ("2024-03-01", {}, "2024-03-01"),
    ("03/01/2024", {}, "2024-03-01"),
    ("2024-03-01T23:30:00-05:00", {}, "2024-03-01"),
    ("2024-03-01T23:30:00-05:00", {"tz": "UTC"}, "2024-03-02"),
    ("2024-03-02T02:00:00Z", {"tz": "America/Chicago"}, "2024-03-01"),
    ("20240301", {}, "2024-03-01"),
    (datetime(2024, 3, 1, 23, 59), {}, "2024-03-01"),
    ("March 1st, 2024", {}, "2024-03-01"),
    ("1-Mar-2024", {}, "2024-03-01"),
])
def test_date(raw, args, expected):
    assert apply("date", raw, **args) == expected


def test_datetime_matches_messy_timestamps():
    rng = random.Random(11)
    start, end = datetime(2019, 1, 1, tzinfo=timezone.utc), datetime(2025, 6, 30,
                                                                     tzinfo=timezone.utc)
    for _ in range(300):
        when = messy.moment(rng, start, end)
        text = messy.timestamp(rng, when)
        assert apply("datetime_utc", text) == when.strftime("%Y-%m-%d %H:%M:%S"), text


def test_dst_gap_and_fold_are_deterministic():
    # 02:30 does not exist on 2024-03-10 in Chicago, 01:30 exists twice on 2024-11-03
    assert apply("datetime_utc", "2024-03-10 02:30", tz="America/Chicago") == \
        "2024-03-10 08:30:00"
    assert apply("datetime_utc", "2024-11-03 01:30", tz="America/Chicago") == \
        "2024-11-03 06:30:00"


# --------------------------------------------------------------------------- numbers

@pytest.mark.parametrize("name, raw, args, expected", [
    ("integer", " 1,234 ", {}, 1234), ("integer", "12.0", {}, 12), ("integer", "-3", {}, -3),
    ("integer", 7, {}, 7), ("integer", 7.0, {}, 7), ("integer", "1.234", {"decimal": ","}, 1234),
    ("float", "1,234.5", {}, 1234.5), ("float", "1.5e3", {}, 1500.0),
    ("float", "1.234,5", {"decimal": ","}, 1234.5), ("float", "2.345", {"digits": 2}, 2.35),
    ("float", ".5", {}, 0.5), ("float", "-0", {}, 0.0), ("float", Decimal("1.10"), {}, 1.1),
    ("money", "$1,234.50", {}, 1234.5), ("money", "1.234,50 €", {"decimal": ","}, 1234.5),
    ("money", "1 234,50 €", {"decimal": ","}, 1234.5), ("money", "(12.00)", {}, -12.0),
    ("money", "-$5", {}, -5.0), ("money", "$-5", {}, -5.0), ("money", "USD 12", {}, 12.0),
    ("money", "12.00 CAD", {}, 12.0), ("money", "C$ 9.99", {}, 9.99),
    ("money", "12.345", {}, 12.35), ("money", "0.125", {}, 0.13), ("money", 18.5, {}, 18.5),
    ("money", 2.675, {}, 2.68), ("money", "1'234.50", {}, 1234.5),
    ("money", "$1,234.5678", {"digits": 3}, 1234.568), ("money", "12-", {}, -12.0),
])
def test_numbers(name, raw, args, expected):
    value = apply(name, raw, **args)
    assert value == expected and type(value) is type(expected)


@pytest.mark.parametrize("name, raw, args", [
    ("integer", "12.5", {}), ("integer", "3000000000", {}), ("integer", "abc", {}),
    ("integer", True, {}), ("float", "1.234,50", {}), ("float", "1,5", {}),
    ("float", "12%", {}), ("float", "nan", {}), ("float", float("inf"), {}),
    ("float", "1e9999", {}), ("money", "$", {}), ("money", "12 apples", {}),
    ("money", "1.234,50", {}), ("money", "--5", {}), ("money", "1,23.4", {}),
    ("money", "5 - 3", {}),
])
def test_numbers_rejected(name, raw, args):
    rejected(name, raw, **args)


def test_money_hint_names_the_other_decimal_separator():
    assert "decimal=','" in rejected("money", "1.234,50").reason


@pytest.mark.parametrize("raw, expected", [
    ("Yes", True), ("NO", False), (" y ", True), ("n", False), ("1", True), ("0", False),
    ("On", True), ("off", False), ("x", True), ("X", True), ("TRUE", True), ("False", False),
    (True, True), (False, False), (1, True), (0, False), (1.0, True),
])
def test_boolean(raw, expected):
    assert apply("boolean", raw) is expected


@pytest.mark.parametrize("raw", ["maybe", "2", "yes please", -1, 0.5])
def test_boolean_rejected(raw):
    rejected("boolean", raw)


# --------------------------------------------------------------------------- selections

STATUS_MAP = {"Open": "open", "In Progress": "in_progress", "Completed": "done"}


def test_selection_map():
    assert apply("selection_map", "  in progress ", mapping=STATUS_MAP) == "in_progress"
    assert apply("selection_map", "IN_PROGRESS", mapping=STATUS_MAP) == "in_progress"
    assert apply("selection_map", "completed", mapping=STATUS_MAP) == "done"
    error = rejected("selection_map", "On Hold", mapping=STATUS_MAP)
    assert '"Open"' in error.reason and '"In Progress"' in error.reason
    result = run("selection_map", "On Hold", mapping=STATUS_MAP, default="open")
    assert result.value == "open" and result.altered
    rejected("selection_map", "open", mapping=STATUS_MAP, case_insensitive=False)
    assert apply("selection_map", 2, mapping={1: "a", 2: "b"}) == "b"


@pytest.mark.parametrize("raw, expected", [
    ("Low", "0"), ("normal", "1"), ("MEDIUM", "1"), (" High", "2"), ("Urgent", "3"),
    ("emergency ", "3"), ("P1", "3"), ("p2", "2"), ("3", "1"), (1, "3"), (5, "0"),
    ("P1 - Emergency", "3"), ("Very High", "3"), ("critical", "3"),
])
def test_priority(raw, expected):
    assert apply("priority", raw) == expected


def test_priority_mapping_default_and_conflicts():
    assert apply("priority", "3", mapping={"3": "3"}) == "3"
    assert apply("priority", "Whenever", mapping={"whenever": 0}) == "0"
    assert run("priority", "Whenever", default="1").altered
    assert "different priorities" in rejected("priority", "1 - Low").reason
    rejected("priority", "soonish")


# --------------------------------------------------------------------------- places

@pytest.mark.parametrize("raw, expected", [
    ("USA", "US"), ("U.S.", "US"), ("u.s.a.", "US"), ("United States", "US"), ("us", "US"),
    ("United States of America", "US"), ("Canada", "CA"), ("CA", "CA"), ("CAN", "CA"),
    ("canada", "CA"), ("Mexico", "MX"), ("México", "MX"), ("MEX", "MX"), ("UK", "GB"),
    ("Great Britain", "GB"), ("Deutschland", "DE"), ("the Netherlands", "NL"),
    ("Puerto Rico", "PR"), ("Trinidad & Tobago", "TT"), ("Curaçao", "CW"), ("jpn", "JP"),
])
def test_country_code(raw, expected):
    assert apply("country_code", raw) == expected


def test_country_code_rejected():
    assert '"Atlantis"' in rejected("country_code", "Atlantis").reason


@pytest.mark.parametrize("raw, args, expected", [
    ("TX", {}, ("US", "TX")), ("tx", {}, ("US", "TX")), ("Texas", {}, ("US", "TX")),
    ("Calif.", {}, ("US", "CA")), ("District of Columbia", {}, ("US", "DC")),
    ("Washington", {}, ("US", "WA")), ("Washington, D.C.", {}, ("US", "DC")),
    ("ON", {}, ("CA", "ON")), ("Québec", {}, ("CA", "QC")), ("Quebec", {}, ("CA", "QC")),
    ("PQ", {}, ("CA", "QC")), ("british columbia", {}, ("CA", "BC")),
    ("Newfoundland", {}, ("CA", "NL")), ("CA", {"country": "USA"}, ("US", "CA")),
    ("qc", {"country": "Canada"}, ("CA", "QC")), ("jal", {"country": "MX"}, ("MX", "JAL")),
    # Mexican and other states are the database's: by name too (the hand-written table
    # knew only US and Canadian names)
    ("Baja California Sur", {"country": "MX"}, ("MX", "BCS")),
    ("New South Wales", {"country": "AU"}, ("AU", "NSW")),
    ("idf", {"country": "FR"}, ("FR", "IDF")),
])
def test_state_code(raw, args, expected):
    assert apply("state_code", raw, **args) == expected


def test_state_code_rejected():
    rejected("state_code", "Ontario", country="US")
    rejected("state_code", "Narnia")
    rejected("state_code", "Baja California Norte", country="MX")
    # France has no states in Odoo: a name cannot be matched, a short code passes through
    assert "no states" in rejected("state_code", "Ile-de-France", country="FR").reason


def test_address_lines():
    assert apply("address_lines", ("  12  Main St ", "")) == ("12 Main St", None)
    assert apply("address_lines", {"street_1": "", "street_2": "Suite 100"}) == \
        ("Suite 100", None)
    assert run("address_lines", (None, "Suite 100")).altered
    assert apply("address_lines", ("12 Main St", "12 main st")) == ("12 Main St", None)
    assert apply("address_lines", ("12 Main St\nSuite 4", "")) == ("12 Main St", "Suite 4")
    assert apply("address_lines", {"street": "1 Rue Saint-Denis", "street2": "Bureau 2"}) == \
        ("1 Rue Saint-Denis", "Bureau 2")
    assert apply("address_lines", "12 Main St") == ("12 Main St", None)
    assert tr.address_lines(" 1 Elm ", " Apt 4B ") == ("1 Elm", "Apt 4B")
    rejected("address_lines", ("a", "b", "c"))
    rejected("address_lines", {"line": "x"})


# --------------------------------------------------------------------------- names

@pytest.mark.parametrize("raw, expected", [
    ("John Smith", ("John", "Smith")), ("  Mary   Ann  Smith ", ("Mary Ann", "Smith")),
    ("Smith, John", ("John", "Smith")), ("Jan van der Berg", ("Jan", "van der Berg")),
    ("Ana-Lucía de la Cruz", ("Ana-Lucía", "de la Cruz")),
    ("John Smith Jr.", ("John", "Smith Jr.")), ("John Smith, Jr.", ("John", "Smith Jr.")),
    ("Dr. Jane Doe", ("Jane", "Doe")), ("Cher", ("Cher", None)),
    ("van Gogh", (None, "van Gogh")), ("محمد عبد الله", ("محمد", "عبد الله")),
    ("יוסף כהן", ("יוסף", "כהן")), ("田中 明", ("田中", "明")),
])
def test_split_name(raw, expected):
    assert apply("split_name", raw) == expected


def test_split_name_parts_and_notes():
    assert apply("split_name", "John Smith", part="first") == "John"
    assert apply("split_name", "John Smith", part="last") == "Smith"
    assert apply("split_name", "", part="last") is None
    assert run("split_name", "Mr. John Smith").altered


@pytest.mark.parametrize("raw, args, expected", [
    ((" John ", " Smith "), {}, "John Smith"), (("John", None), {}, "John"),
    ((None, "Smith"), {}, "Smith"), (("", " "), {}, None), ((None, None), {}, None),
    ({"first_name": "فاطمة", "last_name": "الحسن"}, {}, "فاطمة الحسن"),
    (("John", "Smith"), {"order": "last_first"}, "Smith, John"),
    ({"first": "Zoë", "last": "Côté"}, {}, "Zoë Côté"), ("  Cher ", {}, "Cher"),
])
def test_full_name(raw, args, expected):
    assert apply("full_name", raw, **args) == expected


# --------------------------------------------------------------------------- HTML

def test_markdown_to_html():
    source = ("# Site visit\n\n**Gate** code is *1234* and `#42`\nsecond line\n\n"
              "- replaced filter\n- checked *valve*\n\n1. first\n2. second\n\n"
              "> Gate code: 1234\n\nSee [manual](https://example.com/a_b?x=1&y=2) or "
              "https://example.com/x.\n\n---\n\n<script>alert(1)</script> a_b_c 2*3*4")
    # Python-Markdown writes a newline between blocks (kept: an Html field stores it)
    out = apply("markdown_to_html", source).replace("\n", "")
    assert "<h1>Site visit</h1>" in out
    assert "<p><strong>Gate</strong> code is <em>1234</em> and <code>#42</code><br>" \
           "second line</p>" in out
    assert "<ul><li>replaced filter</li><li>checked <em>valve</em></li></ul>" in out
    assert "<ol><li>first</li><li>second</li></ol>" in out
    # the quote carries the marks Odoo's parser adds to every quote it stores
    assert '<blockquote data-o-mail-quote-node="1" data-o-mail-quote="1"><p>Gate code: 1234' \
        '</p></blockquote>' in out
    assert '<a href="https://example.com/a_b?x=1&amp;y=2">manual</a>' in out
    assert '<a href="https://example.com/x">https://example.com/x</a>.' in out
    assert "<hr>" in out and "<script>" not in out and "&lt;script&gt;" in out
    # intraword underscores stay; '2*3*4' is emphasis for Markdown (CommonMark too), which
    # the hand-written converter left as is
    assert "a_b_c" in out and "2<em>3</em>4" in out


def test_markdown_refuses_unsafe_links_and_survives_nesting():
    out = apply("markdown_to_html", "[click](javascript:alert(1)) \"quoted\"")
    # lxml writes quotes in text as they are (as an Html field stores them)
    assert "href" not in out and "<a>click</a>" in out and '"quoted"' in out
    assert apply("markdown_to_html", ">" * 50 + " deep").count("<blockquote>") <= 10
    assert apply("markdown_to_html", "```\n<b>x</b>\n```") == \
        "<pre><code>&lt;b&gt;x&lt;/b&gt;\n</code></pre>"
    long = "## Site history\n\n" + messy.long_text(random.Random(1), 20_000)
    assert len(apply("markdown_to_html", long)) > 20_000


def test_text_to_html():
    assert apply("text_to_html", "Dog on site <b>\r\ncall before\n\n\nBye & thanks") == \
        "<p>Dog on site &lt;b&gt;<br>call before</p><p>Bye &amp; thanks</p>"


def _png(seed=1):
    return messy.png_bytes(random.Random(seed), size=4)


def test_extract_inline_images():
    png = _png()
    data = base64.b64encode(png).decode()
    sha1 = hashlib.sha1(png).hexdigest()
    body = (f'<p>Before</p><p><img src="data:image/png;base64,{data}" alt="photo"></p>'
            f'<p>again <img alt="x" src="data:image/png;base64,{data}"/></p><!-- kept -->')
    out, images = tr.extract_inline_images(body)
    assert "data:" not in out and out.count(f'src="cid:{sha1}"') == 2
    assert "<p>Before</p>" in out and "<!-- kept -->" in out
    assert len(images) == 1
    image = images[0]
    assert (image.mimetype, image.data, image.sha1) == ("image/png", png, sha1)
    assert image.name.endswith(".png")
    replaced = tr.replace_image_refs(out, {sha1: "/web/image/42"})
    assert replaced.count('src="/web/image/42"') == 2
    assert tr.extract_inline_images("<p>no image</p>") == ("<p>no image</p>", [])


def test_malformed_inline_images_are_dropped_with_a_note():
    good = base64.b64encode(_png()).decode()
    body = ('<p>Keep this text</p><img src="data:image/png;base64,!!!notbase64!!!">'
            '<img src="data:image/png;base64,' + base64.b64encode(b"not a png").decode() + '">'
            '<img src="data:text/html;base64,PGI+eDwvYj4=">'
            f'<img src="data:image/png;base64,{good[:-8]}">'
            '<p>and this</p>')
    notes = []
    out, images = tr.extract_inline_images(body, notes)
    assert "Keep this text" in out and "and this" in out and "<img" not in out
    assert images == [] and len(notes) == 4
    result = run("html_clean", body)
    assert "Keep this text" in result.value and result.altered and not result.images


def test_html_clean():
    png = _png(2)
    body = ('<html><head><style>p{color:red}</style></head><body>'
            '<p onclick="steal()">Hi <b>there</b> &amp; &#169;</p><script>alert(1)</script>'
            '<a href="javascript:alert(1)">x</a><a href="https://ok.example">ok</a>'
            '<o:p></o:p><!--[if gte mso 9]>junk<![endif]-->'
            f'<img src="data:image/png;base64,{base64.b64encode(png).decode()}"></body></html>')
    result = run("html_clean", body)
    out = result.value
    # lxml writes character references as the characters (as an Html field stores them)
    assert "<p>Hi <b>there</b> &amp; ©</p>" in out
    assert "script" not in out and "alert" not in out and "color:red" not in out
    assert "onclick" not in out and "junk" not in out and "o:p" not in out
    assert '<a href="https://ok.example">ok</a>' in out and "<a>x</a>" in out
    assert [i.sha1 for i in result.images] == [hashlib.sha1(png).hexdigest()]
    assert f'cid:{hashlib.sha1(png).hexdigest()}' in out


def test_html_clean_on_messy_notes_keeps_every_word():
    rng = random.Random(5)
    with_images = 0
    for _ in range(200):
        body = messy.html_note(rng)
        result = run("html_clean", body)
        assert "data:" not in result.value and not result.notes
        with_images += bool(result.images)
        for image in result.images:
            assert image.data.startswith(b"\x89PNG") and \
                hashlib.sha1(image.data).hexdigest() == image.sha1
        stripped = body.split("<img")[0][-20:].replace("\xa0", "&nbsp;")  # as Odoo writes it
        assert stripped in result.value or "<img" in stripped
    assert with_images > 20


# --------------------------------------------------------------------------- structures

def test_json_dump():
    parts = [{"name": "Ball valve ¾\"", "qty": 2, "cost": Decimal("14.25"), "sku": None}]
    assert apply("json_dump", parts) == \
        '[{"cost":14.25,"name":"Ball valve ¾\\"","qty":2,"sku":null}]'
    assert apply("json_dump", parts, fields=["name", "qty", "cost"]) == \
        '[{"cost":14.25,"name":"Ball valve ¾\\"","qty":2}]'
    assert apply("json_dump", [{"quantity": 1}], fields={"qty": "quantity"}) == '[{"qty":1}]'
    assert apply("json_dump", '{"b": 1, "a": [1, 2]}') == '{"a":[1,2],"b":1}'
    assert apply("json_dump", {1: date(2024, 3, 1)}) == '{"1":"2024-03-01"}'
    rejected("json_dump", "not json")
    rejected("json_dump", [float("nan")])
    rejected("json_dump", [object()])
    rejected("json_dump", ["x"], fields=["name"])


def test_join():
    assert apply("join", [" HVAC ", "", None, "Plumbing"]) == "HVAC, Plumbing"
    assert apply("join", ["a", "b"], sep="; ") == "a; b"
    assert apply("join", ["", None]) is None
    assert apply("join", " single ") == "single"
    rejected("join", [{"a": 1}])


# --------------------------------------------------------------------------- messy data

def _check_all(name, values, **args):
    """Every value transforms or is rejected with a reason; return (ok, rejected)."""
    ok = bad = 0
    bound = tr.bind(name, **args)
    for value in values:
        try:
            bound.run(value)
            ok += 1
        except TransformError as exc:
            assert not exc.internal, exc.reason
            assert exc.reason and exc.transform == name
            bad += 1
    return ok, bad


def test_messy_generator_values():
    rng = random.Random(2024)
    names = [messy.person_name(rng) for _ in range(300)]
    addresses = [messy.address(rng) for _ in range(300)]
    emails = [messy.email(rng, f, last) for f, last in names]
    phones = [messy.phone(rng) for _ in range(400)]
    assert _check_all("email", emails) == (300, 0)
    assert _check_all("phone", phones) == (400, 0)
    assert _check_all("full_name", names) == (300, 0)
    assert _check_all("split_name", [" ".join(n) for n in names]) == (300, 0)
    assert _check_all("title", [messy.company_name(rng) for _ in range(300)]) == (300, 0)
    assert _check_all("country_code", [a["country"] for a in addresses]) == (300, 0)
    assert {apply("country_code", a["country"]) for a in addresses} - {None} == {"US", "CA"}
    assert _check_all("state_code", [a["state"] for a in addresses]) == (300, 0)
    assert _check_all("address_lines", [(a["street"], a["street2"]) for a in addresses]) == \
        (300, 0)
    assert _check_all("text_to_html", [messy.notes(rng) for _ in range(300)]) == (300, 0)
    statuses = [messy.status(rng, rng.choice(fst_data.WO_STATUSES)) for _ in range(300)]
    mapping = {s: s.lower().replace(" ", "_") for s in fst_data.WO_STATUSES}
    assert _check_all("selection_map", statuses, mapping=mapping) == (300, 0)
    for value in phones:
        if value.strip():
            assert apply("phone", value).startswith("+1 ")


def test_fst_dataset_values():
    data = fst_data.generate(1, 3)
    work_orders = data.records["work_orders"]
    assert _check_all("priority", [w["priority"] for w in work_orders]) == (len(work_orders), 0)
    for column in ("created_at", "scheduled_at", "completed_at", "updated_at",
                   "cf_follow_up_at"):
        assert _check_all("datetime_utc", [w[column] for w in work_orders])[1] == 0
    assert _check_all("date", [w["cf_warranty_expires"] for w in work_orders])[1] == 0
    assert _check_all("boolean", [fst_data.csv_value(w["cf_under_warranty"])
                                  for w in work_orders])[1] == 0
    assert _check_all("integer", [w["cf_visit_count"] for w in work_orders])[1] == 0
    assert _check_all("float", [fst_data.csv_value(w["cf_estimated_hours"])
                                for w in work_orders])[1] == 0
    levels = {k: k.lower() for k in ("None", "Bronze", "Silver", "Gold", "Platinum")}
    assert _check_all("selection_map", [w["cf_contract_level"] for w in work_orders],
                      mapping=levels)[1] == 0
    customers = data.records["customers"]
    for column in ("email", "phone", "mobile"):
        assert _check_all(column if column == "email" else "phone",
                          [c[column] for c in customers])[1] == 0
    assert _check_all("money", [fst_data.csv_value(c["credit_limit"]) for c in customers])[1] == 0
    invoices = data.records["invoices"]
    for column in ("subtotal", "tax", "total"):
        assert _check_all("money", [fst_data.csv_value(i[column]) for i in invoices])[1] == 0
    assert _check_all("html_clean", [n["body_html"] for n in data.records["notes"]])[1] == 0
    parts = data.records["parts_used"]
    assert json.loads(apply("json_dump", parts, fields={"name": "name", "qty": "quantity",
                                                        "cost": "cost"}))[0].keys() == \
        {"name", "qty", "cost"}


def test_dispatch_dataset_values():
    data = dispatch_data.DispatchData(1, 3)
    jobs = data.records["jobs"]
    assert _check_all("markdown_to_html", [j["description"] for j in jobs])[1] == 0
    assert _check_all("selection_map", [j["status"] for j in jobs],
                      mapping={s: s for s in dispatch_data.JOB_STATUSES})[1] == 0
    custom = [j["custom_fields"] for j in jobs if j.get("custom_fields")]
    assert _check_all("priority", [c.get("priority") for c in custom])[1] == 0
    assert _check_all("date", [c.get("install_date") for c in custom])[1] == 0
    numbers = [p["number"] for c in data.records["customers"] for p in c["phone_numbers"]]
    assert _check_all("phone", numbers) == (len(numbers), 0)
    times = [a["time"] for a in data.records["appointments"]]
    assert _check_all("datetime_utc", times, tz="America/Chicago") == (len(times), 0)
    for value in times:  # explicit offsets win over tz
        if value.endswith("Z") or value[-6] in "+-":
            assert apply("datetime_utc", value, tz="America/Chicago") == \
                apply("datetime_utc", value)


# --------------------------------------------------------------------------- properties

MESSY_VALUES = st.one_of(
    st.text(max_size=60),
    st.text(alphabet=st.sampled_from("0123456789 .,-+/:()$€TZxX#;@aAmMpP"), max_size=30),
    st.from_regex(r"\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}( \d{1,2}:\d{2}( [AP]M)?)?", fullmatch=True),
    st.integers(), st.floats(allow_nan=True, allow_infinity=True), st.booleans(), st.none(),
    st.decimals(allow_nan=True), st.lists(st.text(max_size=8), max_size=3),
    st.dictionaries(st.text(max_size=5), st.text(max_size=5), max_size=3),
    st.tuples(st.text(max_size=10), st.text(max_size=10)),
)
HTML_VALUES = st.lists(st.sampled_from([
    "<p>", "</p>", "<img src=\"data:image/png;base64,", "iVBORw0KGgo", "\">", "<script>",
    "<!--", "-->", "<![", "]>", "<a href='javascript:x'>", "&amp;", "&#", "**", "*", "`",
    "[x](", ")", "\n", "> ", "- ", "1. ", "# ", "<", ">", "data:", "é", "\u200b",
]), max_size=25).map("".join)


@pytest.mark.parametrize("name", sorted(TRANSFORMS))
def test_random_values_only_ever_raise_transform_error(name):
    bound = tr.bind(name, **REQUIRED_ARGS.get(name, {}))

    @settings(max_examples=120, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow])
    @given(value=st.one_of(MESSY_VALUES, HTML_VALUES))
    def check(value):
        try:
            first = bound.run(value)
        except TransformError as exc:
            assert not exc.internal, exc.reason
            return
        assert bound.run(value) == first  # deterministic

    check()


@settings(max_examples=150, deadline=None, database=None)
@given(st.text(max_size=80))
def test_trim_is_idempotent_and_clean(text):
    once = apply("trim", text)
    if once is not None:
        assert apply("trim", once) == once
        assert once == once.strip() and "  " not in once and "\x00" not in once


@settings(max_examples=150, deadline=None, database=None)
@given(st.decimals(min_value=-10 ** 9, max_value=10 ** 9, places=2))
def test_money_reads_what_accounting_formats_write(amount):
    text = f"{abs(amount):,.2f}"
    written = f"(${text})" if amount < 0 else f"${text}"
    assert apply("money", written) == float(amount)
    european = text.replace(",", " ").replace(".", ",") + " €"
    assert apply("money", ("-" if amount < 0 else "") + european, decimal=",") == float(amount)


@settings(max_examples=150, deadline=None, database=None)
@given(st.datetimes(min_value=datetime(1971, 1, 1), max_value=datetime(2100, 1, 1)),
       st.sampled_from(["UTC", "America/Chicago", "America/St_Johns", "Asia/Kolkata"]))
def test_datetime_round_trip(moment, zone):
    moment = moment.replace(microsecond=0)
    expected = moment.strftime("%Y-%m-%d %H:%M:%S")
    assert apply("datetime_utc", moment.isoformat() + "Z") == expected
    assert apply("datetime_utc", int(moment.replace(tzinfo=timezone.utc).timestamp())) == \
        expected
    local = apply("datetime_utc", moment.strftime("%m/%d/%Y %I:%M:%S %p"), tz=zone)
    assert len(local) == 19


# --------------------------------------------------------------------------- speed

def test_hot_path_speed():
    rng = random.Random(9)
    start, end = datetime(2019, 1, 1, tzinfo=timezone.utc), datetime(2025, 1, 1,
                                                                     tzinfo=timezone.utc)
    samples = {
        "trim": [messy.company_name(rng) for _ in range(2000)],
        "email": [messy.email(rng, *messy.person_name(rng)) for _ in range(2000)],
        "datetime_utc": [messy.timestamp(rng, messy.moment(rng, start, end))
                         for _ in range(2000)],
        "money": [f"${rng.uniform(0, 9999):,.2f}" for _ in range(2000)],
        "phone": [messy.phone(rng) for _ in range(2000)],
        "priority": [messy.status(rng, rng.choice(fst_data.PRIORITIES)) for _ in range(2000)],
    }
    for name, values in samples.items():
        bound = tr.bind(name)
        began = time.perf_counter()
        for value in values:
            try:
                bound(value)
            except TransformError:
                pass
        rate = len(values) / (time.perf_counter() - began)
        # the run needs ~1,000 values/s per field; ask for 10x that even on a slow CI box
        assert rate > 10_000, f"{name}: {rate:.0f} values/s"
