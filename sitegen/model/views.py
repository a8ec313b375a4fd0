"""The locator views (Map Search, List, Cards): their pages, in the order every view lists
the locations.

Server side, each view renders only a first page of locations (the List and Card views also
get static `page/N/` pages), so no-JS visitors and crawlers reach every location while no HTML
page grows with the dataset. In the browser, `locator.js` loads the marker data file
(output/markers.py) once and renders, filters and sorts from it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from sitegen.config.languages import home_url
from sitegen.config.schema import SiteConfig
from sitegen.data.locations import Location
from sitegen.data.markup import clean_inline
from sitegen.data.places import country_name, region_name
from sitegen.model.pages import Hub, Page
from sitegen.model.phrases import (
    MAP_DESCRIPTION,
    MAP_TITLE,
    VIEW_DESCRIPTION,
    VIEW_PAGE_DESCRIPTION,
    VIEW_PAGE_TITLES,
    VIEW_TITLES,
    phrase,
)
from sitegen.model.urls import DIRECTIONS

PAGE_SIZE = 50
# The map page lists every location without JavaScript up to this many; above it, the first
# page and a link into the paginated List view (the page stays small for any dataset).
MAP_LIST_MAX = 500
RADII = (5, 10, 25, 50, 100)
VIEW_NAMES = {"map": "Map", "list": "List", "cards": "Cards"}


def data_url(config: SiteConfig) -> str:
    return config.urls.locations + "markers.json"


def places_url(config: SiteConfig) -> str:
    """The place index (output/placeindex.py), or "" when `locator.places` is off."""
    return config.urls.locations + "places.json" if config.locator.places else ""


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
              "data_url": data_url(config), "places_url": places_url(config),
              "countries": countries, "directions": directions,
              "directions_for": lambda loc: directions.format(lat=f"{loc.lat:.6f}",
                                                              lng=f"{loc.lng:.6f}")}
    site = config.site.name
    pages = []
    trail = [("Home", home_url(config)), ("Locations", config.urls.locations)]

    shown = locations if len(locations) <= MAP_LIST_MAX else locations[:PAGE_SIZE]
    lang = config.site.language
    values = {"site": site, "count": len(locations)}
    pages.append(Page(
        config.urls.map, "locator_map.html", "locator-map", phrase(MAP_TITLE, values, lang),
        phrase(MAP_DESCRIPTION, values, lang),
        {**shared, "view": "map", "items": shown, "more": len(shown) < len(locations),
         "trail": [*trail, ("Map", config.urls.map)], "map": search_map(config, locations)}))

    pages_count = max(1, -(-len(locations) // PAGE_SIZE))
    for view, template in (("list", "locator_list.html"), ("cards", "locator_cards.html")):
        base = getattr(config.urls, view)
        for number in range(1, pages_count + 1):
            items = locations[(number - 1) * PAGE_SIZE: number * PAGE_SIZE]
            first = number == 1
            numbered = {**values, "number": number, "pages": pages_count}
            title = phrase(VIEW_TITLES[view] if first else VIEW_PAGE_TITLES[view], numbered,
                           lang)
            crumb = (VIEW_NAMES[view], base)
            pages.append(Page(
                page_url(base, number), template, f"locator-{view}", title,
                phrase(VIEW_DESCRIPTION if first else VIEW_PAGE_DESCRIPTION, numbered, lang),
                {**shared, "view": view, "items": items, "groups": grouped(items, countries),
                 "pagination": pagination(base, number, pages_count),
                 "first_number": (number - 1) * PAGE_SIZE + 1,
                 "trail": [*trail, crumb] if number == 1 else
                 [*trail, crumb, (f"Page {number}", page_url(base, number))]}))
    return pages


def bounds(locations: list[Location]) -> list[list[float]]:
    if not locations:
        return [[-60.0, -170.0], [75.0, 170.0]]
    lats = [loc.lat for loc in locations]
    lngs = [loc.lng for loc in locations]
    return [[round(min(lats), 5), round(min(lngs), 5)], [round(max(lats), 5), round(max(lngs), 5)]]


@dataclass(frozen=True)
class SearchMap:
    """What the Map Search map shows: its tiles and the box of every location.

    The map itself is rendered by folium (render/search_map.py) only when the page that shows
    it is rendered: folium and numpy cost most of a second to import. Its `fingerprint`
    (tiles, attribution, bounds) lets an incremental build know without rendering that the
    map has not changed.
    """

    tiles: str
    attribution: str
    box: tuple[tuple[float, float], tuple[float, float]]

    @property
    def fingerprint(self) -> str:
        return hashlib.blake2b(repr((self.tiles, self.attribution, self.box)).encode(),
                               digest_size=16).hexdigest()


def search_map(config: SiteConfig, locations: list[Location]) -> SearchMap:
    """The Map Search map for these locations (rendered lazily, deterministic)."""
    box = bounds(locations)
    return SearchMap(config.maps.tiles, clean_inline(config.maps.attribution),
                     ((box[0][0], box[0][1]), (box[1][0], box[1][1])))
