"""A held-out vocabulary of foreign FST exports: test input the proposer is never tuned on.

Realistic file names and column labels that neither the generator's vocabulary
(``emulators.fst_vocabulary``) nor the proposer's (``services.layout.vocabulary``) holds;
``test_layout_heldout.py`` draws shapes with them and checks that none of them appears
in the proposer's word lists. Do not add these words to the proposer: make it read the
values instead.
"""

from emulators.fst_vocabulary import with_words

FILE_NAMES = {
    "customers": ("Customer Accounts", "Client Master", "Account List", "Bill-To Customers"),
    "contacts": ("Contact Persons", "Account Contacts", "Client People"),
    "sites": ("Service Sites", "Site List", "Customer Locations", "Premises"),
    "technicians": ("Field Techs", "Technician List", "Crew", "Employee List"),
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
    "appointments": ("Appt ID", "Booking ID"),
    "invoices": ("Invoice Key", "Inv Key"),
    "invoice_lines": ("Invoice Line No", "Line Key"),
    "parts_used": ("Usage ID", "Part Line No"),
    "notes": ("Comment No", "Note Key"),
    "attachments": ("Attachment No", "File Key"),
}
FIELD_LABELS = {
    ("customers", "account_code"): ("Account No", "Customer Code", "Acct No."),
    ("customers", "name"): ("Business Name", "Customer", "Account"),
    ("customers", "customer_type"): ("Customer Class", "Segment"),
    ("customers", "email"): ("Email Addr", "Primary Email"),
    ("customers", "phone"): ("Telephone", "Office Phone"),
    ("customers", "mobile"): ("Mobile No", "Cellular"),
    ("customers", "payment_type"): ("Pay Terms", "Terms Code"),
    ("customers", "credit_limit"): ("Max Credit", "Credit Amount"),
    ("customers", "notes"): ("Remarks", "Account Notes"),
    ("customers", "bill_street"): ("Street Address", "Bill Addr 1"),
    ("customers", "bill_street2"): ("Bill Addr 2", "Address Line 2"),
    ("customers", "bill_zip"): ("Zip Code", "Post Code"),
    ("customers", "created_at"): ("Customer Since", "Date Added"),
    ("customers", "updated_at"): ("Changed", "Last Edit", "Modified"),
    ("sites", "name"): ("Site Description", "Premises Name"),
    ("sites", "access_notes"): ("Entry Notes", "Access Info"),
    ("technicians", "skills"): ("Qualifications", "Specialties"),
    ("technicians", "active"): ("Status Active", "Is Enabled"),
    ("work_orders", "number"): ("Ticket Number", "WO No", "Order #"),
    ("work_orders", "service_type"): ("Work Type", "Service Category"),
    ("work_orders", "description"): ("Work Requested", "Complaint"),
    ("work_orders", "office_notes"): ("Office Comments", "Internal Comments"),
    ("work_orders", "created_at"): ("Entered", "Creation Date"),
    ("work_orders", "scheduled_at"): ("Appointment Date", "Planned For"),
    ("work_orders", "completed_at"): ("Closed On", "Date Closed"),
    ("work_order_lines", "unit_price"): ("Sell Price", "Unit Rate"),
    ("appointments", "start"): ("Window Start", "From"),
    ("appointments", "end"): ("Window End", "To"),
    ("appointments", "arrived_at"): ("Time Arrived", "Check-in"),
    ("invoices", "invoice_date"): ("Inv Date", "Date Invoiced"),
    ("invoices", "total"): ("Amount Due", "Invoice Amount"),
    ("parts_used", "cost"): ("Cost Each", "Part Cost"),
    ("notes", "body_html"): ("Comment Text", "Note Body"),
}
LINK_LABELS = {
    ("customers", "id"): ("Customer Key", "Acct ID"),
    ("customers", "number"): ("Account No", "Customer Code"),
    ("customers", "name"): ("Account", "Business Name"),
    ("work_orders", "id"): ("WO Key", "Ticket ID"),
    ("work_orders", "number"): ("Ticket Number", "WO No"),
    ("sites", "id"): ("Site Key", "Site No"),
}

#: the generator's vocabulary with these words in place of its own
VOCABULARY = with_words(FILE_NAMES=FILE_NAMES, ID_LABELS=ID_LABELS,
                        FIELD_LABELS=FIELD_LABELS, LINK_LABELS=LINK_LABELS)
