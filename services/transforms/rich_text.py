"""Rich-text transforms: markdown and plain text to HTML, HTML cleaning, inline images."""

import base64
import binascii
import hashlib
import html
import re
import unicodedata
from html.parser import HTMLParser
from urllib.parse import unquote_to_bytes

from .base import _INVISIBLE_RE, _SURROGATE_RE, InlineImage, _as_text, _clean_text, _q
from .registry import _register

# --------------------------------------------------------------------------- HTML

_MD_HEADING_RE = re.compile(r"(#{1,6})\s+(.*?)\s*#*\s*$")
_MD_HR_RE = re.compile(r"(?:-[ \t]*){3,}|(?:\*[ \t]*){3,}|(?:_[ \t]*){3,}")
_MD_UL_RE = re.compile(r"\s{0,3}[-*+]\s+(.*)")
_MD_OL_RE = re.compile(r"\s{0,3}(\d{1,9})[.)]\s+(.*)")
_MD_QUOTE_RE = re.compile(r"\s{0,3}>\s?(.*)")
_MD_FENCE_RE = re.compile(r"\s{0,3}(```|~~~)")
_MD_CODE_RE = re.compile(r"`([^`\n]+)`")
_MD_LINK_RE = re.compile(r"\[([^\]\n]+)\]\(\s*([^()\s]+)(?:\s+&quot;[^\n]*?&quot;)?\s*\)")
_MD_AUTOLINK_RE = re.compile(r"&lt;((?:https?://|mailto:)[^\s<>]+?)&gt;", re.I)
_MD_URL_RE = re.compile(r"(?<![\w/\"=>\x00])(https?://[^\s<\x00]*[^\s<\x00.,;:!?)\]'])", re.I)
_MD_BOLD_RE = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*|(?<!\w)__(?=\S)(.+?)(?<=\S)__(?!\w)")
_MD_ITALIC_RE = re.compile(
    r"(?<![*\w])\*(?=[^\s*])(.+?)(?<=[^\s*])\*(?![*\w])|(?<!\w)_(?=\S)(.+?)(?<=\S)_(?!\w)")
_MD_STRIKE_RE = re.compile(r"~~(?=\S)(.+?)(?<=\S)~~")
_MD_TOKEN_RE = re.compile("\x00(\\d+)\x00")
_SAFE_URL_RE = re.compile(r"(?:https?://|mailto:|tel:)", re.I)
_MD_MAX_DEPTH = 8


def _md_inline(text):
    """Escape ``text`` and render inline markdown (code, links, bold, italic)."""
    text = html.escape(text, quote=True)
    kept = []

    def keep(fragment):
        kept.append(fragment)
        return f"\x00{len(kept) - 1}\x00"

    text = _MD_CODE_RE.sub(lambda m: keep(f"<code>{m.group(1)}</code>"), text)

    def link(m):
        label, url = m.group(1), m.group(2)
        if not _SAFE_URL_RE.match(url):
            return label
        return keep(f'<a href="{url}">{label}</a>')

    text = _MD_LINK_RE.sub(link, text)
    text = _MD_AUTOLINK_RE.sub(lambda m: keep(f'<a href="{m.group(1)}">{m.group(1)}</a>'), text)
    text = _MD_URL_RE.sub(lambda m: keep(f'<a href="{m.group(1)}">{m.group(1)}</a>'), text)
    text = _MD_BOLD_RE.sub(lambda m: f"<strong>{m.group(1) or m.group(2)}</strong>", text)
    text = _MD_ITALIC_RE.sub(lambda m: f"<em>{m.group(1) or m.group(2)}</em>", text)
    text = _MD_STRIKE_RE.sub(lambda m: f"<del>{m.group(1)}</del>", text)
    for _ in range(3):  # links hold code spans: unwrap until no token is left
        if "\x00" not in text:
            break
        text = _MD_TOKEN_RE.sub(lambda m: kept[int(m.group(1))], text)
    return text


