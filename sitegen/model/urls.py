"""URL patterns, slugs and output paths.

Slugs come from python-slugify (Unicode transliterated). Text without both an `&` and a `;`
(no entity to decode: "Marks & Spencer" has none) takes a shortcut that gives
python-slugify's result (tested with hypothesis) at a fraction of the cost: non-ASCII
characters are transliterated one at a time (cached) where that cannot depend on their
neighbours, and the transliterator is picked once per process.

A slug collision inside one URL scope (the same city, say) is resolved from the colliding
locations' own data (street, then id), never by row order, so adding, removing or reordering
unrelated rows never moves a location's URL.
"""

from __future__ import annotations

import functools
import importlib.util
import re
import unicodedata
from collections import defaultdict
from typing import Literal

from slugify import slugify, smart_truncate

from sitegen.config.schema import SiteConfig, reserved_folder
from sitegen.data.locations import Location, ValidationResult
from sitegen.diagnostics import Diagnostic, Report

PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")
MAX_SEGMENT = 60  # characters of a slug, cut at a word boundary (as people shorten a URL)
MAX_NAME_BYTES = 255  # the file name limit of Linux, macOS and Windows file systems
# python-slugify's default backend "auto" tries `import unidecode` on every non-ASCII call
# before falling back to text-unidecode, and a failed import costs more than the slug itself:
# the same choice (Unidecode when installed), made once.
TRANSLITERATOR: Literal["unidecode", "text-unidecode"] = \
    "unidecode" if importlib.util.find_spec("unidecode") else "text-unidecode"
# Directions links of the map services `site.directions` names, by coordinates.
DIRECTIONS = {
    "google": "https://www.google.com/maps/dir/?api=1&destination={lat},{lng}",
    "apple": "https://maps.apple.com/?daddr={lat},{lng}",
    "osm": "https://www.openstreetmap.org/directions?to={lat}%2C{lng}",
}
DIGIT_COMMA = re.compile(r"(?<=\d),(?=\d)")
NOT_SLUG = re.compile(r"[^a-z0-9]+")


def pattern_fields(pattern: str) -> list[str]:
    return PLACEHOLDER.findall(pattern)


@functools.lru_cache(maxsize=65536)
def slug(text: str) -> str:
    """A URL-safe segment; never empty, never a dot path, bounded in length."""
    plain = text if text.isascii() else _transliterated(text)
    if plain is not None and ("&" not in plain or ";" not in plain):
        value = ascii_slug(plain)
    else:
        value = slugify(text, max_length=MAX_SEGMENT, word_boundary=True, save_order=True,
                        backend=TRANSLITERATOR)
    return value or "x"


def _transliterated(text: str) -> str | None:
    """Text with non-ASCII characters as python-slugify's pipeline has it once transliterated
    (its own quotes dashed first, the quotes transliteration made dropped), for ascii_slug,
    so a name with one "—" or "é" does not take python-slugify's whole pipeline. None when
    a character's text may depend on its neighbours."""
    parts = []
    for char in text:
        if char.isascii():
            parts.append("-" if char == "'" else char)
            continue
        piece = _character_text(char)
        if piece is None:
            return None
        parts.append(piece)
    return "".join(parts)


@functools.lru_cache(maxsize=4096)
def _character_text(char: str) -> str | None:
    """One non-ASCII character as NFKD and the transliterator make it, quotes dropped; None
    for a surrogate or a combining mark that transliterates to text (NFKD reorders marks
    across characters, so only marks that vanish are position-free)."""
    if unicodedata.category(char) == "Cs":
        return None
    decomposed = unicodedata.normalize("NFKD", char)
    if any(unicodedata.combining(mark) and _transliterate(mark) for mark in decomposed):
        return None
    return _transliterate(decomposed).replace("'", "")


def _transliterate(text: str) -> str:
    module = importlib.import_module(TRANSLITERATOR.replace("-", "_"))
    return str(module.unidecode(text))


