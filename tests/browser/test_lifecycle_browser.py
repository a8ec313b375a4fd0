"""Issue 26 in Chromium: the open-now badge of a location that is temporarily closed or
coming soon, on both sides of its status_date with a fixed clock, and the HTML stub at an
old URL, followed by the browser from a plain static server (no redirect rules)."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from support.browser import open_page, serve
from support.lifecycle import HAYES, JANUARY, KIOSK, MISSION, NORTH_BEACH, SF, status_site
from support.sites import build

pytestmark = pytest.mark.browser

OLD_MISSION = SF + "mission-old-name/"  # a URL the ledger knows from before a rename
STATUSES = {
    "JO-SF-001": {"Status": "temporarily_closed", "Status Date": "2027-02-01"},
    "JO-SF-004": {"Status": "coming_soon", "Status Date": "2027-03-15"},
    "JO-SF-003": {"Status": "closed"},
}
PACIFIC = datetime.timezone(datetime.timedelta(hours=-8))


def at(day: str, hour: int) -> datetime.datetime:
    """A moment in San Francisco's winter time."""
    return datetime.datetime.fromisoformat(day).replace(hour=hour, tzinfo=PACIFIC)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Built on 15 January 2027: Hayes Valley closed until 1 February, the kiosk opening on
    Monday 15 March, North Beach closed, and Mission once published at another URL."""
    source = status_site(tmp_path_factory.mktemp("lifecycle-browser") / "site", STATUSES)
    ledger = source / "locations" / "redirects.yaml"
    ledger.write_text(ledger.read_text(encoding="utf-8").replace(
        '  "JO-SF-002":\n', f'  "JO-SF-002":\n  - {OLD_MISSION}\n'), encoding="utf-8")
    assert OLD_MISSION in ledger.read_text(encoding="utf-8")
    build(source, env={"SOURCE_DATE_EPOCH": JANUARY})
    return source / "dist" / "production"


@pytest.fixture(scope="module")
def base_url(site: Path) -> Iterator[str]:
    with serve(site) as url:  # a plain static server: no redirect rules
        yield url


def badge_at(browser: Any, base_url: str, path: str, moment: datetime.datetime
             ) -> tuple[str, str, bool]:
    """The badge's text, its classes, and whether the status banner shows, at `moment`."""
    with open_page(browser, base_url) as page:
        page.clock.set_fixed_time(moment)
        page.goto(base_url + path)
        badge = page.locator("[data-open-status]")
        badge.wait_for(state="visible")
        banner = page.locator("[data-status-banner]")
        shown = banner.count() == 1 and banner.is_visible()
        result = (" ".join(badge.inner_text().split()), badge.get_attribute("class") or "",
                  shown)
        assert page.js_errors == []
        return result


def test_temporarily_closed_badge_before_and_after_the_reopening_date(browser: Any,
                                                                     base_url: str) -> None:
    text, classes, banner = badge_at(browser, base_url, HAYES, at("2027-01-26", 12))
    assert text == "Temporarily closed · Reopens 1 February"
    assert "closed" in classes.split() and "open" not in classes.split() and banner
    text, classes, banner = badge_at(browser, base_url, HAYES, at("2027-02-02", 12))
    assert text == "Open now · Closes at 6:00 PM"
    assert "open" in classes.split() and not banner


def test_coming_soon_badge_before_and_after_the_opening_date(browser: Any,
                                                            base_url: str) -> None:
    text, classes, banner = badge_at(browser, base_url, KIOSK, at("2027-03-14", 8))
    assert text == "Coming soon · Opens 15 March"
    assert "soon" in classes.split() and "open" not in classes.split() and banner
    text, classes, banner = badge_at(browser, base_url, KIOSK, at("2027-03-15", 8))
    assert text == "Open now · Closes at 10:30 AM"  # 9:00 daylight time
    assert "open" in classes.split() and not banner


def test_list_view_shows_each_status_badge(browser: Any, base_url: str) -> None:
    with open_page(browser, base_url) as page:
        page.clock.set_fixed_time(at("2027-01-26", 12))
        page.goto(base_url + "/locations/list/")
        badges = {}
        for path in (HAYES, KIOSK):
            item = page.locator(f'[data-url="{path}"] .open-badge')
            item.wait_for(state="visible")
            badges[path] = " ".join(item.inner_text().split())
        assert badges == {HAYES: "Temporarily closed · Reopens 1 February",
                          KIOSK: "Coming soon · Opens 15 March"}
        assert page.locator(f'[data-url="{NORTH_BEACH}"]').count() == 0
        assert page.js_errors == []


@pytest.mark.parametrize(("old", "new"), [(OLD_MISSION, MISSION), (NORTH_BEACH, SF +
                                          "juniper-oak-coffee-mission/")])
def test_stub_at_an_old_url_takes_chromium_to_the_new_page(browser: Any, base_url: str,
                                                           old: str, new: str) -> None:
    with open_page(browser, base_url) as page:
        page.goto(base_url + old)
        page.wait_for_url(base_url + new)
        assert "page-location" in (page.locator("body").get_attribute("class") or "")
        assert page.js_errors == []
