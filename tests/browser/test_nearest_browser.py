"""Searching for a town or postcode without a location: the nearest locations, in Chromium.

The example site (cafés in the US and Canada) is built for production and served on
127.0.0.1. Beaverton (a suburb of Portland, Oregon, with no café) and the ZIP code 97205
(downtown Portland, which no café uses) must list the Portland cafés first with their
distances; a radius with nothing in it falls back to the nearest ones with a notice;
"Springfield" offers its towns; the URL holds the query and the place; the place index is
fetched only when a query matches no location. The expected orders are computed here from
the built files (markers.json and places.json), as the browser reads them.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from support.browser import open_page
from support.markers import km, locations

from sitegen.data.postcodes import keys, rule

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]
SEARCH = "Name, city, postcode or service"
PORTLAND_ZIPS = ("97209", "97214", "97211", "97218")


@pytest.fixture
def page(browser: Any, example_url: str) -> Iterator[Any]:
    with open_page(browser, example_url) as tab:
        tab.place_requests = []  # type: ignore[attr-defined]
        tab.on("request", lambda request: tab.place_requests.append(request.url)
               if "places." in request.url else None)
        yield tab
        assert tab.js_errors == []


def index(site: Path) -> dict[str, Any]:
    return json.loads((site / "locations/places.json").read_text(encoding="utf-8"))


def town(site: Path, name: str, region: str) -> tuple[float, float]:
    data = index(site)
    found = [row for row in data["towns"] if row[0] == name and
             data["regions"][row[3]][1] == region]
    assert len(found) == 1, found
    return found[0][1], found[0][2]


def by_distance(site: Path, origin: tuple[float, float]) -> list[dict[str, Any]]:
    return sorted(locations(site), key=lambda loc: km(origin, (loc["lat"], loc["lng"])))


def away(origin: tuple[float, float], loc: dict[str, Any]) -> str:
    """A distance as locator.js shows it: one decimal under 10, whole numbers above."""
    value = km(origin, (loc["lat"], loc["lng"]))
    return f"{value:.1f} km away" if value < 10 else f"{round(value)} km away"


def shown(page: Any) -> list[str]:
    return page.locator("[data-results] li.result .result-name").all_text_contents()


def distances(page: Any) -> list[str]:
    return page.locator("[data-results] li.result .distance").all_text_contents()


def search(page: Any, text: str) -> None:
    box = page.get_by_label(SEARCH)
    box.fill(text)
    box.press("Enter")


def wait_count(page: Any, text: str) -> None:
    page.wait_for_function("t => document.querySelector('[data-result-count]').textContent === t",
                           arg=text, timeout=10_000)


def query(page: Any) -> dict[str, list[str]]:
    return parse_qs(urlsplit(page.url).query)


def test_a_town_without_a_location_lists_the_nearest_first(page: Any, example_url: str,
                                                          example_production: Path) -> None:
    beaverton = town(example_production, "Beaverton", "Oregon")
    nearest = by_distance(example_production, beaverton)
    page.goto(example_url + "/locations/map/")
    page.wait_for_selector("[data-results] li.result")
    search(page, "Portland")  # a city with locations: found directly, no place index
    wait_count(page, "4 locations found")
    page.wait_for_timeout(300)
    assert page.place_requests == []

    search(page, "Beaverton")
    wait_count(page, "64 locations, nearest to Beaverton, Oregon first")
    assert shown(page)[:5] == [loc["name"] for loc in nearest[:5]]
    assert all(loc["city"] == "Portland" for loc in nearest[:4])
    assert distances(page)[:5] == [away(beaverton, loc) for loc in nearest[:5]]
    assert sorted(urlsplit(url).path for url in page.place_requests) == \
        ["/_assets/js/places.js", "/locations/places.json"]
    assert query(page) == {"q": ["Beaverton"], "place": ["Beaverton, Oregon"]}


def test_a_postcode_no_location_uses_lists_that_citys_locations_first(
        page: Any, example_url: str, example_production: Path) -> None:
    portland = [loc for loc in locations(example_production) if loc["postcode"] in PORTLAND_ZIPS]
    assert len(portland) == 4 and not [loc for loc in locations(example_production)
                                       if loc["postcode"] == "97205"]
    # ZIP 97205 is unknown: its ZIP3 area, 972, is the mean of the cafés' 972xx ZIP codes.
    area = [loc for loc in locations(example_production) if loc["postcode"].startswith("972")]
    centre = (sum(loc["lat"] for loc in area) / len(area),
              sum(loc["lng"] for loc in area) / len(area))
    nearest = by_distance(example_production, centre)
    page.goto(example_url + "/locations/list/")
    page.wait_for_selector("[data-server-results] .open-badge:not([hidden])")
    search(page, "97205")
    wait_count(page, "64 locations, nearest to 97205 (approximate) first")
    names = page.locator("[data-js-results] li.result .result-name").all_text_contents()
    assert sorted(names[:4]) == sorted(loc["name"] for loc in portland)
    assert names[:10] == [loc["name"] for loc in nearest[:10]]
    first = page.locator("[data-js-results] li.result .distance").first.text_content()
    assert first == away(centre, nearest[0])
    assert query(page) == {"q": ["97205"], "place": ["97205 (approximate)"]}


def test_an_empty_radius_falls_back_to_the_nearest_with_a_notice(page: Any, example_url: str,
                                                                example_production: Path) -> None:
    beaverton = town(example_production, "Beaverton", "Oregon")
    nearest = by_distance(example_production, beaverton)
    assert km(beaverton, (nearest[0]["lat"], nearest[0]["lng"])) > 10  # nothing within 10 km
    page.goto(example_url + "/locations/map/?q=Beaverton&radius=10")
    wait_count(page, "No location within 10 km of Beaverton, Oregon; the nearest are:")
    assert shown(page) == [loc["name"] for loc in nearest[:5]]
    assert distances(page) == [away(beaverton, loc) for loc in nearest[:5]]
    assert page.get_by_label("Distance").input_value() == "10"

    page.get_by_label("Distance").select_option("25")
    within = [loc for loc in nearest if km(beaverton, (loc["lat"], loc["lng"])) <= 25]
    wait_count(page, f"{len(within)} locations within 25 km of Beaverton, Oregon")
    assert shown(page) == [loc["name"] for loc in within]
    assert query(page)["radius"] == ["25"]


def test_an_ambiguous_town_offers_choices_and_the_url_keeps_the_one_chosen(
        page: Any, example_url: str, example_production: Path) -> None:
    page.goto(example_url + "/locations/map/")
    page.wait_for_selector("[data-results] li.result")
    search(page, "Springfield")
    wait_count(page, "Several places match “Springfield”: which one do you mean?")
    choices = page.locator("[data-place-choices] button").all_text_contents()
    assert {"Springfield, Oregon", "Springfield, Missouri", "Springfield, Illinois",
            "Springfield, Massachusetts"} <= set(choices)
    assert choices[0] == "Springfield, Missouri"  # the largest first
    assert shown(page) == []

    page.get_by_role("button", name="Springfield, Oregon").click()
    springfield = town(example_production, "Springfield", "Oregon")
    nearest = by_distance(example_production, springfield)
    wait_count(page, "64 locations, nearest to Springfield, Oregon first")
    assert nearest[0]["city"] == "Eugene"
    assert shown(page)[:3] == [loc["name"] for loc in nearest[:3]]
    assert page.locator("[data-place-choices]").is_hidden()
    assert query(page) == {"q": ["Springfield"], "place": ["Springfield, Oregon"]}

    page.reload()  # the URL holds the state
    wait_count(page, "64 locations, nearest to Springfield, Oregon first")
    assert page.get_by_label(SEARCH).input_value() == "Springfield"
    assert shown(page)[:3] == [loc["name"] for loc in nearest[:3]]
    # "Springfield, OR" names the one meant at once.
    search(page, "Springfield, OR")
    wait_count(page, "64 locations, nearest to Springfield, Oregon first")


def test_the_place_index_is_small_and_loads_only_on_a_query_without_a_match(
        page: Any, example_url: str, example_production: Path) -> None:
    raw = (example_production / "locations/places.json").read_bytes()
    assert len(gzip.compress(raw, 9)) < 300 * 1024
    assert set(index(example_production)["countries"]) == {"US", "CA"}
    page.goto(example_url + "/locations/map/?q=Toronto")
    wait_count(page, "4 locations found")
    page.goto(example_url + "/")
    page.goto(example_url + "/locations/list/")
    page.wait_for_load_state("networkidle")
    assert page.place_requests == []
    page.goto(example_url + "/locations/cards/?q=Gresham")
    wait_count(page, "64 locations, nearest to Gresham, Oregon first")
    assert len(page.place_requests) == 2


def test_a_search_that_matches_nothing_says_so(page: Any, example_url: str) -> None:
    page.goto(example_url + "/locations/map/")
    page.wait_for_selector("[data-results] li.result")
    search(page, "Qwxzv")
    wait_count(page, "No locations match your search.")
    assert shown(page) == []


def test_without_javascript_the_finder_opens_the_list_view_and_says_how_to_search(
        browser: Any, example_url: str) -> None:
    with open_page(browser, example_url, java_script_enabled=False) as page:
        page.goto(example_url + "/")
        page.get_by_label("Find a location near you").fill("Beaverton")
        page.get_by_role("button", name="Search").click()
        # The list page loaded (the old page's load state would answer at once).
        page.wait_for_url(lambda url: urlsplit(url).path == "/locations/list/")
        assert urlsplit(page.url).path == "/locations/list/"
        assert query(page) == {"q": ["Beaverton"]}
        note = page.locator(".noscript-note")
        assert note.is_visible()
        assert note.text_content().startswith(
            "Searching by town or postcode needs JavaScript, which is off in this browser.")
        assert note.get_by_role("link").get_attribute("href") == "/locations/"


SPY = """
window.sent = [];
window.plausible = function (name, options) { window.sent.push([name, options.props]); };
Object.defineProperty(window, "plausible", { writable: false, value: window.plausible });
"""


def test_searches_without_a_location_are_analytics_events_without_the_query(
        browser: Any, example_url: str) -> None:
    with open_page(browser, example_url) as page:
        page.add_init_script(SPY)
        page.goto(example_url + "/locations/map/")
        page.wait_for_selector("[data-results] li.result")
        search(page, "Beaverton")
        wait_count(page, "64 locations, nearest to Beaverton, Oregon first")
        page.get_by_label("Distance").select_option("10")
        wait_count(page, "No location within 10 km of Beaverton, Oregon; the nearest are:")
        search(page, "Qwxzv 12 Elm Street")
        wait_count(page, "No locations match your search.")
        search(page, "Portland")  # found directly: not an event
        wait_count(page, "4 locations found")
        sent = page.evaluate("window.sent")
    assert sent == [
        ["Search", {"outcome": "nearest", "place": "Beaverton, Oregon", "radius": ""}],
        ["Search", {"outcome": "radius", "place": "Beaverton, Oregon", "radius": "10"}],
        ["Search", {"outcome": "none", "place": "", "radius": "10"}],
    ]


SAMPLES = ["M14 5AB", "m145ab", "EC1A 1BB", "M1", "BL3", "M", "W1A 0AX", "97205", "97205-1234",
           "972", "9720", "M5V 2T6", "m5v", "K1N", "79000", "1234", "12", "<script>",
           "Springfield", "", "٩٧٢٠٥", "M14 5AB 🏥", "../", "javascript:alert(1)"]


def test_the_browser_finds_postcodes_by_the_builds_keys(page: Any, example_url: str) -> None:
    page.goto(example_url + "/locations/map/?q=Beaverton")
    wait_count(page, "64 locations, nearest to Beaverton, Oregon first")
    for country in ("GB", "US", "CA", "FR"):
        shown = page.evaluate("([r, s]) => s.map(t => LocatorPlaces.postcodeKeys(r, t))",
                              [rule(country), SAMPLES])
        assert shown == [keys(country, text) for text in SAMPLES], country
