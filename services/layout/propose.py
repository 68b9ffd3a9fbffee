"""The layout proposer: from raw tables to a :class:`~.model.SourceLayout`, every choice
with a confidence (0–1) and a reason a consultant reads.

``propose_layout(raw)`` reads each table once, streamed: its first ``sample_rows`` rows
give the column statistics (:mod:`.stats`), and every row (up to ``max_rows``) feeds
bounded hash sketches of the columns that could be keys or links (:mod:`.links`). Then:

1. the built-in FST bundle is recognised (``known_fst_profile``, confidence 1);
2. each table gets an object by its name's synonyms and by its columns (:mod:`.vocabulary`,
   :mod:`.columns`), conflicts resolved (the better table wins, the other is ignored
   with a reason);
3. each column a role: the record key, links by value overlap between columns across
   tables (ids, numbers, names, composed full names, e-mails; values that name two
   target rows are counted and lower the confidence), canonical fields, custom fields;
4. the conventions each table's values prove (a date order borrowed from the other
   tables when its own dates prove none);
5. where the attachments are: a manifest table, folders named by record keys, or a
   column of relative paths.
"""

import posixpath
from collections import Counter
from dataclasses import dataclass, field

from ..fst_bundle import BUNDLE_OBJECTS, CUSTOM_FIELDS_FILE, FILES_FOLDER, name_key
from .columns import (
    FIELD_THRESHOLD,
    LINK_KINDS,
    choose_key,
    content_score,
    custom_column,
    field_column,
    fields_by_content,
    key_candidates,
    match_columns,
    score_matrix,
    singular,
    target_columns,
)
from .find_attachments import propose_attachments
from .model import (
    CANONICAL,
    ColumnLayout,
    Conventions,
    SourceLayout,
    TableLayout,
    known_fst_profile,
)
from .sketches import TableSketches, overlap
from .stats import ColumnStats, table_conventions
from .vocabulary import (
    OBJECT_WORDS,
    column_score,
    is_custom_field_schema,
    table_name_scores,
    tokens,
)

#: share of a column's values found in a target column from which it is a link
LINK_SHARE = 0.8
#: below this combined score a table is given no object
TABLE_THRESHOLD = 0.3
#: kind of key → preference when two columns could be the same link
KEY_PREFERENCE = {"id": 5, "number": 4, "email": 3, "full_name": 2, "name": 1}
SAMPLE_SHOWN = 5


@dataclass
class Scan:
    """One table as read: column statistics, sampled rows, sketches."""

    info: object
    stats: dict = field(default_factory=dict)  # header → ColumnStats
    rows: list = field(default_factory=list)  # the sampled rows
    sketches: TableSketches | None = None
    total: int = 0
    full_name: tuple | None = None

    @property
    def label(self):
        info = self.info
        return f"{info.path} [{info.sheet}]" if info.sheet else info.path


def propose_layout(raw, *, sample_rows=2000, max_rows=None):
    """The proposed :class:`SourceLayout` of ``raw`` (a :class:`~.model.RawTables`)."""
    infos = list(raw.tables())
    known = _known_profile(infos)
    if known is not None:
        return known
    scans, others = [], []
    for info in infos:
        if info.kind == "file" or info.status not in ("read",):
            others.append(info)
        else:
            scans.append(_scan(raw, info, sample_rows, max_rows))
    assigned, table_reasons = _assign_tables(scans)
    tables, layouts = _table_layouts(scans, table_reasons)
    references = _links(assigned, layouts)
    # second round: the tables each table's key values point to confirm or refute it
    # (lines pointing at invoices are invoice lines)
    again, reasons_again = _assign_tables(scans, references, table_reasons)
    if {o: id(s) for o, s in again.items()} != {o: id(s) for o, s in assigned.items()}:
        assigned, table_reasons = again, reasons_again
        tables, layouts = _table_layouts(scans, table_reasons)
        _links(assigned, layouts)
    _conventions(scans, layouts)
    for info in others:
        if info.kind != "file":
            tables.append(TableLayout(info.path, info.sheet, None, confidence=1.0,
                                      status=info.status, encoding=info.encoding,
                                      reason=f"'{info.path}' was not read: {info.status}."))
    attachments = propose_attachments(raw, scans, layouts, assigned)
    _mark_attachment_files(tables, attachments)
    tables.sort(key=lambda t: (t.object is None, list(CANONICAL).index(t.object)
                               if t.object in CANONICAL else 0, t.label))
    return SourceLayout("custom", tables, attachments)


