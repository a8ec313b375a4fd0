"""Opening hours: read the many ways people write them, emit display rows, JSON and schema.org.

Hours come from spreadsheets, YAML and OpenStreetMap, so the parser is tolerant of spacing,
dashes, 12/24-hour clocks and day-name spellings ("9-5" is 09:00-17:00, as people mean it).
Anything else is an HoursError with a hint rather than a guess that would publish wrong hours.
"""

from __future__ import annotations

import contextlib
import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal, NamedTuple

from sitegen.memo import by_identity

DAYS: tuple[str, ...] = (
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
)
Interval = tuple[int, int]

DAY_MINUTES = 24 * 60
ALL_DAY: Interval = (0, DAY_MINUTES)
HOURS_HINT = "write hours like 09:00-17:00, 9am-5pm or CLOSED"
WEEK_HINT = "write hours like Mon-Fri 9am-5pm; Sat 10-14; Sun closed"
DATE_HINT = "write dates as YYYY-MM-DD, e.g. 2026-12-25 closed; 2026-12-24 09:00-14:00"
SCHEMA_DAY = "https://schema.org/"

_DASH_CHARS = r"[-\u2010-\u2015\u2212]|\bto\b"
_DASH = rf"\s*(?:{_DASH_CHARS})\s*"
_CLOSED = re.compile(r"closed(?:\s+all\s+day)?|off", re.I)
_ALWAYS = re.compile(r"(?:open\s+)?24\s*(?:hours|hrs|h)|24/7", re.I)
_ALWAYS_WEEK = re.compile(r"(?:open\s+)?24/7", re.I)
# Split on bare separators and strip the parts: a leading \s* would make long blank runs quadratic.
_INTERVAL_SEP = re.compile(r"[,;/&]|\band\b", re.I)
_RANGE_SEP = re.compile(_DASH_CHARS, re.I)
# Real data (NHS pharmacy list): "09:00-13:00:14:00-18:00", a colon typed for the comma.
_COLON_TYPO = re.compile(r"(-\s*\d{1,2}:\d{2})\s*:\s*(?=\d{1,2}:\d{2}\s*-)")
_TIME = re.compile(
    r"(?P<h>\d{1,2})(?:[:.](?P<m>\d{2}))?\s*(?:(?P<ap>[ap])\.?\s*m\.?)?|(?P<word>noon|midnight)",
    re.I,
)
_DAY_SPELLINGS = {
    "monday": "monday|mon|mo",
    "tuesday": "tuesday|tues|tue|tu",
    "wednesday": "wednesday|weds|wed|we",
    "thursday": "thursday|thurs|thur|thu|th",
    "friday": "friday|fri|fr",
    "saturday": "saturday|sat|sa",
    "sunday": "sunday|sun|su",
}
_DAY = r"\b(?:" + "|".join(_DAY_SPELLINGS.values()) + r")\b\.?"
# Named groups tell which day matched without lower(), which Unicode folding ("ſun") would defeat.
_DAY_TOKEN = re.compile(
    r"\b(?:" + "|".join(f"(?P<{day}>{alts})" for day, alts in _DAY_SPELLINGS.items()) + r")\b",
    re.I,
)
_DAY_GROUP = re.compile(
    r"(?P<daily>daily|every\s*day)|(?P<weekdays>weekdays)|(?P<weekends>weekends)", re.I
)
_DAY_GROUPS = {"daily": DAYS, "weekdays": DAYS[:5], "weekends": DAYS[5:]}
_DAY_ITEM = rf"{_DAY}(?:{_DASH}{_DAY})?|\b(?:daily|every\s*day|weekdays|weekends)\b"
_DAY_SELECTOR = re.compile(
    rf"(?:{_DAY_ITEM})(?:\s*(?:,|&|\band\b)\s*(?:{_DAY_ITEM}))*", re.I
)
_DAY_ITEM_RE = re.compile(_DAY_ITEM, re.I)
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# Longest day spec tried before the note starts ("9:30 am - 12:30 pm and 1:30 pm - 5:30 pm" is 11).
_MAX_HOURS_WORDS = 16


