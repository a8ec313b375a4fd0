"""`sitegen serve`: the pieces in-process, then the real server as a subprocess over HTTP.

The pieces: request-path checks, editor-noise filtering, debouncing, rebuild coalescing,
script injection and the event hub. The real server (tests/serve_support.py): basic auth on
staging (encrypt and basic-auth modes), the development lead inbox (spam marked, cross-site
posts refused), Host headers other than its own refused (DNS rebinding), path traversal over a
bare socket, 200 rapid valid and invalid edits, and SIGINT/SIGTERM leaving no process and no
temporary folder behind. Browser tests are in tests/browser/test_serve_browser.py.
"""

from __future__ import annotations

import json
import re
import signal
import socket
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from support.serve import ServeProcess, basic_auth, location_url, served_record, wait_for
from support.sites import (
    BASE_CONFIG,
    csv_text,
    generated_rows,
    make_site,
    run_process,
    small_site,
)

from sitegen.diagnostics import Diagnostic, SitegenError
from sitegen.serve import livereload
from sitegen.serve.rebuild import Rebuilder
from sitegen.serve.server import (
    BadTarget,
    Listen,
    content_type,
    cross_site,
    host_name,
    is_loopback,
    request_path,
    resolve_file,
    url_host,
)
from sitegen.serve.watch import Debouncer, Watcher, ignored

# --- the pieces ------------------------------------------------------------------------------


@pytest.mark.parametrize("target", [
    "/../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/%2E%2E/secret.txt", "/..%2f..%2fetc",
    "/a/%2e%2e/%2e%2e/secret.txt", "/a/./b", "/%2e/x", "/..\\..\\secret.txt", "/%5c..%5csecret",
    "/index.html%00.css", "/a\x00b", "http://127.0.0.1/../secret.txt", "secret.txt", "*",
    "/%ff%fe",
])
def test_request_path_refuses_unsafe_targets(target: str) -> None:
    with pytest.raises(BadTarget):
        request_path(target)


def test_request_path_decodes_once() -> None:
    assert request_path("/caf%C3%A9/?q=1") == ("/café/", "q=1")
    assert request_path("/a%252e%252e/") == ("/a%2e%2e/", "")  # still one segment, not ..
    assert request_path("/") == ("/", "")


def test_resolve_file_stays_inside_the_output_folder(tmp_path: Path) -> None:
    root = tmp_path / "dist"
    (root / "a").mkdir(parents=True)
    (root / "a" / "index.html").write_text("a")
    (root / ".htpasswd").write_text("user:hash")
    (root / ".well-known").mkdir()
    (root / ".well-known" / "security.txt").write_text("contact")
    (tmp_path / "secret.txt").write_text("secret")
    (root / "link.txt").symlink_to(tmp_path / "secret.txt")
    (root / "linkdir").symlink_to(tmp_path)
    root = root.resolve()
    assert resolve_file(root, "/a/") == root / "a"
    assert resolve_file(root, "//a//index.html") == root / "a" / "index.html"
    assert resolve_file(root, "/.well-known/security.txt") is not None
    for path in ("/.htpasswd", "/link.txt", "/linkdir/secret.txt", "/missing/"):
        assert resolve_file(root, path) is None, path


def test_content_types() -> None:
    assert content_type(Path("a/index.html")) == "text/html; charset=utf-8"
    assert content_type(Path("x.css")) == "text/css; charset=utf-8"
    assert content_type(Path("x.js")) == "text/javascript; charset=utf-8"
    assert content_type(Path("x.geojson")) == "application/geo+json; charset=utf-8"
    assert content_type(Path("x.png")) == "image/png"


@pytest.mark.parametrize("name", [".brand.css.swp", ".brand.css.swx", "brand.css~", "4913",
                                  ".#brand.css", "#brand.css#", "upload.tmp", ".DS_Store",
                                  "__pycache__/x.pyc", "sedAb12Cd", "x.css___jb_tmp___"])
def test_editor_noise_is_ignored(name: str) -> None:
    assert ignored(Path("themes/juniper/static/css") / name)


