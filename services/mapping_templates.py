"""Built-in mapping templates: what an FST or Dispatch object becomes in Odoo 18.

Pure data (never imports odoo). :func:`templates` returns, for a source kind and the set
of installed optional apps, the list of :class:`ObjectTemplate`; each holds the
:class:`FieldTemplate` lines of the source fields it knows. ``services.mapping`` turns
them into a proposal, fills selection options from the data dictionary and maps the
fields no template knows by scoring.

Names are Odoo 18's (see ``/work/shared/DESIGN.md``): ``mail.activity`` (there is no
``crm.activity``), ``is_company`` (not ``partner_type``), ``type`` (not
``address_type``), the stage's ``is_won``, ``res_model_id`` on activities and events.
Every reason says which path was taken and why, so a consultant can judge the line.
"""

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


# -- Field Service Trakker ------------------------------------------------------------------


def fst_templates(installed):
    installed = set(installed)
    sale = "sale_crm" in installed
    account = "account" in installed
    stock = "stock" in installed
    objs = []

    customers = [
        skip("customer_id", ID_REASON, 1.0),
        F("account_code", "ref", "trim", "FST account code → the partner's Reference (ref), "
          "searchable and shown on documents"),
        F("name", "name", "trim", "display name of the customer (company name or person)"),
        F("customer_type", "is_company", "boolean", "Commercial → is_company=True (company "
          "partner), Residential → person; company_type is only a UI field in Odoo 18",
          args={"true_values": ["commercial"], "false_values": ["residential"],
                "default": False}),
        new("status", "x_studio_customer_status", "selection", "Customer status",
            "selection_map", "Customer/Prospect has no Odoo 18 field on res.partner: kept as "
            "a selection with the same options", vocabulary=FST_CUSTOMER_STATUSES,
            value_kind="selection", confidence=0.85),
        skip("first_name", "the name column already holds the person's display name", 0.8),
        skip("last_name", "the name column already holds the person's display name", 0.8),
        F("email", "email", "email", "e-mail, trimmed and lower-cased; duplicates reported"),
        F("phone", "phone", "phone", "phone normalised (RFC 3966 tel: and extensions kept)"),
        F("mobile", "mobile", "phone", "mobile phone normalised"),
        new("tax_type", "x_studio_tax_type", "selection", "Tax type", "selection_map",
            "no partner field holds a tax type without a fiscal position set-up: kept as a "
            "selection with the source's options", value_kind="selection", confidence=0.8),
        new("payment_type", "x_studio_payment_type", "selection", "Payment type",
            "selection_map", "kept as a selection: the values (Net 30, COD …) are not "
            "account.payment.term records" + (" — map them to payment terms by hand if "
            "wanted (account is installed)" if account else ""), value_kind="selection",
            confidence=0.8),
        new("credit_limit", "x_studio_credit_limit", "float", "Credit limit", "money",
            "kept as a float x_ field (the account app's credit limit is company-dependent "
            "and only used with credit checks)", confidence=0.8),
        F("sales_rep_email", "user_id", "user_by_email", "sales rep e-mail → the partner's "
          "Salesperson, matched to a user by e-mail (empty when unmatched)",
          confidence=0.85),
        F("notes", "comment", "text_to_html", "notes → Notes (comment, Html in Odoo 18)"),
        *address("bill_", "bill_country", why="billing address"),
        skip("created_at", "create_date cannot be written; the partner keeps its migration "
             "date (the original date stays in the binding payload)", 0.8),
    ]
    objs.append(ObjectTemplate(
        "customers", "company", PARTNER, 1,
        "FST customer → res.partner: the account itself (company or individual)",
        condition="customer_type Commercial → company (is_company=True), else person",
        fields=customers, main=True))

    contact_name = {"fields": ["first_name", "last_name"]}
    contacts = [
        skip("contact_id", ID_REASON, 1.0),
        F("customer_id", "parent_id", "binding", "child contact of its customer's partner",
          args=binding("customers")),
        F("first_name", "name", "full_name", "first and last name joined", args=contact_name),
        F("last_name", "name", "full_name", "first and last name joined", args=contact_name),
        F("title", "function", "trim", "the contact's title is its Job Position (function); "
          "res.partner.title is a courtesy title (Mr, Mrs), not this"),
        new("role", "x_studio_contact_role", "selection", "Contact role", "selection_map",
            "Billing/Site contact/Primary: no Odoo field says a contact's role; a selection "
            "with the source's options (type stays 'contact' so the name is required)",
            vocabulary=FST_CONTACT_ROLES, value_kind="selection", confidence=0.9),
        F("email", "email", "email", "e-mail, trimmed and lower-cased"),
        F("phone", "phone", "phone", "phone normalised"),
        F("mobile", "mobile", "phone", "mobile normalised"),
    ]
    objs.append(ObjectTemplate(
        "contacts", "contact", PARTNER, 2,
        "FST contact → child res.partner (parent_id = its customer, type='contact')",
        depends_on=("customers",), defaults={"type": "contact"}, fields=contacts, main=True))

    sites = [
        skip("site_id", ID_REASON, 1.0),
        F("customer_id", "parent_id", "binding", "address of its customer's partner",
          args=binding("customers")),
        F("name", "name", "trim", "the site's name (Main office, Warehouse …)"),
        *address("", "country", why="site address"),
        F("latitude", "partner_latitude", "number", "GPS latitude → partner_latitude (a base "
          "field in Odoo 18, Float 10,7)"),
        F("longitude", "partner_longitude", "number", "GPS longitude → partner_longitude"),
        F("access_notes", "comment", "text_to_html", "access notes → the address's Notes"),
    ]
    objs.append(ObjectTemplate(
        "sites", "site", PARTNER, 3,
        "FST site → child res.partner address of type 'other' (configurable: 'delivery' "
        "for ship-to sites)", depends_on=("customers",), defaults={"type": "other"},
        condition="one address partner per site", fields=sites, main=True))

    tech = _technician_lines("first_name", "last_name", "email", "phone")
    tech.insert(0, skip("technician_id", ID_REASON, 1.0))
    tech.append(F("active", "active", "boolean", "inactive technicians become archived "
                  "users", confidence=0.85))
    skills = "hr_skills" in installed and "hr" in installed
    if not skills:
        tech.append(new("skills", "x_studio_skills", "char", "Skills", "trim",
                        "hr_skills is not installed: the ';'-separated skills are kept as "
                        "text on the technician's partner (res.users inherits res.partner)",
                        model=PARTNER, confidence=0.85))
    objs += _technician_objects(
        installed, "technicians", 4, "FST technician → res.users matched by e-mail"
        + (" + hr.employee (hr is installed)" if "hr" in installed else
           " (hr not installed: no employee)"), tech, "first_name", "last_name", "email",
        "phone", "technician_id")
    if skills:
        objs.append(ObjectTemplate(
            "technicians", "technician_skill", EMPLOYEE_SKILL, 4,
            "hr_skills is installed: technician skills → hr.employee.skill",
            depends_on=("technicians",), condition="one line per skill",
            defaults={"skill_type_id": "Field service", "skill_level_id": "Certified"},
            confidence=0.85, fields=[
                F("skills", "skill_id", "split_list", "hr_skills installed: each "
                  "';'-separated skill becomes an hr.employee.skill of a 'Field service' "
                  "skill type (skill records found by name or created)",
                  model=EMPLOYEE_SKILL, args={"separator": ";"}, confidence=0.85),
                F("technician_id", "employee_id", "binding", "hr_skills installed: the "
                  "skill belongs to the technician's employee", model=EMPLOYEE_SKILL,
                  args=binding("technicians", model=EMPLOYEE)),
            ]))

    wo_name = {"fields": ["number", "service_type"], "separator": " – "}
    orders = [
        skip("work_order_id", ID_REASON, 1.0),
        F("number", "name", "join", "the opportunity's name is the work order number and "
          "its service type (FST work orders have no title)", args=wo_name, confidence=0.9),
        F("service_type", "name", "join", "second part of the opportunity's name",
          args=wo_name, confidence=0.9),
        new("number", "x_studio_work_order_number", "char", "Work order number", "trim",
            "the FST number, searchable on its own", confidence=0.95),
        F("customer_id", "partner_id", "binding", "the customer's partner",
          args=binding("customers")),
        new("site_id", "x_studio_service_site_id", "many2one", "Service site", "binding",
            "the site's address partner; crm.lead has one partner_id (the customer) and no "
            "site field", args=binding("sites"), relation=PARTNER, confidence=0.85),
        F("technician_id", "user_id", "binding", "the assigned technician's user is the "
          "opportunity's salesperson", args=binding("technicians"), confidence=0.9),
        new("service_type", "x_studio_service_type", "selection", "Service type",
            "selection_map", "service type kept as a selection with the source's options",
            value_kind="selection"),
        F("status", "stage_id", "selection_map", "status → crm.stage through the stage "
          "value map (Completed → a won stage, Cancelled → lost: active=False)",
          args={"value_map": "stage"}, vocabulary=FST_WO_STATUSES, value_kind="stage"),
        F("priority", "priority", "priority", "Low/Normal/High/Urgent → '0'..'3' (Low, "
          "Medium, High, Very High)", vocabulary=FST_PRIORITIES, value_kind="priority"),
        new("po_number", "x_studio_po_number", "char", "PO number", "trim",
            "the customer's purchase order number"),
        F("description", "description", "text_to_html", "plain text description → the "
          "opportunity's Html description (line breaks kept)"),
        new("office_notes", "x_studio_office_notes", "text", "Office notes", "trim",
            "office notes kept apart from the description (internal)", confidence=0.85),
        new("billing_notes", "x_studio_billing_notes", "text", "Billing notes", "trim",
            "billing notes kept apart from the description", confidence=0.85),
        new("created_at", "x_studio_source_created_at", "datetime", "Created in FST",
            "datetime_utc", "create_date cannot be written: the original creation time is "
            "kept in an x_ datetime (UTC)"),
        new("scheduled_at", "x_studio_scheduled_at", "datetime", "Scheduled at",
            "datetime_utc", "scheduled time of the work order (the appointments become "
            "activities and events too)", confidence=0.85),
        new("completed_at", "x_studio_completed_at", "datetime", "Completed at",
            "datetime_utc", "date_closed is readonly (set when the lead enters a won "
            "stage): the original completion time is kept in an x_ datetime",
            confidence=0.85),
    ]
    objs.append(ObjectTemplate(
        "work_orders", "lead", LEAD, 5,
        "FST work order → crm.lead type 'opportunity' tagged 'Service history'",
        depends_on=("customers", "sites", "technicians"),
        defaults={"type": "opportunity", "tag_ids": ["Service history"]}, fields=orders,
        main=True))

    if sale:
        objs.append(ObjectTemplate(
            "work_orders", "sale_order", SALE_ORDER, 6,
            "sale_crm is installed: one sale.order per work order that has line items, "
            "linked to its opportunity", depends_on=("work_orders",),
            condition="only work orders with at least one line item",
            fields=[
                F("customer_id", "partner_id", "binding", "the order's customer",
                  model=SALE_ORDER, args=binding("customers")),
                F("work_order_id", "opportunity_id", "binding", "sale_crm's link to the "
                  "opportunity", model=SALE_ORDER, args=binding("work_orders")),
                F("po_number", "client_order_ref", "trim", "the customer's PO is the order's "
                  "Customer Reference", model=SALE_ORDER, confidence=0.9),
                F("number", "origin", "trim", "source document: the work order number",
                  model=SALE_ORDER, confidence=0.9),
            ]))
        objs.append(ObjectTemplate(
            "work_order_lines", "sale_line", SALE_LINE, 6,
            "sale_crm is installed: work order line → sale.order.line of the work order's "
            "quotation (priced lines need a product: one service product per kind)",
            depends_on=("work_orders",), fields=[
                skip("line_id", ID_REASON, 1.0),
                F("work_order_id", "order_id", "binding", "the work order's sale.order",
                  args=binding("work_orders", model=SALE_ORDER)),
                F("kind", "product_id", "product", "product/labor/rental → a service "
                  "product per kind, found by name or created (confirming an order needs "
                  "products)", args={"by": "kind"}, confidence=0.8),
                F("description", "name", "trim", "line description"),
                F("quantity", "product_uom_qty", "number", "quantity"),
                F("unit_price", "price_unit", "money", "unit price"),
                skip("taxable", "taxes come from the product and the fiscal position; the "
                     "source flag is checked in the sample diff", 0.6),
            ], main=True))
    else:
        keys = {"group_by": "work_order_id"}
        objs.append(ObjectTemplate(
            "work_order_lines", "lines_json", LEAD, 6,
            "sale_crm is not installed: the lines are serialised as JSON text on their "
            "work order's opportunity (x_studio_line_items)", depends_on=("work_orders",),
            fields=[
                skip("line_id", ID_REASON, 1.0),
                F("work_order_id", None, "binding", "the opportunity that receives the "
                  "JSON", args=binding("work_orders"), skip=True, confidence=0.95),
                *[new(src, "x_studio_line_items", "text", "Line items", "json_dump",
                      "sale_crm is not installed: one JSON list per work order "
                      "[{kind, description, quantity, unit_price, taxable}]",
                      args={**keys, "key": src}, confidence=0.9)
                  for src in ("kind", "description", "quantity", "unit_price", "taxable")],
            ], main=True))

    objs.append(ObjectTemplate(
        "appointments", "activity", ACTIVITY, 7,
        "FST appointment → mail.activity on the opportunity (res_model_id = crm.lead; "
        "there is no crm.activity in Odoo 18)", depends_on=("work_orders", "technicians"),
        defaults={"res_model_id": LEAD, "activity_type_id": "Call",
                  "summary": "Service appointment"}, fields=[
            skip("appointment_id", ID_REASON, 1.0),
            F("work_order_id", "res_id", "binding", "the work order's opportunity",
              args=binding("work_orders")),
            F("start", "date_deadline", "date", "the appointment's day is the activity's "
              "deadline (date in the technician's time zone)", args={"tz": "user"}),
            F("technician_id", "user_id", "binding", "the technician's user (the plan's "
              "fallback user when unmatched: user_id is required)",
              args=binding("technicians")),
            skip("status", "activities have no status: Completed appointments are marked "
                 "done by the activity importer, the rest stay planned", 0.7),
            skip("travel_start", "no Odoo 18 field holds a travel start; not migrated", 0.5),
            skip("arrived_at", "no Odoo 18 field holds an arrival time; not migrated", 0.5),
        ], main=True))
    objs.append(ObjectTemplate(
        "appointments", "calendar_event", EVENT, 7,
        "FST appointment → calendar.event linked with res_model_id + res_id (res_model alone "
        "is silently dropped); calendar comes with crm", depends_on=("work_orders",),
        defaults={"res_model_id": LEAD, "name": "Service appointment"}, fields=[
            F("start", "start", "datetime_utc", "start time (UTC)", model=EVENT),
            F("end", "stop", "datetime_utc", "end time (UTC)", model=EVENT),
            F("technician_id", "user_id", "binding", "organiser: the technician's user",
              model=EVENT, args=binding("technicians")),
            F("work_order_id", "res_id", "binding", "the opportunity the event belongs to",
              model=EVENT, args=binding("work_orders")),
            F("work_order_id", "opportunity_id", "binding", "crm's link from the event to "
              "the opportunity", model=EVENT, args=binding("work_orders")),
        ]))

    if account:
        objs.append(ObjectTemplate(
            "invoices", "invoice", MOVE, 8,
            "account is installed: FST invoice → account.move move_type 'out_invoice', "
            "left in draft (payment_state is computed by reconciliation)",
            depends_on=("customers", "work_orders"), defaults={"move_type": "out_invoice"},
            fields=[
                skip("invoice_id", ID_REASON, 1.0),
                F("customer_id", "partner_id", "binding", "the invoiced customer",
                  args=binding("customers")),
                F("work_order_id", "invoice_origin", "binding", "source document: the work "
                  "order number", args=binding("work_orders", field="number"),
                  confidence=0.85),
                F("invoice_number", "ref", "trim", "the journal sequence (name) is assigned "
                  "on posting: the FST number is kept as the reference", confidence=0.85),
                F("invoice_date", "invoice_date", "date", "invoice date"),
                F("due_date", "invoice_date_due", "date", "due date"),
                new("status", "x_studio_invoice_status", "selection", "FST invoice status",
                    "selection_map", "payment_state cannot be written (it follows "
                    "reconciliation): the source status is kept in an x_ selection",
                    vocabulary=FST_INVOICE_STATUSES, value_kind="selection",
                    confidence=0.9),
                skip("subtotal", "computed by Odoo from the lines; compared in the verify "
                     "step", 0.85),
                skip("tax", "computed by Odoo from the lines' taxes; compared in the verify "
                     "step", 0.85),
                skip("total", "computed by Odoo; compared in the verify step", 0.85),
            ], main=True))
        objs.append(ObjectTemplate(
            "invoice_lines", "invoice_line", MOVE_LINE, 8,
            "account is installed: invoice line → account.move.line through the move's "
            "invoice_line_ids (name, quantity, price_unit; no product needed)",
            depends_on=("invoices",), defaults={"display_type": "product"}, fields=[
                skip("line_id", ID_REASON, 1.0),
                F("invoice_id", "move_id", "binding", "written through invoice_line_ids of "
                  "the invoice", args=binding("invoices")),
                F("description", "name", "trim", "line label"),
                F("quantity", "quantity", "number", "quantity"),
                F("unit_price", "price_unit", "money", "unit price"),
                skip("taxable", "taxes follow the product and fiscal position; checked in "
                     "the verify step", 0.6),
            ], main=True))
    else:
        for obj in ("invoices", "invoice_lines"):
            objs.append(ObjectTemplate(
                obj, "rebuild_reference", REBUILD, 8,
                "account is not installed: invoices cannot be Odoo records; every field is "
                "exported to the JSON rebuild reference (install account and re-plan to "
                "migrate them)", depends_on=("work_orders",), confidence=0.9))

    parts_keys = {"group_by": "work_order_id"}
    objs.append(ObjectTemplate(
        "parts_used", "parts_json", LEAD, 9,
        "parts used → JSON text on the work order's opportunity [{name, qty, cost}]",
        depends_on=("work_orders",), fields=[
            skip("part_id", ID_REASON, 1.0),
            F("work_order_id", None, "binding", "the opportunity that receives the JSON",
              args=binding("work_orders"), skip=True, confidence=0.95),
            new("name", "x_studio_parts_used", "text", "Parts used", "json_dump",
                "one JSON list per work order", args={**parts_keys, "key": "name"}),
            new("quantity", "x_studio_parts_used", "text", "Parts used", "json_dump",
                "one JSON list per work order", args={**parts_keys, "key": "qty"}),
            new("cost", "x_studio_parts_used", "text", "Parts used", "json_dump",
                "one JSON list per work order", args={**parts_keys, "key": "cost"}),
        ], main=True))
    if stock:
        objs.append(ObjectTemplate(
            "parts_used", "stock_move", STOCK_MOVE, 9,
            "stock is installed: a stock.move per part (stock → customers, origin = the "
            "work order number) when enabled in the plan; parts not found as storable "
            "products are reported", depends_on=("work_orders",),
            condition="enabled in the plan and the part matches a product by name",
            defaults={"location_id": "WH/Stock", "location_dest_id": "Partners/Customers",
                      "procure_method": "make_to_stock", "product_uom": "the product's UoM",
                      "state": "done"},
            confidence=0.6, fields=[
                F("name", "product_id", "product", "the product found by name",
                  model=STOCK_MOVE, args={"by": "name"}, confidence=0.6),
                F("name", "name", "trim", "move description", model=STOCK_MOVE),
                F("quantity", "product_uom_qty", "number", "quantity", model=STOCK_MOVE),
                F("cost", "price_unit", "money", "unit cost", model=STOCK_MOVE,
                  confidence=0.8),
                F("work_order_id", "origin", "binding", "origin = the work order number",
                  model=STOCK_MOVE, args=binding("work_orders", field="number")),
            ]))

    objs.append(ObjectTemplate(
        "notes", "message", MESSAGE, 10,
        "service note → mail.message on the opportunity (message_type 'comment', a note), "
        "original author and date kept", depends_on=("work_orders", "technicians"),
        defaults={"model": LEAD, "message_type": "comment", "subtype_id": "mail.mt_note"},
        fields=[
            skip("note_id", ID_REASON, 1.0),
            F("work_order_id", "res_id", "binding", "the opportunity's chatter",
              args=binding("work_orders")),
            F("author_technician_id", "author_id", "binding", "author = the technician's "
              "partner", args=binding("technicians", field="partner_id")),
            F("created_at", "date", "datetime_utc", "the original time (kept by Odoo at "
              "create)"),
            F("body_html", "body", "identity", "already HTML: sanitised by Odoo; inline "
              "base64 images are extracted to attachments by the importer"),
        ], main=True))
    objs.append(ObjectTemplate(
        "attachments", "attachment", ATTACHMENT, 11,
        "attachment manifest → ir.attachment on the opportunity (res_model 'crm.lead'), "
        "bytes streamed from files/, MIME sniffed, de-duplicated by checksum",
        depends_on=("work_orders",), defaults={"res_model": LEAD, "type": "binary"}, fields=[
            skip("attachment_id", ID_REASON, 1.0),
            F("work_order_id", "res_id", "binding", "the opportunity",
              args=binding("work_orders")),
            F("file_name", "name", "trim", "file name"),
            F("path", "raw", "file", "the bytes, streamed from the bundle's files/ folder",
              confidence=0.9),
            F("mime_type", "mimetype", "trim", "declared MIME type (Odoo re-checks it)",
              confidence=0.85),
            skip("size", "checked against the bytes read", 0.9),
            skip("sha1", "compared with Odoo's checksum (SHA-1) to de-duplicate", 0.9),
        ], main=True))
    return objs


