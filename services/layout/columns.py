"""Column roles of one table: header synonyms weighed by value kinds, the record key
(single or composite) by uniqueness and name hints, and custom fields for the rest."""

import re
from itertools import combinations

from ..fst_bundle import snake_case
from .model import CANONICAL, ColumnLayout
from .stats import custom_type
from .vocabulary import COLUMN_KINDS, KEY_HINTS, OBJECT_WORDS, TEXT_KINDS, column_score, tokens

#: a word boundary inside a camelCase or PascalCase name (``EquipmentSerial``)
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")

#: a header/kind score from which a column is taken as a canonical column
FIELD_THRESHOLD = 0.5
LINK_KINDS = ("integer", "char", "email", "selection", "phone")


def kind_factor(kind, column):
    """How well a column's value kind fits canonical ``column`` (0.25–1)."""
    if kind == "empty":
        return 0.6
    if column.endswith("_id"):
        return 1.0 if kind in LINK_KINDS else 0.3
    accepted = COLUMN_KINDS.get(column, TEXT_KINDS)
    if accepted == ("boolean",) and kind == "selection":
        return 0.8  # "Active"/"Inactive", "Y"/"N" with a third spelling
    if kind in accepted or (kind == "selection" and "char" in accepted):
        return 1.0
    if column not in COLUMN_KINDS and kind in ("text", "html", "url", "email", "phone"):
        return 0.7
    return 0.25


def score_matrix(scan, obj):
    """``[(score, header, canonical column)]`` of every pair worth considering."""
    spec = CANONICAL[obj]
    out = []
    for header, stats in scan.stats.items():
        kind = stats.kind
        for column in spec.columns:
            if column == spec.id_column and not stats.unique:
                continue  # the table's own id is unique ("Site" holding names is not)
            score = column_score(header, column, obj)
            if column == spec.id_column and _own_id(header, obj):
                score = max(score, 0.95)  # "ID", "Call ID" in the calls table
            if column == "email" and kind == "email":
                score = max(score, 0.55)
            if column == "body_html" and kind == "html":
                score = max(score, 0.6)
            if column in ("latitude", "longitude") and score and not (
                    stats.is_latitude() if column == "latitude" else stats.is_longitude()):
                score *= 0.5
            if column in ("state", "bill_state", "country", "bill_country") and score:
                score *= 1.0 if stats.short_codes >= 0.5 else 0.8
            elif column == "status" and stats.short_codes >= 0.5:
                score *= 0.6
            if column in ("account_code", "number", "invoice_number") and kind == "integer":
                score *= 0.85  # plain integers are rather the id ("Cust #": 1001)
            elif column == spec.id_column and stats.code_like:
                score *= 0.85  # 'WO-000123' is rather the number
            if column in (spec.id_column, "account_code", "number", "invoice_number") \
                    and not stats.key_like:
                score *= 0.5  # unique names ("Account": Acme Ltd …) are no record id
            score *= kind_factor(kind, column)
            if score >= 0.3:
                out.append((round(score, 4), header, column))
    out.sort(key=lambda item: (-item[0], list(scan.stats).index(item[1]), item[2]))
    return out


def match_columns(scan, obj, threshold=FIELD_THRESHOLD):
    """One-to-one ``{header: (canonical column, score)}``, best pairs first."""
    taken, out = set(), {}
    for score, header, column in score_matrix(scan, obj):
        if score < threshold or header in out or column in taken:
            continue
        out[header] = (column, score)
        taken.add(column)
    return out


def content_score(scan, obj):
    """F1 of the table's columns against the object's (0–1) and the matched headers."""
    matched = match_columns(scan, obj)
    if not matched or not scan.stats:
        return 0.0, matched
    total = sum(score for _, score in matched.values())
    precision = total / len(scan.stats)
    recall = total / len(CANONICAL[obj].columns)
    return 2 * precision * recall / (precision + recall), matched


def _own_id(header, obj):
    """``ID`` alone, or the table's own object word + ``ID``/``#`` ("Call ID")."""
    words = tokens(header)
    return words in (("id",), ("number",), ("internal", "id"), ("record", "id")) or (
        len(words) == 2 and words[1] in ("id",) and words[0] in OBJECT_WORDS.get(obj, ()))


def _key_words(header):
    return bool(set(tokens(header)) & KEY_HINTS) or "#" in header


