"""`sitegen serve` in a real browser: live reload, stylesheet swaps and the error overlay.

A copy of the example site is served by the real CLI (`python -m sitegen serve --port 0`, a
subprocess); the tests edit its files as an editor would and watch Debian's Chromium (driven
by Playwright) follow: a new phone number appears without a manual reload, a CSS edit applies
without a reload (page state survives), a broken template shows the accessible overlay with
the file and line (on an open page and on a page opened while broken) and fixing it clears
it, and a tab on a deleted location moves to its city hub.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from support.browser import open_page
from support.serve import ServeProcess, location_url
from support.sites import copy_example

pytestmark = pytest.mark.browser

REBUILD_TIMEOUT = 90_000  # ms: a full rebuild of the example on a busy, shared machine
OVERLAY = "[role=alertdialog]"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServeProcess]:
    site = copy_example(tmp_path_factory.mktemp("serve-browser") / "site")
    with ServeProcess(site) as server:
        server.wait_outcome()
        yield server


@pytest.fixture
def page(browser: Any, server: ServeProcess) -> Iterator[Any]:
    with open_page(browser, server.url) as page:
        yield page


def _open(page: Any, server: ServeProcess, path: str) -> None:
    page.goto(server.url + path)
    # the event stream is open: the script has run and the server counts the page
    page.wait_for_function("() => window.__sitegenLive === true")


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new), encoding="utf-8", newline="")


def test_a_phone_edit_shows_up_without_a_manual_reload(page: Any, server: ServeProcess) -> None:
    path = location_url(server, "JO-SF-001")
    _open(page, server, path)
    assert page.get_by_text("(415) 555-0142").first.is_visible()
    _replace(server.site / "locations" / "locations.csv", "(415) 555-0142", "(415) 555-0987")
    page.get_by_text("(415) 555-0987").first.wait_for(timeout=REBUILD_TIMEOUT)
    assert page.url == server.url + path
    assert page.get_by_text("(415) 555-0142").count() == 0


def test_a_css_edit_applies_without_a_reload(page: Any, server: ServeProcess) -> None:
    _open(page, server, "/")
    page.evaluate("window.__marker = 1")
    style = "() => getComputedStyle(document.body).borderTopColor"
    assert page.evaluate(style) != "rgb(1, 2, 3)"
    sheet = server.site / "themes" / "juniper" / "static" / "css" / "brand.css"
    with sheet.open("a", encoding="utf-8") as fh:
        fh.write("\nbody { border-top: 7px solid rgb(1, 2, 3); }\n")
    page.wait_for_function(f"() => ({style})() === 'rgb(1, 2, 3)'", timeout=REBUILD_TIMEOUT)
    assert page.evaluate("window.__marker") == 1, "the page was reloaded"
    # Each old sheet goes once its copy has loaded (the home page's map loads Leaflet's
    # stylesheets too, which may finish after the brand's).
    page.wait_for_function("() => document.querySelectorAll('link[rel~=stylesheet]').length"
                           " === new Set([...document.querySelectorAll('link[rel~=stylesheet]')]"
                           ".map(l => new URL(l.href).pathname)).size", timeout=10_000)


BROKEN = """{% extends "default/location.html" %}
{% block main %}
<p id="sitegen-test">{{ page.title }</p>
{{ super() }}
{% endblock %}
"""
FIXED = """{% extends "default/location.html" %}
{% block main %}
<p id="sitegen-test">fixed</p>
{{ super() }}
{% endblock %}
"""


def test_a_broken_template_shows_the_overlay_until_it_is_fixed(
        page: Any, browser: Any, server: ServeProcess) -> None:
    path = location_url(server, "JO-SF-002")
    _open(page, server, path)
    page.evaluate("window.__marker = 1")
    template = server.site / "themes" / "juniper" / "templates" / "location.html"
    template.parent.mkdir(exist_ok=True)
    failures = server.outcomes().count("failed")
    template.write_text(BROKEN, encoding="utf-8")

    dialog = page.locator(OVERLAY)
    dialog.wait_for(timeout=REBUILD_TIMEOUT)
    text = dialog.inner_text()
    assert "Build failed" in text
    assert "themes/juniper/templates/location.html:3: template syntax error" in text
    assert dialog.get_attribute("aria-modal") == "true"
    assert page.evaluate("window.__marker") == 1, "the overlay goes over the open page"
    assert page.locator("#sitegen-test").count() == 0  # the last good build is still shown
    # the overlay says exactly what the terminal says
    server.wait_line(r"^build failed: ", stream="err")
    assert server.outcomes().count("failed") > failures
    shown = dialog.locator("li code").all_inner_texts()
    assert shown and all(line in server.err for line in shown), (shown, server.err)
    focused = page.evaluate("() => document.activeElement.tagName")
    assert focused == "SITEGEN-ERROR-OVERLAY", "focus moves into the dialog"

    with open_page(browser, server.url) as other:  # opened while the build is broken
        other.goto(server.url + "/")
        other.locator(OVERLAY).wait_for(timeout=30_000)
        assert "location.html:3" in other.locator(OVERLAY).inner_text()

    template.write_text(FIXED, encoding="utf-8")
    page.locator("#sitegen-test").wait_for(timeout=REBUILD_TIMEOUT)
    assert page.locator(OVERLAY).count() == 0
    assert page.locator("#sitegen-test").inner_text() == "fixed"


def test_a_tab_on_a_deleted_location_moves_to_its_hub(page: Any, server: ServeProcess) -> None:
    path = location_url(server, "JO-SF-004")
    hub = path.rstrip("/").rsplit("/", 1)[0] + "/"
    _open(page, server, path)
    data = server.site / "locations" / "locations.csv"
    text = data.read_text(encoding="utf-8")
    reader = csv.DictReader(io.StringIO(text))
    rows = [row for row in reader if row["store_code"] != "JO-SF-004"]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=reader.fieldnames or [], lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    data.write_text(out.getvalue(), encoding="utf-8", newline="")
    page.wait_for_url(server.url + hub, timeout=REBUILD_TIMEOUT)
    assert page.locator("h1").first.is_visible()
