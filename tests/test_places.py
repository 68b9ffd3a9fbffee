"""Countries and states against the database's real res.country / res.country.state."""

from babel.core import get_global

from odoo.tests import tagged

from ..importers.places import load_places, read_places
from ..services import transforms as tr
from .common import TransactionCase


@tagged("post_install", "-at_install")
class TestPlaces(TransactionCase):
    """Every country of the table by ISO-2, ISO-3 and English name (and by its name in
    every installed language), every US/CA/MX/AU state by code and name; the tests of
    ``tests/unit/test_places.py`` run on a dump of the same tables."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.places = load_places(cls.env)
        cls.countries = cls.env["res.country"].with_context(lang="en_US").search([])
        iso3 = {}
        for alias, codes in get_global("territory_aliases").items():
            if len(alias) == 3 and alias.isalpha() and len(codes) == 1:
                iso3.setdefault(codes[0], []).append(alias)
        cls.iso3 = iso3

    def test_every_country(self):
        self.assertGreaterEqual(len(self.countries), 245)
        self.assertEqual(len(self.places), len(self.countries))
        wrong = []
        for country in self.countries:
            texts = [country.code, country.code.lower(), country.name,
                     *self.iso3.get(country.code, ())]
            if not self.iso3.get(country.code):
                wrong.append((country.code, "no ISO-3"))
            wrong += [(country.code, text) for text in texts
                      if tr.apply("country_code", text) != country.code]
        self.assertEqual(wrong, [])
        self.assertEqual(tr.apply("country_code", "Kenya"), "KE")
        self.assertEqual(tr.apply("country_code", "MAR"), "MA")

    def test_every_installed_language(self):
        data = read_places(self.env)
        self.assertEqual(data["languages"],
                         sorted(code for code, _ in self.env["res.lang"].get_installed()))
        wrong = [(row["code"], lang, name) for row in data["countries"]
                 for lang, name in row["names"].items()
                 if tr.apply("country_code", name) != row["code"]]
        self.assertEqual(wrong, [])

    def test_every_state_of_the_four_countries(self):
        for code in ("US", "CA", "MX", "AU"):
            states = self.env["res.country.state"].search([("country_id.code", "=", code)])
            self.assertGreaterEqual(len(states), 8, code)
            for state in states:
                for text in (state.code, state.name, state.name.lower()):
                    self.assertEqual(tr.apply("state_code", text, country=code),
                                     (code, state.code.upper()), (code, text))

    def test_data_is_read_not_built_in(self):
        """A state the database gains is known once the data is read again (each run)."""
        self.addCleanup(tr.use_places, tr.active_places())
        self.env["res.country.state"].create({
            "country_id": self.env.ref("base.ke").id, "code": "ZQT", "name": "Zeta Quarter Test"})
        with self.assertRaises(tr.TransformError):
            tr.apply("state_code", "Zeta Quarter Test", country="KE")
        load_places(self.env)
        self.assertEqual(tr.apply("state_code", "Zeta Quarter Test", country="KE"), ("KE", "ZQT"))
