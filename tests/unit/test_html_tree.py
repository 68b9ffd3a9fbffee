"""HTML cleaned by lxml: what is removed, what is kept, and that the result is stable
(cleaning it again changes nothing), which is what lets an Html field store it unchanged
(``tests/test_html_clean.py`` checks that part against Odoo's own sanitizer)."""

import threading

import pytest

from services.transforms import apply, run

ODD = [
    "<script>alert(1)</script><p>kept</p>",
    '<p onclick="x()">hi</p><a href=" JaVa&#x09;script:alert(1)">js</a>',
    '<p style="color:red">red</p><p style="background:url(x.png)">bg</p>',
    "<table><tr><td><table><tr><td>inner</td></tr></table></td></tr></table>",
    "<p>one<p>two <b>bold <i>both<div>block",
    '<p dir="rtl">مرحبا <b>عميل</b></p>',
    "<html><head><title>T</title></head><body><p>Body</p></body></html>",
    '<?xml version="1.0" encoding="utf-8"?><p>declared</p>',
    "<div>only a div</div>",
    "<blockquote><p>q <b>b</b></p></blockquote>",
    "<p>Thanks\n&gt; you wrote\nok</p><p>--\nJohn</p>",
    "just text & more < less",
]


@pytest.mark.parametrize("body", ODD)
def test_cleaning_is_stable(body):
    once = apply("html_clean", body)
    assert once and apply("html_clean", once) == once


def test_what_goes_and_what_stays():
    out = apply("html_clean", "".join(ODD))
    for gone in ("<script", "onclick", "javascript", "<title", "<html", "<body", "url(",
                 "<?xml"):
        assert gone not in out.lower()
    for kept in ("kept", 'style="color:red"', "inner", "block", 'dir="rtl"', "Body",
                 "declared", "&amp; more &lt; less"):
        assert kept in out
    assert "<blockquote data-o-mail-quote-node=\"1\"" in out


def test_unreadable_markup_keeps_its_words():
    result = run("html_clean", "<p>a\x00b</p>")  # NUL is removed before lxml sees it
    assert result.value == "<p>ab</p>"


def test_markdown_from_several_threads():
    sources = [f"# Job {i}\n\n**bold {i}** and *it {i}*" for i in range(40)]
    expected = [apply("markdown_to_html", s) for s in sources]
    results = {}

    def convert(i):
        results[i] = [apply("markdown_to_html", s) for s in sources]

    threads = [threading.Thread(target=convert, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(r == expected for r in results.values())
