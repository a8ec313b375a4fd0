"""One bounded HTTP(S) GET of a dataset: whole within a deadline, or an exception that says why.

The standard library does the HTTP (urllib's opener: proxies from the environment, TLS with
the system's certificates); this module adds what it lacks:

- an overall deadline for the whole download (connect, headers, redirects, body) besides the
  per-read timeout: a server that trickles a byte every few seconds never trips a read
  timeout, so a timer shuts the connection down when the deadline passes;
- the body read to its declared end: a Content-Length not reached, or a chunked transfer
  that stops before its last chunk, is a truncated download;
- redirects followed only to http(s) URLs, at most MAX_REDIRECTS of them, and only to public
  addresses (addresses.py) unless private hosts are allowed. The configured URL's own origin
  (scheme, host and port as the user wrote them) is trusted, and so are the proxies the
  environment names; every other connection is checked at the address it actually connects
  to, after the lookup, so a name that resolves to a public address for the check and to a
  private one for the connection (DNS rebinding) is still refused. Through a proxy the proxy
  resolves the names: there the redirect target is checked by a lookup of sitegen's own.

The name lookups themselves cannot be interrupted: they keep the system resolver's own
timeouts (a few seconds), outside the deadline.

`Unreachable` means the server could not be reached at all (the caller may use a cached
copy); `Refused` means the server answered but the download cannot be trusted.
"""

from __future__ import annotations

import contextlib
import functools
import http.client
import socket
import ssl
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from email.message import Message
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from sitegen.data.addresses import address_kind, parse_address

TIMEOUT = 30.0  # one connect or read; the deadline bounds the whole download
MAX_REDIRECTS = 5
READ_SIZE = 1 << 16
TRUNCATED_HINT = "the connection broke mid-download; build again"
_SECRET_PARAM = ("key", "token", "secret", "sig", "pass", "auth")


class Unreachable(Exception):
    """No answer from the server: not resolved, refused, timed out before answering."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class Refused(Exception):
    """The server answered, but what it sent (or where it sent us) cannot be used."""

    def __init__(self, reason: str, hint: str):
        super().__init__(reason)
        self.reason = reason
        self.hint = hint


@dataclass(frozen=True)
class Rules:
    url: str
    deadline: float  # seconds for the whole download
    allow_private: bool
    max_bytes: int
    headers: Mapping[str, str]


@dataclass
class Answer:
    status: int
    reason: str
    headers: Message
    body: bytes


def display_url(url: str) -> str:
    """The URL for messages: no user:password, and secret-looking query values masked."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:  # not a URL urllib can take apart: its scheme and host part alone
        scheme, separator, rest = url.partition("://")
        return scheme + separator + rest.split("/", 1)[0].rsplit("@", 1)[-1]
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    if port:
        host += f":{port}"
    query = urlencode([(k, "***" if any(s in k.lower() for s in _SECRET_PARAM) else v)
                       for k, v in parse_qsl(parts.query, keep_blank_values=True)], safe="*")
    return urlunsplit((parts.scheme, host, parts.path, query, ""))


def get(rules: Rules) -> Answer:
    """GET `rules.url`; any HTTP status is an Answer (an error status with no body)."""
    with _Guard(rules) as guard:
        opener = urllib.request.build_opener(_HttpHandler(guard), _HttpsHandler(guard),
                                             _Redirects(guard))
        try:
            request = urllib.request.Request(rules.url, headers=dict(rules.headers))
        except ValueError as exc:
            raise Refused(f"not a URL sitegen can download ({exc})",
                          "check locations.source") from None
        try:
            response = opener.open(request, timeout=min(TIMEOUT, rules.deadline))
        except urllib.error.HTTPError as exc:
            with exc:
                return Answer(exc.code, str(exc.reason), exc.headers, b"")
        except (urllib.error.URLError, http.client.HTTPException, OSError) as exc:
            guard.check_deadline()
            raise Unreachable(str(getattr(exc, "reason", None) or exc)) from None
        with response:
            body = _read_body(response, guard)
        return Answer(response.status, response.reason, response.headers, body)


