"""The built-in templates of Field Service Trakker (FST) objects, and their fallbacks."""

from .common import (
    ACTIVITY,
    ATTACHMENT,
    EMPLOYEE,
    EMPLOYEE_SKILL,
    EVENT,
    FST_CONTACT_ROLES,
    FST_CUSTOMER_STATUSES,
    FST_INVOICE_STATUSES,
    FST_PRIORITIES,
    FST_WO_STATUSES,
    ID_REASON,
    LEAD,
    MESSAGE,
    MOBILE_INSTEAD,
    MOVE,
    MOVE_LINE,
    PARTNER,
    REBUILD,
    SALE_LINE,
    SALE_ORDER,
    STOCK_MOVE,
    F,
    ObjectTemplate,
    _technician_lines,
    _technician_objects,
    address,
    binding,
    new,
    skip,
)


def fst_templates(installed):
    """FST object templates for the installed optional apps."""
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
        F("mobile", "mobile", "phone", "mobile phone normalised", instead=MOBILE_INSTEAD),
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
        F("mobile", "mobile", "phone", "mobile normalised", instead=MOBILE_INSTEAD),
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
                F("name", "name", "trim", "move description", model=STOCK_MOVE,
                  instead="description_picking"),
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



#: FST's objects cover DESIGN.md's object map: nothing to say of what it lacks
ABSENT_NOTES = []

#: FST's fallbacks of required target fields (see ``templates.FALLBACKS``)
FALLBACKS = {
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
}
