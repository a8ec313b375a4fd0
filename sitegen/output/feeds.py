"""Location feeds for other platforms: JSON, one JSON file per location, GeoJSON and CSV.

Public fields only: `locations.private` columns are dropped by the mapping stage, and
`location_record` refuses (as a build error) any record that would still carry one. Every
feed is a pure function of the model, so two builds of the same input are byte-identical.

    /api/locations.json         {"version": 1, "site": {...}, "count": N, "locations": [record]}
    /api/locations/<key>.json   one record; <key> is the id made path-safe with urls.slug;
                                only with `feeds.per_location` (off by default: a chain's
                                10,000 files cost more to write than every page of it)
    /api/locations.geojson      FeatureCollection; Point [lng, lat]; properties = the record
                                without lat/lng
    Each record has `status` (open, coming_soon, temporarily_closed; closed ones only with
    feeds.include_closed) and `status_date` as on the build date (model/lifecycle.py).
    /api/locations.csv          one row per location; hours per day; extra.* columns last;
                                cells safe to open in a spreadsheet (data/feedcsv.py)
"""

from __future__ import annotations

import csv
import functools
import hashlib
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sitegen.data.feedcsv import FEED_HEAD, PHONE_COLUMNS, neutral, neutral_phone
from sitegen.data.hours import DAY_MINUTES, DAYS, Interval
from sitegen.data.locations import Location
from sitegen.diagnostics import Diagnostic, SitegenError
from sitegen.jsontext import compact, compact_text
from sitegen.model.pages import SiteModel
from sitegen.model.urls import MAX_SEGMENT, slug
from sitegen.output.write import Batch, FileSet
from sitegen.render import seo

API = "api/"
FEED_VERSION = 1
CSV_COLUMNS = (*FEED_HEAD, *(f"hours.{day}" for day in DAYS), "special_hours", "description",
               "image", "status", "status_date")


def _clock(minutes: int) -> str:
    hours, mins = divmod(minutes % DAY_MINUTES, 60)
    return f"{hours:02d}:{mins:02d}"


@functools.lru_cache(maxsize=4096)
def interval_pair(interval: Interval) -> tuple[str, str]:
    """("09:00", "17:00"); all day is ("00:00", "24:00"); past midnight closes "02:00"."""
    opens, closes = interval
    if (opens, closes) == (0, DAY_MINUTES):
        return ("00:00", "24:00")
    return (_clock(opens), _clock(closes))


@functools.lru_cache(maxsize=4096)
def _pairs(intervals: tuple[Interval, ...]) -> tuple[tuple[str, str], ...]:
    return tuple(interval_pair(tuple(i)) for i in intervals)


@functools.lru_cache(maxsize=4096)
def _day_cell(intervals: tuple[Interval, ...]) -> str:
    return ", ".join("-".join(pair) for pair in _pairs(intervals)) if intervals else "closed"


def _cell(intervals: list[Interval] | None) -> str:
    """The sitegen hours syntax, so the CSV can be read back: 09:00-17:00, closed, or blank."""
    return "" if intervals is None else _day_cell(tuple(intervals))


_PLAIN_ID = re.compile(r"[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*")


def _key(ident: str) -> str:
    """urls.slug(ident), without the slugify call for ids that are already plain."""
    if len(ident) <= MAX_SEGMENT and _PLAIN_ID.fullmatch(ident):
        return ident.lower()
    return slug(ident)


def feed_keys(locations: list[Location]) -> dict[str, str]:
    """id -> path-safe key; ids whose slugs collide get a short hash of the id appended."""
    by_slug: dict[str, list[str]] = {}
    for location in locations:
        by_slug.setdefault(_key(location.id), []).append(location.id)
    keys = {}
    for key, ids in by_slug.items():
        for ident in ids:
            keys[ident] = key if len(ids) == 1 else \
                f"{key}-{hashlib.sha1(ident.encode()).hexdigest()[:8]}"
    return keys


