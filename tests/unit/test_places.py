"""Countries and states resolved against a dump of an Odoo 18 database's tables.

The dump (``places_dump.json``, ~250 countries, ~1,800 states, en_US/fr_FR/es_MX names) is
written by ``tools/dump_places.py`` from ``res.country``/``res.country.state`` exactly as
the engine reads them at run time (``importers/places.py``); regenerate it with the command
in that script's docstring. ``tests/test_places.py`` checks the same against the real
tables in Odoo.
"""

import contextvars

import pytest
from unit_fixtures import load_places_dump, places_data

from services.transforms import Places, TransformArgError, TransformError, apply, use_places

DATA = places_data()
PLACES = load_places_dump()
STATE_COUNTRIES = ("US", "CA", "MX", "AU")


def test_dump_is_a_whole_table():
    assert len(DATA["countries"]) >= 245
    assert {"KE", "MA", "VN", "XK"} <= {c["code"] for c in DATA["countries"]}
    assert {s["country"] for s in DATA["states"]} >= set(STATE_COUNTRIES)


@pytest.mark.parametrize("country", DATA["countries"], ids=lambda c: c["code"])
def test_every_country_by_iso2_iso3_and_english_name(country):
    code = country["code"]
    for text in (code, code.lower(), country["names"]["en_US"],
                 country["names"]["en_US"].upper(), *DATA["iso3"][code]):
        assert apply("country_code", text) == code, text
    assert DATA["iso3"][code], f"Babel knows no ISO-3 code for {code}"


def test_every_translated_name_resolves():
    """Every name in every installed language, accents or not, gives its country."""
    wrong = [(c["code"], lang, name) for c in DATA["countries"]
             for lang, name in c["names"].items()
             if apply("country_code", name, places=PLACES) != c["code"]]
    assert not wrong
    assert apply("country_code", "Etats-Unis") == "US"
    assert apply("country_code", "Allemagne") == "DE"  # fr_FR
    assert apply("country_code", "Marruecos") == "MA"  # es_MX


@pytest.mark.parametrize("country", STATE_COUNTRIES)
def test_every_state_by_code_and_name(country):
    states = [s for s in DATA["states"] if s["country"] == country]
    assert len(states) >= 8
    for state in states:
        for text in (state["code"], state["code"].lower(), state["name"], state["name"].upper()):
            assert apply("state_code", text, country=country) == (country, state["code"]), text
    if country in ("US", "CA"):  # without a country: US first, then Canada
        for state in states:
            cc, code = apply("state_code", state["name"])
            assert (cc, code) == (country, state["code"]) or cc == "US" and country == "CA"


@pytest.mark.parametrize("raw, expected", [
    ("Kenya", "KE"), ("KEN", "KE"), ("Morocco", "MA"), ("Maroc", "MA"), ("Viet Nam", "VN"),
    ("Vietnam", "VN"), ("Côte d'Ivoire", "CI"), ("Türkiye", "TR"),
    ("Turkey", "TR"), ("Czechia", "CZ"), ("BUR", "MM"), ("Kosovo", "XK"),
])
def test_countries_the_hand_written_table_rejected(raw, expected):
    assert apply("country_code", raw) == expected


def test_a_code_matches_only_as_typed():
    """'N/A' is not Namibia ('NA'); the emulators' typos stay rejected."""
    assert apply("country_code", "na") == "NA"
    for raw in ("N/A", "n.a.", "ZZ", "??", "Amerca", "Unted States", "Kanada"):
        with pytest.raises(TransformError):
            apply("country_code", raw)


def test_ambiguous_name_is_rejected_with_both_countries():
    places = Places([{"code": "CG", "names": {"en_US": "Congo"}},
                     {"code": "CD", "names": {"en_US": "Congo Kinshasa", "fr_FR": "Congo"}},
                     {"code": "AA", "names": {"fr_FR": "Twin"}},
                     {"code": "BB", "names": {"es_MX": "Twin"}}])
    assert apply("country_code", "Congo", places=places) == "CG"  # English beats French
    with pytest.raises(TransformError) as info:
        apply("country_code", "twin", places=places)
    assert "ambiguous" in info.value.reason and "(AA)" in info.value.reason \
        and "(BB)" in info.value.reason


def test_a_country_of_the_database_beats_our_alias_of_another():
    """18.0 has no 'Northern Ireland': our alias sends it to GB. 19.0 has 'XI' of that
    name (and a database may add any country): the database's own country wins."""
    gb = {"code": "GB", "names": {"en_US": "United Kingdom", "fr_FR": "Royaume-Uni"}}
    assert apply("country_code", "Northern Ireland", places=Places([gb])) == "GB"
    with_xi = Places([gb, {"code": "XI", "names": {"en_US": "Northern Ireland"}}])
    assert apply("country_code", "Northern Ireland", places=with_xi) == "XI"
    assert apply("country_code", "U.K.", places=with_xi) == "GB"  # other aliases still hold


def test_without_data_the_transform_says_so():
    def unbound():
        use_places(None)
        with pytest.raises(TransformArgError) as info:
            apply("country_code", "Kenya")
        return info.value.reason
    assert "No country data" in contextvars.Context().run(unbound)
    assert apply("country_code", "Kenya") == "KE"  # this thread's data is untouched


def test_explicit_places_win_over_the_active_ones():
    only_kenya = Places([{"code": "KE", "names": {"en_US": "Kenya"}}],
                        [{"country": "KE", "code": "110", "name": "Nairobi"}])
    assert apply("state_code", "Nairobi", country="KE", places=only_kenya) == ("KE", "110")
    with pytest.raises(TransformError):
        apply("country_code", "Canada", places=only_kenya)
