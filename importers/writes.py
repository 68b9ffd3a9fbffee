"""A role's creates and updates, in lists; a record the database refuses isolated in a savepoint."""

import logging
from datetime import timedelta

from psycopg2 import errors as pg_errors

from ..services.mapping import TargetField
from .lead_writer import create_leads
from .mail_writer import create_activities, create_messages
from .resolver import Unresolved
from .user_contacts import UserContactsMixin

_logger = logging.getLogger(__name__)

#: what an update role's target ref resolves against: a record id
ID_FIELD = TargetField(model="", name="id", ttype="integer")
RETRYABLE = (pg_errors.SerializationFailure, pg_errors.DeadlockDetected)
#: unique keys of Odoo's side tables two workers may both fill for the same record
CONCURRENT_KEYS = ("mail_followers_",)
#: a record written this long after its binding was edited in Odoo in between
EDIT_TOLERANCE = timedelta(seconds=2)
#: what hr.employee's inverses write onto an employee's work contact (a user's partner)
WORK_CONTACT_FIELDS = ("phone", "mobile", "email")


class IsolatedWritesMixin(UserContactsMixin):
    """Create and update a role's records together (one savepoint, one flush); when the
    database refuses the list, again one by one so that only the guilty records fail."""

    def _create(self, model, line, pairs, outcomes, issues, batch):
        if not pairs:
            return
        pairs = self._bind_existing(model, line, pairs, outcomes)
        pairs = self._spare_user_contacts(model, pairs, issues, batch)
        pairs, twins = self._unique_pairs(model, pairs)
        if model._name == "crm.lead":
            self._lead_teams(pairs)
        contacts = self._work_contacts_before(model, pairs)
        created = []
        for chunk in self._rounds(model, pairs):
            created += self._create_isolated(model, chunk, outcomes, issues, batch)
        self._bind([(line, item, model._name, record.id) for item, record in created])
        self._bind_twins(model, line, twins, created, outcomes, issues, batch)
        values_of = {id(item): values for item, values in pairs}
        self._journal([(item, model._name, record.id, "create", None, values_of[id(item)])
                       for item, record in created])
        self._journal(self._work_contacts_changed(contacts, created))
        for item, _record in created:
            self._mark(outcomes, item, "created")
            self._warn(issues, batch, item)

    def _work_contacts_before(self, model, pairs):
        """An employee created for a user writes its work phone and e-mail onto the user's
        partner (its work contact: 19.0's ``work_phone`` and both series' ``work_email``
        have an inverse). Those partners' values before the create, read in one go, so
        that what the inverse changed is journaled and the rollback puts it back."""
        if model._name != "hr.employee" or "user_id" not in model._fields:
            return {}
        user_ids = {values.get("user_id") for _item, values in pairs} - {None, False}
        partners = self.env["res.users"].browse(sorted(user_ids)).exists().partner_id
        names = [name for name in WORK_CONTACT_FIELDS if name in partners._fields]
        return {"names": names,
                "old": {partner.id: self._old_values(partner, names) for partner in partners},
                "user_partner": {user.id: user.partner_id for user in partners.user_ids}}

    def _work_contacts_changed(self, contacts, created):
        """Journal entries (writes on res.partner) for what creating the employees changed
        on their users' partners."""
        if not contacts:
            return []
        entries, seen = [], set()
        for item, employee in created:
            partner = contacts["user_partner"].get(employee.user_id.id)
            if not partner or partner.id in seen:
                continue
            seen.add(partner.id)
            old = contacts["old"][partner.id]
            now = self._old_values(partner, contacts["names"])
            changed = {name for name in now if now[name] != old.get(name)}
            if changed:
                entries.append((item, "res.partner", partner.id, "write",
                                {name: old.get(name) for name in changed},
                                {name: now[name] for name in changed}))
        return entries

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
        self._spare_user_contacts(model, [(item, values) for item, values, _b, _r in resolved],
                                  issues, batch)
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
