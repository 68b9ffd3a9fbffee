"""The Odoo side of a map: ``TargetField`` (from ``fields_get()``), the required fields
Odoo fills itself, the fields never written, the roles and links the required-field
checks read."""

from dataclasses import dataclass, field

from . import templates as tpl
from .model import _Jsonable

#: pseudo-model of the JSON rebuild reference
REBUILD = tpl.REBUILD

#: link fields without which a record means nothing (an activity on no document)
REQUIRED_LINKS = {"res_id"}
#: roles that update records created by another line (no required-field check)
UPDATE_ROLES = {"lines_json", "parts_json", "lead_fields"}
#: required fields Odoo fills itself (defaults, computes, _inherits), per model
ODOO_DEFAULTS = {
    "res.users": {"company_id": "default company", "partner_id": "created by _inherits",
                  "notification_type": "default 'email'"},
    "hr.employee": {"company_id": "default env.company", "employee_type": "default",
                    "marital": "default", "distance_home_work_unit": "default",
                    "resource_id": "created by resource.mixin's create()",
                    # 19.0: an employee delegates to hr.version (_inherits), made by create()
                    "version_id": "created by hr.employee's create() (19.0)",
                    "version_ids": "created by hr.employee's create() (19.0)"},
    "calendar.event": {"show_as": "default 'busy'"},
    "crm.lead": {"type": "default from the lead setting"},
    "mail.message": {"message_type": "default 'comment'"},
    "ir.attachment": {"type": "default 'binary'"},
    "sale.order": {"company_id": "default", "date_order": "default now",
                   "name": "sequence", "partner_invoice_id": "computed from partner",
                   "partner_shipping_id": "computed from partner"},
    "sale.order.line": {"customer_lead": "computed from product",
                        "product_uom_qty": "default 1", "price_unit": "computed"},
    "account.move": {"auto_post": "default 'no'", "currency_id": "company currency",
                     "date": "computed", "journal_id": "default sales journal",
                     "state": "default 'draft'", "move_type": "default 'entry'"},
    "account.move.line": {"currency_id": "computed", "display_type": "computed"},
    "stock.move": {"company_id": "default", "date": "default now",
                   "procure_method": "default 'make_to_stock'",
                   "product_uom": "computed from product"},
}
MAGIC_FIELDS = {"id", "create_uid", "create_date", "write_uid", "write_date", "display_name",
                "__last_update"}


@dataclass
class TargetField(_Jsonable):
    model: str
    name: str
    ttype: str
    string: str = ""
    required: bool = False
    readonly: bool = False
    selection: list = field(default_factory=list)
    relation: str | None = None
    size: int | None = None

    @classmethod
    def from_dict(cls, data):
        obj = super().from_dict(data)
        obj.selection = [tuple(option) for option in obj.selection or []]
        return obj

    @classmethod
    def from_fields_get(cls, model, name, attrs):
        """A target field from one entry of Odoo's ``fields_get()``."""
        selection = attrs.get("selection")
        return cls(model=model, name=name, ttype=attrs.get("type", "char"),
                   string=attrs.get("string") or "", required=bool(attrs.get("required")),
                   readonly=bool(attrs.get("readonly")),
                   selection=[tuple(o) for o in selection] if isinstance(selection, list)
                   else [], relation=attrs.get("relation") or None,
                   size=attrs.get("size") or None)


def targets_from_fields_get(per_model):
    """``{model: fields_get() result}`` → ``{model: {name: TargetField}}`` (keys with a
    leading ``_`` are ignored, so a fixture may carry ``_meta``)."""
    return {model: {name: TargetField.from_fields_get(model, name, attrs)
                    for name, attrs in sorted(fields_of.items())}
            for model, fields_of in sorted(per_model.items()) if not model.startswith("_")}
