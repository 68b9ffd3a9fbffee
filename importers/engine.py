"""The Odoo-side writer of one batch: mapped records → validated → created/updated in
lists → bound → journaled, each source record counted once, with a reason when it fails.

Orchestrates the pure mapper (``services.engine``: source record → values and
references) and the resolver (references → ids, prefetched per batch). A record the
database still refuses is isolated with a savepoint; the rest of the batch lands.
"""

import json
import logging
import time
from collections import defaultdict
from datetime import timedelta

from psycopg2 import errors as pg_errors

from ..services import rights
from ..services.engine import RecordMapper, validate_values
from ..services.mapping import TargetField
from ..services.transforms import extract_inline_images, replace_image_refs
from .attachment_policy import secure_attachment_values, stored_mimetype
from .bulk import insert_rows
from .lead_writer import create_leads
from .mail_writer import create_activities, create_messages
from .resolver import RefResolver, Unresolved

_logger = logging.getLogger(__name__)

#: no tracking, no creation log, no followers, no notification: a migration is silent
QUIET = {"tracking_disable": True, "mail_create_nolog": True, "mail_create_nosubscribe": True,
         "mail_notrack": True, "mail_auto_subscribe_no_notify": True,
         "no_reset_password": True,
         # activities assigned to someone else e-mail them unless this is set
         "mail_activity_quick_update": True}
#: a source record's outcome when its roles disagree: the worst wins
SEVERITY = {"failed": 4, "blocked": 3, "created": 2, "updated": 1, "skipped": 0}
#: roles that bind a source record to the Odoo record the user plan chose
MATCH_ROLES = rights.MATCH_ROLES
#: records Odoo allows once per key: an existing one is bound instead of created (a second
#: project in the same database meets the employees the first one made)
MATCH_KEYS = {"hr.employee": ("user_id", "company_id"),
              "hr.employee.skill": ("employee_id", "skill_id"),
              # Odoo renames a second source of the same name ("Website [2]"): share it
              "utm.source": ("name",)}
#: roles whose values update the record of another source object (aggregates)
UPDATE_ROLES = {"lines_json", "parts_json", "lead_fields"}
#: what an update role's target ref resolves against: a record id
ID_FIELD = TargetField(model="", name="id", ttype="integer")
RETRYABLE = (pg_errors.SerializationFailure, pg_errors.DeadlockDetected)
#: unique keys of Odoo's side tables two workers may both fill for the same record
CONCURRENT_KEYS = ("mail_followers_",)
#: a record written this long after its binding was edited in Odoo in between
EDIT_TOLERANCE = timedelta(seconds=2)


