"""Seeded helpers that produce values as messy as real exports.

Every helper takes a ``random.Random`` and draws only from it, so a given seed always
gives the same values. The mess is the kind met in real field-service exports: unicode
and right-to-left names, stray whitespace, missing or duplicated e-mails in mixed case,
phone numbers in a dozen formats, timestamps with and without offsets, HTML notes with
inline base64 images, very long text and statuses in mixed case.
"""

import base64
import struct
import zlib
from datetime import datetime, timedelta, timezone

FIRST_NAMES = (
    "James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda",
    "David", "Elizabeth", "William", "Barbara", "Richard", "Susan", "Joseph", "Jessica",
    "Thomas", "Sarah", "Charles", "Karen", "Daniel", "Nancy", "Matthew", "Lisa",
    "José", "María", "François", "Zoë", "Björn", "Łukasz", "Søren", "Chloé", "Renée",
    "Nguyễn", "Dmitri", "Siobhán", "Aoife", "Jürgen", "Ana-Lucía", "O'Neil",
    "محمد", "فاطمة", "أحمد", "ليلى", "יוסף", "שרה", "דוד", "רחל",
    "明", "美咲", "Ærin", "Иван",
)
LAST_NAMES = (
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis",
    "Rodriguez", "Martinez", "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson",
    "Thomas", "Taylor", "Moore", "Jackson", "Martin", "Lee", "Thompson", "White",
    "O'Brien", "McDonald", "Van der Berg", "St. Pierre", "Núñez", "Müller", "Côté",
    "Gagnon", "Tremblay", "Bouchard", "Kowalski", "Nakamura", "Nguyen", "Smith-Jones",
    "الحسن", "عبد الله", "כהן", "לוי", "Иванов", "田中", "de la Cruz", "D'Amico",
)
COMPANY_STEMS = (
    "Acme", "Summit", "Northwind", "Blue Ridge", "Maple Leaf", "Lakeside", "Prairie",
    "Evergreen", "Keystone", "Pioneer", "Harbor", "Granite", "Red Oak", "Silver Creek",
    "Frontier", "Cedar", "Golden Gate", "Great Lakes", "Bayview", "Riverside", "Québec",
    "Montréal", "Älvsjö", "Ridgeline", "Sunbelt", "Copper", "Ironwood", "Falcon",
)
COMPANY_KINDS = (
    "Heating & Cooling", "Plumbing", "Property Management", "Restaurants", "Dental",
    "Apartments", "Hotel", "Logistics", "School District", "Medical Center", "Foods",
    "Manufacturing", "Storage", "Auto Repair", "Church", "Fitness", "Bakery",
)
COMPANY_SUFFIXES = ("", " Inc.", " Inc", " LLC", ", LLC", " Ltd.", " Corp.", " Co.", " Ltée")
EMAIL_DOMAINS = (
    "gmail.com", "yahoo.com", "outlook.com", "hotmail.com", "icloud.com", "aol.com",
    "comcast.net", "shaw.ca", "rogers.com", "videotron.ca", "example.com",
)
STREET_NAMES = (
    "Main", "Oak", "Pine", "Maple", "Cedar", "Elm", "Washington", "Lake", "Hill",
    "Park", "Sunset", "Church", "Rue Saint-Denis", "King", "Queen", "Yonge", "Broadway",
    "Market", "Mill", "River", "Highland", "Jefferson", "Lincoln", "Meadow",
)
STREET_TYPES = ("St", "St.", "Street", "Ave", "Avenue", "Rd", "Road", "Blvd", "Dr", "Ln",
                "Way", "Ct", "Pkwy", "Hwy")
STREET2 = ("Suite 100", "Ste 210", "Apt 4B", "Unit 12", "# 305", "Bldg C", "Floor 3",
           "Rear entrance", "PO Box 1138")

#: (city, state/province, zip prefix or postal code style, country)
US_CITIES = (
    ("Austin", "TX", "787"), ("Dallas", "TX", "752"), ("Denver", "CO", "802"),
    ("Phoenix", "AZ", "850"), ("Seattle", "WA", "981"), ("Portland", "OR", "972"),
    ("Chicago", "IL", "606"), ("Columbus", "OH", "432"), ("Atlanta", "GA", "303"),
    ("Miami", "FL", "331"), ("Boston", "MA", "021"), ("Nashville", "TN", "372"),
    ("Raleigh", "NC", "276"), ("Salt Lake City", "UT", "841"), ("Boise", "ID", "837"),
    ("Albuquerque", "NM", "871"), ("Kansas City", "MO", "641"), ("St. Paul", "MN", "551"),
)
CA_CITIES = (
    ("Toronto", "ON", "M5V"), ("Ottawa", "ON", "K1P"), ("Montréal", "QC", "H2X"),
    ("Québec", "QC", "G1R"), ("Vancouver", "BC", "V6B"), ("Calgary", "AB", "T2P"),
    ("Edmonton", "AB", "T5J"), ("Winnipeg", "MB", "R3C"), ("Halifax", "NS", "B3H"),
    ("Regina", "SK", "S4P"),
)
COUNTRY_SPELLINGS = {"US": ("US", "USA", "United States", "us", ""),
                     "CA": ("CA", "Canada", "CAN", "canada")}