def _md_blocks(lines, depth):
    out, para, items, quote = [], [], [], []
    state = {"list": None, "start": 1}

    def flush():
        if para:
            out.append("<p>" + "<br>".join(_md_inline(p) for p in para) + "</p>")
            para.clear()
        if items:
            tag = state["list"]
            start = f' start="{state["start"]}"' if tag == "ol" and state["start"] != 1 else ""
            out.append(f"<{tag}{start}>" + "".join(
                "<li>" + "<br>".join(_md_inline(p) for p in item) + "</li>" for item in items)
                + f"</{tag}>")
            items.clear()
            state["list"] = None
        if quote:
            inner = _md_blocks(list(quote), depth + 1) if depth < _MD_MAX_DEPTH else \
                "<p>" + "<br>".join(_md_inline(q) for q in quote) + "</p>"
            out.append(f"<blockquote>{inner}</blockquote>")
            quote.clear()

    i = 0
    while i < len(lines):
        line = lines[i]
        i += 1
        fence = _MD_FENCE_RE.match(line)
        if fence:
            flush()
            code = []
            while i < len(lines) and not lines[i].strip().startswith(fence.group(1)):
                code.append(lines[i])
                i += 1
            i += 1
            out.append("<pre><code>" + html.escape("\n".join(code)) + "</code></pre>")
            continue
        if not line.strip():
            flush()
            continue
        m = _MD_QUOTE_RE.match(line)
        if m:
            if not quote:
                flush()
            quote.append(m.group(1))
            continue
        if quote:
            flush()
        m = _MD_HEADING_RE.match(line)
        if m:
            flush()
            level = len(m.group(1))
            out.append(f"<h{level}>{_md_inline(m.group(2))}</h{level}>")
            continue
        if _MD_HR_RE.fullmatch(line.strip()):
            flush()
            out.append("<hr>")
            continue
        m_ul, m_ol = _MD_UL_RE.match(line), _MD_OL_RE.match(line)
        if m_ul or m_ol:
            kind = "ul" if m_ul else "ol"
            if state["list"] != kind:
                flush()
                state["list"] = kind
                state["start"] = int(m_ol.group(1)) if m_ol else 1
            items.append([(m_ul or m_ol).group(m_ul and 1 or 2)])
            continue
        if items and line[:1].isspace():
            items[-1].append(line.strip())
            continue
        if items:
            flush()
        para.append(line.strip())
    flush()
    return "\n".join(out)


def markdown_to_html(text):
    """A small, safe markdown → HTML converter for Dispatch job descriptions.

    Paragraphs (blank line), line breaks (single newline → ``<br>``), ``# headings``,
    ``**bold**``/``__bold__``, ``*italic*``/``_italic_``, ``~~strike~~``, `` `code` ``,
    fenced code blocks, ``-``/``*``/``+`` and ``1.`` lists (flat, indented lines
    continue an item), ``> quotes``, ``---`` rules, ``[links](https://…)`` and bare
    http(s) URLs. All input HTML is escaped; only http(s)/mailto/tel links are made.
    """
    text = _clean_text(text, multiline=True)
    return _md_blocks(text.split("\n"), 0) if text else ""


@_register("markdown_to_html", "html",
           "Markdown (as Dispatch descriptions use it) → safe HTML: paragraphs, line "
           "breaks, **bold**, *italic*, `code`, lists, links, headings, quotes. Any HTML "
           "in the source is escaped.")
def _t_markdown_to_html(value, ctx):
    return markdown_to_html(_as_text(value)) or None


def text_to_html(text):
    """Plain text → HTML: escaped, blank lines → paragraphs, newlines → ``<br>``."""
    text = _clean_text(text, multiline=True)
    if not text:
        return ""
    paragraphs = [p for p in text.split("\n\n") if p.strip()]
    return "".join("<p>" + html.escape(p).replace("\n", "<br>") + "</p>" for p in paragraphs)


@_register("text_to_html", "html",
           "Plain-text note → HTML: special characters escaped, blank lines → paragraphs, "
           "line breaks → <br>.")
