"""A role's bindings: source record ↔ Odoo record — found, shared, matched, written."""

from ..services import rights
from .bulk import insert_rows

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


class BindingMixin:
    """The binding of each item: the one this project made, the record another project
    made from the same source, an existing record under a unique key (``MATCH_KEYS``), a
    twin of the same batch, or the user the plan chose; and the binding rows written."""

    @staticmethod
    def _binding_key(line, item):
        if line.role in UPDATE_ROLES:
            return item.group_key or item.source_id
        return item.dedupe_key or item.source_id

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
