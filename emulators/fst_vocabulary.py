"""The words foreign FST exports use: file names, column labels and label styles.

This vocabulary is the generator's own (``emulators.fst_shapes``), written from what
field-service exports look like, and deliberately independent of the proposer's
synonyms (``services.layout.propose``): the acceptance test of the proposer must not
grade it against its own word lists.
"""

import re
from types import SimpleNamespace

#: file (or sheet) names per canonical object, as screens and reports name them
FILE_NAMES = {
    "customers": ("Customers", "Customer List", "Clients", "Client List", "Accounts",
                  "Customer Export", "Customer Master"),
    "contacts": ("Contacts", "Customer Contacts", "Contact List", "Client Contacts"),
    "sites": ("Sites", "Service Locations", "Locations", "Service Addresses", "Job Sites"),
    "technicians": ("Technicians", "Tech Roster", "Employees", "Staff", "Field Staff",
                    "Users", "Tech List"),
    "work_orders": ("Work Orders", "Jobs", "Job List", "Service Calls", "Tickets",
                    "Service Orders"),
    "work_order_lines": ("Work Order Lines", "Job Items", "Line Items", "Charges",
                         "Job Charges", "Job Materials"),
    "appointments": ("Appointments", "Schedule", "Dispatch", "Dispatch Board", "Visits"),
    "invoices": ("Invoices", "Invoice Register", "Invoice List", "Invoice History"),
    "invoice_lines": ("Invoice Lines", "Invoice Items", "Invoice Details",
                      "Invoice Line Items"),
    "parts_used": ("Parts Used", "Parts", "Parts Log", "Used Parts"),
    "notes": ("Notes", "Job Notes", "Comments", "Work Order Notes", "History"),
    "attachments": ("Attachments", "Attachment Index", "Photos", "Documents", "Files"),
}
#: names of the one workbook holding every sheet
WORKBOOK_NAMES = ("FST Export", "Export", "Field Service Trakker Export", "Backup",
                  "Data Export")
#: folders holding per-record photo folders or the manifest's files
PHOTO_FOLDERS = ("Photos", "Attachments", "files", "Job Photos", "Documents")
#: a sub-folder some exports put everything in
ROOT_FOLDERS = ("", "", "", "Export", "FST Export 2025-06-30", "data")

#: the record key (internal id) of each object
ID_LABELS = {
    "customers": ("Customer ID", "Cust ID", "Client ID", "Internal ID", "Record ID"),
    "contacts": ("Contact ID", "ID", "Record ID"),
    "sites": ("Site ID", "Location ID", "ID"),
    "technicians": ("Technician ID", "Tech ID", "Employee ID", "User ID"),
    "work_orders": ("Work Order ID", "Job ID", "Internal ID", "WO ID"),
    "work_order_lines": ("Line ID", "Item ID", "ID"),
    "appointments": ("Appointment ID", "Visit ID", "Schedule ID", "ID"),
    "invoices": ("Invoice ID", "Internal Invoice ID", "ID"),
    "invoice_lines": ("Line ID", "Invoice Line ID", "ID"),
    "parts_used": ("Part Line ID", "Part ID", "ID"),
    "notes": ("Note ID", "Comment ID", "ID"),
    "attachments": ("Attachment ID", "File ID", "ID"),
}

