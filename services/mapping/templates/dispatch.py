"""The built-in templates of Dispatch objects, what Dispatch lacks, and their fallbacks."""

from .common import (
    ACTIVITY,
    ATTACHMENT,
    DISPATCH_JOB_STATUSES,
    DISPATCH_PRIORITIES,
    EVENT,
    LEAD,
    MOBILE_INSTEAD,
    PARTNER,
    REBUILD,
    UTM_SOURCE,
    F,
    ObjectTemplate,
    _technician_lines,
    _technician_objects,
    binding,
    dispatch_address,
    new,
    skip,
)


def dispatch_templates(installed):
    """Dispatch object templates for the installed optional apps."""
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
          confidence=0.85, instead=MOBILE_INSTEAD),
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



#: what Dispatch's objects cover of DESIGN.md's object map, and what it has none of
ABSENT_NOTES = [
    "Dispatch has no public API for invoices, estimates, notes or workflow rules: "
    "workflows/automation, statuses, brands, sources and service types go to the JSON "
    "rebuild reference; nothing is mapped for invoices.",
]

#: Dispatch's fallbacks of required target fields (see ``templates.FALLBACKS``)
FALLBACKS = {
    ("sources", UTM_SOURCE, "name"): [("name", "trim", {}), ("=", "Dispatch source", {})],
    ("jobs", LEAD, "name"): [("service_type", "trim", {}), ("description", "trim", {}),
                             ("=", "Dispatch job", {})],
    ("appointments", ACTIVITY, "date_deadline"): [("created_at", "date", {})],
    ("appointments", EVENT, "start"): [("created_at", "datetime_utc", {})],
    ("appointments", EVENT, "stop"): [("created_at", "datetime_utc", {})],
    ("attachments", ATTACHMENT, "name"): [("description", "trim", {}),
                                          ("=", "Dispatch attachment", {})],
}
