"""A templated introduction written from each location's own facts.

Search engines treat pages that differ only by a swapped name as doorway pages, so the intro
combines facts that genuinely differ: neighbourhood, city, services, which days it opens and
how early or late, holiday hours and the nearest other locations.
"""

from __future__ import annotations

from typing import Literal

from sitegen.data.hours import DAYS, WeeklyHours, day_text
from sitegen.data.locations import Location
from sitegen.data.places import region_name
from sitegen.memo import by_identity
from sitegen.model.pages import Nearby


@by_identity
def _hours_sentence(hours: WeeklyHours, clock: Literal["12h", "24h"]) -> str | None:
    """Runs of days with the same hours, e.g. "Monday to Friday 7:00 AM – 6:00 PM"."""
    if hours.is_empty():
        return None
    texts = [day_text(hours.days.get(day), clock) for day in DAYS]
    if len(set(texts)) == 1:
        if texts[0] == "Open 24 hours":
            return "It is open around the clock, every day of the week."
        return f"It is open every day, {texts[0]}." if texts[0] != "Closed" else None
    runs: list[tuple[int, int, str]] = []
    for index, text in enumerate(texts):
        if runs and runs[-1][2] == text:
            runs[-1] = (runs[-1][0], index, text)
        else:
            runs.append((index, index, text))
    parts = []
    for first, last, text in runs:
        days = DAYS[first].capitalize() if first == last else \
            f"{DAYS[first].capitalize()} to {DAYS[last].capitalize()}"
        parts.append(f"{days}: {text.lower() if text == 'Closed' else text}")
    return "Opening hours are " + "; ".join(parts) + "."


def _join(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def introduction(location: Location, nearby: list[Nearby], unit: str, clock: str,
                 site_name: str) -> str:
    place = location.city or region_name(location.region, location.country)
    where = f"{location.street}, {place}" if location.street else place
    sentences = []
    if location.neighbourhood and location.neighbourhood != location.city:
        sentences.append(f"{location.name} is at {where}, in the {location.neighbourhood} "
                         f"area of {place}.")
    else:
        sentences.append(f"{location.name} is at {where}.")
    hours = _hours_sentence(location.hours, "12h" if clock == "12h" else "24h") \
        if location.hours is not None else None
    if hours:
        sentences.append(hours)
    services = location.extra.get("Services") or location.extra.get("services")
    offer = [c for c in location.categories][:4]
    if services:
        sentences.append(f"Here you will find {str(services).strip().rstrip('.').lower()}.")
    elif offer:
        sentences.append(f"This {site_name} location offers {_join(offer).lower()}.")
    if location.special_hours:
        sentences.append(f"Holiday hours apply on {len(location.special_hours)} "
                         f"date{'s' if len(location.special_hours) != 1 else ''}, listed below.")
    if nearby:
        first = nearby[0]
        sentences.append(f"The nearest other location is {first.location.name} "
                         f"({first.location.street or first.location.city}), "
                         f"{first.distance} {unit} away.")
    return " ".join(sentences)
