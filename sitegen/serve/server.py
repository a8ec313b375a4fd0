"""`sitegen serve`: an editor's own live instance of the site.

    bind 127.0.0.1:PORT → build (base URL = the served URL) → serve dist/<env>/ over HTTP
    → watch config/ locations/ content/ themes/ → rebuild on a worker thread → tell the
    open pages over Server-Sent Events (reload, swap stylesheets, or show the error overlay)

One module per job: `watch.py` (watchdog and debounce), `rebuild.py` (one rebuild at a time,
coalesced, never fatal), `livereload.py` (the event stream and the injected script); this
module is the HTTP server and its routes:

    GET/HEAD /_sitegen/events        the event stream (livereload.Hub)
    GET/HEAD /_sitegen/livereload.js the script injected before </body> of served pages
    POST     /_sitegen/leads         development lead forms → inbox.handle_inbox()
    GET/HEAD /_sitegen/leads         the inbox page (leadspage.render), newest first
    POST     /_sitegen/leads/clear   empty the inbox (leadspage.clear), then back to the page
    GET/HEAD anything else           a file of dist/<env>/ (folders serve index.html)

Every build goes through `builder/pipeline.build()`, so a faster (incremental) build makes serve
faster with no change here. Requests wait (at most 30 s) while a build runs, then read the file with
the rebuild lock held, so a page is never read from a half-swapped site. An edit applied in
place (warm.py) writes its pages first and releases them (`Rebuilder.release`): the open
pages reload at once, and only requests for the feeds still being rewritten wait. Paths are
decoded once and checked: `..` and `.` segments, backslashes and NUL are refused (400),
dotfiles and anything that resolves outside the output folder (symlinks included) are not
found (404).
Protected environments (`protection.mode` basic-auth or encrypt) ask for HTTP basic auth
with `protection.username` and the password from the environment, on every route.

Only the server's own host names are answered (`Listen.allows`): a request whose Host header
names anything else gets 421, so a web page that rebinds its own DNS name to 127.0.0.1 cannot
read the site or post to the inbox. The inbox takes posts from the site's own pages only
(`cross_site`): a browser's post from any other origin is refused with 403 and not stored.
The inbox page and its clear action exist only where forms post to the inbox (development),
answer only the site's own pages or an address typed in (`cross_site` again), and are never
framed.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import ipaddress
import mimetypes
import os
import queue
import secrets
import shutil
import signal
import socket
import threading
import traceback
import webbrowser
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from email.message import Message
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, quote, unquote_to_bytes

import click

from sitegen.config.policy import LOCAL_INBOX, Policy
from sitegen.diagnostics import Diagnostic, SitegenError
from sitegen.serve import leadspage, livereload
from sitegen.serve.inbox import InboxRules
from sitegen.serve.rebuild import Outcome, Rebuilder
from sitegen.serve.watch import WATCHED_DIRS, Watcher

if TYPE_CHECKING:
    from sitegen.serve.warm import WarmSite

WAIT_SECONDS = 30.0
KEEPALIVE_SECONDS = 15.0
DRAIN_LIMIT = 1024 * 1024
ALLOWED_DOT_SEGMENTS = frozenset({".well-known"})
HTML_SUFFIXES = (".html", ".htm")
TEXT_TYPES = ("text/", "application/json", "application/geo+json", "application/xml",
              "application/javascript", "image/svg+xml", "application/manifest+json")
EXTRA_TYPES = {".js": "text/javascript", ".mjs": "text/javascript", ".json": "application/json",
               ".geojson": "application/geo+json", ".webmanifest": "application/manifest+json",
               ".svg": "image/svg+xml", ".xml": "application/xml", ".txt": "text/plain",
               ".csv": "text/csv", ".ics": "text/calendar", ".vcf": "text/vcard",
               ".md": "text/markdown", ".woff2": "font/woff2", ".woff": "font/woff",
               ".webp": "image/webp", ".avif": "image/avif"}

ShowDiagnostics = Callable[[list[Diagnostic]], None]


# --- requests ---------------------------------------------------------------------------------

class BadTarget(ValueError):
    """A request target the server refuses outright (400)."""


def request_path(target: str) -> tuple[str, str]:
    """The decoded URL path and the raw query of a request target; BadTarget if unsafe.

    Only origin-form targets (`/path?query`) are accepted. After percent-decoding (once),
    a path with a NUL, a backslash or a `.`/`..` segment is refused, however it was encoded
    (`%2e%2e`, `..%2f`, `%5c`...).
    """
    if not target.startswith("/") or any(ch in target for ch in "\x00\\\r\n"):
        raise BadTarget("the request target must be a plain /path")
    raw, _, query = target.partition("?")
    raw = raw.split("#", 1)[0]
    try:
        path = unquote_to_bytes(raw).decode("utf-8")
    except UnicodeDecodeError:
        raise BadTarget("the path is not valid UTF-8") from None
    if "\x00" in path or "\\" in path:
        raise BadTarget("the path has a NUL byte or a backslash")
    if any(segment in (".", "..") for segment in path.split("/")):
        raise BadTarget("the path has a . or .. segment")
    return path, query


def resolve_file(root: Path, path: str) -> Path | None:
    """The file or folder a checked URL path names inside `root`, or None when it is not
    there, is a dotfile, or resolves (through a symlink) outside `root`."""
    segments = [segment for segment in path.split("/") if segment]
    if any(s.startswith(".") and s not in ALLOWED_DOT_SEGMENTS for s in segments):
        return None
    candidate = root.joinpath(*segments).resolve()
    if candidate != root and root not in candidate.parents:
        return None
    return candidate if candidate.exists() else None


def content_type(path: Path) -> str:
    suffix = path.suffix.lower()
    kind = EXTRA_TYPES.get(suffix) or mimetypes.guess_type(path.name)[0] or \
        "application/octet-stream"
    if suffix in HTML_SUFFIXES:
        kind = "text/html"
    if kind.startswith(TEXT_TYPES) or kind == "text/html":
        kind += "; charset=utf-8"
    return kind


@dataclass
class Response:
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""


def text_response(status: int, text: str, headers: Mapping[str, str] | None = None) -> Response:
    return Response(status, {"Content-Type": "text/plain; charset=utf-8", **(headers or {})},
                    (text + "\n").encode())


NOT_BUILT = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body style="font:16px/1.5 system-ui,sans-serif;margin:3rem auto;max-width:40rem;padding:0 1rem">
<h1>{title}</h1><p>{text}</p>
</body></html>
"""