def ascii_slug(text: str) -> str:
    """python-slugify's legacy pipeline for ASCII text without an entity, minus its no-op steps
    (Unicode normalisation, transliteration, entity decoding); a quote or any other run of
    characters outside [a-z0-9] becomes one dash, as its quote, filter and dash passes do."""
    value = NOT_SLUG.sub("-", DIGIT_COMMA.sub("", text.lower())).strip("-")
    return smart_truncate(value, MAX_SEGMENT, word_boundary=True, separator="-",
                          save_order=True)


def segment_values(location: Location) -> dict[str, str]:
    return {
        "country": slug(location.country or ""),
        "region": slug(location.region or ""),
        "city": slug(location.city or ""),
        "postal_code": slug(location.postal_code or ""),
        "neighbourhood": slug(location.neighbourhood or ""),
        "id": slug(location.id),
        "slug": location.slug,
    }


def fill(pattern: str, values: dict[str, str]) -> str:
    """The pattern with each {name} replaced by values[name] (KeyError for a missing one)."""
    return _format_string(pattern).format_map(values)


@functools.lru_cache(maxsize=64)
def _format_string(pattern: str) -> str:
    """The pattern as a str.format template, other braces doubled: made once per pattern,
    not a regex substitution per call."""
    parts = PLACEHOLDER.split(pattern)  # literal, name, literal, name, ..., literal
    return "".join("{" + part + "}" if index % 2 else part.replace("{", "{{").replace("}", "}}")
                   for index, part in enumerate(parts))


def assign_slugs(locations: list[Location], pattern: str,
                 segments: list[dict[str, str]]) -> None:
    """Give each location a slug unique within its URL scope (the pattern without {slug});
    `segments` holds each location's `segment_values`."""
    groups: dict[tuple[str, str], list[Location]] = defaultdict(list)
    scope_pattern = pattern.replace("{slug}", "")
    for location, values in zip(locations, segments, strict=True):
        base = slug(location.slug_source or location.name)
        scope = fill(scope_pattern, {**values, "slug": ""})
        groups[(scope, base)].append(location)
    for (_scope, base), members in groups.items():
        if len(members) == 1:
            members[0].slug = base
            continue
        with_street: dict[str, list[Location]] = defaultdict(list)
        for member in members:
            street = slug(member.street) if member.street else slug(member.id)
            with_street[capped(f"{base}-{street}")].append(member)
        for candidate, same in with_street.items():
            for member in same:
                member.slug = candidate if len(same) == 1 else with_id(candidate, member)
    # A suffixed slug can equal another location's own slug ("Cafe" on "Main St" and a
    # "Cafe Main St"): the suffixed ones then also take their id, which is unique.
    final: dict[tuple[str, str], list[Location]] = defaultdict(list)
    for (scope, _base), members in groups.items():
        for member in members:
            final[(scope, member.slug)].append(member)
    for (_scope, taken), members in final.items():
        if len(members) > 1:
            for member in members:
                own = slug(member.slug_source or member.name)
                if taken != own and not taken.endswith("-" + slug(member.id)):
                    member.slug = with_id(taken, member)


def capped(text: str, limit: int = MAX_SEGMENT) -> str:
    """A slug cut to `limit` characters at a word boundary (a single longer word is cut)."""
    if len(text) <= limit:
        return text
    return smart_truncate(text, limit, word_boundary=True, separator="-", save_order=True) \
        or text[:limit].strip("-")


def with_id(candidate: str, location: Location) -> str:
    """The candidate shortened to leave room for the location's id, which makes it unique:
    the id is kept whole, so two locations never end up with the same slug."""
    suffix = "-" + slug(location.id)
    return f"{capped(candidate, max(MAX_SEGMENT - len(suffix), 1))}{suffix}"


def url_problem(url: str) -> str | None:
    """Why `url` cannot be a page's site path (None when it can): it must start with one `/`,
    stay inside the output folder and give file names the file system accepts."""
    if not url.startswith("/") or url.startswith("//"):
        return "is not a site path (write one starting with a single /, e.g. /about/)"
    if any(ord(c) < 32 or c in "\\\x7f?#" for c in url):
        return "contains a control character, a backslash, ? or #"
    parts = url.strip("/").split("/")
    if any(part in ("..", ".") for part in parts):
        return "leaves the site folder (a '..' or '.' segment)"
    if any(len(part.encode("utf-8", "surrogatepass")) > MAX_NAME_BYTES for part in parts):
        return f"has a segment longer than {MAX_NAME_BYTES} bytes, the file name limit"
    if reserved_folder(url):
        return (f"lies under /{reserved_folder(url)}/, the folder of the theme's static "
                "assets and build metadata (published unencrypted): choose another url")
    return None


