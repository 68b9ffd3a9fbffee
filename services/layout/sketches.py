"""Bounded value sketches of columns and the inclusion dependencies between them (links
by value overlap), whatever the size of the source.

A :class:`Sketch` keeps the 64-bit hashes of a column's normalised values with their row
counts, at most ``cap`` of them: past the cap it keeps only the hashes below a threshold
that halves each time (a consistent hash sample, so two sketches are compared on the
hash range both still cover, and the estimate stays unbiased).
"""

import re
import zlib
from dataclasses import dataclass

SKETCH_CAP = 4096
_FULL = 1 << 64
_INT_FLOAT = re.compile(r"^(\d+)\.0+$")


def normalise(value):
    """A value as links compare it: case and runs of spaces aside, ``12.0`` is ``12``."""
    text = " ".join(str(value).casefold().split())
    return _INT_FLOAT.sub(r"\1", text) if "." in text else text


def hash64(text):
    data = text.encode("utf-8", "surrogatepass")
    return (zlib.crc32(data) << 32) | zlib.crc32(data, 0x5BD1E995)


class Sketch:
    """Hash sample of a column's normalised values (see the module doc)."""

    __slots__ = ("counts", "limit", "cap", "rows")

    def __init__(self, cap=SKETCH_CAP):
        self.counts = {}
        self.limit = _FULL
        self.cap = cap
        self.rows = 0  # non-empty values added (all of them, sampled or not)

    def add(self, text):
        self.rows += 1
        value = hash64(text)
        if value >= self.limit:
            return
        counts = self.counts
        counts[value] = counts.get(value, 0) + 1
        if len(counts) > self.cap:
            while len(counts) > self.cap:
                self.limit //= 2
                counts = {k: n for k, n in counts.items() if k < self.limit}
            self.counts = counts

    @property
    def fraction(self):
        """The share of the hash range this sketch still covers."""
        return self.limit / _FULL

    def duplicate_rows(self):
        """Estimated rows whose value another row also has."""
        dup = sum(n for n in self.counts.values() if n > 1)
        return dup / self.fraction

    def distinct(self):
        return len(self.counts) / self.fraction

    def contains(self, text):
        """True/False when the value's hash is in the covered range, else None."""
        value = hash64(text)
        if value >= self.limit:
            return None
        return value in self.counts

    def multiplicity(self, text):
        value = hash64(text)
        return None if value >= self.limit else self.counts.get(value, 0)


@dataclass
class Overlap:
    """How much of a source column's values a target sketch holds."""

    share: float  # of the source's non-empty rows (sampled range)
    ambiguous: float  # share of the source rows whose value two target rows have
    rows: int  # source rows compared (in the range both sketches cover)
    distinct: int  # distinct source values compared
    source_rows: int = 0  # the source's non-empty rows in all

    @property
    def ambiguous_rows(self):
        """Estimated rows of the source whose value names two or more target rows."""
        return round(self.ambiguous * self.source_rows)


def overlap(source, target):
    """The :class:`Overlap` of ``source`` in ``target`` (two :class:`Sketch`)."""
    limit = min(source.limit, target.limit)
    total = hit = ambiguous = distinct = 0
    counts = target.counts
    for value, rows in source.counts.items():
        if value >= limit:
            continue
        distinct += 1
        total += rows
        found = counts.get(value, 0)
        if found:
            hit += rows
            if found > 1:
                ambiguous += rows
    if not total:
        return Overlap(0.0, 0.0, 0, 0, source.rows)
    return Overlap(hit / total, ambiguous / total, total, distinct, source.rows)


class TableSketches:
    """The sketches of one table's candidate columns, plus composed full names."""

    def __init__(self, columns, full_name=None, cap=SKETCH_CAP):
        self.columns = {name: Sketch(cap) for name in columns}
        #: (first column, last column) → sketch of "first last" and "last, first"
        self.full_name = full_name
        self.full = Sketch(cap) if full_name else None
        self.rows = 0

    def add(self, row):
        self.rows += 1
        for name, sketch in self.columns.items():
            value = row.get(name)
            if value is None:
                continue
            text = normalise(value)
            if text:
                sketch.add(text)
        if self.full is not None:
            first = normalise(row.get(self.full_name[0]) or "")
            last = normalise(row.get(self.full_name[1]) or "")
            if first and last:
                self.full.add(f"{first} {last}")
                self.full.rows -= 1
                self.full.add(f"{last}, {first}")


def folder_overlap(names, target):
    """Share of folder ``names`` (normalised) that are values of ``target``, trying the
    name as it is, then without a leading word (``wo_20001`` → ``20001``)."""
    checked = hit = 0
    for name in names:
        for text in (name, re.sub(r"^[a-z]+[\s_\-#]*", "", name)):
            found = target.contains(text) if text else None
            if found:
                checked += 1
                hit += 1
                break
        else:
            if target.contains(name) is not None:
                checked += 1
    return hit / checked if checked else 0.0, checked