@pytest.mark.parametrize("name", ["brand.css", "locations.csv", "about.md", "base.yaml",
                                  "sed.txt", "tmp.md", "4913.md"])
def test_real_files_are_not_ignored(name: str) -> None:
    assert not ignored(Path("content") / name)


def test_debouncer_turns_a_burst_into_one_batch() -> None:
    batches: list[set[Path]] = []
    debouncer = Debouncer(batches.append, quiet=0.15, max_wait=5)
    try:
        for n in range(30):
            debouncer.add([Path(f"f{n}")])
            time.sleep(0.003)
        wait_for(lambda: batches, 5, message="a batch")
        time.sleep(0.3)
        assert len(batches) == 1 and len(batches[0]) == 30
    finally:
        debouncer.stop()


def test_debouncer_delivers_a_burst_that_never_goes_quiet() -> None:
    batches: list[set[Path]] = []
    debouncer = Debouncer(batches.append, quiet=0.2, max_wait=0.3)
    try:
        deadline = time.monotonic() + 1.0
        while time.monotonic() < deadline:
            debouncer.add([Path("f")])
            time.sleep(0.02)
        assert batches, "max_wait must flush a continuous burst"
    finally:
        debouncer.stop()


def test_debouncer_delivers_a_finished_save_without_waiting_for_quiet() -> None:
    batches: list[set[Path]] = []
    debouncer = Debouncer(batches.append, quiet=3.0, max_wait=10)
    try:
        debouncer.add([Path("a.md")])  # written to: maybe more is coming
        time.sleep(0.5)
        assert batches == [], "a file still being written waits for the quiet period"
        debouncer.add([Path("a.md")], finished=True)  # closed after writing
        wait_for(lambda: batches, 2.0, message="the finished save, well before `quiet`")
        assert batches == [{Path("a.md")}]
        debouncer.add([Path("b.md")])
        debouncer.add([Path("c.md")])
        debouncer.add([Path("b.md")], finished=True)  # c.md is still open
        time.sleep(0.5)
        assert len(batches) == 1, "one file of the burst is not finished yet"
    finally:
        debouncer.stop()


def test_watcher_sees_a_closed_file_as_a_finished_save(tmp_path: Path) -> None:
    site = make_site(tmp_path, {"content/index.md": "# Home\n"})
    batches: list[set[Path]] = []
    watcher = Watcher(site, batches.append, quiet=5.0, max_wait=10)
    watcher.start()
    try:
        (site / "content" / "index.md").write_text("# Home, edited\n")  # open, write, close
        wait_for(lambda: batches, 3.0, message="the save, before the 5 s quiet period")
        assert {p.name for p in batches[0]} == {"index.md"}
    finally:
        watcher.stop()


def test_watcher_reports_saves_and_ignores_editor_files(tmp_path: Path) -> None:
    site = make_site(tmp_path, {"content/index.md": "# Home\n", "dist/x.html": "x"})
    batches: list[set[Path]] = []
    watcher = Watcher(site, batches.append, quiet=0.1)
    watcher.start()
    try:
        (site / "content" / ".index.md.swp").write_text("swap")
        (site / "content" / "4913").write_text("")
        (site / "content" / "4913").unlink()
        (site / "dist" / "y.html").write_text("y")  # output, not a source
        time.sleep(0.5)
        assert batches == []
        (site / "content" / "index.md").write_text("# Home, edited\n")
        wait_for(lambda: batches, 10, message="the save")
        assert {p.name for p in batches[0]} == {"index.md"}
        (site / "themes" / "t" / "static").mkdir(parents=True)  # a watched folder appears
        wait_for(lambda: len(batches) > 1, 10, message="the new themes/ folder")
        batches.clear()
        (site / "themes" / "t" / "static" / "a.css").write_text("a{}")
        wait_for(lambda: any(p.name == "a.css" for b in batches for p in b), 10,
                 message="a file in the new folder")
    finally:
        watcher.stop()


