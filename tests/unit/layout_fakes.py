"""In-memory raw tables and foreign-shaped FST exports for the layout proposer's tests
and benchmark (the readers are not needed to exercise the proposer)."""

import random
import re

from emulators.fst_data import columns_of, csv_value
from services.fst_bundle import parse_timestamp
from services.layout.model import CANONICAL, RawTables, TableInfo


class FakeTables(RawTables):
    """``tables``: ``{path: rows}`` (or ``{(path, sheet): rows}``), rows a list of dicts
    or a function giving them (streamed); ``files``: member paths."""

    def __init__(self, tables, files=()):
        self._tables = {(k if isinstance(k, tuple) else (k, None)): v
                        for k, v in tables.items()}
        self._files = list(files)
        self.issues = []
        self.reads = 0

    def tables(self):
        out = []
        for (path, sheet), table in self._tables.items():
            first = next(iter(table() if callable(table) else table), None)
            header = tuple(first) if first else ()
            rows = None if callable(table) else len(table)
            out.append(TableInfo(path, sheet, "xlsx" if sheet else "csv",
                                 "read" if header else "empty", header, "utf-8", rows))
        out.extend(TableInfo(p, None, "file", "not a table: file") for p in self._files)
        return out

    def iter_rows(self, path, sheet=None):
        self.reads += 1
        rows = self._tables[(path, sheet)]
        yield from enumerate(rows() if callable(rows) else rows, start=2)

    def files(self):
        return list(self._files) + [p for p, _ in self._tables]

    def open_file(self, path, max_bytes=None):
        raise FileNotFoundError(path)


def _date_text(value, style):
    when = parse_timestamp(value) if isinstance(value, str) else None
    if when is None:
        return csv_value(value)
    date_only = len(value.strip()) == 10
    if style == "iso":
        return value
    pattern = {"dmy": "%d/%m/%Y", "mdy": "%m/%d/%Y"}[style]
    if date_only:
        return when.strftime(pattern)
    return when.strftime(pattern + " %I:%M %p") if style == "mdy" else \
        when.strftime(pattern + " %H:%M")


DATE_COLUMNS = {"created_at", "updated_at", "scheduled_at", "completed_at", "start", "end",
                "travel_start", "arrived_at", "invoice_date", "due_date",
                "cf_warranty_expires", "cf_follow_up_at"}


def foreign_shape(dataset, files, labels, links=None, dates="iso", drop=(), objects=None,
                  lazy=False):
    """``{path: rows}`` of ``dataset`` renamed: ``files`` {object: path}, ``labels``
    {object: {canonical column: label}} (unlisted columns keep their name), ``links``
    {(object, link column): (key kind, target object)} to write a link by the target's
    number/name/full_name/email instead of its id, ``dates`` iso/dmy/mdy; ``lazy``: each
    table is a function giving its rows one by one (made while read, as a reader would)."""
    records = dataset.records
    lookups = {}
    for (obj, column), (kind, target) in (links or {}).items():
        spec = {"number": {"customers": "account_code", "work_orders": "number",
                           "invoices": "invoice_number"}, "name": {"customers": "name",
                                                                   "sites": "name"},
                "email": {"customers": "email", "technicians": "email"}}
        id_col = {"customers": "customer_id", "technicians": "technician_id",
                  "work_orders": "work_order_id", "sites": "site_id",
                  "invoices": "invoice_id"}[target]
        if kind == "full_name":
            lookups[(obj, column)] = {r[id_col]: f"{r['first_name']} {r['last_name']}"
                                      for r in records[target]}
        else:
            lookups[(obj, column)] = {r[id_col]: r[spec[kind][target]]
                                      for r in records[target]}
    out = {}
    for obj in objects or files:
        columns = [c for c in columns_of(obj) if c not in drop and (obj, c) not in drop]
        rows = _rows(records[obj], obj, columns, labels.get(obj, {}), lookups, dates)
        out[files[obj]] = rows if lazy else list(rows())
    return out


def _rows(records, obj, columns, own, lookups, dates):
    def rows():
        for record in records:
            row = {}
            for column in columns:
                value = record.get(column)
                if (obj, column) in lookups and value is not None:
                    value = lookups[(obj, column)].get(value, value)
                text = _date_text(value, dates) if column in DATE_COLUMNS and dates != "iso" \
                    else csv_value(value)
                row[own.get(column, column)] = text
            yield row
    return rows


