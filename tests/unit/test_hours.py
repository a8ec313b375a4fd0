"""Opening hours: every accepted form, exact errors, properties, and a real NHS dataset."""

from __future__ import annotations

import csv
import datetime
from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st
from support.sites import shared_dataset

from sitegen.data.hours import (
    ALL_DAY,
    DAYS,
    HoursError,
    Interval,
    SpecialDay,
    WeeklyHours,
    opening_hours_specification,
    parse_day,
    parse_hours,
    parse_special_hours,
    special_opening_hours_specification,
)

HOURS_HINT = "write hours like 09:00-17:00, 9am-5pm or CLOSED"
WEEK_HINT = "write hours like Mon-Fri 9am-5pm; Sat 10-14; Sun closed"
DATE_HINT = "write dates as YYYY-MM-DD, e.g. 2026-12-25 closed; 2026-12-24 09:00-14:00"
PHARMACIES = shared_dataset("gm-pharmacies", "gm_pharmacies.csv")
NINE_TO_FIVE = [(540, 1020)]
SPLIT_DAY = [(510, 780), (840, 1050)]
WEEKDAYS = DAYS[:5]


def week(**days: list[Interval]) -> dict[str, list[Interval]]:
    return {day: days[day] for day in DAYS if day in days}


# --- parse_day ---------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("09:00-17:00", NINE_TO_FIVE),
        ("9-17", NINE_TO_FIVE),
        ("9am-5pm", NINE_TO_FIVE),
        ("9AM-5PM", NINE_TO_FIVE),
        ("9 a.m. - 5 p.m.", NINE_TO_FIVE),
        ("9:30am - 5:30 pm", [(570, 1050)]),
        ("9.30am-5.30pm", [(570, 1050)]),
        ("  09:00   -   17:00  ", NINE_TO_FIVE),
        ("09:00–17:00", NINE_TO_FIVE),
        ("09:00 — 17:00", NINE_TO_FIVE),
        ("9 to 5", NINE_TO_FIVE),
        ("9am to 5pm", NINE_TO_FIVE),
        ("08:30-13:00,14:00-17:30", SPLIT_DAY),
        ("08:30-13:00, 14:00-17:30", SPLIT_DAY),
        ("08:30-13:00;14:00-17:30", SPLIT_DAY),
        ("08:30-13:00 / 14:00-17:30", SPLIT_DAY),
        ("08:30-13:00 & 14:00-17:30", SPLIT_DAY),
        ("08:30-13:00 and 14:00-17:30", SPLIT_DAY),
        ("8:30am-1pm, 2pm-5:30pm", SPLIT_DAY),
        ("09:00-12:30,13:00-16:30,17:00-21:00", [(540, 750), (780, 990), (1020, 1260)]),
        ("CLOSED", []),
        ("Closed", []),
        ("closed", []),
        ("closed all day", []),
        ("off", []),
        ("24 hours", [(0, 1440)]),
        ("24h", [(0, 1440)]),
        ("Open 24 hours", [(0, 1440)]),
        ("00:00-24:00", [(0, 1440)]),
        ("00:00-00:00", [(0, 1440)]),
        ("00:00-23:59", [(0, 1440)]),
        ("18:00-00:00", [(1080, 1440)]),
        ("18:00-24:00", [(1080, 1440)]),
        ("22:00-02:00", [(1320, 1560)]),
        ("22-2", [(1320, 1560)]),
        ("9pm-2am", [(1260, 1560)]),
        ("noon-midnight", [(720, 1440)]),
        ("midnight-noon", [(0, 720)]),
        ("Noon - 6pm", [(720, 1080)]),
        ("12pm-5pm", [(720, 1020)]),
        ("12am-6am", [(0, 360)]),
        ("6pm-12am", [(1080, 1440)]),
        # A 12-hour reading when the text leaves it open, as people write it.
        ("9-5", NINE_TO_FIVE),
        ("9:30-5:30", [(570, 1050)]),
        ("9-5pm", NINE_TO_FIVE),
        ("1-5pm", [(780, 1020)]),
        ("9am-5", NINE_TO_FIVE),
        ("11-1", [(660, 780)]),
        ("12-5", [(720, 1020)]),
        ("9pm-2", [(1260, 1560)]),
        ("9-12, 1-5", [(540, 720), (780, 1020)]),
        ("8:30-12:00, 1:00-5:30", [(510, 720), (780, 1050)]),
        ("7-11, 5-9", [(420, 660), (1020, 1260)]),
        ("10-2", [(600, 840)]),
        ("10:01-10:00", [(601, 1320)]),
        # Any leading zero or hour above 12 puts the whole cell on the 24-hour clock.
        ("09:00-5:00", [(540, 1740)]),
        ("8:30-12:00, 13:00-5:00", [(510, 720), (780, 1740)]),
        ("10:01-09:00", [(601, 1980)]),
        # Unordered, overlapping and touching intervals are sorted and merged.
        ("14:00-17:30,08:30-13:00", SPLIT_DAY),
        ("09:00-13:00,12:00-17:00", NINE_TO_FIVE),
        ("09:00-12:00,12:00-17:00", NINE_TO_FIVE),
        ("09:00-17:00,10:00-11:00", NINE_TO_FIVE),
        # Real data (NHS pharmacy list): a colon typed where the comma belongs.
        ("09:00-13:00:14:00-18:00", [(540, 780), (840, 1080)]),
    ],
)
def test_parse_day_forms(text: str, expected: list[Interval]) -> None:
    assert parse_day(text) == expected


