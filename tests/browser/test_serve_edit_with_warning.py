"""`sitegen serve`: a description edited while a warning stands shows up in the open page.

The in-place edit (serve/warm.py) keeps the build's diagnostics and judges again those its
edit can change; a description changes the page's editorial text, so the near-duplicate
findings are judged again, and the others (here, a content file for no location) stand.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from support.browser import launch, open_page
from support.serve import ServeProcess, location_url
from support.sites import copy_example

pytestmark = pytest.mark.browser

REBUILD_TIMEOUT = 90_000  # ms: on a busy, shared machine
WARNING = ("content/locations/no-such-store.md: warning: no location has the id or slug "
           "'no-such-store' (rename the file to a location's id (e.g. its store code))")
OLD = "Our first San Francisco roastery café"
NEW = "Our first San Francisco roastery, now with a reading room,"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServeProcess]:
    site = copy_example(tmp_path_factory.mktemp("serve-warning") / "site")
    extra = site / "content" / "locations" / "no-such-store.md"
    extra.write_text("---\ntitle: Nowhere\n---\nA page for a store that does not exist.\n",
                     encoding="utf-8")
    with ServeProcess(site) as server:
        server.wait_outcome()
        yield server


def test_a_description_edit_while_a_warning_stands_shows_in_the_page(
        server: ServeProcess) -> None:
    server.wait_line("^" + re.escape(WARNING) + "$", stream="err")
    path = location_url(server, "JO-SF-001")
    with launch() as browser, open_page(browser, server.url) as page:
        page.goto(server.url + path)
        page.wait_for_function("() => window.__sitegenLive === true")
        assert page.get_by_text(OLD).count() == 1
        done = len(server.outcomes())
        mark, warned = len(server.out), len(server.err)
        data = server.site / "locations" / "locations.csv"
        text = data.read_text(encoding="utf-8")
        assert text.count(OLD) == 1
        data.write_text(text.replace(OLD, NEW), encoding="utf-8", newline="")

        page.get_by_text(NEW).first.wait_for(timeout=REBUILD_TIMEOUT)
        server.wait_outcome(done)
        assert page.url == server.url + path
        assert page.get_by_text(OLD).count() == 0
    rebuilt = [line for line in server.out[mark:] if line.startswith("rebuilt: ")]
    assert rebuilt and "files updated in place" in rebuilt[-1], server.transcript()
    assert not any("unexpected error" in line for line in server.err), server.transcript()
    # the warning still stands after the edit
    server.wait_line("^" + re.escape(WARNING) + "$", stream="err", start=warned)