#: pools of the random shapes (independent of the proposer's vocabulary)
FILE_NAMES = {
 "customers": ["Customers", "Clients", "Accounts", "Customer List", "Client List",
               "customer_export"],
 "contacts": ["Contacts", "People", "Customer Contacts", "contact list"],
 "sites": ["Sites", "Locations", "Service Addresses", "Properties", "Service Locations"],
 "technicians": ["Technicians", "Employees", "Staff", "Users", "Techs", "Tech List"],
 "work_orders": ["Work Orders", "Jobs", "Tickets", "Service Calls", "Orders", "WorkOrders"],
 "work_order_lines": ["Work Order Lines", "Line Items", "Charges", "Labor & Materials",
                      "Job Line Items"],
 "appointments": ["Appointments", "Schedule", "Dispatch", "Bookings", "Visits"],
 "invoices": ["Invoices", "Bills", "Invoice List"],
 "invoice_lines": ["Invoice Lines", "Invoice Items", "Invoice Line Items"],
 "parts_used": ["Parts Used", "Materials", "Parts"],
 "notes": ["Notes", "Comments", "History", "Activity", "Job Notes"],
 "attachments": ["Attachments", "Files", "Photos Manifest"],
}
LABELS = {
 "customer_id": ["Customer ID", "Cust ID", "Client ID", "ID", "CustomerId"],
 "account_code": ["Account Code", "Account #", "Acct No.", "Customer Number", "Customer #"],
 "contact_id": ["Contact ID", "ID", "Contact #"],
 "site_id": ["Site ID", "Location ID", "Site #"],
 "technician_id": ["Technician ID", "Tech ID", "Employee ID", "Assigned Tech", "Technician"],
 "work_order_id": ["Work Order ID", "Job ID", "WO ID", "Ticket ID"],
 "number": ["Job #", "WO Number", "Work Order No.", "Ticket #", "Number"],
 "line_id": ["Line ID", "Item ID", "Line #"],
 "appointment_id": ["Appointment ID", "Appt ID", "Visit ID", "Booking ID"],
 "invoice_id": ["Invoice ID", "Inv ID"],
 "invoice_number": ["Invoice #", "Invoice No.", "Invoice Number"],
 "part_id": ["Part Line ID", "Usage ID", "Part ID"],
 "note_id": ["Note ID", "Comment ID", "Entry ID"],
 "attachment_id": ["Attachment ID", "File ID"],
 "name": ["Name", "Company Name", "Customer Name", "Client Name"],
 "first_name": ["First Name", "First", "Given Name", "FirstName"],
 "last_name": ["Last Name", "Surname", "Last", "LastName"],
 "email": ["Email", "E-mail Address", "Email Address", "E-Mail"],
 "phone": ["Phone", "Phone #", "Telephone", "Phone Number", "Main Phone"],
 "mobile": ["Mobile", "Cell", "Mobile Phone", "Cell Phone"],
 "bill_street": ["Billing Address", "Street", "Address Line 1", "Bill Street"],
 "bill_city": ["City", "Billing City"], "bill_state": ["State", "Billing State", "State/Province"],
 "bill_zip": ["Zip/Postal Code", "ZIP", "Postal Code", "Billing Zip"],
 "bill_country": ["Country", "Billing Country"],
 "street": ["Street", "Address", "Address Line 1", "Site Address"],
 "zip": ["Zip", "Zip Code", "Postal Code"],
 "scheduled_at": ["Scheduled Date", "Scheduled", "Date Scheduled", "Scheduled For"],
 "completed_at": ["Completed", "Date Completed", "Completion Date", "Closed On"],
 "created_at": ["Created", "Date Created", "Created On", "Entered"],
 "updated_at": ["Last Updated", "Date Modified", "Updated", "Last Modified", "Modified"],
 "status": ["Status", "Job Status", "State"], "priority": ["Priority", "Urgency"],
 "description": ["Description", "Job Description", "Problem", "Details"],
 "quantity": ["Qty", "Quantity", "QTY"], "unit_price": ["Unit Price", "Price", "Rate"],
 "start": ["Start", "Start Time", "Starts"], "end": ["End", "End Time", "Ends"],
 "author_technician_id": ["Author", "Written By", "Entered By", "Technician"],
 "body_html": ["Note", "Body", "Comment", "Text"],
 "skills": ["Skills", "Skill Set", "Trades"], "active": ["Active", "Is Active", "Enabled"],
 "service_type": ["Service Type", "Job Type", "Type"], "po_number": ["PO #", "PO Number",
                  "Customer PO"],
 "taxable": ["Taxable", "Tax?"], "kind": ["Type", "Line Type", "Item Type"],
 "invoice_date": ["Invoice Date", "Date"], "due_date": ["Due Date", "Due"],
 "subtotal": ["Subtotal", "Sub Total"], "tax": ["Tax", "Sales Tax"], "total": ["Total",
              "Grand Total"],
 "cost": ["Cost", "Unit Cost"], "file_name": ["File Name", "Filename"], "path": ["Path",
          "File Path"],
 "mime_type": ["Mime Type", "Content Type"], "size": ["Size", "File Size"],
 "latitude": ["Latitude", "Lat"], "longitude": ["Longitude", "Lng", "Long"],
 "travel_start": ["Travel Start", "En Route"], "arrived_at": ["Arrived", "Arrival Time"],
 "title": ["Title", "Job Title"], "role": ["Role", "Contact Role"],
 "credit_limit": ["Credit Limit"], "tax_type": ["Tax Type", "Tax Code"],
                  "payment_type": ["Payment Terms", "Terms"],
 "sales_rep_email": ["Sales Rep", "Sales Rep Email"], "notes": ["Notes", "Comments"],
 "customer_type": ["Customer Type", "Type"], "office_notes": ["Office Notes", "Internal Notes"],
 "billing_notes": ["Billing Notes"], "access_notes": ["Access Notes", "Gate Code", "Directions"],
}
def _style(label, rng):
    s = rng.choice(["title", "upper", "snake", "camel", "asis"])
    if s == "upper":
        return label.upper()
    if s == "snake":
        return re.sub(r"[^0-9a-z]+", "_", label.lower()).strip("_")
    if s == "camel":
        words = re.sub(r"[^0-9A-Za-z]+", " ", label).split()
        return words[0].lower() + "".join(x.title() for x in words[1:]) if words else label
    return label