#: when a record last changed, as most screens call it
MODIFIED = ("Last Modified", "Updated", "Date Modified")
#: ordinary columns: (object, canonical column) → labels
FIELD_LABELS = {
    ("customers", "account_code"): ("Customer #", "Customer No.", "Account Number",
                                     "Acct #", "Account Code", "Cust #"),
    ("customers", "name"): ("Customer Name", "Company", "Client Name", "Account Name",
                            "Display Name"),
    ("customers", "customer_type"): ("Customer Type", "Type", "Account Type"),
    ("customers", "status"): ("Status", "Customer Status", "Account Status"),
    ("customers", "first_name"): ("First Name", "Contact First Name", "First"),
    ("customers", "last_name"): ("Last Name", "Contact Last Name", "Last"),
    ("customers", "email"): ("E-mail Address", "Email", "E-mail", "Email Address"),
    ("customers", "phone"): ("Phone", "Phone Number", "Main Phone", "Tel"),
    ("customers", "mobile"): ("Mobile", "Cell", "Cell Phone", "Mobile Phone"),
    ("customers", "tax_type"): ("Tax Type", "Tax Status", "Tax Code"),
    ("customers", "payment_type"): ("Payment Terms", "Terms", "Payment Type"),
    ("customers", "credit_limit"): ("Credit Limit", "Credit Line"),
    ("customers", "sales_rep_email"): ("Sales Rep Email", "Salesperson E-mail",
                                       "Rep Email"),
    ("customers", "notes"): ("Notes", "Customer Notes", "Comments", "Memo"),
    ("customers", "bill_street"): ("Billing Address", "Bill To Street", "Address 1",
                                   "Billing Street"),
    ("customers", "bill_street2"): ("Billing Address 2", "Bill To Street 2", "Address 2"),
    ("customers", "bill_city"): ("Billing City", "City", "Bill To City"),
    ("customers", "bill_state"): ("Billing State", "State", "Province", "State/Province"),
    ("customers", "bill_zip"): ("Billing Zip", "Zip", "ZIP Code", "Postal Code"),
    ("customers", "bill_country"): ("Billing Country", "Country"),
    ("customers", "created_at"): ("Created", "Date Created", "Created On", "Added On"),
    ("customers", "updated_at"): (*MODIFIED, "Last Updated", "Modified On"),
    ("contacts", "first_name"): ("First Name", "First", "Given Name"),
    ("contacts", "last_name"): ("Last Name", "Last", "Surname"),
    ("contacts", "title"): ("Title", "Job Title", "Position"),
    ("contacts", "role"): ("Role", "Contact Type", "Contact Role"),
    ("contacts", "email"): ("E-mail Address", "Email", "E-mail"),
    ("contacts", "phone"): ("Phone", "Work Phone", "Phone Number"),
    ("contacts", "mobile"): ("Mobile", "Cell", "Cell Phone"),
    ("contacts", "updated_at"): MODIFIED,
    ("sites", "name"): ("Site Name", "Location Name", "Location", "Site"),
    ("sites", "street"): ("Street", "Address", "Address 1", "Street Address"),
    ("sites", "street2"): ("Street 2", "Address 2", "Suite/Unit"),
    ("sites", "city"): ("City", "Town"),
    ("sites", "state"): ("State", "Province", "State/Province", "Region"),
    ("sites", "zip"): ("Zip", "ZIP Code", "Postal Code", "Zip/Postal"),
    ("sites", "country"): ("Country",),
    ("sites", "latitude"): ("Latitude", "Lat", "GPS Latitude"),
    ("sites", "longitude"): ("Longitude", "Lng", "Long", "GPS Longitude"),
    ("sites", "access_notes"): ("Access Notes", "Gate Code / Access", "Directions",
                                "Access Instructions"),
    ("sites", "updated_at"): MODIFIED,
    ("technicians", "first_name"): ("First Name", "First"),
    ("technicians", "last_name"): ("Last Name", "Last", "Surname"),
    ("technicians", "email"): ("E-mail Address", "Email", "Work Email"),
    ("technicians", "phone"): ("Phone", "Cell", "Mobile Phone"),
    ("technicians", "skills"): ("Skills", "Trades", "Certifications", "Skill Set"),
    ("technicians", "active"): ("Active", "Is Active", "Active?", "Enabled"),
    ("technicians", "updated_at"): MODIFIED,
    ("work_orders", "number"): ("Work Order #", "WO #", "Job #", "Job Number",
                                "Ticket No.", "WO Number"),
    ("work_orders", "service_type"): ("Service Type", "Job Type", "Call Type", "Type"),
    ("work_orders", "status"): ("Status", "Job Status", "WO Status"),
    ("work_orders", "priority"): ("Priority", "Urgency"),
    ("work_orders", "po_number"): ("PO #", "PO Number", "Purchase Order", "Customer PO"),
    ("work_orders", "description"): ("Description", "Problem Description", "Summary",
                                     "Job Description"),
    ("work_orders", "office_notes"): ("Office Notes", "Internal Notes", "Dispatcher Notes"),
    ("work_orders", "billing_notes"): ("Billing Notes", "Invoice Notes", "Billing Memo"),
    ("work_orders", "created_at"): ("Created", "Date Created", "Date Entered", "Opened"),
    ("work_orders", "scheduled_at"): ("Scheduled", "Scheduled Date", "Scheduled For",
                                      "Date Scheduled"),
    ("work_orders", "completed_at"): ("Completed", "Completed On", "Date Completed",
                                      "Finished"),
    ("work_orders", "updated_at"): (*MODIFIED, "Last Changed"),
    ("work_order_lines", "kind"): ("Item Type", "Kind", "Line Type", "Category"),
    ("work_order_lines", "description"): ("Description", "Item", "Item Description"),
    ("work_order_lines", "quantity"): ("Qty", "Quantity", "Hours/Qty"),
    ("work_order_lines", "unit_price"): ("Unit Price", "Rate", "Price", "Price Each"),
    ("work_order_lines", "taxable"): ("Taxable", "Taxable?", "Tax"),
    ("work_order_lines", "updated_at"): MODIFIED,
    ("appointments", "start"): ("Start", "Start Time", "Scheduled Start", "Begins"),
    ("appointments", "end"): ("End", "End Time", "Scheduled End", "Ends"),
    ("appointments", "travel_start"): ("Travel Start", "Left For Job", "En Route At"),
    ("appointments", "arrived_at"): ("Arrived", "Arrival Time", "On Site At"),
    ("appointments", "status"): ("Status", "Visit Status", "Dispatch Status"),
    ("appointments", "updated_at"): MODIFIED,
    ("invoices", "invoice_number"): ("Invoice #", "Invoice No.", "Invoice Number", "Inv #"),
    ("invoices", "invoice_date"): ("Invoice Date", "Date", "Billed On"),
    ("invoices", "due_date"): ("Due Date", "Due", "Payment Due"),
    ("invoices", "status"): ("Status", "Invoice Status", "Payment Status"),
    ("invoices", "subtotal"): ("Subtotal", "Sub Total", "Net Amount"),
    ("invoices", "tax"): ("Tax", "Tax Amount", "Sales Tax"),
    ("invoices", "total"): ("Total", "Invoice Total", "Amount", "Grand Total"),
    ("invoices", "updated_at"): MODIFIED,
    ("invoice_lines", "description"): ("Description", "Item", "Line Description"),
    ("invoice_lines", "quantity"): ("Qty", "Quantity"),
    ("invoice_lines", "unit_price"): ("Unit Price", "Rate", "Price"),
    ("invoice_lines", "taxable"): ("Taxable", "Taxable?", "Tax"),
    ("parts_used", "name"): ("Part", "Part Name", "Part Description", "Item"),
    ("parts_used", "quantity"): ("Qty", "Quantity", "Qty Used"),
    ("parts_used", "cost"): ("Cost", "Unit Cost", "Our Cost"),
    ("notes", "created_at"): ("Date", "Created", "Entered On", "Note Date"),
    ("notes", "body_html"): ("Note", "Comment", "Text", "Body"),
    ("attachments", "file_name"): ("File Name", "Filename", "Name"),
    ("attachments", "path"): ("Path", "File Path", "Location", "Relative Path"),
    ("attachments", "mime_type"): ("Content Type", "MIME Type", "File Type"),
    ("attachments", "size"): ("Size", "Size (bytes)", "File Size"),
    ("attachments", "sha1"): ("SHA1", "Checksum", "Hash"),
}