# -- Dispatch ---------------------------------------------------------------------------------


def dispatch_templates(installed):
    installed = set(installed)
    objs = []
    person_name = {"fields": ["first_name", "last_name"]}
    objs.append(ObjectTemplate(
        "organizations", "organization", PARTNER, 1,
        "Dispatch organization = a branch of the service company itself → a company "
        "partner; customers are NOT made its children (they are its customers, not its "
        "people)", defaults={"is_company": True}, confidence=0.8, fields=[
            F("name", "name", "trim", "organisation name"),
            F("email", "email", "email", "e-mail"),
            F("phone_number", "phone", "phone", "phone"),
            *dispatch_address("address.", why="organisation address"),
            F("address.timezone", "tz", "identity", "IANA time zone names are Odoo's tz "
              "keys"),
            F("external_ids", "ref", "join", "external ids joined into the reference",
              args={"separator": ", "}, confidence=0.8),
            skip("created_at", "create_date cannot be written", 0.8),
        ], main=True))

    customer_fields = [
        F("first_name", "name", "full_name", "first and last name joined",
          args=person_name),
        F("last_name", "name", "full_name", "first and last name joined", args=person_name),
        F("company_name", "parent_id", "binding", "company_name set → the person is a child "
          "contact of that company's partner", args=binding("customers", role="company",
                                                            key="company_name")),
        F("email", "email", "email", "e-mail, trimmed and lower-cased; duplicates reported"),
        F("phone_numbers", "phone", "pick", "the primary number (else the first one)",
          args={"prefer": {"primary": True}, "value": "number", "then": "phone"},
          confidence=0.9),
        F("phone_numbers", "mobile", "pick", "the number typed 'mobile'",
          args={"where": {"type": "mobile"}, "value": "number", "then": "phone"},
          confidence=0.85),
        F("notes", "comment", "text_to_html", "notes → Notes (comment, Html)"),
        *dispatch_address("home_address.", why="home address"),
        F("home_address.timezone", "tz", "identity", "IANA time zone names are Odoo's tz "
          "keys"),
        F("external_ids", "ref", "join", "external ids (FST-…, QB:…) joined into the "
          "reference", args={"separator": ", "}, confidence=0.85),
        skip("organization_id", "the serving organisation, not a parent: kept in the "
             "binding payload", 0.8),
        skip("created_at", "create_date cannot be written", 0.8),
    ]
    objs.append(ObjectTemplate(
        "customers", "company", PARTNER, 1,
        "customer company_name → one company partner (is_company=True) per distinct name "
        "(case- and space-insensitive); its person customers become its children",
        condition="company_name set → company, else none", defaults={"is_company": True},
        fields=[F("company_name", "name", "trim", "the company's name")]))
    objs.append(ObjectTemplate(
        "customers", "contact", PARTNER, 1,
        "Dispatch customer → res.partner person (is_company=False), child of its company "
        "when company_name is set", depends_on=("customers",),
        condition="company_name set → child contact of the company, else a standalone "
                  "person", defaults={"is_company": False, "type": "contact"},
        fields=customer_fields, main=True))
    objs.append(ObjectTemplate(
        "customers", "invoice_address", PARTNER, 3,
        "billing_address differing from home_address → a child partner of type 'invoice'",
        depends_on=("customers",), condition="billing_address set and not the home address",
        defaults={"type": "invoice"}, fields=[
            *dispatch_address("billing_address.", why="billing address"),
            F("billing_address.timezone", "tz", "identity", "IANA time zone"),
            F("first_name", "name", "full_name", "the billing address carries the person's "
              "name", args=person_name),
            F("last_name", "name", "full_name", "the billing address carries the person's "
              "name", args=person_name),
            F("id", "parent_id", "binding", "child of the customer's own partner",
              args=binding("customers", role="contact")),
        ], confidence=0.85))

    objs.append(ObjectTemplate(
        "job_contacts", "contact", PARTNER, 2,
        "job contact → child res.partner of the job's customer (type 'contact'); the same "
        "person on several jobs is one partner (the parent is found through the source "
        "job's customer_id, so no Odoo job is needed first)", depends_on=("customers",),
        condition="one partner per (customer, first+last name, case-insensitive); the "
                  "customer itself is not duplicated", defaults={"type": "contact"}, fields=[
            F("job_id", "parent_id", "binding", "the job's customer's partner",
              args=binding("jobs", via="customer_id", to="customers")),
            F("first_name", "name", "full_name", "first and last name joined",
              args=person_name),
            F("last_name", "name", "full_name", "first and last name joined",
              args=person_name),
            new("relationship", "x_studio_contact_role", "selection", "Contact role",
                "selection_map", "relationship (Owner, Tenant …) has no Odoo field: a "
                "selection with the source's options", value_kind="selection",
                confidence=0.9),
            F("contact_methods", "email", "pick", "the contact method 'email'",
              args={"where": {"method": "email"}, "value": "value", "then": "email"},
              confidence=0.9),
            F("contact_methods", "phone", "pick", "the contact method 'phone'",
              args={"where": {"method": "phone"}, "value": "value", "then": "phone"},
              confidence=0.9),
            skip("primary", "Odoo has no primary contact flag; the first contact is listed "
                 "first", 0.7),
            *dispatch_address("address.", why="contact address"),
            F("address.timezone", "tz", "identity", "IANA time zone"),
            skip("created_at", "create_date cannot be written", 0.8),
        ], main=True))
    objs.append(ObjectTemplate(
        "jobs", "site", PARTNER, 3,
        "Dispatch service location = a distinct job address of a customer → child "
        "res.partner type 'other' (configurable), one per location",
        depends_on=("customers",), defaults={"type": "other"},
        condition="one per distinct job address per customer (case- and "
                  "space-insensitive); the customer's own home address is not repeated",
        fields=[
            F("customer_id", "parent_id", "binding", "address of the job's customer",
              model=PARTNER, args=binding("customers")),
            *dispatch_address("address.", model=PARTNER, why="service location"),
            F("address.timezone", "tz", "identity", "IANA time zone", model=PARTNER),
        ], confidence=0.9))

    users = _technician_lines("first_name", "last_name", "email", "phone_number")
    users += [
        skip("roles", "dispatcher → Sales / User: All Documents, technician → Sales / User: "
             "Own Documents, applied by the user plan (groups are not a field map)", 0.7),
        skip("organization_id", "the organisation of the user: kept in the binding "
             "payload", 0.8),
        skip("created_at", "create_date cannot be written", 0.8),
    ]
    objs += _technician_objects(
        installed, "users", 4, "Dispatch technician/dispatcher user → res.users matched by "
        "e-mail" + (" + hr.employee (hr is installed)" if "hr" in installed else
                    " (hr not installed: no employee)") + "; Dispatch has no skills", users,
        "first_name", "last_name", "email", "phone_number", "id")

    objs.append(ObjectTemplate(
        "sources", "utm_source", UTM_SOURCE, 4,
        "Dispatch lead source → utm.source (crm.lead's native source_id): found by name or "
        "created", fields=[
            F("title", "name", "trim", "the source's title (Yelp, Referral …) — its name "
              "carries a numeric suffix", model=UTM_SOURCE, confidence=0.85),
            skip("name", "the internal name (title + suffix); the title is used", 0.7),
            skip("organization_id", "kept in the binding payload", 0.8),
            skip("created_at", "create_date cannot be written", 0.8),
        ], confidence=0.9, main=True))
    objs.append(ObjectTemplate(
        "brands", "rebuild_reference", REBUILD, 4,
        "Dispatch brands have no Odoo model: each job's brand name is copied to the lead "
        "(x_studio_brand, char); the brand records (phone, e-mail) go to the rebuild "
        "reference", confidence=0.85))

    job_fields = [
        F("title", "name", "trim", "the job's title is the opportunity's name"),
        F("description", "description", "markdown_to_html", "markdown description → Html"),
        new("id", "x_studio_work_order_number", "char", "Work order number", "identity",
            "Dispatch jobs have no number: the job id is what dispatchers quote",
            confidence=0.85),
        new("service_type", "x_studio_service_type", "selection", "Service type",
            "selection_map", "service type kept as a selection with the source's options",
            value_kind="selection"),
        F("customer_id", "partner_id", "binding", "the customer's partner",
          args=binding("customers", role="contact")),
        *dispatch_address("address.", why="job (service location) address on the lead"),
        skip("address.timezone", "crm.lead has no time zone; kept on the service location "
             "partner", 0.85),
        F("status", "stage_id", "selection_map", "status → crm.stage through the stage value"
          " map (complete → won stage; canceled/rejected → lost: active=False)",
          args={"value_map": "stage"}, vocabulary=DISPATCH_JOB_STATUSES, value_kind="stage"),
        new("status_message", "x_studio_status_message", "char", "Status message", "trim",
            "free text beside the status", confidence=0.85),
        new("brand_id", "x_studio_brand", "char", "Brand", "binding",
            "the brand's name (char, not selection: the dictionary holds only a few brand "
            "names)", args=binding("brands", field="name"), confidence=0.85),
        F("source_id", "source_id", "binding", "Dispatch source → utm.source, crm.lead's "
          "native Source", args=binding("sources"), confidence=0.9),
        new("equipment_descriptions", "x_studio_equipment", "text", "Equipment",
            "json_dump", "equipment list (manufacturer, model, serial, type, install date) "
            "kept as JSON text", confidence=0.85),
        F("service_fee", "expected_revenue", "money", "the job's service fee is its "
          "expected revenue", confidence=0.75),
        new("external_ids", "x_studio_external_ids", "char", "External ids", "join",
            "external ids (WO-…) joined", args={"separator": ", "}, confidence=0.85),
        new("created_at", "x_studio_source_created_at", "datetime", "Created in Dispatch",
            "datetime_utc", "create_date cannot be written: the original creation time is "
            "kept in an x_ datetime (UTC)"),
        new("symptom", "x_studio_symptom", "text", "Symptom", "trim",
            "Dispatch Connect field", confidence=0.85),
        new("service_instructions", "x_studio_service_instructions", "text",
            "Service instructions", "trim", "Dispatch Connect field", confidence=0.85),
        new("resolution", "x_studio_resolution", "text", "Resolution", "trim",
            "Dispatch Connect field", confidence=0.85),
        F("custom_fields.priority", "priority", "priority", "Connect custom field 'priority' "
          "(Low/Normal/High/Emergency) → the native priority '0'..'3' rather than an x_ "
          "field: jobs have no other priority", vocabulary=DISPATCH_PRIORITIES,
          value_kind="priority", confidence=0.85),
        skip("contacts", "served again as job_contacts (their own object)", 0.9),
        skip("organization_id", "the serving organisation: kept in the binding payload", 0.8),
    ]
    objs.append(ObjectTemplate(
        "jobs", "lead", LEAD, 5,
        "Dispatch job → crm.lead type 'opportunity' tagged 'Service history'"
        + ("; project is installed: jobs may target project.task instead (choose in the "
           "plan)" if "project" in installed else ""),
        depends_on=("customers", "users", "sources"),
        defaults={"type": "opportunity", "tag_ids": ["Service history"]}, fields=job_fields,
        main=True))

    objs.append(ObjectTemplate(
        "appointments", "activity", ACTIVITY, 7,
        "Dispatch appointment → mail.activity on the opportunity (res_model_id = crm.lead; "
        "there is no crm.activity in Odoo 18)", depends_on=("jobs", "users"),
        defaults={"res_model_id": LEAD, "activity_type_id": "Call",
                  "summary": "Service appointment"}, fields=[
            F("job_id", "res_id", "binding", "the job's opportunity", args=binding("jobs")),
            F("time", "date_deadline", "date", "the appointment's day (in the job's time "
              "zone) is the deadline", args={"tz": "address.timezone"}),
            F("user_id", "user_id", "binding", "the technician's user (fallback user when "
              "empty or unmatched: user_id is required)", args=binding("users")),
            skip("status", "activities have no status: complete appointments are marked "
                 "done by the activity importer", 0.7),
            skip("organization_id", "kept in the binding payload", 0.8),
            skip("created_at", "create_date cannot be written", 0.8),
        ], main=True))
    objs.append(ObjectTemplate(
        "appointments", "calendar_event", EVENT, 7,
        "Dispatch appointment → calendar.event (res_model_id + res_id; res_model alone is "
        "silently dropped)", depends_on=("jobs", "users"),
        defaults={"res_model_id": LEAD, "name": "Service appointment"}, fields=[
            F("time", "start", "datetime_utc", "start (ISO 8601, with or without offset → "
              "UTC)", model=EVENT),
            F("duration", "stop", "end_from_duration", "stop = start + duration (seconds, "
              "default 7200)", model=EVENT, args={"start": "time", "unit": "s",
                                                  "default": 7200}),
            F("user_id", "user_id", "binding", "the technician's user", model=EVENT,
              args=binding("users")),
            F("job_id", "res_id", "binding", "the job's opportunity", model=EVENT,
              args=binding("jobs")),
            F("job_id", "opportunity_id", "binding", "crm's link to the opportunity",
              model=EVENT, args=binding("jobs")),
        ]))
    objs.append(ObjectTemplate(
        "survey_responses", "lead_fields", LEAD, 8,
        "survey responses → x_ fields on the job's opportunity (rating and comment), not "
        "the rebuild reference: they are per-job customer feedback worth reporting on in "
        "Odoo; a second response for a job overwrites the first (reported)",
        depends_on=("jobs",), confidence=0.8, fields=[
            F("job_id", None, "binding", "the opportunity that receives the fields",
              args=binding("jobs"), skip=True, confidence=0.95),
            new("rating", "x_studio_survey_rating", "integer", "Survey rating (0–5)",
                "integer", "rating 0–5"),
            new("message", "x_studio_survey_comment", "text", "Survey comment", "trim",
                "the customer's comment"),
            skip("appointment_id", "the appointment rated; kept in the binding payload", 0.7),
            skip("created_at", "create_date cannot be written", 0.8),
        ], main=True))
    objs.append(ObjectTemplate(
        "attachments", "attachment", ATTACHMENT, 11,
        "Dispatch attachment → ir.attachment on the job's opportunity, bytes streamed from "
        "the files API", depends_on=("jobs",), defaults={"res_model": LEAD, "type": "binary"},
        condition="entity_type = Job and deleted_at empty (deleted files are reported)",
        fields=[
            F("entity_id", "res_id", "binding", "the job's opportunity",
              args=binding("jobs")),
            F("name", "name", "trim", "file name"),
            F("description", "description", "trim", "description"),
            F("file_token", "raw", "file", "the bytes, streamed from the files API",
              confidence=0.9),
            skip("entity_type", "always Job (condition of the line)", 0.9),
            skip("deleted_at", "deleted attachments are not migrated (condition)", 0.9),
            skip("created_at", "create_date cannot be written", 0.8),
        ], main=True))
    return objs


