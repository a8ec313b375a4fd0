"""`locations.source: http://...`: download, cache, revalidate, fall back, refuse bad downloads.

A real HTTP server on 127.0.0.1 plays the spreadsheet host; builds run through the CLI.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from support.servers import LocalServer, Reply, Seen
from support.sites import csv_text, generated_rows, make_site, run_cli, summary

from sitegen.data.remote import cache_files

ROWS = generated_rows(3)
CSV = csv_text(ROWS).encode("utf-8")
LOGIN = b"<!DOCTYPE html><html><body><form>Sign in to continue</form></body></html>"


@dataclass
class Host:
    """What the fake spreadsheet host answers, per path; tests change it between builds."""

    body: dict[str, bytes] = field(default_factory=lambda: {"/stores.csv": CSV})
    etag: str = '"v1"'
    content_type: dict[str, str] = field(default_factory=dict)
    short_by: dict[str, int] = field(default_factory=dict)  # Content-Length larger than the body

    def reply(self, request: Seen) -> Reply:
        path = request.path.split("?", 1)[0]
        if path not in self.body:
            return Reply(404, {"Content-Type": "text/plain"}, b"not found")
        if request.header("If-None-Match") == self.etag:
            return Reply(304, {"ETag": self.etag})
        body = self.body[path]
        headers = {"Content-Type": self.content_type.get(path, "text/csv; charset=utf-8"),
                   "ETag": self.etag, "Last-Modified": "Tue, 14 Nov 2023 22:13:20 GMT"}
        short = self.short_by.get(path)
        return Reply(200, headers, body, len(body) + short if short else None)


@pytest.fixture
def host() -> Iterator[tuple[Host, LocalServer]]:
    state = Host()
    server = LocalServer(state.reply).start()
    try:
        yield state, server
    finally:
        server.stop()


def url_site(root: Path, url: str, extra: str = "") -> Path:
    config = (f"base_url: https://www.example.com\nsite:\n  name: Remote Stores\nlocations:\n"
              f"  source: {url}\n  phone_region: US\n{extra}")
    return make_site(root, {"config/base.yaml": config})


def gets(server: LocalServer) -> list[Seen]:
    return [r for r in server.requests if r.method == "GET"]


def test_fresh_download_then_304_uses_the_cache(tmp_path: Path,
                                                host: tuple[Host, LocalServer]) -> None:
    state, server = host
    url = f"{server.url}/stores.csv"
    site = url_site(tmp_path / "site", url)
    first = run_cli("build", "--source", site)
    assert first.returncode == 0, str(first)
    assert summary(first)["built"] == 3 and first.err_lines == []
    (request,) = gets(server)
    assert request.header("If-None-Match") is None
    body, meta = cache_files(site, url)
    assert body.read_bytes() == CSV
    assert json.loads(meta.read_text())["etag"] == '"v1"'
    assert int(body.stat().st_mtime) == 1_700_000_000  # from Last-Modified

    # The host now has other data under the same ETag: a 304 means "use what you have".
    state.body["/stores.csv"] = csv_text(generated_rows(1)).encode()
    second = run_cli("build", "--source", site)
    assert second.returncode == 0, str(second)
    assert summary(second)["built"] == 3 and second.err_lines == []
    last = gets(server)[-1]
    assert last.header("If-None-Match") == '"v1"'
    assert last.header("If-Modified-Since") == "Tue, 14 Nov 2023 22:13:20 GMT"
    assert body.read_bytes() == CSV

    state.etag = '"v2"'  # a real change: downloaded and used
    changed = csv_text(generated_rows(3, prefix="NEW")).encode()
    state.body["/stores.csv"] = changed
    third = run_cli("build", "--source", site)
    assert third.returncode == 0, str(third)
    assert body.read_bytes() == changed
    feed = json.loads((site / "dist/production/api/locations.json").read_text())
    assert {record["id"] for record in feed["locations"]} == {"NEW-0001", "NEW-0002",
                                                              "NEW-0003"}


def test_offline_uses_the_cached_copy_with_a_warning(tmp_path: Path,
                                                     host: tuple[Host, LocalServer]) -> None:
    _, server = host
    url = f"{server.url}/stores.csv"
    site = url_site(tmp_path / "site", url)
    assert run_cli("build", "--source", site).returncode == 0
    server.stop()
    offline = run_cli("build", "--source", site)
    assert offline.returncode == 0, str(offline)
    assert summary(offline)["built"] == 3
    (line,) = offline.err_lines
    assert line.startswith(f"{url}: locations.source: warning: cannot download (")
    assert "using the cached copy from" in line


def test_offline_without_a_cached_copy_is_an_error(tmp_path: Path,
                                                   host: tuple[Host, LocalServer]) -> None:
    _, server = host
    url = f"{server.url}/stores.csv"
    server.stop()
    result = run_cli("build", "--source", url_site(tmp_path / "site", url))
    assert result.returncode == 1
    assert result.err_lines[0].startswith(f"{url}: locations.source: cannot download (")
    assert "there is no cached copy" in result.err_lines[0]


def test_truncated_download_is_refused_in_production(tmp_path: Path,
                                                     host: tuple[Host, LocalServer]) -> None:
    state, server = host
    url = f"{server.url}/stores.csv"
    site = url_site(tmp_path / "site", url)
    assert run_cli("build", "--source", site).returncode == 0  # a good cached copy exists
    state.etag = '"v2"'
    state.short_by["/stores.csv"] = 100
    result = run_cli("build", "--source", site)
    assert result.returncode == 1, str(result)
    assert result.err_lines[0] == (
        f"{url}: locations.source: refusing the download: truncated: received {len(CSV)} of "
        f"{len(CSV) + 100} bytes (the connection broke mid-download; build again)")
    body, _ = cache_files(site, url)
    assert body.read_bytes() == CSV  # the cache keeps the last good download
    # Outside production the last good copy is used, with a warning.
    dev = run_cli("build", "--source", site, "--env", "development")
    assert dev.returncode == 0, str(dev)
    assert summary(dev)["built"] == 3
    assert any("refusing the download: truncated" in line and "cached copy" in line
               for line in dev.err_lines)


def test_html_content_type_is_refused(tmp_path: Path, host: tuple[Host, LocalServer]) -> None:
    state, server = host
    state.body["/sheet.csv"] = LOGIN
    state.content_type["/sheet.csv"] = "text/html; charset=utf-8"
    url = f"{server.url}/sheet.csv"
    result = run_cli("build", "--source", url_site(tmp_path / "site", url))
    assert result.returncode == 1
    assert result.err_lines[0].startswith(
        f"{url}: locations.source: refusing the download: the server sent a web page "
        "(text/html), not data (a sign-in or error page")
    # The same page sent as text/csv is recognised too.
    state.content_type["/sheet.csv"] = "text/csv"
    result = run_cli("build", "--source", url_site(tmp_path / "other", url))
    assert result.returncode == 1 and "sent a web page" in result.stderr


def test_empty_download_and_http_errors_are_refused(tmp_path: Path,
                                                    host: tuple[Host, LocalServer]) -> None:
    state, server = host
    state.body["/empty.csv"] = b"\n"
    result = run_cli("build", "--source", url_site(tmp_path / "a", f"{server.url}/empty.csv"))
    assert result.returncode == 1 and "the server sent an empty file" in result.stderr
    result = run_cli("build", "--source", url_site(tmp_path / "b", f"{server.url}/gone.csv"))
    assert result.returncode == 1 and "download failed: HTTP 404" in result.stderr


def test_json_api_format_from_content_type(tmp_path: Path,
                                           host: tuple[Host, LocalServer]) -> None:
    state, server = host
    state.body["/api/stores"] = json.dumps({"stores": ROWS}).encode()
    state.content_type["/api/stores"] = "application/json"
    site = url_site(tmp_path / "site", f"{server.url}/api/stores?key=secret123")
    result = run_cli("build", "--source", site)
    assert result.returncode == 0, str(result)
    assert summary(result)["built"] == 3
    # A URL without a known suffix or type needs locations.format.
    state.content_type["/api/stores"] = "application/octet-stream"
    state.etag = '"v2"'
    other = url_site(tmp_path / "other", f"{server.url}/api/stores?key=secret123")
    result = run_cli("build", "--source", other)
    assert result.returncode == 1
    assert result.err_lines[0] == (
        f"{server.url}/api/stores?key=***: locations.format: cannot tell the format of the "
        "download (Content-Type 'application/octet-stream') (set locations.format, e.g. csv "
        "or json)")
    fixed = url_site(tmp_path / "fixed", f"{server.url}/api/stores?key=secret123",
                     "  format: json\n")
    assert run_cli("build", "--source", fixed).returncode == 0