#: a link column: (target object, key kind) → labels; ``{role}`` is filled for links
#: that are not the target's plain name (the note's author)
LINK_LABELS = {
    ("customers", "id"): ("Customer ID", "Cust ID", "Client ID"),
    ("customers", "number"): ("Customer #", "Customer No.", "Account #", "Cust #",
                              "Client Number"),
    ("customers", "name"): ("Customer", "Customer Name", "Client", "Bill To"),
    ("customers", "full_name"): ("Customer Contact", "Customer Full Name",
                                 "Client Contact Name"),
    ("customers", "email"): ("Customer Email", "Client E-mail", "Customer E-mail Address"),
    ("sites", "id"): ("Site ID", "Location ID", "Service Location ID"),
    ("sites", "name"): ("Site", "Location", "Service Location", "Site Name"),
    ("technicians", "id"): ("{role} ID", "{role} #"),
    ("technicians", "full_name"): ("{role}", "{role} Name"),
    ("technicians", "email"): ("{role} Email", "{role} E-mail"),
    ("work_orders", "id"): ("Work Order ID", "Job ID", "WO ID"),
    ("work_orders", "number"): ("Work Order #", "WO #", "Job #", "Job Number", "Ticket #"),
    ("invoices", "id"): ("Invoice ID", "Inv ID"),
    ("invoices", "number"): ("Invoice #", "Invoice No."),
}
#: what ``{role}`` is for a technician link
TECHNICIAN_ROLES = {"technician_id": ("Technician", "Tech", "Assigned Tech", "Assigned To"),
                    "author_technician_id": ("Author", "Entered By", "Written By")}