def _mark_attachment_files(tables, attachments):
    """A text file inside the attachments' folder (a technician's readings.txt beside the
    photos) is one of the records' files, not a table to review: said so, at confidence 1,
    so that the layout page lists it after the tables that need a look."""
    folder = attachments.folder.strip("/")
    if attachments.mode not in ("manifest", "folders") or not folder:
        return
    for table in tables:
        if table.object is None and table.path.startswith(folder + "/"):
            table.status = f"an attachment (in {folder}/)"
            table.confidence = 1.0
            table.reason = (f"'{table.path}' lies in the attachments' folder '{folder}/': it "
                            "is one of the records' files, migrated as an attachment, not "
                            "a table.")


def _table_layouts(scans, table_reasons):
    tables, layouts = [], {}
    for scan in scans:
        obj, confidence, reason = table_reasons[id(scan)]
        layout = TableLayout(scan.info.path, scan.info.sheet, obj, confidence=confidence,
                             reason=reason, rows=scan.total, status=scan.info.status,
                             encoding=scan.info.encoding,
                             sample=[{k: str(v)[:80] for k, v in row.items()}
                                     for row in scan.rows[:SAMPLE_SHOWN]])
        layout.columns = _columns(scan, obj) if obj else [
            ColumnLayout(h, "ignore", confidence=confidence,
                         reason=f"'{scan.label}' is not migrated.") for h in scan.stats]
        layouts[id(scan)] = layout
        tables.append(layout)
    return tables, layouts


# -- reading -----------------------------------------------------------------------------

def _scan(raw, info, sample_rows, max_rows):
    if max_rows is not None:
        sample_rows = min(sample_rows, max_rows)
    scan = Scan(info, {h: ColumnStats(h) for h in info.header})
    rows = raw.iter_rows(info.path, info.sheet)
    for _, row in rows:
        scan.total += 1
        for header, value in row.items():
            stats = scan.stats.get(header)
            if stats is None:
                stats = scan.stats[header] = ColumnStats(header, seen=scan.total - 1,
                                                         empty=scan.total - 1)
            stats.add(value)
        scan.rows.append(row)
        if scan.total >= sample_rows:
            break
    scan.sketches = _sketches(scan)
    for row in scan.rows:
        scan.sketches.add(row)
    if scan.total >= sample_rows:
        for _, row in rows:
            if max_rows is not None and scan.total >= max_rows:
                break
            scan.total += 1
            scan.sketches.add(row)
    close = getattr(rows, "close", None)
    if close:
        close()
    return scan


def _sketches(scan):
    """Sketch the columns that could be keys or links, and first + last names."""
    names = [h for h, s in scan.stats.items()
             if s.kind in LINK_KINDS and s.max_length <= 120 and s.filled]
    first = _best_header(scan, "first_name")
    last = _best_header(scan, "last_name")
    scan.full_name = (first, last) if first and last and first != last else None
    return TableSketches(names, scan.full_name)


def _best_header(scan, column):
    best = max(((column_score(h, column), h) for h, s in scan.stats.items()
                if s.kind in ("char", "selection")), default=(0, None))
    return best[1] if best[0] >= 0.75 else None


# -- the known profile -------------------------------------------------------------------

def _in_files_folder(path):
    """A member of the FST bundle's attachment folder (``files/`` beside the CSV files)."""
    return FILES_FOLDER in [part.lower() for part in path.split("/")[:-1]]


def _known_profile(infos):
    """The built-in FST layout when the tables are exactly the FST bundle's files."""
    specs = {name_key(o.name): o for o in BUNDLE_OBJECTS}
    found, headers = {}, {}
    for info in infos:
        if info.kind == "file" or _in_files_folder(info.path):
            continue  # the bundle's attachments (a .txt reading is a file, not a table)
        if info.sheet or info.kind not in ("csv", "tsv", "txt", "rest"):
            return None
        stem = posixpath.basename(info.path).rsplit(".", 1)[0]
        key = name_key(stem)
        if key == name_key(CUSTOM_FIELDS_FILE.name):
            continue
        spec = specs.get(key)
        if spec is None or spec.name in found:
            return None
        have = {name_key(h): h for h in info.header}
        allowed = {name_key(c) for c in spec.columns}
        if any(name_key(r) not in have for r in spec.required) or any(
                k not in allowed and not k.startswith("cf") for k in have):
            return None
        found[spec.name] = info.path
        headers[spec.name] = have
    if "customers" not in found or "work_orders" not in found:
        return None
    layout = known_fst_profile(tables=found)
    layout.tables = [t for t in layout.tables if t.object in found]
    for table in layout.tables:
        have = headers[table.object]
        table.columns = [c for c in table.columns if name_key(c.name) in have]
        for col in table.columns:
            col.name = have[name_key(col.name)]
    return layout


