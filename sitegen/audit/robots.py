"""Robots directives, parsed: the robots meta tags of a page and the X-Robots-Tag rules of
every host config file, per path.

A page is read tag by tag: each `<meta` (any case) is parsed by the standard library's HTML
parser (quotes, entities, unquoted values, attribute case), and counted when its name is
`robots` or a documented crawler token. The content is split into directives (comma
separated, any case, any whitespace; `googlebot: noindex` addresses one crawler); `noindex`
and `none` (= noindex, nofollow) keep a page out of the index.

The host files: Netlify/Cloudflare `_headers` (a path line, then indented headers), Apache
`.htaccess` (`Header set|always set|add|append X-Robots-Tag ...`, inside `<Files>`,
`<FilesMatch>`, `<Location>` or not), the nginx snippet (`add_header X-Robots-Tag ...`, in
a `location` block or not) and `vercel.json` (`headers[].source` with its headers).
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from html.parser import HTMLParser

# The user-agent tokens the search engines and crawlers document for robots meta tags
# (Google, Bing, Yandex, Baidu, Apple, DuckDuckGo, Yahoo, Seznam, Naver, Petal, Sogou...).
CRAWLER_TOKENS = frozenset({
    "robots", "googlebot", "googlebot-news", "googlebot-image", "googlebot-video",
    "google-extended", "adsbot-google", "adsbot-google-mobile", "mediapartners-google",
    "storebot-google", "google-inspectiontool", "googleother", "bingbot", "msnbot", "adidxbot",
    "bingpreview", "slurp", "yandex", "yandexbot", "yandeximages", "baiduspider",
    "duckduckbot", "applebot", "applebot-extended", "facebot", "facebookexternalhit",
    "twitterbot", "linkedinbot", "seznambot", "naverbot", "yeti", "petalbot", "sogou",
    "ia_archiver", "archive.org_bot", "ccbot", "gptbot", "oai-searchbot", "perplexitybot",
    "amazonbot", "qwantify", "mojeekbot", "exabot", "ahrefsbot", "semrushbot", "ybot",
})
NOINDEX = frozenset({"noindex", "none"})
# Directives that carry a value after a colon (so `max-snippet: 20` is not addressed to a
# crawler named max-snippet).
VALUED = frozenset({"unavailable_after", "max-snippet", "max-image-preview",
                    "max-video-preview", "indexifembedded"})
# Found in the page's UTF-8 bytes lowercased as HTML reads tag names (ASCII letters only, so
# offsets match the page's): much faster than an IGNORECASE scan of a page's text.
META_START = re.compile(rb"<meta(?=[\s/>])")
ROBOTS_HEADER = "x-robots-tag"


@dataclass(frozen=True)
class RobotsMeta:
    """One robots meta tag: the crawler it addresses (`robots` for all) and its directives."""

    name: str
    directives: frozenset[str]

    @property
    def noindex(self) -> bool:
        return bool(self.directives & NOINDEX)

    def show(self) -> str:
        return f'<meta name="{self.name}" content="{", ".join(sorted(self.directives))}">'


def directives(content: str) -> dict[str, frozenset[str]]:
    """`content` of a robots meta tag or X-Robots-Tag value -> {addressee: directives};
    `*` for directives without a crawler prefix."""
    found: dict[str, set[str]] = {}
    addressee = "*"
    for piece in content.split(","):
        piece = piece.strip().lower()
        if not piece:
            continue
        head, sep, rest = piece.partition(":")
        head = head.strip()
        if sep and head not in VALUED and re.fullmatch(r"[a-z0-9_.-]+", head):
            addressee, piece = head, rest.strip()
            if not piece:
                continue
        name = re.split(r"[\s:]", piece, maxsplit=1)[0]
        found.setdefault(addressee, set()).add(name)
    return {key: frozenset(value) for key, value in found.items()}


class _Tag(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.attrs: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "meta" and not self.attrs:
            self.attrs = {k.lower(): (v or "") for k, v in attrs}

    handle_startendtag = handle_starttag


@functools.lru_cache(maxsize=1024)
def _meta_attrs(tag: str) -> Mapping[str, str]:
    """One meta tag's attributes, parsed once per distinct tag text in a process (every
    page of a build carries the same robots tag); read-only."""
    parser = _Tag()
    parser.feed(tag)
    parser.close()
    return parser.attrs


# A tag is parsed only when it could name a crawler: the value after some `name=` in it
# (every one, quoted or not: one inside another attribute's value too) has a token as a
# word, or a character reference that could spell part of one (the references escaping
# puts in attribute values decode to `& < > " '`, never to a token's character); an
# attribute name is never escaped. A tag without `name=` addresses nobody.
WORD = re.compile(r"[a-z0-9_.-]+")
PLAIN_REFERENCES = re.compile(r"&(?:amp|lt|gt|quot|apos|#34|#39|#x22|#x27);")
NAME_VALUES = re.compile(r"name\s*=\s*(?:\"([^\"]*)|'([^']*)|([^\s>]*))")


def _candidate(tag: str) -> bool:
    lowered = tag.lower()
    for match in NAME_VALUES.finditer(lowered):
        value = match.group(match.lastindex or 3) or ""
        if not CRAWLER_TOKENS.isdisjoint(WORD.findall(value)):
            return True
        if "&" in value and "&" in PLAIN_REFERENCES.sub("", value):
            return True
    return False


def utf8_text(part: bytes) -> str:
    """A slice of a page's UTF-8 bytes cut at ASCII characters (`<`, `>`), as text: a lone
    surrogate the page's text held comes back as it was; bytes that are not UTF-8 at all
    (a file read from disk) as replacement characters, never an exception."""
    try:
        return part.decode("utf-8", "surrogatepass")
    except UnicodeDecodeError:
        return part.decode("utf-8", "replace")


def robots_metas(page: str | bytes, lowered: bytes | None = None) -> list[RobotsMeta]:
    """Every robots meta tag of a page (anywhere in it: a crawler may read one in <body>),
    addressed to `robots` or a crawler token, in page order. `page`: its text or UTF-8
    bytes; `lowered`: those bytes' `.lower()`, if at hand."""
    data = page.encode("utf-8", "surrogatepass") if isinstance(page, str) else page
    lowered = data.lower() if lowered is None else lowered
    found = []
    for match in META_START.finditer(lowered):
        close = data.find(b">", match.start())
        end = close + 1 if close >= 0 else len(data)
        if lowered.find(b"name", match.start(), end) < 0:
            continue  # no `name=`: addresses nobody (an Open Graph tag), not decoded
        tag = utf8_text(data[match.start():end])
        if not _candidate(tag[:-1] if close >= 0 else tag):
            continue
        attrs = _meta_attrs(tag)
        name = " ".join(attrs.get("name", "").split()).lower()
        if name not in CRAWLER_TOKENS or "content" not in attrs:
            continue
        for who, values in directives(attrs["content"]).items():
            found.append(RobotsMeta(name if who == "*" else who, values))
    return found