def _t_text_to_html(value, ctx):
    return text_to_html(_as_text(value)) or None


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
_DROP_WITH_CONTENT = frozenset(("script", "style", "iframe", "object", "embed", "noscript",
                                "template", "frame", "frameset", "applet", "head", "title",
                                "xml", "svg", "math", "form"))
_DROP_TAG_ONLY = frozenset(("html", "body", "meta", "link", "base", "font"))
_VOID = frozenset(("area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
                   "param", "source", "track", "wbr"))
_URL_ATTRS = frozenset(("href", "src", "action", "formaction", "background", "xlink:href",
                        "poster", "srcset", "lowsrc", "dynsrc"))
_UNSAFE_URL_RE = re.compile(r"\s*(?:javascript|vbscript|data|livescript):", re.I)


def _sniff(data):
    for magic, mimetype in _IMAGE_MAGIC:
        if data.startswith(magic):
            return mimetype
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def _decode_data_uri(uri):
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


class _HtmlRewriter(HTMLParser):
    """Re-serialises HTML, replacing ``data:`` images by ``cid:<sha1>`` references and,
    when ``clean``, dropping scripts, styles, comments, event handlers and unsafe URLs.
    Untouched tags are written back exactly as found."""

    def __init__(self, clean, notes, images):
        super().__init__(convert_charrefs=False)
        self.clean = clean
        self.notes = notes
        self.images = images
        self.seen = {image.sha1 for image in images}
        self.out = []
        self.skip = 0
        self.skip_tag = None

    # -- helpers
    def _attrs_text(self, tag, attrs):
        parts = []
        for name, val in attrs:
            if val is None:
                parts.append(f" {name}")
            else:
                parts.append(f' {name}="{html.escape(val, quote=True)}"')
        return f"<{tag}{''.join(parts)}>"

    def _image(self, attrs):
        """The img's attributes with its data: src replaced, or None to drop it."""
        src_index = next((i for i, (n, v) in enumerate(attrs) if n == "src" and v), None)
        if src_index is None or not attrs[src_index][1].lstrip()[:5].lower() == "data:":
            return attrs, False
        try:
            mimetype, data = _decode_data_uri(attrs[src_index][1])
        except (ValueError, binascii.Error) as exc:
            alt = next((v for n, v in attrs if n == "alt" and v), "")
            self.notes.append(f"Inline image{' ' + _q(alt, 40) if alt else ''} dropped: {exc}.")
            return None, True
        sha1 = hashlib.sha1(data).hexdigest()
        if sha1 not in self.seen:
            self.seen.add(sha1)
            ext = _EXTENSIONS.get(mimetype, "bin")
            self.images.append(InlineImage(f"inline-{sha1[:12]}.{ext}", mimetype, data, sha1))
        attrs = list(attrs)
        attrs[src_index] = ("src", f"cid:{sha1}")
        return attrs, True

    def _clean_attrs(self, attrs):
        kept, changed = [], False
        for name, val in attrs:
            if name.startswith("on") or (name in _URL_ATTRS and val and
                                         _UNSAFE_URL_RE.match(val)) or \
                    (name == "style" and val and "expression(" in val.lower()):
                changed = True
                continue
            kept.append((name, val))
        return kept, changed

    # -- parser callbacks
    def handle_starttag(self, tag, attrs):
        self._start(tag, attrs, self.get_starttag_text(), closing=False)

    def handle_startendtag(self, tag, attrs):
        self._start(tag, attrs, self.get_starttag_text(), closing=True)

    def _start(self, tag, attrs, raw, closing):
        if self.skip:
            if tag == self.skip_tag and not closing:
                self.skip += 1
            return
        if self.clean:
            if tag in _DROP_WITH_CONTENT:
                if not closing and tag not in _VOID:
                    self.skip, self.skip_tag = 1, tag
                return
            if tag in _DROP_TAG_ONLY or ":" in tag:
                return
        changed = False
        if tag == "img":
            attrs, changed = self._image(attrs)
            if attrs is None:
                return
        if self.clean:
            attrs, cleaned = self._clean_attrs(attrs)
            changed = changed or cleaned
        self.out.append(self._attrs_text(tag, attrs) if changed else raw)

    def handle_endtag(self, tag):
        if self.skip:
            if tag == self.skip_tag:
                self.skip -= 1
            return
        if self.clean and (tag in _DROP_WITH_CONTENT or tag in _DROP_TAG_ONLY or ":" in tag):
            return
        self.out.append(f"</{tag}>")

    def handle_data(self, data):
        if not self.skip:
            self.out.append(data.replace("<", "&lt;").replace(">", "&gt;")
                            if self.clean else data)

    def handle_entityref(self, name):
        if not self.skip:
            self.out.append(f"&{name};")

    def handle_charref(self, name):
        if not self.skip:
            self.out.append(f"&#{name};")

    def handle_comment(self, data):
        if not self.skip and not self.clean:
            self.out.append(f"<!--{data}-->")

    def handle_decl(self, decl):
        if not self.skip and not self.clean:
            self.out.append(f"<!{decl}>")

    def unknown_decl(self, data):
        if not self.skip and not self.clean:
            self.out.append(f"<![{data}]>")

    def handle_pi(self, data):
        if not self.skip and not self.clean:
            self.out.append(f"<?{data}>")


