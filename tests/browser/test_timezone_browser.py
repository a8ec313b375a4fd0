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