# -- tables → objects --------------------------------------------------------------------

def _assign_tables(scans, references=None, previous=None):
    """``({object: scan}, {id(scan): (object, confidence, reason)})``; ``references``
    ``{id(scan): {id(target scan)}}`` (whose key values its columns hold) with the
    ``previous`` assignment weigh each object by the links it canonically has."""
    pairs = []
    details = {}
    for scan in scans:
        if _is_schema(scan):
            continue
        # a sheet named after an object says more than its workbook's name
        names = scan.info.sheet and table_name_scores(scan.info.sheet) or \
            table_name_scores(scan.info.path)
        for obj in CANONICAL:
            name_score, phrase = names.get(obj, (0.0, ()))
            content, matched = content_score(scan, obj)
            if name_score:
                score = 0.55 * name_score + 0.45 * min(1.0, content * 1.6)
            else:  # by content only: several columns must say so
                strong = sum(1 for _, value in matched.values() if value >= 0.6)
                score = (0.75 if strong >= 3 else 0.4) * min(1.0, content * 1.6)
            score += _reference_bonus(scan, obj, references, previous)
            details[(id(scan), obj)] = (name_score, phrase, content, matched)
            if score >= 0.05:
                pairs.append((score, scan, obj))
    pairs.sort(key=lambda p: (-p[0], p[1].label, p[2]))
    assigned, result = {}, {}
    for score, scan, obj in pairs:
        if id(scan) in result or obj in assigned or score < TABLE_THRESHOLD:
            continue
        named = [o for o in CANONICAL if details[(id(scan), o)][0] >= 0.8]
        if not details[(id(scan), obj)][0] and named and all(o in assigned for o in named):
            continue  # its name says another object, held by a better table
        assigned[obj] = scan
        result[id(scan)] = (obj, round(min(score, 0.99), 2),
                            _table_reason(scan, obj, details[(id(scan), obj)]))
    for scan in scans:
        if id(scan) in result:
            continue
        result[id(scan)] = (None, *_unassigned_reason(scan, pairs, assigned))
    return assigned, result


def _reference_bonus(scan, obj, references, previous):
    if not references:
        return 0.0
    linked = set(CANONICAL[obj].links.values())
    bonus = 0.0
    for target in references.get(id(scan), ()):
        target_obj = previous.get(target, (None,))[0]
        if target_obj:
            bonus += 0.08 if target_obj in linked else -0.08
    return bonus


def _table_reason(scan, obj, detail):
    name_score, phrase, content, matched = detail
    what = obj.replace("_", " ")
    parts = []
    if name_score:
        parts.append(f"the name '{scan.label}' means {what} ('{' '.join(phrase)}')")
    headers = [h for h, (col, score) in matched.items() if score >= 0.6]
    if headers:
        shown = ", ".join(f"'{h}'" for h in headers[:5])
        parts.append(f"{len(headers)} of its {len(scan.stats)} columns are {singular(obj)} "
                     f"columns ({shown}{', …' if len(headers) > 5 else ''})")
    if not name_score:
        parts.insert(0, f"by its columns only (its name '{scan.label}' says nothing)")
    return _sentence(parts)


def _is_schema(scan):
    return is_custom_field_schema(scan.info.sheet or scan.info.path) or {
        "object", "name", "type"} <= {h.strip().lower() for h in scan.stats}


def _unassigned_reason(scan, pairs, assigned):
    if _is_schema(scan):
        return 0.8, (f"'{scan.label}' is a custom field schema, not an object: the custom "
                     "columns of the other tables are proposed from their values.")
    best = next(((score, obj) for score, s, obj in pairs if s is scan), None)
    if best and best[0] >= TABLE_THRESHOLD and best[1] in assigned:
        winner = assigned[best[1]]
        return round(1 - best[0] / 2, 2), (
            f"'{scan.label}' also looks like {best[1].replace('_', ' ')}, but "
            f"'{winner.label}' is a better match; ignored (choose it instead if that is "
            "wrong).")
    return 0.3, (f"'{scan.label}' matches no object by its name or its columns; ignored.")


# -- columns -----------------------------------------------------------------------------

