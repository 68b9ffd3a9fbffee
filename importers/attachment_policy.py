"""What MIME type a migrated file is stored with: sniffed from its bytes by Odoo's own
``guess_mimetype``, never taken on the source's word; a type a browser would run (HTML,
SVG, XML, scripts) is stored as ``text/plain`` — shown as text, its scripts never run,
which is what Odoo itself does with such a file uploaded by a non-administrator — unless a
Migration Manager allows it on the project.

The engine applies it before writing and the diff before comparing, so what the diff
expects is what is stored.
"""

from odoo.tools.mimetypes import guess_mimetype

#: types a browser renders and runs scripts of when served inline
ACTIVE_TYPES = ("text/html", "application/xhtml+xml", "image/svg+xml", "text/xml",
                "application/xml", "text/javascript", "application/javascript",
                "application/x-javascript", "text/ecmascript", "application/ecmascript")
#: what a sniff says when the bytes prove nothing
GENERIC_TYPES = ("application/octet-stream", "text/plain")
#: what an active file is stored as (Odoo's own choice for a non-administrator's upload:
#: ``ir.attachment._check_contents``; an octet-stream type would be sniffed again there)
INERT = "text/plain"


def is_active(mimetype):
    mimetype = (mimetype or "").split(";")[0].strip().lower()
    return mimetype in ACTIVE_TYPES or mimetype.endswith(("+xml", "/html"))


def stored_mimetype(data, declared=None, allow_active=False):
    """The MIME type ``data`` is stored with (``declared``: what the source says)."""
    sniffed = guess_mimetype(bytes(data or b""), default="application/octet-stream")
    declared = (declared or "").split(";")[0].strip().lower()
    mimetype = sniffed
    # the source's word only refines bytes that prove nothing, and never to an active type
    if sniffed in GENERIC_TYPES and declared and "/" in declared and not is_active(declared):
        mimetype = declared
    if is_active(mimetype) and not allow_active:
        return INERT
    return mimetype


def secure_attachment_values(model_name, values, allow_active=False):
    """Set the stored MIME type of an ``ir.attachment``'s values (in place)."""
    if model_name != "ir.attachment" or "raw" not in values and "datas" not in values:
        return values
    data = values.get("raw")
    if isinstance(data, (bytes, bytearray)):
        values["mimetype"] = stored_mimetype(data, values.get("mimetype"), allow_active)
    elif values.get("mimetype") and is_active(values["mimetype"]) and not allow_active:
        values["mimetype"] = INERT
    return values
