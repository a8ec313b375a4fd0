"""Decoy places for anonymised samples (data/sample.py): real towns with a plausible postal
code and their coordinates, per country, that a sampled location is moved to.

A decoy is never a town of the dataset itself and never within MIN_MOVE_KM of the location's
real coordinates, so neither the name nor the map gives the real place away. Countries not
listed get made-up towns ("Sample Town 3") and coordinates moved by at least MIN_MOVE_KM.
"""

from __future__ import annotations

import itertools
import math
import random
from dataclasses import dataclass

MIN_MOVE_KM = 20.0
NEIGHBOURHOODS = ("Old Town", "Riverside", "Market Quarter", "Hillside", "Parkside",
                  "Station Quarter", "Harbourside", "Westgate", "Northfield", "Eastbank")
SPREAD_KM = 3.0  # how far around its decoy town a sampled location is put, at most


@dataclass(frozen=True)
class Decoy:
    city: str
    region: str
    postal_code: str
    lat: float
    lng: float


def _table(rows: str) -> tuple[Decoy, ...]:
    out = []
    for line in rows.strip().splitlines():
        city, region, postal_code, lat, lng = (part.strip() for part in line.split("|"))
        out.append(Decoy(city, region, postal_code, float(lat), float(lng)))
    return tuple(out)


DECOYS = {
    "US": _table("""
        Duluth | MN | 55802 | 46.78667 | -92.10049
        Boise | ID | 83702 | 43.61500 | -116.20232
        Des Moines | IA | 50309 | 41.58684 | -93.62496
        Savannah | GA | 31401 | 32.08354 | -81.09983
        Burlington | VT | 05401 | 44.47588 | -73.21207
        Santa Fe | NM | 87501 | 35.68698 | -105.93780
        Omaha | NE | 68102 | 41.25654 | -95.93450
        Knoxville | TN | 37902 | 35.96064 | -83.92074
        Billings | MT | 59101 | 45.78329 | -108.50069
        Little Rock | AR | 72201 | 34.74648 | -92.28959
        Fargo | ND | 58102 | 46.87719 | -96.78980
        Tulsa | OK | 74103 | 36.15398 | -95.99277
    """),
    "CA": _table("""
        Moncton | NB | E1C 1A1 | 46.08782 | -64.77823
        Saskatoon | SK | S7K 0A1 | 52.13238 | -106.67005
        Thunder Bay | ON | P7B 1A1 | 48.38202 | -89.25018
        Red Deer | AB | T4N 1A1 | 52.26819 | -113.81120
        Sherbrooke | QC | J1H 1A1 | 45.40008 | -71.89908
        Charlottetown | PE | C1A 1A1 | 46.23824 | -63.13107
        Prince George | BC | V2L 1A1 | 53.91706 | -122.74967
        Brandon | MB | R7A 1A1 | 49.84692 | -99.95306
    """),
    "GB": _table("""
        Exeter | Devon | EX1 1AA | 50.72184 | -3.53394
        Norwich | Norfolk | NR1 1AA | 52.63089 | 1.29735
        Carlisle | Cumbria | CA1 1AA | 54.89246 | -2.93290
        Canterbury | Kent | CT1 1AA | 51.28070 | 1.08010
        Inverness | Highland | IV1 1AA | 57.47782 | -4.22472
        Swansea | Swansea | SA1 1AA | 51.62144 | -3.94364
        Lincoln | Lincolnshire | LN1 1AA | 53.23068 | -0.54067
        Truro | Cornwall | TR1 1AA | 50.26319 | -5.05103
        Shrewsbury | Shropshire | SY1 1AA | 52.70773 | -2.75386
        Aberdeen | Aberdeen City | AB10 1AA | 57.14966 | -2.09428
        Ipswich | Suffolk | IP1 1AA | 52.05917 | 1.15545
        Scarborough | North Yorkshire | YO11 1AA | 54.28307 | -0.39958
    """),
}


def distance_km(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Great-circle distance (haversine, mean Earth radius)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(a))


@dataclass(frozen=True)
class Place:
    """Where a sampled row is: its country, and its real coordinates when it has them."""

    country: str
    lat: float | None
    lng: float | None


def pick_decoy(place: Place, taken: set[str], rng: random.Random, number: int) -> Decoy:
    """A town of the row's country that is none of `taken` (the dataset's own towns, any
    case) and at least MIN_MOVE_KM from the row; a made-up one where there is none."""
    options = [d for d in DECOYS.get(place.country.upper(), ())
               if d.city.lower() not in taken
               and (place.lat is None or place.lng is None
                    or distance_km(place.lat, place.lng, d.lat, d.lng) >= MIN_MOVE_KM + SPREAD_KM)]
    if options:
        return rng.choice(options)
    lat, lng = moved(place, rng)
    return Decoy(f"Sample Town {number}", "Sample Region", "", lat, lng)


def moved(place: Place, rng: random.Random) -> tuple[float, float]:
    """The row's coordinates moved by 25 to 60 km in a random direction (0, 0 without)."""
    if place.lat is None or place.lng is None:
        return 0.0, 0.0
    km, bearing = rng.uniform(25, 60), rng.uniform(0, 2 * math.pi)
    lat = place.lat + km / 111.0 * math.cos(bearing)
    scale = max(math.cos(math.radians(place.lat)), 0.1)
    lng = place.lng + km / (111.0 * scale) * math.sin(bearing)
    return max(-89.9, min(89.9, lat)), (lng + 180) % 360 - 180


def scramble(code: str, taken: set[str], rng: random.Random) -> str:
    """A code of the same shape (letters for letters, digits for digits, the rest kept, case
    kept) that is none of `taken` (lower case) and not `code`; one digit longer when every
    code of its shape is taken (or it has no letter or digit to change)."""
    shape = code if any(char.isalnum() for char in code) else code + "0"
    for attempt in itertools.count(1):
        if attempt % 50 == 0:
            shape += "0"
        out = "".join(
            rng.choice("0123456789") if char.isdigit() else
            rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ") if char.isupper() else
            rng.choice("abcdefghjkmnpqrstuvwxyz") if char.isalpha() else char
            for char in shape)
        if out.lower() not in taken and out.lower() != code.lower():
            return out
    raise AssertionError("unreachable: itertools.count never ends")
