"""Human names for country and region codes ("CA" -> "California"), via pycountry's ISO 3166."""

from __future__ import annotations

import functools

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
        found = pycountry.subdivisions.get(code=f"{country.upper()}-{region.upper()}")
        if found is not None:
            return found.name
    return region