#: labels of the custom fields written as plain columns (custom field name → labels)
CUSTOM_LABELS = {
    "equipment_serial": ("Equipment Serial #", "Serial Number", "Unit Serial"),
    "equipment_model": ("Equipment Model", "Model", "Unit Model"),
    "under_warranty": ("Under Warranty", "Warranty?", "In Warranty"),
    "warranty_expires": ("Warranty Expires", "Warranty Expiration", "Warranty End"),
    "visit_count": ("Visits", "Visit Count", "No. of Visits"),
    "estimated_hours": ("Estimated Hours", "Est. Hours", "Hours Estimate"),
    "contract_level": ("Service Contract", "Contract Level", "Maintenance Plan"),
    "follow_up_at": ("Follow-up", "Follow Up Date", "Call Back On"),
    "site_instructions": ("Site Instructions", "Special Instructions", "Tech Instructions"),
    "preferred_contact": ("Preferred Contact Method", "Contact Preference", "Best Way To Reach"),
}

#: how one export writes every label of its files
LABEL_STYLES = ("as_is", "title", "upper", "snake", "camel", "lower")
#: how one export names its files
FILE_STYLES = ("as_is", "snake", "compact", "upper", "dashed")

#: the word tables a vocabulary is made of (what ``with_words`` may replace)
WORD_TABLES = ("FILE_NAMES", "ID_LABELS", "FIELD_LABELS", "LINK_LABELS", "CUSTOM_LABELS",
               "TECHNICIAN_ROLES")


def with_words(**tables):
    """This vocabulary with the entries of some word tables replaced: ``FILE_NAMES={...}``
    gives other file names to the objects it lists (the others keep theirs). A held-out
    vocabulary drawn with it tests the proposer on words it was never tuned on."""
    unknown = set(tables) - set(WORD_TABLES)
    if unknown:
        raise ValueError(f"not word tables of the vocabulary: {sorted(unknown)}")
    words = {name: dict(globals()[name]) for name in WORD_TABLES}
    for name, entries in tables.items():
        words[name].update(entries)
    return SimpleNamespace(**words)


_WORD = re.compile(r"[A-Za-z0-9]+|#")


def _words(label):
    return ["no" if w == "#" else w for w in _WORD.findall(label)]


def styled_label(label, style):
    """``"Cust #"`` as the export writes it: ``CUST #``, ``cust_no``, ``custNo`` …"""
    if style == "title":
        return " ".join(w if w.isupper() else w[:1].upper() + w[1:] for w in label.split())
    if style == "upper":
        return label.upper()
    if style == "lower":
        return label.lower()
    if style == "snake":
        return "_".join(w.lower() for w in _words(label))
    if style == "camel":
        words = [w.lower() for w in _words(label)]
        return words[0] + "".join(w[:1].upper() + w[1:] for w in words[1:]) if words else ""
    return label


def styled_file(name, style):
    """``"Customer List"`` as a file base name: ``customer_list``, ``CustomerList`` …"""
    if style == "snake":
        return "_".join(w.lower() for w in _words(name))
    if style == "compact":
        return "".join(w[:1].upper() + w[1:] for w in _words(name))
    if style == "upper":
        return name.upper()
    if style == "dashed":
        return "-".join(w.lower() for w in _words(name))
    return name