def _columns(scan, obj):
    matched = match_columns(scan, obj)
    keys = choose_key(scan, obj, matched)
    out = {c.name: c for c in keys}
    taken = {c.field for c in keys if c.field}
    for header, stats in scan.stats.items():
        if header in out:
            continue
        column, score = matched.get(header, (None, 0.0))
        if column and column not in taken and column != CANONICAL[obj].id_column:
            out[header] = field_column(header, column, score, obj, stats, scan.label)
            taken.add(column)
        elif stats.kind == "path" and obj != "attachments":
            out[header] = ColumnLayout(header, "custom", custom_column(
                header, stats, scan.label).field, custom_type="char", confidence=0.4,
                reason=f"'{header}' holds file paths (see attachments).")
        else:
            out[header] = custom_column(header, stats, scan.label)
    _number_by_values(scan, obj, out, taken)
    fields_by_content(scan, obj, out, taken)
    if not keys and out:
        out[next(iter(scan.stats))].reason += (
            f" No column or pair of columns of '{scan.label}' is unique: choose the key.")
    return [out[h] for h in scan.stats]


def _number_by_values(scan, obj, out, taken):
    """The object's number column found by its values when no header named it: record
    numbers like 'WO-000123', all different."""
    number = CANONICAL[obj].natural_keys.get("number", (None,))[0]
    if not number or number in taken:
        return
    for header, col in out.items():
        stats = scan.stats[header]
        if col.role == "custom" and stats.code_like and stats.distinct == stats.filled \
                and stats.filled >= stats.seen / 2:
            col.role, col.field, col.custom_type, col.confidence = "field", number, None, 0.6
            col.reason = (f"'{header}' in '{scan.label}' names no column, but its values look "
                          f"like record numbers ('{stats.samples[0]}'), all different: "
                          f"taken as the {number.replace('_', ' ')}.")
            taken.add(number)
            return


def _links(assigned, layouts):
    """Find each link column by value overlap and set its role (see the module doc)."""
    targets = {obj: [(*t, None) for t in target_columns(scan, layouts[id(scan)])]
               + key_candidates(scan, layouts[id(scan)]) for obj, scan in assigned.items()}
    references = {}
    for obj, scan in assigned.items():
        layout = layouts[id(scan)]
        found = []
        for col in layout.columns:
            sketch = scan.sketches.columns.get(col.name)
            if sketch is None or (col.role == "key" and len(layout.key_columns()) == 1):
                continue
            for target_obj, columns in targets.items():
                if target_obj == obj:
                    continue
                for kind, label, target, promote in columns:
                    result = overlap(sketch, target)
                    if result.distinct < 2 or result.share < 0.5:
                        continue
                    hinted = _hints(col.name, target_obj)
                    rank = (round(result.share, 2) + 0.05 * hinted
                            + 0.02 * bool(_link_field(obj, target_obj))
                            - 0.3 * result.ambiguous, KEY_PREFERENCE[kind])
                    found.append((rank, col, target_obj, kind, label, result, promote))
                    if kind in ("id", "number") and result.share >= 0.9:
                        references.setdefault(id(scan), set()).add(id(assigned[target_obj]))
        found.sort(key=lambda f: (-f[0][0], -f[0][1], f[1].name))
        done_cols, done_fields, vacated = set(), set(), []
        for _rank, col, target_obj, kind, label, result, promote in found:
            if col.name in done_cols or (promote is not None and not _promote(
                    promote, kind, target_obj, layouts[id(assigned[target_obj])])):
                continue
            field_name = _link_field(obj, target_obj)
            strong_field = col.role in ("field", "updated") and col.confidence >= 0.85 \
                and col.field not in CANONICAL[obj].links and not _hints(col.name, target_obj) \
                and not _names_target(scan, col, result)
            if not field_name or field_name in done_fields or strong_field \
                    or (result.share < LINK_SHARE and not _hints(col.name, target_obj)):
                col.reason += (f" Its values are also values of {label} in "
                               f"'{assigned[target_obj].label}' "
                               f"({result.share:.0%}); not taken as a link: "
                               + ("another column is that link." if field_name in done_fields
                                  else f"{singular(obj)}s have no link to "
                                  f"{target_obj.replace('_', ' ')}." if not field_name
                                  else "its name says it is the "
                                  f"{col.field.replace('_', ' ')}." if strong_field
                                  else "too few of them match."))
                done_cols.add(col.name)
                continue
            done_cols.add(col.name)
            done_fields.add(field_name)
            if col.role in ("field", "updated") and col.field:
                vacated.append(col.field)
            rival = next(((assigned[o].label, lab, res.share) for _, c, o, _, lab, res, _p in found
                          if c is col and o != target_obj and res.share >= result.share - 0.05
                          and not _hints(col.name, target_obj)), None)
            _set_link(col, field_name, target_obj, kind, label, result, scan, assigned, rival)
        _links_by_name_only(scan, layout, obj, (done_cols, done_fields), assigned)
        _refill(scan, obj, layout, vacated)
    return references