LOREM = (
    "unit", "compressor", "leak", "filter", "replaced", "checked", "customer", "reported",
    "noise", "thermostat", "breaker", "tripped", "valve", "pressure", "low", "high",
    "inspected", "ok", "needs", "follow-up", "quote", "sent", "part", "ordered", "warranty",
    "roof", "access", "ladder", "gate", "code", "dog", "on", "site", "call", "before",
    "arrival", "°F", "½\"", "façade", "naïve", "→", "✓",
)


def pad(rng, text, rate=0.08):
    """Return ``text``, sometimes with stray leading/trailing spaces, tabs or NBSP."""
    if not text or rng.random() >= rate:
        return text
    junk = rng.choice((" ", "  ", "\t", "\u00a0"))
    where = rng.random()
    if where < 0.4:
        return junk + text
    if where < 0.8:
        return text + junk
    return junk + text + junk


def person_name(rng):
    """``(first, last)``: unicode and right-to-left names, some with stray whitespace."""
    return pad(rng, rng.choice(FIRST_NAMES)), pad(rng, rng.choice(LAST_NAMES))


def company_name(rng):
    """A company name such as ``Blue Ridge Plumbing, LLC`` (sometimes padded)."""
    name = f"{rng.choice(COMPANY_STEMS)} {rng.choice(COMPANY_KINDS)}{rng.choice(COMPANY_SUFFIXES)}"
    if rng.random() < 0.05:
        name = name.upper()
    return pad(rng, name)


def _ascii_local(text):
    """Local part of an e-mail from a name: ASCII letters only, or ``user``."""
    letters = "".join(c for c in text.lower() if c.isascii() and c.isalnum())
    return letters or "user"


def email(rng, first, last, *, missing_rate=0.08):
    """An e-mail built from a name: some missing, mixed case, surrounding spaces."""
    if rng.random() < missing_rate:
        return ""
    style = rng.random()
    first_l, last_l = _ascii_local(first), _ascii_local(last)
    if style < 0.4:
        local = f"{first_l}.{last_l}"
    elif style < 0.7:
        local = f"{first_l[0]}{last_l}"
    else:
        local = f"{first_l}{rng.randint(1, 999)}"
    address = f"{local}@{rng.choice(EMAIL_DOMAINS)}"
    if rng.random() < 0.15:
        address = mixed_case(rng, address)
    return pad(rng, address, rate=0.1)


def mixed_case(rng, text):
    """``text`` as a careless typist would: UPPER, lower, Title or unchanged."""
    style = rng.random()
    if style < 0.2:
        return text.upper()
    if style < 0.4:
        return text.lower()
    if style < 0.5:
        return text.title()
    return text


def phone(rng, *, missing_rate=0.05):
    """A North-American phone number in one of many formats (some with extensions)."""
    if rng.random() < missing_rate:
        return ""
    area, exchange, line = rng.randint(201, 989), rng.randint(200, 999), rng.randint(0, 9999)
    formats = (
        f"tel:+1-{area}-{exchange}-{line:04d}",
        f"({area}) {exchange}-{line:04d}",
        f"{area}.{exchange}.{line:04d}",
        f"+1 {area} {exchange} {line:04d}",
        f"{area}-{exchange}-{line:04d}",
        f"1-{area}-{exchange}-{line:04d}",
        f"{area}{exchange}{line:04d}",
        f"+1{area}{exchange}{line:04d}",
        f"+1 ({area}) {exchange}-{line:04d}",
    )
    number = rng.choice(formats)
    if rng.random() < 0.07:
        ext = rng.randint(1, 9999)
        if number.startswith("tel:"):
            number += f";ext={ext}"
        else:
            number += rng.choice((f" x{ext}", f" ext. {ext}", f" ext {ext}", f" #{ext}"))
    return pad(rng, number)