def test_rebuilder_lets_readers_of_released_files_through_mid_build() -> None:
    """A build that has finished its pages releases them: their readers go ahead while
    readers of the files still being written wait for the end of the build."""
    release = threading.Event()
    reads: dict[str, float] = {}
    rebuilder: Rebuilder

    def build(progress: object, changed: object) -> str:
        rebuilder.release(lambda path: path.endswith("/"))
        release.wait(10)
        return "ok"

    rebuilder = Rebuilder(build, lambda outcome: None)
    rebuilder.start()
    try:
        rebuilder.request()
        wait_for(lambda: rebuilder.building, 5, message="the build to start")

        def read(path: str) -> None:
            with rebuilder.idle(30, path):
                reads[path] = time.monotonic()

        readers = [threading.Thread(target=read, args=(p,)) for p in ("/page/", "/feed.json")]
        for reader in readers:
            reader.start()
        wait_for(lambda: "/page/" in reads, 5, message="the released page to be read")
        time.sleep(0.2)
        assert "/feed.json" not in reads, "a file still being written was read mid-build"
        finished = time.monotonic()
        release.set()
        for reader in readers:
            reader.join(10)
        assert reads["/feed.json"] >= finished
    finally:
        release.set()
        rebuilder.stop()


def test_rebuilder_runs_one_build_at_a_time_and_coalesces() -> None:
    started = threading.Event()
    release = threading.Event()
    running = []
    outcomes = []

    def build(progress: object, changed: object) -> str:
        running.append(1)
        assert len(running) == 1, "two builds at once"
        started.set()
        release.wait(5)
        running.pop()
        return "ok"

    rebuilder = Rebuilder(build, outcomes.append)
    rebuilder.start()
    try:
        rebuilder.request([Path("a")])
        assert started.wait(5)
        for n in range(20):  # all of these arrive during the first build
            rebuilder.request([Path(f"b{n}")])
        release.set()
        wait_for(lambda: len(outcomes) >= 2, 5, message="two builds")
        time.sleep(0.2)
        assert len(outcomes) == 2
        assert all(o.ok for o in outcomes) and outcomes[1].generation == 2
        assert outcomes[1].changed == frozenset(Path(f"b{n}") for n in range(20))
    finally:
        release.set()
        rebuilder.stop()


def test_rebuilder_turns_every_failure_into_diagnostics() -> None:
    results = iter([SitegenError(Diagnostic("config/base.yaml", 3, "site", "bad value")),
                    RuntimeError("boom"), "good"])
    outcomes = []

    def build(progress: object, changed: object) -> str:
        value = next(results)
        if isinstance(value, Exception):
            raise value
        return value

    rebuilder = Rebuilder(build, outcomes.append)
    rebuilder.start()
    try:
        for n in range(3):
            rebuilder.request([Path(f"f{n}")])
            wait_for(lambda n=n: len(outcomes) > n, 5, message=f"build {n}")
        first, second, third = outcomes
        assert not first.ok and first.diagnostics[0].format() == \
            "config/base.yaml:3: site: bad value"
        assert not second.ok and "unexpected error: RuntimeError: boom" in \
            second.diagnostics[0].message
        assert third.ok and third.recovered and third.generation == 1
        assert third.changed == {Path("f0"), Path("f1"), Path("f2")}
    finally:
        rebuilder.stop()


def test_rebuilder_stop_cancels_at_the_next_progress_tick() -> None:
    ticks = []

    def build(progress: object, changed: object) -> None:
        while True:
            ticks.append(1)
            progress(len(ticks), 10**9)  # type: ignore[operator]
            time.sleep(0.01)

    rebuilder = Rebuilder(build, lambda outcome: None)
    rebuilder.start()
    rebuilder.request()
    wait_for(lambda: ticks, 5, message="the build to start")
    started = time.monotonic()
    assert rebuilder.stop(grace=5)
    assert time.monotonic() - started < 2


def test_script_goes_before_the_last_body_end() -> None:
    page = b"<html><body><p>x</p><script>'</body>'</script></BODY>\n</html>"
    out = livereload.inject(page, "b-1")
    assert out.count(livereload.SCRIPT_PATH.encode()) == 1
    assert out.endswith(b'data-sitegen-status="200"></script>\n</BODY>\n</html>')
    assert livereload.inject(b"<p>no body</p>", "b-1", 404).startswith(b"<p>no body</p>\n<script")