@pytest.mark.parametrize(
    ("text", "message", "hint"),
    [
        ("9 till late", "cannot read hours '9 till late'", HOURS_HINT),
        ("", "no hours given", HOURS_HINT),
        ("   ", "no hours given", HOURS_HINT),
        ("9", "cannot read hours '9'", HOURS_HINT),
        ("9-5-7", "cannot read hours '9-5-7'", HOURS_HINT),
        ("09:00-17:00,", "cannot read hours '09:00-17:00,'", HOURS_HINT),
        ("by appointment", "cannot read hours 'by appointment'", HOURS_HINT),
        ("<script>alert(1)</script>", "cannot read hours '<script>alert(1)</script>'", HOURS_HINT),
        ("25:00-26:00", "invalid time '25:00' in '25:00-26:00'", "times run from 00:00 to 24:00"),
        ("09:60-17:00", "invalid time '09:60' in '09:60-17:00'", "times run from 00:00 to 24:00"),
        ("09:00-24:30", "invalid time '24:30' in '09:00-24:30'", "times run from 00:00 to 24:00"),
        (
            "13pm-5pm",
            "invalid time '13pm' in '13pm-5pm'",
            "use 1-12 with am/pm, or a 24-hour time like 13:00",
        ),
        (
            "0am-5pm",
            "invalid time '0am' in '0am-5pm'",
            "use 1-12 with am/pm, or a 24-hour time like 13:00",
        ),
        (
            "24:00-02:00",
            "invalid opening time '24:00' in '24:00-02:00'",
            "24:00 can only be a closing time; open at 00:00",
        ),
        (
            "00:00-23:00, 22:00-02:00",
            "hours '00:00-23:00, 22:00-02:00' run for more than 24 hours",
            "write at most one full day, e.g. 00:00-24:00",
        ),
        (
            "09:00-17:00 " * 10,
            "cannot read hours '" + ("09:00-17:00 " * 10).strip()[:79] + "…'",
            HOURS_HINT,
        ),
    ],
)
def test_parse_day_errors(text: str, message: str, hint: str) -> None:
    with pytest.raises(HoursError) as caught:
        parse_day(text)
    assert caught.value.message == message
    assert str(caught.value) == message
    assert caught.value.hint == hint


def test_hours_error_is_a_value_error_without_hint_by_default() -> None:
    error = HoursError("bad")
    assert isinstance(error, ValueError)
    assert (error.message, error.hint, str(error)) == ("bad", None, "bad")


