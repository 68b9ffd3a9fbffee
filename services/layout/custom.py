"""Custom field schemas: an export's ``custom_fields`` table declares its custom columns.

The FST bundle layout (``emulators/FST_BUNDLE.md``) has a ``custom_fields.csv`` schema
(object, name, label, type, options, required) whose fields sit in their object's file
as ``cf_<name>`` columns. :func:`read_schema` reads such a table from raw tables (as
:class:`services.fst_bundle.FstBundleSource` does); :func:`declare_custom_columns`
gives a layout where each declared column present in its object's table has the role
``custom`` with the declared type. ``LayoutSource(raw, layout, custom_schema=defs)``
then declares the same custom fields (label, options, required) as the bundle reader.
"""

import posixpath

from ..fst_bundle import (
    _TRUE_WORDS,
    CUSTOM_FIELDS_FILE,
    _object_name,
    custom_field_column,
    field_type,
    name_key,
)
from ..source_base import CustomFieldDef, RecordIssue
from .model import ColumnLayout, SourceLayout


def schema_table(raw):
    """The :class:`~.model.TableInfo` of the export's custom field schema, else None."""
    wanted = name_key(CUSTOM_FIELDS_FILE.name)
    found = [t for t in raw.tables() if t.kind != "file" and t.header
             and name_key(posixpath.splitext(posixpath.basename(t.path))[0]
                          if t.sheet is None else t.sheet) == wanted]
    return min(found, key=lambda t: (t.path.count("/"), t.path), default=None)


def read_schema(raw, issues=None):
    """The :class:`CustomFieldDef` rows of the schema table (empty when there is none);
    rows with an unknown type are read as ``char`` and told to ``issues``."""
    table = schema_table(raw)
    if table is None:
        return []
    by_key = {name_key(h): h for h in table.header}
    column = {c: by_key.get(name_key(c)) for c in CUSTOM_FIELDS_FILE.columns}
    if not column["object"] or not column["name"]:
        return []
    out = []
    for line, row in raw.iter_rows(table.path, table.sheet):
        def value(name, row=row):
            return (row.get(column[name]) or "").strip() if column[name] else ""
        if not value("object") or not value("name"):
            continue
        known = field_type(value("type"))
        if known is None and issues is not None:
            issues.append(RecordIssue("custom_fields", f"{value('object')}.{value('name')}",
                                      f"unknown custom field type {value('type')!r}; read "
                                      "as char", file=table.path, line=line, column="type"))
        out.append(CustomFieldDef(
            _object_name(value("object")), value("name"), value("label"), known or "char",
            [o.strip() for o in value("options").split("|") if o.strip()],
            value("required").lower() in _TRUE_WORDS))
    return out


def declare_custom_columns(layout, raw, schema):
    """A copy of ``layout`` where every field of ``schema`` whose ``cf_<name>`` column
    (or label) is in its object's table, and not already given a role other than
    ignore, is a ``custom`` column of the declared type."""
    layout = SourceLayout.from_dict(layout.to_dict())
    headers = {(t.path, t.sheet): t.header for t in raw.tables()}
    for definition in schema:
        table = layout.table_of(definition.object)
        if table is None:
            continue
        field = custom_field_column(definition.name)
        wanted = {name_key(field), name_key(definition.label or field)}
        header = next((h for h in headers.get((table.path, table.sheet), ())
                       if name_key(h) in wanted), None)
        if header is None:
            continue
        existing = table.column(header)
        if existing is not None and existing.role != "ignore":
            continue
        if existing is not None:
            table.columns.remove(existing)
        table.columns.append(ColumnLayout(
            header, "custom", field, custom_type=definition.type, confidence=1.0,
            reason=f"declared in the export's custom field schema "
                   f"({definition.label or definition.name})"))
    return layout
