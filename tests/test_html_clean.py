"""What the pure HTML transforms give is what an Html field stores: written in a lead's
description (``odoo.tools.html_sanitize`` with the field's options) and read back, the
value is unchanged, so the diff's expectation holds."""

import base64
import zlib

from odoo.tests import tagged

from ..services import transforms as tr
from .common import TransactionCase


def _png():
    """The smallest valid PNG (one white pixel)."""
    def chunk(kind, data):
        return (len(data).to_bytes(4, "big") + kind + data
                + zlib.crc32(kind + data).to_bytes(4, "big"))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", bytes.fromhex("0000000100000001080200000"
                                                               "0"))
            + chunk(b"IDAT", zlib.compress(b"\x00\xff\xff\xff")) + chunk(b"IEND", b""))


HOSTILE = {
    "script": "<script>alert(1)</script><p>kept</p><script src='x.js'></script>",
    "events": '<p onclick="steal()" onmouseover=x>hi</p><img src="/web/image/1" onerror=x>',
    "style": '<style>p{color:red}</style><p style="color:red">red</p>'
             '<p style="background:url(javascript:alert(1))">bg</p>'
             '<p style="width:expression(alert(1))">ex</p>',
    "links": '<a href="javascript:alert(1)">js</a><a href=" https://ok.example/a?b=1&c=2 ">ok</a>'
             '<a href="JaVa&#x09;script:alert(1)">tab</a><a href="mailto:a@b.example">m</a>'
             '<a href="data:text/html,<b>x</b>">d</a><a href="/web#id=3">rel</a>',
    "nested_tables": "<table><tr><td><table><tr><td>inner</td><td>cell</td></tr></table></td>"
                     "<td rowspan=2 colspan='3'>x</td></tr></table>",
    "data_image": f'<p>photo <img alt="p" src="data:image/png;base64,'
                  f'{base64.b64encode(_png()).decode()}"></p>'
                  '<img src="data:image/png;base64,!!bad!!">',
    "unclosed": "<p>one<p>two <b>bold <i>both<div>block",
    "rtl": '<p dir="rtl">مرحبا بالعالم <b>عميل</b></p><p>\u202eabc\u202c mixed עברית</p>',
    "document": "<html><head><title>T</title><meta charset=utf-8></head>"
                "<body bgcolor=red><p>Body</p></body></html>",
    "office": '<p class="MsoNormal">Hi<o:p></o:p></p><!--[if gte mso 9]>junk<![endif]-->'
              "<!-- a comment --><font face=Arial>font</font>",
    "forms": "<iframe src=x>in</iframe><form action=x><input value=1>Form text<button>b"
             "</button></form><object>o</object><embed src=x>",
    "lone_div": "<div>only a div</div>",
    "quote": "<blockquote><p>quoted <b>bold</b> <span><i>deep</i></span></p></blockquote>",
    "spaces": "<p>a&nbsp;b\xa0c</p><pre>  keep\n   spaces</pre>",
    "svg_math": '<svg><script>x</script><circle/></svg><math><mi>x</mi></math><p>after</p>',
    "plain_text": "just text & more < less",
    "xml_declaration": '<?xml version="1.0" encoding="utf-8"?><p>declared</p>',
    "entities": "<p>&lt;b&gt; &amp; &#169; &eacute; &#x1F600;</p>",
    "mail_reply": "<p>Thanks\n&gt; you wrote\n&gt;&gt; earlier\nok</p><div>Bob<br>--<br>sig</div>"
                  "<p>--\nJohn</p><div class='gmail_extra'><p>old <b>mail</b></p></div>"
                  "<div><hr class='stopSpelling'><p>after</p><p>more</p></div>",
}
MARKDOWN = (
    "# Site visit\n\n**Gate** code is *1234*\nsecond line\n\n- a\n- b\n\n> quote\n\n"
    "See [m](https://example.com/a_b?x=1&y=2) or https://example.com/x.\n\n---\n\n"
    "<script>alert(1)</script> [js](javascript:alert(1))\n\n```\n<b>x</b>\n```",
    "1. first\n2. second\n\n~~gone~~ `code`",
    ">" * 30 + " deep",
)


@tagged("post_install", "-at_install")
class TestHtmlCleanMatchesSanitize(TransactionCase):
    def _stored(self, value):
        lead = self.env["crm.lead"].create({"name": "html", "description": value})
        lead.invalidate_recordset(["description"])
        return str(lead.description or "")

    def test_hostile_html_is_stored_as_cleaned(self):
        wrong = {}
        for name, body in HOSTILE.items():
            result = tr.run("html_clean", body)
            value = result.value or ""
            stored = self._stored(value)
            if stored != value:
                wrong[name] = (value, stored)
            for bad in ("<script", "onclick", "onerror", "javascript", "expression(", "<iframe",
                        "<style", "<form", "<input", "<svg", "data:"):
                self.assertNotIn(bad, value.lower(), name)
        self.assertEqual(wrong, {})

    def test_markdown_is_stored_as_rendered(self):
        for source in MARKDOWN:
            value = tr.apply("markdown_to_html", source)
            self.assertEqual(self._stored(value), value, source)
        self.assertNotIn("href", tr.apply("markdown_to_html", "[js](javascript:alert(1))"))

    def test_what_is_kept(self):
        value = tr.run("html_clean", HOSTILE["data_image"])
        self.assertEqual(len(value.images), 1)
        self.assertIn(f'src="cid:{value.images[0].sha1}"', value.value)
        self.assertTrue(value.notes)  # the bad image is dropped with a sentence
        self.assertIn('href="https://ok.example/a?b=1&amp;c=2"',
                      tr.apply("html_clean", HOSTILE["links"]))
        self.assertIn('<p dir="rtl">', tr.apply("html_clean", HOSTILE["rtl"]))
        self.assertIn("inner", tr.apply("html_clean", HOSTILE["nested_tables"]))