# --- parse_hours -------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Mon-Fri 9am-5pm; Sat 10-14; Sun closed",
            {**dict.fromkeys(WEEKDAYS, NINE_TO_FIVE), "saturday": [(600, 840)], "sunday": []},
        ),
        (
            "Mon–Fri 09:00–17:00, Sat 10:00–14:00",
            {**dict.fromkeys(WEEKDAYS, NINE_TO_FIVE), "saturday": [(600, 840)]},
        ),
        (
            "Mo-Fr 09:00-17:00; Sa 10:00-14:00; Su off",
            {**dict.fromkeys(WEEKDAYS, NINE_TO_FIVE), "saturday": [(600, 840)], "sunday": []},
        ),
        ("Mo-Su 00:00-24:00", dict.fromkeys(DAYS, [(0, 1440)])),
        ("24/7", dict.fromkeys(DAYS, [(0, 1440)])),
        (" Open 24/7 ", dict.fromkeys(DAYS, [(0, 1440)])),
        ("Mon,Wed,Fri 9-5", week(monday=NINE_TO_FIVE, wednesday=NINE_TO_FIVE, friday=NINE_TO_FIVE)),
        (
            "Mo,We 09:00-12:00,13:00-17:00",
            week(monday=[(540, 720), (780, 1020)], wednesday=[(540, 720), (780, 1020)]),
        ),
        ("Monday-Friday 9-5", dict.fromkeys(WEEKDAYS, NINE_TO_FIVE)),
        ("Monday to Friday: 9am to 5pm", dict.fromkeys(WEEKDAYS, NINE_TO_FIVE)),
        ("Tue. 9-5", week(tuesday=NINE_TO_FIVE)),
        (
            "Fr-Mo 10-16",
            week(friday=[(600, 960)], saturday=[(600, 960)], sunday=[(600, 960)],
                 monday=[(600, 960)]),
        ),
        ("Su-Mo 10-16", week(sunday=[(600, 960)], monday=[(600, 960)])),
        (
            "Mo-Fr 9-17; We 9-12",
            {**dict.fromkeys(WEEKDAYS, NINE_TO_FIVE), "wednesday": [(540, 720)]},
        ),
        ("Mo-Su 9-17; Su closed", {**dict.fromkeys(DAYS, NINE_TO_FIVE), "sunday": []}),
        ("Daily 8-20", dict.fromkeys(DAYS, [(480, 1200)])),
        ("Every day 8-20", dict.fromkeys(DAYS, [(480, 1200)])),
        ("Sat & Sun 10-4", week(saturday=[(600, 960)], sunday=[(600, 960)])),
        (
            "Weekdays 9-5, weekends closed",
            {**dict.fromkeys(WEEKDAYS, NINE_TO_FIVE), "saturday": [], "sunday": []},
        ),
        ("Mon 9-12 and Wed 1-5pm", week(monday=[(540, 720)], wednesday=[(780, 1020)])),
        ("Fri 22:00-02:00", week(friday=[(1320, 1560)])),
        ("ſun 9-5", week(sunday=NINE_TO_FIVE)),
        ("", {}),
    ],
)
def test_parse_hours_forms(text: str, expected: dict[str, list[Interval]]) -> None:
    parsed = parse_hours(text)
    assert parsed.days == expected
    assert list(parsed.days) == [day for day in DAYS if day in expected]


@pytest.mark.parametrize(
    ("text", "message", "hint"),
    [
        ("9-5", "hours '9-5' do not say which days", WEEK_HINT),
        ("Mon-Fri", "no hours given for 'Mon-Fri'", WEEK_HINT),
        ("Mon-Fri 9-5; Sat", "no hours given for 'Sat'", WEEK_HINT),
        ("Mon-Fri 9 till late", "Mon-Fri: cannot read hours '9 till late'", HOURS_HINT),
        (
            "Mo-Fr 09:00-17:00; PH off",
            "Mo-Fr: cannot read hours '09:00-17:00; PH off'",
            HOURS_HINT,
        ),
        ("Sat 25:00-26:00", "Sat: invalid time '25:00' in '25:00-26:00'",
         "times run from 00:00 to 24:00"),
    ],
)
def test_parse_hours_errors(text: str, message: str, hint: str) -> None:
    with pytest.raises(HoursError) as caught:
        parse_hours(text)
    assert (caught.value.message, caught.value.hint) == (message, hint)


