"""Lead forms in Chromium: the example site built for production with a leads config and
served on 127.0.0.1, and the steps of filling in and sending its form.

Used by tests/browser/test_leads_browser.py (webhooks, Formspree, the dev inbox) and
test_lead_destinations_browser.py (HubSpot, Salesforce, Netlify Forms), with the Chromium
of the `local_browser` fixture (tests/browser/conftest.py), in which only 127.0.0.1
resolves.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from support.browser import serve
from support.sites import copy_example, run_cli

HAYES = "/locations/us/ca/san-francisco/juniper-oak-coffee-hayes-valley/"
SUCCESS = "Thank you: your message has been sent."


@dataclass
class Live:
    base: str
    browser: Any


@contextlib.contextmanager
def built(root: Path, env: dict[str, str]) -> Iterator[str]:
    """The example site built for production into a folder served at the yielded URL (its
    base URL: `_next` stays on this machine; http:// receivers: leads.allow_insecure)."""
    site = copy_example(root / "site")
    out = root / "out"
    out.mkdir()
    with serve(out) as base:
        result = run_cli("build", "--source", site, "--out", out, env={
            "SITEGEN_BASE_URL": base, "SITEGEN_LEADS__ALLOW_INSECURE": "true", **env})
        assert result.returncode == 0, str(result)
        yield base


@contextlib.contextmanager
def page_in(live: Live, **options: Any) -> Iterator[Any]:
    """A fresh context (a new tab's sessionStorage) that must see no JavaScript error."""
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
