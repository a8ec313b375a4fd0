"""Location feeds for other platforms: JSON, one JSON file per location, GeoJSON and CSV.

Public fields only: `locations.private` columns are dropped by the mapping stage, and
`location_record` refuses (as a build error) any record that would still carry one. Every
feed is a pure function of the model, so two builds of the same input are byte-identical.

    /api/locations.json         {"version": 1, "site": {...}, "count": N, "locations": [record]}
    /api/locations/<key>.json   one record; <key> is the id made path-safe with urls.slug
    /api/locations.geojson      FeatureCollection; Point [lng, lat]; properties = the record
                                without lat/lng
    /api/locations.csv          one row per location; hours per day; extra.* columns last
"""

from __future__ import annotations

import csv
import functools
import hashlib
import io
import json
import re
from dataclasses import dataclass
from typing import Any

from sitegen import seo
from sitegen.diagnostics import Diagnostic, SitegenError
from sitegen.hours import DAY_MINUTES, DAYS, Interval
from sitegen.locations import Location
from sitegen.model import SiteModel
from sitegen.urls import MAX_SEGMENT, slug

API = "api/"
FEED_VERSION = 1
CSV_COLUMNS = (
    "id", "name", "url", "street", "city", "region", "postal_code", "country",
    "neighbourhood", "lat", "lng", "phone", "phone_display", "email", "website", "booking_url",
    "timezone", "categories", *(f"hours.{day}" for day in DAYS), "special_hours",
    "description", "image",
)


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
        "api_url": seo.absolute(base, f"/{API}locations/{key}.json"),
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
        "extra": {name: _plain(value) for name, value in sorted(location.extra.items())},
    }


def _plain(value: Any) -> Any:
    return value if isinstance(value, str | int | float | bool) or value is None else str(value)


def _dumps(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def feature(record: dict[str, Any]) -> dict[str, Any]:
    """A GeoJSON Feature: Point [lng, lat]; properties are the record without lat/lng."""
    properties = {k: v for k, v in record.items() if k not in ("lat", "lng")}
    return {"type": "Feature", "id": record["id"],
            "geometry": {"type": "Point", "coordinates": [record["lng"], record["lat"]]},
            "properties": properties}


_TEXT_COLUMNS = CSV_COLUMNS[:CSV_COLUMNS.index("categories")]


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def csv_row(location: Location, record: dict[str, Any], extra_names: list[str],
            separator: str) -> list[str]:
    days = location.hours.days if location.hours else {}
    extra = record["extra"]
    return [
        *(_text(record[column]) for column in _TEXT_COLUMNS),
        separator.join(record["categories"]),
        *(_cell(days.get(day)) for day in DAYS),
        _special(location), _text(record["description"]), _text(record["image"]),
        *(_text(extra.get(name)) for name in extra_names),
    ]


@dataclass
class _Encoded:
    """One location's share of every feed, encoded once."""

    record: dict[str, Any]
    json: bytes
    feature: bytes
    file: bytes  # its own file, api/locations/<key>.json
    csv: str = ""
    csv_columns: tuple[str, ...] | None = None


def _encoded(model: SiteModel) -> list[tuple[str, _Encoded]]:
    """(feed key, encoded record) per location. Kept in `model.memo` by location
    fingerprint, so `sitegen serve` re-encodes only the locations an edit changed."""
    store = model.memo if model.memo is not None else {}
    ids = tuple(loc.id for loc in model.locations)
    if store.get("keys", (None,))[0] != ids:
        store["keys"] = (ids, feed_keys(model.locations))
    keys = store["keys"][1]
    private = frozenset(model.config.locations.private)
    previous = store.get("feeds", {})
    memo: dict[tuple[str, str], _Encoded] = {}
    out = []
    for loc in model.locations:
        key = keys[loc.id]
        found = previous.get((loc.fingerprint, key)) if loc.fingerprint else None
        if found is None:
            record = location_record(model, loc, key, private)
            text = _dumps(record).encode("utf-8")
            found = _Encoded(record, text, _dumps(feature(record)).encode("utf-8"),
                             text + b"\n")
        if loc.fingerprint and model.memo is not None:
            memo[(loc.fingerprint, key)] = found
        out.append((key, found))
    store["feeds"] = memo
    return out


def csv_text(model: SiteModel, items: list[_Encoded]) -> str:
    extra_names = sorted({name for item in items for name in item.record["extra"]})
    columns = tuple(extra_names)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([*CSV_COLUMNS, *(f"extra.{name}" for name in extra_names)])
    parts = [buffer.getvalue()]
    by_id = {loc.id: loc for loc in model.locations}
    separator = model.config.locations.categories_separator
    for item in items:
        if item.csv_columns != columns:
            buffer.seek(0)
            buffer.truncate()
            writer.writerow(csv_row(by_id[item.record["id"]], item.record, extra_names,
                                    separator))
            item.csv, item.csv_columns = buffer.getvalue(), columns
        parts.append(item.csv)
    return "".join(parts)


def _special(location: Location) -> str:
    """`2026-12-24 07:00-14:00 Christmas Eve; 2026-12-25 closed`, as sitegen reads it."""
    return "; ".join(f"{day.date.isoformat()} {_cell(day.intervals)}"
                     + (f" {day.note}" if day.note else "")
                     for day in sorted(location.special_hours, key=lambda d: d.date))


def feed_files(model: SiteModel) -> dict[str, bytes]:
    """The artifacts producer: every feed of the build."""
    items = _encoded(model)
    site = {"name": model.config.site.name, "url": seo.absolute(model.policy.base_url, "/")}
    head = _dumps({"version": FEED_VERSION, "site": site, "count": len(items)})
    encoded = [item for _, item in items]
    files = {
        f"{API}locations.json": b"".join([
            (head[:-1] + ',"locations":[').encode("utf-8"),
            b",".join(item.json for item in encoded), b"]}\n"]),
        f"{API}locations.geojson": b"".join([
            b'{"type":"FeatureCollection","features":[',
            b",".join(item.feature for item in encoded), b"]}\n"]),
        f"{API}locations.csv": csv_text(model, encoded).encode("utf-8"),
    }
    for key, item in items:
        files[f"{API}locations/{key}.json"] = item.file
    return files
