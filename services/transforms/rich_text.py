"""Rich-text transforms: markdown and plain text to HTML, HTML cleaning, inline images.

Markdown is rendered by Python-Markdown (``markdown`` on PyPI, ``python3-markdown`` in
Debian; declared in the manifest and requirements.txt), with the source's own HTML
escaped, then cleaned like any HTML value by ``html_tree`` (lxml) so that what an Html
field stores is exactly what the transform gives.
"""

import html
import re
import threading
import unicodedata
import xml.etree.ElementTree as ET

import markdown
from lxml import etree
from markdown.extensions import Extension
from markdown.inlinepatterns import InlineProcessor, SimpleTagInlineProcessor

from . import html_tree
from .base import _INVISIBLE_RE, _SURROGATE_RE, _as_text, _clean_text
from .registry import _register

# --------------------------------------------------------------------------- markdown

#: a bare http(s) URL, its trailing punctuation left out (as the old converter did)
_BARE_URL_RE = r"(?<![\w/\"=>])(https?://[^\s<]*[^\s<.,;:!?)\]'])"
_STRIKE_RE = r"(~~)(?=\S)(.+?)(?<=\S)~~"
#: deeper quotes than this are flattened (a line of 50 '>' must not nest 50 blockquotes)
_MD_MAX_DEPTH = 8
_DEEP_QUOTE_RE = re.compile(r"^((?:[ \t]*>){%d})(?:[ \t]*>)+" % _MD_MAX_DEPTH, re.M)


class _BareUrl(InlineProcessor):
    def handleMatch(self, m, data):  # Python-Markdown's API names it
        link = ET.Element("a", href=m.group(1))
        link.text = m.group(1)
        return link, m.start(0), m.end(0)


class _DispatchMarkdown(Extension):
    """What Dispatch descriptions need beyond core Markdown: the source's HTML shown as
    text, bare URLs as links, ~~strike~~."""

    def extendMarkdown(self, md):  # Python-Markdown's API names it
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")
        md.inlinePatterns.register(_BareUrl(_BARE_URL_RE, md), "bare_url", 95)
        md.inlinePatterns.register(SimpleTagInlineProcessor(_STRIKE_RE, "del"), "strike", 40)


_LOCAL = threading.local()


def _markdown():
    """This thread's converter (a ``Markdown`` instance is not thread-safe; building one
    per value would cost more than converting it)."""
    md = getattr(_LOCAL, "md", None)
    if md is None:
        md = _LOCAL.md = markdown.Markdown(
            extensions=["fenced_code", "nl2br", "sane_lists", _DispatchMarkdown()],
            output_format="html")
    return md.reset()


def markdown_to_html(text):
    """Dispatch's markdown descriptions → HTML, through Python-Markdown: paragraphs, line
    breaks (a single newline → ``<br>``), headings, bold, italic, ``~~strike~~``, code,
    fenced code, lists, quotes, rules, links and bare http(s) URLs. The source's own HTML
    is escaped; the result is cleaned as :func:`html_clean` cleans (an unsafe link loses
    its ``href``), so it is what an Html field stores."""
    text = _clean_text(text, multiline=True)
    if not text:
        return ""
    text = _DEEP_QUOTE_RE.sub(r"\1", text)
    try:
        rendered = _markdown().convert(text)
    except RecursionError:  # pathological nesting: keep the words
        return text_to_html(text)
    return html_tree.clean_html(rendered, [], [])


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


def _fallback(text, notes, images, exc):
    """lxml gave up on the markup: keep every word as text."""
    notes.append(f"The HTML could not be read ({type(exc).__name__}); its text was kept "
                 "as plain text.")
    images.clear()
    return text_to_html(text)


def extract_inline_images(html_text, notes=None):
    """Take the inline ``data:`` images out of ``html_text``.

    Returns ``(html, images)``: every ``<img src="data:...">`` is rewritten to
    ``<img src="cid:<sha1>">`` (the SHA-1 of the image bytes, which is also Odoo's
    ``ir.attachment.checksum``) and the image is in ``images`` as an
    :class:`InlineImage` (once per distinct content). The importer creates one attachment
    per image and calls :func:`replace_image_refs` with ``{sha1: "/web/image/<id>"}``.
    An image whose data is malformed (bad base64, not an image) is removed and a sentence
    is appended to ``notes`` (a list, when given); the rest of the HTML is kept (parsed
    and written again by lxml, as the Html field will anyway).
    """
    notes = [] if notes is None else notes
    if not html_text or "data:" not in html_text.lower():
        return html_text, []
    images = []
    try:
        return html_tree.extract_images(html_text, notes, images), images
    except (etree.LxmlError, ValueError) as exc:
        return _fallback(html_text, notes, images, exc), images


def replace_image_refs(html_text, urls):
    """Replace each ``cid:<sha1>`` left by :func:`extract_inline_images` by ``urls[sha1]``."""
    if not html_text or "cid:" not in html_text:
        return html_text
    return re.sub(r"cid:([0-9a-f]{40})", lambda m: urls.get(m.group(1), m.group(0)), html_text)


def html_clean(html_text, notes=None, images=None):
    """Cleaned HTML, as an Html field stores it: scripts, styles, forms, comments, Office
    tags, event handlers, unknown attributes and ``javascript:`` URLs removed (see
    ``html_tree.clean_tree``), inline images extracted as in :func:`extract_inline_images`
    (into ``images``, a list, when given)."""
    notes = [] if notes is None else notes
    images = [] if images is None else images
    text = html_text
    if not text.isascii():
        text = _SURROGATE_RE.sub("\ufffd", unicodedata.normalize("NFC", text))
    text = _INVISIBLE_RE.sub("", text).strip()  # whitespace inside is HTML's business (<pre>)
    if not text:
        return ""
    try:
        return html_tree.clean_html(text, notes, images)
    except (etree.LxmlError, ValueError) as exc:
        return _fallback(text, notes, images, exc)


@_register("html_clean", "html",
           "HTML body cleaned (scripts, styles, comments, event handlers, unsafe links "
           "removed); inline base64 images are extracted as attachments and referenced as "
           "src=\"cid:<sha1>\" for the importer to replace; a malformed image is dropped "
           "with a note, the text is always kept.")
def _t_html_clean(value, ctx):
    return html_clean(_as_text(value, "HTML"), ctx.notes, ctx.images) or None
