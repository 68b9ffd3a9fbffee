"""Place transforms: countries, US states and Canadian provinces, street lines."""

import re
import unicodedata

from .base import TransformArgError, TransformError, _as_text, _clean, _clean_text, _pair, _q
from .registry import _register

# --------------------------------------------------------------------------- countries

#: (ISO-2, ISO-3, names…): North America and the Caribbean, plus common countries.
_COUNTRIES = (
    ("US", "USA", "United States", "United States of America", "America", "U.S.", "U.S.A.",
     "Etats-Unis", "Estados Unidos", "EEUU", "EE.UU."),
    ("CA", "CAN", "Canada"),
    ("MX", "MEX", "Mexico", "Estados Unidos Mexicanos"),
    ("GT", "GTM", "Guatemala"), ("BZ", "BLZ", "Belize"), ("SV", "SLV", "El Salvador"),
    ("HN", "HND", "Honduras"), ("NI", "NIC", "Nicaragua"), ("CR", "CRI", "Costa Rica"),
    ("PA", "PAN", "Panama"), ("CU", "CUB", "Cuba"), ("JM", "JAM", "Jamaica"),
    ("HT", "HTI", "Haiti"), ("DO", "DOM", "Dominican Republic", "Republica Dominicana"),
    ("PR", "PRI", "Puerto Rico"), ("BS", "BHS", "Bahamas", "The Bahamas"),
    ("BB", "BRB", "Barbados"), ("TT", "TTO", "Trinidad and Tobago", "Trinidad"),
    ("BM", "BMU", "Bermuda"), ("GL", "GRL", "Greenland"),
    ("PM", "SPM", "Saint Pierre and Miquelon"), ("KY", "CYM", "Cayman Islands"),
    ("VI", "VIR", "US Virgin Islands", "U.S. Virgin Islands"),
    ("VG", "VGB", "British Virgin Islands"), ("AG", "ATG", "Antigua and Barbuda"),
    ("LC", "LCA", "Saint Lucia", "St Lucia"), ("GD", "GRD", "Grenada"),
    ("VC", "VCT", "Saint Vincent and the Grenadines"), ("KN", "KNA", "Saint Kitts and Nevis"),
    ("DM", "DMA", "Dominica"), ("AW", "ABW", "Aruba"), ("CW", "CUW", "Curacao"),
    ("GU", "GUM", "Guam"), ("AS", "ASM", "American Samoa"),
    ("GB", "GBR", "United Kingdom", "UK", "U.K.", "Great Britain", "Britain", "England",
     "Scotland", "Wales", "Northern Ireland"),
    ("IE", "IRL", "Ireland", "Eire"), ("FR", "FRA", "France"),
    ("DE", "DEU", "Germany", "Deutschland"), ("ES", "ESP", "Spain", "Espana"),
    ("IT", "ITA", "Italy", "Italia"), ("PT", "PRT", "Portugal"),
    ("NL", "NLD", "Netherlands", "The Netherlands", "Holland", "Nederland"),
    ("BE", "BEL", "Belgium", "Belgique", "Belgie"), ("LU", "LUX", "Luxembourg"),
    ("CH", "CHE", "Switzerland", "Suisse", "Schweiz"), ("AT", "AUT", "Austria"),
    ("SE", "SWE", "Sweden"), ("NO", "NOR", "Norway"), ("DK", "DNK", "Denmark"),
    ("FI", "FIN", "Finland"), ("IS", "ISL", "Iceland"), ("PL", "POL", "Poland"),
    ("CZ", "CZE", "Czech Republic", "Czechia"), ("HU", "HUN", "Hungary"),
    ("RO", "ROU", "Romania"), ("GR", "GRC", "Greece"), ("UA", "UKR", "Ukraine"),
    ("RU", "RUS", "Russia", "Russian Federation"), ("TR", "TUR", "Turkey", "Turkiye"),
    ("IL", "ISR", "Israel"), ("AE", "ARE", "United Arab Emirates", "UAE"),
    ("SA", "SAU", "Saudi Arabia"), ("EG", "EGY", "Egypt"), ("NG", "NGA", "Nigeria"),
    ("ZA", "ZAF", "South Africa"), ("IN", "IND", "India"), ("PK", "PAK", "Pakistan"),
    ("CN", "CHN", "China", "People's Republic of China", "PRC"),
    ("HK", "HKG", "Hong Kong"), ("TW", "TWN", "Taiwan"), ("JP", "JPN", "Japan"),
    ("KR", "KOR", "South Korea", "Korea", "Republic of Korea"),
    ("PH", "PHL", "Philippines"), ("VN", "VNM", "Vietnam", "Viet Nam"),
    ("TH", "THA", "Thailand"), ("MY", "MYS", "Malaysia"), ("SG", "SGP", "Singapore"),
    ("ID", "IDN", "Indonesia"), ("AU", "AUS", "Australia"), ("NZ", "NZL", "New Zealand"),
    ("BR", "BRA", "Brazil", "Brasil"), ("AR", "ARG", "Argentina"), ("CL", "CHL", "Chile"),
    ("CO", "COL", "Colombia"), ("PE", "PER", "Peru"), ("VE", "VEN", "Venezuela"),
)
_NAME_KEY_RE = re.compile(r"[^0-9a-z]+")


def _name_key(text):
    """Accents off, case folded, '&' → 'and', punctuation → space, leading 'the' off."""
    text = unicodedata.normalize("NFKD", text.replace("&", " and "))
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    text = _NAME_KEY_RE.sub(" ", text).strip()
    return text[4:] if text.startswith("the ") else text


def _index(rows):
    index = {}
    for code, *names in rows:
        for name in (code, *names):
            for key in (_name_key(name), _name_key(name).replace(" ", "")):
                if index.get(key, code) != code:
                    raise AssertionError(f"ambiguous name {name!r}")
                index[key] = code
    return index


