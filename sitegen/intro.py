"""A templated introduction written from each location's own facts.

Search engines treat pages that differ only by a swapped name as doorway pages, so the intro
combines facts that genuinely differ: neighbourhood, city, services, which days it opens and
how early or late, holiday hours and the nearest other locations.
"""

from __future__ import annotations

from sitegen.hours import DAYS
from sitegen.locations import Location
from sitegen.model import Nearby
from sitegen.places import region_name


def _clock(minutes: int, clock: str) -> str:
    minutes %= 1440
    hour, minute = divmod(minutes, 60)
    if clock == "24h":
        return f"{hour:02d}:{minute:02d}"
    suffix = "am" if hour < 12 else "pm"
    hour = hour % 12 or 12
    return f"{hour}{suffix}" if minute == 0 else f"{hour}:{minute:02d}{suffix}"


def _hours_sentence(location: Location, clock: str) -> str | None:
    hours = location.hours
    if hours is None or hours.is_empty():
        return None
    open_days = [d for d in DAYS if hours.days.get(d)]
    if not open_days:
        return None
    if all(hours.days.get(d) == [(0, 1440)] for d in DAYS):
        return "It is open around the clock, every day of the week."
    starts = [hours.days[d][0][0] for d in open_days]
    ends = [hours.days[d][-1][1] for d in open_days]
    days_text = ("every day" if len(open_days) == 7
                 else f"{len(open_days)} days a week")
    earliest_day = open_days[starts.index(min(starts))].capitalize()
    latest_day = open_days[ends.index(max(ends))].capitalize()
    text = (f"It opens {days_text}, as early as {_clock(min(starts), clock)} "
            f"(on {earliest_day}) and until {_clock(max(ends), clock)} on {latest_day}")
    closed = [d.capitalize() for d in DAYS if hours.days.get(d) == []]
    if closed:
        text += f", and is closed on {_join(closed)}"
    return text + "."


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
    hours = _hours_sentence(location, clock)
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
