"""What several pure test files share: Odoo 18's real field metadata and countries (the
fixtures read off a database), the installed-apps sets, a fresh crm's stages, and an
in-memory source."""

import json
from pathlib import Path

from services.mapping import targets_from_fields_get
from services.source_base import Source
from services.transforms import Places

FIXTURE = Path(__file__).with_name("odoo18_fields.json")
#: the same models' fields_get() in an Odoo 19.0 database with the optional apps
FIXTURE_19 = Path(__file__).with_name("odoo19_fields.json")
#: res.country / res.country.state of an Odoo 18 database with crm and the en_US, fr_FR
#: and es_MX languages; regenerate with tools/dump_places.py (its docstring says how)
PLACES_DUMP = Path(__file__).with_name("places_dump.json")
ALL_APPS = frozenset({"sale", "sale_crm", "account", "stock", "hr", "hr_skills", "project",
                      "calendar", "base_geolocalize"})
#: the stages of a fresh crm database
CRM_STAGES = [{"name": "New", "is_won": False}, {"name": "Qualified", "is_won": False},
              {"name": "Proposition", "is_won": False}, {"name": "Won", "is_won": True}]


def load_targets(series=18):
    fixture = FIXTURE_19 if series == 19 else FIXTURE
    return targets_from_fields_get(json.loads(fixture.read_text(encoding="utf-8")))


def places_data():
    return json.loads(PLACES_DUMP.read_text(encoding="utf-8"))


def load_places_dump():
    """The dump's countries and states as the :class:`Places` the transforms resolve
    against."""
    return Places.from_data(places_data())


class MemorySource(Source):
    """Dispatch-shaped records served from memory (no HTTP server)."""

    kind = "dispatch"

    def __init__(self, data):
        super().__init__()
        self.data = data

    def test_connection(self):
        pass

    def list_objects(self):
        return list(self.data.records)

    def iter_pages(self, obj, since=None, page_size=None):
        yield self.data.records[obj]


def profiled_fst_bundle(folder, scale, seed):
    """An emulator FST bundle written in ``folder``, profiled: ``(dictionary, custom
    fields)`` as discovery gives them."""
    from emulators.fst_bundle import write_bundle  # (imported late: pure fixtures first)
    from emulators.fst_data import generate
    from services.fst_bundle import FstBundleSource
    from services.profiling import profile_source

    write_bundle(generate(scale, seed), folder)
    source = FstBundleSource(folder)
    try:
        return profile_source(source, "fst"), source.custom_fields()
    finally:
        source.close()
