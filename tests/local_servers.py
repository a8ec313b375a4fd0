"""Real HTTP servers on 127.0.0.1 for the integration tests: they record every request and
answer what the test says (a webhook with CORS, a dataset host with ETags, a truncated body).

`LocalServer(reply)` serves on a free port (or a given one, so a stopped server can come back
on the same address) and calls `reply(request)` for every request; `reply` returns a `Reply`.
Given a server-side TLS context it serves https. A `Reply` with a `stream` writes its body by
hand, with no Content-Length: `cut`, `trickle` and `chunked` make the usual hostile ones.
"""

from __future__ import annotations

import http.server
import json
import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, BinaryIO
from urllib.parse import parse_qsl


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers.items() if k.lower() == name.lower()), None)

    @property
    def content_type(self) -> str:
        return (self.header("Content-Type") or "").split(";", 1)[0].strip()

    def fields(self) -> dict[str, Any]:
        """The posted fields, from a JSON or a form-encoded body."""
        if self.content_type == "application/json":
            return json.loads(self.body)
        return dict(parse_qsl(self.body.decode("utf-8"), keep_blank_values=True))


@dataclass
class Reply:
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    content_length: int | None = None  # a different Content-Length than len(body): truncation
    # Writes the body itself, with no Content-Length sent: a body cut short, trickled, chunked.
    stream: Callable[[BinaryIO], None] | None = None


Responder = Callable[[Seen], Reply]


class LocalServer:
    def __init__(self, reply: Responder, port: int = 0, tls: ssl.SSLContext | None = None):
        self.reply = reply
        self.port = port
        self.tls = tls  # serve https with this server-side context
        self.requests: list[Seen] = []
        self._lock = threading.Lock()
        self._server: http.server.ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"{'https' if self.tls else 'http'}://127.0.0.1:{self.port}"

    @property
    def running(self) -> bool:
        return self._server is not None

    def posts(self) -> list[Seen]:
        with self._lock:
            return [r for r in self.requests if r.method == "POST"]

    def start(self) -> LocalServer:
        owner = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                seen = Seen(self.command, self.path, dict(self.headers.items()), body)
                with owner._lock:
                    owner.requests.append(seen)
                answer = owner.reply(seen)
                self.send_response(answer.status)
                for name, value in answer.headers.items():
                    self.send_header(name, value)
                size = len(answer.body) if answer.content_length is None else \
                    answer.content_length
                if answer.status not in (204, 304) and answer.stream is None:
                    self.send_header("Content-Length", str(size))
                self.send_header("Connection", "close")
                self.end_headers()
                if answer.stream is not None:
                    answer.stream(self.wfile)
                elif answer.body:
                    self.wfile.write(answer.body)
                self.close_connection = True

            do_GET = do_POST = do_OPTIONS = do_HEAD = _handle  # noqa: N815 - stdlib's names

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                pass

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._server.daemon_threads = True
        if self.tls is not None:
            self._server.socket = self.tls.wrap_socket(self._server.socket, server_side=True)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            if self._thread is not None:
                self._thread.join(timeout=5)
            self._server = None

    def __enter__(self) -> LocalServer:
        return self.start() if self._server is None else self

    def __exit__(self, *exc: object) -> None:
        self.stop()


Stream = Callable[[BinaryIO], None]


@dataclass
class Sent:
    """A body the host writes by hand, with no Content-Length: cut short, trickled, chunked."""

    write: Stream
    headers: dict[str, str] = field(default_factory=dict)


def cut(data: bytes) -> Sent:
    """`data`, then the connection closes: all HTTP knows of the body's end."""
    return Sent(lambda out: out.write(data))


def trickle(every: float) -> Sent:
    """A byte every `every` seconds until the client goes away (or a minute passes)."""
    def write(out: BinaryIO) -> None:
        stop = time.monotonic() + 60
        try:
            for byte in (b"id,name\n" * 1000):
                out.write(bytes([byte]))
                time.sleep(every)
                if time.monotonic() > stop:
                    return
        except OSError:
            return
    return Sent(write)