def location_record(model: SiteModel, location: Location, key: str,
                    private: frozenset[str] | None = None) -> dict[str, Any]:
    base = model.policy.base_url
    if private is None:
        private = frozenset(model.config.locations.private)
    leaked = sorted(private.intersection(location.extra))
    if leaked:  # the mapping drops them; this is the belt to its braces
        raise SitegenError(Diagnostic(location.source, location.row, leaked[0],
                                      "a private column reached the public feeds",
                                      "report this as a sitegen bug"))
    hours = None
    if location.hours is not None:
        days = location.hours.days
        hours = {day: _pairs(tuple(days[day])) for day in DAYS if day in days}
    image = location.image
    if image and not image.startswith(("http://", "https://")):
        image = seo.absolute(base, image)
    return {
        "id": location.id,
        "name": location.name,
        "url": seo.absolute(base, location.url),
        "api_url": seo.absolute(base, f"/{API}locations/{key}.json")
        if model.config.feeds.per_location else None,
        "street": location.street,
        "city": location.city,
        "region": location.region,
        "postal_code": location.postal_code,
        "country": location.country,
        "neighbourhood": location.neighbourhood,
        "lat": round(location.lat, 6),
        "lng": round(location.lng, 6),
        "phone": (location.phone.e164 or location.phone.raw) if location.phone else None,
        "phone_display": location.phone.display if location.phone else None,
        "email": location.email,
        "website": location.website,
        "booking_url": location.booking_url,
        "timezone": location.timezone,
        "categories": list(location.categories),
        "hours": hours,
        "special_hours": [
            {"date": day.date.isoformat(),
             "hours": _pairs(tuple(day.intervals)),
             **({"note": day.note} if day.note else {})}
            for day in sorted(location.special_hours, key=lambda d: d.date)],
        "description": location.description or None,
        "image": image,
        "status": location.status,
        "status_date": location.status_date.isoformat() if location.status_date else None,
        "extra": {name: _plain(value) for name, value in sorted(location.extra.items())},
    }


def _plain(value: Any) -> Any:
    return value if isinstance(value, str | int | float | bool) or value is None else str(value)


_TEXT_COLUMNS = CSV_COLUMNS[:CSV_COLUMNS.index("categories")]


def _text(value: Any) -> str:
    return "" if value is None else str(value)


# lat, lng and the phones are neighbours: the text cells are those around them.
_LAT = CSV_COLUMNS.index("lat")
_PHONE, _PHONE_DISPLAY = _LAT + 2, _LAT + 3
assert CSV_COLUMNS[_LAT:_LAT + 4] == ("lat", "lng", *sorted(PHONE_COLUMNS))
# A cell starting as neutral() may change it, after the separator the check joins cells with.
_MAY_RUN = re.compile("\x1f['=+\\-@\t\r]")


def csv_row(location: Location, record: dict[str, Any], extra_names: list[str],
            separator: str) -> list[str]:
    """The location's CSV row, safe in a spreadsheet (data/feedcsv.py). lat and lng are
    numbers; the phones take neutral_phone; the other cells are looked at together first,
    with one regex search, as most rows need no change."""
    cells = _cells(location, record, extra_names, separator)
    phone, display = cells[_PHONE], cells[_PHONE_DISPLAY]
    if _MAY_RUN.search("\x1f" + "\x1f".join(cells[:_LAT]) + "\x1f"
                       + "\x1f".join(cells[_PHONE_DISPLAY + 1:])):
        cells = list(map(neutral, cells))
    cells[_PHONE], cells[_PHONE_DISPLAY] = neutral_phone(phone), neutral_phone(display)
    return cells


def _cells(location: Location, record: dict[str, Any], extra_names: list[str],
           separator: str) -> list[str]:
    days = location.hours.days if location.hours else {}
    extra = record["extra"]
    return [
        *(_text(record[column]) for column in _TEXT_COLUMNS),
        separator.join(record["categories"]),
        *(_cell(days.get(day)) for day in DAYS),
        _special(location), _text(record["description"]), _text(record["image"]),
        record["status"], _text(record["status_date"]),
        *(_text(extra.get(name)) for name in extra_names),
    ]


@dataclass
class _Encoded:
    """One location's share of every feed, encoded once: its JSON record, its GeoJSON
    feature and its CSV row. The record itself is kept only in serve's memo, to encode the
    row again when the extra columns change."""

    json: bytes
    geojson: bytes
    csv: bytes
    csv_columns: tuple[str, ...]
    record: dict[str, Any] | None = None


def _feature(ident: str, record: dict[str, Any]) -> bytes:
    """The GeoJSON Feature: a Point [lng, lat], and the record without lat and lng as its
    properties (encoding it again costs a microsecond: jsontext.py)."""
    return compact({"type": "Feature", "id": ident,
                    "geometry": {"type": "Point", "coordinates": [record["lng"], record["lat"]]},
                    "properties": {name: value for name, value in record.items()
                                   if name not in ("lat", "lng")}})