class HoursError(ValueError):
    """Hours we cannot read; `hint` tells the user what to write instead."""

    def __init__(self, message: str, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.hint = hint


@dataclass(slots=True)
class WeeklyHours:
    """Regular weekly hours; a missing day is unknown, an empty list is closed."""

    days: dict[str, list[Interval]]

    def is_empty(self) -> bool:
        """True when no day is known, so templates can leave the hours block out."""
        return not self.days

    def display_rows(
        self, clock: Literal["12h", "24h"] = "24h"
    ) -> list[tuple[str, str, str]]:
        """All seven days in order as (day key, day label, hours text) for an hours table."""
        return [
            (day, day.title(), day_text(self.days.get(day), clock)) for day in DAYS
        ]

    def to_json(self) -> dict[str, list[list[int]]]:
        """Compact form for the browser "open now" script: two-letter keys, known days only."""
        return {
            day[:2]: [list(interval) for interval in self.days[day]]
            for day in DAYS
            if day in self.days
        }


@dataclass(slots=True)
class SpecialDay:
    """Hours for one date (holiday, event) that replace the weekly hours."""

    date: datetime.date
    intervals: list[Interval]
    note: str | None = None


class _Clock(NamedTuple):
    """One written time, with what is needed to choose between 12- and 24-hour readings."""

    minutes: int  # as written; "5" is 05:00 until the 12-hour reading says otherwise
    meridiem: str | None  # "a" or "p" when written with am/pm
    fixed: bool  # am/pm or noon/midnight: only one reading
    says_24h: bool  # a leading zero or an hour above 12 ("09:00", "17"): the cell is 24-hour


def parse_day(text: str) -> list[Interval]:
    """One day's hours as sorted, merged intervals; [] means closed.

    A cell is read on the 24-hour clock when any hour has a leading zero or is above 12.
    Otherwise ("9-5", "9-12, 1-5") each time without am/pm takes the first reading that
    keeps the day moving forward, which is how people mean such hours.
    """
    cell = text.strip()
    if not cell:
        raise HoursError("no hours given", hint=HOURS_HINT)
    if _CLOSED.fullmatch(cell):
        return []
    if _ALWAYS.fullmatch(cell):
        return [ALL_DAY]
    parts = _INTERVAL_SEP.split(_COLON_TYPO.sub(r"\1,", cell))
    pairs = [_parse_interval(part, cell) for part in parts]
    if any(clock.says_24h for pair in pairs for clock in pair):
        intervals = [_interval(start.minutes, end.minutes) for start, end in pairs]
    else:
        intervals = _read_12_hour(pairs)
    return _merge(intervals, cell)


def _parse_interval(part: str, cell: str) -> tuple[_Clock, _Clock]:
    ends = [end.strip() for end in _RANGE_SEP.split(part)]
    if len(ends) != 2:
        raise HoursError(f"cannot read hours {_quote(cell)}", hint=HOURS_HINT)
    start, end = (_parse_clock(token, cell) for token in ends)
    if start.minutes == DAY_MINUTES:
        raise HoursError(
            f"invalid opening time {_quote(ends[0])} in {_quote(cell)}",
            hint="24:00 can only be a closing time; open at 00:00",
        )
    return start, end


def _parse_clock(token: str, cell: str) -> _Clock:
    match = _TIME.fullmatch(token)
    if not match:
        raise HoursError(f"cannot read hours {_quote(cell)}", hint=HOURS_HINT)
    if match["word"]:
        return _Clock(720 if match["word"].lower() == "noon" else 0, None, True, False)
    hour, minute = int(match["h"]), int(match["m"] or 0)
    meridiem = match["ap"].lower() if match["ap"] else None
    _check_clock(token, cell, hour, minute, meridiem)
    if meridiem:
        minutes = (hour % 12 + (12 if meridiem == "p" else 0)) * 60 + minute
        return _Clock(minutes, meridiem, True, False)
    says_24h = not 1 <= hour <= 12 or match["h"].startswith("0")
    return _Clock(hour * 60 + minute, None, False, says_24h)


def _check_clock(token: str, cell: str, hour: int, minute: int, meridiem: str | None) -> None:
    if meridiem and not 1 <= hour <= 12:
        raise HoursError(
            f"invalid time {_quote(token)} in {_quote(cell)}",
            hint="use 1-12 with am/pm, or a 24-hour time like 13:00",
        )
    if minute > 59 or hour > 24 or (hour == 24 and minute):
        raise HoursError(
            f"invalid time {_quote(token)} in {_quote(cell)}",
            hint="times run from 00:00 to 24:00",
        )


def _read_12_hour(pairs: list[tuple[_Clock, _Clock]]) -> list[Interval]:
    intervals: list[Interval] = []
    for start, end in pairs:
        opens = _opening_reading(start, end, intervals[-1][1] if intervals else None)
        closes = end.minutes
        if not end.fixed:
            readings = _readings(end)
            closes = next((reading for reading in readings if reading > opens), readings[0])
        intervals.append(_interval(opens, closes))
    return intervals


def _opening_reading(start: _Clock, end: _Clock, previous_close: int | None) -> int:
    """Where a start lands: 13:00 in "1-5pm", and in "9-12, 1-5" after the morning shift."""
    if start.fixed:
        return start.minutes
    morning, afternoon = _readings(start)
    if end.meridiem == "p" and afternoon < end.minutes:
        return afternoon
    if previous_close is None:
        return start.minutes
    return next(
        (reading for reading in (morning, afternoon) if reading >= previous_close), start.minutes
    )


def _readings(clock: _Clock) -> tuple[int, int]:
    """The am and pm readings of a time written without am/pm."""
    morning = clock.minutes % 720
    return morning, morning + 720


def _interval(opens: int, closes: int) -> Interval:
    """Closing at or before opening runs past midnight. 23:59 is how many write midnight
    (00:00-23:59 all day, 08:00-23:59 until midnight): it closes at 24:00, so the page says
    "Closes at midnight", not "at 23:59"."""
    if closes == DAY_MINUTES - 1 and opens != closes:
        closes = DAY_MINUTES
    if closes <= opens:
        closes += DAY_MINUTES
    return (opens, closes)


def _merge(intervals: list[Interval], cell: str) -> list[Interval]:
    merged: list[Interval] = []
    for opens, closes in sorted(intervals):
        if merged and opens <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], closes))
        else:
            merged.append((opens, closes))
    if any(closes - opens > DAY_MINUTES for opens, closes in merged):
        raise HoursError(
            f"hours {_quote(cell)} run for more than 24 hours",
            hint="write at most one full day, e.g. 00:00-24:00",
        )
    return merged