def _unique_everywhere(scan, header):
    """(unique in the sample, duplicate rows estimated over every row read)."""
    stats = scan.stats[header]
    sketch = scan.sketches.columns.get(header) if scan.sketches else None
    dup = sketch.duplicate_rows() if sketch else 0.0
    return stats.unique, dup


def choose_key(scan, obj, matched):
    """``[ColumnLayout]`` of the key column(s) of a table holding ``obj``."""
    spec = CANONICAL[obj]
    numbers = [cols[0] for kind, cols in spec.natural_keys.items()
               if kind == "number" and len(cols) == 1]
    label = scan.label
    candidates = []
    for position, (header, stats) in enumerate(scan.stats.items()):
        unique, dup = _unique_everywhere(scan, header)
        if not unique or dup or stats.kind not in ("integer", "char", "email", "phone"):
            continue
        column, score = matched.get(header, (None, 0.0))
        if column == spec.id_column:
            rank = 3 + score
        elif column in numbers:
            rank = 2 + score
        elif _key_words(header) and column is None and stats.kind == "integer" \
                and "id" in tokens(header):
            rank, column = 2.5 - 0.01 * position, spec.id_column
        elif _key_words(header) and column is None:
            rank = 1.5 - 0.01 * position
            column = spec.id_column
        elif position == 0 and column is None:
            rank, column = 1.0, spec.id_column
        else:
            continue
        if not stats.key_like:
            rank -= 2  # a weak key: taken only when no column looks like a key
        candidates.append((rank, position, header, column))
    if candidates:
        candidates.sort(key=lambda c: (-c[0], c[1]))
        rank, _, header, column = candidates[0]
        rows = scan.sketches.rows if scan.sketches else scan.stats[header].seen
        what = "the id" if column == spec.id_column else f"the {column.replace('_', ' ')}"
        hint = " and its name says so" if rank >= 1.5 else ""
        reason = (f"'{header}' is {what} of each {_singular(obj)}: its {rows} values in "
                  f"'{label}' are all different{hint}.")
        confidence = 0.95 if rank >= 2.5 else 0.85 if rank >= 1.5 else 0.6
        if not scan.stats[header].key_like:
            confidence = 0.4
            reason += (" Its values look like free text (names), not codes or numbers: "
                       "a weak key, check it.")
        return [ColumnLayout(header, "key", column, confidence=confidence, reason=reason)]
    return _composite_key(scan, obj, matched)


def _composite_key(scan, obj, matched):
    headers = [h for h, s in scan.stats.items()
               if s.kind in ("integer", "char", "email", "selection") and s.empty == 0]
    headers.sort(key=lambda h: (not _key_words(h) and not matched.get(h, ("",))[0]
                                .endswith("_id"), list(scan.stats).index(h)))
    headers = headers[:10]
    rows = scan.rows
    for size in (2, 3):
        for combo in combinations(headers, size):
            seen = {tuple(" ".join(str(r.get(h) or "").split()).casefold() for h in combo)
                    for r in rows}
            if rows and len(seen) == len(rows):
                names = " + ".join(f"'{h}'" for h in combo)
                reason = (f"no single column of '{scan.label}' is unique; {names} together "
                          f"are different in each of the {len(rows)} rows sampled.")
                return [ColumnLayout(h, "key", matched.get(h, (None,))[0], confidence=0.55,
                                     reason=reason) for h in combo]
    return []


def field_column(header, column, score, obj, stats, label):
    """The :class:`ColumnLayout` of a header matched to canonical ``column``."""
    spec = CANONICAL[obj]
    role = "updated" if column == spec.timestamp_column and stats.kind in (
        "datetime", "date") else "field"
    kind = stats.kind
    what = column.replace("_", " ")
    reason = f"'{header}' in '{label}' reads as the {what}"
    if kind not in ("char", "empty"):
        reason += f" and its values are {kind} values"
    if role == "updated":
        reason += "; it says when the record changed (delta pickup)"
    return ColumnLayout(header, role, column, confidence=round(min(0.95, 0.3 + 0.65 * score),
                                                                2), reason=reason + ".")


#: value kinds a column is given a canonical field by when no header names it:
#: kind group → the kinds of its values (:data:`COLUMN_KINDS` says which fields take them)
CONTENT_GROUPS = {"phone": ("phone",), "boolean": ("boolean",), "date": ("date", "datetime")}


