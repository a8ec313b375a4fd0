"""`locations.source: http://...`: download, cache, revalidate, fall back, refuse bad downloads.

A real HTTP server on 127.0.0.1 plays the spreadsheet host; builds run through the CLI. A
download is whole or refused: cut short without a Content-Length, trickled past the deadline,
redirected to loopback or ftp://, or far shorter than the cached copy, a production build
refuses it with one diagnostic and leaves the last good output and the cache as they were.
"""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from support.servers import LocalServer, Reply, Seen, Sent, chunked, cut, trickle
from support.sites import (
    assert_fails,
    build,
    csv_text,
    generated_rows,
    make_site,
    run_cli,
    run_process,
    summary,
    tree_hashes,
)

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
    redirect: dict[str, str] = field(default_factory=dict)  # path -> Location of a 302
    stream: dict[str, Sent] = field(default_factory=dict)  # path -> a body written by hand

    def reply(self, request: Seen) -> Reply:
        path = request.path.split("?", 1)[0]
        if path in self.redirect:
            return Reply(302, {"Location": self.redirect[path]})
        if path in self.stream:
            sent = self.stream[path]
            headers = {"Content-Type": self.content_type.get(path, "text/csv; charset=utf-8"),
                       "ETag": self.etag, **sent.headers}
            return Reply(200, headers, stream=sent.write)
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


# --- whole or refused -------------------------------------------------------------------------

PATH = "/stores.csv"
DATA = csv_text(generated_rows(64)).encode("utf-8")
LINES = DATA.split(b"\n")  # the header, 64 rows, and the empty text after the last line break
DEADLINE = 2
TRUNCATED = "(the connection broke mid-download; build again)"
PRIVATE = ("(sitegen follows redirects only to public addresses; set "
           "locations.allow_private_hosts: true if this server is yours)")


@dataclass
class Shared:
    """One host for the tests of this part, and a site with a good production build from it."""

    host: Host
    server: LocalServer
    site: Path

    @property
    def url(self) -> str:
        return f"{self.server.url}{PATH}"


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Shared]:
    state = Shared(Host(body={PATH: DATA}),
                   LocalServer(lambda request: state.host.reply(request)), Path())
    state.server.start()
    try:
        state.site = url_site(tmp_path_factory.mktemp("good") / "site", state.url,
                              f"  download_deadline: {DEADLINE}\n")
        build(state.site)
        yield state
    finally:
        state.server.stop()


@pytest.fixture
def good(shared: Shared, tmp_path: Path) -> Shared:
    """A copy of the well-built site; its host now has a new version (ETag "v2") of the data,
    whose body the test sets."""
    shared.host = Host(body={PATH: DATA}, etag='"v2"')
    shared.server.requests.clear()
    site = tmp_path / "site"
    shutil.copytree(shared.site, site)
    return Shared(shared.host, shared.server, site)


def assert_refused(good: Shared, reason: str, hint: str) -> None:
    """A production build exits 1 with exactly this diagnostic, in well under a minute, and
    leaves the last good output and the cached copy byte for byte as they were."""
    output, cache = good.site / "dist" / "production", good.site / ".sitegen" / "cache"
    before = (tree_hashes(output), tree_hashes(cache))
    started = time.monotonic()
    result = run_process("build", "--source", good.site, timeout=120)
    assert time.monotonic() - started < 60, str(result)  # a generous bound: no hang
    assert_fails(result, [f"{good.url}: locations.source: refusing the download: {reason} "
                          f"{hint}"])
    assert (tree_hashes(output), tree_hashes(cache)) == before


def test_body_cut_mid_row_without_length_is_refused(good: Shared) -> None:
    partial = LINES[22][:30]  # row 22 (line 23) cut inside its third cell
    good.host.stream[PATH] = cut(b"\n".join(LINES[:22]) + b"\n" + partial)
    assert_refused(good, f"truncated: the last row (line 23) has {len(partial.split(b','))} "
                         "of 12 cells and no line break", TRUNCATED)
    # Outside production the last good download is used, with the same reason as a warning.
    fetched = json.loads(cache_files(good.site, good.url)[1].read_text())["fetched"]
    dev = build(good.site, "--env", "development")
    assert summary(dev)["built"] == 64
    assert dev.err_lines == [
        f"{good.url}: locations.source: warning: refusing the download: truncated: the last "
        f"row (line 23) has 3 of 12 cells and no line break; using the cached copy from "
        f"{fetched} {TRUNCATED}"]


def test_body_cut_at_a_line_break_is_refused_by_the_row_count(good: Shared) -> None:
    good.host.stream[PATH] = cut(b"\n".join(LINES[:22]) + b"\n")  # 21 whole rows of 64
    assert_refused(good, "it has 21 rows where the cached copy has 64: 67% fewer, more than "
                         "locations.max_row_drop (20%)",
                   "(if the rows were removed on purpose, build once with "
                   "SITEGEN_LOCATIONS__MAX_ROW_DROP=1; otherwise check the source)")
    # Removed on purpose: the user says so once, and the shorter dataset becomes the copy.
    accepted = build(good.site, env={"SITEGEN_LOCATIONS__MAX_ROW_DROP": "1"})
    assert summary(accepted)["built"] == 21
    meta = json.loads(cache_files(good.site, good.url)[1].read_text())
    assert (meta["rows"], meta["etag"]) == (21, '"v2"')