def _quote(text: str) -> str:
    """Quote user text in a message, cut short so a runaway cell cannot flood the log."""
    return f"'{text if len(text) <= 80 else text[:79] + '…'}'"


def parse_hours(text: str) -> WeeklyHours:
    """A whole week ("Mon-Fri 9am-5pm; Sat 10-14"); later rules override earlier ones, as in OSM.

    Days the text does not mention stay unknown; blank text means the whole week is unknown.
    """
    if _ALWAYS_WEEK.fullmatch(text.strip()):
        return WeeklyHours({day: [ALL_DAY] for day in DAYS})
    if not text.strip():
        return WeeklyHours({})
    selectors = list(_DAY_SELECTOR.finditer(text))
    _check_leading_text(text, selectors)
    days: dict[str, list[Interval]] = {}
    for index, selector in enumerate(selectors):
        stop = selectors[index + 1].start() if index + 1 < len(selectors) else len(text)
        intervals = _parse_rule_hours(selector.group(), text[selector.end():stop])
        days.update(dict.fromkeys(_selected_days(selector.group()), intervals))
    return WeeklyHours({day: list(days[day]) for day in DAYS if day in days})


def _check_leading_text(text: str, selectors: list[re.Match[str]]) -> None:
    leading = text[: selectors[0].start()] if selectors else text
    if leading.strip(" \t\r\n,;"):
        raise HoursError(f"hours {_quote(leading.strip())} do not say which days", hint=WEEK_HINT)


def _parse_rule_hours(selector: str, rest: str) -> list[Interval]:
    cell = _trim_joiners(rest)
    if not cell:
        raise HoursError(f"no hours given for {_quote(selector)}", hint=WEEK_HINT)
    try:
        return parse_day(cell)
    except HoursError as error:
        raise HoursError(f"{selector}: {error.message}", hint=error.hint) from None


def _trim_joiners(text: str) -> str:
    """Drop what joins a rule to its neighbours ("Mon: 9-12 and Wed ..."), in linear time."""
    while True:
        trimmed = text.strip().strip(",;:&/")
        if trimmed.lower().endswith("and") and (len(trimmed) == 3 or not trimmed[-4].isalnum()):
            trimmed = trimmed[:-3]
        if trimmed == text:
            return text
        text = trimmed


def _selected_days(selector: str) -> list[str]:
    """Days named by "Mon,Wed-Fri" or "Fr-Mo" (ranges wrap round the week)."""
    selected: list[str] = []
    for item in _DAY_ITEM_RE.finditer(selector):
        group = _DAY_GROUP.fullmatch(item.group())
        if group:
            selected.extend(_DAY_GROUPS[str(group.lastgroup)])
            continue
        named = [DAYS.index(str(token.lastgroup)) for token in _DAY_TOKEN.finditer(item.group())]
        span = (named[-1] - named[0]) % 7
        selected.extend(DAYS[(named[0] + offset) % 7] for offset in range(span + 1))
    return selected


def parse_special_hours(value: str | list) -> list[SpecialDay]:
    """Holiday hours, from "2026-12-25 closed; 2026-12-24 09:00-14:00 Christmas Eve" or a list.

    List items are dicts ({date, hours, note}) or strings in the same form as the text.
    """
    if isinstance(value, str):
        entries = [part for part in value.split(";") if part.strip()]
    else:
        entries = list(value)
    days = sorted((_special_day(entry) for entry in entries), key=lambda day: day.date)
    _check_unique_dates(days)
    return days


