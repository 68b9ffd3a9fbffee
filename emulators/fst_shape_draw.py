"""The drawn choices of a foreign FST export shape: :class:`Shape`, :func:`draw_shape`
and the three :data:`FIXED_SHAPES` (written by :mod:`emulators.fst_shapes`)."""

import copy
import random
from dataclasses import dataclass, field

from services.fst_bundle import BUNDLE_OBJECTS

from . import fst_vocabulary as vocab
from .fst_data import CUSTOM_FIELDS

#: link column → the object it names (the canonical links of the FST objects)
LINK_TARGETS = {"customer_id": "customers", "site_id": "sites",
                "technician_id": "technicians", "work_order_id": "work_orders",
                "invoice_id": "invoices", "author_technician_id": "technicians"}
#: the key kinds a link to each object may use in a foreign export
LINK_KINDS = {"customers": ("id", "number", "name", "full_name", "email"),
              "sites": ("id", "name"), "technicians": ("id", "full_name", "email"),
              "work_orders": ("id", "number"), "invoices": ("id",)}
#: the number column of the objects that can be keyed by it
NUMBER_COLUMNS = {"customers": "account_code", "work_orders": "number"}
#: optional columns a foreign export may lack
DROPPABLE = {
    "customers": ("mobile", "bill_street2", "tax_type", "sales_rep_email", "notes",
                  "credit_limit", "created_at"),
    "contacts": ("title", "mobile"), "sites": ("street2", "access_notes", "latitude"),
    "technicians": ("skills", "phone"),
    "work_orders": ("po_number", "billing_notes", "office_notes", "priority"),
    "appointments": ("travel_start", "arrived_at"), "invoices": ("due_date",),
    "attachments": ("sha1", "size", "mime_type"),
}
BOOL_WORDS = (("Yes", "No"), ("Y", "N"), ("TRUE", "FALSE"), ("1", "0"))
ENCODINGS = ("utf-8", "utf-8-sig", "cp1252", "utf-16")


@dataclass
class Shape:
    """Every drawn choice of one foreign shape (see :func:`draw_shape`)."""

    shape_seed: int
    name: str | None = None
    format: str = "csv"  # csv, xlsx
    workbook: str | None = None  # xlsx: one workbook holding every sheet, else one each
    encoding: str = "utf-8"
    delimiter: str = ","
    extension: str = ".csv"
    date_order: str = "ymd"  # dmy, mdy, ymd
    clock: str = "24"
    decimal: str = "."
    currency: str = ""  # a symbol put before money amounts, or ""
    bool_words: tuple = ("Yes", "No")
    native_dates: bool = False  # xlsx: dates as date cells (the reader shows them ISO)
    label_style: str = "as_is"
    file_style: str = "as_is"
    root: str = ""
    keys: dict = field(default_factory=lambda: {"customers": "id", "work_orders": "id"})
    #: "<object>.<link column>" → key kind
    links: dict = field(default_factory=dict)
    #: "<object>.<link column>" → "first_last" or "last_first" (full_name links)
    name_order: dict = field(default_factory=dict)
    attachments: str = "manifest"  # manifest, folders
    photo_folder: str = "files"
    folder_key: str = "id"  # what the per-record folders are named by
    dropped: dict = field(default_factory=dict)  # object → dropped columns
    custom: tuple = ()  # custom field names written as plain columns
    shuffle: bool = False
    extras: tuple = ()


