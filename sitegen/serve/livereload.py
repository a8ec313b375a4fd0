"""Live reload for `sitegen serve`: Server-Sent Events and the script served pages get.

The server injects one tag before `</body>` of every HTML response it sends (never into
the files in dist/):

    <script src="/_sitegen/livereload.js" data-sitegen-build="…" data-sitegen-status="200">

The script (sitegen/themes/default/serve/livereload.js) listens on `/_sitegen/events`:

    event        data                                   the page
    hello        {"build": id, "error": payload|null}  on connect: the overlay if the build is
                                                        broken, a reload if the page is older
                                                        than the current build
    reload       {"build": id, "kept": bool}           reloads; a deleted page goes to its
                                                        nearest existing parent URL (its hub);
                                                        "kept": no page was removed, so the
                                                        page reloads without asking first
    css          {"build": id}                         re-fetches its stylesheets, no reload
    build-error  payload                               shows the overlay over the page

The error payload carries `Diagnostic.to_dict()` records, whose `text` is exactly the line the
CLI prints. `Hub` keeps the current state so a page opened while the build is broken shows
the overlay at once.
"""

from __future__ import annotations

import json
import queue
import re
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from sitegen.diagnostics import Diagnostic

EVENTS_PATH = "/_sitegen/events"
SCRIPT_PATH = "/_sitegen/livereload.js"
SCRIPT_SOURCE = Path(__file__).parents[1] / "themes" / "default" / "serve" / "livereload.js"
OVERLAY_LIMIT = 50
RETRY_MS = 1000
_BODY_END = re.compile(rb"</body\s*>", re.IGNORECASE)


def client_script() -> bytes:
    return SCRIPT_SOURCE.read_bytes()


def script_tag(build: str, status: int = 200) -> bytes:
    return (f'<script src="{SCRIPT_PATH}" data-sitegen-build="{build}" '
            f'data-sitegen-status="{status}"></script>\n').encode()


def inject(html: bytes, build: str, status: int = 200) -> bytes:
    """The page with the live-reload tag before its last `</body>` (or at its end)."""
    tag = script_tag(build, status)
    matches = list(_BODY_END.finditer(html))
    if not matches:
        return html + b"\n" + tag
    at = matches[-1].start()
    return html[:at] + tag + html[at:]


def event(name: str, data: Any) -> bytes:
    """One SSE message; JSON on one line, so one `data:` field is enough."""
    return f"event: {name}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n".encode()


def error_payload(diagnostics: Iterable[Diagnostic]) -> dict[str, Any]:
    """What the overlay shows: errors first, at most OVERLAY_LIMIT of them, and a count."""
    items = list(diagnostics)
    ordered = [d for d in items if d.severity == "error"] + \
        [d for d in items if d.severity != "error"]
    errors = sum(1 for d in items if d.severity == "error")
    return {"errors": errors, "diagnostics": [d.to_dict() for d in ordered[:OVERLAY_LIMIT]],
            "omitted": max(0, len(ordered) - OVERLAY_LIMIT)}


class Hub:
    """The connected pages and the state a newly connected page must be told about."""

    def __init__(self, instance: str):
        self.instance = instance
        self._lock = threading.Lock()
        self._clients: set[queue.Queue[bytes | None]] = set()
        self._generation = 0
        self._error: dict[str, Any] | None = None
        self._closed = False

    def build_id(self, generation: int) -> str:
        """Names one good build of this server process (a restarted server never reuses it)."""
        return f"{self.instance}-{generation}"

    @property
    def current(self) -> str:
        """The id of the last build pages were told about: what a served page is labelled
        with, so it misses no event (at worst it reloads once more than needed)."""
        with self._lock:
            return self.build_id(self._generation)

    @property
    def broken(self) -> bool:
        with self._lock:
            return self._error is not None

    @property
    def clients(self) -> int:
        with self._lock:
            return len(self._clients)

    def subscribe(self) -> queue.Queue[bytes | None]:
        client: queue.Queue[bytes | None] = queue.Queue()
        with self._lock:
            client.put(f"retry: {RETRY_MS}\n\n".encode())
            client.put(event("hello", {"build": self.build_id(self._generation),
                                       "error": self._error}))
            if self._closed:
                client.put(None)
            self._clients.add(client)
        return client

    def unsubscribe(self, client: queue.Queue[bytes | None]) -> None:
        with self._lock:
            self._clients.discard(client)

    def reload(self, generation: int, *, kept: bool = False) -> None:
        self._good("reload", generation, kept=kept)

    def stylesheets(self, generation: int) -> None:
        self._good("css", generation)

    def failed(self, diagnostics: Iterable[Diagnostic]) -> None:
        payload = error_payload(diagnostics)
        with self._lock:
            self._error = payload
            self._send(event("build-error", payload))

    def close(self) -> None:
        """End every event stream (the server is stopping)."""
        with self._lock:
            self._closed = True
            for client in self._clients:
                client.put(None)

    def _good(self, name: str, generation: int, **extra: Any) -> None:
        with self._lock:
            self._generation = generation
            self._error = None
            self._send(event(name, {"build": self.build_id(generation), **extra}))

    def _send(self, message: bytes) -> None:
        for client in self._clients:
            client.put(message)
