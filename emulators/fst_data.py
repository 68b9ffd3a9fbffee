"""Seeded, deterministic Field Service Trakker data (bundle files and REST emulator).

``generate(scale, seed)`` returns an :class:`FstDataset`; the same arguments always give
the same records and file bytes. Scale 1 is about 1,300 records in all, scale 100 about
130,000 (a few seconds). The objects and their columns are the bundle layout of
``services.fst_bundle.BUNDLE_OBJECTS`` (documented in ``emulators/FST_BUNDLE.md``):

* customers: customer_id, account_code, name, customer_type (Commercial/Residential),
  status (Customer/Prospect), first_name, last_name, email, phone, mobile, tax_type,
  payment_type, credit_limit, sales_rep_email, notes, bill_street, bill_street2,
  bill_city, bill_state, bill_zip, bill_country, created_at, updated_at
* contacts: contact_id, customer_id, first_name, last_name, title, role (Billing / Site
  contact / Primary), email, phone, mobile, updated_at, + ``cf_<name>`` custom fields
* sites: site_id, customer_id, name, street, street2, city, state, zip, country,
  latitude, longitude, access_notes, updated_at
* technicians: technician_id, first_name, last_name, email, phone, skills (``;``
  separated), active, updated_at
* work_orders: work_order_id, number, customer_id, site_id, technician_id,
  service_type, status, priority, po_number, description, office_notes, billing_notes,
  created_at, scheduled_at, completed_at, updated_at, + ``cf_<name>`` custom fields
* work_order_lines: line_id, work_order_id, kind (product/labor/rental), description,
  quantity, unit_price, taxable, updated_at
* appointments: appointment_id, work_order_id, technician_id, start, end, travel_start,
  arrived_at, status, updated_at
* invoices: invoice_id, work_order_id, customer_id, invoice_number, invoice_date,
  due_date, status (Draft/Open/Paid/Void), subtotal, tax, total, updated_at
* invoice_lines: line_id, invoice_id, description, quantity, unit_price, taxable
* parts_used: part_id, work_order_id, name, quantity, cost
* notes: note_id, work_order_id, author_technician_id, created_at, body_html
* attachments (manifest): attachment_id, work_order_id, file_name, path (relative to
  ``files/``), mime_type, size, sha1
* custom_fields (schema): object, name, label, type, options (``|`` separated), required

Values are typed as a JSON API would give them (int ids, float amounts, bool flags,
``None`` when empty, strings otherwise); :func:`csv_value` gives their text in the
bundle. The mess is deliberate (see :mod:`emulators.messy`): mixed-case statuses,
duplicated e-mails, orphan work orders whose customer does not exist, …
"""

import hashlib
import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from services.fst_bundle import BUNDLE_OBJECTS, custom_field_column

from . import messy
from .variations import VariationReport, apply_variations

#: records per object at scale 1 (objects created per parent are drawn around these)
BASE_COUNTS = {"customers": 80, "technicians": 10, "work_orders": 155}
EPOCH_START = datetime(2019, 1, 1, tzinfo=timezone.utc)
EPOCH_END = datetime(2025, 6, 30, tzinfo=timezone.utc)

#: the custom fields FST declares, as rows of ``custom_fields.csv``
CUSTOM_FIELDS = (
    {"object": "work_orders", "name": "equipment_serial", "label": "Equipment serial #",
     "type": "char", "options": "", "required": False},
    {"object": "work_orders", "name": "equipment_model", "label": "Equipment model",
     "type": "char", "options": "", "required": False},
    {"object": "work_orders", "name": "under_warranty", "label": "Under warranty",
     "type": "boolean", "options": "", "required": False},
    {"object": "work_orders", "name": "warranty_expires", "label": "Warranty expires",
     "type": "date", "options": "", "required": False},
    {"object": "work_orders", "name": "visit_count", "label": "Visits",
     "type": "integer", "options": "", "required": False},
    {"object": "work_orders", "name": "estimated_hours", "label": "Estimated hours",
     "type": "float", "options": "", "required": False},
    {"object": "work_orders", "name": "contract_level", "label": "Service contract",
     "type": "selection", "options": "None|Bronze|Silver|Gold|Platinum", "required": True},
    {"object": "work_orders", "name": "follow_up_at", "label": "Follow-up",
     "type": "datetime", "options": "", "required": False},
    {"object": "work_orders", "name": "site_instructions", "label": "Site instructions",
     "type": "text", "options": "", "required": False},
    {"object": "contacts", "name": "preferred_contact", "label": "Preferred contact method",
     "type": "selection", "options": "Phone|E-mail|Text message", "required": False},
)

