"""Private paths (`protection.private_paths`, on by default in encrypt mode).

An encrypted build hides its pages' text, but production paths would still name every
location, street and city in its folder names. With private paths, the last step of an
encrypted build (after the audit, on the finished folder) renames what would tell:

- **Names.** Each page `x/index.html` becomes `<name>/index.html` and each other private
  file `<name>.<suffix>`, where `<name>` is the first 20 base32 characters of
  HMAC-SHA256(path key, production URL path). The path key is PBKDF2-SHA256 of the password
  with a salt made from the environment name (`protection.iterations` rounds): the same
  password gives the same names build after build (links that reviewers keep go on
  working), and without the password the names cannot be computed or guessed. Testing a
  password guess against a name costs as much as testing it against the check value.
- **What is renamed.** Every page but the front page and `404.html` (their names tell
  nothing, and hosts look for them there), every data file (`api/...`, feeds), the location
  photos (`_assets/img/`) and the content's files except the brand's (logo, map pin,
  favicon, fonts: the password page shows the logo). The theme's static assets, robots.txt,
  the host files and `_sitegen/` keep their names.
- **Images** of locations and content are encrypted like data files (an envelope with the
  image's MIME type, named `<name>.json`). In the decrypted page their `src` / `srcset`
  become `data-sitegen-src` / `data-sitegen-srcset`; unlock.js fetches, decrypts and shows
  them (also for images view scripts add later).
- **Links.** The pages' `href`, `src`, `srcset`, `action` and the views' data attributes
  that name a renamed file are rewritten to its new name, and so are the string values of
  the JSON and GeoJSON data files that do and the absolute URLs on the build's base URL in
  the text data files (CSV, XML, calendar, contact): the feeds' page and photo links. The
  marker data gets each location's new URL (`href` column; `locator.js` prefers it). The
  production URL a page previews is shown at its top (inside the encrypted page). The
  render workers rewrite each page before sealing it, with the plan made before the render
  (`anticipated`), and write it at its private name; the feeds and marker data, written
  plain, are rewritten, sealed once and moved the same way beside the render
  (`place_data_file`): the audit lists such files by their production paths meanwhile.
  The last step leaves them where they are once every link looked up for them is planned
  the same in the finished folder, and opens, rewrites and seals again any other page and
  data file.
- **Metadata.** The plain manifest lists files and hashes only, no URLs; `build.json`'s
  noindex pages are given by their new names.

`sitegen share-link PATH` gives the link to a page by its production path.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import html
import json
import mimetypes
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sitegen.config.load import LoadedConfig, load_config
from sitegen.config.policy import Policy
from sitegen.config.schema import SiteConfig
from sitegen.diagnostics import Diagnostic, SitegenError
from sitegen.files import walk
from sitegen.forking import forked_map
from sitegen.jsontext import compact, loads
from sitegen.output.manifest import MANIFEST
from sitegen.output.protect import (
    BUILD_FILE,
    PLAIN_FILES,
    PROTECTED_SUFFIXES,
    Protection,
    Sealer,
    derive_key,
    envelope_bytes,
    open_file,
    parse_envelope,
)

NAME_CHARS = 20
PATH_SALT = "sitegen private paths:{env}"
KEPT_PAGES = frozenset({"index.html", "404.html"})
FONT_SUFFIXES = (".woff2", ".woff", ".ttf", ".otf")
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp", ".avif", ".gif", ".svg")
LOCATION_PHOTOS = "_assets/img/"
# A quoted attribute value with a `/` in it (only such a value can name a renamed file), found
# by its `=` (a literal the scan looks for, far faster than trying an attribute name at every
# space); the name before it, after a space, says whether it is a URL attribute.
PATH_VALUE = re.compile(r"""=(["'])([^"'/]*/[^"']*)\1""")
ATTRIBUTE_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-")
# Attributes whose value is one URL, and the one that lists several (srcset); and any data
# attribute but the overview map's prefix, which is compared with the production paths of
# the marker data. In any ASCII case, as HTML reads attribute names.
URL_ATTRIBUTES = frozenset({"href", "src", "srcset", "action", "formaction", "poster"})
BODY_OPEN = re.compile(r"<body\b[^>]*>", re.IGNORECASE)
# In a data file's JSON text: a string value (not an object key: no `:` after it) that starts
# with `/` or with the first letter of the base URL, which a link that names a renamed file
# does (a closing quote is never followed by either, so the scan keeps to the strings); and a
# string that starts with an escape or whitespace, which `Rewriter.target` strips: a text
# with such a string is parsed instead.
JSON_LINK = rb'"((?:/|%s)[^"\\]*(?:\\.[^"\\]*)*)"(?![ \t\r\n]*:)'
LAST_SPACE = 0x3000  # the highest code point `str.isspace` holds (IDEOGRAPHIC SPACE)
_SPACES = [chr(code).encode("utf-8") for code in range(0x20, LAST_SPACE + 1)
           if chr(code).isspace()]
# The lookahead (a backslash or a space's first byte) fails most quotes of a feed at once,
# before the alternatives are tried one by one.
JSON_UNUSUAL_START = re.compile(
    b'"(?=[\\\\' + b"".join(re.escape(first) for first in sorted({s[:1] for s in _SPACES}))
    + b'])(?:\\\\|' + b"|".join(re.escape(space) for space in _SPACES) + b")")
MARKER_KEYS = (b'"locs"', b'"places"')
JSON_SUFFIXES = (".json", ".geojson")
DATA_SUFFIXES = tuple(suffix for suffix in PROTECTED_SUFFIXES if suffix not in (".html", ".htm"))
# In a text data file (CSV, XML, calendar, contact): where an absolute URL on the build's base
# URL ends (a separator, a quote, markup or an escape of one of these formats).
TEXT_URL_END = rb"""[^\s"'<>,;\\]*"""


def private_paths(config: SiteConfig) -> bool:
    """Whether an encrypted build of this config gets private names (default: yes)."""
    return config.protection.private_paths is not False


def production_url(loaded: LoadedConfig) -> str | None:
    """The production site's base URL, which the preview note shows; None when the site has
    no production config that loads."""
    try:
        production = load_config(loaded.source, "production", environ={})
    except SitegenError:
        return None
    return production.config.base_url if production.kind == "production" else None


@dataclass(frozen=True)
class PathKey:
    """The key the private names are made with; stable for a password and environment."""

    key: bytes

    @classmethod
    def derive(cls, password: str, env: str, iterations: int) -> PathKey:
        salt = hashlib.sha256(PATH_SALT.format(env=env).encode("utf-8")).digest()[:16]
        return cls(derive_key(password, salt, iterations))

    def name(self, url: str) -> str:
        """The private name of a production URL path (`/locations/ca/bc/`)."""
        return _private_name(self.key, url)

    def page_url(self, url: str) -> str:
        """Where the page of a production URL path is in a private build."""
        path = url.split("#", 1)[0].split("?", 1)[0] or "/"
        if not path.endswith("/") and not path.endswith(".html"):
            path += "/"
        if path in ("/", "/index.html"):
            return "/"
        if path == "/404.html":
            return path
        if path.endswith("/index.html"):
            path = path[:-len("index.html")]
        return f"/{self.name(path)}/" if path.endswith("/") else f"/{self.name(path)}.html"


@functools.lru_cache(maxsize=1 << 18)
def _private_name(key: bytes, url: str) -> str:
    """Once per path in a build: the pages are planned before they are rendered, and the
    finished folder again."""
    digest = hmac.new(key, url.encode("utf-8"), hashlib.sha256).digest()
    return base64.b32encode(digest).decode("ascii").lower()[:NAME_CHARS]


def page_link(folder: Path, policy: Policy, protection: Protection, path: str) -> str:
    """The URL path of the page at production `path` in the built `folder` (share-link
    PATH); an error naming the path when no page is there."""
    if not path.startswith("/"):
        path = "/" + path
    private = _is_private(folder)
    url = path
    if private and policy.password is not None:
        url = PathKey.derive(policy.password, policy.name, protection.iterations).page_url(path)
    rel = url.lstrip("/")
    rel = rel + "index.html" if rel.endswith("/") or not rel else rel
    if not (folder / rel).is_file() and not (folder / rel / "index.html").is_file():
        raise SitegenError(Diagnostic(
            str(folder), None, "PATH", f"no page of this build is at {path}",
            "give a page's production path, such as /locations/ (see the site's sitemap "
            "in production)"))
    return url


def _is_private(folder: Path) -> bool:
    try:
        data = json.loads((folder / BUILD_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(data, dict) and data.get("private_paths") is True


def page_url_of(rel: str) -> str:
    """The URL path of an output file: `a/index.html` -> `/a/`."""
    return "/" + (rel[:-len("index.html")] if rel.endswith("index.html") else rel)


@dataclass(frozen=True)
class Renamed:
    """One file of the build and where it goes: `image` files are encrypted as they move."""

    rel: str
    new: str
    image: bool


@dataclass(frozen=True)
class Plan:
    """The files a private build renames, and the URL map its links follow."""

    moves: list[Renamed]
    urls: dict[str, str]  # production URL path -> private URL path
    images: frozenset[str]  # private URL paths of the encrypted images

    @functools.cached_property
    def names(self) -> dict[str, str]:
        """Each renamed file's new path, by its production path."""
        return {move.rel: move.new for move in self.moves}


def brand_files(model: Any) -> set[str]:
    """The content files the brand uses (shown by the password page): kept as they are."""
    brand = getattr(model, "brand", None)
    kept = set()
    for src in (getattr(getattr(brand, "logo", None), "src", None),
                getattr(brand, "marker_icon", None)):
        if isinstance(src, str) and src.startswith("/"):
            kept.add(src.lstrip("/"))
    return kept


def _private(rel: str, content: set[str], kept: set[str]) -> bool:
    """Whether a file of the build gets a private name (see the module docstring)."""
    lower = rel.lower()
    if rel in PLAIN_FILES or rel in KEPT_PAGES or rel in kept or rel.startswith("_sitegen/"):
        return False
    if rel.startswith(LOCATION_PHOTOS):
        return True
    if rel.startswith("_assets/"):
        return False
    if rel in content:
        top = "/" not in rel and lower.startswith("favicon.")
        return not (top or lower.endswith(FONT_SUFFIXES))
    return lower.endswith(PROTECTED_SUFFIXES)


def plan(files: list[str], paths: PathKey, content: set[str], kept: set[str]) -> Plan:
    """Where each private file of the build's `files` goes."""
    moves: list[Renamed] = []
    urls: dict[str, str] = {}
    images = set()
    for rel in files:
        if not _private(rel, content, kept):
            continue
        lower = rel.lower()
        if lower.endswith(".html"):
            new_url = paths.page_url(page_url_of(rel))
            new = new_url.lstrip("/") + ("index.html" if new_url.endswith("/") else "")
            urls[page_url_of(rel)] = new_url
            urls["/" + rel] = "/" + new
            moves.append(Renamed(rel, new, False))
            continue
        image = not lower.endswith(PROTECTED_SUFFIXES)
        suffix = ".json" if image else os.path.splitext(lower)[1]
        new = paths.name("/" + rel) + suffix
        urls["/" + rel] = "/" + new
        if image:
            images.add("/" + new)
        moves.append(Renamed(rel, new, image))
    return Plan(moves, urls, frozenset(images))


def _url_attribute(name: str) -> bool:
    """Whether an attribute (its lowercased name) holds URLs that follow renamed files."""
    return name in URL_ATTRIBUTES or (name.startswith("data-") and len(name) > 5
                                      and name != "data-prefix")


@dataclass(frozen=True)
class Rewriter:
    """Rewrites the links of pages and data files to the private names. `resolved`: the
    production paths this process looked up in the plan (each distinct link once)."""

    plan: Plan
    base_url: str
    production_url: str | None
    resolved: set[str] = field(default_factory=set, compare=False)

    def target(self, value: str) -> tuple[str, bool]:
        """A link's private form, and whether it names an encrypted image."""
        return self._targets(value)

    @functools.cached_property
    def _targets(self) -> Callable[[str], tuple[str, bool]]:
        """`_target` once per distinct link (pages and data files name the same ones)."""
        return functools.lru_cache(maxsize=1 << 16)(self._target)

    def _target(self, value: str) -> tuple[str, bool]:
        raw = value.strip()
        prefix = ""
        if self.base_url and raw.startswith(self.base_url + "/"):
            prefix, raw = self.base_url, raw[len(self.base_url):]
        if not raw.startswith("/") or raw.startswith("//"):
            return value, False
        cut = min([i for i in (raw.find("?"), raw.find("#")) if i >= 0], default=len(raw))
        path, rest = html.unescape(raw[:cut]), raw[cut:]
        self.resolved.add(path)
        new = self.plan.urls.get(path)
        if new is None:
            return value, False
        return prefix + new + rest, new in self.plan.images

    def page(self, text: str, url: str) -> str:
        """The page with the URL attributes (`name="value"` after a space) that name a
        renamed file rewritten, and the preview note."""
        parts, done = [], 0
        for match in PATH_VALUE.finditer(text):
            equals = start = match.start()
            while start > done and text[start - 1] in ATTRIBUTE_CHARS:
                start -= 1
            if start in (equals, done) or not text[start - 1].isspace():
                continue
            name = text[start:equals]
            if _url_attribute(name.lower()):
                parts += [text[done:start], self._rewritten(name, *match.groups())]
                done = match.end()
        parts.append(text[done:])
        return self.preview_note("".join(parts), url)

    @functools.cached_property
    def _rewritten(self) -> Callable[[str, str, str], str]:
        """`_rewrite` once per distinct attribute (a page's menu, assets and photos are on
        many pages)."""
        return functools.lru_cache(maxsize=1 << 16)(self._rewrite)

    def _rewrite(self, name: str, quote: str, value: str) -> str:
        if name.lower() == "srcset":
            return self._srcset(name, quote, value)
        new, image = self.target(value)
        if image and name.lower() == "src":
            name = "data-sitegen-src"
        return f"{name}={quote}{new}{quote}"

    def _srcset(self, name: str, quote: str, value: str) -> str:
        parts, image = [], False
        for candidate in value.split(","):
            bits = candidate.strip().split(None, 1)
            if not bits:
                continue
            new, is_image = self.target(bits[0])
            image = image or is_image
            parts.append(" ".join([new, *bits[1:]]))
        name = "data-sitegen-srcset" if image else name
        return f"{name}={quote}{', '.join(parts)}{quote}"

    def preview_note(self, text: str, url: str) -> str:
        """The production URL the page previews, as the first thing in its body."""
        shown = (self.production_url or "") + url
        note = ('<p class="sitegen-preview" role="note" style="margin:0;padding:.3rem 1rem;'
                'background:#fff4ce;color:#1b1b1b;font:14px/1.4 system-ui,sans-serif">'
                'Private preview of <code data-sitegen-production-url>'
                f'{html.escape(shown)}</code></p>')
        match = BODY_OPEN.search(text)
        if match is None:
            return note + text
        return text[:match.end()] + note + text[match.end():]

    def markers(self, data: dict[str, Any]) -> dict[str, Any]:
        """The marker data with each location's private URL (`href`) and image."""
        fields = data.get("fields")
        if not isinstance(fields, list) or "href" in fields:
            return data
        at = {name: index for index, name in enumerate(fields)}
        places = data.get("places", [])
        for row in data.get("locs", []):
            url = places[row[at["place"]]][0] + row[at["slug"]] + "/"
            row.append(self.plan.urls.get(url, url))
            if "image" in at and isinstance(row[at["image"]], str):
                row[at["image"]] = self.target(row[at["image"]])[0]
        data["fields"] = [*fields, "href"]
        return data

    def json_text(self, text: bytes) -> bytes | None:
        """A data file's JSON text (UTF-8) with every string value that is a renamed file's
        URL rewritten: what `data` does to the parsed value, found by a scan of the text
        rather than by parsing it and writing it again (a feed of 10,000 locations is 20 MB).
        Marker data, whose rows gain a column, and a text with a string that starts with an
        escape or whitespace are parsed and written again by `data` (None: such a text that
        is not JSON); another text that is not JSON is scanned alike."""
        if all(key in text for key in MARKER_KEYS) or JSON_UNUSUAL_START.search(text):
            try:
                value = loads(text)
            except ValueError:
                return None
            # Escaped to ASCII: the text may hold an escaped lone surrogate.
            return json.dumps(self.data(value), separators=(",", ":")).encode("ascii")
        return self._json_links.sub(self._json_string, text)

    @functools.cached_property
    def _json_links(self) -> re.Pattern[bytes]:
        first = re.escape(self.base_url[:1].encode("ascii")) if self.base_url else b"/"
        return re.compile(JSON_LINK % first)

    def text(self, text: bytes) -> bytes | None:
        """A text data file (CSV, XML, calendar, contact) with every absolute URL on the
        build's base URL that names a renamed file rewritten; None when none does. Site
        paths without the base URL are left: in text they are not told from other slashes
        (the feeds write absolute URLs)."""
        if not self.base_url:
            return None
        changed = []

        def one(match: re.Match[bytes]) -> bytes:
            old = match.group(0).decode("utf-8", "surrogateescape")
            new = self.target(old)[0]
            if new == old:
                return match.group(0)
            changed.append(match)
            return new.encode("utf-8", "surrogateescape")

        written = self._text_links.sub(one, text)
        return written if changed else None

    @functools.cached_property
    def _text_links(self) -> re.Pattern[bytes]:
        return re.compile(re.escape(self.base_url.encode("utf-8")) + b"/" + TEXT_URL_END)

    def _json_string(self, match: re.Match[bytes]) -> bytes:
        raw = match.group(1)
        try:
            value = loads(b'"' + raw + b'"') if b"\\" in raw else raw.decode("utf-8")
        except ValueError:  # not a JSON string (a file that is not JSON): left as it is
            return match.group(0)
        if "/" not in value:
            return match.group(0)
        new = self.target(value)[0]
        return match.group(0) if new == value else json.dumps(new).encode("ascii")

    def data(self, value: Any) -> Any:
        """A data file's JSON with every string that is a renamed file's URL rewritten (the
        values JSON gives: dicts, lists, strings, numbers, booleans and None)."""
        target = self.target

        def walk(item: Any) -> Any:
            kind = type(item)
            if kind is str:
                return target(item)[0] if "/" in item else item
            if kind is dict:
                if "locs" in item and "places" in item:
                    return self.markers(item)
                return {key: walk(inner) for key, inner in item.items()}
            if kind is list:
                return [walk(inner) for inner in item]
            return item

        return walk(value)


def image_envelope(protection: Protection, rel: str, data: bytes) -> bytes:
    """An image (or other content file) as an envelope that says its MIME type."""
    envelope = protection.encrypt(data)
    kind = mimetypes.guess_type(rel)[0] or "application/octet-stream"
    typed = {key: value for key, value in envelope.items() if key != "data"}
    typed["type"] = kind
    typed["data"] = envelope["data"]
    return envelope_bytes(typed)


Digests = dict[str, tuple[int, str]]  # path -> size, sha256


@dataclass
class Prewritten:
    """Files sealed with their links already rewritten by a `Rewriter` of the anticipated
    plan (`anticipated`) and written at the private names it gives them: the render
    workers' pages, and the data files `place_data_file` sealed beside them. The plan,
    every production path looked up in it, and each such file's size and sha256 as
    written (by its production path)."""

    plan: Plan
    resolved: set[str] = field(default_factory=set)
    files: Digests = field(default_factory=dict)

    def placed(self) -> dict[str, str]:
        """Where each of these files is in the folder -> its production path, for those the
        plan renames (the front page and 404.html keep theirs)."""
        names = self.plan.names
        return {names[rel]: rel for rel in self.files if rel in names}


@dataclass(frozen=True)
class PrivateBuild:
    """What `privatize` needs of the build: the sealer (its key and prompt page), the path
    key, the content's file list, the brand's files, the production site's URL, how many
    processes may rewrite the files, and the pages the render workers rewrote."""

    sealer: Sealer
    paths: PathKey
    content: set[str]
    kept: set[str]
    production_url: str | None
    jobs: int = 1
    prewritten: Prewritten | None = None

    def placed(self) -> dict[str, str]:
        """The files written at their private names as they were made (the render workers'
        pages, the data files): path in the folder -> production path (`Prewritten.placed`)."""
        return self.prewritten.placed() if self.prewritten is not None else {}

    def rewriter(self, files: list[str]) -> Rewriter:
        """The rewriter of a folder with these files."""
        moves = plan(files, self.paths, self.content, self.kept)
        return Rewriter(moves, self.sealer.policy.base_url.rstrip("/"), self.production_url)


def anticipated(root: Path, pages: list[str], build: PrivateBuild) -> Rewriter:
    """The rewriter the render workers use on each page before sealing it, planned from
    the files the build folder holds before the pages are rendered (static files, the
    artifacts) and the pages it is about to hold: each page is then sealed once, written
    at its private name, and `privatize` leaves it there once it has checked that every
    link the workers looked up is planned the same in the finished folder."""
    return build.rewriter(sorted({*walk(root), *pages}))


def place_data_file(root: Path, sealer: Sealer, rewriter: Rewriter, rel: str) -> bytes:
    """Seal a data file the build wrote plain at its production path `rel` (a private
    build's feeds and marker data, output/artifacts.py LOCATED): its links rewritten with
    `rewriter`'s plan, sealed once, written at the private name that plan gives it; the
    plain file removed, with each folder that leaves empty (the render workers write no
    file there: every page but the front page and 404.html has a private name). The
    bytes written."""
    source = root / rel
    plain = source.read_bytes()
    rewritten = rewriter.json_text(plain) if rel.lower().endswith(JSON_SUFFIXES) \
        else rewriter.text(plain)
    data = sealer.seal(rel, plain if rewritten is None else rewritten)
    target = root / rewriter.plan.names.get(rel, rel)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    if target != source:
        source.unlink()
        _remove_emptied(root, source.parent)
    return data


def privatize(root: Path, build: PrivateBuild, files: list[str] | None = None) -> Digests:
    """Rename the private files of a finished encrypted build in place, rewriting the links
    of its pages and data files, encrypting its images; rewrite build.json. Pages the
    render workers rewrote (`build.prewritten`) are left as they are. Returns the size and
    sha256 of every file the build then has (for the manifest), from the bytes each was
    left with. `files`: the folder's listing (`walk`) with each page the workers wrote at
    its private name by its production path, when the caller has it.
    """
    sealer = build.sealer
    if files is None:
        placed = build.placed()
        files = sorted(placed.get(rel, rel) for rel in walk(root))
    rewriter = build.rewriter(files)
    moves = rewriter.plan
    as_written = _as_written(moves, build.prewritten, root)
    task = functools.partial(_privatize_files, _Privatizing(
        root, sealer, rewriter, {move.rel: move for move in moves.moves}, as_written))
    # Each file is read, opened, rewritten and sealed again on its own: side by side in
    # forked processes when there are many (a folder sealed without the anticipated plan:
    # every page and feed; otherwise the photos and the few other files). The files to
    # open are dealt out first, largest first, one to each slice in turn, and the first
    # slices go first; the files left as written fill the slices up.
    count = build.jobs * 4
    opened = sorted((rel for rel in files if rel not in as_written),
                    key=lambda rel: -os.path.getsize(root / rel))
    kept = [rel for rel in files if rel in as_written]
    size = -(-len(kept) // count)
    slices = [part for number in range(count) if (part := opened[number::count]
                                                   + kept[number * size:(number + 1) * size])]
    digests: Digests = {}
    if build.jobs > 1 and len(files) >= PARALLEL_MIN_FILES:
        with forked_map(task, slices, build.jobs) as done:
            for found in done:
                digests.update(found)
    else:
        for part in slices:
            digests.update(task(part))
    written = _rewrite_build_file(root, moves)
    if written is not None:
        digests[BUILD_FILE] = _digest(written)
    return digests


def _as_written(final: Plan, prewritten: Prewritten | None, root: Path) -> Digests:
    """The files written rewritten (`Prewritten`), when every production path looked up
    for them leads where the finished folder's plan leads it (to the same private name, an
    image or not) and each such file is where that plan puts it: those files stay as they
    are. A path planned otherwise means a file appeared or went after the pages were
    rendered, which no build step does: an error."""
    if prewritten is None:
        return {}
    early = prewritten.plan
    changed = sorted([path for path in prewritten.resolved
                      if _decision(early, path) != _decision(final, path)]
                     + [rel for rel in prewritten.files
                        if early.names.get(rel) != final.names.get(rel)])
    if changed:
        raise SitegenError(Diagnostic(
            str(root), None, "protection.private_paths",
            f"{len(changed)} linked paths were planned differently after the pages were "
            f"rendered (first: {changed[0][:120]})",
            "report this as a sitegen bug; set protection.private_paths: false to build "
            "meanwhile"))
    return prewritten.files


def _decision(moves: Plan, path: str) -> tuple[str | None, bool]:
    new = moves.urls.get(path)
    return new, new is not None and new in moves.images


def _digest(data: bytes) -> tuple[int, str]:
    return len(data), hashlib.sha256(data).hexdigest()


# Fewer files than this are rewritten in the build process: forking costs more.
PARALLEL_MIN_FILES = 400


@dataclass(frozen=True)
class _Privatizing:
    root: Path
    sealer: Sealer
    rewriter: Rewriter
    renamed: dict[str, Renamed]
    as_written: Digests  # pages sealed already rewritten where they go: not opened


def _privatize_files(job: _Privatizing, rels: list[str]) -> Digests:
    """Move, rewrite and seal again the files `rels` (see `privatize`); each one's digest
    where it now is."""
    digests: Digests = {}
    for rel in rels:
        move = job.renamed.get(rel)
        source = job.root / rel
        target = job.root / move.new if move else source
        known = job.as_written.get(rel)
        if known is not None:  # written where it goes by the render workers
            digests[move.new if move else rel] = known
            continue
        data = source.read_bytes()
        if move is not None and move.image:
            data = image_envelope(job.sealer.protection, rel, data)
        else:
            rewritten = _rewritten(rel, data, job.sealer, job.rewriter)
            if rewritten is None and move is None:  # a file left as it is
                digests[rel] = _digest(data)
                continue
            data = rewritten or data
        if move is not None:
            source.unlink()
            _remove_emptied(job.root, source.parent)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        digests[move.new if move else rel] = _digest(data)
    return digests


def _rewritten(rel: str, data: bytes, sealer: Sealer,
               rewriter: Rewriter) -> bytes | None:
    """A protected page or data file with its links rewritten and sealed again; None for a
    file that is not one, or a text file none of whose links changed."""
    if rel == MANIFEST:
        return None
    lower = rel.lower()
    if lower.endswith((".html", ".htm")):
        plain = open_file(sealer.protection, data)
        if plain is None:
            return None
        text = _without_unlock_tag(plain.decode("utf-8"), sealer.look.script_src)
        return sealer.seal(rel, b"", rewriter.page(text, page_url_of(rel)))
    envelope = parse_envelope(data) if lower.endswith(DATA_SUFFIXES) else None
    if envelope is None:
        return None
    plain = sealer.protection.decrypt(envelope)
    rewritten = rewriter.json_text(plain) if lower.endswith(JSON_SUFFIXES) \
        else rewriter.text(plain)
    return None if rewritten is None else sealer.seal(rel, rewritten)


def _without_unlock_tag(page: str, src: str) -> str:
    """The page as rendered: the unlock.js tag the sealer added is added again on sealing."""
    return page.replace(f'<script src="{src}"></script>\n', "", 1)


def _remove_emptied(root: Path, folder: Path) -> None:
    """Remove `folder` (a file just moved out of it) and each folder above it below `root`,
    up to the first that still holds something: whichever process moves the last file out
    of a folder removes it, then tries its parent, so every folder a move left empty goes,
    however the files were shared out between processes."""
    while folder != root:
        try:
            folder.rmdir()
        except OSError:  # not empty (or removed by another process meanwhile)
            return
        folder = folder.parent


def _rewrite_build_file(root: Path, moves: Plan) -> bytes | None:
    """build.json with the noindex pages by their new names: its bytes (None: no such
    file)."""
    path = root / BUILD_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    renamed = {move.rel: move.new for move in moves.moves}
    data["noindex_pages"] = sorted(renamed.get(rel, rel) for rel in data.get("noindex_pages", []))
    data["private_paths"] = True
    written = (json.dumps(data, indent=2, sort_keys=True) + "\n").encode("utf-8")
    path.write_bytes(written)
    return written


def private_manifest(manifest: bytes, digests: Digests) -> bytes:
    """The plain manifest of a private build: its head, and files with sizes and hashes
    (`privatize`'s digests); pages by file only (no URLs)."""
    head = json.loads(manifest)
    pages, files = [], []
    for rel in sorted(digests):
        if rel == MANIFEST:
            continue
        size, digest = digests[rel]
        files.append({"path": rel, "bytes": size, "sha256": digest})
        if rel.endswith(".html"):
            pages.append({"file": rel, "sha256": digest})
    head["pages"], head["files"] = pages, files
    head["counts"]["files"] = len(files) + 1
    head["private_paths"] = True
    return compact(head) + b"\n"

