"""Seeded account variations: how a real account differs from the documentation.

The emulators serve the generated data as documented; real accounts do not (SOURCES.md,
"How accounts differ"). :class:`Variations` describes the differences to reproduce and
:func:`apply_variations` makes them in the records (in place) and reports exactly what
it changed, so that a test can count what a migration must warn about:

``unreadable``
    ``{object: status}``: the object's endpoint answers that status (403 gated by plan,
    404 not in this API revision, 405, 501 …) with the vendor's error body. Served by
    the emulator; the data is left as it is.
``empty``
    objects served with 0 records (no brands, no sources configured …).
``absent_rate``
    share of each object's *optional* fields (every field but the id, the timestamps
    and the links, see ``keep``) left out of all of the object's records, as an older
    API revision or another account configuration does not send them. Drawn per
    object and field.
``malformed_rate``
    share of the values of every normalised field kind (``kinds``: phone, email, date,
    datetime, state, country, number) replaced by a value as people type it and no
    normaliser can read: a 7-digit local phone number, ``john at gmail.com``,
    ``31/02/2023``, ``Texass``, ``12,5O`` … Drawn per value.

Everything is drawn from ``random.Random(f"{seed}:…:{object}")``: the same seed always
gives the same account. The report (:class:`VariationReport`) lists every absent field,
every emptied object and every malformed value (object, record id, field path, kind,
original and served value).

Field paths: dotted keys (``home_address.state``), ``[]`` for every item of a list
(``phone_numbers[].number``) and ``[key=value]`` for the items whose ``key`` is
``value`` (``contact_methods[method=phone].value``). Reported paths give the item's
index (``phone_numbers[1].number``).
"""

import random
from dataclasses import dataclass, field

#: malformed values per kind, as typed by people; none of them can be normalised
MALFORMED = {
    "phone": ("555-0134", "5550134", "867-5309", "call office", "ext 12", "12345"),
    "email": ("john at gmail.com", "mary smith@gmail.com", "bob@", "@example.com",
              "office(at)acme.com", "n/a"),
    "date": ("31/02/2023", "2023-13-45", "next tuesday", "00/00/0000", "Feb 30th"),
    "datetime": ("yesterday 3pm", "2023-02-30T25:00", "TBD", "31/02/2023 14:00"),
    "state": ("Texass", "ZZ", "??", "Onterio", "N/A"),
    "country": ("Amerca", "Kanada", "ZZ", "Unted States", "??"),
    "number": ("12,5O", "about 200", "$1.2.3", "N/A", "two"),
}
KINDS = tuple(MALFORMED)


@dataclass
class Variations:
    """What to change in a generated account (all off by default)."""

    unreadable: dict = field(default_factory=dict)  # object -> HTTP status
    empty: tuple = ()
    absent_rate: float = 0.0
    malformed_rate: float = 0.0
    seed: int = 0

    def __post_init__(self):
        self.unreadable = {str(k): int(v) for k, v in dict(self.unreadable).items()}
        self.empty = tuple(self.empty)
        for name in ("absent_rate", "malformed_rate"):
            rate = float(getattr(self, name))
            if not 0 <= rate <= 1:
                raise ValueError(f"{name} must be in [0, 1], not {rate}")
            setattr(self, name, rate)

    @property
    def active(self):
        return bool(self.unreadable or self.empty or self.absent_rate or self.malformed_rate)


@dataclass
class VariationReport:
    """Exactly what :func:`apply_variations` changed."""

    unreadable: dict = field(default_factory=dict)  # object -> status
    empty: list = field(default_factory=list)  # objects emptied
    emptied_records: dict = field(default_factory=dict)  # object -> records removed
    absent_fields: dict = field(default_factory=dict)  # object -> [field names]
    #: one dict per malformed value: object, id, field, kind, original, value
    malformed: list = field(default_factory=list)

    def malformed_count(self, obj=None, kind=None):
        return sum(1 for m in self.malformed
                   if (obj is None or m["object"] == obj) and (kind is None or m["kind"] == kind))

    def to_dict(self):
        return {"unreadable": dict(self.unreadable), "empty": list(self.empty),
                "emptied_records": dict(self.emptied_records),
                "absent_fields": {k: list(v) for k, v in self.absent_fields.items()},
                "malformed": [dict(m) for m in self.malformed]}


