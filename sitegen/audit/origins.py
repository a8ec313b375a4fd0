"""Where a page loads things from: every subresource URL of a page (scripts, styles, images,
frames, media, fonts, preloads, manifests, object data, inline `url()`/`@import` in styles,
and URLs written into inline scripts), parsed with the standard library's HTML parser.

A build without analytics may load only from its own origin and the origins its policy
lists (audit.allowed_origins, and the map tiles' origin): an allowlist, so a tracker fails
whatever it is called. Links a visitor follows (`<a href>`) and where forms post are not
loads, and are not judged here.
"""

from __future__ import annotations

import functools
import html
import re
from collections.abc import Iterator, Mapping
from html.parser import HTMLParser
from types import MappingProxyType

from sitegen.audit.robots import utf8_text
from sitegen.config.urlnorm import origin

# (tag, attribute) pairs that make the browser fetch something as the page loads.
LOADS = {
    "script": ("src",), "img": ("src", "srcset"), "iframe": ("src",), "frame": ("src",),
    "embed": ("src",), "object": ("data",), "source": ("src", "srcset"),
    "video": ("src", "poster"), "audio": ("src",), "track": ("src",), "input": ("src",),
    "image": ("href", "xlink:href"), "use": ("href", "xlink:href"),
}
# <link rel=...> values that fetch (a stylesheet, a preload, an icon...); `preconnect` and
# `dns-prefetch` announce an origin to the browser (and to that origin).
LINK_LOADS = frozenset({"stylesheet", "preload", "modulepreload", "prefetch", "prerender",
                        "icon", "shortcut", "apple-touch-icon", "manifest", "preconnect",
                        "dns-prefetch", "mask-icon"})
# An absolute or protocol-relative URL, as written in code or CSS (host up to the next
# character that cannot be in one); a tile template's `{s}.` host is matched too.
CODE_URL = re.compile(r"(?<![\w/])((?:https?:)?//[\w{}.-]+(?::\d+)?)", re.IGNORECASE)
CSS_URL = re.compile(r"(?:url\(\s*[\"']?|@import\s+[\"'])([^\"')\s]+)", re.IGNORECASE)
NOT_CODE = frozenset({"application/ld+json", "application/json", "text/template",
                      "text/x-template", "importmap", "speculationrules"})


# The tags that load, and where a script or style body ends, found in the page's UTF-8
# bytes lowercased as HTML reads tag and attribute names: ASCII letters only, so every
# offset in the lowercase copy is the same offset in the page (a case-sensitive scan is
# faster than an IGNORECASE one, and a bytes copy is made many times faster than a
# lowercase str of a page with one non-ASCII character).
TAG = re.compile(rb"<(script|img|iframe|frame|embed|object|source|video|audio|track|input|"
                 rb"image|use|link|style)(?=[\s/>])")
TAG_END = re.compile(rb"""[^>"']*+(?:(?:"[^"]*+"|'[^']*+')[^>"']*+)*+>""")
STYLE_ATTR = re.compile(rb"""\sstyle\s*=\s*("[^"]*"|'[^']*'|[^\s>]+)""", re.IGNORECASE)
RAW_END = {"script": re.compile(rb"</script"), "style": re.compile(rb"</style")}


