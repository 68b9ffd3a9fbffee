"""Links by natural keys: an index of one object's numbers, names or e-mails to its ids.

A work order may name its customer by a number, its technician by a full name; the
layout says which (``ColumnLayout.link_key``). :class:`KeyIndex` is built once per
target object and key kind, from the target's own table: normalised value (case and
whitespace do not count; a full name is ``First Last`` and also ``Last, First``) → at
most :data:`MAX_CANDIDATES` ids (with a label each, for the message) and how many
records hold it. ``resolve`` gives the one id, or a *link problem*: a string starting
with :data:`LINK_PROBLEM`, a sentence for the consultant naming the value, where it
was and the candidates or where it was looked for. The engine blocks a record whose
link is a problem; a wrong link is never made.
"""

LINK_PROBLEM = "\u26a0 "
#: candidates kept per key value (the message names them; more are only counted)
MAX_CANDIDATES = 3
#: canonical columns tried, in order, for the label of a candidate in a message
LABEL_COLUMNS = ("name", "number", "invoice_number", "account_code")
KEY_NAMES = {"id": "id", "number": "number", "name": "name", "full_name": "full name",
             "email": "e-mail"}


def normalise(text):
    """Case- and whitespace-insensitive form of a key value."""
    return " ".join(str(text).split()).casefold()


def is_link_problem(value):
    return isinstance(value, str) and value.startswith(LINK_PROBLEM)


def record_label(record):
    """A short name of a record for a message (its name, number, e-mail …)."""
    for column in LABEL_COLUMNS:
        value = (record.get(column) or "").strip()
        if value:
            return value
    full = " ".join(p for p in ((record.get("first_name") or "").strip(),
                                (record.get("last_name") or "").strip()) if p)
    return full or (record.get("email") or "").strip()


def key_values(record, columns):
    """The normalised key values of ``record`` for the canonical ``columns`` of a key
    kind: one column → its value; two (first, last) → ``First Last`` and ``Last, First``."""
    if len(columns) == 1:
        value = normalise(record.get(columns[0]) or "")
        return {value} if value else set()
    first, last = (normalise(record.get(c) or "") for c in columns[:2])
    if not first or not last:
        return {first or last} - {""}
    return {f"{first} {last}", f"{last}, {first}", f"{last},{first}"}


class KeyIndex:
    """Normalised key value → ``[count, (id, label), …]`` of one target object."""

    def __init__(self, obj, kind, table_label, looked_in):
        self.obj = obj
        self.kind = kind
        self.table_label = table_label
        #: the target columns searched, as a consultant reads them ("'Customer #'")
        self.looked_in = looked_in
        self.entries = {}

    def add(self, values, record_id, label):
        for value in values:
            entry = self.entries.get(value)
            if entry is None:
                self.entries[value] = [1, (record_id, label)]
            elif all(candidate[0] != record_id for candidate in entry[1:]):
                entry[0] += 1
                if len(entry) <= MAX_CANDIDATES:
                    entry.append((record_id, label))

    def __len__(self):
        return len(self.entries)

    def resolve(self, value, column, table):
        """The one target id named by ``value``, else a link problem sentence."""
        key = normalise(value)
        entry = self.entries.get(key)
        where = f"{value.strip()!r} in column {column!r} of {table}"
        objects = self.obj.replace("_", " ")
        if entry is None:
            return (f"{LINK_PROBLEM}{where} matches no {self.looked_in} in "
                    f"{self.table_label}")
        if entry[0] == 1:
            return entry[1][0]
        shown = ", ".join(f"{rid} ({label})" if label and label != rid else str(rid)
                          for rid, label in entry[1:])
        more = f" and {entry[0] - MAX_CANDIDATES} more" if entry[0] > MAX_CANDIDATES else ""
        return f"{LINK_PROBLEM}{where} matches {entry[0]} {objects}: {shown}{more}"


def unresolvable(obj, kind, column, table, why):
    """The link problem of a link whose target cannot be searched at all."""
    return (f"{LINK_PROBLEM}column {column!r} of {table} names {obj.replace('_', ' ')} by "
            f"their {KEY_NAMES.get(kind, kind)}, but {why}")