def _promote(col, kind, target_obj, target_layout):
    """Make the custom column ``col`` of the target the natural key ``kind`` a link's
    values are found in; False when another column holds that key already."""
    field_name = CANONICAL[target_obj].natural_keys[kind][0]
    if col.role == "field" and col.field == field_name:
        return True
    if col.role != "custom" or any(c.field == field_name and c.role != "custom"
                                   for c in target_layout.columns):
        return False
    col.role, col.field, col.custom_type, col.confidence = "field", field_name, None, 0.6
    col.reason = (f"'{col.name}' names no column, but the values of a link column of "
                  "another table are found in it: taken as the "
                  f"{singular(target_obj)}'s {field_name.replace('_', ' ')} (check it).")
    return True


def _names_target(scan, col, result):
    """The column's values repeat and nearly all of them are key values of the target:
    it names target records (a site's "Business Name" is its customer's name), whatever
    field its header suggests."""
    stats = scan.stats[col.name]
    return result.share >= 0.95 and not result.ambiguous and stats.distinct < stats.filled


def _refill(scan, obj, layout, vacated):
    """A field left free by a column found to be a link goes to the custom column that
    names it best ("Premises Name" once "Business Name" links the customer)."""
    if not vacated:
        return
    by_name = {c.name: c for c in layout.columns}
    taken = {c.field for c in layout.columns if c.role != "custom" and c.field}
    for score, header, column in score_matrix(scan, obj):
        col = by_name[header]
        if column not in vacated or column in taken or col.role != "custom" \
                or score < FIELD_THRESHOLD:
            continue
        new = field_column(header, column, score, obj, scan.stats[header], scan.label)
        col.role, col.field, col.custom_type = new.role, new.field, None
        col.confidence, col.reason = new.confidence, new.reason
        taken.add(column)


def _links_by_name_only(scan, layout, obj, done, assigned):
    """A column whose header names a link but whose values match no key of the target:
    a link, at low confidence, by the key its values look like (records whose value
    matches nothing are blocked as orphans, never linked to a guess). Not when another
    column's values are that link, nor for free text (a work order's "Customer Request"
    is no customer): such a column is kept as a custom field."""
    done_cols, done_fields = done
    for col in layout.columns:
        if col.name in done_cols or col.role != "field" or \
                col.field not in CANONICAL[obj].links:
            continue
        if col.field in done_fields or col.name not in scan.sketches.columns:
            why = (f"its values are those of another column, '{_linked_by(layout, col)}'"
                   if col.field in done_fields else "its values are free text, not keys")
            custom = custom_column(col.name, scan.stats[col.name], scan.label)
            if custom.role == "custom":
                custom.reason = (f"'{col.name}' in '{scan.label}' is named like the "
                                 f"{col.field.replace('_', ' ')}, but {why}; kept as the "
                                 f"custom field {custom.field}.")
                custom.confidence = 0.4
            layout.columns[layout.columns.index(col)] = custom
            continue
        target_obj = CANONICAL[obj].links[col.field]
        stats = scan.stats[col.name]
        kind = "email" if stats.kind == "email" else "id" if stats.kind == "integer" \
            else "number" if stats.code_like else "name"
        if kind not in CANONICAL[target_obj].natural_keys:
            kind = "id"
        where = f"'{assigned[target_obj].label}'" if target_obj in assigned else \
            "any table (none holds " + target_obj.replace("_", " ") + ")"
        col.role, col.link_object, col.link_key, col.confidence = (
            "link", target_obj, kind, 0.3)
        col.reason = (f"'{col.name}' in '{scan.label}' is named as the "
                      f"{col.field.replace('_', ' ')}, but its values match no key of "
                      f"{where}; proposed by {kind.replace('_', ' ')}: check by which key "
                      "it names them.")


def _linked_by(layout, col):
    return next((c.name for c in layout.columns if c is not col and c.role == "link"
                 and c.field == col.field), "?")