def test_later_rules_do_not_share_interval_lists() -> None:
    parsed = parse_hours("Mo-Fr 9-17")
    parsed.days["monday"].append((1200, 1260))
    assert parsed.days["tuesday"] == NINE_TO_FIVE


# --- WeeklyHours -------------------------------------------------------------------------------

def test_display_rows_24h_and_12h() -> None:
    weekly = parse_hours("Mo-Th 08:30-13:00,14:00-17:30; Fr 9-17; Sa 22:00-02:00; Su 24h")
    del weekly.days["thursday"]
    assert weekly.display_rows() == [
        ("monday", "Monday", "08:30–13:00, 14:00–17:30"),
        ("tuesday", "Tuesday", "08:30–13:00, 14:00–17:30"),
        ("wednesday", "Wednesday", "08:30–13:00, 14:00–17:30"),
        ("thursday", "Thursday", "Hours not available"),
        ("friday", "Friday", "09:00–17:00"),
        ("saturday", "Saturday", "22:00–02:00"),
        ("sunday", "Sunday", "Open 24 hours"),
    ]
    assert [row[2] for row in weekly.display_rows(clock="12h")] == [
        "8:30 AM – 1:00 PM, 2:00 PM – 5:30 PM",
        "8:30 AM – 1:00 PM, 2:00 PM – 5:30 PM",
        "8:30 AM – 1:00 PM, 2:00 PM – 5:30 PM",
        "Hours not available",
        "9:00 AM – 5:00 PM",
        "10:00 PM – 2:00 AM",
        "Open 24 hours",
    ]


def test_display_rows_closed_noon_and_midnight() -> None:
    weekly = WeeklyHours({"monday": [], "tuesday": [(0, 720), (720 + 30, 1440)]})
    assert weekly.display_rows()[:2] == [
        ("monday", "Monday", "Closed"),
        ("tuesday", "Tuesday", "00:00–12:00, 12:30–midnight"),
    ]
    assert weekly.display_rows(clock="12h")[1][2] == "12:00 AM – 12:00 PM, 12:30 PM – midnight"


def test_closing_at_2359_is_midnight() -> None:
    """23:59 is how many datasets write midnight (7 NHS pharmacy cells say 08:00-23:59)."""
    assert parse_day("08:00-23:59") == [(480, 1440)]
    assert parse_day("8am-11:59pm") == [(480, 1440)]
    assert parse_day("00:00-23:59") == [ALL_DAY]
    assert parse_day("20:00-02:00") == [(1200, 1560)]
    weekly = parse_hours("Mo-Fr 08:00-23:59; Sa 00:00-23:59")
    assert weekly.display_rows()[0][2] == "08:00–midnight"
    assert weekly.display_rows(clock="12h")[4][2] == "8:00 AM – midnight"
    assert weekly.display_rows()[5][2] == "Open 24 hours"
    assert weekly.to_json()["mo"] == [[480, 1440]]


def test_to_json_and_is_empty() -> None:
    weekly = parse_hours("Mo 09:00-17:00; We closed; Sa 22:00-02:00")
    assert weekly.to_json() == {"mo": [[540, 1020]], "we": [], "sa": [[1320, 1560]]}
    assert not weekly.is_empty()
    assert WeeklyHours({}).is_empty()
    assert parse_hours("").is_empty()


# --- schema.org --------------------------------------------------------------------------------

def spec(days: list[str], opens: str, closes: str) -> dict:
    return {
        "@type": "OpeningHoursSpecification",
        "dayOfWeek": [f"https://schema.org/{day}" for day in days],
        "opens": opens,
        "closes": closes,
    }


