"""The built-in mapping templates: what an FST or Dispatch object becomes in Odoo 18.

Pure data (never imports odoo). :func:`templates` returns, for a source kind and the set
of installed optional apps, the list of :class:`ObjectTemplate`; each holds the
:class:`FieldTemplate` lines of the source fields it knows. ``services.mapping`` turns
them into a proposal, fills selection options from the data dictionary and maps the
fields no template knows by scoring.

Names are Odoo 18's (see ``/work/shared/DESIGN.md``): ``mail.activity`` (there is no
``crm.activity``), ``is_company`` (not ``partner_type``), ``type`` (not
``address_type``), the stage's ``is_won``, ``res_model_id`` on activities and events.
Every reason says which path was taken and why, so a consultant can judge the line.

Layout: ``common`` (model names, vocabularies, the template shapes and table helpers),
``fst`` and ``dispatch`` (one source each: its object templates, what it lacks, the
fallbacks of required fields); :func:`templates` picks one by source kind.
"""

from .common import (
    LEAD,
    PARTNER,
    USERS,
    EMPLOYEE,
    EMPLOYEE_SKILL,
    ACTIVITY,
    EVENT,
    MESSAGE,
    ATTACHMENT,
    SALE_ORDER,
    SALE_LINE,
    MOVE,
    MOVE_LINE,
    STOCK_MOVE,
    UTM_SOURCE,
    REBUILD,
    FST_WO_STATUSES,
    FST_PRIORITIES,
    FST_CONTACT_ROLES,
    FST_CUSTOMER_STATUSES,
    FST_INVOICE_STATUSES,
    DISPATCH_JOB_STATUSES,
    DISPATCH_PRIORITIES,
    ID_REASON,
    FieldTemplate,
    ObjectTemplate,
    F,
    skip,
    new,
    binding,
    address,
    dispatch_address,
)
from . import dispatch, fst
from .dispatch import dispatch_templates
from .fst import fst_templates


def templates(source_kind, installed=()):
    """Object templates of ``source_kind`` ('fst' or 'dispatch') for the installed apps."""
    if source_kind == "fst":
        return fst_templates(installed)
    if source_kind == "dispatch":
        return dispatch_templates(installed)
    raise ValueError(f"unknown source kind {source_kind!r}: 'fst' or 'dispatch'")


#: what the source's objects cover of DESIGN.md's object map, and what it has none of
ABSENT_NOTES = {"dispatch": dispatch.ABSENT_NOTES, "fst": fst.ABSENT_NOTES}

#: when discovery never saw the source of a required target field: other source
#: fields that fill it, in order (``(source field, transform, args)``), keyed by
#: ``(source object, target model, target field)``; a ``("=", value, {})`` entry is a
#: constant default. Tried only for required targets the template left uncovered.
FALLBACKS = {"dispatch": dispatch.FALLBACKS, "fst": fst.FALLBACKS}