def chunked(parts: list[bytes], *, last: bool) -> Sent:
    """A chunked transfer of `parts`, with or without the closing zero-length chunk."""
    def write(out: BinaryIO) -> None:
        for part in parts:
            out.write(b"%x\r\n%s\r\n" % (len(part), part))
        if last:
            out.write(b"0\r\n\r\n")
    return Sent(write, {"Transfer-Encoding": "chunked"})


CORS = {"Access-Control-Allow-Origin": "*",
        "Access-Control-Allow-Methods": "POST, OPTIONS",
        "Access-Control-Allow-Headers": "Content-Type, Accept",
        "Access-Control-Max-Age": "0"}


class Webhook(LocalServer):
    """A catch hook like Zapier's, Make's or n8n's: records POSTs, answers CORS preflight,
    answers `status` (200 by default); a form post with `_next` is redirected there (303), as
    form backends do for browsers without JavaScript."""

    def __init__(self, port: int = 0):
        self.status = 200
        super().__init__(self._reply, port)

    def _reply(self, request: Seen) -> Reply:
        if request.method == "OPTIONS":
            return Reply(204, dict(CORS))
        if request.method != "POST":
            return Reply(405, dict(CORS))
        if self.status >= 400:
            return Reply(self.status, {**CORS, "Content-Type": "application/json"},
                         b'{"status": "error"}')
        if request.content_type == "application/x-www-form-urlencoded":
            target = request.fields().get("_next")
            if target:
                return Reply(303, {**CORS, "Location": target})
        return Reply(200, {**CORS, "Content-Type": "application/json"},
                     b'{"status": "success"}')


class PlainReceiver(LocalServer):
    """A webhook that knows nothing of CORS (a bare endpoint, a self-hosted script): records
    POSTs and answers `status` with no Access-Control-* header; OPTIONS is not allowed, so
    a browser's CORS preflight to it fails and the post behind it is never sent."""

    def __init__(self, port: int = 0):
        self.status = 200
        super().__init__(self._reply, port)

    def _reply(self, request: Seen) -> Reply:
        if request.method != "POST":
            return Reply(405, {"Allow": "POST", "Content-Type": "text/plain"},
                         b"method not allowed\n")
        return Reply(self.status, {"Content-Type": "application/json"},
                     b'{"received": true}' if self.status < 400 else b'{"error": "failed"}')


class FormspreeLike(LocalServer):
    """A form backend that behaves as Formspree documents: an HTML form post (no JSON
    Accept) is answered with a redirect to its `_next` field when that is an absolute
    http(s) URL, else with the backend's own thank-you page; a post with `Accept:
    application/json` gets `{"ok": true, "next": ...}` with CORS; a filled `_gotcha` is
    accepted and discarded (`spam`); `_next` and `_gotcha` are not stored as fields."""

    def __init__(self, port: int = 0):
        self.spam: list[Seen] = []
        super().__init__(self._reply, port)

    def submissions(self) -> list[dict[str, Any]]:
        """The stored leads: posts that were not spam, without the special fields."""
        return [{k: v for k, v in r.fields().items() if k not in ("_next", "_gotcha")}
                for r in self.posts() if all(r is not spam for spam in self.spam)]

    def _reply(self, request: Seen) -> Reply:
        origin = request.header("Origin") or "*"
        cors = {"Access-Control-Allow-Origin": origin, "Vary": "Origin",
                "Access-Control-Allow-Headers": "Content-Type, Accept",
                "Access-Control-Allow-Methods": "POST, OPTIONS"}
        if request.method == "OPTIONS":
            return Reply(204, cors)
        if request.method != "POST":
            return Reply(405, cors)
        fields = request.fields()
        if fields.get("_gotcha"):
            self.spam.append(request)
        if "application/json" in (request.header("Accept") or ""):
            return Reply(200, {**cors, "Content-Type": "application/json"},
                         json.dumps({"ok": True, "next": "/thanks"}).encode())
        target = str(fields.get("_next") or "")
        if target.startswith(("http://", "https://")):
            return Reply(302, {"Location": target})
        return Reply(200, {"Content-Type": "text/html; charset=utf-8"},
                     b"<!doctype html><title>Thanks!</title><h1>The form was submitted "
                     b"successfully.</h1>")
