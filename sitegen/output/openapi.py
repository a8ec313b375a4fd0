"""`api/openapi.json`: the feeds described for developers of other systems, as OpenAPI 3.1.

Written by every build beside the feeds it describes (feeds.py), from the site's name and base
URL only, so it is byte-identical across builds of the same site. `LOCATION` is the JSON
Schema (2020-12, OpenAPI 3.1's dialect) of one location record, self-contained (no `$ref`),
so a consumer can validate a record with it alone; the other schemas refer to it through
`#/components/schemas/`. docs/api.md is the prose beside it.
"""

from __future__ import annotations

import copy
import json
from typing import Any

from sitegen.data.lifecycle import STATUSES
from sitegen.model.pages import SiteModel
from sitegen.output.feeds import API, FEED_VERSION
from sitegen.output.manifest import MANIFEST
from sitegen.render import seo

OPENAPI = f"{API}openapi.json"
REF = "#/components/schemas/"
OPENS = r"^([01][0-9]|2[0-3]):[0-5][0-9]$"
CLOSES = r"^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$"
DAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def _nullable(kind: str, description: str, **more: Any) -> dict[str, Any]:
    return {"type": [kind, "null"], "description": description, **more}


PERIOD = {"type": "array", "prefixItems": [{"type": "string", "pattern": OPENS},
                                          {"type": "string", "pattern": CLOSES}],
          "minItems": 2, "maxItems": 2,
          "description": "[opens, closes], local time; closes may be 24:00, or earlier than "
                         "opens when the period runs past midnight"}
DAY = {"type": "array", "items": PERIOD, "description": "the day's periods; [] is closed"}
URL = {"type": "string", "format": "uri"}
TEXT_FIELDS = {
    "street": "street address", "city": "city", "region": "state, province or region",
    "postal_code": "postal code", "country": "country (ISO 3166-1 alpha-2 where known)",
    "neighbourhood": "neighbourhood or district",
    "phone": "phone number, E.164 (+14155550142) where it could be parsed",
    "phone_display": "the phone number as shown on the site",
    "email": "email address", "timezone": "IANA time zone (America/Los_Angeles)",
}
LOCATION: dict[str, Any] = {
    "type": "object",
    "title": "Location",
    "description": "One location, public fields only; a missing value is null.",
    "additionalProperties": False,
    "properties": {
        "id": {"type": "string", "minLength": 1, "description": "the dataset's own id"},
        "name": {"type": "string", "minLength": 1},
        "url": {**URL, "description": "the location's page"},
        "api_url": _nullable("string", "this record's own file (/api/locations/{key}.json), "
                             "where the site writes one", format="uri"),
        **{name: _nullable("string", text) for name, text in TEXT_FIELDS.items()},
        "lat": {"type": "number", "minimum": -90, "maximum": 90},
        "lng": {"type": "number", "minimum": -180, "maximum": 180},
        "website": _nullable("string", "the location's own website", format="uri"),
        "booking_url": _nullable("string", "where to book or order", format="uri"),
        "categories": {"type": "array", "items": {"type": "string"}},
        "hours": {"type": ["object", "null"], "additionalProperties": False,
                  "properties": {day: DAY for day in DAY_NAMES},
                  "description": "opening hours per weekday; a day that is not listed is "
                                 "unknown; null: no hours known"},
        "special_hours": {"type": "array", "description": "dated exceptions (holidays)",
                          "items": {"type": "object", "additionalProperties": False,
                                    "required": ["date", "hours"],
                                    "properties": {"date": {"type": "string", "format": "date"},
                                                   "hours": DAY, "note": {"type": "string"}}}},
        "description": _nullable("string", "Markdown"),
        "image": _nullable("string", "an absolute image URL", format="uri"),
        "status": {"enum": list(STATUSES), "description": "on the build date; closed "
                   "locations appear only where the site includes them"},
        "status_date": _nullable("string", "when the status began or begins", format="date"),
        "extra": {"type": "object", "description": "the dataset's other public columns",
                  "additionalProperties": {"type": ["string", "number", "boolean", "null"]}},
    },
}
LOCATION["required"] = list(LOCATION["properties"])


def _feature() -> dict[str, Any]:
    properties = copy.deepcopy(LOCATION)
    properties["title"] = "LocationProperties"
    properties["description"] = "The location record without lat and lng (in the geometry)."
    for name in ("lat", "lng"):
        del properties["properties"][name]
    properties["required"] = [n for n in properties["required"] if n not in ("lat", "lng")]
    return {"type": "object", "required": ["type", "id", "geometry", "properties"],
            "properties": {
                "type": {"const": "Feature"}, "id": {"type": "string"},
                "geometry": {"type": "object", "required": ["type", "coordinates"],
                             "properties": {"type": {"const": "Point"}, "coordinates": {
                                 "type": "array", "prefixItems": [
                                     {"type": "number", "minimum": -180, "maximum": 180},
                                     {"type": "number", "minimum": -90, "maximum": 90}],
                                 "minItems": 2, "maxItems": 2,
                                 "description": "[lng, lat]"}}},
                "properties": properties}}


