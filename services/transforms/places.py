"""Place transforms: countries and states resolved against the database's data, street lines.

``country_code`` and ``state_code`` know no country by themselves: they resolve a value
against a :class:`Places` — the rows of Odoo's ``res.country`` (ISO-2 code, name in every
installed language) and ``res.country.state`` (code, name) — which the Odoo side reads once
per run (``importers/places.py``) and passes as data: the transforms' ``places`` argument,
or :func:`use_places` for the transforms bound without it. ISO-3 codes, which
``res.country`` has not, come from Babel's CLDR data (an Odoo requirement); English names
from Babel are accepted next to Odoo's. What is ours is only the small alias tables below
(the way field-service records spell countries and states: 'USA', 'U.K.', 'Calif.', 'PQ').
"""

import re
import unicodedata
from contextvars import ContextVar

from .base import TransformArgError, TransformError, _as_text, _clean, _clean_text, _pair, _q
from .registry import _register

try:  # an Odoo requirement; without it (a bare pure venv) ISO-3 codes are not known
    from babel import Locale
    from babel.core import get_global
except ImportError:  # pragma: no cover - the test venv and Odoo both have babel
    Locale = get_global = None

# --------------------------------------------------------------------------- our aliases

#: ISO-2 → how field-service records also write the country (besides its ISO-2/ISO-3
#: codes and its names in the database's languages)
COUNTRY_ALIASES = {
    "US": ("United States of America", "America", "U.S.", "U.S.A.", "Etats-Unis",
           "Estados Unidos", "EEUU", "EE.UU."),
    "MX": ("Estados Unidos Mexicanos",),
    "GB": ("UK", "U.K.", "Great Britain", "Britain", "England", "Scotland", "Wales",
           "Northern Ireland"),
    "DO": ("Republica Dominicana",), "TT": ("Trinidad",), "IE": ("Eire",),
    "DE": ("Deutschland",), "ES": ("Espana",), "IT": ("Italia",),
    "NL": ("Holland", "Nederland"), "BE": ("Belgique", "Belgie"), "CH": ("Suisse", "Schweiz"),
    "TR": ("Turkey",), "AE": ("UAE",), "CN": ("People's Republic of China", "PRC"),
    "KR": ("Korea", "Republic of Korea"), "BR": ("Brasil",),
}
#: (ISO-2, state code) → abbreviations and other names of US states and Canadian provinces
STATE_ALIASES = {
    "US": {"AL": ("Ala",), "AZ": ("Ariz",), "AR": ("Ark",), "CA": ("Calif", "Cal"),
           "CO": ("Colo",), "CT": ("Conn",), "DE": ("Del",), "FL": ("Fla",), "IL": ("Ill",),
           "IN": ("Ind",), "KS": ("Kan", "Kans"), "MA": ("Mass",), "MI": ("Mich",),
           "MN": ("Minn",), "MS": ("Miss",), "MT": ("Mont",), "NE": ("Neb", "Nebr"),
           "NV": ("Nev",), "OK": ("Okla",), "OR": ("Ore",), "PA": ("Penn", "Penna"),
           "TN": ("Tenn",), "TX": ("Tex",), "WA": ("Wash",), "WV": ("W Va",),
           "WI": ("Wis", "Wisc"), "WY": ("Wyo",),
           "DC": ("Washington DC", "Washington D.C."), "VI": ("US Virgin Islands",)},
    "CA": {"AB": ("Alta",), "BC": ("Colombie-Britannique",), "MB": ("Man",),
           "NB": ("Nouveau-Brunswick",),
           "NL": ("Newfoundland", "Labrador", "Nfld", "NF", "Terre-Neuve-et-Labrador"),
           "NS": ("Nouvelle-Ecosse",), "NT": ("Territoires du Nord-Ouest", "NWT"),
           "ON": ("Ont",), "PE": ("PEI", "Ile-du-Prince-Edouard"), "QC": ("PQ", "Que"),
           "SK": ("Sask",), "YT": ("Yukon Territory", "YK")},
}

# --------------------------------------------------------------------------- the index

_NAME_KEY_RE = re.compile(r"[^0-9a-z]+")
#: the rank of a name in the index: a key two countries share is kept by the better rank
#: (an ISO-2 code beats a translated name); within one rank it is ambiguous
_RANK_CODE, _RANK_ISO3, _RANK_ALIAS, _RANK_ENGLISH, _RANK_TRANSLATED = range(5)


def _name_key(text):
    """Accents off, case folded, '&' → 'and', punctuation → space, leading 'the' off."""
    text = unicodedata.normalize("NFKD", text.replace("&", " and "))
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    text = _NAME_KEY_RE.sub(" ", text).strip()
    return text[4:] if text.startswith("the ") else text