def test_opening_hours_specification_groups_and_orders() -> None:
    weekly = parse_hours(
        "Mo-Fr 08:30-13:00,14:00-17:30; Sa 08:30-13:00; Su closed; We 24 hours; Th 22:00-02:00"
    )
    assert opening_hours_specification(weekly) == [
        spec(["Monday", "Tuesday", "Friday", "Saturday"], "08:30", "13:00"),
        spec(["Monday", "Tuesday", "Friday"], "14:00", "17:30"),
        spec(["Wednesday"], "00:00", "23:59"),
        spec(["Thursday"], "22:00", "02:00"),
    ]


def test_opening_hours_specification_midnight_close_and_empty() -> None:
    assert opening_hours_specification(parse_hours("Fr 18:00-24:00")) == [
        spec(["Friday"], "18:00", "00:00")
    ]
    assert opening_hours_specification(parse_hours("Mo-Su closed")) == []
    assert opening_hours_specification(WeeklyHours({})) == []


# --- special hours -----------------------------------------------------------------------------

def test_parse_special_hours_text() -> None:
    assert parse_special_hours(
        "2026-12-25 closed; 2026-12-24 09:00-14:00 Christmas Eve; 2026-12-31 10am-4pm"
    ) == [
        SpecialDay(datetime.date(2026, 12, 24), [(540, 840)], "Christmas Eve"),
        SpecialDay(datetime.date(2026, 12, 25), []),
        SpecialDay(datetime.date(2026, 12, 31), [(600, 960)]),
    ]


def test_parse_special_hours_text_with_multi_word_hours_and_note() -> None:
    text = "2026-12-26 closed all day Boxing Day; 2027-01-01 9-12 and 1-5pm"
    assert parse_special_hours(text) == [
        SpecialDay(datetime.date(2026, 12, 26), [], "Boxing Day"),
        SpecialDay(datetime.date(2027, 1, 1), [(540, 720), (780, 1020)]),
    ]


def test_parse_special_hours_list() -> None:
    assert parse_special_hours(
        [
            {"date": "2026-12-25", "hours": "closed", "note": "Christmas Day"},
            {"date": datetime.date(2026, 12, 24), "hours": "09:00-14:00"},
            {"date": datetime.datetime(2027, 1, 1, 0, 0), "hours": False, "note": "  "},
            "2026-12-31 10am-4pm New Year's Eve",
        ]
    ) == [
        SpecialDay(datetime.date(2026, 12, 24), [(540, 840)]),
        SpecialDay(datetime.date(2026, 12, 25), [], "Christmas Day"),
        SpecialDay(datetime.date(2026, 12, 31), [(600, 960)], "New Year's Eve"),
        SpecialDay(datetime.date(2027, 1, 1), []),
    ]
    assert parse_special_hours("") == []
    assert parse_special_hours([]) == []


@pytest.mark.parametrize(
    ("value", "message", "hint"),
    [
        ("2026-13-01 closed", "invalid date '2026-13-01'", DATE_HINT),
        ("25/12/2026 closed", "invalid date '25/12/2026'", DATE_HINT),
        ("2026-02-30 closed", "invalid date '2026-02-30'", DATE_HINT),
        ("2026-12-24 09:00-12:00; 13:00-16:00", "invalid date '13:00-16:00'", DATE_HINT),
        ([{"hours": "closed"}], "invalid date ''", DATE_HINT),
        ([{"date": "Christmas", "hours": "closed"}], "invalid date 'Christmas'", DATE_HINT),
        ([""], "invalid date ''", DATE_HINT),
        ([3], "cannot read special hours '3'", DATE_HINT),
        ("2026-12-25", "no hours given for 2026-12-25", HOURS_HINT),
        ([{"date": "2026-12-25"}], "no hours given for 2026-12-25", HOURS_HINT),
        ("2026-12-24 9 till late", "cannot read hours '9 till late' for 2026-12-24", HOURS_HINT),
        ([{"date": "2026-12-24", "hours": "9 till late"}], "cannot read hours '9 till late'",
         HOURS_HINT),
        (
            "2026-12-25 closed; 2026-12-25 10-14",
            "date 2026-12-25 is listed twice",
            "give each date once, e.g. 2026-12-25 09:00-12:00,13:00-16:00",
        ),
    ],
)
def test_parse_special_hours_errors(value: str | list, message: str, hint: str) -> None:
    with pytest.raises(HoursError) as caught:
        parse_special_hours(value)
    assert (caught.value.message, caught.value.hint) == (message, hint)


