"""URL patterns, slugs and output paths.

Slugs come from python-slugify (Unicode transliterated). A slug collision inside one URL scope
(the same city, say) is resolved from the colliding locations' own data (street, then id), never
by row order, so adding, removing or reordering unrelated rows never moves a location's URL.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from slugify import slugify

if TYPE_CHECKING:
    from sitegen.locations import Location

PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")
MAX_SEGMENT = 80
SLUG_FIELDS = ("country", "region", "city", "postal_code", "id", "slug", "neighbourhood")


def pattern_fields(pattern: str) -> list[str]:
    return PLACEHOLDER.findall(pattern)


def slug(text: str) -> str:
    """A URL-safe segment; never empty, never a dot path, bounded in length."""
    value = slugify(text, max_length=MAX_SEGMENT, word_boundary=True, save_order=True)
    return value or "x"


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
    return PLACEHOLDER.sub(lambda m: values[m.group(1)], pattern)


def assign_slugs(locations: Iterable[Location], pattern: str) -> None:
    """Give each location a slug unique within its URL scope (the pattern without {slug})."""
    groups: dict[tuple[str, str], list[Location]] = defaultdict(list)
    for location in locations:
        base = slug(location.slug_source or location.name)
        scope = fill(pattern.replace("{slug}", ""), {**segment_values(location), "slug": ""})
        groups[(scope, base)].append(location)
    for (_scope, base), members in groups.items():
        if len(members) == 1:
            members[0].slug = base
            continue
        with_street: dict[str, list[Location]] = defaultdict(list)
        for member in members:
            street = slug(member.street) if member.street else slug(member.id)
            with_street[f"{base}-{street}"].append(member)
        for candidate, same in with_street.items():
            for member in same:
                member.slug = candidate if len(same) == 1 else f"{candidate}-{slug(member.id)}"


def output_path(url: str) -> str:
    """`/a/b/` -> `a/b/index.html`; `/x.xml` -> `x.xml`. Refuses anything leaving the root."""
    path = PurePosixPath(url.lstrip("/"))
    if any(part in ("..", ".") or "\x00" in part or "\\" in part for part in path.parts):
        raise ValueError(f"unsafe URL path {url!r}")
    if url.endswith("/"):
        return str(path / "index.html") if str(path) != "." else "index.html"
    return str(path)


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