class _Index:
    """Normalised name → code, with the names two codes share at the same rank kept aside
    as ambiguous (never guessed). With ``exact_codes``, codes match only as typed (case
    aside): 'N/A' is not Namibia's 'NA'."""

    __slots__ = ("ambiguous", "codes", "exact", "_rank")

    def __init__(self, exact_codes=False):
        self.codes = {}
        self.ambiguous = {}
        self.exact = {} if exact_codes else None
        self._rank = {}

    def add(self, code, name, rank):
        if self.exact is not None and rank in (_RANK_CODE, _RANK_ISO3):
            self.exact.setdefault(name.casefold(), code)
            return
        key = _name_key(name)
        if not key:
            return
        for k in {key, key.replace(" ", "")}:
            old = self._rank.get(k)
            if old is None or rank < old:
                self.codes[k], self._rank[k] = code, rank
                self.ambiguous.pop(k, None)
            elif rank == old and self.codes.get(k, code) != code:
                self.ambiguous.setdefault(k, {self.codes.pop(k)}).add(code)
            elif rank == old and k in self.ambiguous:
                self.ambiguous[k].add(code)

    def find(self, text):
        """The code of ``text``, ``None`` when unknown; a set of codes when ambiguous."""
        if self.exact is not None:
            code = self.exact.get(text.casefold())
            if code is not None:
                return code
        key = _name_key(text)
        for k in (key, key.replace(" ", "")):
            code = self.codes.get(k)
            if code is not None:
                return code
            if k in self.ambiguous:
                return frozenset(self.ambiguous[k])
        return None


def _babel_iso3():
    """ISO-2 → its ISO-3 codes (CLDR's territory aliases of three letters)."""
    if get_global is None:
        return {}
    out = {}
    for alias, codes in get_global("territory_aliases").items():
        if len(alias) == 3 and alias.isalpha() and len(codes) == 1:
            out.setdefault(codes[0], []).append(alias)
    return out


def _babel_english():
    return dict(Locale("en").territories) if Locale is not None else {}


class Places:
    """Countries and states to resolve values against: built from the rows of the
    database's ``res.country`` / ``res.country.state`` (see :meth:`from_data`)."""

    def __init__(self, countries, states=(), *, country_aliases=None, state_aliases=None):
        """``countries``: ``[{"code": "US", "names": {"en_US": "United States", …}}]``;
        ``states``: ``[{"country": "US", "code": "TX", "name": "Texas"}]``."""
        self.country_names = {}
        self.iso3 = {}
        self._countries = _Index(exact_codes=True)
        self._states = {}
        self._state_names = {}
        iso3 = _babel_iso3()
        english = _babel_english()
        aliases = COUNTRY_ALIASES if country_aliases is None else country_aliases
        # a name the database gives a country of its own is that country's, never one of
        # our aliases of another (19.0 has 'XI' Northern Ireland; 18.0 has not)
        named = {_name_key(name) for row in countries for name in (row.get("names") or {}).values()}
        for row in countries:
            code = row["code"].upper()
            names = row.get("names") or {}
            self.country_names[code] = names.get("en_US") or next(iter(names.values()), code)
            self.iso3[code] = tuple(iso3.get(code, ()))
            self._countries.add(code, code, _RANK_CODE)
            for alias in self.iso3[code]:
                self._countries.add(code, alias, _RANK_ISO3)
            own = {_name_key(name) for name in names.values()}
            for alias in aliases.get(code, ()):
                if _name_key(alias) not in named - own:
                    self._countries.add(code, alias, _RANK_ALIAS)
            for lang, name in names.items():
                self._countries.add(code, name, _RANK_ENGLISH if lang.startswith("en")
                                    else _RANK_TRANSLATED)
            if code in english:
                self._countries.add(code, english[code], _RANK_ENGLISH)
        state_aliases = STATE_ALIASES if state_aliases is None else state_aliases
        for row in states:
            cc, code = row["country"].upper(), row["code"].upper()
            index = self._states.get(cc)
            if index is None:
                index = self._states[cc] = _Index()
            self._state_names[(cc, code)] = row["name"]
            index.add(code, code, _RANK_CODE)
            index.add(code, row["name"], _RANK_ENGLISH)
        for cc, table in state_aliases.items():
            index = self._states.get(cc)
            for code, names in table.items() if index is not None else ():
                if (cc, code) in self._state_names:
                    for name in names:
                        index.add(code, name, _RANK_ALIAS)

    @classmethod
    def from_data(cls, data):
        """From the dictionary ``importers/places.py`` reads (and ``tools/dump_places.py``
        writes): ``{"countries": […], "states": […]}``."""
        return cls(data.get("countries") or (), data.get("states") or ())

    def __len__(self):
        return len(self.country_names)

    def country(self, text):
        """ISO-2 code of ``text`` (code, ISO-3, alias or name); ``None`` when unknown, a
        frozenset of codes when the name is ambiguous."""
        return self._countries.find(text)

    def has_states(self, country):
        return country in self._states

    def state(self, country, text):
        """State code of ``text`` in ``country``; ``None`` when unknown (or ambiguous)."""
        index = self._states.get(country)
        found = index.find(text) if index is not None else None
        return found if isinstance(found, str) else None

    def state_names(self):
        """``{(ISO-2, state code): name}`` of every state."""
        return dict(self._state_names)


