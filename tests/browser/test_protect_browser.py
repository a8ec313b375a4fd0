"""The encrypted staging build in a real browser (Debian's Chromium via Playwright).

The example site is built for staging (protection.mode: encrypt) into a temporary folder and
served by `http.server` on 127.0.0.1: the prompt, a wrong password, the right one, the map
with its markers (decrypted by sitegenFetchJSON), another page without asking again, the
share link (to the front page, and to a page by its production path), and a new browser
context that is locked again. The build has private paths (the default): pages are opened
by their private names, and show the production URL they preview.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from support.browser import open_page, serve
from support.envsites import ENV, PASSWORD, build_env, example_site, invoke, key_of

from sitegen.output.private import PathKey

pytestmark = pytest.mark.browser

HAYES = "/locations/us/ca/san-francisco/juniper-oak-coffee-hayes-valley/"
UNLOCK_TIMEOUT = 30_000  # PBKDF2 with 600,000 rounds, in a headless browser on a busy machine


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = example_site(tmp_path_factory.mktemp("protect-browser") / "site")
    build_env(root, "staging")
    return root


def private(site: Path, path: str) -> str:
    """Where the page of a production path is in the private build."""
    iterations = key_of(site / "dist" / "staging").iterations
    return PathKey.derive(PASSWORD, "staging", iterations).page_url(path)


@pytest.fixture(scope="module")
def base_url(site: Path) -> Iterator[str]:
    with serve(site / "dist" / "staging") as url:
        yield url


def _is_prompt(page: Any) -> bool:
    return page.locator("#sitegen-protected").count() == 1


def test_staging_asks_for_the_password_then_opens_the_whole_site(
        browser: Any, base_url: str, site: Path) -> None:
    with open_page(browser, base_url) as page:
        page.goto(base_url + "/")
        assert _is_prompt(page)
        assert page.title() == "Password required"
        assert page.get_by_role("heading", name="Password required").is_visible()
        field = page.get_by_label("Password", exact=True)
        assert field.is_visible()
        assert page.locator(".env-banner").inner_text().startswith("STAGING")
        assert page.locator('meta[name="robots"]').get_attribute("content") == \
            "noindex, nofollow"

        field.fill("not the password")
        page.get_by_role("button", name="Unlock").click()
        alert = page.get_by_role("alert")
        alert.filter(has_text="Wrong password").wait_for(timeout=UNLOCK_TIMEOUT)
        assert _is_prompt(page)
        assert field.get_attribute("aria-invalid") == "true"

        field.fill(PASSWORD)
        page.get_by_role("button", name="Unlock").click()
        page.wait_for_selector("body.page-home", timeout=UNLOCK_TIMEOUT)
        assert not _is_prompt(page)
        assert page.title() != "Password required"
        assert page.locator(".env-banner").inner_text().startswith("STAGING")
        assert page.locator('meta[name="robots"]').get_attribute("content") == \
            "noindex, nofollow"

        # The map: markers.json is encrypted; the locator decrypts it with the session key.
        page.goto(base_url + private(site, "/locations/map/"))
        page.wait_for_selector(".leaflet-marker-icon, .marker-cluster", timeout=UNLOCK_TIMEOUT)
        assert not _is_prompt(page)
        assert page.locator(".leaflet-marker-icon, .marker-cluster").count() > 0
        # A town without a location: the encrypted place index is decrypted the same way.
        page.get_by_label("Name, city, postcode or service").fill("Beaverton")
        page.get_by_label("Name, city, postcode or service").press("Enter")
        page.wait_for_function("() => / nearest to Beaverton, Oregon first$/.test("
                               "document.querySelector('[data-result-count]').textContent)",
                               timeout=UNLOCK_TIMEOUT)

        # Another page, straight away: no prompt this time. It shows the production URL it
        # previews, and its photo (encrypted like the pages) is decrypted into view.
        page.goto(base_url + private(site, HAYES))
        page.wait_for_selector("body.page-location", timeout=UNLOCK_TIMEOUT)
        assert "Hayes Valley" in page.locator("h1").inner_text()
        assert page.locator("[data-sitegen-production-url]").inner_text() == \
            "https://www.juniperoak.example" + HAYES
        photo = page.locator("img[src^='blob:']").first
        photo.wait_for(timeout=UNLOCK_TIMEOUT)
        page.wait_for_function("() => [...document.images].some("
                               "i => i.src.startsWith('blob:') && i.naturalWidth > 0)",
                               timeout=UNLOCK_TIMEOUT)
        # A link of the decrypted page leads to the next private page, which opens too.
        page.goto(base_url + private(site, "/locations/us/ca/san-francisco/"))
        page.wait_for_selector("body.page-hub", timeout=UNLOCK_TIMEOUT)
        page.locator(f"a[href='{private(site, HAYES)}']").first.click()
        page.wait_for_selector("body.page-location", timeout=UNLOCK_TIMEOUT)
        assert page.url == base_url + private(site, HAYES)
        assert page.js_errors == []

    # A new browser context has no session: locked again.
    with open_page(browser, base_url) as fresh:
        fresh.goto(base_url + private(site, HAYES))
        assert _is_prompt(fresh)
        fresh.get_by_label("Password", exact=True).wait_for()
        assert "Hayes" not in fresh.content()


def test_share_link_unlocks_without_typing(browser: Any, base_url: str, site: Path) -> None:
    result = invoke("share-link", "--env", "staging", "--source", site, "--base-url",
                    base_url, env=ENV)
    assert result.exit_code == 0, result.output
    link = result.output.strip()
    assert link.startswith(base_url + "/#token=")
    with open_page(browser, base_url) as page:
        page.goto(link)
        page.wait_for_selector("body.page-home", timeout=UNLOCK_TIMEOUT)
        assert "#token=" not in page.url  # the token leaves the address bar
        page.goto(base_url + private(site, HAYES))
        page.wait_for_selector("body.page-location", timeout=UNLOCK_TIMEOUT)
    with open_page(browser, base_url) as page:
        page.goto(base_url + "/#token=" + "A" * 43)
        page.get_by_role("alert").filter(has_text="does not open the current version").wait_for(
            timeout=UNLOCK_TIMEOUT)
        assert _is_prompt(page)


def test_share_link_opens_a_page_by_its_production_path(browser: Any, base_url: str,
                                                       site: Path) -> None:
    result = invoke("share-link", "--env", "staging", "--source", site, "--base-url",
                    base_url, HAYES, env=ENV)
    assert result.exit_code == 0, result.output
    link = result.output.strip()
    assert link.startswith(base_url + private(site, HAYES) + "#token=")
    assert "hayes" not in link.lower()
    with open_page(browser, base_url) as page:
        page.goto(link)
        page.wait_for_selector("body.page-location", timeout=UNLOCK_TIMEOUT)
        assert "Hayes Valley" in page.locator("h1").inner_text()
        assert page.locator("[data-sitegen-production-url]").inner_text() == \
            "https://www.juniperoak.example" + HAYES
        assert page.url == base_url + private(site, HAYES)
        assert page.js_errors == []
