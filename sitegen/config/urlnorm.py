"""One normal form for URLs, so that every comparison of two URLs (a canonical link with
base_url, a sandbox endpoint with the production webhook, a page's subresource with the
allowed origins) agrees on what "the same" means.

Normalised: scheme and host case, a trailing dot on the host, IDNA (`bücher.example` and
`xn--bcher-kva.example` are one host), default ports (`:443` on https, `:80` on http),
percent-encoding (`%7E` and `~` are one path; escapes of reserved characters keep their
meaning and are only upper-cased), an empty path (`/`) and `.`/`..` segments. Queries and
fragments are kept as they are, escapes normalised the same way.
"""

from __future__ import annotations

import posixpath
import re
from urllib.parse import quote, unquote, urlsplit, urlunsplit

import idna

DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443}
ESCAPE = re.compile(r"%[0-9A-Fa-f]{2}")
# Characters a path may carry unescaped (RFC 3986 unreserved plus sub-delims, ':' and '@');
# an escape of anything else (`%2F`, `%3F`) keeps its meaning and stays escaped.
PATH_SAFE = "/-._~!$&'()*+,;=:@"
UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")


def normal_host(host: str) -> str:
    """The host lower-cased, without a trailing dot, in its ASCII (IDNA) form; an IP
    literal or a host IDNA refuses is only lower-cased."""
    host = unquote(host).strip().rstrip(".").lower()
    if not host or host.startswith("[") or host.isascii() and not host.startswith("xn--") \
            and "xn--" not in host:
        return host
    try:
        return idna.encode(host, uts46=True).decode("ascii")
    except idna.IDNAError:
        return host


def _escapes(text: str) -> str:
    """Escapes of unreserved characters decoded, the others upper-cased."""
    def one(match: re.Match[str]) -> str:
        char = chr(int(match.group(0)[1:], 16))
        return char if char in UNRESERVED else match.group(0).upper()
    return ESCAPE.sub(one, text)


def _path(path: str) -> str:
    path = quote(_escapes(path), safe=PATH_SAFE + "%")
    if not path:
        return "/"
    normal = posixpath.normpath(path)
    if path.endswith("/") and not normal.endswith("/"):
        normal += "/"
    return "/" + normal.lstrip("/") if normal != "." else "/"


def origin(url: str) -> str:
    """`scheme://host[:port]` of an absolute URL in normal form ('' for a relative one);
    a protocol-relative `//host/...` counts as https."""
    url = url.strip()
    if url.startswith("//"):
        url = "https:" + url
    parts = urlsplit(url)
    if not parts.scheme or not parts.netloc:
        return ""
    scheme = parts.scheme.lower()
    try:
        port = parts.port
    except ValueError:
        port = None
    host = normal_host(parts.hostname or "")
    if ":" in host:
        host = f"[{host}]"
    if port is not None and port != DEFAULT_PORTS.get(scheme):
        return f"{scheme}://{host}:{port}"
    return f"{scheme}://{host}"


# A site path its normal form leaves as it is: no escape, query or fragment (a relative
# URL's path is not resolved), no space or control character, not `//host`.
VERBATIM = re.compile(r"/(?!/)[^%?#\x00-\x20\x7f]*")


def normal_url(url: str) -> str:
    """The URL in normal form (see the module docstring); a relative URL keeps no origin."""
    if VERBATIM.fullmatch(url):  # most site paths a build compares
        return url
    return _parsed(url)


def _parsed(url: str) -> str:
    url = url.strip()
    parts = urlsplit("https:" + url if url.startswith("//") else url)
    base = origin(url)
    path = _path(parts.path) if base else _escapes(parts.path)
    return base + urlunsplit(("", "", path, _escapes(parts.query), _escapes(parts.fragment)))


def same_url(a: str, b: str) -> bool:
    """Whether two URLs name the same resource once normalised (a trailing slash of the
    path is ignored: `https://x/leads` and `https://x/leads/` are one endpoint)."""
    return _without_slash(normal_url(a)) == _without_slash(normal_url(b))


def under(url: str, prefix: str) -> bool:
    """Whether `url` is `prefix` or below it (same origin, path inside prefix's path)."""
    a, b = normal_url(url), _without_slash(normal_url(prefix))
    return a == b or _without_slash(a) == b or a.startswith((b + "/", b + "?", b + "#"))


def same_origin(a: str, b: str) -> bool:
    """Whether two absolute URLs have one origin (fast when `a` starts with `b` as written,
    as a page's own URLs start with base_url)."""
    if b and a.startswith(b) and (len(a) == len(b) or a[len(b)] in "/?#") and "//" in b[:8] \
            and b.count("/") == 2:
        return True
    return origin(a) == origin(b) != ""


def _without_slash(url: str) -> str:
    """The URL without a trailing slash on its path (query and fragment kept)."""
    cut = min((i for i in (url.find("?"), url.find("#")) if i >= 0), default=len(url))
    return url[:cut].rstrip("/") + url[cut:]