def noindex_metas(text: str) -> list[RobotsMeta]:
    return [meta for meta in robots_metas(text) if meta.noindex]


def page_noindex(page: str | bytes, lowered: bytes | None = None) -> bool:
    """Whether the page (text or UTF-8 bytes, see robots_metas) asks every crawler
    (`robots`) not to index it."""
    return any(meta.noindex and meta.name == "robots" for meta in robots_metas(page, lowered))


@dataclass(frozen=True)
class HeaderRule:
    """An X-Robots-Tag a host file sets: where (`pattern` as the file writes it; `*` for
    every response), the directives, and the line."""

    pattern: str
    directives: frozenset[str]
    line: int

    @property
    def noindex(self) -> bool:
        return bool(self.directives & NOINDEX)

    @property
    def everywhere(self) -> bool:
        return self.pattern in ("*", "/*", "/(.*)", "/:path*", "/(.*)?", "/", "~ .*", "^.*$")


def _rules_of(pattern: str, value: str, line: int) -> list[HeaderRule]:
    return [HeaderRule(pattern, values, line) for values in directives(value).values()]


def header_rules(name: str, text: str) -> list[HeaderRule]:
    """The X-Robots-Tag rules of one host file (by its file name)."""
    if name == "vercel.json":
        return _vercel(text)
    if name == "_headers":
        return _netlify(text)
    if name.endswith(".conf"):
        return _nginx(text)
    return _apache(text)


