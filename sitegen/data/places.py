"""Human names for country and region codes ("CA" -> "California"), via pycountry's ISO 3166."""

from __future__ import annotations

import functools
import json
import os

import pycountry


@functools.lru_cache(maxsize=4096)
def country_name(code: str | None) -> str:
    if not code:
        return ""
    found = pycountry.countries.get(alpha_2=code.upper()) if len(code) == 2 else None
    return getattr(found, "common_name", None) or (found.name if found else code)


@functools.lru_cache(maxsize=8192)
def region_name(region: str | None, country: str | None) -> str:
    """Expand an ISO 3166-2 subdivision code when it is one (CA in US); else keep the text."""
    if not region:
        return ""
    if country and len(country) == 2 and 1 <= len(region) <= 3 and region.isalnum():
        return _subdivisions().get(f"{country.upper()}-{region.upper()}", region)
    return region


@functools.cache
def _subdivisions() -> dict[str, str]:
    """Every ISO 3166-2 code's name, read from pycountry's own database file: its
    `subdivisions` object first builds an indexed record of every field of every entry,
    which a build that only names regions does not need."""
    with open(os.path.join(pycountry.DATABASE_DIR, "iso3166-2.json"), "rb") as file:
        entries = json.load(file)["3166-2"]
    return {entry["code"].upper(): entry["name"] for entry in entries}