_COUNTRY_INDEX = _index(_COUNTRIES)


def _lookup(index, text):
    key = _name_key(text)
    return index.get(key) or index.get(key.replace(" ", ""))


@_register("country_code", "char",
           "Country name or ISO-2/ISO-3 code (USA, U.S., United States, Canada, CAN, "
           "México…) → ISO-2 upper case ('US'); unknown → rejected.")
def _t_country_code(value, ctx):
    text = _clean_text(_as_text(value, "a country"))
    code = _lookup(_COUNTRY_INDEX, text)
    if code is None:
        raise TransformError(
            f"Unknown country {_q(value)}: write its ISO code (e.g. 'US', 'CA') in the "
            "source, or map it with selection_map.")
    return code


_US_STATES = (
    ("AL", "Alabama", "Ala"), ("AK", "Alaska"), ("AZ", "Arizona", "Ariz"),
    ("AR", "Arkansas", "Ark"), ("CA", "California", "Calif", "Cal"),
    ("CO", "Colorado", "Colo"), ("CT", "Connecticut", "Conn"), ("DE", "Delaware", "Del"),
    ("FL", "Florida", "Fla"), ("GA", "Georgia"), ("HI", "Hawaii"), ("ID", "Idaho"),
    ("IL", "Illinois", "Ill"), ("IN", "Indiana", "Ind"), ("IA", "Iowa"),
    ("KS", "Kansas", "Kan", "Kans"), ("KY", "Kentucky"), ("LA", "Louisiana"),
    ("ME", "Maine"), ("MD", "Maryland"), ("MA", "Massachusetts", "Mass"),
    ("MI", "Michigan", "Mich"), ("MN", "Minnesota", "Minn"), ("MS", "Mississippi", "Miss"),
    ("MO", "Missouri"), ("MT", "Montana", "Mont"), ("NE", "Nebraska", "Neb", "Nebr"),
    ("NV", "Nevada", "Nev"), ("NH", "New Hampshire"), ("NJ", "New Jersey"),
    ("NM", "New Mexico"), ("NY", "New York"), ("NC", "North Carolina"),
    ("ND", "North Dakota"), ("OH", "Ohio"), ("OK", "Oklahoma", "Okla"),
    ("OR", "Oregon", "Ore"), ("PA", "Pennsylvania", "Penn", "Penna"),
    ("RI", "Rhode Island"), ("SC", "South Carolina"), ("SD", "South Dakota"),
    ("TN", "Tennessee", "Tenn"), ("TX", "Texas", "Tex"), ("UT", "Utah"),
    ("VT", "Vermont"), ("VA", "Virginia"), ("WA", "Washington", "Wash"),
    ("WV", "West Virginia", "W Va"), ("WI", "Wisconsin", "Wis", "Wisc"),
    ("WY", "Wyoming", "Wyo"),
    ("DC", "District of Columbia", "Washington DC", "Washington D.C."),
    ("PR", "Puerto Rico"), ("GU", "Guam"), ("VI", "Virgin Islands", "US Virgin Islands"),
    ("AS", "American Samoa"), ("MP", "Northern Mariana Islands"),
    ("AA", "Armed Forces Americas"), ("AE", "Armed Forces Europe"),
    ("AP", "Armed Forces Pacific"),
)
_CA_PROVINCES = (
    ("AB", "Alberta", "Alta"), ("BC", "British Columbia", "Colombie-Britannique"),
    ("MB", "Manitoba", "Man"), ("NB", "New Brunswick", "Nouveau-Brunswick"),
    ("NL", "Newfoundland and Labrador", "Newfoundland", "Labrador", "Nfld", "NF",
     "Terre-Neuve-et-Labrador"),
    ("NS", "Nova Scotia", "Nouvelle-Ecosse"),
    ("NT", "Northwest Territories", "Territoires du Nord-Ouest", "NWT"),
    ("NU", "Nunavut"), ("ON", "Ontario", "Ont"),
    ("PE", "Prince Edward Island", "PEI", "Ile-du-Prince-Edouard"),
    ("QC", "Quebec", "PQ", "Que"), ("SK", "Saskatchewan", "Sask"),
    ("YT", "Yukon", "Yukon Territory", "YK"),
)
_STATE_INDEX = {"US": _index(_US_STATES), "CA": _index(_CA_PROVINCES)}
_STATE_CODE_RE = re.compile(r"[A-Za-z0-9]{1,3}")


def _prepare_state(country=None):
    if country is None:
        return {"country": None}
    code = _lookup(_COUNTRY_INDEX, str(country))
    if code is None:
        raise TransformArgError(f"state_code: unknown country {_q(country)}.")
    return {"country": code}


@_register("state_code", "char",
           "US state or Canadian province by code or name (Texas, TX, Québec, PQ…) → "
           "(country code, state code), e.g. ('CA', 'QC'). country limits the lookup; for "
           "other countries a short code is passed through upper-cased.",
           args=("country",), defaults={"country": None}, prepare=_prepare_state, outputs=2)
def _t_state_code(value, ctx, country=None):
    text = _clean_text(_as_text(value, "a state or province"))
    countries = (country,) if country else ("US", "CA")
    for cc in countries:
        index = _STATE_INDEX.get(cc)
        if index is None:
            if _STATE_CODE_RE.fullmatch(text):
                return cc, text.upper()
            raise TransformError(
                f"Cannot match the state {_q(value)} of country {cc}: only US and Canadian "
                "names are known; write the state's code in the source.")
        code = _lookup(index, text)
        if code is not None:
            return cc, code
    where = {"US": "a US state", "CA": "a Canadian province"}.get(
        country, "a US state or Canadian province")
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