def special(date: str, opens: str, closes: str) -> dict:
    return {
        "@type": "OpeningHoursSpecification",
        "validFrom": date,
        "validThrough": date,
        "opens": opens,
        "closes": closes,
    }


def test_special_opening_hours_specification() -> None:
    days = parse_special_hours("2026-12-31 10am-2pm, 3pm-4pm; 2026-12-25 closed; 2027-01-01 24h")
    assert special_opening_hours_specification(days) == [
        special("2026-12-25", "00:00", "00:00"),
        special("2026-12-31", "10:00", "14:00"),
        special("2026-12-31", "15:00", "16:00"),
        special("2027-01-01", "00:00", "23:59"),
    ]
    assert special_opening_hours_specification([]) == []


# --- properties --------------------------------------------------------------------------------

def hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def says_24_hour(intervals: list[Interval]) -> bool:
    """Written as HH:MM, some hour is 00-09 or 13-24, so the cell reads on the 24-hour clock.

    A cell with only hours 10-12 ("10:01-10:00") reads on the 12-hour clock, as tested above.
    """
    return any(not 600 <= time % 1440 < 780 for interval in intervals for time in interval)


@st.composite
def day_intervals(draw: st.DrawFn) -> list[Interval]:
    """Sorted, gapped intervals, maybe ending with one that runs past midnight."""
    points = sorted(draw(st.lists(st.integers(0, 1440), min_size=2, max_size=8, unique=True)))
    intervals = list(zip(points[0::2], points[1::2], strict=False))
    last_close = intervals[-1][1]
    if last_close < 1439 and draw(st.booleans()):
        opens = draw(st.integers(last_close + 1, 1439))
        intervals.append((opens, 1440 + draw(st.integers(0, opens - 1))))
    # A closing at 23:59 reads as midnight (test_closing_at_2359_is_midnight).
    return [interval for interval in intervals if interval[1] != 1439] or [(0, 60)]


day_intervals_24h = day_intervals().filter(says_24_hour)


@st.composite
def day_text(draw: st.DrawFn, intervals: list[Interval]) -> str:
    separator = draw(st.sampled_from([",", ", ", ";", " ; ", " / ", " & ", " and "]))
    dash = draw(st.sampled_from(["-", " - ", "–", "—", " to "]))
    parts = []
    for opens, closes in intervals:
        close_text = draw(st.sampled_from(["24:00", "00:00"])) if closes == 1440 else None
        parts.append(f"{hhmm(opens)}{dash}{close_text or hhmm(closes % 1440)}")
    return separator.join(parts)


@given(st.data())
def test_property_well_formed_lists_parse_back(data: st.DataObject) -> None:
    intervals = data.draw(day_intervals_24h)
    assert parse_day(data.draw(day_text(intervals))) == intervals


HOSTILE = [
    "<script>alert(1)</script>",
    "09:00-17:00<script>",
    "\u202e00:71-00:90",
    "\u200f09:00-17:00\u200f",
    "٠٩:٠٠-١٧:٠٠",
    "🕘-🕔",
    "9am-5pm 🎉",
    "\x00",
    "09:00\x00-17:00",
    "-" * 5000,
    " " * 5000 + "x",
    "9" * 5000,
    "and " * 1000,
    "Mo-Fr " * 1000,
    "ſun K",
    # Long runs that once made the separator patterns quadratic (caught by hypothesis' deadline).
    "Mo" + " " * 20000 + "x",
    "Mo 9-5 " + ", " * 10000 + "x",
    "2026-01-01 " + "9-5 " * 2000,
]