WO_STATUSES = ("Open", "Scheduled", "In Progress", "On Hold", "Completed", "Cancelled")
WO_STATUS_WEIGHTS = (10, 15, 8, 4, 55, 8)
PRIORITIES = ("Low", "Normal", "High", "Urgent")
SERVICE_TYPES = ("Repair", "Preventive Maintenance", "Installation", "Inspection",
                 "Emergency", "Warranty", "Estimate")
SKILLS = ("HVAC", "Plumbing", "Electrical", "Refrigeration", "Boilers", "Backflow",
          "Fire Sprinkler", "Appliance", "Roofing", "Controls")
PARTS = (("Capacitor 45/5 MFD", 18.5), ("Contactor 2P 40A", 24.0), ("Air filter 16x25x1", 6.75),
         ("Thermostat T6 Pro", 89.0), ("Flare fitting 3/8\"", 3.2), ("R-410A refrigerant (lb)",
         35.0), ("Ignitor", 42.0), ("Flame sensor", 19.9), ("PVC elbow ½\"", 1.15),
         ("Wax ring", 4.5), ("Ball valve ¾\"", 14.25), ("Breaker 20A", 11.0))
LABOR = (("Labor - regular hour", 95.0), ("Labor - overtime hour", 142.5),
         ("Trip charge", 79.0), ("Diagnostic fee", 119.0))
RENTALS = (("Scissor lift (day)", 250.0), ("Dehumidifier (day)", 65.0),
           ("Pipe camera (day)", 120.0))
TITLES = ("Owner", "Office Manager", "Facilities Manager", "Accounts Payable", "Tenant",
          "Property Manager", "Maintenance Lead", "", "")
CONTACT_ROLES = ("Billing", "Site contact", "Primary")
SITE_NAMES = ("Main office", "Warehouse", "Store #%d", "Building %s", "Residence",
              "Rental unit %d", "Plant", "Clinic")
TAX_TYPES = ("Taxable", "Taxable", "Exempt", "Resale", "")
PAYMENT_TYPES = ("Net 30", "Net 15", "COD", "Credit Card", "Check", "Due on receipt", "")
APPOINTMENT_STATUSES = ("Scheduled", "Dispatched", "En Route", "On Site", "Completed",
                        "Cancelled")


def csv_value(value):
    """Text of a generated value in the bundle: ``None`` → ``""``, bools as Yes/No."""
    if value is None:
        return ""
    if value is True:
        return "Yes"
    if value is False:
        return "No"
    return str(value)


def columns_of(obj):
    """Columns of ``obj`` in the bundle, custom field columns (``cf_<name>``) last."""
    spec = next(o for o in BUNDLE_OBJECTS if o.name == obj)
    custom = tuple(custom_field_column(f["name"]) for f in CUSTOM_FIELDS if f["object"] == obj)
    return spec.columns + custom


