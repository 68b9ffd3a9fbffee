"""What every template is made of: model names, vocabularies, template shapes, table helpers."""

from dataclasses import dataclass, field

LEAD = "crm.lead"
PARTNER = "res.partner"
USERS = "res.users"
EMPLOYEE = "hr.employee"
EMPLOYEE_SKILL = "hr.employee.skill"
ACTIVITY = "mail.activity"
EVENT = "calendar.event"
MESSAGE = "mail.message"
ATTACHMENT = "ir.attachment"
SALE_ORDER = "sale.order"
SALE_LINE = "sale.order.line"
MOVE = "account.move"
MOVE_LINE = "account.move.line"
STOCK_MOVE = "stock.move"
UTM_SOURCE = "utm.source"
#: not an Odoo model: the JSON "rebuild reference" exported for things Odoo has no home for
REBUILD = "rebuild.reference"

#: enumerations the sources are known to use, in the order a pipeline shows them. FST
#: publishes none: these are the values its exports carry (see emulators/fst_data.py).
FST_WO_STATUSES = ("Open", "Scheduled", "In Progress", "On Hold", "Completed", "Cancelled")
FST_PRIORITIES = ("Low", "Normal", "High", "Urgent")
FST_CONTACT_ROLES = ("Billing", "Site contact", "Primary")
FST_CUSTOMER_STATUSES = ("Customer", "Prospect")
FST_INVOICE_STATUSES = ("Draft", "Open", "Paid", "Void")
#: documented job statuses (SOURCES.md) plus the app's "In Progress"
DISPATCH_JOB_STATUSES = ("offered", "unscheduled", "scheduled", "In Progress", "paused",
                         "complete", "canceled", "rejected")
DISPATCH_PRIORITIES = ("Low", "Normal", "High", "Emergency")

#: res.partner has no mobile on Odoo 19.0: the second number goes to a char x_ field there
MOBILE_INSTEAD = {"name": "x_studio_mobile", "ttype": "char", "string": "Mobile"}

ID_REASON = "source id: kept in the binding (project, object, id) that makes re-runs " \
            "idempotent, not written on the record"


@dataclass
class FieldTemplate:
    source: str
    target: str | None
    transform: str = "trim"
    reason: str = ""
    args: dict = field(default_factory=dict)
    #: target model when not the object template's own
    model: str | None = None
    #: a new x_ field to create: {'name', 'ttype', 'string'(, 'relation')}; selection
    #: options are filled from the dictionary and ``vocabulary``
    new: dict | None = None
    confidence: float = 0.95
    skip: bool = False
    #: the values the source is known to use (enumerations)
    vocabulary: tuple = ()
    #: 'stage' | 'priority' | 'selection': value map lines are proposed for this field
    value_kind: str | None = None
    #: what to write when ``target`` is not a field of the database (Odoo 19.0 dropped
    #: res.partner/crm.lead ``mobile``, stock.move ``name``): an existing field's name, or a
    #: new x_ field ({'name', 'ttype', 'string'}) to plan
    instead: dict | str | None = None


@dataclass
class ObjectTemplate:
    source_object: str
    role: str
    target_model: str
    order: int
    reason: str
    depends_on: tuple = ()
    condition: str | None = None
    #: constant values the importer writes on every record of this line
    defaults: dict = field(default_factory=dict)
    fields: list = field(default_factory=list)
    confidence: float = 0.95
    skip: bool = False
    #: the line that receives unknown and custom fields of the source object
    main: bool = False


def F(source, target, transform="trim", reason="", **kw):  # a table helper: short name
    return FieldTemplate(source, target, transform, reason, **kw)


def skip(source, reason, confidence=0.9, model=None):
    return FieldTemplate(source, None, "identity", reason, confidence=confidence, skip=True,
                         model=model)


def new(source, name, ttype, string, transform, reason, confidence=0.9, **kw):
    spec = {"name": name, "ttype": ttype, "string": string}
    if "relation" in kw:
        spec["relation"] = kw.pop("relation")
    return FieldTemplate(source, name, transform, reason, new=spec, confidence=confidence, **kw)


