"""Per-role rules: the templates' conditions, what they look up, a partner child's address type."""

import hashlib

from .payload import _safe_get
from .values import _empty, _norm

#: condition text of the templates → a named condition the mapper implements. Unknown text:
#: the role always applies and a note says so (``RecordMapper.notes``).
CONDITIONS = {
    "customer_type Commercial → company (is_company=True), else person": "always",
    "one address partner per site": "always",
    "matched to an existing user by e-mail (case-insensitive); unmatched → the plan's "
    "fallback user, or a new user when the plan asks for it": "user_plan",
    "one employee per matched or created user": "user_not_fallback",
    "one line per skill": "per_skill",
    "only work orders with at least one line item": "has_line_items",
    "enabled in the plan and the part matches a product by name": "stock_moves_enabled",
    "company_name set → company, else none": "company_name_set",
    "company_name set → child contact of the company, else a standalone person": "always",
    "billing_address set and not the home address": "billing_differs",
    "one partner per (customer, first+last name, case-insensitive); the customer itself is "
    "not duplicated": "distinct_job_contact",
    "one per distinct job address per customer (case- and space-insensitive); the "
    "customer's own home address is not repeated": "distinct_job_location",
    "entity_type = Job and deleted_at empty (deleted files are reported)": "live_job_file",
}
_ADDRESS_KEYS = ("street_1", "street_2", "city", "state", "postal_code")


def _address_key(address):
    if not isinstance(address, dict):
        return None
    parts = [_norm(address.get(k) or "") for k in _ADDRESS_KEYS]
    return "|".join(parts) if any(parts) else None



class RolesMixin:
    """The conditions and role rules of ``RecordMapper``."""

    def lookup_requests(self, source_object, records):
        """``{source object: ids}`` the conditions of ``source_object``'s roles will read
        through ``source_lookup`` for ``records``, as far as the records already looked up
        tell (a job contact needs its job, then the job's customer): call, fetch, call
        again until nothing new is asked."""
        conditions = {plan.condition for plan in self._plans.get(source_object, ())}
        wants = {}
        lookup = self.source_lookup or (lambda _obj, _rid: None)
        for record in records:
            customer = None
            if "distinct_job_location" in conditions:
                customer = record.get("customer_id")
            if "distinct_job_contact" in conditions and not _empty(record.get("job_id")):
                wants.setdefault("jobs", set()).add(str(record["job_id"]))
                job = lookup("jobs", str(record["job_id"]))
                customer = job.get("customer_id") if job else None
            if not _empty(customer):
                wants.setdefault("customers", set()).add(str(customer))
        return wants

    def _applies(self, plan, record, source_id):
        """``(applies, check, dedupe_key, source_id)`` of a role for one record."""
        cond = plan.condition
        obj = plan.line.source_object
        if cond == "always" or cond == "user_plan" or cond == "per_skill":
            return True, None, None, source_id
        if cond == "user_not_fallback":
            user_obj = next(iter(self._user_objects), obj)
            action = self.user_actions.get((user_obj, source_id)) or \
                self.user_actions.get((obj, source_id))
            return action != "fallback", None, None, source_id
        if cond == "has_line_items":
            ids = self.children.get("work_order_lines.work_order_id")
            if ids is None:
                return True, "has_children:work_order_lines.work_order_id", None, source_id
            return source_id in ids, None, None, source_id
        if cond == "stock_moves_enabled":
            return bool(self.stock_moves), None, None, source_id
        if cond == "company_name_set":
            name = record.get("company_name")
            if _empty(name):
                return False, None, None, source_id
            return True, None, None, "company:" + _norm(name)
        if cond == "billing_differs":
            billing = _address_key(record.get("billing_address"))
            return billing is not None and billing != _address_key(
                record.get("home_address")), None, None, source_id
        if cond == "distinct_job_location":
            address = _address_key(record.get("address"))
            customer = record.get("customer_id")
            if address is None or _empty(customer):
                return False, None, None, source_id
            check = None
            if self.source_lookup is not None:
                owner = self.source_lookup("customers", str(customer))
                if owner is not None and _address_key(owner.get("home_address")) == address:
                    return False, None, None, source_id
            else:
                check = "not_home_address:customers.home_address"
            digest = hashlib.sha1(address.encode()).hexdigest()[:16]
            return True, check, None, f"site:{customer}:{digest}"
        if cond == "distinct_job_contact":
            name = _norm(f"{record.get('first_name') or ''} {record.get('last_name') or ''}")
            if self.source_lookup is None:
                return True, "distinct_contact:jobs.customer_id", None, source_id
            job = self.source_lookup("jobs", str(record.get("job_id")))
            customer_id = job.get("customer_id") if job else None
            if customer_id is None:
                return True, None, None, source_id
            customer = self.source_lookup("customers", str(customer_id))
            if customer is not None and _norm(f"{customer.get('first_name') or ''} "
                                              f"{customer.get('last_name') or ''}") == name:
                return False, None, None, source_id
            return True, None, f"{customer_id}|{name}", source_id
        if cond == "live_job_file":
            return (_norm(record.get("entity_type") or "") == "job"
                    and _empty(record.get("deleted_at"))), None, None, source_id
        return True, None, None, source_id

    def _own_address_type(self, plan, record, mapped):
        """A child of type 'contact' takes its parent's address in Odoo (res.partner's
        address sync copies the parent's over the child's, and pushes later changes): a
        person with an address of their own, other than the parent's, becomes an 'other'
        address child instead, so that the address the source holds is the one kept."""
        if mapped.values.get("type") != "contact" or "parent_id" not in mapped.refs:
            return
        street = plan.sources.get("street") or ""
        prefix = street.rpartition(".")[0]
        own = _address_key(_safe_get(record, prefix) if prefix else None)
        if own is None:
            return
        parent = self._parent_source(mapped.refs["parent_id"])
        if parent is not None and own == _address_key(
                parent.get("home_address") or parent.get("address")):
            return  # the same address: Odoo's copy of it is the right one
        mapped.values["type"] = "other"
        mapped.notes.append("type: other — an address of its own (a contact would take its "
                            "parent's)")

    def _parent_source(self, ref):
        """The source record a parent_id binding points at, when the source tells it."""
        if ref.kind != "binding" or self.source_lookup is None or _empty(ref.key):
            return None
        if ref.via:
            through = self.source_lookup(ref.source_object, str(ref.key))
            parent_id = through.get(ref.via) if through else None
            return None if _empty(parent_id) else self.source_lookup(ref.to, str(parent_id))
        # a parent made from a source field (a company name) is no source record: None
        return self.source_lookup(ref.source_object, str(ref.key))

    def _user_not_created(self, plan, source_id):
        return plan.condition == "user_plan" and self.user_actions.get(
            (plan.line.source_object, source_id)) in ("map", "fallback")
