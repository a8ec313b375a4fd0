"""A templated introduction written from each location's own facts.

Search engines treat pages that differ only by a swapped name as doorway pages, so the intro
combines facts that genuinely differ: neighbourhood, city, services, which days it opens and
how early or late, holiday hours and the nearest other locations.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from sitegen.data.hours import DAYS, WeeklyHours, day_text
from sitegen.data.locations import Location
from sitegen.data.places import region_name
from sitegen.data.postal import fold, joined
from sitegen.memo import by_identity
from sitegen.model.pages import Nearby


@dataclass(frozen=True)
class Phrasing:
    """How the introduction is written: in English (`english`, sitegen's own sentences, with
    articles), or through the theme's catalog (`gettext`), with the page's day names (as
    written mid-sentence), day hours, list joining, numbers and the distance unit."""

    english: bool
    gettext: Callable[[str], str]
    day_name: Callable[[str], str]
    day_hours: Callable[[list[tuple[int, int]] | None], str]
    join: Callable[[list[str]], str]
    number: Callable[[float], str]
    unit: str


def english(unit: str, clock: Literal["12h", "24h"]) -> Phrasing:
    """sitegen's English introduction (the default language's, unchanged)."""
    return Phrasing(True, lambda text: text, str.capitalize,
                    lambda intervals: day_text(intervals, clock), _join, str, unit)


@by_identity
def _hours_sentence(hours: WeeklyHours, phrasing: Phrasing) -> str | None:
    """Runs of days with the same hours, e.g. "Monday to Friday 7:00 AM – 6:00 PM"."""
    if hours.is_empty():
        return None
    _ = phrasing.gettext
    texts = [phrasing.day_hours(hours.days.get(day)) for day in DAYS]
    closed, all_day = _("Closed"), _("Open 24 hours")
    if len(set(texts)) == 1:
        if texts[0] == all_day:
            return _("It is open around the clock, every day of the week.")
        return _("It is open every day, %(hours)s.") % {"hours": texts[0]} \
            if texts[0] != closed else None
    runs: list[tuple[int, int, str]] = []
    for index, text in enumerate(texts):
        if runs and runs[-1][2] == text:
            runs[-1] = (runs[-1][0], index, text)
        else:
            runs.append((index, index, text))
    parts = []
    for first, last, text in runs:
        days = phrasing.day_name(DAYS[first]) if first == last else \
            _("%(first)s to %(last)s") % {"first": phrasing.day_name(DAYS[first]),
                                          "last": phrasing.day_name(DAYS[last])}
        parts.append(f"{days}: {text.lower() if text in (closed, all_day) else text}")
    return _("Opening hours are %(days)s.") % {"days": "; ".join(parts)}


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


def introduction(location: Location, nearby: list[Nearby], phrasing: Phrasing) -> str:
    """A few sentences from the location's own facts, naming it and what it is the way a
    person would ("Boots is a pharmacy at 556 Chorley Old Road, Bolton."), never the site's
    name as a category of places. Only English names the kind of place ("a pharmacy"): its
    article and plural rules are English ones."""
    _ = phrasing.gettext
    place = location.city or region_name(location.region, location.country)
    where = joined([location.street, place])
    categories = [c for c in location.categories if fold(c)][:4]
    kind = _kind(location.name, categories[0]) if categories and phrasing.english else None
    facts = {"name": location.name, "kind": kind, "where": where,
             "area": location.neighbourhood, "place": place}
    sentences = []
    if location.neighbourhood and location.neighbourhood != location.city and place:
        sentences.append((_("%(name)s is %(kind)s at %(where)s, in the %(area)s area of "
                            "%(place)s.") if kind else
                          _("%(name)s is at %(where)s, in the %(area)s area of %(place)s."))
                         % facts)
    else:
        sentences.append((_("%(name)s is %(kind)s at %(where)s.") if kind else
                          _("%(name)s is at %(where)s.")) % facts)
    hours = _hours_sentence(location.hours, phrasing) if location.hours is not None else None
    if hours:
        sentences.append(hours)
    services = location.extra.get("Services") or location.extra.get("services")
    others = [_as_word(c) for c in categories if c != categories[0] or not kind]
    others = [c for c in others if not set(fold(c).split()) <= set(fold(location.name).split())]
    if services:
        sentences.append(_("Here you will find %(services)s.")
                         % {"services": str(services).strip().rstrip(".").lower()})
    elif others:
        sentences.append((_("It also offers %(list)s.") if kind else _("It offers %(list)s."))
                         % {"list": phrasing.join(others)})
    if location.special_hours:
        count = len(location.special_hours)
        sentences.append((_("Holiday hours apply on %(count)s date, listed below.") if count == 1
                          else _("Holiday hours apply on %(count)s dates, listed below."))
                         % {"count": count})
    if nearby:
        first = nearby[0]
        sentences.append(_("The nearest other location is %(name)s (%(street)s), "
                           "%(distance)s %(unit)s away.")
                         % {"name": first.location.name,
                            "street": first.location.street or first.location.city,
                            "distance": phrasing.number(first.distance),
                            "unit": phrasing.unit})
    return " ".join(sentences)