def draw_shape(shape_seed, **overrides):
    """The shape drawn from ``shape_seed``; ``overrides`` fix some choices (a field of
    :class:`Shape`; ``links`` maps a link column name or ``obj.column`` to a kind)."""
    rng = random.Random(f"fst-shape:{shape_seed}")
    shape = Shape(shape_seed)
    shape.format = rng.choice(("csv", "csv", "xlsx"))
    if shape.format == "xlsx":
        shape.workbook = rng.choice(vocab.WORKBOOK_NAMES) if rng.random() < 0.5 else None
        shape.extension = ".xlsx"
        shape.native_dates = rng.random() < 0.4
    shape.encoding = rng.choice(ENCODINGS)
    shape.date_order = rng.choice(("dmy", "mdy", "ymd"))
    shape.clock = "12" if shape.date_order == "mdy" and rng.random() < 0.7 else \
        rng.choice(("12", "24", "24"))
    shape.decimal = "," if shape.date_order == "dmy" and rng.random() < 0.5 else "."
    shape.delimiter = rng.choice((";", "\t")) if shape.decimal == "," else \
        rng.choice((",", ",", ";", "\t"))
    if shape.format == "csv":
        shape.extension = ".txt" if shape.delimiter == "\t" and rng.random() < 0.5 else \
            ".tsv" if shape.delimiter == "\t" and rng.random() < 0.3 else \
            rng.choice((".csv", ".csv", ".CSV"))
    shape.currency = rng.choice(("", "", "", "$"))
    shape.bool_words = rng.choice(BOOL_WORDS)
    shape.label_style = rng.choice(vocab.LABEL_STYLES)
    shape.file_style = rng.choice(vocab.FILE_STYLES)
    shape.root = rng.choice(vocab.ROOT_FOLDERS)
    shape.keys = {obj: "number" if rng.random() < 0.35 else "id" for obj in NUMBER_COLUMNS}
    for spec in BUNDLE_OBJECTS:
        for column in spec.columns:
            if column in LINK_TARGETS and column != spec.id_column:
                shape.links[f"{spec.name}.{column}"] = rng.choice(
                    LINK_KINDS[LINK_TARGETS[column]])
                shape.name_order[f"{spec.name}.{column}"] = rng.choice(
                    ("first_last", "last_first"))
    shape.attachments = rng.choice(("manifest", "folders"))
    shape.photo_folder = rng.choice(vocab.PHOTO_FOLDERS)
    shape.folder_key = rng.choice(("id", "number"))
    shape.dropped = {obj: tuple(c for c in cols if rng.random() < 0.25)
                     for obj, cols in DROPPABLE.items()}
    shape.custom = tuple(f["name"] for f in CUSTOM_FIELDS if rng.random() < 0.8)
    shape.shuffle = rng.random() < 0.3
    shape.extras = tuple(e for e in ("README.txt", "logo.png") if rng.random() < 0.3)
    links = overrides.pop("links", {})
    for name, value in overrides.items():
        setattr(shape, name, value)
    for key in list(shape.links):
        column = key.split(".", 1)[1]
        if key in links or column in links:
            shape.links[key] = links.get(key, links.get(column))
    _make_consistent(shape)
    return shape


def _make_consistent(shape):
    """No link by an id that the shape does not export; folders of numbered orders by
    number; xlsx files have no text encoding."""
    for key, kind in shape.links.items():
        target = LINK_TARGETS[key.split(".", 1)[1]]
        if kind == "id" and shape.keys.get(target) == "number":
            shape.links[key] = "number"
    if shape.keys["work_orders"] == "number":
        shape.folder_key = "number"
    if shape.format == "xlsx":
        shape.encoding, shape.delimiter = None, None
        if shape.native_dates:
            shape.date_order, shape.clock = "ymd", "24"


#: three named shapes for the Odoo tests and ``make demo``
FIXED_SHAPES = {
    "excel_office": {
        "shape_seed": 1001, "format": "xlsx", "workbook": "FST Export", "extension": ".xlsx",
        "native_dates": False, "date_order": "mdy", "clock": "12", "decimal": ".",
        "currency": "$", "label_style": "as_is", "file_style": "as_is", "root": "",
        "keys": {"customers": "id", "work_orders": "id"},
        "links": {"customer_id": "number", "work_order_id": "number", "site_id": "id",
                  "technician_id": "id", "author_technician_id": "id", "invoice_id": "id"},
        "attachments": "manifest", "photo_folder": "Attachments", "extras": ()},
    "legacy_cp1252": {
        "shape_seed": 1002, "format": "csv", "encoding": "cp1252", "delimiter": ";",
        "extension": ".csv", "date_order": "dmy", "clock": "24", "decimal": ",",
        "currency": "", "bool_words": ("Y", "N"), "label_style": "upper",
        "file_style": "as_is", "root": "",
        "keys": {"customers": "id", "work_orders": "id"},
        "links": {"customer_id": "full_name", "technician_id": "email",
                  "author_technician_id": "email", "site_id": "id", "work_order_id": "id",
                  "invoice_id": "id"},
        "attachments": "manifest", "photo_folder": "files", "extras": ("README.txt",)},
    "photos_by_folder": {
        "shape_seed": 1003, "format": "csv", "encoding": "utf-16", "delimiter": "\t",
        "extension": ".txt", "date_order": "mdy", "clock": "24", "decimal": ".",
        "label_style": "title", "file_style": "as_is", "root": "Export",
        "keys": {"customers": "number", "work_orders": "number"},
        "links": {"customer_id": "number", "work_order_id": "number", "site_id": "id",
                  "technician_id": "full_name", "author_technician_id": "full_name",
                  "invoice_id": "id"},
        "attachments": "folders", "photo_folder": "Photos", "folder_key": "number",
        "extras": ("logo.png",)},
}


def fixed_shape(name):
    """The fixed shape ``name`` of :data:`FIXED_SHAPES`."""
    options = copy.deepcopy(FIXED_SHAPES[name])
    return draw_shape(options.pop("shape_seed"), name=name, **options)