def _check_unique_dates(days: list[SpecialDay]) -> None:
    """One entry per date, so a typo cannot silently lose one of two conflicting entries."""
    for earlier, later in zip(days, days[1:], strict=False):
        if earlier.date == later.date:
            raise HoursError(
                f"date {later.date} is listed twice",
                hint=f"give each date once, e.g. {later.date} 09:00-12:00,13:00-16:00",
            )


def _special_day(entry: object) -> SpecialDay:
    if isinstance(entry, str):
        return _special_day_from_text(entry)
    if not isinstance(entry, dict):
        raise HoursError(f"cannot read special hours {_quote(str(entry))}", hint=DATE_HINT)
    date = _parse_date(entry.get("date"))
    hours = entry.get("hours")
    if hours is False:  # YAML 1.1 reads a bare `off` as false
        intervals: list[Interval] = []
    elif isinstance(hours, str):
        intervals = parse_day(hours)
    else:
        raise HoursError(f"no hours given for {date.isoformat()}", hint=HOURS_HINT)
    note = entry.get("note")
    return SpecialDay(date, intervals, str(note).strip() or None if note else None)


def _special_day_from_text(entry: str) -> SpecialDay:
    date_text, *words = entry.split() or [""]
    date = _parse_date(date_text)
    for size in range(min(len(words), _MAX_HOURS_WORDS), 0, -1):
        try:
            intervals = parse_day(" ".join(words[:size]))
        except HoursError:
            continue
        return SpecialDay(date, intervals, " ".join(words[size:]) or None)
    if not words:
        raise HoursError(f"no hours given for {date.isoformat()}", hint=HOURS_HINT)
    raise HoursError(f"cannot read hours {_quote(' '.join(words))} for {date}", hint=HOURS_HINT)


def _parse_date(value: object) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = "" if value is None else str(value).strip()
    if _ISO_DATE.fullmatch(text):
        with contextlib.suppress(ValueError):
            return datetime.date.fromisoformat(text)
    raise HoursError(f"invalid date {_quote(text)}", hint=DATE_HINT)


@by_identity
def opening_hours_specification(weekly: WeeklyHours) -> list[dict]:
    """schema.org OpeningHoursSpecification: one dict per interval, grouping days that share it.

    Closed and unknown days are left out, since schema.org reads unlisted days as closed.
    """
    by_interval: dict[Interval, list[str]] = {}
    for day in DAYS:
        for interval in weekly.days.get(day, []):
            by_interval.setdefault(interval, []).append(day)
    ordered = sorted(by_interval.items(), key=lambda item: (DAYS.index(item[1][0]), item[0]))
    return [
        {
            "@type": "OpeningHoursSpecification",
            "dayOfWeek": [SCHEMA_DAY + day.title() for day in days],
            **_opens_closes(interval),
        }
        for interval, days in ordered
    ]


def special_opening_hours_specification(days: list[SpecialDay]) -> list[dict]:
    """Date-bound specifications; a closed date opens and closes at 00:00, as Google documents."""
    specs: list[dict] = []
    for day in sorted(days, key=lambda special: special.date):
        when = {"validFrom": day.date.isoformat(), "validThrough": day.date.isoformat()}
        times = [_opens_closes(interval) for interval in day.intervals]
        for opens_closes in times or [{"opens": "00:00", "closes": "00:00"}]:
            specs.append({"@type": "OpeningHoursSpecification", **when, **opens_closes})
    return specs


def _opens_closes(interval: Interval) -> dict[str, str]:
    """Clock times; a full day closes at 23:59 and past-midnight hours at the next day's time."""
    if interval == ALL_DAY:
        return {"opens": "00:00", "closes": "23:59"}
    return {"opens": _hhmm(interval[0]), "closes": _hhmm(interval[1])}


def _hhmm(minutes: int) -> str:
    hours, mins = divmod(minutes % DAY_MINUTES, 60)
    return f"{hours:02d}:{mins:02d}"


def day_text(intervals: list[Interval] | None, clock: Literal["12h", "24h"]) -> str:
    if intervals is None:
        return "Hours not available"
    if not intervals:
        return "Closed"
    if intervals == [ALL_DAY]:
        return "Open 24 hours"
    if clock == "12h":
        return ", ".join(f"{_h12(opens)} – {_closing(closes, _h12)}" for opens, closes in intervals)
    return ", ".join(f"{_hhmm(opens)}–{_closing(closes, _hhmm)}" for opens, closes in intervals)


def _closing(minutes: int, clock: Callable[[int], str]) -> str:
    """A closing time; closing at the end of the day reads "midnight" on either clock."""
    return "midnight" if minutes == DAY_MINUTES else clock(minutes)


def _h12(minutes: int) -> str:
    hours, mins = divmod(minutes % DAY_MINUTES, 60)
    return f"{(hours - 1) % 12 + 1}:{mins:02d} {'AM' if hours < 12 else 'PM'}"
