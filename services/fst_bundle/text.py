"""The text of a bundle file: its encoding and delimiter detected, its lines read within bounds."""

import codecs
import csv
import io
import re

from .containers import _READ_ERRORS

#: bytes read from the start of a file to detect its encoding
SNIFF_BYTES = 64 * 1024
#: candidate delimiters, in order of preference on a tie
DELIMITERS = (",", ";", "\t", "|")
#: a single value may be long (HTML notes with inline images), but not unbounded
MAX_FIELD_CHARS = 64 * 1024 * 1024
#: the longest physical line read (characters); a longer one stops the file's read
MAX_LINE_CHARS = 32 * 1024 * 1024
#: the most delimiters one physical line may hold before ``csv`` splits it
MAX_LINE_DELIMITERS = 64 * 1024

# the limit is process-wide in the csv module; it is only ever raised here
csv.field_size_limit(max(csv.field_size_limit(), MAX_FIELD_CHARS))

#: undecodable bytes (``surrogateescape``) and NUL bytes both end up in this range
_BAD_CHARS = re.compile("[\udc00-\udcff]")
_SEP_LINE = re.compile(r"^sep=(.)\r?\n?$", re.I)


def detect_encoding(prefix):
    """Codec name for a file starting with the bytes ``prefix``.

    A BOM decides; otherwise UTF-8 when the bytes are (mostly) valid UTF-8, UTF-16 when
    every other byte is NUL, else Windows-1252, or Latin-1 when a byte is undefined in
    Windows-1252. "Mostly": at least as many valid multi-byte characters as invalid
    bytes (Windows-1252 text almost never forms valid UTF-8), so that a few stray bytes
    in a UTF-8 file are reported row by row rather than turning every accented letter of
    the file into mojibake.
    """
    if prefix.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if prefix.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    sample = prefix[:4096]
    if len(sample) >= 4:
        if sample[1::2].count(0) > 0.4 * len(sample) / 2 and not sample[0::2].count(0):
            return "utf-16-le"
        if sample[0::2].count(0) > 0.4 * len(sample) / 2 and not sample[1::2].count(0):
            return "utf-16-be"
    text = codecs.getincrementaldecoder("utf-8")("surrogateescape").decode(prefix)
    bad = len(_BAD_CHARS.findall(text))
    good_non_ascii = sum(1 for ch in text if ord(ch) > 127) - bad
    if good_non_ascii >= bad:
        return "utf-8"
    try:
        prefix.decode("cp1252")
    except UnicodeDecodeError:
        return "latin-1"
    return "cp1252"


def detect_delimiter(header_line):
    """The candidate delimiter found most often outside quotes in ``header_line``."""
    counts = dict.fromkeys(DELIMITERS, 0)
    quoted = False
    for ch in header_line:
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch in counts:
            counts[ch] += 1
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def open_text(container, member, encoding=None):
    """Text stream over ``member`` of ``container`` with its detected encoding (or
    ``encoding``, detected before); undecodable bytes are kept as lone surrogates so
    that the row holding them can be reported. Its ``encoding`` is the codec used."""
    if encoding:
        return io.TextIOWrapper(container.open(member), encoding=encoding,
                                errors="surrogateescape", newline="")
    prefix = b""
    with container.open(member) as probe:
        try:  # a damaged zip member is reported where the rows stop, not here
            while len(prefix) < SNIFF_BYTES:
                chunk = probe.read(8192)
                if not chunk:
                    break
                prefix += chunk
        except _READ_ERRORS:
            prefix = prefix or b""  # sniff what was read; the rows report the damage
    encoding = detect_encoding(prefix)
    binary = container.open(member)
    return io.TextIOWrapper(binary, encoding=encoding, errors="surrogateescape", newline="")


class _LineLimit(Exception):
    """A physical line out of bounds: the rest of the file cannot be read safely."""


def _csv_reader(lines):
    """A ``csv.reader`` over ``lines`` with the delimiter of its header (or of an Excel
    ``sep=`` line, then skipped); None for an empty file."""
    first = lines.peek_first()
    if first is None:
        return None
    sep = _SEP_LINE.match(first)
    if sep:
        lines.skip_first()
        lines.delimiter = sep.group(1)
    else:
        lines.delimiter = detect_delimiter(first)
    return csv.reader(lines, delimiter=lines.delimiter)


class _Lines:
    """Iterates the physical lines of a text stream for ``csv.reader``.

    NUL bytes become ``\\udc00`` so that the row holding one is reported like any other
    undecodable byte. ``count`` is the number of lines handed out so far. A line is
    read at most ``max_chars`` (+1) characters at a time: a longer one, or one with more
    than ``max_delimiters`` ``delimiter`` characters, raises ``_LineLimit``.
    """

    def __init__(self, text, max_chars=MAX_LINE_CHARS, max_delimiters=MAX_LINE_DELIMITERS):
        self._text = text
        self._pending = None
        self.count = 0
        self.max_chars = max_chars
        self.max_delimiters = max_delimiters
        self.delimiter = None

    def _readline(self):
        line = self._text.readline(self.max_chars + 1)
        if len(line) > self.max_chars:
            raise _LineLimit(f"line {self.count + 1} is longer than {self.max_chars} "
                             "characters (the limit of one line)")
        if self.delimiter and line.count(self.delimiter) > self.max_delimiters:
            raise _LineLimit(f"line {self.count + 1} has more than {self.max_delimiters} "
                             f"{self.delimiter!r} delimiters (the limit of one line)")
        return line

    def peek_first(self):
        """The first line (without consuming it), or None for an empty file."""
        if self._pending is None:
            self._pending = self._readline()
        return self._pending or None

    def skip_first(self):
        self.peek_first()
        self._pending = ""
        self.count += 1

    def __iter__(self):
        return self

    def __next__(self):
        if self._pending:
            line, self._pending = self._pending, ""
            if self.delimiter and line.count(self.delimiter) > self.max_delimiters:
                raise _LineLimit(f"line {self.count + 1} has more than {self.max_delimiters} "
                                 f"{self.delimiter!r} delimiters (the limit of one line)")
        else:
            line = self._readline()
            if not line:
                raise StopIteration
        self.count += 1
        return line.replace("\x00", "\udc00") if "\x00" in line else line
