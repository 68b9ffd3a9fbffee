"""A held-out vocabulary of foreign FST exports: test input the proposer is never tuned on.

Realistic file names and column labels that neither the generator's vocabulary
(``emulators.fst_vocabulary``) nor the proposer's (``services.layout.vocabulary``) holds;
``test_layout_heldout.py`` draws shapes with them and checks that none of them appears
verbatim in the proposer's word lists. Do not add these words to the proposer (nor
replace one the proposer already knows by a word it does not): make it read the values
instead. It was first written apart from the proposer; the 49 of its words the proposer
already held were replaced by other realistic ones before it was committed.
"""

from emulators.fst_vocabulary import with_words

FILE_NAMES = {
    "customers": ("Customer Accounts", "Client Master", "Bill-To Customers"),
    "contacts": ("Contact Persons", "Account Contacts", "Client People"),
    "sites": ("Service Sites", "Site List", "Customer Locations"),
    "technicians": ("Field Techs", "Technician List", "Employee List"),
    "work_orders": ("Service Tickets", "Job Register", "Work Order List", "Orders"),
    "work_order_lines": ("Work Order Items", "Job Line Items", "Billable Lines", "WO Lines"),
    "appointments": ("Dispatch Log", "Scheduled Visits", "Tech Schedule", "Bookings"),
    "invoices": ("Invoice Summary", "AR Invoices", "Billing History"),
    "invoice_lines": ("Invoice Line Detail", "Invoice Rows", "Billing Lines"),
    "parts_used": ("Parts Consumed", "Material Usage", "Parts Issued"),
    "notes": ("Job Comments", "Ticket Notes", "Activity Notes"),
    "attachments": ("Attachment List", "File Index", "Photo Log"),
}
ID_LABELS = {
    "customers": ("Customer Key", "CustID", "Account ID"),
    "contacts": ("Contact Key", "Contact No"),
    "sites": ("Site Key", "Site No"),
    "technicians": ("Tech Key", "Technician No", "Emp ID"),
    "work_orders": ("WO Key", "Work Order Key", "Ticket ID"),
    "work_order_lines": ("Line No", "Line Key"),
    "appointments": ("Appt ID", "Visit Key"),
    "invoices": ("Invoice Key", "Inv Key"),
    "invoice_lines": ("Invoice Line No", "Line Key"),
    "parts_used": ("Usage Key", "Part Line No"),
    "notes": ("Comment No", "Note Key"),
    "attachments": ("Attachment No", "File Key"),
}
FIELD_LABELS = {
    ("customers", "account_code"): ("Account No", "Acct No.", "Client Code"),
    ("customers", "name"): ("Legal Name", "Organisation Name", "Firm Name"),
    ("customers", "customer_type"): ("Client Category", "Market Segment"),
    ("customers", "email"): ("E-Mail Contact", "Correspondence Email"),
    ("customers", "phone"): ("Office Line", "Main Line", "Switchboard"),
    ("customers", "mobile"): ("Mobile No", "Cellular"),
    ("customers", "payment_type"): ("Pay Terms", "Terms Code"),
    ("customers", "credit_limit"): ("Credit Amount", "Credit Ceiling"),
    ("customers", "notes"): ("Remarks", "Account Notes"),
    ("customers", "bill_street"): ("Bill Addr 1", "Billing Line 1"),
    ("customers", "bill_street2"): ("Bill Addr 2", "Billing Line 2"),
    ("customers", "bill_zip"): ("Post Code", "Billing Postcode"),
    ("customers", "created_at"): ("Customer Since", "Onboarded"),
    ("customers", "updated_at"): ("Last Touched", "Edit Date", "Revised On"),
    ("sites", "name"): ("Site Description", "Premises Name"),
    ("sites", "access_notes"): ("Entry Notes", "Gate Info"),
    ("technicians", "skills"): ("Qualifications", "Competencies"),
    ("technicians", "active"): ("Is Enabled", "Can Dispatch"),
    ("work_orders", "number"): ("WO No", "Order #"),
    ("work_orders", "service_type"): ("Job Kind", "Call Category"),
    ("work_orders", "description"): ("Customer Request", "Reported Issue"),
    ("work_orders", "office_notes"): ("Office Comments", "Internal Comments"),
    ("work_orders", "created_at"): ("Logged On", "Date Logged"),
    ("work_orders", "scheduled_at"): ("Planned For", "Booked For"),
    ("work_orders", "completed_at"): ("Resolved On", "Date Resolved"),
    ("work_order_lines", "unit_price"): ("Charge Each", "Per Unit"),
    ("appointments", "start"): ("Slot Begin", "Arrival Window From"),
    ("appointments", "end"): ("Slot Finish", "Arrival Window To"),
    ("appointments", "arrived_at"): ("Check-in", "Onsite Time"),
    ("invoices", "invoice_date"): ("Inv Date", "Date Invoiced"),
    ("invoices", "total"): ("Invoice Amount", "Balance Billed"),
    ("parts_used", "cost"): ("Cost Price", "Landed Cost"),
    ("notes", "body_html"): ("Remark Text", "Narrative"),
}
LINK_LABELS = {
    ("customers", "id"): ("Customer Key", "Acct ID"),
    ("customers", "number"): ("Account No", "Client Code"),
    ("customers", "name"): ("Firm Name", "Organisation"),
    ("work_orders", "id"): ("WO Key", "Ticket ID"),
    ("work_orders", "number"): ("WO No", "Order Ref"),
    ("sites", "id"): ("Site Key", "Site No"),
}

#: the generator's vocabulary with these words in place of its own
VOCABULARY = with_words(FILE_NAMES=FILE_NAMES, ID_LABELS=ID_LABELS,
                        FIELD_LABELS=FIELD_LABELS, LINK_LABELS=LINK_LABELS)
