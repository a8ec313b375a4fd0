"""A real `sitegen serve` for tests: the CLI as a subprocess, its output read as it comes.

`ServeProcess(site, *args)` starts `python -m sitegen serve --source SITE --port 0 ARGS` in
its own process group (so the test can check that no process of the group outlives it),
reads stdout and stderr on threads, and parses the URL the server prints. `http()` and
`raw_request()` talk to it with http.client and with a bare socket (for request targets no
client library would send). Used by the serve tests (tests/cli/test_serve.py, tests/browser/)
and bench/serve_latency.py.
"""

from __future__ import annotations

import base64
import contextlib
import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

REPO = Path(__file__).resolve().parents[2]
URL_LINE = re.compile(r"^serving \S+ at (http://\S+?)/?$")
BUILT_LINE = re.compile(r"^(re)?built: ")
FAILED_LINE = re.compile(r"^build failed: ")


def _env(extra: Mapping[str, str] | None) -> dict[str, str]:
    from support.sites import clean_env
    return clean_env(extra)


def wait_for(predicate: Callable[[], object], timeout: float, interval: float = 0.05,
             message: str | Callable[[], str] = "condition") -> object:
    """Poll until `predicate()` is truthy; its value, or AssertionError after `timeout` s.

    `message` may be a function, called only on failure (e.g. a server's transcript then).
    """
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            text = message() if callable(message) else message
            raise AssertionError(f"timed out after {timeout} s waiting for {text}")
        time.sleep(interval)