def _read_body(response: http.client.HTTPResponse, guard: _Guard) -> bytes:
    limit = guard.rules.max_bytes
    declared = (response.headers.get("Content-Length") or "").strip()
    length = int(declared) if declared.isdigit() and not response.chunked else None
    if length is not None and length > limit:
        raise _too_big(f"{length} bytes is", limit)
    chunks: list[bytes] = []
    received = 0
    try:
        while chunk := response.read1(READ_SIZE):
            received += len(chunk)
            if received > limit:
                raise _too_big("the download is", limit)
            chunks.append(chunk)
    except http.client.IncompleteRead as exc:
        guard.check_deadline()
        if not response.chunked:
            raise Refused(f"truncated: received {received} bytes ({exc})",
                          TRUNCATED_HINT) from None
        raise Refused(f"truncated: the chunked transfer stopped before its last chunk, after "
                      f"{received} bytes", TRUNCATED_HINT) from None
    except (OSError, http.client.HTTPException) as exc:
        guard.check_deadline()
        raise Refused(f"truncated: the connection broke after {received} bytes ({exc})",
                      TRUNCATED_HINT) from None
    guard.check_deadline()
    if length is not None and received != length:
        raise Refused(f"truncated: received {received} of {length} bytes", TRUNCATED_HINT)
    return b"".join(chunks)


def _too_big(what: str, limit: int) -> Refused:
    return Refused(f"{what} more than {limit // (1024 * 1024)} MB",
                   "split the dataset or host a smaller export")


def _origin(url: str) -> tuple[str, int] | None:
    """(host, port) of a URL, or of a proxy written as host:port; None when it has none."""
    try:
        parts = urlsplit(url if "://" in url else f"http://{url}")
        port = parts.port
    except ValueError:
        return None
    if not parts.hostname:
        return None
    return parts.hostname.lower(), port or (443 if parts.scheme.lower() == "https" else 80)


def _article(kind: str) -> str:
    return f"an {kind}" if kind[0] in "aeiou" else f"a {kind}"


class _Guard:
    """The rules of one download, shared by its connections: which hosts are trusted, how
    many redirects were followed, and the deadline, enforced by shutting down every socket
    still open when it passes."""

    def __init__(self, rules: Rules):
        self.rules = rules
        proxies = [url for scheme, url in urllib.request.getproxies().items() if scheme != "no"]
        self.trusted = {o for o in (_origin(rules.url), *map(_origin, proxies)) if o}
        self.end = time.monotonic() + rules.deadline
        self.redirects = 0
        self.connected = False
        self._sockets: list[socket.socket] = []
        self._expired = False
        self._lock = threading.Lock()
        self._timer = threading.Timer(rules.deadline, self._expire)
        self._timer.daemon = True

    def __enter__(self) -> _Guard:
        self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._timer.cancel()
        with self._lock:
            for sock in self._sockets:
                sock.close()
            self._sockets.clear()

    def check_deadline(self) -> None:
        """Raise Refused when the deadline passed after a server was reached (before that,
        the server is simply unreachable)."""
        if self.connected and time.monotonic() >= self.end:
            raise Refused(f"not finished within the {self.rules.deadline:g} s download "
                          "deadline (locations.download_deadline)",
                          "the server is too slow or stalled; build again later, or raise "
                          "locations.download_deadline")

    def _expire(self) -> None:
        with self._lock:
            self._expired = True
            for sock in self._sockets:
                _shutdown(sock)

    def _watch(self, sock: socket.socket) -> None:
        """Keep a duplicate of the socket's descriptor: shutting it down ends the connection
        even after TLS has wrapped (and taken over) the original socket object."""
        duplicate = sock.dup()
        with self._lock:
            self._sockets.append(duplicate)
            if self._expired:
                _shutdown(duplicate)

    def _trusted(self, host: str, port: int) -> bool:
        return self.rules.allow_private or (host.lower(), port) in self.trusted

    def connect(self, address: tuple[str, int], timeout: Any = TIMEOUT,
                source_address: Any = None) -> socket.socket:
        """http.client's `_create_connection`: resolve, refuse a non-public address of an
        untrusted host, and connect to exactly the address that was checked."""
        host, port = address
        remaining = self.end - time.monotonic()
        if remaining <= 0:
            raise TimeoutError("the download deadline passed")
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        if not self._trusted(host, port):
            for *_, sockaddr in infos:
                problem = _address_problem(host, str(sockaddr[0]))
                if problem:
                    raise Refused(f"connecting to {host}: {problem}", _PRIVATE_HINT)
        error: OSError | None = None
        for family, kind, proto, _, sockaddr in infos:
            sock = socket.socket(family, kind, proto)
            try:
                per_read = timeout if isinstance(timeout, int | float) else TIMEOUT
                sock.settimeout(min(per_read, remaining))
                if source_address:
                    sock.bind(source_address)
                sock.connect(sockaddr)
            except OSError as exc:
                sock.close()
                error = exc
                continue
            self.connected = True
            self._watch(sock)
            return sock
        raise error or OSError(f"no address found for {host}")

    def check_redirect(self, target: str) -> None:
        """Raise Refused unless a redirect to `target` may be followed."""
        self.redirects += 1
        shown = display_url(target)
        if self.redirects > MAX_REDIRECTS:
            raise Refused(f"more than {MAX_REDIRECTS} redirects (the last to {shown})",
                          "use the URL the redirects end at as locations.source, or fix the "
                          "redirect loop on the server")
        origin = _origin(target)
        if origin and target.lower().startswith(("http://", "https://")) and \
                self._trusted(*origin):
            return
        refused = target_problem(target, private_ok=self.rules.allow_private)
        if refused:
            raise refused