class _Attrs(HTMLParser):
    """The attributes of one start tag, as a browser reads them (quotes, entities, case)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.values: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.values = {k.lower(): (v or "") for k, v in attrs}

    handle_startendtag = handle_starttag


NO_ATTRIBUTES: Mapping[str, str] = MappingProxyType({})


@functools.lru_cache(maxsize=4096)
def _start_tag(name_bytes: bytes, tag_bytes: bytes
               ) -> tuple[str, tuple[str, ...], Mapping[str, str]]:
    """The tag's name, the URLs it loads and its attributes (read-only), once per distinct
    tag in a process: the pages of a site repeat their script, stylesheet, preload, icon
    and form tags. An attribute name is never escaped: a tag without one that loads is not
    parsed."""
    name, tag = name_bytes.decode("ascii"), utf8_text(tag_bytes)
    lowered = tag.lower()
    values = _attrs(tag) if name == "script" or any(
        a in lowered for a in LOADS.get(name, ("href",))) else NO_ATTRIBUTES
    return name, tuple(_tag_loads(name, values)), values


def _attrs(tag: str) -> Mapping[str, str]:
    parser = _Attrs()
    parser.feed(tag)
    parser.close()
    return parser.values


def _tag_loads(name: str, values: Mapping[str, str]) -> list[str]:
    urls: list[str] = []
    for attr in LOADS.get(name, ()):
        value = values.get(attr, "")
        urls.extend(_srcset(value) if attr == "srcset" else [value])
    if name == "link" and set(values.get("rel", "").lower().split()) & LINK_LOADS:
        urls.append(values.get("href", ""))
        urls.extend(_srcset(values.get("imagesrcset", "")))
    return urls


def _srcset(value: str) -> list[str]:
    return [part.strip().split()[0] for part in value.split(",") if part.strip()]


def loaded_urls(page: str | bytes, lowered: bytes | None = None) -> list[str]:
    """Every URL the page makes the browser load (see the module docstring). The tags that
    load something are found by name and each is parsed alone (parsing every tag of a big
    page costs milliseconds); script and style bodies run to their end tag, as in HTML.
    `page`: its text or UTF-8 bytes; `lowered`: those bytes' `.lower()`, if at hand."""
    data = page.encode("utf-8", "surrogatepass") if isinstance(page, str) else page
    lowered = data.lower() if lowered is None else lowered
    urls: list[str] = []
    position = 0
    while (match := TAG.search(lowered, position)) is not None:
        end = TAG_END.match(data, match.end())
        position = end.end() if end else match.end()
        name, loads, values = _start_tag(match.group(1), data[match.start():position])
        urls.extend(loads)
        if name in RAW_END:
            close = RAW_END[name].search(lowered, position)
            stop = close.start() if close else len(data)
            body = utf8_text(data[position:stop])
            if name == "style":
                urls.extend(CSS_URL.findall(body))
            elif not values.get("src") and \
                    values.get("type", "").strip().lower() not in NOT_CODE:
                urls.extend(CODE_URL.findall(body))
            position = stop
    for found in _style_attributes(data, lowered):
        urls.extend(CSS_URL.findall(html.unescape(utf8_text(found.group(1)).strip("\"'"))))
    return [url.strip() for url in urls if url.strip()]


def _style_attributes(data: bytes, lowered: bytes) -> Iterator[re.Match[bytes]]:
    """STYLE_ATTR's matches, tried only where `style` is written (any case, found in the
    page's `lowered` bytes): the pattern, case-insensitive and starting with any
    whitespace, would be tried at every space of the page."""
    position = lowered.find(b"style", 1)
    while position >= 0:
        found = STYLE_ATTR.match(data, position - 1)
        if found is not None:
            yield found
            position = lowered.find(b"style", found.end())
        else:
            position = lowered.find(b"style", position + 5)


def code_origins(text: str) -> list[str]:
    """The origins written into a script or stylesheet's code (absolute and
    protocol-relative URLs; the XML namespaces of inline SVG are names, not loads)."""
    found = []
    for url in CODE_URL.findall(text):
        if url.lower().endswith(("//www.w3.org", "//www.w3.org:80")):
            continue
        found.append(url)
    return found


def foreign(urls: list[str], allowed: frozenset[str]) -> list[str]:
    """The URLs, in order and once each, whose origin is neither relative nor allowed."""
    out: list[str] = []
    for url in urls:
        found = _origin_of(url)
        if found and found not in allowed and url not in out:
            out.append(url)
    return out


@functools.lru_cache(maxsize=1 << 14)
def _origin_of(url: str) -> str:
    """Where a loaded URL is from: its origin, a scheme that names no page (`javascript:`),
    or "" for the page's own origin; once per distinct URL in a process (the pages of a
    site load the same assets)."""
    if url.lower().startswith(("data:", "blob:", "about:", "#")):
        return ""
    found = origin(url) if "//" in url[:8] or url.startswith("//") else ""
    if ":" in url.split("/", 1)[0] and not found:
        found = url.split(":", 1)[0].lower() + ":"  # javascript:, ftp: ... not a page
    return found


@functools.lru_cache(maxsize=64)
def allowed_origins(base_url: str, extra: tuple[str, ...]) -> frozenset[str]:
    """The build's own origin and the listed ones, normalised (a tile template's `{s}`
    subdomains are listed as the template writes them); once per policy, not per page."""
    return frozenset(o for o in (origin(base_url), *(origin(u) for u in extra)) if o)