@dataclass
class FstDataset:
    """Generated FST records per object, plus the attachment bytes by path."""

    scale: float
    seed: int
    records: dict = field(default_factory=dict)  # object → list of record dicts
    files: dict = field(default_factory=dict)  # path relative to files/ → bytes
    #: what ``generate(variations=…)`` changed (an ``emulators.variations.VariationReport``)
    variation_report: object = None

    @property
    def custom_fields(self):
        """Rows of ``custom_fields.csv``."""
        return [dict(row) for row in CUSTOM_FIELDS]

    def truth(self):
        """What a reader of this data must find: counts, cardinalities, orphans, schema."""
        customer_ids = {c["customer_id"] for c in self.records["customers"]}
        contacts = Counter(c["customer_id"] for c in self.records["contacts"])
        sites = Counter(s["customer_id"] for s in self.records["sites"])
        return {
            "counts": {obj: len(rows) for obj, rows in self.records.items()},
            "total": sum(len(rows) for rows in self.records.values()),
            "customers_with_2plus_contacts": sorted(k for k, n in contacts.items() if n >= 2),
            "customers_with_2plus_sites": sorted(k for k, n in sites.items() if n >= 2),
            "orphan_work_order_ids": sorted(
                w["work_order_id"] for w in self.records["work_orders"]
                if w["customer_id"] not in customer_ids),
            "custom_fields": self.custom_fields,
            "distinct_files": len({hashlib.sha1(b).hexdigest() for b in self.files.values()}),
        }


#: normalised fields per object, by kind (``Variations.malformed_rate``)
VALUE_KINDS = {
    "customers": [("email", "email"), ("phone", "phone"), ("mobile", "phone"),
                  ("bill_state", "state"), ("bill_country", "country"),
                  ("credit_limit", "number"), ("created_at", "datetime")],
    "contacts": [("email", "email"), ("phone", "phone"), ("mobile", "phone")],
    "sites": [("state", "state"), ("country", "country"), ("latitude", "number"),
              ("longitude", "number")],
    "technicians": [("email", "email"), ("phone", "phone")],
    "work_orders": [("created_at", "datetime"), ("scheduled_at", "datetime"),
                    ("completed_at", "datetime")],
    "work_order_lines": [("quantity", "number"), ("unit_price", "number")],
    "appointments": [("start", "datetime"), ("end", "datetime")],
    "invoices": [("invoice_date", "date"), ("due_date", "date"), ("subtotal", "number"),
                 ("tax", "number"), ("total", "number")],
    "invoice_lines": [("quantity", "number"), ("unit_price", "number")],
    "parts_used": [("quantity", "number"), ("cost", "number")],
}


def keep_fields(obj):
    """Fields an FST export always has: ids and links (``*_id``), keys and timestamps."""
    spec = next(o for o in BUNDLE_OBJECTS if o.name == obj)
    return ({c for c in spec.columns if c.endswith("_id")}
            | {"updated_at", "number", "invoice_number", "path", "file_name", "mime_type",
               "size", "sha1", "object", "name"})


def generate(scale=1, seed=0, variations=None):
    """The FST dataset for ``scale`` (1 ≈ 1,300 records) and ``seed``; ``variations``
    (:class:`emulators.variations.Variations`) makes it differ as real accounts do, and
    ``dataset.variation_report`` says exactly how."""
    dataset = _Generator(scale, seed).run()
    dataset.variation_report = VariationReport()
    if variations is not None and variations.active:
        dataset.variation_report = apply_variations(
            dataset.records, variations,
            keep={obj: keep_fields(obj) for obj in dataset.records}, kinds=VALUE_KINDS,
            id_fields={spec.name: spec.id_column for spec in BUNDLE_OBJECTS})
    return dataset


