"""The field-level diff of a run: for every record a run wrote and every mapped field, the
source value, the value the map expects after its transforms, the value read back from
the database, and a status:

- ``equal``: written as the source has it;
- ``transformed``: written as the map said, which differs from the raw source value
  (a normalised phone, a stage for a status, a date converted to UTC, an empty value
  left to Odoo's default …);
- ``different``: the database holds something else than the map expects;
- ``missing``: the record the binding names is not in the database any more.

The expected values are computed again from the staged source records with the same
mapper and resolver the run used; records are read back in one read per model.
"""

import html
import json
import re
from collections import defaultdict

from ..services.engine import KEPT
from .engine import MATCH_ROLES, BatchProcessor
from .resolver import Unresolved

#: what a diff line may say (``kept``: a value its transform could not normalise, written
#: as typed with a warning, and read back as written)
DIFF_STATUSES = ("equal", "transformed", "kept", "different", "missing")
TAGS = re.compile(r"<[^>]+>")
SPACES = re.compile(r"\s+")


def normalise(value):
    """A comparable form: ids for records, text without markup or entities, numbers with
    zero as empty (Odoo reads an empty number back as 0)."""
    if value is None or value is False or value == "" or value == []:
        return None
    if value is True:
        return True
    if hasattr(value, "_name"):  # a many2one read back
        return value.id or None
    if isinstance(value, list):
        if value and isinstance(value[0], (list, tuple)) and len(value[0]) == 3 \
                and value[0][0] == 6:  # x2many "set" commands
            value = [i for command in value if command[0] == 6 for i in command[2]]
        try:
            return sorted(value) or None
        except TypeError:  # structures (JSON-like): compared as canonical JSON text
            return sorted(json.dumps(v, sort_keys=True, default=str) for v in value) or None
    if isinstance(value, (int, float)):
        return round(float(value), 6) or None
    if isinstance(value, (bytes, bytearray)):
        return f"{len(value)} bytes"
    text = str(value)
    if "<" in text or "&" in text:
        text = html.unescape(TAGS.sub(" ", text))
    return SPACES.sub(" ", text).strip() or None


def _folded(value):
    return value.casefold() if isinstance(value, str) else value