def _set_link(col, field_name, target_obj, kind, label, result, scan, assigned, rival=None):
    target = assigned[target_obj]
    reason = (f"{result.share:.0%} of the non-empty values of '{col.name}' in "
              f"'{scan.label}' are values of {label} in '{target.label}'")
    if kind == "full_name":
        reason += " (as 'first last' or 'last, first')"
    confidence = 0.5 + 0.45 * result.share
    if result.ambiguous:
        confidence -= 0.3
        count = max(1, result.ambiguous_rows)
        reason += (f"; {count} of them ({result.ambiguous:.0%}) name two or more rows of "
                   f"'{target.label}': those records will be blocked, never linked to a "
                   "guess")
    if rival is not None:
        confidence -= 0.2
        reason += (f"; {rival[2]:.0%} of them are also values of {rival[1]} in "
                   f"'{rival[0]}': check the choice")
    if result.share < LINK_SHARE:
        reason += "; the others match no row (they will be reported as orphans)"
    if col.role == "key":
        col.reason += " It is also " + reason[0].lower() + reason[1:] + "."
        col.field = col.field or field_name
    else:
        col.role, col.field, col.reason = "link", field_name, reason + "."
        col.custom_type = None
        col.confidence = round(max(0.2, min(0.97, confidence)), 2)
    col.link_object, col.link_key = target_obj, kind


def _link_field(obj, target_obj):
    """The canonical column of ``obj`` linking to ``target_obj`` (None when none)."""
    return next((c for c, t in CANONICAL[obj].links.items() if t == target_obj), None)


def _hints(header, target_obj):
    """The header names the target object ("Customer #", "Assigned Tech")."""
    words = set(tokens(header))
    own = set(OBJECT_WORDS.get(target_obj, ())) | {target_obj.rstrip("s").split("_")[0]}
    return bool(words & own) or (target_obj == "technicians" and bool(
        words & {"assigned", "author", "by", "assignee", "dispatched"}))


# -- conventions -------------------------------------------------------------------------

def _conventions(scans, layouts):
    found = {id(s): table_conventions(list(s.stats.values())) for s in scans}
    proven = Counter()
    proof_of = {}
    for scan in scans:
        order = found[id(scan)]["date_order"]
        if order in ("dmy", "mdy"):
            proven[order] += 1
            proof_of.setdefault(order, (scan, found[id(scan)]["proof"]))
    for scan in scans:
        layout = layouts[id(scan)]
        conv = found[id(scan)]
        order = conv["date_order"]
        proof = conv["proof"]
        notes = []
        confidence = 0.95
        if order in ("dmy", "mdy"):
            word = "day-first" if order == "dmy" else "month-first"
            notes.append(f"a value like '{proof.get('example')}' in '{proof.get('column')}' "
                         f"proves {word} dates")
        elif order == "ambiguous" and len(proven) == 1:
            order = next(iter(proven))
            other, other_proof = proof_of[order]
            word = "day-first" if order == "dmy" else "month-first"
            notes.append(f"no date of this table proves day- or month-first; "
                         f"'{other_proof.get('example')}' in '{other.label}' proves "
                         f"{word} dates for the source, used here")
            confidence = 0.7
        elif order == "ambiguous":
            notes.append("every date could be day-first or month-first (no day above 12): "
                         "choose the order")
            confidence = 0.3
        elif order == "ymd":
            notes.append("dates are year-first (ISO 8601)")
        else:
            order = "ymd"
            notes.append("no dates to read")
            confidence = 0.9
        if conv["clock"] == "12":
            notes.append("times carry AM/PM")
        if conv["decimal"] == ",":
            notes.append("amounts use a decimal comma")
        if conv["thousands"]:
            notes.append(f"'{conv['thousands']}' separates thousands")
        if conv["currency"]:
            notes.append("amounts carry " + ", ".join(conv["currency"]))
        words = conv["true_words"] + conv["false_words"]
        if words:
            notes.append("yes/no written " + "/".join(words))
        kwargs = {"date_order": order, "clock": conv["clock"], "decimal": conv["decimal"],
                  "thousands": conv["thousands"], "currency": conv["currency"]}
        if conv["true_words"] and conv["false_words"]:
            kwargs["true_words"] = conv["true_words"]
            kwargs["false_words"] = conv["false_words"]
        layout.conventions = Conventions(**kwargs, confidence=confidence,
                                         reason=_sentence(notes))


def _sentence(parts):
    text = "; ".join(parts)
    return text[:1].upper() + text[1:] + "."
