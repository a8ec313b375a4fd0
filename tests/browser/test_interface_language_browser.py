"""The interface in the page's language with JavaScript on, in Chromium: on a French site the
open-now badge, the locator's filters, counts and badges and the lead form's validation
messages are French (the theme's own messages, not the browser's); a right-to-left page is
mirrored (geometry, and a screenshot compared with its reference)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from support.browser import launch, open_page, serve
from support.sites import copy_example, run_cli
from support.visual import (
    CLOCK,
    HAYES,
    RTL_ENVIRON,
    RTL_SHOT,
    SIZES,
    assert_like_reference,
    open_shot,
    reduce,
    screenshot,
)

pytestmark = pytest.mark.browser


def _built(root: Path, env: dict[str, str]) -> Path:
    site = copy_example(root / "site")
    out = root / "out"
    result = run_cli("build", "--source", site, "--out", out, env=env)
    assert result.returncode == 0, str(result)
    return out


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with launch() as instance:
        yield instance


@pytest.fixture(scope="module")
def french(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The example site in French, 24-hour clock (the locale's), lead forms live (a webhook
    no test reaches: validation stops every submission first)."""
    out = _built(tmp_path_factory.mktemp("fr"), {
        "SITEGEN_SITE__LANGUAGE": "fr", "SITEGEN_SITE__CLOCK": "24h",
        "SITEGEN_LEADS__WEBHOOK_URL": "https://hooks.example.com/never-reached"})
    with serve(out) as base:
        yield base


@pytest.fixture(scope="module")
def arabic(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    out = _built(tmp_path_factory.mktemp("ar"), RTL_ENVIRON)
    with serve(out) as base:
        yield base


def test_the_open_now_badge_reads_in_french(browser: Any, french: str) -> None:
    with open_page(browser, french) as page:
        page.clock.set_fixed_time(CLOCK)  # Wednesday 07:30 in San Francisco
        page.goto(french + HAYES)
        badge = page.locator("[data-open-status]")
        badge.wait_for(state="visible")
        assert badge.inner_text() == "Ouvert · Ferme à 18:00"
        today = page.locator("[data-today-hours]")
        assert today.inner_text() == "Aujourd’hui : 07:00 – 18:00"


def test_the_locators_filters_counts_and_badges_read_in_french(browser: Any,
                                                                french: str) -> None:
    with open_page(browser, french) as page:
        page.clock.set_fixed_time(CLOCK)
        page.goto(french + "/locations/list/")
        page.wait_for_selector(".open-badge:not([hidden])")
        form = page.locator("[data-locator-form]")
        assert form.is_visible()
        for label in ("Catégorie", "Distance", "Trier par"):
            assert page.get_by_label(label, exact=True).count() == 1, label
        assert page.locator("#locator-category option").first.inner_text() == \
            "Toutes les catégories"
        assert page.locator("#locator-radius option").nth(1).inner_text().startswith("À moins de")
        states = set(page.locator(".open-badge:not([hidden]) .badge-state").all_inner_texts())
        assert states and states <= {"Ouvert", "Fermé", "Ouverture prochaine",
                                     "Fermé temporairement"}, states
        page.select_option("#locator-category", "Bakery")
        count = page.locator("[data-result-count]")
        page.wait_for_function(
            "() => /trouvés$/.test(document.querySelector('[data-result-count]').textContent)")
        assert re.fullmatch(r"\d+ établissements? trouvés", count.inner_text()), \
            count.inner_text()
        page.fill("#locator-q", "zzzz qqqq")
        page.press("#locator-q", "Enter")
        page.wait_for_function(
            "() => /^Aucun/.test(document.querySelector('[data-result-count]').textContent)")
        assert count.inner_text() == "Aucun établissement ne correspond à votre recherche."


def test_the_lead_forms_validation_messages_are_french(browser: Any, french: str) -> None:
    with open_page(browser, french) as page:
        page.goto(french + HAYES)
        form = page.locator("form.lead-form")
        form.wait_for()
        page.wait_for_function("() => document.querySelector('form.lead-form').noValidate")
        page.fill("#lead-form-email", "pas une adresse")
        page.get_by_role("button", name="Envoyer le message").click()
        assert page.locator("#lead-form-name-error").inner_text() == "Saisissez votre nom."
        assert page.locator("#lead-form-email-error").inner_text() == \
            "Saisissez une adresse e-mail comme nom@exemple.fr."
        assert page.locator("#lead-form-message-error").inner_text() == \
            "Saisissez votre message."
        consent = page.locator("#lead-form-consent-error")
        if consent.count():
            assert consent.inner_text() == \
                "Cochez la case pour donner votre accord, afin que nous puissions vous répondre."
        # The theme's messages, not the browser's bubble: the field is marked, focus moved.
        assert page.evaluate("document.activeElement.id") == "lead-form-name"
        assert page.get_attribute("#lead-form-name", "aria-invalid") == "true"


def test_a_right_to_left_page_is_mirrored(browser: Any, arabic: str) -> None:
    with open_page(browser, arabic) as page:
        open_shot(page, arabic, RTL_SHOT)
        assert page.evaluate("document.documentElement.dir") == "rtl"
        width = page.evaluate("innerWidth")
        brand = page.locator(".site-header .brand").bounding_box()
        assert brand and brand["x"] > width / 2, "the brand starts on the right"
        crumbs = page.locator(".breadcrumbs li").first.bounding_box()
        last = page.locator(".breadcrumbs li").last.bounding_box()
        assert crumbs and last and crumbs["x"] > last["x"], "breadcrumbs run right to left"
        cell = page.locator("table.hours th").first
        assert cell.evaluate("th => getComputedStyle(th).textAlign") in {"start", "right"}
        day = cell.bounding_box()
        hours = page.locator("table.hours td").first.bounding_box()
        assert day and hours and day["x"] > hours["x"], "the day is right of its hours"
        icon = page.locator(".actions .icon-directions").first
        assert icon.evaluate("i => getComputedStyle(i).transform") != "none"


@pytest.mark.parametrize("size", sorted(SIZES))
def test_the_right_to_left_page_matches_its_reference(browser: Any, arabic: str, size: str,
                                                      tmp_path: Path) -> None:
    width, height = SIZES[size]
    with open_page(browser, arabic, viewport={"width": width, "height": height}) as page:
        open_shot(page, arabic, RTL_SHOT)
        actual = reduce(screenshot(page, masked=True))
    assert_like_reference(actual, RTL_SHOT, size, tmp_path)
