"""Opening hours as a location shows them: a weekly table, a public-holiday line, or the text
as written.

A cell is read by sitegen's tolerant parser first (hours.parse_hours: "Mon-Fri 9am-5pm",
"Mo-Sa 09:00-12:30 / 14:00-19:00"), then by OpenStreetMap's `opening_hours` grammar
(the `opening-hours-py` package, a Rust parser of the full specification): `PH off`,
rules without days (`10:00-12:00`), `Mo-Su`, `off`, additional rules, comments, months and
weeks. The OSM reading becomes a weekly table when every week of a reference year has the
same hours (evaluated without a holiday calendar), with the public-holiday rule read on a
public holiday (14 July in France's calendar) and shown as its own line. Whatever a weekly
table cannot hold (seasons, week numbers, sunrise, open ends `09:00+`, comments, school
holidays, `unknown`) is shown on the page as written, with a warning: never a skipped row.
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Iterator
from dataclasses import dataclass

import opening_hours

from sitegen.data.hours import DAY_MINUTES, DAYS, HoursError, Interval, WeeklyHours, parse_hours

MINUTE = datetime.timedelta(minutes=1)
# The Monday of the first week of the reference year, and the weeks compared.
REFERENCE_MONDAY = datetime.datetime(2025, 12, 29)
REFERENCE_WEEKS = 53
# A date that is a public holiday in the calendar named beside it (Bastille Day), to read
# what a `PH` rule says.
HOLIDAY = (datetime.datetime(2026, 7, 14), "FR")
# Times of the OSM grammar that move with the sun: no weekly table holds them.
SUN = ("sunrise", "sunset", "dawn", "dusk")
# What the parser raises on text outside the grammar (ParserError, missing from its stubs).
PARSE_ERRORS = (getattr(opening_hours, "ParserError", SyntaxError), SyntaxError, ValueError)
AS_WRITTEN_HINT = ("shown on the page as written; a weekly table needs rules such as "
                   "Mo-Fr 09:00-18:00; Sa 09:00-12:00; PH off")


@dataclass(frozen=True, slots=True)
class HoursReading:
    """What a location shows for one hours cell.

    `hours`: the weekly table (None when the text cannot be one); `holidays`: the hours on
    public holidays ([] closed, None when the text says nothing of them); `as_written`: the
    text to show instead of a table; `problem` and `hint`: why, for the warning."""

    hours: WeeklyHours | None
    holidays: list[Interval] | None = None
    as_written: str | None = None
    problem: str | None = None
    hint: str | None = None


@functools.lru_cache(maxsize=8192)
def read_hours(text: str) -> HoursReading:
    """One hours cell as a location shows it (see the module docstring)."""
    try:
        return HoursReading(parse_hours(text))
    except HoursError as tolerant:
        first = tolerant
    try:
        parsed = opening_hours.OpeningHours(text)
    except PARSE_ERRORS:
        hint = f"{first.hint}; shown on the page as written" if first.hint else AS_WRITTEN_HINT
        return HoursReading(None, None, text, first.message, hint)
    normalized = str(parsed.normalize())
    words = normalized.replace(",", " ").replace(";", " ").split()
    if any(word == "SH" or word.endswith("+") or any(sun in word for sun in SUN)
           for word in words):
        return _as_written(text, "depend on the sun, school holidays or an open end")
    days, reason = _year(parsed)
    weeks = [_week(days[start:start + 8]) for start in range(0, REFERENCE_WEEKS * 7, 7)]
    if reason is None and any(week.days != weeks[0].days for week in weeks):
        reason = "change through the year (months, weeks or dates)"
    if reason:
        return _as_written(text, reason)
    holidays = _holiday_hours(text) if "PH" in normalized else None
    return HoursReading(weeks[0], holidays)


def _as_written(text: str, reason: str) -> HoursReading:
    return HoursReading(None, None, text, f"opening hours {_quote(text)} {reason}",
                        AS_WRITTEN_HINT)


def _year(parsed: opening_hours.OpeningHours) -> tuple[list[list[Interval]], str | None]:
    """The open intervals of each day of the reference year and one day more, in minutes
    from each day's midnight (one call to the parser: a call per day costs 50 times more);
    and why they are no weekly table, when a comment or an unknown state says so."""
    days: list[list[Interval]] = [[] for _ in range(REFERENCE_WEEKS * 7 + 1)]
    end = REFERENCE_MONDAY + datetime.timedelta(days=len(days))
    for opens, closes, state, comment in parsed.intervals(REFERENCE_MONDAY, end):
        if comment:
            return days, f"carry a comment ({_quote(comment)})"
        if state == opening_hours.State.UNKNOWN:
            return days, "leave some hours unknown"
        if state == opening_hours.State.OPEN:
            _spread(days, (opens - REFERENCE_MONDAY) // MINUTE,
                    (closes - REFERENCE_MONDAY) // MINUTE)
    return days, None


def _spread(days: list[list[Interval]], first: int, last: int) -> None:
    """An open interval (minutes from the reference Monday) cut at each midnight."""
    last = min(last, len(days) * DAY_MINUTES)
    while first < last:
        day = first // DAY_MINUTES
        stop = min(last, (day + 1) * DAY_MINUTES)
        days[day].append((first - day * DAY_MINUTES, stop - day * DAY_MINUTES))
        first = stop


def _week(eight: list[list[Interval]]) -> WeeklyHours:
    """Monday to Sunday (and the next Monday) as a weekly table; hours running past midnight
    into the next day's first hours are one interval (22:00-02:00), as hours.parse_day
    reads them."""
    days = [list(day) for day in eight]
    for index in range(7):
        today, tomorrow = days[index], days[index + 1]
        if today and tomorrow and today[-1][0] > 0 and today[-1][1] == DAY_MINUTES \
                and tomorrow[0][0] == 0 and tomorrow[0][1] < DAY_MINUTES:
            today[-1] = (today[-1][0], DAY_MINUTES + tomorrow[0][1])
            tomorrow.pop(0)
            if index == 6:  # the carry into next Monday is the one into this Monday
                days[0].pop(0)
    return WeeklyHours({day: days[index] for index, day in enumerate(DAYS)})


def _open_minutes(parsed: opening_hours.OpeningHours, day: datetime.datetime
                  ) -> Iterator[Interval]:
    """The open intervals of one day, in minutes from its midnight."""
    end = day + datetime.timedelta(days=1)
    for opens, closes, state, _ in parsed.intervals(day, end):
        first, last = max(opens, day), min(closes, end)
        if state == opening_hours.State.OPEN and last > first:
            yield ((first - day) // MINUTE, (last - day) // MINUTE)


def _holiday_hours(text: str) -> list[Interval]:
    """What the text says for a public holiday, read on one of HOLIDAY's calendar."""
    date, country = HOLIDAY
    parsed = opening_hours.OpeningHours(text, country=country)
    return list(_open_minutes(parsed, date))


def _quote(text: str) -> str:
    return f"'{text if len(text) <= 80 else text[:79] + '…'}'"