def test_trickling_server_is_cut_off_at_the_deadline(good: Shared) -> None:
    good.host.stream[PATH] = trickle(0.2)  # never silent for the 30 s read timeout
    assert_refused(good, f"not finished within the {DEADLINE} s download deadline "
                         "(locations.download_deadline)",
                   "(the server is too slow or stalled; build again later, or raise "
                   "locations.download_deadline)")


def test_redirect_to_loopback_is_refused_unless_private_hosts_are_allowed(good: Shared) -> None:
    with LocalServer(Host(body={PATH: DATA}).reply) as other:
        target = f"{other.url}{PATH}"  # 127.0.0.1 on another port: not the configured origin
        good.host.redirect[PATH] = target
        assert_refused(good, f"redirected to {target}: 127.0.0.1 is a loopback address",
                       PRIVATE)
        assert other.requests == []
        allowed = build(good.site, env={"SITEGEN_LOCATIONS__ALLOW_PRIVATE_HOSTS": "true"})
        assert summary(allowed)["built"] == 64
        assert [r.path for r in other.requests] == [PATH]


def test_redirect_to_ftp_is_refused(good: Shared) -> None:
    good.host.redirect[PATH] = "ftp://127.0.0.1/stores.csv"
    assert_refused(good, "redirected to ftp://127.0.0.1/stores.csv, which is not an http(s) "
                         "URL", "(sitegen follows redirects only to http:// and https:// URLs; "
                         "use the final http(s) URL as locations.source)")


def test_redirect_loop_is_refused(good: Shared) -> None:
    good.host.redirect[PATH] = PATH  # the configured origin is trusted: the count still holds
    assert_refused(good, f"more than 5 redirects (the last to {good.url})",
                   "(use the URL the redirects end at as locations.source, or fix the "
                   "redirect loop on the server)")
    assert len(gets(good.server)) == 6  # the configured URL and 5 redirects


def test_chunked_transfer_without_its_last_chunk_is_refused(good: Shared) -> None:
    good.host.stream[PATH] = chunked([DATA[:1000], DATA[1000:2000]], last=False)
    assert_refused(good, "truncated: the chunked transfer stopped before its last chunk, "
                         "after 2000 bytes", TRUNCATED)
    # The whole transfer, in chunks, is accepted: the same bytes as the cached copy.
    good.host.stream[PATH] = chunked([DATA[:1000], DATA[1000:]], last=True)
    assert summary(build(good.site))["built"] == 64


def test_same_origin_redirect_is_followed(tmp_path: Path,
                                          host: tuple[Host, LocalServer]) -> None:
    state, server = host
    state.redirect["/old.csv"] = "/stores.csv"
    result = build(url_site(tmp_path / "site", f"{server.url}/old.csv"))
    assert summary(result)["built"] == 3
    assert [r.path for r in gets(server)] == ["/old.csv", "/stores.csv"]


def test_json_cut_without_length_is_refused(tmp_path: Path,
                                            host: tuple[Host, LocalServer]) -> None:
    state, server = host
    text = json.dumps({"stores": ROWS}, indent=2).encode()
    state.stream["/api/stores.json"] = cut(text[:-40])
    state.content_type["/api/stores.json"] = "application/json"
    url = f"{server.url}/api/stores.json"
    end = text[:-40].rstrip()
    line, column = end.count(b"\n") + 1, len(end.rsplit(b"\n", 1)[-1])
    result = run_cli("build", "--source", url_site(tmp_path / "site", url))
    assert_fails(result, [f"{url}: locations.source: refusing the download: truncated: the "
                          f"JSON stops at line {line}, column {column}, before it is complete "
                          f"{TRUNCATED}"])
    assert not (tmp_path / "site" / "dist").exists()


def test_a_whole_download_the_reader_rejects_keeps_the_cached_copy(good: Shared) -> None:
    """Complete, but not a dataset: the reader's own error, in every environment, and the
    cached copy (the last good download) stays for the build after the source is fixed."""
    broken = DATA.replace(b"id,name,street", b"id,name,name", 1)
    good.host.body[PATH] = broken
    output, cache = good.site / "dist" / "production", good.site / ".sitegen" / "cache"
    before = (tree_hashes(output), tree_hashes(cache))
    result = run_cli("build", "--source", good.site, "--env", "development")
    assert_fails(result, [f"{good.url}:1: duplicate column 'name' (columns 2 and 3) (rename "
                          "one of them so each column has its own name)"])
    assert (tree_hashes(output), tree_hashes(cache)) == before
