"""The bundle's layout: its object files and their columns, the custom field types, name keys."""

import re
from dataclasses import dataclass

#: folder of the attachment bytes, next to the CSV files
FILES_FOLDER = "files"
_NOT_ALNUM = re.compile(r"[^0-9a-z]+")


@dataclass(frozen=True)
class BundleObject:
    """One CSV file of the bundle: its columns in export order and which are required."""

    name: str
    id_column: str
    columns: tuple
    required: tuple
    #: column compared with ``since`` for delta pickup (None: the object is never filtered)
    timestamp_column: str | None = "updated_at"
    #: columns whose values, joined by ``.``, make the record id (default: ``id_column``)
    key_columns: tuple = ()


#: the bundle layout, in dependency order (see ``emulators/FST_BUNDLE.md``)
BUNDLE_OBJECTS = (
    BundleObject("customers", "customer_id", (
        "customer_id", "account_code", "name", "customer_type", "status", "first_name",
        "last_name", "email", "phone", "mobile", "tax_type", "payment_type", "credit_limit",
        "sales_rep_email", "notes", "bill_street", "bill_street2", "bill_city", "bill_state",
        "bill_zip", "bill_country", "created_at", "updated_at"), ("customer_id",)),
    BundleObject("contacts", "contact_id", (
        "contact_id", "customer_id", "first_name", "last_name", "title", "role", "email",
        "phone", "mobile", "updated_at"), ("contact_id", "customer_id")),
    BundleObject("sites", "site_id", (
        "site_id", "customer_id", "name", "street", "street2", "city", "state", "zip",
        "country", "latitude", "longitude", "access_notes", "updated_at"),
        ("site_id", "customer_id")),
    BundleObject("technicians", "technician_id", (
        "technician_id", "first_name", "last_name", "email", "phone", "skills", "active",
        "updated_at"), ("technician_id",)),
    BundleObject("work_orders", "work_order_id", (
        "work_order_id", "number", "customer_id", "site_id", "technician_id", "service_type",
        "status", "priority", "po_number", "description", "office_notes", "billing_notes",
        "created_at", "scheduled_at", "completed_at", "updated_at"), ("work_order_id",)),
    BundleObject("work_order_lines", "line_id", (
        "line_id", "work_order_id", "kind", "description", "quantity", "unit_price",
        "taxable", "updated_at"), ("line_id", "work_order_id")),
    BundleObject("appointments", "appointment_id", (
        "appointment_id", "work_order_id", "technician_id", "start", "end", "travel_start",
        "arrived_at", "status", "updated_at"), ("appointment_id", "work_order_id")),
    BundleObject("invoices", "invoice_id", (
        "invoice_id", "work_order_id", "customer_id", "invoice_number", "invoice_date",
        "due_date", "status", "subtotal", "tax", "total", "updated_at"), ("invoice_id",)),
    BundleObject("invoice_lines", "line_id", (
        "line_id", "invoice_id", "description", "quantity", "unit_price", "taxable"),
        ("line_id", "invoice_id"), timestamp_column=None),
    BundleObject("parts_used", "part_id", (
        "part_id", "work_order_id", "name", "quantity", "cost"),
        ("part_id", "work_order_id"), timestamp_column=None),
    BundleObject("notes", "note_id", (
        "note_id", "work_order_id", "author_technician_id", "created_at", "body_html"),
        ("note_id", "work_order_id"), timestamp_column="created_at"),
    BundleObject("attachments", "attachment_id", (
        "attachment_id", "work_order_id", "file_name", "path", "mime_type", "size", "sha1"),
        ("attachment_id", "path"), timestamp_column=None),
)
OBJECTS_BY_NAME = {obj.name: obj for obj in BUNDLE_OBJECTS}
#: the custom field schema file: one row per custom field of an object
CUSTOM_FIELDS_FILE = BundleObject(
    "custom_fields", "name", ("object", "name", "label", "type", "options", "required"),
    ("object", "name"), timestamp_column=None, key_columns=("object", "name"))
#: custom field types the engine knows, and spellings met in exports
CUSTOM_FIELD_TYPES = ("char", "text", "integer", "float", "boolean", "date", "datetime",
                      "selection")
_TYPE_ALIASES = {
    "string": "char", "varchar": "char", "memo": "text", "multiline": "text",
    "longtext": "text", "int": "integer", "number": "float", "decimal": "float",
    "currency": "float", "money": "float", "bool": "boolean", "checkbox": "boolean",
    "yesno": "boolean", "timestamp": "datetime", "dropdown": "selection",
    "picklist": "selection", "list": "selection", "choice": "selection",
}
_TRUE_WORDS = frozenset({"1", "true", "yes", "y", "x", "t", "required"})


def name_key(text):
    """Key used to compare file and column names: lower case, letters and digits only."""
    return _NOT_ALNUM.sub("", text.lower())


def snake_case(text):
    """``"Gate Code #"`` → ``"gate_code"``: the name under which an unknown column is kept."""
    return _NOT_ALNUM.sub("_", text.strip().lower()).strip("_")


def custom_field_column(name):
    """Column holding the values of custom field ``name`` in its object's file."""
    return "cf_" + snake_case(name)


def field_type(raw):
    """The engine's type for a custom field type as spelled in an export, else None."""
    text = (raw or "").strip().lower()
    text = _TYPE_ALIASES.get(name_key(text), text)
    return text if text in CUSTOM_FIELD_TYPES else None


def _object_name(text):
    """The bundle object named ``text`` in any spelling (``Work Orders``), else as is."""
    key = name_key(text)
    for obj in BUNDLE_OBJECTS:
        if name_key(obj.name) == key:
            return obj.name
    return text.strip()
