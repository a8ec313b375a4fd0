"""Markdown to safe HTML.

Dataset Markdown is untrusted (a spreadsheet cell can hold anything): it is rendered, then
cleaned with nh3 against a small allowlist. Content Markdown is trusted to use more tags, but
it still cannot emit `javascript:` or other non-web URL schemes.

Dataset cells support standard Markdown (paragraphs, emphasis, links, lists with
`sane_lists`, block quotes, code, h3-h6, rules) and fenced code blocks, and nothing from
`extra`: its output (tables, footnotes, definition lists, abbreviations) is not on the
dataset allowlist anyway, and converting without it is about 20% faster on typical
descriptions. So in a cell, table pipes, `{: attr lists}`, `*[abbr]:` and `Term` / `: definition`
lines stay visible text, `[^1]: note` is an ordinary reference link definition, and a
`markdown="1"` HTML block is not converted. Content pages keep `extra`.
"""

from __future__ import annotations

import functools
import html

import markdown
import nh3

DATA_TAGS = {"p", "br", "strong", "em", "b", "i", "ul", "ol", "li", "a", "blockquote", "code",
             "pre", "h3", "h4", "h5", "h6", "hr"}
CONTENT_TAGS = DATA_TAGS | {"h2", "img", "table", "thead", "tbody", "tr", "th", "td", "figure",
                            "figcaption", "section", "div", "span", "dl", "dt", "dd", "abbr",
                            "small", "sup", "sub"}
ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title", "width", "height"},
              "abbr": {"title"}, "th": {"scope"}, "td": {"colspan"}}
SCHEMES = {"http", "https", "mailto", "tel"}


DATA_EXTENSIONS = ("sane_lists", "fenced_code")
CONTENT_EXTENSIONS = ("extra", "sane_lists")


@functools.lru_cache(maxsize=2)
def _markdown(extensions: tuple[str, ...]) -> markdown.Markdown:
    """One converter per extension set and process, reset before each use: building one
    (loading its extensions) costs more than converting a typical description."""
    return markdown.Markdown(extensions=list(extensions), output_format="html")


def _convert(text: str, extensions: tuple[str, ...]) -> str:
    converter = _markdown(extensions)
    converter.reset()
    return converter.convert(text)


@functools.lru_cache(maxsize=4096)
def render_untrusted(text: str) -> str:
    """Dataset Markdown: rendered, then reduced to the small allowlist; links get nofollow."""
    html = _convert(text, DATA_EXTENSIONS)
    return nh3.clean(html, tags=DATA_TAGS, attributes=ATTRIBUTES, url_schemes=SCHEMES,
                     link_rel="nofollow noopener")


def render_trusted(text: str) -> str:
    """Content Markdown: more tags allowed, but no script, handlers or javascript: URLs."""
    html = _convert(text, CONTENT_EXTENSIONS)
    return nh3.clean(html, tags=CONTENT_TAGS, attributes=ATTRIBUTES, url_schemes=SCHEMES,
                     link_rel=None)


@functools.lru_cache(maxsize=4096)
def plain_text(text: str) -> str:
    """Markdown as plain text (for JSON-LD and meta data): rendered, tags removed, unescaped."""
    stripped = nh3.clean(render_untrusted(text), tags=set())
    return " ".join(html.unescape(stripped).split())


INLINE_TAGS = {"a", "span", "strong", "em", "b", "i", "small"}


@functools.lru_cache(maxsize=64)
def clean_inline(text: str) -> str:
    """A config value that is an HTML fragment by design (the map attribution, which Leaflet
    inserts as HTML): inline tags and http(s) links only, so a hostile value runs nothing."""
    return nh3.clean(text, tags=INLINE_TAGS, attributes={"a": {"href", "title"}},
                     url_schemes={"http", "https"}, link_rel=None)