def shown(value, limit=200):
    if value is None:
        return False
    text = str(value)
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _ids(value):
    """Record ids of a normalised link value (an id as a float, or a list of ids)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return [int(value)]
    if isinstance(value, list):
        return [int(v) for v in value if isinstance(v, (int, float))]
    return []


def _names(records, limit=10):
    """Linked records as a person reads them: ``Name (#id)``, the first ``limit``."""
    text = ", ".join(f"{r.display_name} (#{r.id})" for r in records[:limit])
    if len(records) > limit:
        text += f", … ({len(records)} records)"
    return shown(text) if text else False


def _read(record, name):
    """The value of ``name`` on ``record``, x2many fields as id lists."""
    value = record[name]
    if record._fields[name].type in ("many2many", "one2many"):
        return sorted(value.ids)
    return value


def dig(record, dotted):
    value = record
    for part in dotted.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


class RunDiff:
    def __init__(self, run, processor=None):
        self.run = run
        self._own = processor is None
        self.processor = processor or BatchProcessor(run)
        self.env = self.processor.env
        proposal = run.map_id._to_proposal()
        #: (source object, role, target field) → source field(s) feeding it
        self.sources = defaultdict(list)
        for line in proposal.field_maps:
            if not line.skip and line.target_field:
                self.sources[(line.source_object, line.role, line.target_field)].append(
                    line.source_field)

    def lines(self, problems_only=False):
        """``(counts per status, diff lines)`` of every record the run bound; with
        ``problems_only`` the lines are only the *different* and *missing* ones (a full
        run's verification keeps its counts, not a line per field of every record)."""
        out, counts = [], dict.fromkeys(DIFF_STATUSES, 0)
        bindings = self.env["fsm.migration.binding"].search([("run_id", "=", self.run.id)])
        bound = {(b.source_object, b.source_id, b.role): b for b in bindings}
        try:
            for batch in self.run.batch_ids:
                for line in self._batch_lines(batch, bound):
                    counts[line["status"]] += 1
                    if not problems_only or line["status"] in ("different", "missing"):
                        out.append(line)
        finally:
            if self._own:
                self.processor.close()
        return counts, out

    def batch_lines(self, batch, problems_only=False):
        """``(counts per status, diff lines)`` of one batch (workers verify batches side
        by side once every batch is written); its bindings read by key."""
        counts = dict.fromkeys(DIFF_STATUSES, 0)
        out = []
        for line in self._batch_lines(batch, None):
            counts[line["status"]] += 1
            if not problems_only or line["status"] in ("different", "missing"):
                out.append(line)
        return counts, out

    def _batch_lines(self, batch, bound):
        processor, resolver = self.processor, self.processor.resolver
        staged = {str(r.get("id")): r for r in batch.payload or []}
        items = processor.map_batch(batch.source_object, batch.payload or [])
        resolver.prefetch([ref for item in items for ref in item.refs.values()])
        if bound is None:
            keys = {processor._binding_key(_Line(item.role), item) for item in items}
            bound = {(b.source_object, b.source_id, b.role): b
                     for b in self.env["fsm.migration.binding"].search([
                         ("run_id", "=", self.run.id),
                         ("source_object", "=", batch.source_object),
                         ("source_id", "in", list(keys))])}
        wanted = []  # (item, binding, expected values)
        for item in items:
            if item.role in MATCH_ROLES:  # an existing user chosen by the plan: not written
                continue
            binding = bound.get((item.source_object, processor._binding_key(
                _Line(item.role), item), item.role))
            if not binding or item.errors or processor._merged(binding, item):
                continue  # (merged: another source record wrote it and is compared)
            fields_of = processor.targets.get(binding.model, {})
            expected = dict(item.values)
            for name, ref in item.refs.items():
                try:
                    expected[name] = resolver.resolve(ref, fields_of[name])
                except (Unresolved, KeyError):
                    expected[name] = None
            if item.lost:
                expected["active"] = False
            processor.secure_values(binding.model, expected)
            wanted.append((item, binding, expected, {
                w.target_field for w in getattr(item, "warnings", ()) if w.action == KEPT}))
        by_model = defaultdict(set)
        for _item, binding, _expected, _kept in wanted:
            by_model[binding.model].add(binding.res_id)
        read = {}
        for model, ids in by_model.items():
            records = self.env[model].with_context(active_test=False).browse(ids).exists()
            read.update({(model, r.id): r for r in records})
        lines = []
        for item, binding, expected, kept in wanted:
            record = read.get((binding.model, binding.res_id))
            source = staged.get(str(item.source_id)) or {}
            for name, value in expected.items():
                if record and name not in record._fields:
                    continue
                raw = [dig(source, f) for f in self.sources.get(
                    (item.source_object, item.role, name), [])]
                raw_value = raw[0] if len(raw) == 1 else (" ".join(str(v) for v in raw if v)
                                                          if raw else None)
                odoo_value = normalise(_read(record, name)) if record else None
                want = normalise(value)
                if not record:
                    status = "missing"
                elif want is None and odoo_value is not None:
                    # an empty source value is not written on create: Odoo's default is
                    status, want = "transformed", "(empty: Odoo's default)"
                elif odoo_value != want and not (
                        item.dedupe_key and _folded(odoo_value) == _folded(want)):
                    # (a record shared by several source records - the same location
                    # typed twice - keeps the first spelling: other cases are the same)
                    status = "different"
                elif name in kept:
                    status = "kept"  # (as typed, with a warning: it could not be normalised)
                elif normalise(raw_value) == want or not raw:
                    status = "equal"
                else:
                    status = "transformed"
                field = record._fields.get(name) if record else None
                if field is not None and field.relational:
                    # links as the records' names (and ids), not as bare numbers
                    comodel = self.env[field.comodel_name].with_context(active_test=False)
                    shown_want = _names(comodel.browse(_ids(want)).exists())
                    shown_odoo = _names(record[name])
                elif field is not None and field.type == "many2one_reference" \
                        and record[field.model_field] in self.env:
                    # res_id of an activity/event: the record of its res_model, named
                    linked = self.env[record[field.model_field]].with_context(active_test=False)
                    shown_want = _names(linked.browse(_ids(want)).exists())
                    shown_odoo = _names(linked.browse(_ids(normalise(record[name]))).exists())
                else:
                    shown_want, shown_odoo = shown(want), shown(odoo_value)
                lines.append({
                    "run_id": self.run.id, "source_object": item.source_object,
                    "source_id": item.source_id, "role": item.role, "model": binding.model,
                    "res_id": binding.res_id, "field_name": name,
                    "source_value": shown(raw_value),
                    "expected_value": shown_want if _ids(want) else shown(want),
                    "odoo_value": shown_odoo if odoo_value is not None else False,
                    "status": status})
        return lines


class _Line:
    """The bits of an object line ``_binding_key`` reads."""

    def __init__(self, role):
        self.role = role