class ServeProcess:
    def __init__(self, site: Path, *args: str, env: Mapping[str, str] | None = None,
                 ready_timeout: float = 120, launcher: tuple[str, ...] = ("-m", "sitegen")):
        """`launcher`: what follows the interpreter in the command line (the fault tests
        run the CLI through support.faultinject with `-c`)."""
        self.site = Path(site)
        self.args = ["serve", "--source", str(site), "--port", "0", *args]
        self.out: list[str] = []
        self.err: list[str] = []
        self._cond = threading.Condition()
        self.process = subprocess.Popen(
            [sys.executable, *launcher, *self.args], cwd=REPO, env=_env(env),
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True, encoding="utf-8", start_new_session=True)
        self.pgid = self.process.pid
        self._readers = [threading.Thread(target=self._read, args=(stream, lines), daemon=True)
                         for stream, lines in ((self.process.stdout, self.out),
                                               (self.process.stderr, self.err))]
        for reader in self._readers:
            reader.start()
        match = self.wait_line(URL_LINE, timeout=ready_timeout)
        self.url = match.group(1).rstrip("/")
        parts = urlsplit(self.url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80

    def _read(self, stream: object, lines: list[str]) -> None:
        for line in stream:  # type: ignore[attr-defined]
            with self._cond:
                lines.append(line.rstrip("\n"))
                self._cond.notify_all()
        with self._cond:
            self._cond.notify_all()

    # --- output

    def wait_line(self, pattern: re.Pattern[str] | str, *, timeout: float = 60,
                  start: int = 0, stream: str = "out") -> re.Match[str]:
        """The first line (from index `start`) of stdout or stderr that matches."""
        regex = re.compile(pattern) if isinstance(pattern, str) else pattern
        lines = self.out if stream == "out" else self.err
        deadline = time.monotonic() + timeout
        with self._cond:
            index = start
            while True:
                while index < len(lines):
                    match = regex.search(lines[index])
                    if match:
                        return match
                    index += 1
                remaining = deadline - time.monotonic()
                if remaining <= 0 or (self.process.poll() is not None and index >= len(lines)):
                    raise AssertionError(f"no line matching {regex.pattern!r} in {stream}:\n"
                                         f"{self.transcript()}")
                self._cond.wait(min(remaining, 0.2))

    def outcomes(self) -> list[str]:
        """'ok' or 'failed' for every build finished so far, in order of the output lines."""
        with self._cond:
            ok = sum(1 for line in self.out if BUILT_LINE.search(line))
            failed = sum(1 for line in self.err if FAILED_LINE.search(line))
        return ["ok"] * ok + ["failed"] * failed

    def wait_outcome(self, after: int = 0, *, timeout: float = 120) -> None:
        """Wait until more than `after` builds have finished."""
        wait_for(lambda: len(self.outcomes()) > after or not self.alive(), timeout,
                 message=lambda: f"build number {after + 1}\n{self.transcript()}")
        assert self.alive(), self.transcript()

    def transcript(self) -> str:
        return ("--- stdout\n" + "\n".join(self.out) + "\n--- stderr\n" + "\n".join(self.err))

    # --- HTTP

    def http(self, path: str, *, method: str = "GET", headers: Mapping[str, str] | None = None,
             body: bytes | None = None, timeout: float = 60) -> tuple[int, dict[str, str], bytes]:
        connection = http.client.HTTPConnection(self.host, self.port, timeout=timeout)
        try:
            connection.request(method, path, body=body, headers=dict(headers or {}))
            response = connection.getresponse()
            return response.status, {k.lower(): v for k, v in response.getheaders()}, \
                response.read()
        finally:
            connection.close()

    def text(self, path: str, **options: object) -> str:
        status, _, body = self.http(path, **options)  # type: ignore[arg-type]
        return body.decode("utf-8", errors="replace") if status == 200 else ""

    def raw_request(self, request_line: str, timeout: float = 30,
                    host: str | None = None) -> tuple[int, bytes]:
        """Send one request line as bytes on a bare socket (with a Host header naming the
        server unless told); the status and the whole reply."""
        host = f"{self.host}:{self.port}" if host is None else host
        with socket.create_connection((self.host, self.port), timeout=timeout) as sock:
            sock.sendall(request_line.encode("latin-1") + b"\r\nHost: "
                         + host.encode("latin-1") + b"\r\n\r\n")
            chunks = []
            while True:
                data = sock.recv(65536)
                if not data:
                    break
                chunks.append(data)
        reply = b"".join(chunks)
        match = re.match(rb"HTTP/1\.[01] (\d{3})", reply)
        return (int(match.group(1)) if match else 0), reply

    # --- stopping

    def alive(self) -> bool:
        return self.process.poll() is None

    def stop(self, sig: int = signal.SIGINT, timeout: float = 60) -> int:
        if self.alive():
            self.process.send_signal(sig)
        try:
            code = self.process.wait(timeout)
        finally:
            for reader in self._readers:
                reader.join(5)
        return code

    def kill(self) -> None:
        if self.alive():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.pgid, signal.SIGKILL)
            self.process.wait(10)

    def group_processes(self) -> list[int]:
        """Live processes still in the server's process group (its render workers too)."""
        return group_members(self.pgid)

    def __enter__(self) -> ServeProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            if self.alive():
                self.stop(timeout=30)
        finally:
            self.kill()
            for pid in group_members(self.pgid):
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)


def group_members(pgid: int) -> list[int]:
    members = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[-1].split()
        if len(fields) > 2 and fields[0] != "Z" and int(fields[2]) == pgid:
            members.append(int(entry.name))
    return members


def basic_auth(user: str, password: str) -> dict[str, str]:
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


def location_url(server: ServeProcess, location_id: str, timeout: float = 60) -> str:
    """A location's page path, from the site's own feed."""
    return urlsplit(served_record(server, location_id, timeout)["url"]).path


def served_record(server: ServeProcess, location_id: str, timeout: float = 60
                  ) -> dict[str, Any]:
    """A location's record in the site's own feed (/api/locations.json)."""
    import json

    status, _, body = server.http("/api/locations.json", timeout=timeout)
    assert status == 200, (status, body[:200])
    records = [r for r in json.loads(body)["locations"] if r["id"] == location_id]
    assert len(records) == 1, (location_id, body[:200])
    return dict(records[0])