def apply_variations(records, variations, *, keep, kinds, id_fields=None):
    """Change ``records`` (``{object: [record dicts]}``, in place) as ``variations`` says.

    ``keep``: ``{object: set of fields never left out}`` (ids, timestamps, links);
    ``kinds``: ``{object: [(field path, kind)]}``, the normalised fields; ``id_fields``:
    ``{object: the record's id field}`` (``"id"`` when not named). Returns a
    :class:`VariationReport`.
    """
    report = VariationReport(unreadable=dict(variations.unreadable))
    for obj in variations.empty:
        if obj not in records:
            raise ValueError(f"cannot empty unknown object {obj!r}")
        report.empty.append(obj)
        report.emptied_records[obj] = len(records[obj])
        records[obj].clear()
    if variations.absent_rate:
        for obj, rows in records.items():
            rng = random.Random(f"{variations.seed}:absent:{obj}")
            names = sorted({name for row in rows for name in row} - set(keep.get(obj, ())))
            absent = [name for name in names if rng.random() < variations.absent_rate]
            if absent:
                report.absent_fields[obj] = absent
                for row in rows:
                    for name in absent:
                        row.pop(name, None)
    if variations.malformed_rate:
        for obj, rows in records.items():
            rng = random.Random(f"{variations.seed}:malformed:{obj}")
            paths = kinds.get(obj, ())
            id_field = (id_fields or {}).get(obj, "id")
            for row in rows:
                for path, kind in paths:
                    for where, original, setter in _locate(row, _parse_path(path)):
                        if original in (None, "", [], {}):
                            continue
                        if rng.random() >= variations.malformed_rate:
                            continue
                        value = rng.choice(MALFORMED[kind])
                        setter(value)
                        report.malformed.append({
                            "object": obj, "id": row.get(id_field), "field": where,
                            "kind": kind, "original": original, "value": value})
    return report


def _parse_path(path):
    """``a.b[].c[k=v].d`` -> ``[("key", "a"), ("key", "b"), ("items", None), …]``."""
    steps = []
    for part in path.split("."):
        name, _, selector = part.partition("[")
        if name:
            steps.append(("key", name))
        if selector:
            selector = selector.rstrip("]")
            if selector:
                key, _, value = selector.partition("=")
                steps.append(("items", (key, value)))
            else:
                steps.append(("items", None))
    return steps


def _locate(container, steps, where=""):
    """``(path as reported, value, setter)`` for each value ``steps`` reach.

    Nested containers on the way are copied before a setter changes them, so that a
    dict shared by two records (a job's address and its contact's) changes in one only.
    """
    if not steps:
        return
    kind, arg = steps[0]
    rest = steps[1:]
    if kind == "key":
        if not isinstance(container, dict) or arg not in container:
            return
        here = f"{where}.{arg}" if where else arg
        if not rest:
            yield here, container[arg], lambda value, c=container, k=arg: c.__setitem__(k, value)
            return
        child = container[arg]
        if isinstance(child, dict | list):
            child = type(child)(child)  # copy on the way down
            container[arg] = child
            yield from _locate(child, rest, here)
        return
    if not isinstance(container, list):
        return
    for index, item in enumerate(container):
        if arg is not None and (not isinstance(item, dict) or str(item.get(arg[0])) != arg[1]):
            continue
        here = f"{where}[{index}]"
        if not rest:
            yield here, item, lambda value, c=container, i=index: c.__setitem__(i, value)
            continue
        if isinstance(item, dict | list):
            copy = type(item)(item)
            container[index] = copy
            yield from _locate(copy, rest, here)


def parse_unreadable(text):
    """``"customers=404,brands=403"`` -> ``{"customers": 404, "brands": 403}``."""
    result = {}
    for part in filter(None, (p.strip() for p in (text or "").split(","))):
        obj, _, status = part.partition("=")
        result[obj.strip()] = int(status or 404)
    return result


def add_variation_arguments(parser):
    """The ``--unreadable``, ``--empty``, ``--absent-rate``, ``--malformed-value-rate``
    command-line options (seeded by ``--seed``)."""
    parser.add_argument("--unreadable", default="",
                        help="objects whose endpoint answers an error: obj=404,obj=403")
    parser.add_argument("--empty", default="", help="objects served with 0 records: a,b")
    parser.add_argument("--absent-rate", type=float, default=0.0,
                        help="share of each object's optional fields never sent")
    parser.add_argument("--malformed-value-rate", type=float, default=0.0,
                        help="share of phones, e-mails, dates, states, countries and "
                             "numbers served malformed")


def variations_from_args(args):
    return Variations(
        unreadable=parse_unreadable(args.unreadable),
        empty=tuple(filter(None, (o.strip() for o in args.empty.split(",")))),
        absent_rate=args.absent_rate, malformed_rate=args.malformed_value_rate,
        seed=args.seed)