def assert_well_formed(intervals: list[Interval]) -> None:
    for opens, closes in intervals:
        assert 0 <= opens < 1440
        assert opens < closes <= opens + 1440
    for (_, closes), (opens, _) in zip(intervals, intervals[1:], strict=False):
        assert closes < opens


hoursish_text = st.text(alphabet="0123456789:.-–apm ,;/&toclsedhurn", max_size=40)
any_text = st.one_of(st.text(), st.sampled_from(HOSTILE), hoursish_text)


@given(any_text)
def test_property_parse_day_raises_only_hours_error(text: str) -> None:
    try:
        intervals = parse_day(text)
    except HoursError as error:
        assert error.message and error.hint
    else:
        assert_well_formed(intervals)


@given(st.one_of(any_text, st.builds("Mo-Fr {} ".format, hoursish_text)))
def test_property_parse_hours_raises_only_hours_error(text: str) -> None:
    try:
        weekly = parse_hours(text)
    except HoursError as error:
        assert error.message and error.hint
    else:
        assert set(weekly.days) <= set(DAYS)
        for intervals in weekly.days.values():
            assert_well_formed(intervals)


@given(any_text)
def test_property_parse_special_hours_raises_only_hours_error(text: str) -> None:
    try:
        parse_special_hours(text)
    except HoursError as error:
        assert error.message and error.hint


def spec_minutes(opens: str, closes: str) -> Interval:
    """Read a specification's clock times back as an interval."""
    start = int(opens[:2]) * 60 + int(opens[3:])
    end = int(closes[:2]) * 60 + int(closes[3:])
    if (opens, closes) == ("00:00", "23:59"):
        return (0, 1440)
    return (start, end if end > start else end + 1440)


@st.composite
def week_text(draw: st.DrawFn) -> tuple[str, dict[str, list[Interval]]]:
    expected: dict[str, list[Interval]] = {}
    rules = []
    for day in draw(st.lists(st.sampled_from(DAYS), unique=True)):
        intervals = draw(st.one_of(st.just([]), day_intervals_24h))
        expected[day] = intervals
        rules.append(f"{day[:3].title()} {draw(day_text(intervals)) if intervals else 'closed'}")
    return "; ".join(rules), expected


@given(week_text())
def test_property_specification_round_trips(case: tuple[str, dict[str, list[Interval]]]) -> None:
    text, expected = case
    weekly = parse_hours(text)
    assert weekly.days == {day: expected[day] for day in DAYS if day in expected}
    specs = opening_hours_specification(weekly)
    triples = [
        (url.removeprefix("https://schema.org/").lower(), spec_minutes(s["opens"], s["closes"]))
        for s in specs
        for url in s["dayOfWeek"]
    ]
    assert len(triples) == len(set(triples))
    assert set(triples) == {
        (day, interval) for day, intervals in weekly.days.items() for interval in intervals
    }
    assert specs == opening_hours_specification(parse_hours(text))


# --- real data ---------------------------------------------------------------------------------

def pharmacy_cells() -> list[tuple[str, str, str]]:
    assert PHARMACIES is not None, "the shared gm-pharmacies dataset is missing"
    with PHARMACIES.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 631
    return [
        (row["organisation_data_service_code"], day, row[f"opening_hours_{day}"])
        for row in rows
        for day in DAYS
    ]


def test_every_real_pharmacy_cell_parses() -> None:
    parsed = {(code, day): parse_day(cell) for code, day, cell in pharmacy_cells()}
    assert len(parsed) == 631 * 7
    counts = Counter(
        "closed" if not intervals else "midnight" if intervals[-1][1] == 1440 else len(intervals)
        for intervals in parsed.values()
    )
    # README counts: 2,638 single ranges (6 closing at 00:00, 7 at 23:59: all midnight),
    # 864 + 5 split days.
    assert counts == Counter({1: 2625, 2: 869, "closed": 814, 3: 96, "midnight": 13})
    # The one malformed value in the dataset, "09:00-13:00:14:00-18:00", on five days.
    noble = [parsed[("FVW83", day)] for day in DAYS]
    assert noble == [[(540, 780), (840, 1080)]] * 5 + [[], []]
