"""The Odoo-side writer of one batch: mapped records validated, written, bound, journaled.

Mapped records → validated → created/updated in lists → bound → journaled, each source
record counted once, with a reason when it fails.

Orchestrates the pure mapper (``services.engine``: source record → values and
references) and the resolver (references → ids, prefetched per batch). A record the
database still refuses is isolated with a savepoint; the rest of the batch lands.
"""

import time
from collections import defaultdict

from ..services import rights
from ..services.engine import RecordMapper, validate_values
from ..services.transforms import use_places
from .binding import MATCH_ROLES, UPDATE_ROLES, BindingMixin
from .outcomes import OutcomesMixin, RightsRefusal
from .places import load_places
from .prepare import PrepareMixin
from .resolver import RefResolver, Unresolved
from .writes import IsolatedWritesMixin

#: no tracking, no creation log, no followers, no notification: a migration is silent
QUIET = {"tracking_disable": True, "mail_create_nolog": True, "mail_create_nosubscribe": True,
         "mail_notrack": True, "mail_auto_subscribe_no_notify": True,
         "no_reset_password": True,
         # activities assigned to someone else e-mail them unless this is set
         "mail_activity_quick_update": True}


class BatchProcessor(OutcomesMixin, BindingMixin, PrepareMixin, IsolatedWritesMixin):
    """One run's writer of batches: maps a batch, then writes it role by role (resolve,
    check, create or update, bind, journal); its roles live in the mixins (``outcomes``,
    ``binding``, ``prepare``, ``writes``)."""

    def __init__(self, run):
        self.run = run
        # the Migration Manager group is the gate (checked when the run starts): business
        # records are written with superuser rights, the journal keeps the real user
        self.env = run.env(context=dict(run.env.context, **QUIET), su=True)
        self.project = run.project_id
        self.allow_active = bool(self.project.sudo().allow_active_attachments)
        #: the source this project reads: a record another project made from it is bound
        self.source_identity = self.project.sudo().source_identity
        map_ = run.map_id
        self.targets = map_._odoo_targets()
        self.user_plan = self._user_plan(map_)
        #: the database's countries and states, the data of country_code/state_code
        self.places = load_places(self.env)
        self.mapper = RecordMapper(
            map_._to_proposal(), self.targets, user_plan=[{
                "source_object": line.source_object, "source_id": line.source_id,
                "action": line.action, "email": line.email, "name": line.name,
                "user_id": line.user_id.id or None} for line in map_.user_line_ids],
            children=run._staged_children(), source_lookup=self._staged_record)
        self.resolver = RefResolver(self.env, self.project, self.user_plan,
                                    source_factory=self.project._make_source)
        self._batch_ids = set()
        self._issue_keys = set()
        self._teams = {}  # (salesperson, lead type) → crm.team id
        #: crm's lead scoring updates the batch leaves to the end of the run
        self.scoring = {}
        #: role → {model, records, seconds} of the last batch: the write of each role
        #: (resolve, validate, create or update, bind, journal), mapping aside
        self.role_times = {}

    def _user_plan(self, map_):
        """Source user id → Odoo user id, as the confirmed plan says."""
        emails = [(line.email or "").lower() for line in map_.user_line_ids
                  if line.action == "create"]
        logins = {u.login.lower(): u.id for u in self.env["res.users"].sudo().with_context(
            active_test=False).search([("login", "in", emails)])}
        plan = {}
        for line in map_.user_line_ids:
            if line.action == "map":
                plan[line.source_id] = line.user_id.id
            elif line.action == "create":
                plan[line.source_id] = logins.get((line.email or "").lower())
        return {k: v for k, v in plan.items() if v}

    def close(self):
        self.resolver.close()

    # --- one batch ------------------------------------------------------------------------
    def process(self, source_object, records, batch=None):
        """Write ``records`` of ``source_object``; return the counters of this batch (the
        leads' scoring updates it leaves to the end of the run are in ``scoring``)."""
        outcomes, issues = {}, []
        self.scoring, self.role_times = {}, {}
        self._issue_keys = set()
        self._batch_ids = {str(record.get("id")) for record in records}
        by_role = defaultdict(list)
        for item in self.map_batch(source_object, records):
            by_role[item.role].append(item)
        for line in self.mapper.roles(source_object):
            if by_role.get(line.role):
                started = time.perf_counter()
                self._write_role(line, by_role[line.role], outcomes, issues, batch)
                row = self.role_times.setdefault(line.role, {
                    "model": line.target_model, "records": 0, "seconds": 0.0})
                row["records"] += len(by_role[line.role])
                row["seconds"] += time.perf_counter() - started
        for source_id in self._batch_ids:  # no role applied (no condition held)
            outcomes.setdefault(source_id, "skipped")
        if issues:
            self.env["fsm.migration.issue"].sudo().create(issues)
        rebuild = self.mapper.pop_rebuild_reference()
        if batch and rebuild:
            batch.rebuild = rebuild
        counters = defaultdict(int)
        for status in outcomes.values():
            counters[status] += 1
        return dict(counters)

    def map_batch(self, source_object, records):
        """The mapper's items for ``records``, the other source records its conditions
        read (a job contact's job and customer) fetched first from the staged pages, in
        one query per object and step."""
        self.resolver.start_batch()
        for _step in range(3):
            wants = self.mapper.lookup_requests(source_object, records)
            missing = {obj: keys for obj, keys in wants.items()
                       if not all(self.resolver.looked_up(obj, key) for key in keys)}
            if not missing:
                break
            for obj, keys in missing.items():
                self.resolver.prefetch_staged(obj, keys)
        use_places(self.places)  # this processor's countries, whichever thread maps
        return self.mapper.map_batch(source_object, records)

    def _staged_record(self, source_object, source_id):
        return self.resolver.staged(source_object, source_id)

    def _write_role(self, line, items, outcomes, issues, batch):
        refused = rights.model_problem(line.target_model)
        if refused:  # (a confirmed map passed the same check: only a forged one gets here)
            for item in items:
                self._fail_with(issues, batch, item, outcomes, [RightsRefusal(
                    item, "", refused)])
            return
        model = self.env[line.target_model]
        fields_of = self.targets.get(line.target_model, {})
        self.resolver.prefetch([ref for item in items
                                for ref in [*item.refs.values(), item.target] if ref])
        existing = self._existing_bindings(line, items)
        others = self._other_projects_records(model, line, items, existing)
        to_create, to_update, seen, shared = [], [], set(), []
        for item in items:
            if item.errors:
                self._fail_with(issues, batch, item, outcomes, item.errors)
                continue
            key = self._binding_key(line, item)
            if key in seen:  # one Odoo record for two source records of this batch
                self._mark(outcomes, item, "skipped")
                continue
            seen.add(key)
            bound = existing.get(key)
            if line.role in MATCH_ROLES:  # nothing is written: no values to check
                self._match(line, item, bound, outcomes)
                continue
            if not bound and key in others:
                # two projects on one source: the record the other made is bound, never
                # created twice
                res_id, project = others[key]
                shared.append((line, item, model._name, res_id))
                self._issue(issues, batch, item, "warning", (
                    f"bound to {model._description} #{res_id}, which project "
                    f"{project.display_name} (#{project.id}) made from the same source "
                    "record: not created again"))
                self._mark(outcomes, item, "skipped")
                continue
            if bound and self._merged(bound, item):
                # a record several source records stand for keeps the values of the one
                # that wrote it: the others are bound to it, not written over it
                self._mark(outcomes, item, "skipped")
                continue
            # the rights model again, on what is about to be written as superuser (links
            # before they are resolved: a refused one is never looked up)
            denied = rights.values_problems(model._name, {**item.values, **item.refs},
                                            fields_of)
            if denied:
                self._fail_with(issues, batch, item, outcomes, [RightsRefusal(
                    item, name, reason) for name, reason in denied])
                continue
            values = dict(item.values)
            try:
                # a skill's type first: the skill is found (or created) within it
                for field_name, ref in sorted(item.refs.items(),
                                              key=lambda kv: kv[1].kind != "skill_type"):
                    values[field_name] = self.resolver.resolve(ref, fields_of[field_name])
            except Unresolved as exc:
                self._issue(issues, batch, item, exc.status, str(exc))
                self._mark(outcomes, item, exc.status)
                continue
            if item.lost:
                values["active"] = False
            self.secure_values(model._name, values)
            problems = validate_values(values, fields_of, source_object=item.source_object,
                                       source_id=item.source_id)
            if problems:
                self._fail_with(issues, batch, item, outcomes, problems)
                continue
            if not (bound and bound.payload_hash == item.payload_hash):
                self._extract_images(model, fields_of, values)
                self._link_event_to_activity(model, item, values)
            if bound and bound.payload_hash == item.payload_hash:
                self._mark(outcomes, item, "skipped")
            elif bound or line.role in UPDATE_ROLES:
                to_update.append((item, values, bound))
            else:
                to_create.append((item, values))
        self._bind(shared)
        # configuration made on the way (products, skills) is journaled before the records
        # that use it: rollback, newest first, removes those records first
        self._journal_config()
        self._create(model, line, to_create, outcomes, issues, batch)
        self._update(model, line, to_update, outcomes, issues, batch)