class BatchProcessor:
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
        return self.mapper.map_batch(source_object, records)

    def _staged_record(self, source_object, source_id):
        return self.resolver.staged(source_object, source_id)

    def _mark(self, outcomes, item, status):
        """Count ``status`` for the source record(s) behind ``item``; a derived record (a
        job's site) counts for the record it came from only through that record's roles."""
        for raw_id in item.item_ids or [item.source_id]:
            source_id = str(raw_id)
            if source_id not in self._batch_ids:
                continue
            previous = outcomes.get(source_id)
            if previous is None or SEVERITY[status] > SEVERITY[previous]:
                outcomes[source_id] = status

    def _issue(self, issues, batch, item, status, reason, source_field=None,
               target_field=None, value=None):
        """One issue per source record behind ``item`` (an aggregate has several); the same
        reason for the same record (an appointment's activity and event) once."""
        for source_id in item.item_ids or [item.source_id]:
            key = (item.source_object, str(source_id), status, reason)
            if key in self._issue_keys:
                continue
            self._issue_keys.add(key)
            issues.append({
                "run_id": self.run.id, "batch_id": batch.id if batch else False,
                "source_object": item.source_object, "source_id": str(source_id),
                "role": item.role, "status": status, "source_field": source_field,
                "target_field": target_field, "value": value, "reason": reason})

    def _warn(self, issues, batch, item):
        """The values of a written record that were kept as typed or left empty: one
        *warning* each, with the raw value, the reason and what to do (degrade, don't
        drop: the record and what depends on it are written)."""
        for warning in getattr(item, "warnings", ()):
            self._issue(issues, batch, item, "warning",
                        f"{warning.action}: {warning.reason}", warning.source_field,
                        warning.target_field, warning.value)

    def _fail_with(self, issues, batch, item, outcomes, errors):
        for err in errors:
            self._issue(issues, batch, item, "failed", err.reason, err.source_field,
                        err.target_field, err.value)
        self._mark(outcomes, item, "failed")

    @staticmethod
    def _binding_key(line, item):
        if line.role in UPDATE_ROLES:
            return item.group_key or item.source_id
        return item.dedupe_key or item.source_id

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

    def secure_values(self, model_name, values):
        """What is written of a file, whatever the source declared (the diff expects the
        same): its MIME type sniffed, active content stored download-only."""
        return secure_attachment_values(model_name, values, self.allow_active)

    def _journal_config(self):
        """Products, skills … the resolver created for this batch, journaled as config."""
        created, self.resolver.created = self.resolver.created, []
        if created:
            self.env["fsm.migration.journal"]._log([{
                "project_id": self.project.id, "operation": "config", "model": record._name,
                "res_id": record.id, "batch_ref": f"run:{self.run.id}",
                "note": record.display_name} for record in created])

    def _extract_images(self, model, fields_of, values):
        """Inline base64 images of HTML values become attachments (of the record the
        message is about), referenced by URL: the HTML stays light and the files are in the
        filestore, stored once per content."""
        for name, value in list(values.items()):
            field = fields_of.get(name)
            if not (field and field.ttype == "html" and isinstance(value, str)
                    and "data:" in value.lower()):
                continue
            html, images = extract_inline_images(value)
            if not images:
                continue
            res_model = values.get("model") or model._name
            res_id = values.get("res_id") if values.get("model") else 0
            attachments = self.env["ir.attachment"].create([{
                "name": image.name, "raw": image.data,
                "mimetype": stored_mimetype(image.data, image.mimetype, self.allow_active),
                "res_model": res_model, "res_id": res_id or 0} for image in images])
            self.resolver.created.extend(attachments)  # journaled: rollback removes them
            values[name] = replace_image_refs(html, {
                image.sha1: f"/web/image/{attachment.id}"
                for image, attachment in zip(images, attachments, strict=True)})
            if model._name == "mail.message":
                values["attachment_ids"] = [(4, attachment.id) for attachment in attachments]

    def _link_event_to_activity(self, model, item, values):
        """An appointment's calendar event is linked to the activity made from the same
        appointment, as Odoo links a meeting to its activity. Without it, crm posts a
        "meeting logged" message on the opportunity for every event created."""
        if model._name != "calendar.event" or "activity_ids" in values:
            return
        activity = self.resolver.bound(item.source_object, item.source_id, "activity",
                                       "mail.activity")
        if activity:
            values["activity_ids"] = [(6, 0, [activity])]

    @staticmethod
    def _merged(binding, item):
        """``item`` stands for a record another source record wrote (``origin_id``)."""
        return bool(binding.origin_id and item.origin_id
                    and binding.origin_id != str(item.origin_id))

    @staticmethod
    def _origin(key, item):
        origin = str(item.origin_id) if item.origin_id else None
        return origin if origin and origin != key else False

    def _existing_bindings(self, line, items):
        keys = [self._binding_key(line, item) for item in items]
        bindings = self.env["fsm.migration.binding"].sudo().search([
            ("project_id", "=", self.project.id), ("source_object", "=", line.source_object),
            ("role", "=", line.role), ("source_id", "in", keys)])
        return {b.source_id: b for b in bindings}

    def _other_projects_records(self, model, line, items, existing):
        """``{binding key: (res_id, project)}`` of the records other projects of this
        database and company made from the same source records (same source identity,
        object and role), for the items this project has not bound yet; one query per
        role."""
        if not self.source_identity or line.role in UPDATE_ROLES or line.role in MATCH_ROLES:
            return {}
        keys = [key for key in (self._binding_key(line, item) for item in items)
                if key not in existing]
        if not keys:
            return {}
        found = {}
        for binding in self.env["fsm.migration.binding"].sudo().search([
                ("source_identity", "=", self.source_identity),
                # (the identity is what a manager typed: never another company's records)
                ("company_id", "=", self.project.company_id.id),
                ("project_id", "!=", self.project.id), ("model", "=", model._name),
                ("source_object", "=", line.source_object), ("role", "=", line.role),
                ("source_id", "in", keys)], order="id"):
            found.setdefault(binding.source_id, binding)
        alive = set(model.with_context(active_test=False).browse(
            [b.res_id for b in found.values()]).exists().ids)
        return {key: (binding.res_id, binding.project_id) for key, binding in found.items()
                if binding.res_id in alive}

    def _match(self, line, item, bound, outcomes):
        """Technicians: the plan already chose their Odoo user; bind it, write nothing."""
        user_id = self.user_plan.get(item.source_id) or self.project.fallback_user_id.id
        if not bound and user_id:
            self._bind([(line, item, "res.users", user_id)])
        self._mark(outcomes, item, "skipped")

    def _create(self, model, line, pairs, outcomes, issues, batch):
        if not pairs:
            return
        pairs = self._bind_existing(model, line, pairs, outcomes)
        pairs, twins = self._unique_pairs(model, pairs)
        if model._name == "crm.lead":
            self._lead_teams(pairs)
        created = []
        for chunk in self._rounds(model, pairs):
            created += self._create_isolated(model, chunk, outcomes, issues, batch)
        self._bind([(line, item, model._name, record.id) for item, record in created])
        self._bind_twins(model, line, twins, created, outcomes, issues, batch)
        values_of = {id(item): values for item, values in pairs}
        self._journal([(item, model._name, record.id, "create", None, values_of[id(item)])
                       for item, record in created])
        for item, _record in created:
            self._mark(outcomes, item, "created")
            self._warn(issues, batch, item)

    def _bind_existing(self, model, line, pairs, outcomes):
        """Bind the records that already exist under a unique key (``MATCH_KEYS``) instead
        of creating them again; return the pairs still to create."""
        keys = MATCH_KEYS.get(model._name)
        if not keys:
            return pairs
        wanted = {self._match_key(model, values) for _item, values in pairs}
        found = {}
        domain = [(keys[0], "in", [w[0] for w in wanted if w[0]])]
        if "active" in model._fields:
            model = model.with_context(active_test=False)
        for record in model.search(domain):
            found.setdefault(self._record_key(record), record.id)
        rest, bind = [], []
        for item, values in pairs:
            key = self._match_key(model, values)
            if key in found:
                bind.append((line, item, model._name, found[key]))
                self._mark(outcomes, item, "skipped")
            else:
                rest.append((item, values))
        self._bind(bind)
        return rest

    def _lead_teams(self, pairs):
        """The sales team of each new lead, as crm computes it (``_compute_team_id``: the
        default team of the salesperson for leads or opportunities), asked once per
        salesperson and type instead of once per lead (a quarter of a lead's creation)."""
        for _item, values in pairs:
            user_id = values.get("user_id")
            if not user_id or values.get("team_id"):
                continue
            kind = values.get("type")
            if not kind:  # (the map always sets it; else crm's default applies)
                continue
            key = (user_id, kind)
            if key not in self._teams:
                domain = [("use_leads", "=", True)] if kind == "lead" else [
                    ("use_opportunities", "=", True)]
                self._teams[key] = self.env["crm.team"]._get_default_team_id(
                    user_id=user_id, domain=domain).id
            if self._teams[key]:
                values["team_id"] = self._teams[key]

    def _match_key(self, model, values):
        return tuple(values.get(k) or (self.env.company.id if k == "company_id" else None)
                     for k in MATCH_KEYS[model._name])

    @staticmethod
    def _record_key(record):
        """``_match_key`` of a record read from the database."""
        return tuple(record[k].id if hasattr(record[k], "id") else record[k]
                     for k in MATCH_KEYS[record._name])

    def _unique_pairs(self, model, pairs):
        """Two records of one batch under the same unique key (two lead sources named
        "Angi"): the first is created, the other bound to it (Odoo would rename it)."""
        if model._name not in MATCH_KEYS:
            return pairs, []
        firsts, twins, seen = [], [], set()
        for item, values in pairs:
            key = self._match_key(model, values)
            (twins if key in seen else firsts).append((item, values))
            seen.add(key)
        return firsts, twins

    def _bind_twins(self, model, line, twins, created, outcomes, issues, batch):
        if not twins:
            return
        values_of = {}
        for _item, record in created:
            values_of.setdefault(self._record_key(record), record.id)
        bind = []
        for item, values in twins:
            res_id = values_of.get(self._match_key(model, values))
            if res_id:
                bind.append((line, item, model._name, res_id))
                self._mark(outcomes, item, "skipped")
            else:
                self._issue(issues, batch, item, "blocked", f"the {model._description} it "
                            "shares with another source record of this batch failed")
                self._mark(outcomes, item, "blocked")
        self._bind(bind)

    @staticmethod
    def _rounds(model, pairs):
        """Lists to create one after the other. Odoo 18 subscribes an activity's user to
        the record in one INSERT per create: two activities of one user on one record in
        the same list break its unique key, so they go in separate lists. An activity with
        no user is the current user's (Odoo's default), who may be another's assignee."""
        if model._name != "mail.activity":
            return [pairs]
        rounds, seen = [], []
        for item, values in pairs:
            key = (values.get("res_model_id"), values.get("res_id"),
                   values.get("user_id") or model.env.uid)
            index = next((i for i, keys in enumerate(seen) if key not in keys), len(seen))
            if index == len(seen):
                rounds.append([])
                seen.append(set())
            rounds[index].append((item, values))
            seen[index].add(key)
        return rounds

    def _create_isolated(self, model, pairs, outcomes, issues, batch):
        """Create in one list; if the database refuses, again one by one in savepoints so
        that only the guilty records fail, each with the database's own words."""
        # on create an empty value writes nothing: Odoo's defaults apply (an update
        # writes them, to clear what the source cleared); False stays for booleans
        fields_of = model._fields
        pairs = [(item, {k: v for k, v in values.items() if v is not None and (
            v is not False or fields_of[k].type == "boolean")}) for item, values in pairs]
        done = self._all_or_each(
            pairs, lambda chunk: self._create_list(model, [values for _item, values in chunk]),
            "Odoo refused it", outcomes, issues, batch)
        return [(item, record) for (item, _values), record in done]

    def _all_or_each(self, entries, write, refused, outcomes, issues, batch):
        """``write(entries)`` in one savepoint (Odoo creates, flushes them together); if the
        database refuses, ``write([entry])`` for each in its own savepoint, so that only the
        guilty records fail, each with the database's own words. Entries start with their
        item; returns (entry, what ``write`` gave for it) for those written."""
        try:
            with self.env.cr.savepoint():
                results = write(entries)
            return list(zip(entries, results, strict=True))
        except RETRYABLE:
            raise
        except Exception as exc:  # isolated below, record by record
            _concurrent(exc)
            _logger.info("%s: refused together, isolating the records", refused)
        done = []
        for entry in entries:
            try:
                # an update reaches the database when the savepoint closes (flush): the
                # entry is written only once it has
                with self.env.cr.savepoint():
                    result = write([entry])[0]
            except RETRYABLE:
                raise
            except Exception as exc:  # counted failed with the reason
                _concurrent(exc)
                self._issue(issues, batch, entry[0], "failed", f"{refused}: {exc}")
                self._mark(outcomes, entry[0], "failed")
                continue
            done.append((entry, result))
        return done

    def _create_list(self, model, vals_list):
        if model._name == "crm.lead":
            return create_leads(model, vals_list, scoring=self.scoring)
        if model._name == "mail.message":
            return create_messages(model, vals_list)
        if model._name == "mail.activity":
            return create_activities(model, vals_list)
        return model.create(vals_list)

    def _update(self, model, line, triples, outcomes, issues, batch):
        """Changed records, and aggregates (written on the record of their group): the
        records and their old values read in one go, the writes flushed together."""
        resolved = []
        for item, values, bound in triples:
            try:
                if not bound and item.target is None:
                    raise Unresolved(f"{item.source_object} {item.source_id} names no record "
                                     "to add its values to")
                res_id = bound.res_id if bound else self.resolver.resolve(item.target, ID_FIELD)
            except Unresolved as exc:
                self._issue(issues, batch, item, exc.status, str(exc))
                self._mark(outcomes, item, exc.status)
                continue
            resolved.append((item, values, bound, res_id))
        records = model.browse([res_id for *_rest, res_id in resolved]).exists()
        alive = {record.id: record for record in records}  # (sharing the batch's prefetch)
        ready = []
        for item, values, bound, res_id in resolved:
            record = alive.get(res_id)
            if bound and (bound.model != model._name or bound.project_id != self.project):
                # a binding is written by the engine only; one that names another model or
                # project was not, and is never trusted with a superuser write
                self._issue(issues, batch, item, "failed", f"its binding points to "
                            f"{bound.model} #{res_id}, not a {model._name} this project "
                            "wrote: not updated")
                self._mark(outcomes, item, "failed")
                continue
            if not record:
                self._issue(issues, batch, item, "failed", f"the {model._name} #{res_id} to "
                            "update does not exist any more in Odoo")
                self._mark(outcomes, item, "failed")
                continue
            old = self._old_values(record, values)
            if bound and self._edited_in_odoo(record, bound):
                changed = {k: (old.get(k), v) for k, v in values.items()
                           if k in old and old.get(k) != v}
                if self.project.conflict_policy != "source":
                    self._issue(issues, batch, item, "conflict", "changed in the source and "
                                f"edited in Odoo since it was migrated: the Odoo version is "
                                f"kept (Odoo → source: {changed})"[:2000])
                    self._mark(outcomes, item, "skipped")
                    continue
            ready.append((item, values, bound, record, old))
        journal, bind = [], []
        written = self._all_or_each(
            ready, lambda chunk: [record.write(values) for _i, values, _b, record, _o in chunk],
            "Odoo refused the update", outcomes, issues, batch)
        for (item, values, bound, record, old), _done in written:
            if bound:
                bound.write({"payload_hash": item.payload_hash, "run_id": self.run.id})
                self._mark(outcomes, item, "updated")
            else:
                bind.append((line, item, model._name, record.id))
                self._mark(outcomes, item, "created")
            self._warn(issues, batch, item)
            journal.append((item, model._name, record.id, "write", old, values))
        self._bind(bind)
        self._journal(journal)

    @staticmethod
    def _edited_in_odoo(record, binding):
        """Written in Odoo after the migration last wrote it (a user's edit)."""
        return bool(record.write_date and binding.write_date
                    and record.write_date > binding.write_date + EDIT_TOLERANCE)

    @staticmethod
    def _old_values(record, values):
        old = {}
        for name in values:
            field = record._fields.get(name)
            if field is None or field.type == "binary":
                continue
            value = record[name]
            if field.type in ("many2many", "one2many"):
                value = value.ids
            elif field.type == "many2one":
                value = value.id
            elif field.type in ("date", "datetime") and value:
                value = str(value)
            old[name] = value
        return old

    def _bind(self, entries):
        vals_list = []
        for line, item, model_name, res_id in entries:
            key = self._binding_key(line, item)
            vals_list.append({"project_id": self.project.id, "source_object": line.source_object,
                              "source_id": key, "role": line.role, "model": model_name,
                              "res_id": res_id, "payload_hash": item.payload_hash,
                              "origin_id": self._origin(key, item), "run_id": self.run.id})
            self.resolver.remember_binding(line.source_object, key, line.role, model_name,
                                           res_id)
        if vals_list:
            insert_rows(self.env["fsm.migration.binding"].sudo(), vals_list)

    def _journal(self, entries):
        if entries:
            self.env["fsm.migration.journal"]._log([{
                "project_id": self.project.id, "operation": operation, "model": model_name,
                "res_id": res_id, "source_object": item.source_object,
                "source_id": item.source_id, "batch_ref": f"run:{self.run.id}",
                "old_values": rights.mask_secrets(old),
                "new_values": rights.mask_secrets(_loggable(new)),
            } for item, model_name, res_id, operation, old, new in entries])


class RightsRefusal:
    """A value the rights model refuses, shaped like the mapper's field errors."""

    def __init__(self, item, target_field, reason):
        self.source_field = None
        self.target_field = target_field or None
        self.value = None
        self.reason = f"refused by the migration's rights model: {reason}"


def _concurrent(exc):
    """A key of Odoo's side tables (a follower added to the same record by two workers at
    once) taken by a concurrent worker: the batch is written again, then sees it. Whether
    the records went together or one by one: never a record failed for it."""
    if not isinstance(exc, pg_errors.UniqueViolation):
        return
    constraint = getattr(getattr(exc, "diag", None), "constraint_name", None) or ""
    if constraint.startswith(CONCURRENT_KEYS):
        raise pg_errors.SerializationFailure(f"{constraint}: taken by a concurrent worker") \
            from exc


def _loggable(values):
    """Written values as the journal keeps them: JSON (dates as text, file contents as
    their size)."""
    if values is None:
        return None
    return json.loads(json.dumps({
        name: f"{len(value)} bytes" if isinstance(value, (bytes, bytearray)) else value
        for name, value in values.items()}, default=str))
