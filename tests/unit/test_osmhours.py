"""Opening hours as a location shows them (data/osmhours.py): every OSM string of the Niort
export, the issue's examples, what becomes text as written, and properties."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from support.sites import shared_dataset

from sitegen.data.hours import ALL_DAY, DAYS, Interval
from sitegen.data.osmhours import AS_WRITTEN_HINT, read_hours

NIORT = shared_dataset("niort-pharmacies-osm", "pharmacies.geojson")
OSM_DAYS = ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")


def niort_hours() -> list[str]:
    assert NIORT is not None, "shared/datasets/niort-pharmacies-osm is missing"
    features = json.loads(NIORT.read_text(encoding="utf-8"))["features"]
    return sorted({f["properties"]["opening_hours"] for f in features
                   if f["properties"].get("opening_hours")})


def test_every_opening_hours_string_of_the_niort_export_is_a_weekly_table() -> None:
    strings = niort_hours()
    assert len(strings) == 30
    for text in strings:
        reading = read_hours(text)
        assert reading.problem is None and reading.as_written is None, text
        assert reading.hours is not None and reading.hours.days, text


def test_a_later_day_rule_overrides_and_slashes_split_a_day() -> None:
    reading = read_hours("Mo-Sa 09:15-12:15 / 14:15-19:15, We 09:00-12:15 / 16:15-19:15")
    assert reading.hours is not None
    assert reading.hours.days["monday"] == [(555, 735), (855, 1155)]
    assert reading.hours.days["wednesday"] == [(540, 735), (975, 1155)]


@pytest.mark.parametrize(("text", "days", "holidays"), [
    # The issue's examples.
    ("10:00-12:00; PH closed", dict.fromkeys(DAYS, [(600, 720)]), []),
    ("Mo-Fr 09:00-12:00,14:00-18:30; Sa 09:00-12:00",
     {**dict.fromkeys(DAYS[:5], [(540, 720), (840, 1110)]), "saturday": [(540, 720)]}, None),
    ("Mo-Su", dict.fromkeys(DAYS, [ALL_DAY]), None),
    ("off", dict.fromkeys(DAYS, []), None),
    ("24/7", dict.fromkeys(DAYS, [ALL_DAY]), None),
    # Public holidays with hours of their own, and closed days the rules leave out.
    ("Mo-Fr 09:00-17:00; PH 10:00-12:00",
     {**dict.fromkeys(DAYS[:5], [(540, 1020)]), "saturday": [], "sunday": []}, [(600, 720)]),
    ("Mo-Fr 08:00-20:00; Sa 10:00-16:00; Su,PH off",
     {**dict.fromkeys(DAYS[:5], [(480, 1200)]), "saturday": [(600, 960)], "sunday": []}, []),
    # Past midnight: one interval, as the tolerant parser reads "22:00-02:00".
    ("Fr-Sa 22:00-03:00; PH off", {**dict.fromkeys(DAYS[:4], []), "friday": [(1320, 1620)],
                                   "saturday": [(1320, 1620)], "sunday": []}, []),
])
def test_osm_forms_become_a_weekly_table(text: str, days: dict[str, list[Interval]],
                                         holidays: list[Interval] | None) -> None:
    reading = read_hours(text)
    assert reading.problem is None
    assert reading.hours is not None and reading.hours.days == days
    assert reading.holidays == holidays


@pytest.mark.parametrize(("text", "problem"), [
    ("Mo-Fr 09:00-18:00; PH off; Dec 24 09:00-12:00",
     "opening hours 'Mo-Fr 09:00-18:00; PH off; Dec 24 09:00-12:00' change through the "
     "year (months, weeks or dates)"),
    ("Jan-Mar Mo-Fr 09:00-17:00", "opening hours 'Jan-Mar Mo-Fr 09:00-17:00' change through "
     "the year (months, weeks or dates)"),
    ("sunrise-sunset", "opening hours 'sunrise-sunset' depend on the sun, school holidays or "
     "an open end"),
    ("Mo-Fr 09:00+", "opening hours 'Mo-Fr 09:00+' depend on the sun, school holidays or an "
     "open end"),
    ("Mo-Fr 09:00-12:00; SH off", "opening hours 'Mo-Fr 09:00-12:00; SH off' depend on the "
     "sun, school holidays or an open end"),
    ('Tu-Fr 10:00-19:00 "fermé en août"', "opening hours 'Tu-Fr 10:00-19:00 \"fermé en "
     "août\"' carry a comment ('fermé en août')"),
    ("Mo unknown", "opening hours 'Mo unknown' leave some hours unknown"),
])
def test_what_no_weekly_table_holds_is_shown_as_written(text: str, problem: str) -> None:
    reading = read_hours(text)
    assert (reading.hours, reading.as_written, reading.problem, reading.hint) == \
        (None, text, problem, AS_WRITTEN_HINT)


def test_text_neither_parser_reads_keeps_the_tolerant_parsers_words() -> None:
    reading = read_hours("ask at the desk")
    assert reading.as_written == "ask at the desk" and reading.hours is None
    assert reading.problem == "hours 'ask at the desk' do not say which days"
    assert reading.hint == ("write hours like Mon-Fri 9am-5pm; Sat 10-14; Sun closed; shown "
                            "on the page as written")


# --- properties --------------------------------------------------------------------------------

minute_of_day = st.integers(0, 23 * 60 + 58)


@st.composite
def osm_week(draw: st.DrawFn) -> tuple[str, dict[str, list[Interval]]]:
    """OSM rules for some days (each a single day, one or two ranges) and the table they
    mean: days no rule names are closed."""
    chosen = draw(st.lists(st.sampled_from(range(7)), min_size=1, max_size=7, unique=True))
    rules, days = [], dict.fromkeys(DAYS, [])
    for index in sorted(chosen):
        starts = sorted(draw(st.lists(minute_of_day, min_size=2, max_size=4, unique=True)))
        pairs = [(starts[0], starts[1])] + ([(starts[2], starts[3])] if len(starts) == 4 else [])
        text = ",".join(f"{_hhmm(a)}-{_hhmm(b)}" for a, b in pairs)
        rules.append(f"{OSM_DAYS[index]} {text}")
        days[DAYS[index]] = pairs
    holiday = draw(st.sampled_from(["", "; PH off"]))
    return "; ".join(rules) + holiday, days


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


@settings(max_examples=60, deadline=None)
@given(osm_week())
def test_generated_osm_weeks_read_back_as_written(case: tuple[str, dict]) -> None:
    text, days = case
    reading = read_hours(text)
    assert reading.problem is None, text
    assert reading.hours is not None
    assert {day: reading.hours.days.get(day, []) for day in DAYS} == days
    assert reading.holidays == ([] if "PH" in text else None)


@settings(max_examples=150, deadline=None)
@given(st.one_of(st.text(max_size=60),
                 st.builds("{} {}".format, st.sampled_from(OSM_DAYS + ("PH", "Mo-Fr", "24/7")),
                           st.text(alphabet="0123456789:-,;+ /PHofunsrie\"", max_size=30))))
def test_any_text_is_a_table_or_shown_as_written_never_an_exception(text: str) -> None:
    reading = read_hours(text)
    if reading.hours is None:
        assert reading.as_written == text and reading.problem
    else:
        assert reading.as_written is None and reading.problem is None
        for intervals in reading.hours.days.values():
            assert all(0 <= a < b <= 2 * 24 * 60 for a, b in intervals)