def templates(source_kind, installed=()):
    """Object templates of ``source_kind`` ('fst' or 'dispatch') for the installed apps."""
    if source_kind == "fst":
        return fst_templates(installed)
    if source_kind == "dispatch":
        return dispatch_templates(installed)
    raise ValueError(f"unknown source kind {source_kind!r}: 'fst' or 'dispatch'")


#: what the source's objects cover of DESIGN.md's object map, and what it has none of
ABSENT_NOTES = {
    "dispatch": [
        "Dispatch has no public API for invoices, estimates, notes or workflow rules: "
        "workflows/automation, statuses, brands, sources and service types go to the JSON "
        "rebuild reference; nothing is mapped for invoices.",
    ],
    "fst": [],
}


#: when discovery never saw the source of a required target field: other source
#: fields that fill it, in order (``(source field, transform, args)``), keyed by
#: ``(source object, target model, target field)``; a ``("=", value, {})`` entry is a
#: constant default. Tried only for required targets the template left uncovered.
FALLBACKS = {
    "dispatch": {
        ("sources", UTM_SOURCE, "name"): [("name", "trim", {}), ("=", "Dispatch source", {})],
        ("jobs", LEAD, "name"): [("service_type", "trim", {}), ("description", "trim", {}),
                                 ("=", "Dispatch job", {})],
        ("appointments", ACTIVITY, "date_deadline"): [("created_at", "date", {})],
        ("appointments", EVENT, "start"): [("created_at", "datetime_utc", {})],
        ("appointments", EVENT, "stop"): [("created_at", "datetime_utc", {})],
        ("attachments", ATTACHMENT, "name"): [("description", "trim", {}),
                                              ("=", "Dispatch attachment", {})],
    },
    "fst": {
        ("work_orders", LEAD, "name"): [("number", "trim", {}), ("service_type", "trim", {}),
                                        ("description", "trim", {}),
                                        ("=", "FST work order", {})],
        ("appointments", ACTIVITY, "date_deadline"): [("end", "date", {}),
                                                      ("updated_at", "date", {})],
        ("appointments", EVENT, "start"): [("travel_start", "datetime_utc", {}),
                                           ("arrived_at", "datetime_utc", {})],
        ("attachments", ATTACHMENT, "name"): [("path", "trim", {}),
                                              ("=", "FST attachment", {})],
        ("notes", MESSAGE, "message_type"): [("=", "comment", {})],
    },
}
