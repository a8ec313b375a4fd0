"""Classic XSS payloads in the dataset, in Debian's Chromium: no dialog, no injected script.

Twenty payloads go into names, descriptions, cities and streets of a small site; the location
pages, the hubs, the home page and the map, list and card views (with a search, and a map popup
opened) are loaded. Every payload calls `alert()` or sets `window.pwned`; a dialog or the flag
would mean the payload ran.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from support.browser import open_page, serve
from support.sites import BASE_CONFIG, csv_text, generated_rows, make_site

from sitegen.builder.pipeline import build
from sitegen.builder.run import BuildOptions

pytestmark = pytest.mark.browser

PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    "\"><script>window.pwned=1;alert(1)</script>",
    "'><img src=x onerror=window.pwned=1>",
    "javascript:alert(1)",
    "</script><script>alert(1)</script>",
    "<iframe src=\"javascript:alert(1)\"></iframe>",
    "[click](javascript:alert(1))",
    "<a href=\"jav&#x09;ascript:alert(1)\">x</a>",
    "<details open ontoggle=alert(1)>",
    "<body onload=alert(1)>",
    "{{constructor.constructor('alert(1)')()}}",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<object data=\"javascript:alert(1)\"></object>",
    "<input autofocus onfocus=alert(1)>",
    "--></script><script>alert(1)</script><!--",
    "\u2028alert(1)//",
    "<marquee onstart=alert(1)>x</marquee>",
    "';alert(1);//\";alert(1);//",
]


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, list[str]]]:
    root = tmp_path_factory.mktemp("xss")
    rows = generated_rows(len(PAYLOADS))
    for n, row in enumerate(rows):
        row["name"] = f"Shop {n} {PAYLOADS[n]}"
        row["description"] = PAYLOADS[(n + 1) % len(PAYLOADS)] + "\n\n" + PAYLOADS[n]
        row["city"] = f"{PAYLOADS[(n + 2) % len(PAYLOADS)]} {n % 3}"
        row["street"] = f"{n} {PAYLOADS[(n + 3) % len(PAYLOADS)]}"
        row["categories"] = PAYLOADS[(n + 4) % len(PAYLOADS)].replace(",", " ")
    site = make_site(root / "site", {"config/base.yaml": BASE_CONFIG,
                                     "locations/locations.csv": csv_text(rows)})
    out = root / "out"
    build(BuildOptions(site, "production", out=out, environ={}, jobs=1))
    pages = ["/", "/locations/", "/locations/map/", "/locations/list/", "/locations/cards/",
             "/locations/map/?q=shop", "/locations/list/?q=shop", "/locations/cards/?q=shop"]
    pages += sorted("/" + p.parent.relative_to(out).as_posix() + "/"
                    for p in out.glob("locations/*/*/index.html"))[:3]
    pages += sorted("/" + p.parent.relative_to(out).as_posix() + "/"
                    for p in out.glob("locations/*/*/*/index.html"))[:4]
    with serve(out) as base:
        yield base, pages


def watch(page: Any) -> list[str]:
    dialogs: list[str] = []

    def on_dialog(dialog: Any) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    return dialogs


def test_no_payload_runs_on_any_page(browser: Any, served: tuple[str, list[str]]) -> None:
    base, pages = served
    assert len(pages) >= 14, pages
    with open_page(browser, base) as page:
        dialogs = watch(page)
        for path in pages:
            page.goto(base + path)
            page.wait_for_load_state("load")
            page.wait_for_timeout(150)  # deferred scripts and autofocus handlers
            assert page.evaluate("() => window.pwned") is None, path
            assert page.locator("body script:not([src]):not([type])").count() <= (
                1 if path.startswith("/locations/map/") else 0), path
        assert dialogs == []


def test_map_popups_and_search_results_stay_text(browser: Any,
                                                 served: tuple[str, list[str]]) -> None:
    base, _ = served
    with open_page(browser, base) as page:
        dialogs = watch(page)
        page.goto(base + "/locations/map/?q=shop")
        page.wait_for_function("() => document.querySelector('[data-result-count]')"
                               ".textContent.endsWith('found')")
        buttons = page.locator("button.show-on-map")
        assert buttons.count() >= 2
        for index in (0, 1):
            buttons.nth(index).click()
            popup = page.locator(".leaflet-popup-content").last
            popup.wait_for()
            assert "Shop" in popup.text_content()
            assert popup.locator("img, script, iframe, svg, object").count() == 0
        page.fill("#locator-q", "onerror")
        page.wait_for_timeout(300)
        page.goto(base + "/locations/list/?q=" + "%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E")
        page.wait_for_load_state("load")
        page.wait_for_timeout(300)
        assert page.evaluate("() => window.pwned") is None
        assert dialogs == []
        assert page.js_errors == []