def test_hub_tells_a_new_page_about_a_broken_build() -> None:
    hub = livereload.Hub("test")
    hub.failed([Diagnostic("locations/locations.csv", 4, "lat", "not a number", "write 12.5")])
    client = hub.subscribe()
    assert client.get_nowait() == b"retry: 1000\n\n"
    hello = client.get_nowait().decode()
    assert hello.startswith("event: hello\ndata: ")
    state = json.loads(hello.split("data: ", 1)[1])
    assert state["error"]["diagnostics"][0]["text"] == \
        "locations/locations.csv:4: lat: not a number (write 12.5)"
    hub.reload(3)
    assert client.get_nowait() == livereload.event("reload", {"build": "test-3", "kept": False})
    hub.reload(4, kept=True)  # an in-place edit: the page may reload without asking first
    assert client.get_nowait() == livereload.event("reload", {"build": "test-4", "kept": True})
    assert not hub.broken and hub.current == "test-4"
    hub.close()
    assert client.get_nowait() is None


def test_loopback_hosts_and_served_urls() -> None:
    assert is_loopback("127.0.0.1") and is_loopback("localhost") and is_loopback("::1")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.10")
    assert url_host("0.0.0.0") == "127.0.0.1" and url_host("::") == "[::1]"
    assert url_host("::1") == "[::1]" and url_host("localhost") == "localhost"


@pytest.mark.parametrize("header", [
    "127.0.0.1", "127.0.0.1:8000", "localhost:8000", "LOCALHOST", "localhost.:8000",
    "[::1]:8000", "[::1]", "127.0.0.2:8000", None])
def test_the_server_answers_its_own_host_names(header: str | None) -> None:
    assert Listen().allows(header)


@pytest.mark.parametrize("header", [
    "evil.example", "evil.example:8000", "127.0.0.1.nip.io:8000", "localhost.evil.example",
    "192.168.1.10:8000", "[fe80::1]:8000", "", ":8000", "0x7f000001", "2130706433"])
def test_the_server_refuses_other_host_names(header: str) -> None:
    assert not Listen().allows(header)


def test_host_names_for_a_named_host_a_wildcard_and_allowed_hosts() -> None:
    assert Listen("devbox.local").allows("DevBox.local:8000")
    assert not Listen("devbox.local").allows("evil.example")
    wildcard = Listen("0.0.0.0")
    assert wildcard.allows("192.168.1.10:8000") and wildcard.allows("[fe80::1]:8000")
    assert not wildcard.allows("evil.example:8000")  # a name still has to be ours
    tunnel = Listen(allowed_hosts=("site-8000.preview.example",))
    assert tunnel.allows("site-8000.preview.example") and not tunnel.allows("preview.example")
    assert Listen("0.0.0.0").names() == \
        "localhost, 127.0.0.1, [::1], any IP address of this machine"


_label = st.text("abcdefghijklmnopqrstuvwxyz0123456789-", min_size=1, max_size=12)


@given(labels=st.lists(_label, min_size=2, max_size=4), port=st.integers(0, 65535))
def test_no_domain_name_but_localhost_is_answered(labels: list[str], port: int) -> None:
    """A DNS rebinding attack names the attacker's domain, whatever it resolves to."""
    name = ".".join(labels)
    assume(not re.fullmatch(r"[\d.]+", name))  # 127.0.0.1 is ours
    assert host_name(f"{name}:{port}") == name
    assert not Listen().allows(f"{name}:{port}") and not Listen().allows(name)


@given(st.text(max_size=40))
def test_host_name_never_fails(header: str) -> None:
    assert isinstance(host_name(header), str)
    Listen().allows(header)


