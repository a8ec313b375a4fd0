"""The open-now badge reads "Closes at midnight" and "Open 24 hours", for hours written with
23:59 the way many datasets write midnight, in the location's time zone."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from support.browser import open_page, serve
from support.sites import csv_text, make_site, run_cli

CONFIG = """\
base_url: https://www.example.com
site:
  name: Pharmacies
  clock: 12h
locations:
  source: locations/locations.csv
  timezone: Europe/London
urls:
  location: /pharmacies/{slug}/
"""
ROWS = [
    {"id": "L1", "name": "Late Pharmacy", "street": "1 Deansgate", "city": "Manchester",
     "lat": "53.48", "lng": "-2.25", "hours": "Mo-Fr 08:00-23:59; Sa 00:00-23:59; Su closed"},
    {"id": "A1", "name": "Always Pharmacy", "street": "2 Deansgate", "city": "Manchester",
     "lat": "53.49", "lng": "-2.25", "hours": "Mo-Su 00:00-23:59"},
]


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    site = make_site(tmp_path_factory.mktemp("hours") / "site",
                     {"config/base.yaml": CONFIG, "locations/locations.csv": csv_text(ROWS)})
    built = run_cli("build", "--source", site)
    assert built.returncode == 0, str(built)
    with serve(site / "dist" / "production") as url:
        yield url


@pytest.mark.parametrize(("path", "now", "expected"), [
    ("/pharmacies/late-pharmacy/", "2026-06-17T22:30:00+01:00", "Open now · Closes at midnight"),
    ("/pharmacies/late-pharmacy/", "2026-06-19T23:58:00+01:00", "Open now · Closes tomorrow at "
     "midnight"),  # a Friday: Saturday is open all day, so it closes at the end of Saturday
    ("/pharmacies/late-pharmacy/", "2026-06-21T12:00:00+01:00", "Closed · Opens tomorrow at "
     "8:00 AM"),
    ("/pharmacies/always-pharmacy/", "2026-06-17T03:00:00+01:00", "Open 24 hours"),
])
def test_the_badge_says_midnight_and_open_24_hours(browser: Any, base_url: str, path: str,
                                                  now: str, expected: str) -> None:
    with open_page(browser, base_url) as page:
        page.clock.set_fixed_time(now)
        page.goto(base_url + path)
        badge = page.locator("[data-open-status]")
        badge.wait_for(state="visible")
        assert badge.text_content() == expected
        assert "23:59" not in page.locator("table.hours").text_content()
        assert page.js_errors == []


def test_the_hours_table_and_the_badge_agree(browser: Any, base_url: str) -> None:
    with open_page(browser, base_url) as page:
        page.clock.set_fixed_time("2026-06-17T10:00:00+01:00")
        page.goto(base_url + "/pharmacies/late-pharmacy/")
        rows = page.locator("table.hours tr")
        assert rows.nth(0).locator("td").text_content() == "8:00 AM – midnight"
        assert rows.nth(5).locator("td").text_content() == "Open 24 hours"
        assert page.locator("[data-open-status]").text_content() == \
            "Open now · Closes at midnight"
