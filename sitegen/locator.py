"""The locator views (Map Search, List, Cards) and the one marker data file they all read.

Server side, each view renders only a first page of locations (the List and Card views also
get static `page/N/` pages), so no-JS visitors and crawlers reach every location while no HTML
page grows with the dataset. In the browser, `locator.js` loads `markers.json` once and renders,
filters and sorts from it.

`markers.json` is compact: repeated values (URL prefixes with their city and region, hours,
holiday hours, time zones, categories) are stored once in tables, and each location is an array
whose positions are named by the file's own `fields` list:

    {"v": 1, "fields": ["lat", "lng", "name", ...],
     "places": [[url prefix, city, region, region heading, country name]],
     "cats": [...], "hours": [{"mo": [[540, 1020]]}], "special": [{"2026-12-25": []}],
     "tz": ["America/New_York"], "locs": [[40.71278, -74.00601, "Name", ...], ...]}
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sitegen.config_schema import SiteConfig
from sitegen.context import DIRECTIONS, special_hours_data
from sitegen.locations import Location
from sitegen.maps import search_map
from sitegen.model import Hub, Page, SiteModel
from sitegen.places import country_name, region_name

PAGE_SIZE = 50
# The map page lists every location without JavaScript up to this many; above it, the first
# page and a link into the paginated List view (keeps the page small at 10,000 locations).
MAP_LIST_MAX = 500
RADII = (5, 10, 25, 50, 100)
FIELDS = ("lat", "lng", "name", "place", "slug", "street", "postcode", "cats", "hours",
          "special", "tz", "phone", "tel", "image")
VIEW_NAMES = {"map": "Map", "list": "List", "cards": "Cards"}


def data_url(config: SiteConfig) -> str:
    return config.urls.locations + "markers.json"


def ordered(locations: list[Location]) -> list[Location]:
    """Grouped by country, region and city, then by name: the order of every view."""
    return sorted(locations, key=lambda loc: (
        country_name(loc.country).casefold(), region_name(loc.region, loc.country).casefold(),
        (loc.city or "").casefold(), loc.name.casefold(), loc.url))


def region_label(location: Location, countries: int) -> str:
    region = region_name(location.region, location.country) or country_name(location.country)
    if countries > 1 and location.region:
        return f"{region}, {country_name(location.country)}"
    return region or "Other"


@dataclass
class Group:
    region: str
    cities: list[tuple[str, list[Location]]]


def grouped(locations: list[Location], countries: int) -> list[Group]:
    groups: list[Group] = []
    for loc in locations:
        region, city = region_label(loc, countries), loc.city or ""
        if not groups or groups[-1].region != region:
            groups.append(Group(region, []))
        cities = groups[-1].cities
        if not cities or cities[-1][0] != city:
            cities.append((city, []))
        cities[-1][1].append(loc)
    return groups


def page_url(base: str, number: int) -> str:
    return base if number == 1 else f"{base}page/{number}/"


def pagination(base: str, number: int, pages: int) -> dict[str, Any]:
    window = sorted({1, pages, *range(max(1, number - 2), min(pages, number + 2) + 1)})
    links: list[tuple[int, str] | None] = []
    for n in window:
        if links and links[-1] is not None and n - links[-1][0] > 1:
            links.append(None)  # a gap, shown as an ellipsis
        links.append((n, page_url(base, n)))
    return {"number": number, "pages": pages, "links": links,
            "prev": page_url(base, number - 1) if number > 1 else None,
            "next": page_url(base, number + 1) if number < pages else None}


def view_pages(config: SiteConfig, root: Hub) -> list[Page]:
    """The Map Search page and every page of the List and Card views."""
    locations = ordered(root.locations)
    countries = len({(loc.country or "").upper() for loc in locations})
    categories = sorted({c for loc in locations for c in loc.categories}, key=str.casefold)
    directions = DIRECTIONS[config.site.directions]
    shared = {"total": len(locations), "categories": categories, "radii": RADII,
              "data_url": data_url(config), "countries": countries, "directions": directions,
              "directions_for": lambda loc: directions.format(lat=f"{loc.lat:.6f}",
                                                              lng=f"{loc.lng:.6f}")}
    site = config.site.name
    pages = []
    trail = [("Home", "/"), ("Locations", config.urls.locations)]

    shown = locations if len(locations) <= MAP_LIST_MAX else locations[:PAGE_SIZE]
    pages.append(Page(
        config.urls.map, "locator_map.html", "locator-map", f"Map of all locations | {site}",
        f"Search {len(locations)} {site} locations on a map by name, city, postcode or "
        "service, or find the nearest to you.",
        {**shared, "view": "map", "items": shown, "more": len(shown) < len(locations),
         "trail": [*trail, ("Map", config.urls.map)], "map": search_map(config, locations)}))

    pages_count = max(1, -(-len(locations) // PAGE_SIZE))
    for view, template in (("list", "locator_list.html"), ("cards", "locator_cards.html")):
        base = getattr(config.urls, view)
        for number in range(1, pages_count + 1):
            items = locations[(number - 1) * PAGE_SIZE: number * PAGE_SIZE]
            suffix = "" if number == 1 else f", page {number} of {pages_count}"
            title = f"All locations: {VIEW_NAMES[view].lower()}{suffix} | {site}"
            crumb = (VIEW_NAMES[view], base)
            pages.append(Page(
                page_url(base, number), template, f"locator-{view}", title,
                f"All {len(locations)} {site} locations by region and city{suffix}.",
                {**shared, "view": view, "items": items, "groups": grouped(items, countries),
                 "pagination": pagination(base, number, pages_count),
                 "first_number": (number - 1) * PAGE_SIZE + 1,
                 "trail": [*trail, crumb] if number == 1 else
                 [*trail, crumb, (f"Page {number}", page_url(base, number))]}))
    return pages


def _key(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


class _Table:
    """Values stored once in the data file and referred to by their index."""

    def __init__(self) -> None:
        self.items: list[Any] = []
        self._index: dict[str, int] = {}

    def add(self, keyed: tuple[str, Any]) -> int:
        key, value = keyed
        if key not in self._index:
            self._index[key] = len(self.items)
            self.items.append(value)
        return self._index[key]


def _keyed(value: Any) -> tuple[str, Any]:
    return _key(value), value


@dataclass
class _Marker:
    """One location's marker fields, with each table value beside its lookup key."""

    head: list[Any]
    place: tuple[str, Any]
    cats: list[tuple[str, Any]]
    hours: tuple[str, Any] | None
    special: tuple[str, Any] | None
    zone: tuple[str, Any] | None
    tail: list[Any]