_ACTIVE = ContextVar("fsm_places", default=None)


def use_places(places):
    """Make ``places`` the data of the place transforms bound without a ``places``
    argument, in this thread (the engine does it once per run); returns the previous."""
    previous = _ACTIVE.get()
    _ACTIVE.set(places)
    return previous


def active_places():
    """The :class:`Places` set by :func:`use_places` (``None`` when none was)."""
    return _ACTIVE.get()


def _places(places):
    places = places if places is not None else _ACTIVE.get()
    if places is None:
        raise TransformArgError(
            "No country data: the place transforms resolve values against the database's "
            "countries, which the importer gives them (use_places or the places argument).")
    return places


def _country_of(places, text):
    code = places.country(text)
    if isinstance(code, frozenset):
        names = ", ".join(f"{places.country_names[c]} ({c})" for c in sorted(code))
        raise TransformError(
            f"The country {_q(text)} is ambiguous (it can be {names}): write its ISO code "
            "in the source, or map it with selection_map.")
    return code


@_register("country_code", "char",
           "Country name (in any installed language) or ISO-2/ISO-3 code (USA, U.S., "
           "United States, Canada, CAN, México, Kenya, KEN…) → ISO-2 upper case ('US'), "
           "against the database's countries; unknown → rejected.",
           args=("places",), defaults={"places": None})
def _t_country_code(value, ctx, places=None):
    text = _clean_text(_as_text(value, "a country"))
    code = _country_of(_places(places), text)
    if code is None:
        raise TransformError(
            f"Unknown country {_q(value)}: write its ISO code (e.g. 'US', 'CA') in the "
            "source, or map it with selection_map.")
    return code


_STATE_CODE_RE = re.compile(r"[A-Za-z0-9]{1,3}")
_DEFAULT_STATE_COUNTRIES = ("US", "CA")


def _prepare_state(country=None, places=None):
    if country is None:
        return {"country": None, "places": places}
    data = places if places is not None else _ACTIVE.get()
    code = data.country(str(country)) if data is not None else None
    if not isinstance(code, str):
        if data is not None or not _STATE_CODE_RE.fullmatch(str(country)):
            raise TransformArgError(f"state_code: unknown country {_q(country)}.")
        code = str(country).upper()
    return {"country": code, "places": places}


@_register("state_code", "char",
           "State or province by code or name (Texas, TX, Québec, PQ, Jalisco, New South "
           "Wales…), against the database's states → (country code, state code), e.g. "
           "('CA', 'QC'). country limits the lookup (default: US, then Canada); for a "
           "country without states in the database a short code is passed through "
           "upper-cased.",
           args=("country", "places"), defaults={"country": None, "places": None},
           prepare=_prepare_state, outputs=2)
def _t_state_code(value, ctx, country=None, places=None):
    data = _places(places)
    text = _clean_text(_as_text(value, "a state or province"))
    for cc in (country,) if country else _DEFAULT_STATE_COUNTRIES:
        if not data.has_states(cc):
            if _STATE_CODE_RE.fullmatch(text):
                return cc, text.upper()
            raise TransformError(
                f"Cannot match the state {_q(value)} of country {cc}: the database knows "
                "no states for it; write the state's code in the source.")
        code = data.state(cc, text)
        if code is not None:
            return cc, code
    if country:
        where = f"a state of {data.country_names.get(country, country)}"
    else:
        where = "a US state or Canadian province"
    raise TransformError(
        f"{_q(value)} is not {where}: correct the source (two-letter code or full name).")


# --------------------------------------------------------------------------- street lines


def address_lines(street_1, street_2=None, notes=None):
    """``(street, street2)`` for Odoo: trimmed, ``None`` when empty; a lone second line
    moves up, a second line equal to the first is dropped, a multi-line first line is
    split (first line, rest joined with ', ')."""
    one = _clean(street_1, multiline=True) if street_1 is not None else None
    two = _clean(street_2) if street_2 is not None else None
    if one and "\n" in one:
        head, *rest = [line for line in one.split("\n") if line.strip()]
        rest_text = ", ".join(rest)
        one = head
        two = f"{rest_text}, {two}" if two and rest_text else (rest_text or two)
    if one is None and two:
        if notes is not None:
            notes.append("Street line 1 empty: line 2 moved up.")
        return two, None
    if one and two and one.casefold() == two.casefold():
        if notes is not None:
            notes.append("Street line 2 repeated line 1: dropped.")
        return one, None
    return one, two or None


@_register("address_lines", "char",
           "(street_1, street_2) → (street, street2) for Odoo: trimmed, empty → empty, a "
           "lone second line moved up, a duplicated one dropped.",
           handles_empty=True, inputs=2, outputs=2)
def _t_address_lines(value, ctx):
    one, two = _pair(value, (("street_1", "street_2"), ("street", "street2")), "an address")
    for part in (one, two):
        if part is not None and not isinstance(part, str):
            _as_text(part, "an address line")
    return address_lines(one, two, ctx.notes)