def test_cross_site_inbox_posts() -> None:
    own = {"Host": "127.0.0.1:8000"}
    assert cross_site({**own, "Origin": "http://127.0.0.1:8000",
                       "Sec-Fetch-Site": "same-origin"}) is None
    assert cross_site(own) is None  # curl: no Origin, no Sec-Fetch-Site
    assert cross_site({**own, "Origin": "http://evil.example", "Sec-Fetch-Site": "cross-site"}) \
        == "a cross-site post (Sec-Fetch-Site)"
    assert cross_site({**own, "Origin": "http://127.0.0.1:9000", "Sec-Fetch-Site": "same-site"}) \
        == "a same-site post (Sec-Fetch-Site)"
    assert cross_site({**own, "Origin": "http://127.0.0.1:9000"}) == \
        "a post from http://127.0.0.1:9000"
    assert cross_site({**own, "Origin": "null"}) == "a post from null"
    assert cross_site({**own, "Origin": "https://127.0.0.1:8000"}) is not None


# --- the real server ---------------------------------------------------------------------------

LEADS_CONFIG = BASE_CONFIG + "leads:\n  consent_text: I agree.\n  min_seconds: 5\n"
SECRET = "TOP-SECRET-d41d8cd9"


@pytest.fixture(scope="module")
def dev_server(tmp_path_factory: pytest.TempPathFactory):
    site = small_site(tmp_path_factory.mktemp("serve") / "site", config=LEADS_CONFIG,
                      extra={"secret.txt": SECRET})
    with ServeProcess(site) as server:
        server.wait_outcome()
        yield server


def test_serve_prints_the_url_and_serves_with_live_reload(dev_server: ServeProcess) -> None:
    assert dev_server.url.startswith("http://127.0.0.1:")
    status, headers, body = dev_server.http("/")
    assert status == 200 and headers["content-type"] == "text/html; charset=utf-8"
    assert body.count(b'<script src="/_sitegen/livereload.js"') == 1
    assert dev_server.url.encode() in body  # the base URL of the build is the served URL
    built = (dev_server.site / "dist" / "development" / "index.html").read_bytes()
    assert b"/_sitegen/livereload.js" not in built  # injected when served, never in dist/
    status, headers, _ = dev_server.http("/locations")
    assert status == 301 and headers["location"] == "/locations/"
    status, _, body = dev_server.http("/no/such/page/")
    assert status == 404 and b"/_sitegen/livereload.js" in body
    status, headers, body = dev_server.http("/_sitegen/livereload.js")
    assert status == 200 and b"EventSource" in body


def test_serve_lets_the_browser_keep_versioned_assets(dev_server: ServeProcess) -> None:
    page = dev_server.text("/")
    versioned = re.search(r'href="(/_assets/css/site\.css\?v=[0-9a-f]{10})"', page)
    assert versioned, page
    status, headers, _ = dev_server.http(versioned.group(1))
    assert status == 200 and headers["cache-control"] == "public, max-age=31536000, immutable"
    for other in ("/_assets/css/site.css", "/_assets/css/site.css?v=0000000000", "/"):
        status, headers, _ = dev_server.http(other)
        assert status == 200 and headers["cache-control"] == "no-cache", other


def test_serve_stores_development_leads(dev_server: ServeProcess) -> None:
    inbox = dev_server.site / ".sitegen" / "leads.jsonl"
    before = len(inbox.read_text().splitlines()) if inbox.exists() else 0
    status, _, body = dev_server.http(
        "/_sitegen/leads", method="POST",
        headers={"Content-Type": "application/json", "Accept": "application/json"},
        body=json.dumps({"name": "Ada", "email": "ada@example.com", "location_id": "ST-0001",
                         "message": "Hello"}).encode())
    assert status == 200 and json.loads(body)["ok"] is True
    status, headers, _ = dev_server.http(
        "/_sitegen/leads", method="POST",
        headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": "text/html"},
        body=b"name=Grace&email=grace%40example.com&location_id=ST-0002&message=Hi")
    assert status == 303 and headers["location"] == "/thanks/"
    records = [json.loads(line) for line in inbox.read_text().splitlines()][before:]
    assert [(r["location_id"], r["fields"]["name"]) for r in records] == \
        [("ST-0001", "Ada"), ("ST-0002", "Grace")]
    wait_for(lambda: sum("lead from" in line for line in dev_server.err) >= 2, 10,
             message="the lead summary lines")
    status, _, _ = dev_server.http("/_sitegen/leads", method="POST", body=b"x" * 70_000,
                                   headers={"Content-Type": "text/plain"})
    assert status == 413


