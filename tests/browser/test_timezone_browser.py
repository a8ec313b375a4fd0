"""Open now in the location's own time zone when the dataset has no time-zone column: the
zone comes from the coordinates (data/coordinates.py), so a visitor in London sees a
Vancouver café as it is in Vancouver."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from support.browser import open_page, serve
from support.sites import build, generated_rows, small_site

CAFE = "/locations/bc/vancouver/gastown-cafe/"


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    row = {**generated_rows(1)[0], "id": "van-1", "name": "Gastown Cafe",
           "street": "1 Water Street", "city": "Vancouver", "region": "BC",
           "postal_code": "V6B 1A1", "country": "CA", "lat": "49.2844", "lng": "-123.1089",
           "phone": "", "hours": "Mo-Su 07:00-15:00"}
    assert "timezone" not in row
    site = small_site(tmp_path_factory.mktemp("tz") / "site", [row])
    build(site)
    page = (site / "dist" / "production" / CAFE.strip("/") / "index.html").read_text()
    assert 'data-timezone="America/Vancouver"' in page
    with serve(site / "dist" / "production") as url:
        yield url


@pytest.mark.parametrize(("now", "expected", "state"), [
    # 08:00 in Vancouver is 16:00 in London: open, though the visitor's clock is past 15:00.
    ("2026-06-17T08:00:00-07:00", "Open now · Closes at 15:00", "open"),
    # 09:00 in London is 01:00 in Vancouver: closed, though 09:00 is inside 07:00-15:00.
    ("2026-06-17T09:00:00+01:00", "Closed · Opens at 07:00", "closed"),
])
def test_a_london_visitor_sees_vancouver_hours_in_vancouver_time(
        browser: Any, base_url: str, now: str, expected: str, state: str) -> None:
    with open_page(browser, base_url, timezone_id="Europe/London") as page:
        page.clock.set_fixed_time(now)
        page.goto(base_url + CAFE)
        assert page.evaluate("Intl.DateTimeFormat().resolvedOptions().timeZone") == \
            "Europe/London"
        badge = page.locator("[data-open-status]")
        badge.wait_for(state="visible")
        assert badge.text_content() == expected
        assert state in badge.get_attribute("class").split()
        assert page.js_errors == []



@pytest.mark.parametrize(("now", "expected"), [
    ("2026-06-17T08:00:00-07:00", "Open now · Closes at 15:00"),
    ("2026-06-17T09:00:00+01:00", "Closed · Opens at 07:00"),
])
def test_the_list_view_tells_vancouver_time_for_a_london_visitor(
        browser: Any, base_url: str, now: str, expected: str) -> None:
    with open_page(browser, base_url, timezone_id="Europe/London") as page:
        page.clock.set_fixed_time(now)
        page.goto(base_url + "/locations/list/")
        badge = page.locator(".open-badge:not([hidden])").first
        badge.wait_for(state="visible")
        assert badge.text_content() == expected
        assert page.js_errors == []


ZONED_AGREES = """() => {
    const intl = (date, zone) => {
        const parts = {};
        new Intl.DateTimeFormat("en-US", {timeZone: zone, year: "numeric", month: "2-digit",
            day: "2-digit", weekday: "short", hour: "2-digit", minute: "2-digit",
            hourCycle: "h23"}).formatToParts(date).forEach(p => { parts[p.type] = p.value; });
        return {year: +parts.year, month: +parts.month, day: +parts.day,
            weekday: ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"].indexOf(parts.weekday),
            minutes: (+parts.hour % 24) * 60 + (+parts.minute)};
    };
    const starts = ["2026-03-07T00:00Z", "2026-10-31T00:00Z", "2026-12-30T00:00Z"];
    const zones = ["America/Vancouver", "America/New_York", "Europe/London", "Asia/Kolkata",
                   "Australia/Lord_Howe", "Pacific/Chatham", "Europe/London", undefined];
    const wrong = [];
    let compared = 0;
    for (const zone of zones) {
        for (const start of starts) {
            for (let minutes = 0; minutes < 4 * 1440; minutes += 30) {
                const date = new Date(Date.parse(start) + minutes * 60000);
                const a = JSON.stringify(Locator.zoned(date, zone));
                const b = JSON.stringify(intl(date, zone));
                compared++;
                if (a !== b) { wrong.push([zone, date.toISOString(), a, b]); }
            }
        }
    }
    const unknown = new Date("2026-06-17T12:00:00Z");
    return {temporal: typeof Temporal !== "undefined", compared, wrong: wrong.slice(0, 5),
            unknownZone: JSON.stringify(Locator.zoned(unknown, "Nowhere/Atlantis")) ===
                JSON.stringify(intl(unknown, undefined))};
}"""


def test_the_time_in_a_zone_is_the_one_intl_gives(browser: Any, base_url: str) -> None:
    # locator.js reads the time in a zone with Temporal (no Intl set-up while the page loads):
    # the same date and minute as Intl every half hour of four days around the changes of
    # the clocks, with no zone (the visitor's clock), and for an unknown zone (the visitor's
    # clock, as Intl's fallback gives).
    with open_page(browser, base_url, timezone_id="Europe/London") as page:
        page.goto(base_url + "/locations/list/")
        page.wait_for_function("window.Locator")
        result = page.evaluate(ZONED_AGREES)
        assert result["temporal"]  # Debian's Chromium has it: the fast path is the one tested
        assert result["compared"] == 8 * 3 * 192
        assert result["wrong"] == []
        assert result["unknownZone"]
        assert page.js_errors == []
