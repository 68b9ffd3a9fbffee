"""The ``on_invalid`` policy: what a field line does with a value its transform cannot
normalise ("Degrade, don't drop": keep, empty or fail)."""

import re

from .targets import ODOO_DEFAULTS

#: the policies of ``FieldMapLine.on_invalid``
ON_INVALID = ("keep", "empty", "fail")
#: targets that take a value as typed
TEXT_TTYPES = frozenset({"char", "text", "html"})
#: fields that say *which* record: a wrong one would bind or write the wrong record
KEY_FIELDS = frozenset({"res_id", "res_model", "login"})
#: models whose numbers are money or quantities: an emptied one is a wrong document
AMOUNT_MODELS = frozenset({"account.move", "account.move.line", "sale.order",
                           "sale.order.line", "stock.move", "purchase.order",
                           "purchase.order.line", "account.payment"})
_AMOUNT_RE = re.compile(r"price|amount|cost|qty|quantity|total|tax|discount|balance|debit|"
                        r"credit")
_NUMBER_TTYPES = frozenset({"float", "monetary", "integer"})


def default_on_invalid(line, target_field, *, required=None):
    """The policy of a field line whose ``on_invalid`` is None — the one place the rule
    lives. ``target_field``: the line's :class:`TargetField` (None for a planned x_ field:
    the type comes from ``line.new_field``); ``required``: overrides the field's own flag
    (the mapper's own required fields, such as a contact's name).

    * ``"fail"`` only where writing anything else would be wrong: a record key or binding
      (the ``binding`` transform, ``res_id``/``res_model``/``login``, a
      many2one_reference), a date the map says must be exact (``transform_args`` ``{"exact":
      true}``), an amount (a price/amount/cost/qty/total/tax… number of an invoice, order,
      their lines or a stock move) and a required field that does not take text (an
      empty required relation or date cannot be written);
    * ``"keep"`` for char, text and html targets (phone, e-mail, URL, state-code… lines
      writing text): the value as typed fills the field, required or not;
    * ``"empty"`` for everything else (selection, date, datetime, numbers, boolean,
      many2one… that are optional): the record is written without the value.

    An Odoo-side default (``ODOO_DEFAULTS``) makes a required field optional here.
    """
    args = line.transform_args or {}
    if target_field is not None:
        ttype, name, model = target_field.ttype, target_field.name, target_field.model
        is_required = target_field.required and name not in ODOO_DEFAULTS.get(model, {})
    else:
        spec = line.new_field or {}
        ttype, name, model = spec.get("ttype", "char"), line.target_field, line.target_model
        is_required = False
    if required is not None:
        is_required = bool(required)
    if line.transform == "binding" or name in KEY_FIELDS or ttype == "many2one_reference":
        return "fail"
    if args.get("exact") and ttype in ("date", "datetime"):
        return "fail"
    if ttype in _NUMBER_TTYPES and model in AMOUNT_MODELS and _AMOUNT_RE.search(name or ""):
        return "fail"
    if ttype in TEXT_TTYPES:
        return "keep"
    return "fail" if is_required else "empty"


def on_invalid_of(line, target_field, *, required=None):
    """The policy that applies to ``line``: its own ``on_invalid``, else the default."""
    if line.on_invalid in ON_INVALID:
        return line.on_invalid
    return default_on_invalid(line, target_field, required=required)
