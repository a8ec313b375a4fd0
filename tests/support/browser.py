"""Browser tests' plumbing: a built site served over real HTTP, and Debian's Chromium.

`serve(folder)` runs `http.server` on 127.0.0.1 (a free port) in a thread; `launch()` starts
the system Chromium through Playwright (never a downloaded browser); `open_page()` makes a page
whose requests to any other host (map tiles, analytics) are answered with an error at once,
so tests never wait on the network and nothing leaves the machine.

Used by the tests in tests/browser/ (their shared fixtures: tests/browser/conftest.py) and
by bench/screenshots.py.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"]
# No host name resolves but 127.0.0.1: unlike request interception (which answers CORS
# preflights itself), every request to a local receiver, preflight included, reaches it.
LOCAL_ONLY = "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    """`http.server`'s static files, without a log line a request."""

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib's name
        pass


@contextlib.contextmanager
def serve(folder: Path, handler_class: type[QuietHandler] = QuietHandler) -> Iterator[str]:
    """Serve `folder` at http://127.0.0.1:PORT (yielded, without a trailing slash)."""
    handler = functools.partial(handler_class, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@contextlib.contextmanager
def launch(*args: str) -> Iterator[Any]:
    """Debian's headless Chromium, driven by Playwright, with `args` added to its own."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                             args=[*CHROMIUM_ARGS, *args])
        try:
            yield browser
        finally:
            browser.close()


def block_other_hosts(context: Any, base_url: str) -> None:
    """Abort every request that is not to the local server (tiles, analytics...)."""
    local = urlsplit(base_url).netloc

    def route(route: Any) -> None:
        if urlsplit(route.request.url).netloc == local:
            route.continue_()
        else:
            route.abort()

    context.route("**/*", route)


@contextlib.contextmanager
def open_page(browser: Any, base_url: str, **context_options: Any) -> Iterator[Any]:
    """A page in a fresh context (1280x800 unless told) with other hosts blocked."""
    options = {"viewport": {"width": 1280, "height": 800}, "locale": "en-US", **context_options}
    context = browser.new_context(**options)
    block_other_hosts(context, base_url)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.js_errors = errors  # type: ignore[attr-defined]
    try:
        yield page
    finally:
        context.close()
