"""HTML through lxml: cleaned to what Odoo's ``html_sanitize`` keeps, inline images taken out.

The cleaning keeps a subset of what an Html field's sanitizer (``odoo.tools.html_sanitize``
with its default options) keeps, and serialises the way it does (lxml's HTML serialiser,
no wrapping ``<div>``, ``&nbsp;``), so that writing the result in an Html field stores it
unchanged: what the diff expects is what the database holds (``tests/test_html_clean.py``
checks it on hostile inputs). Pure: lxml only, never odoo.
"""

import base64
import binascii
import hashlib
import re
from urllib.parse import unquote_plus, unquote_to_bytes

from lxml import etree
from lxml import html as lxml_html

from .base import InlineImage, _q

#: dropped with their content: code, styles, embedded documents, forms, page structure
KILL_TAGS = frozenset((
    "script", "style", "iframe", "object", "embed", "noscript", "template", "frame",
    "frameset", "noframes", "applet", "head", "title", "xml", "svg", "math", "form", "base",
    "link", "meta", "button", "input", "select", "textarea", "param", "option"))
#: the tags kept (any other is dropped and its content kept: <html>, <body>, <font>, <o:p>…)
ALLOWED_TAGS = frozenset((
    "a", "abbr", "address", "article", "aside", "b", "bdi", "bdo", "big", "blockquote", "br",
    "caption", "center", "cite", "code", "col", "colgroup", "dd", "del", "dfn", "div", "dl",
    "dt", "em", "figcaption", "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6",
    "header", "hgroup", "hr", "i", "img", "ins", "kbd", "li", "main", "mark", "nav", "ol",
    "p", "pre", "q", "s", "samp", "section", "small", "span", "strike", "strong", "sub",
    "sup", "table", "tbody", "td", "tfoot", "th", "thead", "time", "tr", "tt", "u", "ul",
    "var", "wbr"))
#: the attributes kept (event handlers and every other attribute are dropped)
ALLOWED_ATTRS = frozenset((
    "href", "src", "alt", "title", "width", "height", "colspan", "rowspan", "align",
    "valign", "dir", "lang", "style", "class", "start", "type", "cite", "border",
    "cellpadding", "cellspacing", "span", "headers", "scope", "abbr", "summary", "target",
    "rel", "nowrap", "color", "size", "datetime", "value",
    "data-o-mail-quote", "data-o-mail-quote-node"))  # Odoo's own marks (see _mark_quotes)
URL_ATTRS = frozenset(("href", "src", "cite"))
#: a URL holding one of these schemes anywhere is removed (as lxml's cleaner, which Odoo
#: uses, blanks it)
_UNSAFE_SCHEME_RE = re.compile(r"(?:javascript|jscript|livescript|vbscript|data|about|mocha):",
                               re.I)
_URL_SPACE_RE = re.compile(r"[\s\x00-\x08\x0b\x0c\x0e-\x19]+")
#: an inline style that could run code or load something is dropped whole
_UNSAFE_STYLE_RE = re.compile(r"expression|javascript|vbscript|@import|url\(|behavior|binding|"
                              r"[\\<]", re.I)
_CSS_COMMENT_RE = re.compile(r"/\*.*?\*/", re.S)

_IMAGE_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "image/png"), (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"), (b"GIF89a", "image/gif"), (b"BM", "image/bmp"),
)
_SNIFFABLE = frozenset(("image/png", "image/jpeg", "image/jpg", "image/gif", "image/webp",
                        "image/bmp"))
_EXTENSIONS = {"image/png": "png", "image/jpeg": "jpg", "image/gif": "gif",
               "image/webp": "webp", "image/bmp": "bmp", "image/svg+xml": "svg",
               "image/tiff": "tif", "image/x-icon": "ico", "image/vnd.microsoft.icon": "ico",
               "image/heic": "heic", "image/avif": "avif"}
_DATA_URI_RE = re.compile(r"data:([^,;]*)((?:;[^,;]*)*),(.*)", re.I | re.S)
_B64_WS_RE = re.compile(r"[\s\\]+")
_OFFICE_TAG_RE = re.compile(r"</?o:[^>]*>")
#: an XML declaration (lxml refuses a str that declares an encoding)
_XML_DECL_RE = re.compile(r"<\?xml[^>]*>", re.I)