SCHEMAS: dict[str, Any] = {
    "Location": LOCATION,
    "LocationCollection": {
        "type": "object", "required": ["version", "site", "count", "locations"],
        "properties": {
            "version": {"const": FEED_VERSION, "description": "the feed format's version"},
            "site": {"type": "object", "required": ["name", "url"],
                     "properties": {"name": {"type": "string"}, "url": URL}},
            "count": {"type": "integer", "minimum": 0},
            "locations": {"type": "array", "items": {"$ref": f"{REF}Location"}}}},
    "LocationFeature": _feature(),
    "LocationFeatureCollection": {
        "type": "object", "required": ["type", "features"],
        "properties": {"type": {"const": "FeatureCollection"},
                       "features": {"type": "array",
                                    "items": {"$ref": f"{REF}LocationFeature"}}}},
    "Manifest": {
        "type": "object", "description": "What one build wrote: every file with its sha256.",
        "required": ["version", "generator", "environment", "base_url", "build_time",
                     "counts", "pages", "files"],
        "properties": {
            "version": {"type": "integer"}, "base_url": URL,
            "build_time": {"type": "string", "format": "date-time"},
            "counts": {"type": "object",
                       "additionalProperties": {"type": "integer", "minimum": 0}},
            "pages": {"type": "array", "items": {
                "type": "object", "required": ["url", "file", "sha256"],
                "properties": {"url": {"type": "string"}, "file": {"type": "string"},
                               "sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"}}}},
            "files": {"type": "array", "items": {
                "type": "object", "required": ["path", "bytes", "sha256"],
                "properties": {"path": {"type": "string"},
                               "bytes": {"type": "integer", "minimum": 0},
                               "sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"}}}}}},
}


def _get(summary: str, description: str, media: str, schema: dict[str, Any],
         operation: str) -> dict[str, Any]:
    return {"get": {
        "operationId": operation, "summary": summary, "description": description,
        "parameters": [{"$ref": "#/components/parameters/IfNoneMatch"}],
        "responses": {
            "200": {"description": "the current file",
                    "headers": {"ETag": {"$ref": "#/components/headers/ETag"}},
                    "content": {media: {"schema": schema}}},
            "304": {"description": "not modified since the ETag given in If-None-Match"},
            "404": {"description": "not written by this site"}}}}


def document(model: SiteModel) -> dict[str, Any]:
    """The OpenAPI 3.1 document of this site's feeds."""
    name = model.config.site.name
    per_location = _get(
        "One location", "Optional: only sites that write one file per location have these "
        "paths; the record's api_url names its file (null where there is none).",
        "application/json", {"$ref": f"{REF}Location"}, "getLocation")
    per_location["parameters"] = [{
        "name": "key", "in": "path", "required": True, "schema": {"type": "string"},
        "description": "the location id made path-safe (lower case, a URL segment)"}]
    return {
        "openapi": "3.1.0",
        "jsonSchemaDialect": "https://json-schema.org/draft/2020-12/schema",
        "info": {"title": f"{name}: locations feeds", "version": str(FEED_VERSION),
                 "description": "Static files rewritten by every build of the site: poll them "
                                "with If-None-Match, and read api/manifest.json to learn "
                                "which files a build changed."},
        "servers": [{"url": seo.absolute(model.policy.base_url, "/").rstrip("/")}],
        "paths": {
            f"/{API}locations.json": _get(
                "Every location", "All locations as JSON records.", "application/json",
                {"$ref": f"{REF}LocationCollection"}, "listLocations"),
            f"/{API}locations/{{key}}.json": per_location,
            f"/{API}locations.geojson": _get(
                "Every location as GeoJSON", "A FeatureCollection of Points [lng, lat].",
                "application/geo+json", {"$ref": f"{REF}LocationFeatureCollection"},
                "listLocationsGeoJSON"),
            f"/{API}locations.csv": _get(
                "Every location as CSV", "UTF-8, every cell quoted, one row a location; "
                "cells safe to open in a spreadsheet.", "text/csv", {"type": "string"},
                "listLocationsCSV"),
            f"/{MANIFEST}": _get(
                "What the last build wrote", "Every page and file of the build with its "
                "sha256: compare two manifests to see what changed.", "application/json",
                {"$ref": f"{REF}Manifest"}, "getManifest"),
        },
        "components": {
            "schemas": SCHEMAS,
            "parameters": {"IfNoneMatch": {
                "name": "If-None-Match", "in": "header", "required": False,
                "schema": {"type": "string"},
                "description": "the ETag of the copy you have: 304 when it is still current"}},
            "headers": {"ETag": {"schema": {"type": "string"},
                                 "description": "the file's version, as the web host sets it"}},
        },
    }


def openapi_files(model: SiteModel) -> dict[str, bytes]:
    """Producer of `api/openapi.json` (output/artifacts.py)."""
    text = json.dumps(document(model), indent=2, ensure_ascii=False)
    return {OPENAPI: (text + "\n").encode("utf-8")}
