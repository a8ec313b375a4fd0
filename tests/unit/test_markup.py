"""Dataset Markdown is CommonMark (cmark-gfm, no GFM extensions) reduced to a small
allowlist; content Markdown is Python-Markdown with `extra`."""

from __future__ import annotations

from html import unescape
from pathlib import Path

import markdown
import nh3
from hypothesis import given, settings
from hypothesis import strategies as st

from sitegen.data.markup import (
    ATTRIBUTES,
    CONTENT_TAGS,
    SCHEMES,
    _headings_under_the_page,
    commonmark,
    plain_text,
    render_trusted,
    render_untrusted,
    sanitise_untrusted,
)

TABLE = "| a | b |\n|---|---|\n| 1 | 2 |"


def test_dataset_cells_show_extension_syntax_as_text() -> None:
    assert render_untrusted(TABLE) == "<p>| a | b |\n|---|---|\n| 1 | 2 |</p>"
    assert render_untrusted("Term\n: Definition") == "<p>Term\n: Definition</p>"
    assert render_untrusted("http://example.com") == "<p>http://example.com</p>"


def test_dataset_cells_are_commonmark() -> None:
    assert render_untrusted("```\nx = 1\n```") == "<pre><code>x = 1\n</code></pre>"
    assert render_untrusted("Open daily\n- coffee\n- cake") == (
        "<p>Open daily</p>\n<ul>\n<li>coffee</li>\n<li>cake</li>\n</ul>")
    assert render_untrusted("1. a\n* b") == "<ol>\n<li>a</li>\n</ol>\n<ul>\n<li>b</li>\n</ul>"
    assert render_untrusted("**bold** and *em*") == "<p><strong>bold</strong> and <em>em</em></p>"


def test_dataset_headings_start_at_h3_under_the_pages_own() -> None:
    assert render_untrusted("# Big\n### small") == "<h3>Big</h3>\n<h5>small</h5>"
    assert render_untrusted("## About our store\n\nWelcome.\n\n### Services\n\n- Wi-Fi") == (
        "<h3>About our store</h3>\n<p>Welcome.</p>\n<h4>Services</h4>\n<ul>\n<li>Wi-Fi</li>\n</ul>")
    assert render_untrusted("### three\n#### four") == "<h3>three</h3>\n<h4>four</h4>"
    assert render_untrusted("# 1\n## 2\n### 3\n#### 4\n##### 5") == (
        "<h3>1</h3>\n<h4>2</h4>\n<h5>3</h5>\n<h6>4</h6>\n<h6>5</h6>")
    assert render_untrusted('<H1 class="x">raw</H1>') == "<h3>raw</h3>"


def test_raw_tags_in_a_cell_never_leave_an_element_open_or_closed_early() -> None:
    """Raw HTML of allowlisted tags goes through nh3, which balances it: an unclosed `<ul>`
    or `<em>` would otherwise swallow the rest of the page."""
    assert render_untrusted("<ul>\n<li>a") == "<ul>\n<li>a</li></ul>"
    assert render_untrusted("<em>x") == "<p><em>x</em></p>"
    assert render_untrusted("x </em> y </p></div>") == "<p>x  y </p><p></p>"


def test_dataset_cells_keep_only_the_allowlist() -> None:
    assert render_untrusted("<script>alert(1)</script>x") == "x"
    assert render_untrusted("[x](javascript:alert(1))") == '<p><a rel="nofollow noopener">x</a></p>'
    assert render_untrusted("[x](https://a.example/)") == (
        '<p><a href="https://a.example/" rel="nofollow noopener">x</a></p>')
    assert plain_text("**Fish &amp; chips** <i>daily</i>") == "Fish & chips daily"


EXTRA_SYNTAX = "\n\n".join([
    TABLE, "Term\n: Definition", "Text[^1]\n\n[^1]: A note.", "*[HTML]: Hyper Text\n\nHTML",
    "# Title {: #top .big }", "```python\nx = 1\n```", '<div markdown="1">*inside*</div>',
    "3. three\n4. four"])


def test_content_pages_keep_extra() -> None:
    """Each of `extra`'s extensions and `sane_lists` (given to Python-Markdown as objects)
    converts as the named extensions do, before the one sanitiser pass."""
    named = markdown.markdown(EXTRA_SYNTAX, extensions=["extra", "sane_lists"],
                              output_format="html")
    for piece in ("<table>", "<dl>", 'class="footnote"', "<abbr", 'id="top"',
                  '<code class="language-python">', "<em>inside</em>", '<ol start="3">'):
        assert piece in named, piece  # the sample uses every extension
    assert render_trusted(EXTRA_SYNTAX) == nh3.clean(
        named, tags=CONTENT_TAGS, attributes=ATTRIBUTES, url_schemes=SCHEMES, link_rel=None)


MARKDOWN = st.lists(st.sampled_from(list("ab *_[]()<>\"'&;#`\n-!:/=") + [
    "<script>", "</script>", "javascript:", "[x](http://a.example/>\"q\")", '[t](/x "t>i")',
    '"t>itle"', "<b title='x>y'>", "&amp;", "&lt;", "\u202e", "🙂", "**", "\n\n", "    ",
    "&quot;", "&#13;", "\r\n", "&#160;", "\xa0", "&#xFFFE;", "\ud800", "\x00", "  \n", "\n---",
    "\n1. ", "3. ", "\n### ", "# ", "```py\n", "<!--", "\\\n", "<em>", "</em>", "<ul>",
    "<li>", "</li>", "<p>", "</p>", "<h3>", "</h4>", "<h1>", "<H2 id=x>", "</h2>", "<br>"]),
    max_size=40).map("".join)


@settings(max_examples=3000, deadline=None)
@given(MARKDOWN)
def test_output_without_attributes_skips_nh3_with_the_same_bytes(text: str) -> None:
    """render_untrusted leaves out nh3 when a cell has no raw HTML and cmark wrote only
    allowlisted bare tags; the bytes must be those nh3 would have written."""
    render_untrusted.cache_clear()
    assert render_untrusted(text) == sanitise_untrusted(
        _headings_under_the_page(commonmark(text).rstrip("\n")))


def test_characters_cmark_cannot_write_become_replacement_characters() -> None:
    # cmarkgfm's own wrapper raised UnicodeDecodeError on these: a build crashed on one cell.
    assert render_untrusted("&#xFFFE; and &#xFFFF;") == "<p>\ufffd and \ufffd</p>"
    assert render_untrusted("lone \ud800 surrogate") == "<p>lone \ufffd\ufffd\ufffd surrogate</p>"


def test_converting_does_not_leak_memory() -> None:
    """cmarkgfm's markdown_to_html never frees cmark's buffer: 2 KB per description."""
    text = "A description of **this** place, with a list:\n\n- one\n- two\n" * 20

    def rss_kb() -> int:
        status = Path("/proc/self/status").read_text()
        return int(status.split("VmRSS:")[1].split()[0])

    for _ in range(2000):
        commonmark(text)
    before = rss_kb()
    for _ in range(20000):
        commonmark(text)
    assert rss_kb() - before < 4096  # leaking, 20,000 calls would hold about 40 MB


@settings(max_examples=1500, deadline=None)
@given(MARKDOWN)
def test_plain_text_equals_a_second_sanitiser_pass(text: str) -> None:
    html = render_untrusted(text)
    expected = " ".join(unescape(nh3.clean(html, tags=set())).split())
    assert plain_text(text) == expected