def _inbox(server: ServeProcess) -> list[dict]:
    path = server.site / ".sitegen" / "leads.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def test_serve_answers_only_its_own_host_names(dev_server: ServeProcess) -> None:
    port = dev_server.port
    for host in (f"127.0.0.1:{port}", f"localhost:{port}", f"[::1]:{port}", "localhost"):
        assert dev_server.http("/", headers={"Host": host})[0] == 200, host
    before = len(_inbox(dev_server))
    for host in ("evil.example", f"evil.example:{port}", f"127.0.0.1.nip.io:{port}",
                 f"localhost.evil.example:{port}"):
        for method, path, body in (("GET", "/", None), ("GET", "/secret.txt", None),
                                   ("GET", "/_sitegen/events", None),
                                   ("POST", "/_sitegen/leads", b"name=Rebound")):
            status, headers, reply = dev_server.http(path, method=method, body=body, headers={
                "Host": host, "Content-Type": "application/x-www-form-urlencoded"})
            assert status == 421, (host, path, status)
            assert reply.decode() == (
                "sitegen serve answers only its own host names (localhost, 127.0.0.1, [::1]), "
                f"not {host.rsplit(':', 1)[0] if ':' in host else host!r}: a page that points its "
                "own domain at this machine cannot use it (DNS rebinding). To open the site "
                "under that name, restart with --allow-host NAME.\n")
            assert SECRET.encode() not in reply
    assert len(_inbox(dev_server)) == before
    # An HTTP/1.0 tool that sends no Host header is no browser: it is answered.
    with socket.create_connection((dev_server.host, port), timeout=30) as sock:
        sock.sendall(b"GET / HTTP/1.0\r\n\r\n")
        assert sock.recv(64).startswith(b"HTTP/1.0 200 ")


def test_serve_inbox_refuses_cross_site_posts(dev_server: ServeProcess) -> None:
    own = f"http://127.0.0.1:{dev_server.port}"
    form = {"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"}
    before = len(_inbox(dev_server))
    for headers, why in (
            ({"Origin": "http://evil.example", "Sec-Fetch-Site": "cross-site"},
             "a cross-site post (Sec-Fetch-Site)"),
            ({"Origin": "http://127.0.0.1:9", "Sec-Fetch-Site": "same-site"},
             "a same-site post (Sec-Fetch-Site)"),
            ({"Origin": "http://evil.example"}, "a post from http://evil.example"),
            ({"Origin": "null"}, "a post from null")):
        status, _, reply = dev_server.http("/_sitegen/leads", method="POST",
                                           body=b"name=Mallory&message=spam",
                                           headers={**form, **headers})
        assert status == 403, headers
        assert reply.decode() == (f"{why} refused: the lead inbox takes posts from the pages "
                                  "of this site only\n")
    assert len(_inbox(dev_server)) == before
    status, _, reply = dev_server.http("/_sitegen/leads", method="POST",
                                       body=b"name=Ada&message=hello", headers={
                                           **form, "Origin": own, "Sec-Fetch-Site": "same-origin"})
    assert status == 200 and json.loads(reply)["ok"] is True
    assert [r["fields"]["name"] for r in _inbox(dev_server)[before:]] == ["Ada"]


