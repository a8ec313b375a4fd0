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


def _json(data: Any) -> bytes:
    return (_dumps(data) + "\n").encode("utf-8")


def records(model: SiteModel) -> list[tuple[str, dict[str, Any]]]:
    keys = feed_keys(model.locations)
    private = frozenset(model.config.locations.private)
    return [(keys[loc.id], location_record(model, loc, keys[loc.id], private))
            for loc in model.locations]


def geojson(items: list[dict[str, Any]]) -> dict[str, Any]:
    features = []
    for record in items:
        properties = {k: v for k, v in record.items() if k not in ("lat", "lng")}
        features.append({"type": "Feature", "id": record["id"],
                         "geometry": {"type": "Point", "coordinates": [record["lng"],
                                                                       record["lat"]]},
                         "properties": properties})
    return {"type": "FeatureCollection", "features": features}


_TEXT_COLUMNS = CSV_COLUMNS[:CSV_COLUMNS.index("categories")]


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def csv_bytes(model: SiteModel, items: list[dict[str, Any]]) -> bytes:
    extra_names = sorted({name for record in items for name in record["extra"]})
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([*CSV_COLUMNS, *(f"extra.{name}" for name in extra_names)])
    by_id = {loc.id: loc for loc in model.locations}
    separator = model.config.locations.categories_separator
    for record in items:
        location = by_id[record["id"]]
        days = location.hours.days if location.hours else {}
        extra = record["extra"]
        writer.writerow([
            *(_text(record[column]) for column in _TEXT_COLUMNS),
            separator.join(record["categories"]),
            *(_cell(days.get(day)) for day in DAYS),
            _special(location), _text(record["description"]), _text(record["image"]),
            *(_text(extra.get(name)) for name in extra_names),
        ])
    return buffer.getvalue().encode("utf-8")


def _special(location: Location) -> str:
    """`2026-12-24 07:00-14:00 Christmas Eve; 2026-12-25 closed`, as sitegen reads it."""
    return "; ".join(f"{day.date.isoformat()} {_cell(day.intervals)}"
                     + (f" {day.note}" if day.note else "")
                     for day in sorted(location.special_hours, key=lambda d: d.date))


def feed_files(model: SiteModel) -> dict[str, bytes]:
    """The artifacts producer: every feed of the build."""
    items = records(model)
    plain = [record for _, record in items]
    site = {"name": model.config.site.name, "url": seo.absolute(model.policy.base_url, "/")}
    encoded = [_dumps(record) for record in plain]  # once, for both the list and the files
    head = _dumps({"version": FEED_VERSION, "site": site, "count": len(plain)})
    files = {
        f"{API}locations.json": (head[:-1] + ',"locations":[' + ",".join(encoded) + "]}\n"
                                 ).encode("utf-8"),
        f"{API}locations.geojson": _json(geojson(plain)),
        f"{API}locations.csv": csv_bytes(model, plain),
    }
    for (key, _), text in zip(items, encoded, strict=True):
        files[f"{API}locations/{key}.json"] = (text + "\n").encode("utf-8")
    return files
