"""The Map, List, Card and Detail views in a real browser (Debian's Chromium via Playwright).

The example site is built into a temporary folder and served by `http.server` on 127.0.0.1.
Requests to any other host (map tiles, analytics) are aborted, as they would fail offline.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from support.browser import open_page, serve
from support.markers import km, locations

from sitegen.builder.pipeline import build
from sitegen.builder.run import BuildOptions

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]
HAYES = "/locations/us/ca/san-francisco/juniper-oak-coffee-hayes-valley/"
PORTLAND = (45.5231, -122.6765)  # Pioneer Courthouse Square


@pytest.fixture
def page(browser: Any, example_url: str) -> Iterator[Any]:
    with open_page(browser, example_url) as tab:
        yield tab
        assert tab.js_errors == []


# --- the data, read as the browser reads it --------------------------------------------------

def _normalize(text: str) -> str:
    text = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
    return " ".join(re.sub(r"[\W_]+", " ", text.lower()).split())


def matching(site: Path, query: str) -> list[dict[str, Any]]:
    words = _normalize(query).split()
    found = []
    for loc in locations(site):
        hay = _normalize(" ".join([loc["name"], loc["street"], loc["city"], loc["region"],
                                   loc["group"], loc["country"], loc["postcode"],
                                   loc["postcode"].replace(" ", ""), *loc["categories"]]))
        if all(word in hay for word in words):
            found.append(loc)
    return found


# --- helpers ---------------------------------------------------------------------------------

COUNT_ON_MAP = """() => {
    // Single markers plus the numbers on the clusters; icons fading out (opacity 0) after a
    // zoom are on their way out and not counted.
    const pane = document.querySelector('.leaflet-marker-pane');
    if (!pane) return -1;
    let n = 0;
    pane.querySelectorAll('.leaflet-marker-icon').forEach(icon => {
        if (icon.style.opacity === '0') return;
        n += icon.classList.contains('marker-cluster') ? Number(icon.textContent) : 1;
    });
    return n;
}"""


def on_map(page: Any) -> int:
    """How many locations the map shows, as markers or in clusters."""
    return page.evaluate(COUNT_ON_MAP)


def wait_on_map(page: Any, expected: int) -> None:
    page.wait_for_function(f"expected => ({COUNT_ON_MAP})() === expected", arg=expected,
                           timeout=10_000)
    page.wait_for_timeout(500)  # let zoom and cluster animations settle, then count again
    assert on_map(page) == expected


def show_all(page: Any) -> None:
    more = page.locator("[data-show-more]")
    while more.is_visible():
        more.click()


def names(page: Any, selector: str) -> list[str]:
    return [" ".join(t.split()) for t in page.locator(selector).all_text_contents()]


# --- Map Search ------------------------------------------------------------------------------

def test_map_shows_every_location_as_markers_or_clusters(page: Any, example_url: str,
                                                         example_production: Path) -> None:
    total = len(locations(example_production))
    page.goto(example_url + "/locations/map/")
    wait_on_map(page, total)
    assert page.locator("[data-result-count]").text_content() == f"{total} locations"
    show_all(page)
    assert page.locator("[data-results] li.result").count() == total


def test_search_filters_list_and_markers_and_lives_in_the_url(page: Any, example_url: str,
                                                              example_production: Path) -> None:
    expected = matching(example_production, "Portland")
    assert 3 <= len(expected) < 64
    page.goto(example_url + "/locations/map/")
    wait_on_map(page, 64)
    page.get_by_label("Name, city, postcode or service").fill("Portland")
    page.wait_for_function("n => document.querySelectorAll('[data-results] li').length === n",
                           arg=len(expected))
    assert names(page, "[data-results] .result-name") == [loc["name"] for loc in expected]
    wait_on_map(page, len(expected))
    count = page.locator("[data-result-count]")
    assert count.text_content() == f"{len(expected)} locations found"
    assert count.get_attribute("role") == "status"
    assert page.url.endswith("/locations/map/?q=Portland")

    page.reload()
    assert page.get_by_label("Name, city, postcode or service").input_value() == "Portland"
    page.wait_for_function("n => document.querySelectorAll('[data-results] li').length === n",
                           arg=len(expected))
    wait_on_map(page, len(expected))

    # A category narrows it further, and joins the query in the URL.
    page.get_by_label("Category").select_option("Outdoor seating")
    both = [loc for loc in expected if "Outdoor seating" in loc["categories"]]
    page.wait_for_function("n => document.querySelectorAll('[data-results] li').length === n",
                           arg=len(both))
    assert "category=Outdoor+seating" in page.url and "q=Portland" in page.url
    wait_on_map(page, len(both))


def test_a_shared_search_link_opens_filtered(page: Any, example_url: str,
                                             example_production: Path) -> None:
    expected = matching(example_production, "toronto")
    page.goto(example_url + "/locations/list/?q=toronto&category=Caf%C3%A9")
    cafes = [loc for loc in expected if "Café" in loc["categories"]]
    page.wait_for_function("n => document.querySelectorAll('[data-js-results] li').length === n",
                           arg=len(cafes))
    assert page.get_by_label("Category").input_value() == "Café"
    assert names(page, "[data-js-results] .result-name") == [loc["name"] for loc in cafes]


def test_my_location_sorts_by_distance(browser: Any, example_url: str,
                                       example_production: Path) -> None:
    nearest = sorted(locations(example_production),
                     key=lambda loc: km(PORTLAND, (loc["lat"], loc["lng"])))
    with open_page(browser, example_url, permissions=["geolocation"],
                   geolocation={"latitude": PORTLAND[0], "longitude": PORTLAND[1]}) as page:
        page.goto(example_url + "/locations/map/")
        wait_on_map(page, 64)
        page.get_by_role("button", name="Use my location").click()
        page.wait_for_function("() => document.querySelector('[data-results] .distance')")
        first = page.locator("[data-results] li.result").first
        assert first.locator(".result-name").text_content() == nearest[0]["name"]
        shown = first.locator(".distance").text_content()
        assert shown == f"{km(PORTLAND, (nearest[0]['lat'], nearest[0]['lng'])):.1f} km away"
        assert names(page, "[data-results] .result-name")[:10] == \
            [loc["name"] for loc in nearest[:10]]
        assert page.get_by_label("Sort by").input_value() == "distance"

        page.get_by_label("Distance").select_option("25")
        within = [loc for loc in nearest if km(PORTLAND, (loc["lat"], loc["lng"])) <= 25]
        page.wait_for_function(
            "n => document.querySelectorAll('[data-results] li').length === n", arg=len(within))
        assert "radius=25" in page.url
        wait_on_map(page, len(within))
        assert page.js_errors == []


def test_list_view_is_grouped_and_sortable_by_name(page: Any, example_url: str,
                                                   example_production: Path) -> None:
    page.goto(example_url + "/locations/list/")
    page.wait_for_selector("[data-server-results] .open-badge:not([hidden])")
    assert names(page, ".region-group h2")[0] == "British Columbia, Canada"
    page.get_by_label("Sort by").select_option("name")
    page.wait_for_selector("[data-js-results] li")
    show_all(page)
    shown = names(page, "[data-js-results] .result-name")
    assert len(shown) == 64
    assert shown == sorted(shown, key=str.casefold)
    assert "sort=name" in page.url


def test_list_pages_reach_every_location(page: Any, example_url: str,
                                         example_production: Path) -> None:
    seen: list[str] = []
    url = example_url + "/locations/list/"
    while url:
        page.goto(url)
        seen += page.locator("[data-server-results] li.result").evaluate_all(
            "items => items.map(li => li.dataset.url)")
        following = page.locator("a[rel=next]")
        url = example_url + following.get_attribute("href") if following.count() else ""
    assert sorted(seen) == sorted(loc["url"] for loc in locations(example_production))


def test_card_view_shows_every_location(page: Any, example_url: str,
                                        example_production: Path) -> None:
    page.goto(example_url + "/locations/cards/?sort=name")
    page.wait_for_selector("[data-js-results] li.card")
    show_all(page)
    cards = page.locator("[data-js-results] li.card")
    assert cards.count() == len(locations(example_production))
    hayes = cards.filter(has_text="Hayes Valley")
    assert hayes.locator("img.card-image").get_attribute("src") == \
        "/images/stores/jo-sf-001.jpg"
    assert hayes.get_by_role("link", name="Call (415) 555-0142").get_attribute("href") == \
        "tel:+14155550142"
    assert hayes.locator(".open-badge").is_visible()


def test_pages_work_without_javascript(browser: Any, example_url: str,
                                       example_production: Path) -> None:
    with open_page(browser, example_url, java_script_enabled=False) as page:
        page.goto(example_url + "/locations/map/")
        links = page.locator("[data-results] li.result a.result-name")
        assert links.count() == len(locations(example_production))
        assert page.locator("[data-locator-form]").is_hidden()
        page.goto(example_url + "/locations/cards/")
        assert page.locator("li.card").count() == 50
        page.get_by_role("link", name="Next page").click()
        page.wait_for_url("**/locations/cards/page/2/")  # loaded, not only committed
        assert page.locator("li.card").count() == len(locations(example_production)) - 50


# --- Detail View -----------------------------------------------------------------------------

def test_detail_map_has_one_marker(page: Any, example_url: str) -> None:
    page.goto(example_url + HAYES)
    page.locator("#location-map").scroll_into_view_if_needed()  # it loads when in view
    page.wait_for_selector("#location-map .leaflet-marker-icon")
    assert page.locator("#location-map .leaflet-marker-icon").count() == 1
    assert page.locator("#location-map .leaflet-control-attribution").text_content() \
        .endswith("OpenStreetMap contributors")


@pytest.mark.parametrize(("now", "expected"), [
    # Hayes Valley: Mon-Fri 7am-6pm, Sat-Sun 8am-5pm; 24 Dec 7:00-14:00; 25 Dec closed.
    ("2026-06-17T10:30:00-07:00", "Open now · Closes at 6:00 PM"),        # a Wednesday
    ("2026-06-17T20:15:00-07:00", "Closed · Opens tomorrow at 7:00 AM"),
    ("2026-06-19T19:00:00-07:00", "Closed · Opens tomorrow at 8:00 AM"),  # Friday night
    ("2026-06-17T06:00:00-04:00", "Closed · Opens at 7:00 AM"),           # 3 am in SF
    ("2026-12-24T12:00:00-08:00", "Open now · Closes at 2:00 PM"),        # Christmas Eve
    ("2026-12-25T10:00:00-08:00", "Closed · Opens tomorrow at 8:00 AM"),  # holiday, a Friday
])
def test_open_now_badge_in_the_locations_time_zone(page: Any, example_url: str, now: str,
                                                   expected: str) -> None:
    page.clock.set_fixed_time(now)
    page.goto(example_url + HAYES)
    badge = page.locator("[data-open-status]")
    badge.wait_for(state="visible")
    assert badge.text_content() == expected
    state = "open" if expected.startswith("Open") else "closed"
    assert state in badge.get_attribute("class").split()


def test_the_same_badge_in_the_views(page: Any, example_url: str) -> None:
    page.clock.set_fixed_time("2026-12-25T10:00:00-08:00")
    page.goto(example_url + "/locations/list/?q=hayes+valley")
    item = page.locator("[data-js-results] li.result")
    item.first.wait_for()
    assert item.count() == 1
    assert item.locator(".open-badge").text_content() == "Closed · Opens tomorrow at 8:00 AM"


# --- hostile data ----------------------------------------------------------------------------

HOSTILE = '<script>window.pwned=1</script><img src=x onerror="window.pwned=1">'


def test_data_is_shown_as_text_never_as_markup(browser: Any, tmp_path: Path) -> None:
    source = tmp_path / "site"
    (source / "config").mkdir(parents=True)
    (source / "locations").mkdir()
    (source / "config/base.yaml").write_text(
        "base_url: https://www.example.com\nlocations:\n  source: locations/locations.csv\n",
        encoding="utf-8")
    with open(source / "locations/locations.csv", "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["id", "name", "street", "city", "region", "postal_code", "country",
                         "lat", "lng", "categories", "hours"])
        writer.writerow(["x1", f"Shop {HOSTILE}", "1 <b>Main</b> St", "Springfield", "IL",
                         "62701", "US", "39.8", "-89.64", HOSTILE.replace(",", " "),
                         "Mon-Fri 9am-5pm"])
        writer.writerow(["x2", "Plain Shop", "2 Main St", "Springfield", "IL", "62701", "US",
                         "39.81", "-89.65", "Store", ""])
    out = tmp_path / "out"
    build(BuildOptions(source, "production", out=out, environ={}))
    name = f"Shop {HOSTILE}"
    with serve(out) as base, open_page(browser, base) as page:
        for path in ("/locations/map/?q=shop", "/locations/list/?q=shop",
                     "/locations/cards/?q=shop"):
            page.goto(base + path)
            page.wait_for_function("() => document.querySelector('[data-result-count]')"
                                   ".textContent === '2 locations found'")
            assert page.evaluate("() => window.pwned") is None
            assert page.get_by_text(name, exact=True).filter(visible=True).count() == 1
        page.goto(base + "/locations/map/")
        marker = page.locator(".leaflet-marker-icon[title^='Shop']")
        marker.wait_for()
        marker.click()
        popup = page.locator(".leaflet-popup-content")
        popup.wait_for()
        assert popup.get_by_text(name, exact=True).count() == 1
        assert page.evaluate("() => window.pwned") is None
        assert page.js_errors == []
