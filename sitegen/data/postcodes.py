"""Postcodes as places: the keys a postcode is found by, and the user's centroid file.

A postcode is looked up by its canonical key (upper case, letters and digits only) and, when
that exact postcode is unknown, by the coarser areas it belongs to, most precise first:

- GB: the full postcode, the outward code (`M14`), the postcode area (`M`);
- US: the ZIP code (`97205`, a ZIP+4 counts as its ZIP), the ZIP3 (`972`);
- CA: the full postal code, the forward sortation area (`M5V`);
- any other country: the full code, then its first three and first two digits.

locator.js applies the same rules (`postcodeKeys`) to what a visitor types.

`locator.postcodes` names a CSV file of `postcode,lat,lng` rows: official centroids such as
the ONS Postcode Directory (UK) or the Census Bureau's ZCTA gazetteer file (US). Each row is
a postcode or an area (an outward code, a ZIP3 ...); every bad row is reported with its row
number and nothing of a file with errors is used.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from sitegen.data.locations import Location
from sitegen.diagnostics import Report

_GB_FULL = re.compile(r"([A-Z]{1,2}[0-9][A-Z0-9]?)([0-9][A-Z]{2})")
_GB_OUTWARD = re.compile(r"([A-Z]{1,2})[0-9][A-Z0-9]?")
_CA = re.compile(r"([A-Z][0-9][A-Z])([0-9][A-Z][0-9])?")
_US = re.compile(r"([0-9]{5})(?:[0-9]{4})?|[0-9]{3}")
_DIGITS = re.compile(r"[0-9]{3,}")
RULES = {"GB": "gb", "US": "us", "CA": "ca"}
MAX_FILE_BYTES = 200 * 1024 * 1024
HEADER = ["postcode", "lat", "lng"]


def canonical(text: str) -> str:
    return "".join(c for c in text.upper() if c.isascii() and c.isalnum())


def rule(country: str) -> str:
    """The name of a country's rule (locator.js knows the same names)."""
    return RULES.get(country.upper(), "digits")


def keys(country: str, text: str) -> list[str]:
    """The keys `text` is found by in `country`, most precise first; [] when it is not a
    postcode (or postcode area) of that country."""
    code = canonical(text)
    kind = rule(country)
    if kind == "gb":
        if full := _GB_FULL.fullmatch(code):
            outward = full.group(1)
            return [code, outward, _GB_OUTWARD.fullmatch(outward).group(1)]  # type: ignore[union-attr]
        if outward_match := _GB_OUTWARD.fullmatch(code):
            return [code, outward_match.group(1)]
        return []
    if kind == "us":
        if not (found := _US.fullmatch(code)):
            return []
        return [found.group(1), code[:3]] if found.group(1) else [code]
    if kind == "ca":
        if not (found := _CA.fullmatch(code)):
            return []
        return [code, found.group(1)] if found.group(2) else [code]
    if not _DIGITS.fullmatch(code):
        return []
    return [code, *(code[:n] for n in (3, 2) if n < len(code))]


def is_full(country: str, key: str) -> bool:
    """Whether `key` is a whole GB or CA postcode: too many of those to publish from a
    centroid file, which feeds their areas instead."""
    kind = rule(country)
    return (kind == "gb" and bool(_GB_FULL.fullmatch(key))) or (kind == "ca" and len(key) == 6)


def countries_of(locations: Iterable[Location]) -> tuple[str, ...]:
    """The ISO alpha-2 country codes of `locations`, sorted."""
    return tuple(sorted({loc.country.upper() for loc in locations
                         if loc.country and len(loc.country) == 2}))


@dataclass(frozen=True, slots=True)
class Centroid:
    """One row of the user's centroid file."""

    postcode: str
    lat: float
    lng: float


def _number(text: str, low: float, high: float) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) and low <= value <= high else None


def _check_row(row: list[str], countries: tuple[str, ...]) -> tuple[str, str] | Centroid:
    """A good row's centroid, or (field, message) of what is wrong with it."""
    if len(row) != 3:
        return "", f"{len(row)} columns where 3 are expected (postcode,lat,lng)"
    postcode, lat_text, lng_text = (cell.strip() for cell in row)
    if not postcode:
        return "postcode", "the postcode is empty"
    if not any(keys(country, postcode) for country in countries):
        where = ", ".join(countries)
        return "postcode", f"'{postcode[:40]}' is not a postcode or postcode area of {where} " \
                           "(the dataset's countries)"
    lat = _number(lat_text, -90, 90)
    if lat is None:
        return "lat", f"'{lat_text[:40]}' is not a latitude (a number from -90 to 90)"
    lng = _number(lng_text, -180, 180)
    if lng is None:
        return "lng", f"'{lng_text[:40]}' is not a longitude (a number from -180 to 180)"
    return Centroid(postcode, lat, lng)


def read_centroids(path: Path, display: str, countries: tuple[str, ...], report: Report
                   ) -> list[Centroid]:
    """The rows of a `postcode,lat,lng` CSV file; problems go to `report` as errors (with
    the row number), and a file with any error gives no rows."""
    hint = "each row is postcode,lat,lng: 97205,45.5209,-122.6865 or M14 5AB,53.4466,-2.2227"
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            report.error(display, None, None, f"the file is larger than "
                         f"{MAX_FILE_BYTES // (1024 * 1024)} MB",
                         "keep the columns postcode,lat,lng and the countries of the dataset")
            return []
        text = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        report.error(display, None, None, "the postcode file (locator.postcodes) does not exist",
                     "check the path: it is relative to the site folder")
        return []
    except (OSError, UnicodeDecodeError) as error:
        report.error(display, None, None, f"cannot read the postcode file: {error}",
                     "save it as UTF-8 CSV")
        return []
    rows = csv.reader(io.StringIO(text, newline=""))
    header = [cell.strip().lower() for cell in next(rows, [])]
    if header != HEADER:
        report.error(display, 1, None, f"the header is '{','.join(header)[:60]}', not "
                     "'postcode,lat,lng'", "name the three columns postcode,lat,lng")
        return []
    found: list[Centroid] = []
    errors = 0
    for row in rows:
        number = rows.line_num
        if not any(cell.strip() for cell in row):
            continue
        checked = _check_row(row, countries)
        if isinstance(checked, Centroid):
            found.append(checked)
        else:
            errors += 1
            report.error(display, number, checked[0] or None, checked[1], hint)
    return [] if errors else found
