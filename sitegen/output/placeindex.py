"""The locator's place index: towns and postcodes of the dataset's countries, one static file.

locator.js loads it only when a search matches no location directly, and resolves the query
to a place (a town, a postcode or a postcode area) to list the nearest locations from:

    {"v": 1, "countries": {"US": "United States"},
     "regions": [["US", "Oregon", "OR"]],            # country, name, short code
     "towns": [["Beaverton", 45.487, -122.804, 0, 96, "alt|alt"]],
               # name, lat, lng, region index, population in thousands, folded alternates
     "postcodes": {"US": {"rule": "us", "codes": {"97209": [45.5237, -122.6825, 0]}}}}

A postcode entry's last value says how it was found: 0 a location's own postcode (or a row
of the centroid file), 1 the mean of the postcodes of an area (`972`, `M14`), 2 a UK
district with no entry of its own, placed between the districts numbered either side of it
(`M2` between `M1` and `M3`). Coordinates are rounded (towns to ~100 m, postcodes to ~10 m)
and everything is sorted, so the file is the same in every build of the same input.
"""

from __future__ import annotations

import re
from collections import defaultdict

from sitegen.config.schema import SiteConfig
from sitegen.data.gazetteer import town_table
from sitegen.data.locations import Location
from sitegen.data.places import country_name
from sitegen.data.postcodes import Centroid, countries_of, is_full, keys, rule
from sitegen.jsontext import compact
from sitegen.model.pages import SiteModel
from sitegen.model.views import places_url

_DISTRICT = re.compile(r"([A-Z]{1,2})([0-9]{1,2})")
Sums = dict[str, list[float]]  # key -> [lat sum, lng sum, count]


def _add(sums: Sums, key: str, lat: float, lng: float) -> None:
    entry = sums.setdefault(key, [0.0, 0.0, 0.0])
    entry[0] += lat
    entry[1] += lng
    entry[2] += 1


def _means(sums: Sums, level: int) -> dict[str, list[float | int]]:
    return {key: [round(lat / n, 4), round(lng / n, 4), level]
            for key, (lat, lng, n) in sums.items()}


def _country_codes(country: str, located: list[tuple[str, float, float]],
                   centroids: list[Centroid]) -> dict[str, list[float | int]]:
    """One country's postcode keys: exact postcodes, then areas (the centroid file's rows
    win over the mean of the dataset's own postcodes in an area)."""
    exact: Sums = {}
    areas: Sums = {}
    for postcode, lat, lng in located:
        found = keys(country, postcode)
        _add(exact, found[0] if found else postcode, lat, lng)
        for key in found[1:]:
            _add(areas, key, lat, lng)
    given: Sums = {}
    given_areas: Sums = {}
    for row in centroids:
        found = keys(country, row.postcode)
        if not found:
            continue
        if not is_full(country, found[0]):
            _add(given, found[0], row.lat, row.lng)
        for key in found[1:]:
            _add(given_areas, key, row.lat, row.lng)
    codes = _means(areas, 1)
    codes.update(_means(given_areas, 1))
    codes.update(_means(exact, 0))
    for key, entry in _means(given, 0).items():
        codes[key] = [entry[0], entry[1], 0 if _whole(country, key) else 1]
    if rule(country) == "gb":
        codes.update(_between(codes))
    return codes


def _whole(country: str, key: str) -> bool:
    """Whether a key of the centroid file is a postcode (a US ZIP...), not an area of them."""
    kind = rule(country)
    if kind == "us":
        return len(key) == 5
    return kind == "digits" and len(key) >= 4


def _between(codes: dict[str, list[float | int]]) -> dict[str, list[float | int]]:
    """UK districts without an entry whose numbered neighbours both have one."""
    found: dict[str, list[float | int]] = {}
    for key in codes:
        district = _DISTRICT.fullmatch(key)
        if not district:
            continue
        area, number = district.group(1), int(district.group(2))
        after = f"{area}{number + 2}"
        gap = f"{area}{number + 1}"
        if gap not in codes and after in codes:
            a, b = codes[key], codes[after]
            found[gap] = [round((float(a[0]) + float(b[0])) / 2, 4),
                          round((float(a[1]) + float(b[1])) / 2, 4), 2]
    return found


def _postcodes(locations: list[Location], countries: tuple[str, ...],
               centroids: list[Centroid]) -> dict[str, dict[str, object]]:
    by_country: dict[str, list[tuple[str, float, float]]] = defaultdict(list)
    for loc in locations:
        if loc.postal_code and loc.country:
            by_country[loc.country.upper()].append((loc.postal_code, loc.lat, loc.lng))
    result: dict[str, dict[str, object]] = {}
    for country in countries:
        codes = _country_codes(country, by_country.get(country, []), centroids)
        if codes:
            result[country] = {"rule": rule(country), "codes": dict(sorted(codes.items()))}
    return result


def place_index(config: SiteConfig, locations: list[Location],
                centroids: list[Centroid]) -> dict[str, object]:
    """The place index of `locations`' countries (see the module's docstring)."""
    countries = countries_of(locations)
    table = town_table(countries, config.locator.min_population)
    return {"v": 1, "countries": {c: country_name(c) for c in countries},
            "regions": table.regions, "towns": table.rows,
            "postcodes": _postcodes(locations, countries, centroids)}


def place_files(model: SiteModel) -> dict[str, bytes]:
    """An artifacts producer: the place index (none when `locator.places` is off)."""
    config = model.config
    if not config.locator.places or not model.locations:
        return {}
    data = place_index(config, model.locations, model.postcodes)
    return {places_url(config).lstrip("/"): compact(data)}