def test_serve_inbox_marks_spam_by_the_sites_rules(dev_server: ServeProcess) -> None:
    before = len(_inbox(dev_server))
    now = int(time.time() * 1000)
    for name, fields in (("Bot", {"_gotcha": "http://spam.example", "_started": now - 60_000}),
                         ("Quick", {"_started": now - 4000}),  # leads.min_seconds is 5 here
                         ("Human", {"_started": now - 6000, "_gotcha": ""})):
        status, headers, _ = dev_server.http(
            "/_sitegen/leads", method="POST", body=urlencode({"name": name, **fields}).encode(),
            headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": "text/html"})
        assert status == 303 and headers["location"] == "/thanks/"  # spam is told nothing
    records = {r["fields"]["name"]: r for r in _inbox(dev_server)[before:]}
    assert records["Bot"]["spam_reason"] == "the _gotcha honeypot is filled"
    assert re.fullmatch(r"sent 4\.\d s after the form was shown \(leads\.min_seconds is 5\)",
                        records["Quick"]["spam_reason"]), records["Quick"]
    assert (records["Human"]["spam"], records["Human"]["spam_reason"]) == (False, None)
    wait_for(lambda: any("lead (spam: the _gotcha honeypot is filled) from Bot" in line
                         for line in dev_server.err), 10, message="the spam summary line")


def test_requests_during_a_rebuild_wait_for_it(dev_server: ServeProcess) -> None:
    rows = generated_rows(3)
    mark = len(dev_server.out)
    (dev_server.site / "locations" / "locations.csv").write_text(
        csv_text([*rows[:2], {**rows[2], "phone": "(217) 555-0999"}]), encoding="utf-8")
    dev_server.wait_line(r"^changed: locations/locations\.csv; rebuilding", start=mark)
    # the build is running now: this request waits for it and sees the new number
    assert served_record(dev_server, "ST-0003")["phone_display"] == "(217) 555-0999"


@pytest.mark.parametrize("target", [
    "/../secret.txt", "/../../../../etc/passwd", "/%2e%2e/secret.txt", "/%2E%2E/%2E%2E/etc/passwd",
    "/..%2fsecret.txt", "/locations/..%2f..%2f..%2fsecret.txt", "/%2e%2e%2f%2e%2e%2fsecret.txt",
    "/..\\secret.txt", "/%5c..%5csecret.txt", "/secret.txt%00.html", "//etc/passwd",
    "/%2fetc%2fpasswd", "/.%2e/secret.txt", "/_assets/../../secret.txt",
    "http://127.0.0.1/../secret.txt", "/etc/passwd", "/dist/../secret.txt", "/..;/secret.txt",
])
def test_serve_never_leaves_the_output_folder(dev_server: ServeProcess, target: str) -> None:
    status, reply = dev_server.raw_request(f"GET {target} HTTP/1.0")
    assert status in (400, 404), reply[:300]
    assert SECRET.encode() not in reply and b"root:x:0:0" not in reply


def test_serve_staging_asks_for_basic_auth(tmp_path: Path) -> None:
    rows = generated_rows(2)
    password = "correct horse battery"
    encrypt = small_site(tmp_path / "encrypt", rows)
    basic = small_site(tmp_path / "basic", rows, extra={
        "config/uat.yaml": "environment:\n  behaves_like: staging\nprotection:\n"
                           "  mode: basic-auth\n  username: review\n  host: netlify\n"})
    env = {"SITEGEN_STAGING_PASSWORD": password}
    with ServeProcess(encrypt, "--env", "staging", env=env) as staging, \
            ServeProcess(basic, "--env", "uat", env=env) as uat:
        for server, user in ((staging, "staging"), (uat, "review")):
            server.wait_outcome()
            status, headers, _ = server.http("/")
            assert status == 401, server.transcript()
            assert headers["www-authenticate"].startswith("Basic realm=")
            assert server.http("/_sitegen/events")[0] == 401
            assert server.http("/", headers=basic_auth(user, "wrong"))[0] == 401
            status, headers, body = server.http("/", headers=basic_auth(user, password))
            assert status == 200 and b"</html>" in body, server.transcript()
            assert headers["x-robots-tag"] == "noindex, nofollow"
            assert server.http("/_sitegen/leads", method="POST", body=b"{}",
                               headers=basic_auth(user, password))[0] == 403
        assert b"sitegen-protected" in staging.http("/", headers=basic_auth("staging", password))[2]


def _write(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8", newline="")


def test_serve_survives_200_rapid_edits(tmp_path: Path) -> None:
    rows = generated_rows(3)
    site = small_site(tmp_path / "site", rows)
    config = site / "config" / "base.yaml"
    data = site / "locations" / "locations.csv"
    good_config = config.read_text()
    with ServeProcess(site) as server:
        server.wait_outcome()
        assert location_url(server, "ST-0001").startswith("/locations/")
        for n in range(200):
            kind = n % 4
            if kind == 0:
                _write(config, "site: [unclosed\n  name: x\n")  # bad YAML
            elif kind == 1:
                _write(config, good_config)
                _write(data, csv_text([{**rows[0], "phone": f"(217) 555-{n:04d}"}, *rows[1:]]))
            elif kind == 2:
                _write(data, csv_text([{**rows[0], "lat": "north"}, *rows[1:]]))  # bad row
            else:
                _write(data, csv_text([{**rows[0], "name": f"Edit {n}"}, *rows[1:]]))
            time.sleep(0.004)
            assert server.alive(), server.transcript()
        _write(config, good_config)
        _write(data, csv_text([{**rows[0], "name": "Final Store", "phone": "(217) 555-0777"},
                               *rows[1:]]))
        final = {"name": "Final Store", "phone_display": "(217) 555-0777"}

        def served() -> bool:
            status, _, body = server.http("/api/locations.json")
            records = json.loads(body)["locations"] if status == 200 else []
            return any(final.items() <= record.items() for record in records)

        wait_for(served, 120, interval=0.25,
                 message=lambda: f"the final edit\n{server.transcript()}")
        page = server.text(location_url(server, "ST-0001"))
        assert "Final Store" in page and "(217) 555-0777" in page
        assert server.alive()
        assert "Traceback" not in "\n".join(server.err), server.transcript()
        assert server.stop() == 0, server.transcript()


def _tmp_folders(site: Path) -> list[Path]:
    dist = site / "dist"
    return sorted(dist.glob(".*.tmp-*")) + sorted(dist.glob(".*.old-*")) \
        if dist.is_dir() else []


def test_sigint_stops_cleanly(site: Path) -> None:
    with ServeProcess(site) as server:
        server.wait_outcome()
        assert server.http("/")[0] == 200
        code = server.stop(signal.SIGINT, timeout=30)
        assert code == 0, server.transcript()
        assert server.out[-1] == "stopped", server.transcript()
        assert server.group_processes() == []
        assert _tmp_folders(site) == []
        assert "Traceback" not in "\n".join(server.err), server.transcript()


def test_sigterm_during_a_parallel_build_stops_cleanly(tmp_path: Path) -> None:
    """A build with a pool of render workers is cancelled: no worker, no temporary folder."""
    site = small_site(tmp_path / "site", generated_rows(450))
    with ServeProcess(site, "--jobs", "2") as server:
        wait_for(lambda: len(server.group_processes()) >= 3 and _tmp_folders(site), 120,
                 interval=0.02, message=lambda: f"the render workers\n{server.transcript()}")
        code = server.stop(signal.SIGTERM, timeout=60)
        assert code == 0, server.transcript()
        wait_for(lambda: server.group_processes() == [], 10, message="no process left")
        assert _tmp_folders(site) == []
        assert "Traceback" not in "\n".join(server.err), server.transcript()


def test_a_port_in_use_is_an_error_not_a_traceback(site: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = run_process("serve", "--source", site, "--port", str(port), timeout=60)
    assert result.returncode == 1, str(result)
    assert result.err_lines[0].startswith(f"127.0.0.1:{port}: --port: cannot listen: "), \
        str(result)
    assert "Traceback" not in result.stderr


def test_a_public_host_is_served_with_a_warning(site: Path) -> None:
    with ServeProcess(site, "--host", "0.0.0.0") as server:
        assert server.url.startswith("http://127.0.0.1:")
        server.wait_line(r"0\.0\.0\.0 is not a loopback address", stream="err", timeout=30)
        assert "0.0.0.0 is not a loopback address" in server.err[0]
        server.wait_outcome()
        assert server.http("/")[0] == 200
