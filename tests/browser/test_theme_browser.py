"""The theme in a real browser: layout at each width, the front door, photos, and pictures.

The example site is built once (production, and staging for the password page), served on
127.0.0.1 and opened in Debian's Chromium through Playwright; other hosts (map tiles,
analytics) are blocked. Layout is asserted with numbers (document height, overflow, where
the map is); every page type is also compared, at both widths, with a committed reference
picture (tests/visual/, tolerance in tests/support/visual.py). After an intended change of
the theme: `python bench/screenshots.py --update-references`.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from support.browser import open_page, serve
from support.visual import (
    HAYES,
    SHOTS,
    SIZES,
    Shot,
    assert_like_reference,
    capture,
    reduce,
)

from sitegen.builder.pipeline import build
from sitegen.builder.run import BuildOptions

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]
PASSWORD = "correct horse battery"
PAGE_TYPES = ["/", "/locations/", "/locations/us/ca/", "/locations/us/ca/san-francisco/",
              "/locations/map/", "/locations/list/", "/locations/cards/", HAYES, "/about/",
              "/contact/", "/404.html", "/thanks/"]
NEW_YORK = (40.7306, -73.9866)  # Union Square


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("theme-browser")
    build(BuildOptions(REPO, "production", out=root / "production", environ={}))
    build(BuildOptions(REPO, "staging", out=root / "staging",
                       environ={"SITEGEN_STAGING_PASSWORD": PASSWORD}))
    return root / "production", root / "staging"


@pytest.fixture(scope="module")
def base_url(sites: tuple[Path, Path]) -> Iterator[str]:
    with serve(sites[0]) as url:
        yield url


@pytest.fixture(scope="module")
def staging_url(sites: tuple[Path, Path]) -> Iterator[str]:
    with serve(sites[1]) as url:
        yield url


def tab(browser: Any, base: str, width: int, height: int = 900, **options: Any) -> Any:
    return open_page(browser, base, viewport={"width": width, "height": height}, **options)


# --- the Map view's layout -------------------------------------------------------------------

@pytest.mark.parametrize(("width", "height"), [SIZES["desktop"], SIZES["mobile"]])
def test_the_map_page_is_as_tall_as_its_content(browser: Any, base_url: str, width: int,
                                                height: int) -> None:
    with tab(browser, base_url, width, height) as page:
        page.goto(base_url + "/locations/map/")
        page.wait_for_selector(".leaflet-marker-icon")
        page.locator("[data-results] li").first.wait_for(state="attached")
        scroll, content = page.evaluate("""() => [document.documentElement.scrollHeight,
            document.querySelector('.site-footer').getBoundingClientRect().bottom + scrollY]""")
        assert abs(scroll - content) <= 0.05 * content, (scroll, content)
        assert page.js_errors == []


def test_the_map_is_in_the_first_screen_on_a_phone(browser: Any, base_url: str) -> None:
    width, height = SIZES["mobile"]
    with tab(browser, base_url, width, height) as page:
        page.goto(base_url + "/locations/map/")
        page.wait_for_selector(".map-panel .leaflet-marker-icon")
        box = page.locator(".map-panel").bounding_box()
        assert box["y"] >= 0 and box["height"] >= 300
        assert box["y"] + 300 <= height, box  # at least 300 px of map without scrolling
        # The list is one tap away, and the map comes back with another.
        results = page.locator(".results-panel")
        assert results.is_hidden()
        page.get_by_role("button", name="List", exact=True).click()
        assert results.is_visible() and page.locator(".map-panel").is_hidden()
        assert page.get_by_role("button", name="List", exact=True) \
            .get_attribute("aria-pressed") == "true"
        page.locator(".show-on-map").first.click()
        assert page.locator(".map-panel").is_visible() and results.is_hidden()
        page.wait_for_selector(".leaflet-popup")
        assert page.js_errors == []


def test_the_list_a_phone_hides_is_drawn_when_the_window_widens(browser: Any,
                                                              base_url: str) -> None:
    # A phone shows the map first and draws the list when it is shown (less work while the
    # page loads): a window that grows to two columns shows the full list beside the map.
    width, height = SIZES["mobile"]
    with tab(browser, base_url, width, height) as page:
        page.goto(base_url + "/locations/map/?category=Bakery")
        page.wait_for_selector(".map-panel .leaflet-marker-icon")
        assert page.locator(".results-panel").is_hidden()
        page.set_viewport_size({"width": 1366, "height": 900})
        items = page.locator("[data-results] li.result")
        items.first.locator(".show-on-map").wait_for()
        assert page.locator(".results-panel").is_visible()
        count = page.locator("[data-result-count]").text_content()
        assert count == f"{items.count()} locations found", count
        assert page.js_errors == []


@pytest.mark.parametrize("width", [320, 390, 768, 1024, 1366])
def test_filters_keep_their_labels_at_every_width(browser: Any, base_url: str,
                                                  width: int) -> None:
    with tab(browser, base_url, width, permissions=[]) as page:
        page.goto(base_url + "/locations/map/")
        page.wait_for_selector(".leaflet-marker-icon")
        button = page.locator("[data-filters-button]")
        if button.is_visible():
            button.click()
            assert button.get_attribute("aria-expanded") == "true"
        # The status line appears (location refused) without squeezing the filters.
        page.get_by_role("button", name="Use my location").click()
        page.wait_for_function("() => document.querySelector('[data-locate-status]')"
                               ".textContent.startsWith('Your location is not available')")
        cut = page.evaluate("""() => {
            const canvas = document.createElement('canvas').getContext('2d');
            const cut = [];
            document.querySelectorAll('.locator-search select').forEach(select => {
                const style = getComputedStyle(select);
                canvas.font = style.font;
                const room = select.clientWidth - parseFloat(style.paddingLeft)
                    - parseFloat(style.paddingRight) - 20;  // the arrow
                for (const option of select.options) {
                    if (canvas.measureText(option.text).width > room) cut.push(option.text);
                }
            });
            document.querySelectorAll('.locator-search label').forEach(label => {
                if (label.scrollWidth > label.clientWidth) cut.push(label.textContent);
            });
            return cut;
        }""")
        assert cut == []
        assert page.evaluate("document.documentElement.scrollWidth") <= width


# --- every page type -------------------------------------------------------------------------

@pytest.mark.parametrize("path", PAGE_TYPES)
def test_no_page_is_wider_than_a_small_phone(browser: Any, base_url: str, path: str) -> None:
    with tab(browser, base_url, 320, 640) as page:
        page.clock.set_fixed_time("2026-06-17T21:30:00-04:00")  # long "Closed · Opens..." text
        page.goto(base_url + path)
        page.wait_for_load_state("load")
        page.wait_for_timeout(300)
        assert page.evaluate("document.documentElement.scrollWidth") <= 320
        assert page.js_errors == []


def test_the_password_page_fits_a_small_phone(browser: Any, staging_url: str) -> None:
    with tab(browser, staging_url, 320, 640) as page:
        page.goto(staging_url + "/")  # the front page keeps its name under private paths
        assert page.locator(".prompt-brand").text_content() == "Juniper & Oak Coffee"
        assert page.evaluate("document.documentElement.scrollWidth") <= 320


def test_short_pages_keep_the_footer_at_the_bottom(browser: Any, base_url: str) -> None:
    with tab(browser, base_url, 1366, 1200) as page:
        page.goto(base_url + "/404.html")
        bottom = page.evaluate("document.querySelector('.site-footer')"
                               ".getBoundingClientRect().bottom")
        assert bottom == 1200
        assert page.evaluate("document.documentElement.scrollHeight") == 1200


def test_the_menu_button_opens_the_navigation_on_a_phone(browser: Any, base_url: str) -> None:
    with tab(browser, base_url, 390, 844) as page:
        page.goto(base_url + "/about/")
        nav = page.get_by_role("navigation", name="Main")
        button = page.get_by_role("button", name="Menu")
        assert nav.is_hidden() and button.get_attribute("aria-expanded") == "false"
        button.click()
        assert nav.is_visible() and button.get_attribute("aria-expanded") == "true"
        nav.get_by_role("link", name="Map").click()
        page.wait_for_url("**/locations/map/")
        page.get_by_role("button", name="Menu").click()
        page.keyboard.press("Escape")
        assert page.get_by_role("navigation", name="Main").is_hidden()
    with tab(browser, base_url, 1366) as page:
        page.goto(base_url + "/about/")
        assert page.get_by_role("navigation", name="Main").is_visible()
        assert page.get_by_role("button", name="Menu").is_hidden()


# --- the front door --------------------------------------------------------------------------

def test_the_home_search_reaches_the_list_view_without_javascript(browser: Any,
                                                                  base_url: str) -> None:
    with tab(browser, base_url, 390, 844, java_script_enabled=False) as page:
        page.goto(base_url + "/")
        page.get_by_label("Find a location near you").fill("Portland")
        page.get_by_role("button", name="Search").click()
        page.wait_for_url("**/locations/list/?q=Portland")
        assert page.locator("h1").text_content() == "All locations"
        assert page.locator("[data-server-results] li.result").count() == 50
        assert page.get_by_role("button", name="Use my location").count() == 0 or \
            page.get_by_role("button", name="Use my location").first.is_hidden()


def test_the_home_search_filters_the_list_with_javascript(browser: Any, base_url: str,
                                                          sites: tuple[Path, Path]) -> None:
    data = json.loads((sites[0] / "locations/markers.json").read_text(encoding="utf-8"))
    city = data["fields"].index("place")
    portland = [row for row in data["locs"] if data["places"][row[city]][1] == "Portland"]
    with tab(browser, base_url, 1366) as page:
        page.goto(base_url + "/")
        page.get_by_label("Find a location near you").fill("Portland")
        page.keyboard.press("Enter")
        page.wait_for_url("**/locations/list/?q=Portland")
        page.wait_for_function("n => document.querySelectorAll('[data-js-results] li.result')"
                               ".length === n", arg=len(portland))
        assert page.get_by_label("Name, city, postcode or service").input_value() == "Portland"
        assert page.js_errors == []


def nearest_to(site: Path, point: tuple[float, float]) -> str:
    data = json.loads((site / "locations/markers.json").read_text(encoding="utf-8"))
    lat, lng, name = (data["fields"].index(key) for key in ("lat", "lng", "name"))

    def km(row: list[Any]) -> float:
        (a, b), (c, d) = ((math.radians(x), math.radians(y))
                          for x, y in ((row[lat], row[lng]), point))
        h = math.sin((c - a) / 2) ** 2 + math.cos(a) * math.cos(c) * math.sin((d - b) / 2) ** 2
        return 2 * 6371.0088 * math.asin(math.sqrt(h))

    return min(data["locs"], key=km)[name]


def test_use_my_location_on_the_home_page_opens_the_nearest(browser: Any, base_url: str,
                                                            sites: tuple[Path, Path]) -> None:
    with tab(browser, base_url, 390, 844, permissions=["geolocation"],
             geolocation={"latitude": NEW_YORK[0], "longitude": NEW_YORK[1]}) as page:
        page.goto(base_url + "/")
        page.get_by_role("button", name="Use my location").click()
        page.wait_for_url("**/locations/map/?sort=distance")
        page.get_by_role("button", name="List", exact=True).click()
        first = page.locator("[data-results] li.result").first
        first.locator(".distance").wait_for()
        assert first.locator(".result-name").text_content() == nearest_to(sites[0], NEW_YORK)
        assert page.js_errors == []


def test_hubs_show_their_locations_on_a_map(browser: Any, base_url: str) -> None:
    with tab(browser, base_url, 1366) as page:
        page.goto(base_url + "/locations/us/ca/san-francisco/")
        page.wait_for_selector(".overview-map.is-ready")
        page.wait_for_timeout(500)
        shown = page.evaluate("""() => { let n = 0;
            document.querySelectorAll('.overview-map .leaflet-marker-icon').forEach(icon => {
                n += icon.classList.contains('marker-cluster') ? Number(icon.textContent) : 1; });
            return n; }""")
        assert shown == page.locator(".cards > li").count() == 4
        assert page.locator(".cards .open-badge:not([hidden])").count() == 4
        pin = page.locator(".overview-map .brand-marker").first
        if pin.count():  # the brand's colour (theme.colors.primary): deep green
            assert pin.evaluate("e => getComputedStyle(e).color") == "rgb(31, 77, 58)"


# --- the location page -----------------------------------------------------------------------

def test_a_location_shows_its_photo_in_modern_formats(browser: Any, base_url: str) -> None:
    with tab(browser, base_url, 390, 844) as page:
        page.goto(base_url + HAYES)
        photo = page.locator(".location-photo img")
        photo.wait_for()
        assert photo.get_attribute("width") == "1440" and photo.get_attribute("height") == "960"
        sources = page.locator(".location-photo source")
        assert [sources.nth(i).get_attribute("type") for i in range(sources.count())] == \
            ["image/avif", "image/webp"]
        srcset = sources.first.get_attribute("srcset")
        assert [entry.split()[1] for entry in srcset.split(", ")] == ["480w", "960w", "1440w"]
        page.wait_for_function("() => document.querySelector('.location-photo img').complete")
        current = photo.evaluate("img => [img.currentSrc, img.naturalWidth]")
        assert current[0].endswith("-480.avif") and current[1] > 0  # 390 px wide, 1x
        # What people look for first: open now, today's hours and the actions, at the top.
        assert page.locator("[data-open-status]").is_visible()
        assert page.locator("[data-today-hours]").text_content().startswith("Today: ")
        actions = page.locator(".location-summary .actions a")
        assert [a.locator(".action-label").text_content() for a in actions.all()] == \
            ["Call", "Directions", "Book", "Email"]
        call = page.get_by_role("link", name="Call (415) 555-0142", exact=True)
        assert call.get_attribute("data-cta") == "call" and call.is_visible()
        assert page.get_by_role("link", name="Directions to Juniper & Oak Coffee — Hayes "
                                "Valley").first.is_visible()
        page.locator("#location-map").scroll_into_view_if_needed()  # the map loads in view
        marker = page.locator("#location-map .brand-marker")
        marker.wait_for()
        assert marker.evaluate("e => getComputedStyle(e).color") == "rgb(31, 77, 58)"
        assert page.js_errors == []


def test_card_photos_below_the_fold_load_lazily(browser: Any, base_url: str) -> None:
    with tab(browser, base_url, 1366) as page:
        page.goto(base_url + "/locations/cards/")
        lazy = page.locator(".loc-card img.card-image")
        assert lazy.count() > 10
        assert {lazy.nth(i).get_attribute("loading") for i in range(lazy.count())} == {"lazy"}
        assert page.locator(".loc-card picture source[type='image/avif']").count() >= 1


# --- pictures --------------------------------------------------------------------------------

@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.parametrize("shot", SHOTS, ids=[s.name for s in SHOTS])
def test_every_page_type_looks_as_it_did(browser: Any, base_url: str, staging_url: str,
                                         shot: Shot, size: str, tmp_path: Path) -> None:
    host = staging_url if shot.staging else base_url
    width, height = SIZES[size]
    with tab(browser, host, width, height) as page:
        actual = reduce(capture(page, host, shot))
        assert page.js_errors == []
    assert_like_reference(actual, shot, size, tmp_path)


def test_the_consent_banner_wears_the_brand(browser: Any, tmp_path: Path) -> None:
    out = tmp_path / "consent"
    build(BuildOptions(REPO, "production", out=out,
                       environ={"SITEGEN_ANALYTICS__CONSENT": "true"}))
    with serve(out) as base, tab(browser, base, 390, 844) as page:
        page.goto(base + "/about/")
        banner = page.get_by_role("region", name="Cookie consent")
        banner.wait_for()
        accept = banner.get_by_role("button", name="Accept")
        decline = banner.get_by_role("button", name="Decline")
        assert accept.evaluate("b => getComputedStyle(b).backgroundColor") == "rgb(31, 77, 58)"
        assert decline.evaluate("b => getComputedStyle(b).color") == "rgb(31, 77, 58)"
        assert banner.evaluate("b => getComputedStyle(b).position") == "fixed"
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        decline.click()
        assert banner.count() == 0