def extra_columns(locations: list[Location]) -> tuple[str, ...]:
    """The CSV's extra.* columns: every extra field of any location, sorted."""
    return tuple(sorted({name for location in locations for name in location.extra}))


def feed_locations(model: SiteModel) -> list[Location]:
    """The locations the feeds list: those with a page, then, with `feeds.include_closed`,
    the ones closed on the build date (status "closed"), in URL order."""
    if not model.config.feeds.include_closed or not model.closed:
        return model.locations
    return [*model.locations, *sorted(model.closed, key=lambda loc: loc.url)]


def _encoded(model: SiteModel) -> Iterator[tuple[Location, str, _Encoded]]:
    """(location, feed key, encoded record) per location, encoded as they are asked for.
    Kept in `model.memo` by location fingerprint, so `sitegen serve` re-encodes only the
    locations an edit changed."""
    memo_on = model.memo is not None
    store: dict[str, Any] = model.memo if model.memo is not None else {}
    listed = feed_locations(model)
    ids = tuple(loc.id for loc in listed)
    if store.get("keys", (None,))[0] != ids:
        store["keys"] = (ids, feed_keys(listed))
    keys = store["keys"][1]
    private = frozenset(model.config.locations.private)
    columns = extra_columns(listed)
    separator = model.config.locations.categories_separator or ","
    previous = store.get("feeds", {})
    memo: dict[tuple[str, str], _Encoded] = {}
    for loc in listed:
        key = keys[loc.id]
        found = previous.get((loc.fingerprint, key)) if loc.fingerprint else None
        if found is None:
            record = location_record(model, loc, key, private)
            found = _Encoded(compact(record), _feature(loc.id, record),
                             _csv_line(loc, record, columns, separator), columns,
                             record if memo_on else None)
        elif found.csv_columns != columns:
            assert found.record is not None  # memoised items keep their record
            found.csv = _csv_line(loc, found.record, columns, separator)
            found.csv_columns = columns
        if loc.fingerprint and memo_on:
            memo[(loc.fingerprint, key)] = found
        yield loc, key, found
    if memo_on:
        store["feeds"] = memo


def _csv_line(location: Location, record: dict[str, Any], columns: tuple[str, ...],
              separator: str) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_ALL).writerow(
        csv_row(location, record, list(columns), separator))
    return buffer.getvalue().encode("utf-8")


def _csv_header(columns: tuple[str, ...]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_ALL).writerow(
        [*CSV_COLUMNS, *(f"extra.{name}" for name in columns)])
    return buffer.getvalue().encode("utf-8")


def _special(location: Location) -> str:
    """`2026-12-24 07:00-14:00 Christmas Eve; 2026-12-25 closed`, as sitegen reads it."""
    return "; ".join(f"{day.date.isoformat()} {_cell(day.intervals)}"
                     + (f" {day.note}" if day.note else "")
                     for day in sorted(location.special_hours, key=lambda d: d.date))


def feed_files(model: SiteModel) -> Iterator[FileSet]:
    """The artifacts producer: every feed of the build, in one pass over the locations
    (write.FileSet): the three whole-collection feeds, each as big as the dataset, grow as
    each location's own file (with `feeds.per_location`) is written."""
    site = {"name": model.config.site.name, "url": seo.absolute(model.policy.base_url, "/")}
    listed = feed_locations(model)
    head = compact_text({"version": FEED_VERSION, "site": site, "count": len(listed)})
    columns = extra_columns(listed)
    per_location = model.config.feeds.per_location
    collection, features, table = (f"{API}locations.json", f"{API}locations.geojson",
                                   f"{API}locations.csv")

    def pieces() -> Iterator[tuple[str, bytes]]:
        yield collection, (head[:-1] + ',"locations":[').encode("utf-8")
        yield features, b'{"type":"FeatureCollection","features":['
        yield table, _csv_header(columns)
        records, points, rows = Batch(b","), Batch(b","), Batch(b"")
        for _, key, item in _encoded(model):
            if per_location:
                yield f"{API}locations/{key}.json", item.json + b"\n"
            for rel, batch, part in ((collection, records, item.json),
                                     (features, points, item.geojson),
                                     (table, rows, item.csv)):
                full = batch.add(part)
                if full:
                    yield rel, full
        for rel, batch in ((collection, records), (features, points), (table, rows)):
            yield rel, batch.rest()
        yield collection, b"]}\n"
        yield features, b"]}\n"

    yield FileSet((collection, features, table), pieces)
