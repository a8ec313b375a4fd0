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
from sitegen.data.postal import fold, joined
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
        parts.append(f"{days}: {text.lower() if text in ('Closed', 'Open 24 hours') else text}")
    return "Opening hours are " + "; ".join(parts) + "."


def _join(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _as_word(category: str) -> str:
    """A category as it reads mid-sentence: "Pharmacy" -> "pharmacy", "ATM" and "Wi-Fi"
    keep their capitals."""
    text = category.strip()
    return text[:1].lower() + text[1:] if text[1:] == text[1:].lower() else text


def _kind(name: str, category: str) -> str | None:
    """"a pharmacy" for "{name} is a pharmacy at ...": None when the name already says it
    ("Asda Pharmacy") or the category is a plural ("Restaurants"), which reads as a list."""
    word = _as_word(category)
    folded = fold(word)
    if not folded or set(folded.split()) <= set(fold(name).split()):
        return None
    last = folded.split()[-1]
    if last.endswith("s") and not last.endswith(("ss", "us", "is")):
        return None
    article = "an" if folded[0] in "aeiou" else "a"
    return f"{article} {word}"


def introduction(location: Location, nearby: list[Nearby], unit: str, clock: str) -> str:
    """A few sentences from the location's own facts, naming it and what it is the way a
    person would ("Boots is a pharmacy at 556 Chorley Old Road, Bolton."), never the site's
    name as a category of places."""
    place = location.city or region_name(location.region, location.country)
    where = joined([location.street, place])
    categories = [c for c in location.categories if fold(c)][:4]
    kind = _kind(location.name, categories[0]) if categories else None
    is_at = f"{location.name} is {kind} at" if kind else f"{location.name} is at"
    sentences = []
    if location.neighbourhood and location.neighbourhood != location.city and place:
        sentences.append(f"{is_at} {where}, in the {location.neighbourhood} area of {place}.")
    else:
        sentences.append(f"{is_at} {where}.")
    hours = _hours_sentence(location.hours, "12h" if clock == "12h" else "24h") \
        if location.hours is not None else None
    if hours:
        sentences.append(hours)
    services = location.extra.get("Services") or location.extra.get("services")
    others = [_as_word(c) for c in categories if c != categories[0] or not kind]
    others = [c for c in others if not set(fold(c).split()) <= set(fold(location.name).split())]
    if services:
        sentences.append(f"Here you will find {str(services).strip().rstrip('.').lower()}.")
    elif others:
        also = " also" if kind else ""
        sentences.append(f"It{also} offers {_join(others)}.")
    if location.special_hours:
        sentences.append(f"Holiday hours apply on {len(location.special_hours)} "
                         f"date{'s' if len(location.special_hours) != 1 else ''}, listed below.")
    if nearby:
        first = nearby[0]
        sentences.append(f"The nearest other location is {first.location.name} "
                         f"({first.location.street or first.location.city}), "
                         f"{first.distance} {unit} away.")
    return " ".join(sentences)