def _marker(loc: Location, countries: int) -> _Marker:
    prefix, slug = loc.url.rstrip("/").rsplit("/", 1)
    return _Marker(
        [round(loc.lat, 5), round(loc.lng, 5), loc.name],
        _keyed([prefix + "/", loc.city or "", loc.region or "", region_label(loc, countries),
                country_name(loc.country)]),
        [_keyed(c) for c in loc.categories],
        _keyed(loc.hours.to_json()) if loc.hours else None,
        _keyed(special_hours_data(loc.special_hours)) if loc.special_hours else None,
        _keyed(loc.timezone) if loc.timezone else None,
        [slug, loc.street or "", loc.postal_code or "", loc.phone.display if loc.phone else "",
         loc.phone.e164 or "" if loc.phone else "", loc.image or ""])


def marker_data(locations: list[Location], memo: dict[Any, Any] | None = None
                ) -> dict[str, Any]:
    """The markers file's data. `memo` (the model's) keeps each location's fields by its
    fingerprint, so `sitegen serve` recomputes only the locations an edit changed."""
    key = tuple((loc.url, loc.name, loc.city, loc.region, loc.country) for loc in locations)
    if memo is not None and memo.get("order", (None,))[0] == key:
        locations = memo["order"][1]
    else:
        locations = ordered(locations)
        if memo is not None:
            memo["order"] = (key, locations)
    countries = len({(loc.country or "").upper() for loc in locations})
    places, cats, hours, special, zones = _Table(), _Table(), _Table(), _Table(), _Table()
    previous = memo.get("markers", {}) if memo is not None else {}
    fresh: dict[tuple[str, int], _Marker] = {}
    rows = []
    for loc in locations:
        found = previous.get((loc.fingerprint, countries)) if loc.fingerprint else None
        if found is None:
            found = _marker(loc, countries)
        if loc.fingerprint:
            fresh[(loc.fingerprint, countries)] = found
        slug, street, postcode, display, e164, image = found.tail
        rows.append([
            *found.head, places.add(found.place), slug, street, postcode,
            [cats.add(c) for c in found.cats],
            hours.add(found.hours) if found.hours else None,
            special.add(found.special) if found.special else None,
            zones.add(found.zone) if found.zone else None,
            display, e164, image,
        ])
    if memo is not None:
        memo["markers"] = fresh
    return {"v": 1, "fields": list(FIELDS), "places": places.items, "cats": cats.items,
            "hours": hours.items, "special": special.items, "tz": zones.items, "locs": rows}


def marker_files(model: SiteModel) -> dict[str, bytes]:
    """An artifacts producer: the marker and search data of every locator view."""
    data = marker_data(model.locations, model.memo)
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return {data_url(model.config).lstrip("/"): text.encode("utf-8")}
