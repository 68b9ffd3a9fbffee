"""Attachment records a layout synthesises: files in folders named by a record key, or
paths in a column of the record's table (no manifest in the export).

Each synthesised record has the columns of the canonical ``attachments`` object:
``attachment_id`` (the path, relative to the layout's attachment folder; in a path
column, ``<record id>/<path>`` since one file may belong to several records),
``work_order_id`` (the record, resolved from the folder name by the layout's
``record_key``; unresolved: a link problem), ``file_name``, ``path``, ``mime_type``
(from the extension), ``size`` (bytes, when the container says) and ``sha1`` (empty).
"""

import mimetypes
import posixpath
import re

from ..errors import BundleError
from ..fst_bundle import custom_field_column, safe_path
from .links import LINK_PROBLEM, is_link_problem
from .readers import skip_reason

#: separators of several paths in one cell
_PATH_SEPARATORS = re.compile(r"[;|\r\n]+")
#: the object attachments belong to (the canonical attachments link to work orders)
LINKED_OBJECT = "work_orders"


def custom_column(header):
    """The ``cf_<name>`` field of a custom column named ``header``."""
    return custom_field_column(header)


def member_path(folder, path):
    """The export member of an attachment ``path`` relative to ``folder`` (a leading
    ``folder/`` in ``path`` is tolerated); :class:`BundleError` when unsafe."""
    if not isinstance(path, str) or not path.strip():
        raise BundleError(f"Attachment reference {path!r} has no path.")
    clean = path.strip().replace("\\", "/")
    folder = (folder or "").strip("/")
    if folder and clean.lower().startswith(folder.lower() + "/"):
        clean = clean[len(folder) + 1:]
    clean = safe_path(clean, path, where=f"attachment folder {folder or '(root)'}/")
    return posixpath.join(folder, clean) if folder else clean


def mime_type(name):
    return mimetypes.guess_type(name, strict=False)[0] or "application/octet-stream"


def _record(source, rel, attachment_id, owner):
    member = posixpath.join(source.attachments.folder.strip("/"), rel) \
        if source.attachments.folder.strip("/") else rel
    try:
        size = source.raw.size(member) if hasattr(source.raw, "size") else None
    except (BundleError, OSError):  # an unsafe path: open_attachment says why
        size = None
    return {"attachment_id": attachment_id, "work_order_id": owner,
            "file_name": posixpath.basename(rel), "path": rel, "mime_type": mime_type(rel),
            "size": "" if size is None else str(size), "sha1": "", "id": attachment_id}


def _owner(source, key, where):
    """The id of the record named ``key`` by the layout's record key, or a problem."""
    layout = source.attachments
    if layout.record_object != LINKED_OBJECT:
        return (f"{LINK_PROBLEM}{where}: attachments can only belong to work orders, not to "
                f"{layout.record_object.replace('_', ' ')}")
    index = source.resolve_key(layout.record_object, layout.record_key)
    if index is None:
        return key
    if isinstance(index, str):
        return (f"{LINK_PROBLEM}{where} names a work order by its {layout.record_key}, but "
                f"{index}")
    found = index.resolve(key, "(folder name)", layout.folder or "the export")
    if is_link_problem(found):
        return f"{LINK_PROBLEM}{where}: " + found[len(LINK_PROBLEM):]
    return found


def from_folders(source):
    """Yield ``(None, record)`` for every file under ``folder/<record key>/…``."""
    folder = source.attachments.folder.strip("/")
    prefix = folder + "/" if folder else ""
    for path in source.raw.files():
        if not path.startswith(prefix) or skip_reason(path):
            continue
        rel = path[len(prefix):]
        parts = rel.split("/")
        if len(parts) < 2:
            owner = (f"{LINK_PROBLEM}{path!r} is directly in {folder or 'the export'}/, not "
                     "in a folder named by a work order")
        else:
            owner = _owner(source, parts[0].strip(), f"folder {prefix + parts[0]!r}")
        yield None, _record(source, rel, rel, owner)


def from_columns(source):
    """Yield ``(line, record)`` for every path in the attachment_path columns of the
    record object's table."""
    obj = source.attachments.record_object
    if not source.holds(obj):
        return
    plan = source.plan(obj)
    if not plan.paths:
        return
    seen = set()
    for line, record, row in source.table_rows(obj):
        for column in plan.paths:
            for path in _PATH_SEPARATORS.split(row.get(column) or ""):
                rel = path.strip().replace("\\", "/")
                key = (record["id"], rel)
                if not rel or key in seen:
                    continue
                seen.add(key)
                owner = record["id"] if obj == LINKED_OBJECT else (
                    f"{LINK_PROBLEM}attachments can only belong to work orders, not to "
                    f"{obj.replace('_', ' ')}")
                yield line, _record(source, rel, f"{record['id']}/{rel}", owner)
