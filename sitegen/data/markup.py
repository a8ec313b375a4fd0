"""Markdown to safe HTML.

Dataset Markdown is untrusted (a spreadsheet cell can hold anything): it is rendered, then
cleaned with nh3 against a small allowlist. Content Markdown is trusted to use more tags, but
it still cannot emit `javascript:` or other non-web URL schemes.

Two converters, one per source, chosen on purpose:

- Dataset cells are CommonMark, converted by cmark-gfm (GitHub's C reference implementation,
  through `cmarkgfm`) with no GFM extensions: paragraphs, emphasis, links, lists, block quotes,
  code and fenced code, headings (h3-h6 survive the allowlist) and rules. It is the dialect
  spreadsheet editors know from GitHub and chat tools (a list may follow a paragraph line
  directly), and it converts a description many times faster than Python-Markdown, which
  matters with a description per location (docs/benchmarks.md). Raw HTML is passed
  to nh3 (cmark's UNSAFE flag), so nh3 stays the one sanitiser of record; table pipes,
  definition lists and `{: attr}` stay visible text.
- Content pages are Python-Markdown with `extra` (tables, footnotes, definition lists,
  attribute lists, abbreviations): few pages, written by editors who use those extensions.
"""

from __future__ import annotations

import ctypes
import functools
import html
import re

import markdown
import nh3
from cmarkgfm import _cmark
from cmarkgfm.cmark import Options
from markdown.extensions import (
    abbr,
    attr_list,
    def_list,
    fenced_code,
    footnotes,
    md_in_html,
    sane_lists,
    tables,
)

DATA_TAGS = {"p", "br", "strong", "em", "b", "i", "ul", "ol", "li", "a", "blockquote", "code",
             "pre", "h3", "h4", "h5", "h6", "hr"}
CONTENT_TAGS = DATA_TAGS | {"h2", "img", "table", "thead", "tbody", "tr", "th", "td", "figure",
                            "figcaption", "section", "div", "span", "dl", "dt", "dd", "abbr",
                            "small", "sup", "sub"}
ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title", "width", "height"},
              "abbr": {"title"}, "th": {"scope"}, "td": {"colspan"}}
SCHEMES = {"http", "https", "mailto", "tel"}


@functools.lru_cache(maxsize=1)
def _content_markdown() -> markdown.Markdown:
    """One converter per process, reset before each use: building one costs more than
    converting a typical page. `extra`'s extensions (as markdown.extensions.extra lists
    them) and `sane_lists` given as objects: named, each would be looked up among the
    installed packages' entry points, which costs more than building the rest."""
    return markdown.Markdown(extensions=[
        fenced_code.FencedCodeExtension(), footnotes.FootnoteExtension(),
        attr_list.AttrListExtension(), def_list.DefListExtension(), tables.TableExtension(),
        abbr.AbbrExtension(), md_in_html.MarkdownInHtmlExtension(),
        sane_lists.SaneListExtension()], output_format="html")


_LIBC = ctypes.CDLL(None)
_LIBC.free.argtypes = [ctypes.c_void_p]
_LIBC.free.restype = None


def commonmark(text: str) -> str:
    """cmark-gfm's HTML for `text`, raw HTML passed through (for nh3 to judge).

    Called through cmarkgfm's C library rather than its `markdown_to_html`, which never
    frees the buffer cmark returns (a leak of every description converted) and raised
    UnicodeDecodeError on `&#xFFFE;`, a character cmark
    writes as one byte that is not UTF-8 (it becomes U+FFFD here, as lone surrogates do).
    cmark allocates with the C library's calloc, so the C library's free releases it."""
    data = text.encode("utf-8", "surrogatepass")
    raw = _cmark.lib.cmark_markdown_to_html(data, len(data), Options.CMARK_OPT_UNSAFE)
    try:
        return _cmark.ffi.string(raw).decode("utf-8", "replace")
    finally:
        _LIBC.free(int(_cmark.ffi.cast("uintptr_t", raw)))


