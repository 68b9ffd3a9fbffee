"""The messy value helpers: deterministic per seed, and as messy as promised."""

import random
import re
import struct
import zlib
from datetime import datetime, timezone

from emulators import messy


def draw_many(seed, count=400):
    rng = random.Random(seed)
    return [
        (messy.person_name(rng), messy.company_name(rng), messy.phone(rng),
         messy.address(rng), messy.html_note(rng), messy.status(rng, "In Progress"))
        for _ in range(count)
    ]


def test_same_seed_same_values_other_seed_other_values():
    assert draw_many(7) == draw_many(7)
    assert draw_many(7) != draw_many(8)


def test_names_include_unicode_right_to_left_and_stray_whitespace():
    names = [" ".join(draw[0]) for draw in draw_many(1)]
    assert any(re.search("[\u0590-\u05ff]", n) for n in names), "no Hebrew name"
    assert any(re.search("[\u0600-\u06ff]", n) for n in names), "no Arabic name"
    assert any(n != n.strip() or "  " in n or "\t" in n or "\u00a0" in n for n in names)


def test_emails_are_sometimes_missing_padded_or_mixed_case():
    rng = random.Random(3)
    emails = [messy.email(rng, "José", "Núñez") for _ in range(500)]
    assert "" in emails
    assert any(e != e.strip() for e in emails)
    assert any(e.strip() != e.strip().lower() for e in emails)
    assert all("@" in e for e in emails if e)
    assert all(e.strip().isascii() for e in emails), "local parts are ASCII"


def test_phones_come_in_the_documented_formats():
    rng = random.Random(5)
    phones = [messy.phone(rng).strip() for _ in range(1000)]
    patterns = {
        "rfc3966": r"^tel:\+1-\d{3}-\d{3}-\d{4}",
        "parentheses": r"^\(\d{3}\) \d{3}-\d{4}",
        "dots": r"^\d{3}\.\d{3}\.\d{4}",
        "international": r"^\+1 \d{3} \d{3} \d{4}",
        "extension": r"(x|ext\.? |#|;ext=)\d+$",
    }
    for name, pattern in patterns.items():
        assert any(re.search(pattern, p) for p in phones), f"no {name} phone"


def test_addresses_are_us_or_canadian_with_two_letter_states():
    rng = random.Random(11)
    addresses = [messy.address(rng) for _ in range(300)]
    assert all(re.fullmatch("[A-Za-z]{2}", a["state"]) for a in addresses)
    assert any(re.fullmatch(r"\d{5}(-\d{4})?", a["zip"]) for a in addresses)
    assert any(re.fullmatch(r"[A-Za-z]\d[A-Za-z] ?\d[A-Za-z]\d", a["zip"]) for a in addresses)
    assert {"street", "street2", "city", "state", "zip", "country"} == set(addresses[0])


def test_timestamps_have_offsets_z_or_none_and_parse_back_to_the_same_instant():
    rng = random.Random(2)
    when = datetime(2024, 3, 10, 15, 4, 5, tzinfo=timezone.utc)
    texts = {messy.timestamp(rng, when) for _ in range(200)}
    assert any(t.endswith("Z") for t in texts)
    assert any(re.search(r"[+-]\d\d:\d\d$", t) for t in texts)
    assert any(re.fullmatch(r"[\d\-T :]+", t) for t in texts), "no naive timestamp"
    assert {messy.parse_timestamp(t) for t in texts} == {when}


def test_png_is_a_valid_png_and_pdf_a_complete_pdf():
    png = messy.png_bytes(random.Random(1), size=4)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    _, kind = struct.unpack(">I4s", png[8:16])
    assert kind == b"IHDR" and struct.unpack(">II", png[16:24]) == (4, 4)
    idat = png.index(b"IDAT")
    idat_length = struct.unpack(">I", png[idat - 4:idat])[0]
    assert len(zlib.decompress(png[idat + 4:idat + 4 + idat_length])) == 4 * (1 + 4 * 3)
    pdf = messy.pdf_bytes(random.Random(1), "Work order 7")
    assert pdf.startswith(b"%PDF-1.4") and pdf.rstrip().endswith(b"%%EOF")


def test_html_notes_carry_inline_base64_images_and_long_text_is_long():
    rng = random.Random(4)
    notes = [messy.html_note(rng) for _ in range(100)]
    assert any('src="data:image/png;base64,' in n for n in notes)
    assert all(n.startswith("<") for n in notes)
    assert len(messy.long_text(random.Random(1), min_chars=20000)) >= 20000


def test_statuses_come_in_mixed_case():
    rng = random.Random(9)
    values = {messy.status(rng, "In Progress") for _ in range(300)}
    assert {"In Progress", "IN PROGRESS", "in progress"} <= values
