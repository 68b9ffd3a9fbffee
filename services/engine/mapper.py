"""The record mapper: source records → the values the Odoo-side importer writes.

Pure Python (never imports odoo). The importer pulls a page of source records, calls
:meth:`RecordMapper.map_batch`, resolves the :class:`Ref` values with lookups it prefetched
once per batch, validates and creates in lists. The mapper never looks anything up in the
database: whatever needs it comes out as a :class:`Ref`.

Everything the proposal says is compiled once, in ``RecordMapper.__init__``, into one plan
per (source object, role): a list of steps ``(target field, getter, transform)``. Mapping a
record only walks that list.

The pieces: :mod:`.plan` compiles, :mod:`.steps` builds the special field lines' steps,
:mod:`.roles` holds the conditions, :mod:`.run` maps a record, :mod:`.shapes` the Ref kinds
and what comes out.
"""

from .. import mapping as mp
from .payload import _source_id, payload_hash
from .plan import REBUILD, CompileMixin
from .roles import RolesMixin
from .run import RunMixin
from .shapes import FieldError, MappedRecord
from .steps import StepsMixin
from .values import show_value


class RecordMapper(CompileMixin, StepsMixin, RolesMixin, RunMixin):
    """Maps source records with a confirmed :class:`services.mapping.Proposal`.

    ``targets``: ``{model: {name: TargetField}}`` (``targets_from_fields_get``); the new x_
    fields the proposal plans are added. ``default_tz``: the zone of naive source times.
    ``user_plan``: ``UserPlanLine``s (or dicts) — a technician whose line says ``fallback``
    gets no employee, and ``map``/``fallback`` users are not created (no login needed).
    ``stock_moves``: the plan enables stock.move per part (off by default).
    ``source_lookup(source_object, source_id) → record | None``: optional access to other
    source records, for the Dispatch conditions that need the customer of a job.
    ``children``: ``{"work_order_lines.work_order_id": ids}`` — parents that have children
    (else the sale order condition is left to the importer in ``MappedRecord.check``).
    ``source_fields``: ``{object: names}`` known to the source (discovery); a field line
    reading another name fails every record with a clear reason. ``strict``: raise
    ``ValueError`` at once for map problems instead of reporting them per record.
    """

    def __init__(self, proposal, targets, *, default_tz="UTC", user_plan=None,
                 stock_moves=False, source_lookup=None, children=None, source_fields=None,
                 strict=False):
        self.proposal = proposal
        self.default_tz = default_tz
        self.stock_moves = stock_moves
        self.source_lookup = source_lookup
        self.children = {k: {str(i) for i in v} for k, v in (children or {}).items()}
        self.source_fields = {k: set(v) for k, v in (source_fields or {}).items()}
        self.notes = []
        #: map problems (unknown transform, bad arguments, unknown source field…)
        self.problems = []
        #: source object → records exported to the JSON rebuild reference
        self.rebuild_reference = {}
        self.user_actions = {}
        for line in user_plan or ():
            data = line if isinstance(line, dict) else line.to_dict()
            self.user_actions[(data.get("source_object"), str(data.get("source_id")))] = \
                data.get("action")
        self.targets = {m: dict(f) for m, f in (targets or {}).items()}
        for (model, name), spec in proposal.new_fields().items():
            self.targets.setdefault(model, {}).setdefault(name, mp.TargetField(
                model=model, name=name, ttype=spec.get("ttype", "char"),
                string=spec.get("string", ""), selection=[tuple(o) for o in
                                                          spec.get("selection") or []],
                relation=spec.get("relation")))
        self._values = {}
        for vline in proposal.value_maps:
            self._values.setdefault((vline.source_object, vline.source_field, vline.kind),
                                    []).append(vline)
        self._lines = {}
        for oline in proposal.object_maps:
            self._lines.setdefault(oline.source_object, []).append(oline)
        self._main = {obj: self._main_role(obj) for obj in self._lines}
        self._user_objects = {o.source_object for o in proposal.object_maps
                              if o.target_model == "res.users" and not o.skip}
        self._plans = {}
        self._rebuild_fields = {}
        for obj, olines in self._lines.items():
            plans = []
            for oline in sorted(olines, key=lambda o: (o.order, o.role)):
                if oline.skip:
                    continue
                if oline.target_model == REBUILD:
                    self._rebuild_fields[obj] = sorted(
                        f.source_field for f in proposal.field_maps
                        if f.source_object == obj and f.role == oline.role)
                    continue
                plans.append(self._compile(oline))
            self._plans[obj] = plans
        if strict and self.problems:
            raise ValueError("the map cannot be used: " + "; ".join(self.problems))

    # -- public ---------------------------------------------------------------------------

    def roles(self, source_object):
        """The object lines of ``source_object`` the mapper writes (not skipped), in order."""
        return [plan.line for plan in self._plans.get(source_object, ())]

    def map_record(self, source_object, record):
        """One :class:`MappedRecord` per role of ``source_object`` whose condition holds
        (the skills role gives one per skill). Aggregate (json_dump) roles are only
        produced by :meth:`map_batch`."""
        out = []
        self._map(source_object, record, out, None)
        return out

    def map_batch(self, source_object, records):
        """:meth:`map_record` over ``records``, plus one MappedRecord per group of each
        aggregate role (``group_key`` = the parent's source id). A group whose records span
        two batches gives a partial list: the importer merges ``items`` by ``item_ids``."""
        out = []
        groups = {}
        for record in records:
            self._map(source_object, record, out, groups)
        for (role, key), data in groups.items():
            out.append(self._aggregate(source_object, role, key, data))
        self._check_absent(source_object, records, out)
        return out

    def target_fields(self, source_object, role):
        """``{name: TargetField}`` a role writes (its model's, planned x_ fields and the
        _inherits parent's fields it maps)."""
        for plan in self._plans.get(source_object, ()):
            if plan.line.role == role:
                return plan.targets
        raise KeyError(f"{source_object} has no role {role!r}")

    def pop_rebuild_reference(self):
        """The rebuild reference gathered so far (and forget it: memory stays bounded)."""
        data, self.rebuild_reference = self.rebuild_reference, {}
        return data

    # -- mapping ----------------------------------------------------------------------------

    def _map(self, obj, record, out, groups):
        plans = self._plans.get(obj)
        if plans is None:
            if obj in self._rebuild_fields:
                self._rebuild(obj, record)
                return
            raise ValueError(f"the map has no object {obj!r}: map one of "
                             + ", ".join(sorted(self._lines)))
        if obj in self._rebuild_fields:
            self._rebuild(obj, record)
        digest = payload_hash(record)
        id_field = plans[0].id_field if plans else None
        raw_id = _source_id(record, id_field)
        for plan in plans:
            source_id = raw_id
            if source_id is None:
                out.append(MappedRecord(plan.line.role, obj, "", plan.model, errors=[
                    FieldError(obj, "", "id", None, show_value(None),
                               "the record has no id: it cannot be bound; fix the source")],
                    payload_hash=digest))
                continue
            applies, check, dedupe, source_id = self._applies(plan, record, source_id)
            if not applies:
                continue
            if plan.group is not None:
                if groups is not None:
                    self._collect(plan, record, raw_id, groups)
                continue
            if plan.condition == "per_skill":
                out.extend(self._per_skill(plan, record, source_id, digest))
                continue
            mapped = self._run(plan, record, source_id, digest)
            mapped.check = check
            mapped.dedupe_key = dedupe
            mapped.origin_id = raw_id
            self._own_address_type(plan, record, mapped)
            if plan.condition == "user_plan":
                action = self.user_actions.get((obj, source_id))
                if action in ("map", "fallback"):
                    mapped.notes.append(f"user plan: {action} — no user is created")
            out.append(mapped)