def random_shape(seed):
    """``(files, labels, links, dates, drop)`` of a random foreign shape (fixed by
    ``seed``): file names and labels from synonym pools in random styles, each link
    by id or another key, dates ISO/day-first/month-first, optional columns dropped."""
    rng = random.Random(seed)
    files = {o: rng.choice(v) + rng.choice([".csv", ".CSV", " export.csv", ".xlsx"])
             for o, v in FILE_NAMES.items()}
    labels = {}
    for obj in CANONICAL:
        used = set()
        lab = {}
        for c in columns_of(obj):
            choices = LABELS.get(c, [c.replace("_", " ").title()])
            for _ in range(5):
                label = _style(rng.choice(choices), rng)
                if label.lower() not in used:
                    break
            else:
                label = c
            used.add(label.lower())
            lab[c] = label
        labels[obj] = lab
    links = {}
    for obj, spec in CANONICAL.items():
        for col, target in spec.links.items():
            opts = ["id"] + {"customers": ["number", "name", "email"],
                             "technicians": ["full_name", "email"],
                             "work_orders": ["number"], "invoices": ["number"]}.get(target, [])
            kind = rng.choice(opts)
            if kind != "id":
                links[(obj, col)] = (kind, target)
    dates = rng.choice(["iso", "dmy", "mdy"])
    drop = []
    for obj, spec in CANONICAL.items():
        optional = [c for c in columns_of(obj) if c != spec.id_column and c not in spec.links
                    and c not in ("first_name", "last_name", "email", "number",
                                  "account_code", "invoice_number", "path")]
        count = min(len(optional), rng.randint(0, 2))
        drop.extend((obj, c) for c in rng.sample(optional, count))
    return files, labels, links, dates, tuple(drop)
