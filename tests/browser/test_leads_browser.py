"""Lead forms in Chromium against the production build, posting cross-origin to a real webhook.

The example site is built for production with SITEGEN_LEADS__WEBHOOK_URL pointing at a
recording webhook server on another port (so every submission is a real CORS request with a
preflight), and SITEGEN_BASE_URL pointing at the local static server (so the no-JS redirect
to /thanks/ stays on this machine). Requests to any other host are aborted.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from support.browser import CHROMIUM, CHROMIUM_ARGS, serve
from support.servers import Webhook
from support.sites import copy_example, run_cli

pytestmark = pytest.mark.browser

HAYES = "/locations/us/ca/san-francisco/juniper-oak-coffee-hayes-valley/"
SUCCESS = "Thank you: your message has been sent."


@dataclass
class Live:
    base: str
    hook: Webhook
    browser: Any
    out: Path


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    root = tmp_path_factory.mktemp("leads-browser")
    site = copy_example(root / "site")
    out = root / "out"
    out.mkdir()
    hook = Webhook().start()
    try:
        with serve(out) as base:
            result = run_cli("build", "--source", site, "--out", out, env={
                "SITEGEN_LEADS__WEBHOOK_URL": f"{hook.url}/hooks/catch/123/abc/",
                "SITEGEN_BASE_URL": base})
            assert result.returncode == 0, str(result)
            with chromium() as browser:
                yield Live(base, hook, browser, out)
    finally:
        hook.stop()


@contextlib.contextmanager
def chromium() -> Iterator[Any]:
    """Debian's Chromium, resolving no host name but 127.0.0.1: nothing leaves the machine,
    and (unlike request interception, which answers CORS preflights itself) every request to
    the webhook, preflight included, really reaches it."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True,
            args=[*CHROMIUM_ARGS, "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"])
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def hook(live: Live) -> Iterator[Webhook]:
    live.hook.requests.clear()
    live.hook.status = 200
    yield live.hook
    live.hook.status = 200


@contextlib.contextmanager
def page_in(live: Live, **options: Any) -> Iterator[Any]:
    """A fresh context; only 127.0.0.1 (site and webhook) resolves (see `chromium`)."""
    context = live.browser.new_context(viewport={"width": 1280, "height": 900}, **options)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        yield page
        assert errors == [], errors
    finally:
        context.close()


def fill(page: Any, *, message: str = "Can I book the back room for 10 people?") -> None:
    page.fill("#lead-form-name", "Ada Lovelace")
    page.fill("#lead-form-email", "ada@example.com")
    page.fill("#lead-form-phone", "+1 415 555 0100")
    page.fill("#lead-form-message", message)
    page.check("#lead-form-consent")


def settle(page: Any) -> None:
    """As if the visitor opened the page ten seconds ago (leads.min_seconds is 3)."""
    page.eval_on_selector("input[name=_started]", "el => el.value = String(Date.now() - 10000)")


def status(page: Any) -> Any:
    return page.locator("[data-lead-status]")


def test_submission_delivers_one_post_with_location_page_utm_and_consent(
        live: Live, hook: Webhook) -> None:
    with page_in(live) as page:
        page.goto(f"{live.base}{HAYES}?utm_source=newsletter&utm_medium=email"
                  "&utm_campaign=spring")
        fill(page)
        settle(page)
        page.click("#lead-form button[type=submit]")
        status(page).filter(has_text=SUCCESS).wait_for()
        posts = hook.posts()
        assert len(posts) == 1
        assert any(r.method == "OPTIONS" for r in hook.requests), "no CORS preflight"
        post = posts[0]
        assert post.path == "/hooks/catch/123/abc/"
        assert post.content_type == "application/json"
        assert post.header("Origin") == live.base
        data = post.fields()
        assert data["location_id"] == "JO-SF-001"
        assert data["location_name"] == "Juniper & Oak Coffee — Hayes Valley"
        assert data["page_url"] == live.base + HAYES
        assert (data["utm_source"], data["utm_medium"], data["utm_campaign"]) == (
            "newsletter", "email", "spring")
        assert data["utm_term"] == data["utm_content"] == ""
        assert data["consent"] == "yes"
        assert data["consent_text"].startswith("I agree that Juniper & Oak")
        assert data["environment"] == "production"
        assert (data["name"], data["email"]) == ("Ada Lovelace", "ada@example.com")
        assert data["message"] == "Can I book the back room for 10 people?"
        assert "_gotcha" not in data and "_next" not in data
        # Sent: the form is cleared for the next message.
        assert page.input_value("#lead-form-message") == ""


def test_utm_values_are_kept_from_the_landing_page(live: Live, hook: Webhook) -> None:
    with page_in(live) as page:
        page.goto(f"{live.base}/?utm_source=ads&utm_campaign=winter")
        page.goto(f"{live.base}{HAYES}")
        fill(page)
        settle(page)
        page.click("#lead-form button[type=submit]")
        status(page).filter(has_text=SUCCESS).wait_for()
        data = hook.posts()[0].fields()
        assert (data["utm_source"], data["utm_campaign"]) == ("ads", "winter")


def test_contact_page_form_has_no_location(live: Live, hook: Webhook) -> None:
    with page_in(live) as page:
        page.goto(f"{live.base}/contact/")
        fill(page)
        settle(page)
        page.click("#lead-form button[type=submit]")
        status(page).filter(has_text=SUCCESS).wait_for()
        data = hook.posts()[0].fields()
        assert data["location_id"] == "" and data["page_url"] == f"{live.base}/contact/"


