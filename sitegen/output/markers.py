"""The one marker data file every locator view reads (model/views.py makes the views).

In the browser, `locator.js` loads `markers.json` once and renders, filters and sorts from it.
`markers.json` is compact: repeated values (URL prefixes with their city and region, hours,
holiday hours, time zones, categories) are stored once in tables, and each location is an array
whose positions are named by the file's own `fields` list:

    {"v": 1, "fields": ["lat", "lng", "name", ...],
     "places": [[url prefix, city, region, region heading, country name]],
     "cats": [...], "hours": [{"mo": [[540, 1020]]}], "special": [{"2026-12-25": []}],
     "tz": ["America/New_York"], "locs": [[40.71278, -74.00601, "Name", ...], ...]}

`status` is "" for an open location, else coming_soon or temporarily_closed (closed ones
have no marker); `sdate` the YYYY-MM-DD from which it is open, or "".
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sitegen.data.hours import SpecialDay, WeeklyHours
from sitegen.data.locations import Location
from sitegen.data.places import country_name
from sitegen.jsontext import compact, compact_text, sorted_text
from sitegen.memo import by_identity
from sitegen.model.pages import SiteModel
from sitegen.model.views import data_url, ordered, region_label
from sitegen.render.context import special_hours_data

FIELDS = ("lat", "lng", "name", "place", "slug", "street", "postcode", "cats", "hours",
          "special", "tz", "phone", "tel", "image", "status", "sdate")


def _key(value: Any) -> str:
    return sorted_text(value)


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


@by_identity
def _keyed_week(hours: WeeklyHours) -> tuple[str, Any]:
    return _keyed(hours.to_json())


@by_identity
def _keyed_holidays(days: list[SpecialDay]) -> tuple[str, Any]:
    return _keyed(special_hours_data(days))


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
        _keyed_week(loc.hours) if loc.hours else None,
        _keyed_holidays(loc.special_hours) if loc.special_hours else None,
        _keyed(loc.timezone) if loc.timezone else None,
        [slug, loc.street or "", loc.postal_code or "", loc.phone.display if loc.phone else "",
         loc.phone.e164 or "" if loc.phone else "", loc.image or "",
         "" if loc.status == "open" else loc.status,
         loc.status_date.isoformat() if loc.status_date else ""])


@dataclass
class _MarkerFile:
    """A model's markers file, kept row by row so an in-place edit redoes only its rows."""

    key: tuple[Any, ...]
    locations: list[Location]  # in view order
    countries: int
    fingerprints: list[str]
    markers: list[_Marker]
    rows: list[list[Any]]
    texts: list[str]
    head: str


def _table_keys(marker: _Marker) -> tuple[Any, ...]:
    return (marker.place[0], [c[0] for c in marker.cats], marker.hours and marker.hours[0],
            marker.special and marker.special[0], marker.zone and marker.zone[0])


def _row(marker: _Marker, indices: tuple[int, list[int], Any, Any, Any]) -> list[Any]:
    place, cats, hours, special, zone = indices
    slug, street, postcode, display, e164, image, status, status_date = marker.tail
    return [*marker.head, place, slug, street, postcode, cats, hours, special, zone,
            display, e164, image, status, status_date]


_Tables = tuple[_Table, _Table, _Table, _Table, _Table]  # places, cats, hours, special, zones


def _marked(locations: list[Location], countries: int, tables: _Tables
            ) -> Iterator[tuple[_Marker, list[Any]]]:
    """Each location's marker and its row, the tables growing as values first appear."""
    places, cats, hours, special, zones = tables
    for loc in locations:
        m = _marker(loc, countries)
        yield m, _row(m, (places.add(m.place), [cats.add(c) for c in m.cats],
                          hours.add(m.hours) if m.hours else None,
                          special.add(m.special) if m.special else None,
                          zones.add(m.zone) if m.zone else None))


def _head(tables: _Tables) -> str:
    places, cats, hours, special, zones = tables
    head = compact_text({"v": 1, "fields": list(FIELDS), "places": places.items, "cats": cats.items,
                   "hours": hours.items, "special": special.items, "tz": zones.items})
    return head[:-1] + ',"locs":['


def _marker_file(locations: list[Location], key: tuple[Any, ...]) -> _MarkerFile:
    locations = ordered(locations)
    countries = len({(loc.country or "").upper() for loc in locations})
    tables: _Tables = (_Table(), _Table(), _Table(), _Table(), _Table())
    markers, rows = [], []
    for marker, row in _marked(locations, countries, tables):
        markers.append(marker)
        rows.append(row)
    return _MarkerFile(key, locations, countries, [loc.fingerprint for loc in locations],
                       markers, rows, [compact_text(row) for row in rows], _head(tables))


def _marker_bytes(locations: list[Location]) -> bytes:
    """The markers file of a build, which keeps nothing for a next edit: each row is
    encoded as it is made, not kept."""
    locations = ordered(locations)
    countries = len({(loc.country or "").upper() for loc in locations})
    tables: _Tables = (_Table(), _Table(), _Table(), _Table(), _Table())
    rows = [compact(row) for _, row in _marked(locations, countries, tables)]
    return b"".join([_head(tables).encode("utf-8"), b",".join(rows), b"]}"])


def _edited(state: _MarkerFile) -> bool:
    """Redo the rows of locations whose fingerprint changed, in place; False when a change
    touches the shared tables (a new hours value...), which needs the whole file again."""
    for index, loc in enumerate(state.locations):
        if not loc.fingerprint or loc.fingerprint == state.fingerprints[index]:
            continue
        marker = _marker(loc, state.countries)
        if _table_keys(marker) != _table_keys(state.markers[index]):
            return False
        old = state.rows[index]
        row = _row(marker, (old[3], old[7], old[8], old[9], old[10]))
        state.fingerprints[index], state.markers[index] = loc.fingerprint, marker
        state.rows[index], state.texts[index] = row, compact_text(row)
    return True


def marker_text(locations: list[Location], memo: dict[str, Any]) -> str:
    """The markers file of `sitegen serve`: `memo` (the model's) keeps it row by row
    between calls, so an edit redoes only the rows of the locations it changed."""
    key = tuple((loc.url, loc.name, loc.city, loc.region, loc.country) for loc in locations)
    state = memo.get("markers")
    if not (isinstance(state, _MarkerFile) and state.key == key and _edited(state)):
        state = memo["markers"] = _marker_file(locations, key)
    return state.head + ",".join(state.texts) + "]}"


def marker_files(model: SiteModel) -> dict[str, bytes]:
    """An artifacts producer: the marker and search data of every locator view."""
    data = _marker_bytes(model.locations) if model.memo is None else \
        marker_text(model.locations, model.memo).encode("utf-8")
    return {data_url(model.config).lstrip("/"): data}
