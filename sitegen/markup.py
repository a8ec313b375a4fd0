"""Markdown to safe HTML.

Dataset Markdown is untrusted (a spreadsheet cell can hold anything): it is rendered, then
cleaned with nh3 against a small allowlist. Content Markdown is trusted to use more tags, but
it still cannot emit `javascript:` or other non-web URL schemes.

Two converters, one per source, chosen on purpose:

- Dataset cells are CommonMark, converted by cmark-gfm (GitHub's C reference implementation,
  through `cmarkgfm`) with no GFM extensions: paragraphs, emphasis, links, lists, block quotes,
  code and fenced code, headings (h3-h6 survive the allowlist) and rules. It is the dialect
  spreadsheet editors know from GitHub and chat tools (a list may follow a paragraph line
  directly), and it converts a 150-word description in about 0.01 ms where Python-Markdown
  takes 0.5 ms: at 10,000 locations that was a quarter of a build's work. Raw HTML is passed
  to nh3 (cmark's UNSAFE flag), so nh3 stays the one sanitiser of record; table pipes,
  definition lists and `{: attr}` stay visible text.
- Content pages are Python-Markdown with `extra` (tables, footnotes, definition lists,
  attribute lists, abbreviations): few pages, written by editors who use those extensions.
"""

from __future__ import annotations

import functools
import html
import re

import cmarkgfm
import markdown
import nh3
from cmarkgfm.cmark import Options

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
    """One converter per process, reset before each use: building one (loading `extra`)
    costs more than converting a typical page."""
    return markdown.Markdown(extensions=["extra", "sane_lists"], output_format="html")


@functools.lru_cache(maxsize=4096)
def render_untrusted(text: str) -> str:
    """Dataset Markdown: rendered, then reduced to the small allowlist; links get nofollow."""
    html = cmarkgfm.markdown_to_html(text, options=Options.CMARK_OPT_UNSAFE).rstrip("\n")
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
    second nh3 pass (which was a tenth of a location page's data)."""
    stripped = SANITISED_TAG.sub("", render_untrusted(text))
    return " ".join(html.unescape(stripped).split())


INLINE_TAGS = {"a", "span", "strong", "em", "b", "i", "small"}


@functools.lru_cache(maxsize=64)
def clean_inline(text: str) -> str:
    """A config value that is an HTML fragment by design (the map attribution, which Leaflet
    inserts as HTML): inline tags and http(s) links only, so a hostile value runs nothing."""
    return nh3.clean(text, tags=INLINE_TAGS, attributes={"a": {"href", "title"}},
                     url_schemes={"http", "https"}, link_rel=None)