class _Generator:
    def __init__(self, scale, seed):
        self.rng = random.Random(f"fst:{seed}")
        self.data = FstDataset(scale=scale, seed=seed)
        self.counts = {obj: max(1, round(n * scale)) for obj, n in BASE_COUNTS.items()}
        self.next_ids = {}
        self.first_paths = []  # attachments whose bytes are reused by later ones

    def run(self):
        for obj in BUNDLE_OBJECTS:
            self.data.records[obj.name] = []
        self.technicians()
        self.customers()
        self.work_orders()
        return self.data

    # -- helpers -----------------------------------------------------------------------

    def new_id(self, obj, start):
        self.next_ids[obj] = self.next_ids.get(obj, start) + 1
        return self.next_ids[obj]

    def add(self, obj, record):
        self.data.records[obj].append(record)
        return record

    def times(self, after=EPOCH_START):
        """``(created, updated)`` aware datetimes, updated at or after created."""
        created = messy.moment(self.rng, after, EPOCH_END)
        updated = created if self.rng.random() < 0.3 else messy.moment(
            self.rng, created, min(EPOCH_END, created + timedelta(days=400)))
        return created, updated

    def stamp(self, when):
        return messy.timestamp(self.rng, when) if when is not None else None

    # -- objects -----------------------------------------------------------------------

    def technicians(self):
        rng = self.rng
        self.tech_ids, self.tech_emails = [], []
        for _ in range(self.counts["technicians"]):
            first, last = messy.person_name(rng)
            email = messy.email(rng, first, last, missing_rate=0.1)
            if self.tech_emails and rng.random() < 0.08:  # same person twice, other case
                email = rng.choice(self.tech_emails).strip().upper()
            tech_id = self.new_id("technicians", 500)
            _, updated = self.times()
            self.add("technicians", {
                "technician_id": tech_id, "first_name": first, "last_name": last,
                "email": email, "phone": messy.phone(rng),
                "skills": ";".join(rng.sample(SKILLS, rng.randint(0, 3))),
                "active": rng.random() > 0.15, "updated_at": self.stamp(updated),
            })
            self.tech_ids.append(tech_id)
            if email.strip():
                self.tech_emails.append(email)

    def customers(self):
        rng = self.rng
        self.customer_sites = {}
        emails = []
        rep_emails = [e.strip().lower() for e in self.tech_emails[:3]] + ["sales@example.com"]
        for index in range(self.counts["customers"]):
            commercial = rng.random() < 0.6
            first, last = messy.person_name(rng)
            name = messy.company_name(rng) if commercial else \
                rng.choice((f"{first} {last}", f"{last}, {first}"))
            email = messy.email(rng, first, last)
            if emails and rng.random() < 0.04:
                email = messy.mixed_case(rng, rng.choice(emails))
            if email.strip():
                emails.append(email)
            created, updated = self.times()
            address = messy.address(rng)
            customer_id = self.new_id("customers", 1000)
            self.add("customers", {
                "customer_id": customer_id,
                "account_code": f"ACCT-{index + 1:05d}" if rng.random() > 0.1 else None,
                "name": name,
                "customer_type": messy.status(rng, "Commercial" if commercial
                                              else "Residential"),
                "status": messy.status(rng, "Customer" if rng.random() < 0.85 else "Prospect"),
                "first_name": first, "last_name": last, "email": email,
                "phone": messy.phone(rng), "mobile": messy.phone(rng, missing_rate=0.5),
                "tax_type": rng.choice(TAX_TYPES), "payment_type": rng.choice(PAYMENT_TYPES),
                "credit_limit": rng.choice((None, 0.0, 1000.0, 2500.0, 5000.0, 25000.0)),
                "sales_rep_email": rng.choice(rep_emails) if rng.random() < 0.6 else None,
                "notes": messy.notes(rng),
                "bill_street": address["street"], "bill_street2": address["street2"],
                "bill_city": address["city"], "bill_state": address["state"],
                "bill_zip": address["zip"], "bill_country": address["country"],
                "created_at": self.stamp(created), "updated_at": self.stamp(updated),
            })
            self.sites(customer_id, address, commercial, created)
            self.contacts(customer_id, created)

    def sites(self, customer_id, bill_address, commercial, after):
        rng = self.rng
        draw = rng.random()
        count = 1 if draw < 0.7 else 2 if draw < 0.9 else rng.randint(3, 5)
        site_ids = []
        for number in range(count):
            address = bill_address if number == 0 and rng.random() < 0.6 else \
                messy.address(rng)
            pattern = rng.choice(SITE_NAMES) if commercial else "Residence"
            name = pattern % (number + 1) if "%d" in pattern else \
                pattern % "ABCDE"[number] if "%s" in pattern else pattern
            located = rng.random() < 0.8
            site_id = self.new_id("sites", 3000)
            self.add("sites", {
                "site_id": site_id, "customer_id": customer_id, "name": name,
                "street": address["street"], "street2": address["street2"],
                "city": address["city"], "state": address["state"], "zip": address["zip"],
                "country": address["country"],
                "latitude": round(rng.uniform(25.0, 55.0), 6) if located else None,
                "longitude": round(rng.uniform(-124.0, -66.0), 6) if located else None,
                "access_notes": messy.notes(rng, empty_rate=0.6),
                "updated_at": self.stamp(self.times(after)[1]),
            })
            site_ids.append(site_id)
        self.customer_sites[customer_id] = site_ids

    def contacts(self, customer_id, after):
        rng = self.rng
        draw = rng.random()
        count = 0 if draw < 0.25 else 1 if draw < 0.65 else 2 if draw < 0.85 else \
            rng.randint(3, 4)
        for _ in range(count):
            first, last = messy.person_name(rng)
            self.add("contacts", {
                "contact_id": self.new_id("contacts", 7000), "customer_id": customer_id,
                "first_name": first, "last_name": last, "title": rng.choice(TITLES),
                "role": messy.status(rng, rng.choice(CONTACT_ROLES)),
                "email": messy.email(rng, first, last, missing_rate=0.15),
                "phone": messy.phone(rng), "mobile": messy.phone(rng, missing_rate=0.4),
                "updated_at": self.stamp(self.times(after)[1]),
                "cf_preferred_contact": rng.choice(("Phone", "E-mail", "Text message", None)),
            })

    def work_orders(self):
        rng = self.rng
        customers = self.data.records["customers"]
        for index in range(self.counts["work_orders"]):
            orphan = rng.random() < 0.02
            if orphan:
                customer_id, site_id = 990000 + index, rng.choice((None, 999999))
            else:
                customer_id = rng.choice(customers)["customer_id"]
                site_id = rng.choice(self.customer_sites[customer_id]) \
                    if rng.random() < 0.9 else None
            status = rng.choices(WO_STATUSES, WO_STATUS_WEIGHTS)[0]
            created, updated = self.times()
            scheduled = None if status == "Open" else \
                created + timedelta(hours=rng.randint(2, 24 * 20))
            completed = scheduled + timedelta(hours=rng.uniform(0.5, 8)) \
                if status == "Completed" else None
            updated = max(updated, completed or updated)
            wo_id = self.new_id("work_orders", 20000)
            technician_id = rng.choice(self.tech_ids) if rng.random() < 0.85 else None
            record = {
                "work_order_id": wo_id, "number": f"WO-{index + 1:06d}",
                "customer_id": customer_id, "site_id": site_id,
                "technician_id": technician_id,
                "service_type": messy.status(rng, rng.choice(SERVICE_TYPES)),
                "status": messy.status(rng, status),
                "priority": messy.status(rng, rng.choices(PRIORITIES, (20, 55, 18, 7))[0]),
                "po_number": f"PO{rng.randint(10000, 999999)}" if rng.random() < 0.3 else None,
                "description": messy.long_text(rng) if rng.random() < 0.01
                else messy.sentence(rng),
                "office_notes": messy.notes(rng, empty_rate=0.5),
                "billing_notes": messy.notes(rng, empty_rate=0.7),
                "created_at": self.stamp(created), "scheduled_at": self.stamp(scheduled),
                "completed_at": self.stamp(completed), "updated_at": self.stamp(updated),
            }
            record.update(self.custom_values(created))
            self.add("work_orders", record)
            lines = self.work_order_lines(wo_id, updated)
            self.appointments(wo_id, technician_id, status, scheduled, completed)
            if status == "Completed" and rng.random() < 0.8 or \
                    status == "In Progress" and rng.random() < 0.2:
                self.invoice(wo_id, customer_id, lines, completed or updated, status)
            if status == "Completed" and rng.random() < 0.35:
                self.parts_used(wo_id)
            if rng.random() < 0.45:
                self.notes(wo_id, technician_id, created)
            if rng.random() < 0.15:
                self.attachments(wo_id)

    def custom_values(self, created):
        rng = self.rng
        values = {
            "cf_equipment_serial": f"SN{rng.randint(100000, 9999999)}"
            if rng.random() < 0.6 else None,
            "cf_equipment_model": rng.choice(("Carrier 24ACC6", "Trane XR14", "Lennox ML180",
                                              "Rheem RA14", "Goodman GSX14", None, None)),
            "cf_under_warranty": rng.choice((True, False, None)),
            "cf_warranty_expires": (created + timedelta(days=rng.randint(-400, 900)))
            .date().isoformat() if rng.random() < 0.4 else None,
            "cf_visit_count": rng.randint(1, 12) if rng.random() < 0.5 else None,
            "cf_estimated_hours": round(rng.uniform(0.5, 16), 2) if rng.random() < 0.5
            else None,
            "cf_contract_level": messy.status(rng, rng.choice(
                ("None", "Bronze", "Silver", "Gold", "Platinum"))),
            "cf_follow_up_at": self.stamp(created + timedelta(days=rng.randint(7, 90)))
            if rng.random() < 0.2 else None,
            "cf_site_instructions": messy.notes(rng, empty_rate=0.7),
        }
        return values

    def work_order_lines(self, wo_id, updated):
        rng = self.rng
        lines = []
        for _ in range(rng.choices((0, 1, 2, 3, 4), (20, 30, 25, 15, 10))[0]):
            kind = rng.choices(("product", "labor", "rental"), (55, 38, 7))[0]
            catalogue = PARTS if kind == "product" else LABOR if kind == "labor" else RENTALS
            description, price = rng.choice(catalogue)
            quantity = rng.choice((1, 1, 1, 2, 3, 0.5, 1.5, 4))
            line = self.add("work_order_lines", {
                "line_id": self.new_id("work_order_lines", 40000), "work_order_id": wo_id,
                "kind": kind, "description": description, "quantity": quantity,
                "unit_price": price, "taxable": kind != "labor" and rng.random() < 0.9,
                "updated_at": self.stamp(updated),
            })
            lines.append(line)
        return lines

    def appointments(self, wo_id, technician_id, status, scheduled, completed):
        rng = self.rng
        if scheduled is None:
            return
        count = 1 if rng.random() < 0.8 else 2
        for number in range(count):
            start = scheduled + timedelta(days=number * rng.randint(1, 7))
            end = start + timedelta(minutes=rng.choice((60, 90, 120, 180, 240)))
            done = status == "Completed"
            travel = start - timedelta(minutes=rng.randint(10, 60)) if done else None
            arrived = travel + timedelta(minutes=rng.randint(5, 70)) if done else None
            appointment_status = "Completed" if done else "Cancelled" \
                if status == "Cancelled" else rng.choice(APPOINTMENT_STATUSES[:4])
            self.add("appointments", {
                "appointment_id": self.new_id("appointments", 60000), "work_order_id": wo_id,
                "technician_id": technician_id if rng.random() < 0.95
                else rng.choice(self.tech_ids),
                "start": self.stamp(start), "end": self.stamp(end),
                "travel_start": self.stamp(travel), "arrived_at": self.stamp(arrived),
                "status": messy.status(rng, appointment_status),
                "updated_at": self.stamp(completed or end),
            })

    def invoice(self, wo_id, customer_id, lines, when, wo_status):
        rng = self.rng
        invoice_id = self.new_id("invoices", 80000)
        if not lines:
            description, price = rng.choice(LABOR)
            lines = [{"description": description, "quantity": 1, "unit_price": price,
                      "taxable": False}]
        subtotal = taxable = 0.0
        for line in lines:
            amount = round(line["quantity"] * line["unit_price"], 2)
            subtotal += amount
            taxable += amount if line["taxable"] else 0.0
            self.add("invoice_lines", {
                "line_id": self.new_id("invoice_lines", 90000), "invoice_id": invoice_id,
                "description": line["description"], "quantity": line["quantity"],
                "unit_price": line["unit_price"], "taxable": line["taxable"],
            })
        tax = round(taxable * rng.choice((0.0825, 0.07, 0.13, 0.14975, 0.05)), 2)
        status = "Draft" if wo_status != "Completed" else \
            rng.choices(("Draft", "Open", "Paid", "Void"), (5, 25, 65, 5))[0]
        self.add("invoices", {
            "invoice_id": invoice_id, "work_order_id": wo_id, "customer_id": customer_id,
            "invoice_number": f"INV-{invoice_id - 80000:06d}" if status != "Draft" else None,
            "invoice_date": when.date().isoformat(),
            "due_date": (when + timedelta(days=30)).date().isoformat(),
            "status": messy.status(rng, status), "subtotal": round(subtotal, 2),
            "tax": tax, "total": round(subtotal + tax, 2),
            "updated_at": self.stamp(when + timedelta(days=rng.randint(0, 40))),
        })

    def parts_used(self, wo_id):
        rng = self.rng
        for name, cost in rng.sample(PARTS, rng.randint(1, 3)):
            self.add("parts_used", {
                "part_id": self.new_id("parts_used", 120000), "work_order_id": wo_id,
                "name": name, "quantity": rng.choice((1, 1, 2, 3, 0.5)),
                "cost": round(cost * rng.uniform(0.5, 0.8), 2),
            })

    def notes(self, wo_id, technician_id, after):
        rng = self.rng
        for _ in range(rng.randint(1, 3)):
            self.add("notes", {
                "note_id": self.new_id("notes", 140000), "work_order_id": wo_id,
                "author_technician_id": technician_id if rng.random() < 0.8
                else rng.choice(self.tech_ids + [None]),
                "created_at": self.stamp(messy.moment(rng, after, EPOCH_END)),
                "body_html": messy.html_note(rng),
            })

    def attachments(self, wo_id):
        rng = self.rng
        files = self.data.files
        for _ in range(rng.randint(1, 2)):
            attachment_id = self.new_id("attachments", 160000)
            kind = rng.choices(("png", "pdf", "txt", "copy"), (45, 25, 15, 15))[0]
            if kind == "copy" and files:  # the same bytes again, under another name
                content = files[rng.choice(self.first_paths)]
                kind = "pdf" if content.startswith(b"%PDF") else "png" \
                    if content.startswith(b"\x89PNG") else "txt"
            elif kind == "png":
                content = messy.png_bytes(rng, size=rng.choice((4, 8, 16)))
            elif kind == "pdf":
                content = messy.pdf_bytes(rng, f"Work order {wo_id}")
            else:
                kind = "txt"
                content = messy.notes(rng, empty_rate=0).encode()
            file_name = rng.choice({
                "png": ("photo.png", "Façade photo.png", "IMG_%d.PNG", "before.png"),
                "pdf": ("signed work order.pdf", "quote.pdf", "Invoice_%d.pdf"),
                "txt": ("readings.txt", "notes %d.txt"),
            }[kind])
            if "%d" in file_name:
                file_name = file_name % rng.randint(1000, 9999)
            path = f"wo_{wo_id}/{attachment_id}_{file_name}"
            files[path] = content
            if len(self.first_paths) < 5:
                self.first_paths.append(path)
            self.add("attachments", {
                "attachment_id": attachment_id, "work_order_id": wo_id,
                "file_name": file_name, "path": path,
                "mime_type": {"png": "image/png", "pdf": "application/pdf",
                              "txt": "text/plain"}[kind],
                "size": len(content), "sha1": hashlib.sha1(content).hexdigest(),
            })