def fallback_page(title: str, text: str) -> bytes:
    return NOT_BUILT.format(title=title, text=text).encode()


# --- who may ask -------------------------------------------------------------------------------

LOOPBACK_NAMES = ("localhost", "127.0.0.1", "[::1]")


def _ip(name: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(name.strip("[]"))
    except ValueError:
        return None


def host_name(header: str) -> str:
    """The host of a Host header, lower-case, without port, brackets or a final dot."""
    header = header.strip().lower()
    if header.startswith("["):
        return header[1:].partition("]")[0]
    name, colon, port = header.rpartition(":")
    if colon and port.isdigit() and ":" not in name:
        header = name
    return header.rstrip(".")


@dataclass(frozen=True)
class Listen:
    """Where the dev server listens, and the host names it answers besides its own."""

    host: str = "127.0.0.1"
    port: int = 8000
    allowed_hosts: tuple[str, ...] = ()

    def allows(self, header: str | None) -> bool:
        """Whether a request's Host header names this server: localhost, a loopback address,
        the --host given (any address of this machine when that is a wildcard) or an
        --allow-host name. A DNS rebinding attack always names the attacker's domain."""
        if header is None:
            return True  # HTTP/1.0 tools may send none; every browser sends one
        name = host_name(header)
        bound = self.host.strip("[]").lower()
        if not name:
            return False
        if name in ("localhost", bound) or name in (h.lower() for h in self.allowed_hosts):
            return True
        address = _ip(name)
        return address is not None and (address.is_loopback or bound in ("", "0.0.0.0", "::"))

    def names(self) -> str:
        """The names `allows` accepts, for the refusal message."""
        own = [*LOOPBACK_NAMES, url_host(self.host), *self.allowed_hosts]
        if self.host.strip("[]") in ("", "0.0.0.0", "::"):
            own.append("any IP address of this machine")
        return ", ".join(dict.fromkeys(own))


def cross_site(headers: Mapping[str, str] | Message, kind: str = "post") -> str | None:
    """Why a POST (or, as `kind` says, another request) to the inbox did not come from a page
    of this site, or None.

    Browsers send `Sec-Fetch-Site` and `Origin` with every POST (forms and fetch alike): the
    inbox takes `same-origin` posts whose Origin is this very host. Tools such as curl send
    neither and are let in (they are not a web page acting for someone)."""
    site = (headers.get("Sec-Fetch-Site") or "").strip().lower()
    if site and site not in ("same-origin", "none"):
        return f"a {site} {kind} (Sec-Fetch-Site)"
    origin = headers.get("Origin")
    if origin is not None:
        own = f"http://{(headers.get('Host') or '').strip().lower()}"
        if origin.strip().lower() != own:
            return f"a {kind} from {origin.strip()[:100] or 'an empty origin'}"
    return None


# --- the server -------------------------------------------------------------------------------

def is_loopback(host: str) -> bool:
    if host in ("localhost", "localhost.localdomain", "ip6-localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def url_host(host: str) -> str:
    """The host part of the served URL: wildcard addresses are reached over loopback."""
    host = host.strip("[]")
    if host in ("", "0.0.0.0"):
        return "127.0.0.1"
    if host == "::":
        return "[::1]"
    return f"[{host}]" if ":" in host else host


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    app: DevServer


class _HTTPServer6(_HTTPServer):
    address_family = socket.AF_INET6


def fallback_policy(env: str, base_url: str) -> Policy:
    """The development policy, for a development site whose config cannot be loaded yet."""
    return Policy(name=env, kind="development", indexable=False, protection="none",
                  analytics=None, forms="local", forms_endpoint=LOCAL_INBOX, data="real",
                  banner=env.upper(), base_url=base_url, password=None)


@dataclass(frozen=True)
class ServeOptions:
    """`sitegen serve` as asked for: the site, the environment and where to listen."""

    source: Path
    env: str = "development"
    listen: Listen = Listen()  # where, and the host names it answers
    jobs: int | None = None
    show_diagnostics: ShowDiagnostics | None = None  # default: printed to stderr
    environ: Mapping[str, str] | None = None  # default: os.environ
    open_browser: bool = False


class DevServer:
    """The HTTP server, the rebuild thread, the watcher and the event hub of one site."""

    def __init__(self, options: ServeOptions):
        self.source = Path(options.source).resolve()
        self.env = env = options.env
        self.listen = listen = options.listen
        host, port = listen.host, listen.port
        self.jobs = options.jobs
        self.environ = options.environ
        self.out_dir = (self.source / "dist" / env).resolve()
        self.show_diagnostics = options.show_diagnostics or _print_diagnostics
        self.hub = livereload.Hub(secrets.token_hex(4))
        self.rebuilder = Rebuilder(self._build, self._done, on_start=self._starting)
        self.watcher = Watcher(self.source, self.rebuilder.request)
        self._builds = 0
        self._reloaded: int | None = None  # the generation pages were told of mid-build
        self.warm: WarmSite | None = None
        self._before: tuple[int, int] | None = None
        self._css = self._stylesheets()
        self._first_build = threading.Event()
        self._thread: threading.Thread | None = None
        server_class = _HTTPServer6 if ":" in host.strip("[]") else _HTTPServer
        try:
            self.httpd = server_class((host.strip("[]"), port), _Handler)
        except OSError as exc:
            raise SitegenError(Diagnostic(
                f"{host}:{port}", None, "--port", f"cannot listen: {exc.strerror or exc}",
                "the port is probably in use: pick another with --port, or --port 0 for a "
                "free one")) from None
        self.httpd.app = self
        self.port = self.httpd.server_address[1]
        self.url = f"http://{url_host(host)}:{self.port}"
        self.inbox_rules = InboxRules()
        try:
            self.policy = self._policy(initial=True)
        except BaseException:
            self.httpd.server_close()
            raise

    # --- lifecycle

    def start(self) -> None:
        """Serve at once (requests wait for the first build), build, and watch."""
        self._thread = threading.Thread(target=self.httpd.serve_forever, kwargs={
            "poll_interval": 0.25}, name="sitegen-http", daemon=True)
        self._thread.start()
        self.rebuilder.start()
        self.rebuilder.request()
        self.watcher.start()

    def wait_first_build(self, timeout: float | None = None) -> bool:
        return self._first_build.wait(timeout)

    def close(self) -> None:
        """Stop watching, stop (cancel) the build, end the event streams, close the socket."""
        self.watcher.stop()
        self.rebuilder.stop()
        self._persist()
        self.hub.close()
        if self._thread is not None:
            self.httpd.shutdown()
            self._thread.join(timeout=5)
        self.httpd.server_close()
        for leftover in (f".{self.out_dir.name}.tmp-{os.getpid()}",
                         f".{self.out_dir.name}.old-{os.getpid()}"):
            path = self.out_dir.parent / leftover
            if path.exists():
                shutil.rmtree(path, ignore_errors=True)

    # --- building

    def _policy(self, *, initial: bool = False) -> Policy:
        """The environment's policy (and the inbox's spam rules) from the current config."""
        from sitegen.builder.run import prepare

        try:
            loaded, policy = prepare(self.source, self.env, flags=self._flags(),
                                     environ=self.environ)
            self.inbox_rules = InboxRules(loaded.config.leads.min_seconds)
            return policy
        except SitegenError:
            if not initial:
                return self.policy
            if self.env != "development":
                raise  # a protected environment cannot be served before its policy is known
            return fallback_policy(self.env, self.url)

    def _flags(self) -> dict[str, Any]:
        return {"base_url": self.url}

    def _build(self, progress: Callable[[int, int], None], changed: frozenset[Path]) -> Any:
        """An edit applied in place when it can be (warm.py), else a build."""
        from sitegen.builder.pipeline import build
        from sitegen.builder.run import BuildOptions
        from sitegen.serve.warm import WarmSite

        self._before = _identity(self.out_dir)
        self._reloaded = None
        if self.warm is not None and self.warm.alive and changed:
            try:
                result = self.warm.apply(changed, self._reload_early)
            finally:
                self.rebuilder.release(None)  # a full build (or nothing) follows
            if result is not None:
                return result
            self._reloaded = None  # the full build's pages are not those the reload showed
        self._persist()
        result = build(BuildOptions(self.source, self.env, flags=self._flags(),
                                    environ=self.environ, progress=progress, jobs=self.jobs,
                                    keep_state=True))
        if result.state is not None:  # else nothing changed: the warm state still holds
            self.warm = WarmSite(result.state, self.source, self.env, self.out_dir)
            result.state = None
        return result

    def _reload_early(self, final: Callable[[str], bool]) -> None:
        """An in-place edit has written its pages: reload the open pages now, and let
        requests for files that are `final` through while the feeds are rewritten."""
        generation = self.rebuilder.generation + 1
        self.rebuilder.release(final)
        self.hub.reload(generation, kept=True)
        self._reloaded = generation

    def _stylesheets(self) -> frozenset[Path]:
        themes = self.source / "themes"
        return frozenset(themes.rglob("*.css")) if themes.is_dir() else frozenset()

    def _starting(self, changed: frozenset[Path]) -> None:
        if self._builds == 0:
            click.echo(f"building {self.env}...")
            return
        names = sorted(p.relative_to(self.source).as_posix() for p in changed
                       if p.is_relative_to(self.source))
        shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
        click.echo(f"changed: {shown or 'sources'}; rebuilding")

    def _done(self, outcome: Outcome) -> None:
        first = self._builds == 0
        self._builds += 1
        in_place = outcome.ok and getattr(outcome.result, "written", None) is not None
        if outcome.ok:
            if not in_place:  # an in-place edit changed no config
                self.policy = self._policy()
            stylesheets = self._stylesheets()
            css_only = (not first and not outcome.recovered and bool(outcome.changed)
                        and all(p.suffix.lower() == ".css" for p in outcome.changed)
                        and stylesheets == self._css)
            self._css = stylesheets
            warnings = [d for d in outcome.diagnostics if d.severity == "warning"]
            if warnings:
                self.show_diagnostics(warnings)
            pages = self.hub.clients
            unchanged = not first and not outcome.recovered and (
                outcome.result.written == 0 if in_place
                else _identity(self.out_dir) == self._before)
            if unchanged:  # an up-to-date build swapped nothing in: nothing to reload
                action = ""
            elif self._reloaded == outcome.generation:
                action = "reloaded"  # as soon as the pages were written (_reload_early)
            elif css_only:
                self.hub.stylesheets(outcome.generation)
                action = "new stylesheets for"
            else:
                self.hub.reload(outcome.generation, kept=in_place)
                action = "reloading"
            click.echo(f"{'built' if first else 'rebuilt'}: {_summary(outcome.result)}"
                       + (f" ({action} {pages} open page{'s' if pages != 1 else ''})"
                          if pages and action else ""))
            self._after_reload()
        else:
            self.hub.failed(outcome.diagnostics)
            self.show_diagnostics(outcome.diagnostics)
            errors = sum(1 for d in outcome.diagnostics if d.severity == "error") or 1
            kept = "the last good build is still served" if self.out_dir.is_dir() \
                else "nothing is built yet"
            click.echo(f"build failed: {errors} problem{'s' if errors != 1 else ''} "
                       f"(shown in the browser too); {kept}", err=True)
        self._first_build.set()

    def _after_reload(self) -> None:
        """Work the open pages need not wait for: the indexes of the warm state."""
        self._on_warm(lambda warm: warm.prepare(), drop=True)

    def _persist(self) -> None:
        """Write the build cache that in-place edits left stale (before a full build, so it
        stays incremental, and when the server stops, for the next `sitegen build`). Not
        after each edit: pickling it holds the interpreter while the page reloads."""
        self._on_warm(lambda warm: self.show_diagnostics(warm.persist()), drop=False)

    def _on_warm(self, step: Callable[[WarmSite], None], *, drop: bool) -> None:
        """Run a step on the warm state; a failure is printed, never fatal (at worst the next
        edit takes the full build, or the next build finds no cache), and with `drop` the
        state is no longer trusted."""
        warm = self.warm
        if warm is None or not warm.alive:
            return
        try:
            step(warm)
        except Exception:  # noqa: BLE001 - see the docstring
            traceback.print_exc()
            if drop:
                warm.alive = False

    # --- answering

    def authorized(self, header: str | None) -> bool:
        """HTTP basic auth for protected environments (basic-auth and encrypt alike)."""
        from sitegen.output.protect import check_basic_auth

        policy = self.policy
        if policy.protection == "none":
            return True
        if policy.protection != "basic-auth":
            policy = dataclasses.replace(policy, protection="basic-auth")
        return check_basic_auth(header, policy)

    def common_headers(self) -> dict[str, str]:
        headers = {"Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff"}
        if self.policy.robots_meta:
            headers["X-Robots-Tag"] = self.policy.robots_meta
        return headers

    def static(self, path: str, query: str) -> Response:
        """A file of the output folder (HTML with the live-reload tag), a redirect, or 404."""
        # Wait for a running build (bounded); before the very first output exists there is
        # nothing to wait for: the "Building..." page reloads itself when the build is done.
        with self.rebuilder.idle(WAIT_SECONDS if self.out_dir.is_dir() else 0, path):
            build = self.hub.current
            target = resolve_file(self.out_dir, path)
            if target is not None and target.is_dir():
                if not path.endswith("/"):
                    location = quote(path, safe="/!$&'()*+,;=:@-._~") + "/"
                    return Response(301, {"Location": location + (f"?{query}" if query else ""),
                                          "Content-Type": "text/plain; charset=utf-8"},
                                    b"moved\n")
                target = target / "index.html"
                if not target.is_file():
                    target = None
            if target is None or not target.is_file():
                return self._not_found(build)
            try:
                data = target.read_bytes()
            except OSError:
                return self._not_found(build)
        kind = content_type(target)
        headers = {"Content-Type": kind}
        if kind.startswith("text/html"):
            data = livereload.inject(data, build)
        elif _versioned(path, query, data):
            # `/_assets/x.css?v=<content hash>`: a changed file gets a new URL, so the browser
            # may keep this one; a reload then waits for the page alone, not its assets.
            headers["Cache-Control"] = "public, max-age=31536000, immutable"
        return Response(200, headers, data)

    def _not_found(self, build: str) -> Response:
        page = self.out_dir / "404.html"
        try:
            data = page.read_bytes()
        except OSError:
            if self.out_dir.is_dir():
                data = fallback_page("Not found", "There is no page at this address.")
            elif self.hub.broken:
                data = fallback_page("Nothing built yet",
                                     "The site has not been built successfully yet: the "
                                     "problems are listed over this page and in the terminal.")
            else:
                data = fallback_page("Building...", "The first build is still running: this "
                                     "page reloads by itself when it is done.")
        return Response(404, {"Content-Type": "text/html; charset=utf-8"},
                        livereload.inject(data, build, 404))

    def inbox(self, body: bytes, kind: str, accept: str) -> Response:
        from sitegen.serve.inbox import handle_inbox

        answer = handle_inbox(self.source, body, kind, accept, self.inbox_rules)
        return Response(answer.status, dict(answer.headers), answer.body)


def _versioned(path: str, query: str, data: bytes) -> bool:
    """Whether the URL names this exact content (the theme's `asset_url` adds `?v=<hash>`)."""
    version = parse_qs(query).get("v", [""])[0]
    return path.startswith("/_assets/") and len(version) == 10 and \
        hashlib.sha256(data).hexdigest()[:10] == version


def _identity(folder: Path) -> tuple[int, int] | None:
    """Changes when a build swaps a new output folder in (a new inode at the same path)."""
    try:
        stat = folder.stat()
    except OSError:
        return None
    return stat.st_ino, stat.st_mtime_ns


def _summary(result: Any) -> str:
    text = result.summary() if hasattr(result, "summary") else "done"
    rendered = getattr(result, "rendered", None)
    written = getattr(result, "written", None)
    if isinstance(written, int):
        text += f" ({rendered} rendered, {written} files updated in place)"
    elif isinstance(rendered, int) and rendered != getattr(result, "pages", rendered):
        text += f" ({rendered} rendered)"
    return text


def _print_diagnostics(diagnostics: list[Diagnostic]) -> None:
    for diagnostic in diagnostics:
        click.echo(diagnostic.format(), err=True)


class _Handler(BaseHTTPRequestHandler):
    server: _HTTPServer
    server_version = "sitegen-serve"
    protocol_version = "HTTP/1.0"

    @property
    def app(self) -> DevServer:
        return self.server.app

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib's name
        pass  # quiet: the terminal shows builds, problems and leads, not every request

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        self._guarded(self._get, head=False)

    def do_HEAD(self) -> None:  # noqa: N802
        self._guarded(self._get, head=True)

    def do_POST(self) -> None:  # noqa: N802
        self._guarded(self._post, head=False)

    def _guarded(self, handler: Callable[[str, str, bool], None], *, head: bool) -> None:
        try:
            listen = self.app.listen
            if not listen.allows(self.headers.get("Host")):
                self.close_connection = True
                self._send(text_response(421, (
                    f"sitegen serve answers only its own host names ({listen.names()}), not "
                    f"{host_name(self.headers.get('Host') or '')[:100]!r}: a page that points "
                    "its own domain at this machine cannot use it (DNS rebinding). To open the "
                    "site under that name, restart with --allow-host NAME.")), head)
                return
            try:
                path, query = request_path(self.path)
            except BadTarget as exc:
                self._send(text_response(400, f"bad request: {exc}"), head)
                return
            if not self.app.authorized(self.headers.get("Authorization")):
                realm = f"sitegen {self.app.env}".replace('"', "")
                self._send(text_response(401, "authentication required", {
                    "WWW-Authenticate": f'Basic realm="{realm}", charset="UTF-8"'}), head)
                return
            handler(path, query, head)
        except (BrokenPipeError, ConnectionResetError):
            pass
        except Exception:  # noqa: BLE001 - one bad request must not take the server down
            traceback.print_exc()
            with contextlib.suppress(OSError):
                self._send(text_response(500, "internal error (see the terminal)"), head)

    def _get(self, path: str, query: str, head: bool) -> None:
        if path == livereload.EVENTS_PATH:
            if head:
                self._send(Response(200, {"Content-Type": "text/event-stream"}), head)
            else:
                self._events()
            return
        if path == livereload.SCRIPT_PATH:
            self._send(Response(200, {"Content-Type": "text/javascript; charset=utf-8"},
                                livereload.client_script()), head)
            return
        if path == LOCAL_INBOX:
            self._send(self._leads_page(query), head)
            return
        self._send(self.app.static(path, query), head)

    def _leads_page(self, query: str) -> Response:
        if self.app.policy.forms != "local":
            return text_response(404, "no lead inbox here: forms post to the inbox in "
                                 "development only")
        refusal = cross_site(self.headers, "request")
        if refusal:
            return text_response(403, f"{refusal} refused: the lead inbox opens from this "
                                 "site's pages or an address typed into the browser only")
        return Response(200, dict(leadspage.HEADERS), leadspage.render(self.app.source, query))

    def _clear_leads(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if 0 < length <= DRAIN_LIMIT else b""
        refusal = cross_site(self.headers)
        if self.app.policy.forms != "local" or refusal:
            self._send(text_response(404, "no lead inbox here") if not refusal else
                       text_response(403, f"{refusal} refused: only this site's inbox page "
                                     "clears the inbox"), False)
            return
        location = leadspage.clear_target(body)
        leadspage.clear(self.app.source, location)
        back = LOCAL_INBOX + (f"?location={quote(location)}" if location else "")
        self._send(Response(303, {"Location": back, "Content-Length": "0"}), False)

    def _post(self, path: str, query: str, head: bool) -> None:
        from sitegen.serve.inbox import MAX_BODY

        self.close_connection = True
        if path == leadspage.CLEAR_PATH:
            self._clear_leads()
            return
        if path != LOCAL_INBOX or self.app.policy.forms != "local":
            self._send(text_response(404 if path != LOCAL_INBOX else 403,
                                     "no lead inbox here" if path == LOCAL_INBOX
                                     else "not found"), head)
            return
        try:
            length = int(self.headers.get("Content-Length", ""))
        except ValueError:
            self._send(text_response(411, "a Content-Length is required"), head)
            return
        refusal = cross_site(self.headers)
        if refusal or length < 0 or length > MAX_BODY:
            if 0 < length <= DRAIN_LIMIT:  # read it, so the client sees the answer, not a reset
                self.rfile.read(length)
            self._send(text_response(403, f"{refusal} refused: the lead inbox takes posts "
                                     "from the pages of this site only") if refusal else
                       text_response(413, f"a lead is at most {MAX_BODY // 1024} KB"), head)
            return
        body = self.rfile.read(length)
        self._send(self.app.inbox(body, self.headers.get("Content-Type", ""),
                                  self.headers.get("Accept", "")), head)

    def _events(self) -> None:
        self.close_connection = True
        client = self.app.hub.subscribe()
        try:
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream; charset=utf-8")
            self.send_header("Cache-Control", "no-cache")
            self.send_header("X-Accel-Buffering", "no")
            self.end_headers()
            while True:
                try:
                    message = client.get(timeout=KEEPALIVE_SECONDS)
                except queue.Empty:
                    message = b": keep-alive\n\n"
                if message is None:
                    break
                self.wfile.write(message)
                self.wfile.flush()
        except OSError:
            pass  # the page went away
        finally:
            self.app.hub.unsubscribe(client)

    def _send(self, response: Response, head: bool) -> None:
        self.send_response(response.status, HTTPStatus(response.status).phrase)
        headers = {**self.app.common_headers(), **response.headers}
        headers.setdefault("Content-Type", "text/plain; charset=utf-8")
        headers["Content-Length"] = str(len(response.body))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        if not head and response.body:
            self.wfile.write(response.body)


# --- the command ------------------------------------------------------------------------------

def _quiet_children() -> None:
    """In the build's forked workers: Ctrl-C is the server's to handle (it cancels the
    build, which kills them), and SIGTERM to the process group ends them (the server's own
    handler, which they inherit, only stops the server process)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


_FORK_HOOK: list[bool] = []


def _register_fork_hook() -> None:
    if not _FORK_HOOK:
        os.register_at_fork(after_in_child=_quiet_children)
        _FORK_HOOK.append(True)


def serve(options: ServeOptions, stop: threading.Event | None = None) -> None:
    """Run the dev server until SIGINT or SIGTERM (or `stop` is set); then stop cleanly."""
    stop = stop or threading.Event()
    owner = os.getpid()

    def on_signal(signum: int, frame: Any) -> None:
        if os.getpid() == owner:
            stop.set()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    _register_fork_hook()
    try:
        server = DevServer(options)
        listen, env = options.listen, options.env
        if not is_loopback(listen.host):
            click.echo(f"warning: {listen.host} is not a loopback address: anyone who can "
                       "reach this machine can open the site and post to its lead inbox",
                       err=True)
        click.echo(f"serving {env} at {server.url}/")
        watched = [f"{name}/" for name in WATCHED_DIRS if (server.source / name).is_dir()]
        click.echo(f"watching {', '.join(watched) or 'nothing yet'} in {server.source}; "
                   "Ctrl-C to stop")
        server.start()
        try:
            if options.open_browser:
                threading.Thread(target=_open_when_built, args=(server, stop),
                                 daemon=True).start()
            while not stop.wait(0.25):
                pass
            click.echo("stopping...")
        finally:
            server.close()
        click.echo("stopped")
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _open_when_built(server: DevServer, stop: threading.Event) -> None:
    while not stop.is_set():
        if server.wait_first_build(0.25):
            webbrowser.open(server.url + "/")
            return