# Any `<` of cmark's output that does not open or close an attribute-less tag of DATA_TAGS:
# a link, an image, a numbered list's start or a code block's language. cmark escapes `<`
# in text and nests the tags it writes, so for a cell without raw HTML (no `<` at all),
# without such a match its output is already safe, balanced markup.
_NEEDS_SANITISER = re.compile(
    r"<(?!/?(?:p|strong|em|ul|ol|li|blockquote|code|pre|h[3-6])>|(?:br|hr) />)")
# A heading's opening or closing tag, as cmark writes it or as raw HTML may.
_HEADING = re.compile(r"<(/?)h([1-6])(?=[\s/>])", re.IGNORECASE)


def _headings_under_the_page(html: str) -> str:
    """A description's headings start at h3, under the page's own h1 and h2s (a chain's
    export writes `## About our store`): the highest level it uses becomes h3 and the others
    keep their distance below it, down to h6."""
    levels = [int(level) for close, level in _HEADING.findall(html) if not close]
    shift = 3 - min(levels, default=3)
    if shift <= 0:
        return html
    return _HEADING.sub(lambda m: f"<{m.group(1)}h{min(6, int(m.group(2)) + shift)}", html)


@functools.lru_cache(maxsize=4096)
def render_untrusted(text: str) -> str:
    """Dataset Markdown: rendered, then reduced to the small allowlist; links get nofollow.

    Headings start at h3 (`_headings_under_the_page`). A cell without raw HTML whose output
    holds only allowlisted tags without attributes skips nh3 (which costs more than the
    rest of a location page's data) and is spelled as nh3 would spell it: `"` unescaped in
    text, void tags without the slash, no-break spaces as `&nbsp;`, carriage returns
    (`&#13;`) as the HTML parser reads them. A property test holds the two paths to the
    same bytes."""
    html = _headings_under_the_page(commonmark(text).rstrip("\n"))
    if "<" not in text and _NEEDS_SANITISER.search(html) is None:
        return html.replace("&quot;", '"').replace("<br />", "<br>") \
            .replace("<hr />", "<hr>").replace("\xa0", "&nbsp;") \
            .replace("\r\n", "\n").replace("\r", "\n")
    return sanitise_untrusted(html)


def sanitise_untrusted(html: str) -> str:
    """nh3 with the dataset allowlist: the one sanitiser of record."""
    return nh3.clean(html, tags=DATA_TAGS, attributes=ATTRIBUTES, url_schemes=SCHEMES,
                     link_rel="nofollow noopener")


def render_trusted(text: str) -> str:
    """Content Markdown: more tags allowed, but no script, handlers or javascript: URLs."""
    converter = _content_markdown()
    converter.reset()
    html = converter.convert(text)
    return nh3.clean(html, tags=CONTENT_TAGS, attributes=ATTRIBUTES, url_schemes=SCHEMES,
                     link_rel=None)


# A tag of nh3's output: its serialiser escapes `<` and `>` in text and in attribute values,
# so a tag ends at the first `>` (property-tested against a second nh3 pass).
SANITISED_TAG = re.compile(r"<[^>]*>")


@functools.lru_cache(maxsize=4096)
def plain_text(text: str) -> str:
    """Markdown as plain text (for JSON-LD and meta data): rendered and sanitised, tags
    removed, unescaped. The tags are cut from nh3's output with a pattern instead of a
    second nh3 pass."""
    stripped = SANITISED_TAG.sub("", render_untrusted(text))
    return " ".join(html.unescape(stripped).split())


INLINE_TAGS = {"a", "span", "strong", "em", "b", "i", "small"}


@functools.lru_cache(maxsize=64)
def clean_inline(text: str) -> str:
    """A config value that is an HTML fragment by design (the map attribution, which Leaflet
    inserts as HTML): inline tags and http(s) links only, so a hostile value runs nothing."""
    return nh3.clean(text, tags=INLINE_TAGS, attributes={"a": {"href", "title"}},
                     url_schemes={"http", "https"}, link_rel=None)