def binding(obj, **extra):
    """Args of the ``binding`` transform: the Odoo record bound to a source id of ``obj``."""
    return {"object": obj, **extra}


def address(prefix, country_source=None, model=None, why="the address"):
    """Street, street2, city, state_id, zip (and country_id) lines of an address."""
    p = prefix
    country_args = {"country_field": country_source} if country_source else {}
    lines = [
        F(f"{p}street", "street", "trim", f"{why}: street", model=model),
        F(f"{p}street2", "street2", "trim", f"{why}: second street line", model=model),
        F(f"{p}city", "city", "trim", f"{why}: city", model=model),
        F(f"{p}state", "state_id", "state_code", f"{why}: state code resolved to a "
          "res.country.state record of the row's country", args=country_args, model=model),
        F(f"{p}zip", "zip", "trim", f"{why}: postal code", model=model),
    ]
    if country_source:
        lines.append(F(country_source, "country_id", "country_code",
                       f"{why}: country name or code resolved to a res.country record "
                       "(US/USA/United States, CA/CAN/Canada …)", model=model))
    return lines


def dispatch_address(prefix, model=None, why="the address"):
    """Dispatch addresses: street_1/street_2/postal_code, US/Canada, 2-letter state."""
    p = prefix
    return [
        F(f"{p}street_1", "street", "trim", f"{why}: street_1", model=model),
        F(f"{p}street_2", "street2", "trim", f"{why}: street_2", model=model),
        F(f"{p}city", "city", "trim", f"{why}: city", model=model),
        F(f"{p}state", "state_id", "state_code", f"{why}: 2-letter state or province "
          "resolved to res.country.state, searched in the US then Canada", model=model,
          args={"countries": ["US", "CA"]}),
        F(f"{p}state", "country_id", "country_code", f"{why}: Dispatch addresses carry no "
          "country; US or Canada is inferred from the state/province code", model=model,
          args={"from_state": True, "countries": ["US", "CA"]}, confidence=0.85),
        F(f"{p}postal_code", "zip", "trim", f"{why}: postal_code", model=model),
    ]


def _technician_lines(first, last, email, phone):
    """res.users lines shared by FST technicians and Dispatch users."""
    return [
        F(first, "name", "full_name", "first and last name joined into the user's name",
          args={"fields": [first, last]}),
        F(last, "name", "full_name", "first and last name joined into the user's name",
          args={"fields": [first, last]}),
        F(email, "login", "email", "the e-mail matches an existing user (case-insensitive);"
          " for a created user it is the login", args={"match": True}),
        F(phone, "phone", "phone", "phone of the user's partner (res.users inherits "
          "res.partner)"),
    ]


def _technician_objects(installed, obj, order, reason, lines, first, last, email, phone,
                        id_field):
    """res.users (+ hr.employee when hr is installed) object templates of technicians."""
    objs = [ObjectTemplate(
        obj, "technician", USERS, order, reason, depends_on=(),
        condition="matched to an existing user by e-mail (case-insensitive); unmatched → the "
                  "plan's fallback user, or a new user when the plan asks for it",
        fields=lines, main=True)]
    if "hr" in installed:
        objs.append(ObjectTemplate(
            obj, "employee", EMPLOYEE, order,
            "hr is installed: one hr.employee per technician, linked to its user",
            depends_on=(obj,), condition="one employee per matched or created user",
            defaults={"company_id": "current company"}, fields=[
                F(first, "name", "full_name", "hr installed: the employee's name",
                  model=EMPLOYEE, args={"fields": [first, last]}),
                F(last, "name", "full_name", "hr installed: the employee's name",
                  model=EMPLOYEE, args={"fields": [first, last]}),
                F(email, "work_email", "email", "hr installed: work e-mail of the employee",
                  model=EMPLOYEE),
                F(phone, "work_phone", "phone", "hr installed: work phone of the employee",
                  model=EMPLOYEE),
                F(id_field, "user_id", "binding", "hr installed: the employee is linked to "
                  "the matched user (unique per company)", model=EMPLOYEE,
                  args=binding(obj)),
            ]))
    return objs