def address(rng):
    """A US or Canadian address: dict of street, street2, city, state, zip, country."""
    is_canada = rng.random() < 0.25
    if is_canada:
        city, state, fsa = rng.choice(CA_CITIES)
        zip_code = f"{fsa} {rng.randint(0, 9)}{rng.choice('ABCEGHJKLMNPRSTVXY')}{rng.randint(0, 9)}"
        if rng.random() < 0.2:
            zip_code = zip_code.replace(" ", "").lower()
        country = rng.choice(COUNTRY_SPELLINGS["CA"])
    else:
        city, state, prefix = rng.choice(US_CITIES)
        zip_code = f"{prefix}{rng.randint(0, 99):02d}"
        if rng.random() < 0.15:
            zip_code += f"-{rng.randint(0, 9999):04d}"
        country = rng.choice(COUNTRY_SPELLINGS["US"])
    street = f"{rng.randint(1, 29999)} {rng.choice(STREET_NAMES)} {rng.choice(STREET_TYPES)}"
    return {
        "street": pad(rng, street),
        "street2": rng.choice(STREET2) if rng.random() < 0.2 else "",
        "city": pad(rng, city if rng.random() > 0.05 else city.upper()),
        "state": state if rng.random() > 0.05 else state.lower(),
        "zip": zip_code,
        "country": country,
    }


def moment(rng, start, end):
    """A random aware UTC ``datetime`` between ``start`` and ``end`` (whole seconds)."""
    span = int((end - start).total_seconds())
    return start + timedelta(seconds=rng.randint(0, max(span, 0)))


#: North-American UTC offsets, Newfoundland's half hour included
TIMEZONES = tuple(timezone(timedelta(hours=h)) for h in (-8, -7, -6, -5, -4, -3.5))


def timestamp(rng, when):
    """``when`` (aware) as an ISO string: with an offset, with ``Z``, or naive UTC."""
    style = rng.random()
    if style < 0.4:
        return when.astimezone(rng.choice(TIMEZONES)).isoformat()
    if style < 0.75:
        return when.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    if style < 0.9:
        return when.astimezone(timezone.utc).replace(tzinfo=None).isoformat(sep=" ")
    return when.astimezone(timezone.utc).replace(tzinfo=None).isoformat()


def parse_timestamp(text):
    """Inverse of :func:`timestamp`: an aware UTC ``datetime`` (naive means UTC)."""
    text = text.strip()
    if text.endswith("Z"):  # Python 3.10's fromisoformat does not take "Z"
        text = text[:-1] + "+00:00"
    value = datetime.fromisoformat(text)
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc)


def png_bytes(rng, size=4):
    """A valid, tiny ``size`` x ``size`` RGB PNG with random pixels."""
    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    raw = b"".join(b"\x00" + bytes(rng.randrange(256) for _ in range(size * 3))
                   for _ in range(size))
    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw))
            + chunk(b"IEND", b""))


def pdf_bytes(rng, title):
    """A minimal, valid one-page PDF whose page shows ``title`` (ASCII only)."""
    text = "".join(c for c in title if c.isascii() and c not in "()\\") or "document"
    stream = f"BT /F1 12 Tf 72 720 Td ({text} #{rng.randint(1, 99999)}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, xref)
    return bytes(out)


def sentence(rng, words=(6, 16)):
    """A short free-text sentence from field-service vocabulary."""
    count = rng.randint(*words)
    text = " ".join(rng.choice(LOREM) for _ in range(count))
    return text[:1].upper() + text[1:] + rng.choice((".", ".", "!", "", " ..."))


def long_text(rng, min_chars=5000):
    """Free text of at least ``min_chars`` characters, with line breaks."""
    parts, length = [], 0
    while length < min_chars:
        part = sentence(rng, (10, 30))
        parts.append(part)
        length += len(part) + 1
    return "\n".join(parts)


def notes(rng, *, empty_rate=0.3, long_rate=0.01):
    """Plain notes: often empty, sometimes multi-line, rarely very long."""
    draw = rng.random()
    if draw < empty_rate:
        return ""
    if draw < empty_rate + long_rate:
        return long_text(rng)
    lines = [sentence(rng) for _ in range(rng.randint(1, 3))]
    return rng.choice(("\n", "\r\n", " ")).join(lines)


def html_note(rng, *, image_rate=0.25):
    """An HTML note body; ``image_rate`` of them carry an inline base64 PNG."""
    paragraphs = [f"<p>{sentence(rng)}</p>" for _ in range(rng.randint(1, 4))]
    if rng.random() < 0.3:
        paragraphs.insert(1, "<ul>" + "".join(f"<li>{sentence(rng, (2, 5))}</li>"
                                              for _ in range(rng.randint(2, 4))) + "</ul>")
    if rng.random() < image_rate:
        data = base64.b64encode(png_bytes(rng, size=rng.choice((2, 4, 8)))).decode()
        paragraphs.insert(rng.randint(0, len(paragraphs)),
                          f'<p><img src="data:image/png;base64,{data}" alt="photo"></p>')
    if rng.random() < 0.1:
        paragraphs.append("<p>&nbsp;<b>Signed:</b> " + " ".join(person_name(rng)) + "</p>")
    return "".join(paragraphs)


def status(rng, value):
    """A status value in mixed case, sometimes padded (``"in progress "``)."""
    if rng.random() < 0.25:
        value = mixed_case(rng, value)
    return pad(rng, value, rate=0.05)
