"""The locator's front door: search box sample text from the site's own data, map assets.

The placeholder reads "e.g. Portland or 97214" on a US coffee chain and "e.g. Manchester or
M1 1AA" on a UK pharmacy list: the city with the most locations and a postcode of one of
them, never a hard-coded place. Ties go to the first name alphabetically, so the text is
the same in every build of the same data.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from sitegen.config.schema import SiteConfig
from sitegen.data.locations import Location
from sitegen.data.markup import clean_inline
from sitegen.render.maps import CLUSTER_CSS, CLUSTER_JS, LEAFLET_CSS, LEAFLET_JS


@dataclass(frozen=True, slots=True)
class SearchHint:
    city: str
    postcode: str

    @property
    def placeholder(self) -> str:
        parts = [part for part in (self.city, self.postcode) if part]
        return "e.g. " + " or ".join(parts) if parts else ""


def search_hint(locations: list[Location]) -> SearchHint:
    """The most common city of `locations` and the first postcode (by location name) in it."""
    cities = Counter(loc.city for loc in locations if loc.city)
    if not cities:
        return SearchHint("", min((loc.postal_code for loc in locations if loc.postal_code),
                                  default=""))
    city = min(cities, key=lambda name: (-cities[name], name.casefold(), name))
    postcodes = sorted((loc.name.casefold(), loc.postal_code) for loc in locations
                        if loc.city == city and loc.postal_code)
    return SearchHint(city, postcodes[0][1] if postcodes else "")


@dataclass(frozen=True, slots=True)
class MapAssets:
    """What the home and hub maps load when they scroll into view (js/overview-map.js)."""

    js: tuple[str, ...]
    css: tuple[str, ...]
    attribution: str


def map_assets(config: SiteConfig) -> MapAssets:
    return MapAssets((LEAFLET_JS, CLUSTER_JS), (LEAFLET_CSS, *CLUSTER_CSS),
                     clean_inline(config.maps.attribution))