def _rewrite(text, clean, notes, images):
    parser = _HtmlRewriter(clean, notes, images)
    try:
        parser.feed(text)
        parser.close()
    except (AssertionError, AttributeError, ValueError, IndexError) as exc:
        # Python's HTML parser gave up on malformed markup: keep every word as text.
        notes.append(f"The HTML could not be read ({type(exc).__name__}); its text was kept "
                     "as plain text.")
        images.clear()
        return text_to_html(text)
    return "".join(parser.out)


def extract_inline_images(html_text, notes=None):
    """Take the inline ``data:`` images out of ``html_text``.

    Returns ``(html, images)``: every ``<img src="data:...">`` is rewritten to
    ``<img src="cid:<sha1>">`` (the SHA-1 of the image bytes, which is also Odoo's
    ``ir.attachment.checksum``) and the image is in ``images`` as an
    :class:`InlineImage` (once per distinct content). The importer creates one attachment
    per image and calls :func:`replace_image_refs` with ``{sha1: "/web/image/<id>"}``.
    An image whose data is malformed (bad base64, not an image) is removed and a sentence
    is appended to ``notes`` (a list, when given); the rest of the HTML is kept as is.
    """
    notes = [] if notes is None else notes
    if not html_text or "data:" not in html_text.lower():
        return html_text, []
    images = []
    return _rewrite(html_text, False, notes, images), images


def replace_image_refs(html_text, urls):
    """Replace each ``cid:<sha1>`` left by :func:`extract_inline_images` by ``urls[sha1]``."""
    if not html_text or "cid:" not in html_text:
        return html_text
    return re.sub(r"cid:([0-9a-f]{40})", lambda m: urls.get(m.group(1), m.group(0)), html_text)


def html_clean(html_text, notes=None, images=None):
    """Cleaned HTML: scripts, styles, comments, Office tags, event handlers and
    ``javascript:`` URLs removed, inline images extracted as in
    :func:`extract_inline_images` (into ``images``, a list, when given)."""
    notes = [] if notes is None else notes
    images = [] if images is None else images
    text = html_text
    if not text.isascii():
        text = _SURROGATE_RE.sub("\ufffd", unicodedata.normalize("NFC", text))
    text = _INVISIBLE_RE.sub("", text).strip()  # whitespace inside is HTML's business (<pre>)
    return _rewrite(text, True, notes, images).strip() if text else ""


@_register("html_clean", "html",
           "HTML body cleaned (scripts, styles, comments, event handlers, unsafe links "
           "removed); inline base64 images are extracted as attachments and referenced as "
           "src=\"cid:<sha1>\" for the importer to replace; a malformed image is dropped "
           "with a note, the text is always kept.")
def _t_html_clean(value, ctx):
    return html_clean(_as_text(value, "HTML"), ctx.notes, ctx.images) or None