def _sniff(data):
    for magic, mimetype in _IMAGE_MAGIC:
        if data.startswith(magic):
            return mimetype
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def decode_data_uri(uri):
    """``data:`` URI → (mimetype, bytes); ``ValueError`` with a reason when unusable."""
    m = _DATA_URI_RE.fullmatch(uri.strip())
    if m is None:
        raise ValueError("not a data URI")
    declared = m.group(1).strip().lower() or None
    params = [p.strip().lower() for p in m.group(2).split(";") if p.strip()]
    payload = m.group(3)
    if "base64" in params:
        payload = _B64_WS_RE.sub("", payload)
        if "%" in payload:
            payload = bytes(unquote_to_bytes(payload)).decode("ascii", "replace")
        payload += "=" * (-len(payload) % 4) if len(payload) % 4 != 1 else ""
        try:
            data = base64.b64decode(payload, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise ValueError("invalid base64 data") from exc
    else:
        data = unquote_to_bytes(payload)
    if not data:
        raise ValueError("no image data")
    sniffed = _sniff(data)
    if declared == "image/jpg":
        declared = "image/jpeg"
    if declared in _SNIFFABLE and sniffed is None:
        raise ValueError(f"the data is not a {declared} image (corrupt or truncated)")
    if sniffed == "image/png" and not data.endswith(b"IEND\xaeB`\x82") or \
            sniffed == "image/jpeg" and b"\xff\xd9" not in data[-4096:]:
        raise ValueError(f"the {sniffed} image is truncated")
    mimetype = sniffed or declared
    if not mimetype or not mimetype.startswith("image/"):
        raise ValueError(f"not an image ({declared or 'no type'})")
    return mimetype, data


def parse(text):
    """``text`` as an lxml tree the way Odoo parses an Html value; ``None`` when empty."""
    try:
        return lxml_html.fromstring(_XML_DECL_RE.sub("", _OFFICE_TAG_RE.sub("", text)))
    except (etree.ParserError, ValueError):  # nothing but comments or white space
        return None


def serialize(doc):
    """The tree as Odoo writes an Html value: no wrapping ``<div>``, ``&nbsp;``."""
    if doc is None:
        return ""
    text = lxml_html.tostring(doc, encoding="unicode", method="html")
    if text.startswith("<div>") and text.endswith("</div>"):
        text = text[5:-6]
    return text.replace("\xa0", "&nbsp;")


def _take_image(img, images, seen, notes):
    """Replace ``img``'s ``data:`` source by ``cid:<sha1>``; drop it when unusable."""
    src = img.get("src") or ""
    if not src.lstrip()[:5].lower() == "data:":
        return
    try:
        mimetype, data = decode_data_uri(src)
    except (ValueError, binascii.Error) as exc:
        alt = img.get("alt") or ""
        notes.append(f"Inline image{' ' + _q(alt, 40) if alt else ''} dropped: {exc}.")
        img.drop_tree()
        return
    sha1 = hashlib.sha1(data).hexdigest()
    if sha1 not in seen:
        seen.add(sha1)
        ext = _EXTENSIONS.get(mimetype, "bin")
        images.append(InlineImage(f"inline-{sha1[:12]}.{ext}", mimetype, data, sha1))
    img.set("src", f"cid:{sha1}")


def take_images(doc, notes, images):
    """Every ``<img src="data:…">`` of ``doc`` → ``cid:<sha1>``, the image into ``images``."""
    seen = {image.sha1 for image in images}
    for img in list(doc.iter("img")):
        _take_image(img, images, seen, notes)


def _safe_url(value):
    url = value.strip()
    return None if _UNSAFE_SCHEME_RE.search(_URL_SPACE_RE.sub("", unquote_plus(url))) \
        else url


def _clean_attributes(el):
    for name in list(el.attrib):
        value = el.attrib[name]
        if name not in ALLOWED_ATTRS:
            del el.attrib[name]
        elif name in URL_ATTRS:
            if name == "src" and el.tag == "img" and value.lstrip()[:5].lower() == "data:":
                continue  # an inline image: take_images extracts it or drops the <img>
            url = _safe_url(value)
            if url is None:
                del el.attrib[name]
            elif url != value:
                el.set(name, url)
        elif name == "style" and _UNSAFE_STYLE_RE.search(_CSS_COMMENT_RE.sub("", value)):
            del el.attrib[name]


#: what Odoo's parser takes for quoted mail text and signatures (in an element's text)
_TEXT_QUOTE_RE = re.compile(r"(?:\n>+[^\n\r]*)+|(?:^|\n)--\s?[\r\n]{1,2}[\s\S]+")
_SIGNATURE_RE = re.compile(r"(?:^|\n)--\s?$")
_QUOTE, _NODE, _CONTAINER = "data-o-mail-quote", "data-o-mail-quote-node", "_quote_container"


def _wrap_text_quotes(el):
    """The quoted lines of ``el``'s text into ``<span data-o-mail-quote="1">``s."""
    text = el.text or ""
    matches = list(_TEXT_QUOTE_RE.finditer(text))
    if not matches:
        return
    el.text = text[:matches[0].start()]
    for i, m in enumerate(matches):
        span = etree.Element("span")
        span.set(_QUOTE, "1")
        span.text = m.group(0)
        span.tail = text[m.end():matches[i + 1].start() if i + 1 < len(matches) else None]
        el.insert(i, span)


def _mark_quotes(doc):
    """Odoo's parser marks the quoted parts of mail (``data-o-mail-quote``) in every Html
    value it stores: a ``<blockquote>``, mail clients' reply blocks, a ``--`` signature,
    ``>`` lines; an element under a marked one (not directly under a blockquote) is marked
    too. Marked here the same way, so that the stored value is the one written."""
    for el in list(doc.iter(etree.Element)):
        classes = el.get("class") or ""
        parent = el.getparent()
        if "gmail_extra" in classes or "SkyDrivePlaceholder" in classes:
            el.set(_QUOTE, "1")
            if parent is not None:
                parent.set(_CONTAINER, "1")
        if el.tag == "hr" and "stopSpelling" in classes or "yahoo_quoted" in classes:
            el.set(_QUOTE, "1")
            for sibling in el.itersiblings():
                sibling.set(_QUOTE, "1")
        if el.text and el.find("br") is not None and _SIGNATURE_RE.search(el.text):
            el.set(_QUOTE, "1")
            if parent is not None:
                parent.set(_CONTAINER, "1")
        if not el.get(_QUOTE):
            _wrap_text_quotes(el)
        if el.tag == "blockquote":
            el.set(_NODE, "1")
            el.set(_QUOTE, "1")
        if parent is not None and (parent.get(_QUOTE) or parent.get(_CONTAINER)) \
                and not parent.get(_NODE):
            el.set(_QUOTE, "1")
    for el in doc.iter(etree.Element):
        el.attrib.pop(_CONTAINER, None)  # Odoo's sanitizer drops it: a mark while parsing


def clean_tree(doc):
    """Drop, in place, what Odoo's sanitizer would remove and a little more: scripts,
    styles, forms, embedded documents, comments, unknown tags (content kept), attributes
    other than :data:`ALLOWED_ATTRS`, unsafe URLs and styles. Returns the root, which is
    a ``<div>`` when the root itself had to go."""
    for el in list(doc.iter(etree.Comment, etree.ProcessingInstruction)):
        if el is not doc:
            el.drop_tree()
    kill = [el for el in doc.iter(etree.Element) if el.tag in KILL_TAGS]
    if kill and kill[0] is doc:
        doc.clear()
        doc.tag = "div"
        return doc
    for el in reversed(kill):
        el.drop_tree()
    if doc.tag not in ALLOWED_TAGS:
        doc.tag = "div"
        doc.attrib.clear()
    for el in [el for el in doc.iter(etree.Element) if el.tag not in ALLOWED_TAGS]:
        el.drop_tag()
    for el in doc.iter(etree.Element):
        _clean_attributes(el)
    _mark_quotes(doc)
    return doc


def clean_html(text, notes, images):
    """``text`` cleaned (see :func:`clean_tree`), images taken out, serialised as Odoo
    stores it; serialised again until stable, as Odoo re-parses what it is given."""
    doc = parse(text)
    if doc is None:
        return ""
    doc = clean_tree(doc)
    take_images(doc, notes, images)
    out = serialize(doc)
    for _ in range(3):
        again = parse(out)
        if again is None:
            return ""
        again = serialize(clean_tree(again))
        if again == out:
            break
        out = again
    return out.strip()


def extract_images(text, notes, images):
    """``text`` with its ``data:`` images taken out, nothing else cleaned."""
    doc = parse(text)
    if doc is None:
        return text
    take_images(doc, notes, images)
    return serialize(doc)