def fields_by_content(scan, obj, out, taken):
    """Custom columns given the canonical field their values alone point to, when no
    header named it: phone numbers go to the object's free phone fields in table order;
    a yes/no or a date column to the object's one free field of that kind when it is the
    only such column left (two free date fields or two date columns: nothing is guessed)."""
    spec = CANONICAL[obj]
    for group, kinds in CONTENT_GROUPS.items():
        free = [c for c in spec.columns if c not in taken and c != spec.id_column
                and set(COLUMN_KINDS.get(c, ())) & set(kinds)
                and (group == "phone") == ("phone" in COLUMN_KINDS.get(c, ()))]
        columns = [h for h, col in out.items()
                   if col.role == "custom" and scan.stats[h].kind in kinds]
        if group != "phone" and (len(free) != 1 or len(columns) != 1):
            continue
        for header, column in zip(columns, free, strict=False):
            stats = scan.stats[header]
            col = field_column(header, column, 0.25, obj, stats, scan.label)
            col.reason = (f"'{header}' in '{scan.label}' names no column, but its values are "
                          f"{stats.kind} values ('{stats.samples[0]}') and no other "
                          f"column is the {singular(obj)}'s {column.replace('_', ' ')}: "
                          "taken as it (check it).")
            out[header] = col
            taken.add(column)


def custom_column(header, stats, label):
    """An unknown column kept as a custom field of the type its values suggest."""
    ftype = custom_type(stats)
    snake = snake_case(_CAMEL.sub("_", header))  # EquipmentSerial → equipment_serial
    name = snake if snake.startswith("cf_") else f"cf_{snake or 'column'}"
    if not stats.filled:
        return ColumnLayout(header, "ignore", confidence=0.6,
                            reason=f"'{header}' in '{label}' is empty in every row read.")
    detail = {"selection": f"{stats.distinct} distinct values repeated"}.get(
        ftype, f"its values are {stats.kind}")
    return ColumnLayout(header, "custom", name, custom_type=ftype, confidence=0.5,
                        reason=f"'{header}' in '{label}' is no column of the object; kept as "
                               f"the custom field {name} ({ftype}: {detail}).")


def target_columns(scan, layout):
    """``[(kind, header label, sketch)]`` by which other tables may name this one."""
    obj = CANONICAL[layout.object]
    fields_kind = {cols[0]: kind for kind, cols in obj.natural_keys.items() if len(cols) == 1}
    keys = layout.key_columns()
    out = []
    for col in layout.columns:
        sketch = scan.sketches.columns.get(col.name)
        if sketch is None:
            continue
        if col.role == "key" and len(keys) == 1:
            kind = "id" if col.field in (None, obj.id_column) else fields_kind.get(col.field)
            out.append((kind or "id", f"'{col.name}'", sketch))
        elif col.field in fields_kind and col.field != obj.id_column:
            out.append((fields_kind[col.field], f"'{col.name}'", sketch))
    if scan.sketches.full is not None and "full_name" in obj.natural_keys:
        first, last = scan.full_name
        out.append(("full_name", f"'{first}' + '{last}'", scan.sketches.full))
    return out


def key_candidates(scan, layout):
    """``[(kind, header label, sketch, column)]``: custom columns of this table that may
    hold one of its natural keys no column holds yet ("Site Description" holding the site
    names), the kind told by the values (e-mails, codes and numbers, else names). A link
    whose values are found there makes it that key (see ``propose._links``)."""
    obj = CANONICAL[layout.object]
    taken = {c.field for c in layout.columns if c.role != "custom" and c.field}
    free = {kind: cols[0] for kind, cols in obj.natural_keys.items()
            if len(cols) == 1 and kind != "id" and cols[0] not in taken}
    out = []
    for col in layout.columns:
        sketch = scan.sketches.columns.get(col.name)
        if col.role != "custom" or sketch is None:
            continue
        stats = scan.stats[col.name]
        kind = "email" if stats.kind == "email" else "number" if stats.key_like else "name"
        if kind in free:
            out.append((kind, f"'{col.name}'", sketch, col))
    return out


def _singular(obj):
    return {"customers": "customer", "contacts": "contact", "sites": "site",
            "technicians": "technician", "work_orders": "work order",
            "work_order_lines": "work order line", "appointments": "appointment",
            "invoices": "invoice", "invoice_lines": "invoice line",
            "parts_used": "part used", "notes": "note", "attachments": "attachment"
            }.get(obj, obj)


def singular(obj):
    """``work_orders`` → ``work order`` (for reasons)."""
    return _singular(obj)