_SCHEMES = ("http", "https")


def target_problem(target: str, *, private_ok: bool = False) -> Refused | None:
    """Why a redirect to `target` may not be followed, or None: it must be an http(s) URL
    with a host, and (unless `private_ok`) every address the host resolves to is public.
    A host that does not resolve passes: connecting to it fails, as unreachable."""
    shown = display_url(target)
    try:
        scheme = urlsplit(target).scheme.lower()
    except ValueError:
        return Refused(f"redirected to {shown}, which is not a valid URL", _FIX_REDIRECT)
    if scheme not in _SCHEMES:
        return Refused(f"redirected to {shown}, which is not an http(s) URL",
                       "sitegen follows redirects only to http:// and https:// URLs; use the "
                       "final http(s) URL as locations.source")
    origin = _origin(target)
    if origin is None:
        return Refused(f"redirected to {shown}, which has no valid host and port",
                       _FIX_REDIRECT)
    if private_ok:
        return None
    try:
        infos = socket.getaddrinfo(origin[0], origin[1], type=socket.SOCK_STREAM)
    except (OSError, UnicodeError, ValueError):
        return None
    for *_, sockaddr in infos:
        problem = _address_problem(origin[0], str(sockaddr[0]))
        if problem:
            return Refused(f"redirected to {shown}: {problem}", _PRIVATE_HINT)
    return None


_FIX_REDIRECT = "fix the redirect on the server, or use the final URL as locations.source"
_PRIVATE_HINT = ("sitegen follows redirects only to public addresses; set "
                 "locations.allow_private_hosts: true if this server is yours")


def _address_problem(host: str, found: str) -> str | None:
    """What is wrong with connecting to `found` (an address `host` resolved to), if anything."""
    address = parse_address(found)
    kind = address_kind(address)
    if kind is None:
        return None
    if _literal(host) == address:
        return f"{address} is {_article(kind)} address"
    return f"{host} resolves to {address}, {_article(kind)} address"


def _literal(host: str) -> Any:
    """The address a host written as an IP address is (None for a name)."""
    try:
        return parse_address(host)
    except ValueError:
        return None


def _shutdown(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):  # already closed by its connection
        sock.shutdown(socket.SHUT_RDWR)


class _GuardedHTTP(http.client.HTTPConnection):
    def __init__(self, host: str, *, guard: _Guard, **kwargs: Any):
        super().__init__(host, **kwargs)
        self._create_connection = guard.connect  # http.client's seam for making the socket


class _GuardedHTTPS(http.client.HTTPSConnection):
    def __init__(self, host: str, *, guard: _Guard, **kwargs: Any):
        super().__init__(host, **kwargs)
        self._create_connection = guard.connect


class _HttpHandler(urllib.request.HTTPHandler):
    def __init__(self, guard: _Guard):
        super().__init__()
        self.guard = guard

    def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(functools.partial(_GuardedHTTP, guard=self.guard), req)


class _HttpsHandler(urllib.request.HTTPSHandler):
    def __init__(self, guard: _Guard):
        self.tls = ssl.create_default_context()
        super().__init__(context=self.tls)
        self.guard = guard

    def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(functools.partial(_GuardedHTTPS, guard=self.guard), req,
                            context=self.tls)


class _Redirects(urllib.request.HTTPRedirectHandler):
    """urllib's redirects (it would follow ftp:// too), each target checked first; the
    count is ours, so urllib's own loop limits are set above it."""

    max_redirections = MAX_REDIRECTS + 1
    max_repeats = MAX_REDIRECTS + 1

    def __init__(self, guard: _Guard):
        self.guard = guard

    def http_error_302(self, req: urllib.request.Request, fp: Any, code: int, msg: str,
                       headers: Message) -> Any:
        location = headers.get("Location") or headers.get("URI")
        if location is not None:
            try:
                self.guard.check_redirect(_join(req.full_url, location.strip()))
            except Refused:
                fp.close()
                raise
        return super().http_error_302(req, fp, code, msg, headers)

    http_error_301 = http_error_303 = http_error_307 = http_error_308 = http_error_302


def _join(base: str, location: str) -> str:
    try:
        return urljoin(base, location)
    except ValueError:
        raise Refused(f"redirected to {display_url(location)}, which is not a valid URL",
                      _FIX_REDIRECT) from None