def _netlify(text: str) -> list[HeaderRule]:
    out: list[HeaderRule] = []
    pattern = "*"
    for number, raw in enumerate(text.splitlines(), 1):
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        if not raw[:1].isspace():
            pattern = raw.strip()
            continue
        key, sep, value = raw.strip().partition(":")
        if sep and key.strip().lower() == ROBOTS_HEADER:
            out.extend(_rules_of(pattern, value, number))
    return out


APACHE_HEADER = re.compile(r"^\s*Header\s+(?:always\s+|onsuccess\s+)?(?:set|add|append|merge)"
                           r"\s+X-Robots-Tag\s+(\"[^\"]*\"|'[^']*'|\S+)", re.IGNORECASE)
APACHE_SECTION = re.compile(r"^\s*<(Files|FilesMatch|Location|LocationMatch|Directory|"
                            r"DirectoryMatch|If)\b\s*(.*?)>", re.IGNORECASE)


def _apache(text: str) -> list[HeaderRule]:
    out: list[HeaderRule] = []
    sections: list[str] = []
    for number, raw in enumerate(text.splitlines(), 1):
        opening = APACHE_SECTION.match(raw)
        if opening:
            sections.append(opening.group(2).strip().strip("\"'") or "*")
            continue
        if re.match(r"^\s*</(Files|FilesMatch|Location|LocationMatch|Directory|"
                    r"DirectoryMatch|If)\b", raw, re.IGNORECASE):
            if sections:
                sections.pop()
            continue
        header = APACHE_HEADER.match(raw)
        if header:
            out.extend(_rules_of(sections[-1] if sections else "*",
                                 header.group(1).strip("\"'"), number))
    return out


NGINX_HEADER = re.compile(r"add_header\s+X-Robots-Tag\s+(\"[^\"]*\"|'[^']*'|[^\s;]+)",
                          re.IGNORECASE)
NGINX_LOCATION = re.compile(r"location\s+([^{]*?)\s*\{", re.IGNORECASE)


def _nginx(text: str) -> list[HeaderRule]:
    out: list[HeaderRule] = []
    blocks: list[str] = []
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.split("#", 1)[0]
        position = 0
        while position < len(line):
            location = NGINX_LOCATION.search(line, position)
            header = NGINX_HEADER.search(line, position)
            close = line.find("}", position)
            events: list[tuple[int, str, re.Match[str] | None]] = [
                (m.start(), kind, m) for kind, m in (("loc", location), ("hdr", header))
                if m is not None]
            if close >= 0:
                events.append((close, "end", None))
            if not events:
                break
            at, kind, match = min(events, key=lambda e: e[0])
            if kind == "loc" and match is not None:
                blocks.append(match.group(1).strip())
                position = match.end()
            elif kind == "hdr" and match is not None:
                out.extend(_rules_of(blocks[-1] if blocks else "*",
                                     match.group(1).strip("\"'"), number))
                position = match.end()
            else:
                if blocks:
                    blocks.pop()
                position = at + 1
    return out


def _vercel(text: str) -> list[HeaderRule]:
    try:
        rules = json.loads(text).get("headers", [])
    except (ValueError, AttributeError):
        return []
    out: list[HeaderRule] = []
    for rule in rules if isinstance(rules, list) else []:
        if not isinstance(rule, dict):
            continue
        for header in rule.get("headers", []) or []:
            if isinstance(header, dict) and \
                    str(header.get("key", "")).strip().lower() == ROBOTS_HEADER:
                out.extend(_rules_of(str(rule.get("source", "*")), str(header.get("value", "")),
                                     0))
    return out