@functools.lru_cache(maxsize=262144)
def output_path(url: str) -> str:
    """`/a/b/` -> `a/b/index.html`; `/x.xml` -> `x.xml`. Refuses anything leaving the root."""
    parts = [part for part in url.split("/") if part]
    if any(part in ("..", ".") or "\x00" in part or "\\" in part
           or len(part.encode("utf-8", "surrogatepass")) > MAX_NAME_BYTES for part in parts):
        raise ValueError(f"unsafe URL path {url!r}")
    if url.endswith("/"):
        parts.append("index.html")
    return "/".join(parts) or "index.html"


def hub_patterns(location_pattern: str) -> list[tuple[str, str]]:
    """The hub levels implied by a location pattern: [(field, pattern of that hub)].

    `/locations/{region}/{city}/{slug}/` gives region hubs `/locations/{region}/` and city hubs
    `/locations/{region}/{city}/`; the `/locations/` index is the root above them.
    """
    levels = []
    for match in PLACEHOLDER.finditer(location_pattern):
        name = match.group(1)
        if name in ("slug", "id"):
            break
        levels.append((name, location_pattern[: match.end()] + "/"))
    return levels


def absolute(base_url: str, url: str) -> str:
    """A site path on the base URL: canonical links, sitemaps, JSON-LD, form fields."""
    return base_url.rstrip("/") + url


# The default pattern's levels that follow the data (location_pattern).
DATA_LEVELS = ("region", "city")


def location_pattern(config: SiteConfig, locations: list[Location]) -> str:
    """The configured pattern. The default uses only the levels the data has: a region or
    city level is dropped when no location has one of its own (values filled from the
    coordinates do not count), and a country level is added when there are several."""
    pattern = config.urls.location
    if "location" in config.urls.model_fields_set:
        return pattern
    if len({(loc.country or "").upper() for loc in locations}) > 1:
        pattern = pattern.replace("/locations/", "/locations/{country}/", 1)
    for level in DATA_LEVELS:
        if locations and not any(getattr(loc, level) and level not in loc.derived
                                 for loc in locations):
            pattern = pattern.replace("{" + level + "}/", "", 1)
    return pattern


def pattern_note(config: SiteConfig, pattern: str) -> str | None:
    """What the build says once when the default pattern lost levels the data lacks."""
    missing = [level for level in DATA_LEVELS if "{" + level + "}" in config.urls.location
               and "{" + level + "}" not in pattern]
    if not missing or "location" in config.urls.model_fields_set:
        return None
    lacking = " and no ".join(missing)
    return (f"location URLs follow {pattern}: the data has no {lacking} "
            "(set urls.location to choose another pattern)")


def require_url_fields(result: ValidationResult, url_pattern: str, report: Report, *,
                       skip_bad_rows: bool) -> ValidationResult:
    """A location lacking a field its URL needs (no region for /{region}/...) is a diagnostic."""
    needed = [f for f in pattern_fields(url_pattern) if f not in ("slug", "id")]
    kept, skipped = [], result.rows_skipped
    for location in result.locations:
        missing = [f for f in needed if not getattr(location, f)]
        for name in missing:
            diagnostic = Diagnostic(location.source, location.row, name,
                                    f"required by the URL pattern {url_pattern}",
                                    f"fill {name} or change urls.location",
                                    "warning" if skip_bad_rows else "error")
            report.add(diagnostic)
        if missing and skip_bad_rows:
            skipped += 1
            report.warning(location.source, location.row, None, "row skipped",
                           "fix the errors above; locations.on_error: skip is active")
        elif not missing:
            kept.append(location)
    return ValidationResult(kept, result.rows_read, skipped)