def test_honeypot_filled_submission_is_not_sent(live: Live, hook: Webhook) -> None:
    with page_in(live) as page:
        page.goto(f"{live.base}{HAYES}")
        hidden = page.locator("input[name=_gotcha]")
        assert hidden.get_attribute("tabindex") == "-1"
        assert hidden.get_attribute("autocomplete") == "off"
        assert page.locator(".hp").get_attribute("aria-hidden") == "true"
        fill(page)
        settle(page)
        hidden.evaluate("el => el.value = 'http://spam.example'")
        page.click("#lead-form button[type=submit]")
        status(page).filter(has_text=SUCCESS).wait_for()  # a bot learns nothing
        page.wait_for_timeout(300)
        assert hook.posts() == []


def test_a_submission_faster_than_min_seconds_is_refused(live: Live, hook: Webhook) -> None:
    with page_in(live) as page:
        page.goto(f"{live.base}{HAYES}")
        fill(page)
        page.click("#lead-form button[type=submit]")  # well under 3 s after loading
        status(page).filter(has_text="That was quick").wait_for()
        assert hook.posts() == []
        assert page.input_value("#lead-form-name") == "Ada Lovelace"


def test_validation_marks_fields_and_focuses_the_first_invalid(live: Live,
                                                                hook: Webhook) -> None:
    with page_in(live) as page:
        page.goto(f"{live.base}{HAYES}")
        settle(page)
        page.fill("#lead-form-email", "not-an-email")
        page.click("#lead-form button[type=submit]")
        assert page.evaluate("document.activeElement.id") == "lead-form-name"
        name = page.locator("#lead-form-name")
        assert name.get_attribute("aria-invalid") == "true"
        assert "lead-form-name-error" in name.get_attribute("aria-describedby").split()
        assert page.text_content("#lead-form-name-error") == "Enter your name."
        assert page.text_content("#lead-form-email-error") == \
            "Enter an email address like name@example.com."
        assert page.text_content("#lead-form-consent-error").startswith("Tick the box")
        assert page.locator("#lead-form-phone").get_attribute("aria-invalid") is None
        assert hook.posts() == []
        # Fixing a field clears its message as the visitor types.
        page.fill("#lead-form-name", "Ada")
        assert name.get_attribute("aria-invalid") is None
        assert page.text_content("#lead-form-name-error") == ""


def test_server_error_keeps_the_input_and_retry_succeeds(live: Live, hook: Webhook) -> None:
    with page_in(live) as page:
        page.goto(f"{live.base}{HAYES}?utm_source=retry-test")
        fill(page, message="Do you sell decaf beans?")
        settle(page)
        hook.status = 500
        page.click("#lead-form button[type=submit]")
        status(page).filter(has_text="could not be sent").wait_for()
        assert "server error 500" in status(page).text_content()
        retry = page.locator("[data-lead-retry]")
        assert retry.is_visible()
        assert page.input_value("#lead-form-message") == "Do you sell decaf beans?"
        assert page.input_value("#lead-form-email") == "ada@example.com"
        assert page.is_checked("#lead-form-consent")
        assert len(hook.posts()) == 1
        hook.status = 200
        retry.click()
        status(page).filter(has_text=SUCCESS).wait_for()
        assert not retry.is_visible()
        posts = hook.posts()
        assert len(posts) == 2
        assert posts[1].fields()["message"] == "Do you sell decaf beans?"
        assert posts[1].fields()["utm_source"] == "retry-test"


def test_webhook_down_keeps_the_input_and_retry_succeeds_when_it_is_back(
        live: Live, hook: Webhook) -> None:
    with page_in(live) as page:
        page.goto(f"{live.base}{HAYES}")
        fill(page, message="Are you open on Thanksgiving?")
        settle(page)
        hook.stop()
        try:
            page.click("#lead-form button[type=submit]")
            status(page).filter(has_text="could not be sent").wait_for()
            assert "network error" in status(page).text_content()
            assert page.input_value("#lead-form-message") == "Are you open on Thanksgiving?"
            assert page.locator("[data-lead-retry]").is_visible()
        finally:
            hook.start()  # the same port again
        page.click("[data-lead-retry]")
        status(page).filter(has_text=SUCCESS).wait_for()
        posts = hook.posts()
        assert len(posts) == 1
        assert posts[0].fields()["message"] == "Are you open on Thanksgiving?"


def test_without_javascript_the_plain_form_posts_form_encoded(live: Live,
                                                              hook: Webhook) -> None:
    with page_in(live, java_script_enabled=False) as page:
        page.goto(f"{live.base}{HAYES}")
        fill(page, message="No JavaScript here")
        page.click("#lead-form button[type=submit]")
        page.wait_for_url(f"{live.base}/thanks/")
        assert page.text_content("h1") == "Thank you"
        posts = hook.posts()
        assert len(posts) == 1
        post = posts[0]
        assert post.content_type == "application/x-www-form-urlencoded"
        data = post.fields()
        assert data["location_id"] == "JO-SF-001"
        assert data["message"] == "No JavaScript here"
        assert data["consent"] == "yes"
        assert data["_gotcha"] == ""
        assert data["_next"] == f"{live.base}/thanks/"
        assert data["environment"] == "production"
