"""Datasets from a URL: a published spreadsheet CSV, an API returning JSON.

`locations.source: https://...` is downloaded into `<site>/.sitegen/cache/` and read from there
like a local file. The cache keeps the ETag and Last-Modified of each download, so the next
build asks with If-None-Match / If-Modified-Since and a 304 answer reuses the cached copy.

    server unreachable (connection error, timeout, 5xx)  -> the cached copy, with a warning;
                                                            an error when there is none yet
    empty, truncated (body shorter than Content-Length)   -> production: an error naming the URL
    or a web page (text/html: a login or error page)        and the reason; other environments:
                                                            the cached copy with a warning
    4xx                                                   -> an error (wrong URL, not published)

A bad download never replaces the cached copy. The format comes from `locations.format`, else
the URL (`.csv`, `?output=csv`), else the Content-Type.
"""

from __future__ import annotations

import email.utils
import hashlib
import http.client
import json
import os
import re
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from sitegen import __version__
from sitegen.config.schema import LocationsSection
from sitegen.data.readers import FORMATS
from sitegen.diagnostics import Diagnostic, Report, SitegenError
from sitegen.files import replace_file

CACHE = Path(".sitegen") / "cache"
TIMEOUT = 30.0
MAX_BYTES = 200 * 1024 * 1024
HTML_TYPES = ("text/html", "application/xhtml+xml")
CONTENT_TYPES = {
    "text/csv": "csv", "application/csv": "csv", "text/comma-separated-values": "csv",
    "text/tab-separated-values": "tsv",
    "application/json": "json", "text/json": "json",
    "application/geo+json": "geojson", "application/vnd.geo+json": "geojson",
    "application/x-ndjson": "jsonl", "application/jsonl": "jsonl",
    "application/ndjson": "jsonl",
    "application/yaml": "yaml", "application/x-yaml": "yaml", "text/yaml": "yaml",
    "text/x-yaml": "yaml",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "application/vnd.sqlite3": "sqlite", "application/x-sqlite3": "sqlite",
}
_SECRET_PARAM = re.compile(r"key|token|secret|sig|pass|auth", re.I)

Opener = Callable[..., Any]


def is_url(source: str) -> bool:
    return source.lower().startswith(("http://", "https://"))


def display_url(url: str) -> str:
    """The URL for messages: no user:password, and secret-looking query values masked."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host += f":{parts.port}"
    query = urlencode([(k, "***" if _SECRET_PARAM.search(k) else v)
                       for k, v in parse_qsl(parts.query, keep_blank_values=True)], safe="*")
    return urlunsplit((parts.scheme, host, parts.path, query, ""))


def cache_files(site_root: Path, url: str) -> tuple[Path, Path]:
    key = hashlib.sha256(url.encode("utf-8")).hexdigest()[:20]
    folder = site_root / CACHE
    return folder / f"{key}.data", folder / f"{key}.json"


def source_path(loaded: Any) -> Path:
    """The file a build reads: the local source, or the cached copy of a URL source."""
    source = loaded.config.locations.source
    if is_url(source):
        return cache_files(loaded.source, source)[0]
    path = Path(source)
    return path if path.is_absolute() else loaded.source / path


def format_from_url(url: str) -> str | None:
    parts = urlsplit(url)
    suffix = PurePosixPath(parts.path).suffix.lower()
    if suffix in FORMATS:
        return FORMATS[suffix]
    for name, value in parse_qsl(parts.query):
        if name.lower() in ("output", "format", "exportformat", "type"):
            found = FORMATS.get("." + value.lower().strip("."))
            if found:
                return found
    return None


def format_from_type(content_type: str | None) -> str | None:
    kind = (content_type or "").split(";", 1)[0].strip().lower()
    return CONTENT_TYPES.get(kind)


@dataclass
class Fetched:
    path: Path
    fmt: str | None
    how: str  # downloaded | not-modified | cached-offline | cached-bad-download


def resolve_source(loaded: Any, kind: str, report: Report, *, opener: Opener | None = None
                   ) -> tuple[Path, str | None, str]:
    """(file to read, format or None, name for messages) for `locations.source`; a URL is
    downloaded (or revalidated) first."""
    settings = loaded.config.locations
    if not is_url(settings.source):
        return source_path(loaded), settings.format, settings.source
    fetched = fetch(settings, loaded.source,
                    production=kind == "production", report=report, opener=opener)
    return fetched.path, fetched.fmt, display_url(settings.source)


def _read_meta(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def fetch(settings: LocationsSection, site_root: Path, *, production: bool, report: Report,
          opener: Opener | None = None) -> Fetched:
    """Download `locations.source` into the site's cache, or revalidate the cached copy."""
    url, fmt, timeout = settings.source, settings.format, TIMEOUT
    opener = opener or urllib.request.urlopen
    shown = display_url(url)
    body_path, meta_path = cache_files(site_root, url)
    meta = _read_meta(meta_path) if body_path.is_file() else {}
    cached = bool(meta)

    def from_cache(how: str) -> Fetched:
        kind = fmt or format_from_url(url) or meta.get("format") or \
            format_from_type(meta.get("content_type"))
        return Fetched(body_path, kind, how)

    def unavailable(reason: str) -> Fetched:
        if cached:
            report.warning(shown, None, "locations.source",
                           f"cannot download ({reason}); using the cached copy from "
                           f"{meta.get('fetched', 'an earlier build')}",
                           "the site is built from the last good download")
            return from_cache("cached-offline")
        raise SitegenError(Diagnostic(shown, None, "locations.source",
                                      f"cannot download ({reason}) and there is no cached copy",
                                      "check the URL and the network, then build again"))

    def refuse(reason: str, hint: str) -> Fetched:
        if cached and not production:
            report.warning(shown, None, "locations.source",
                           f"refusing the download: {reason}; using the cached copy from "
                           f"{meta.get('fetched', 'an earlier build')}", hint)
            return from_cache("cached-bad-download")
        raise SitegenError(Diagnostic(shown, None, "locations.source",
                                      f"refusing the download: {reason}", hint))

    headers = {"User-Agent": f"sitegen/{__version__}",
               "Accept": "text/csv, application/json, application/geo+json, */*;q=0.5"}
    if cached and meta.get("etag"):
        headers["If-None-Match"] = meta["etag"]
    if cached and meta.get("last_modified"):
        headers["If-Modified-Since"] = meta["last_modified"]
    request = urllib.request.Request(url, headers=headers)
    try:
        with opener(request, timeout=timeout) as response:
            content_type = response.headers.get("Content-Type") or ""
            declared = response.headers.get("Content-Length")
            etag = response.headers.get("ETag")
            last_modified = response.headers.get("Last-Modified")
            length = int(declared) if declared and declared.strip().isdigit() else None
            if length is not None and length > MAX_BYTES:
                return refuse(f"{length} bytes is more than {MAX_BYTES // (1024 * 1024)} MB",
                              "split the dataset or host a smaller export")
            body = response.read() if length is not None else response.read(MAX_BYTES + 1)
    except urllib.error.HTTPError as exc:
        if exc.code == 304 and cached:
            return from_cache("not-modified")
        if exc.code >= 500 or exc.code in (408, 429):
            return unavailable(f"HTTP {exc.code} {exc.reason}")
        raise SitegenError(Diagnostic(
            shown, None, "locations.source", f"download failed: HTTP {exc.code} {exc.reason}",
            "check the URL; a spreadsheet must be published to the web as CSV")) from None
    except http.client.IncompleteRead as exc:
        return refuse(f"truncated: received {len(exc.partial)} of "
                      f"{len(exc.partial) + (exc.expected or 0)} bytes",
                      "the connection broke mid-download; build again")
    except (urllib.error.URLError, http.client.HTTPException, OSError) as exc:
        reason = getattr(exc, "reason", None) or exc
        return unavailable(f"{reason}")

    kind = content_type.split(";", 1)[0].strip().lower()
    if length is not None and len(body) != length:
        return refuse(f"truncated: received {len(body)} of {length} bytes",
                      "the connection broke mid-download; build again")
    if len(body) > MAX_BYTES:
        return refuse(f"more than {MAX_BYTES // (1024 * 1024)} MB",
                      "split the dataset or host a smaller export")
    if not body.strip():
        return refuse("the server sent an empty file",
                      "check that the sheet or API still has its data")
    head = body[:512].lstrip().lower()
    if kind in HTML_TYPES or head.startswith((b"<!doctype html", b"<html")):
        return refuse(f"the server sent a web page ({kind or 'HTML'}), not data",
                      "a sign-in or error page, or the sheet's page instead of its CSV "
                      "export: publish it to the web as CSV and use that link")
    detected = fmt or format_from_url(url) or format_from_type(content_type)
    if detected is None:
        raise SitegenError(Diagnostic(
            shown, None, "locations.format",
            f"cannot tell the format of the download (Content-Type '{kind or 'none'}')",
            "set locations.format, e.g. csv or json"))

    body_path.parent.mkdir(parents=True, exist_ok=True)
    unchanged = body_path.is_file() and body_path.read_bytes() == body
    if not unchanged:  # keep the old mtime for the same bytes: the build time stays put
        replace_file(body_path, body)
        if last_modified:
            try:
                stamp = email.utils.parsedate_to_datetime(last_modified).timestamp()
                os.utime(body_path, (stamp, stamp))
            except (TypeError, ValueError, OverflowError, OSError):
                pass
    record = {"url": shown, "etag": etag, "last_modified": last_modified,
              "content_type": content_type, "format": detected,
              "fetched": email.utils.formatdate(usegmt=True),
              "sha256": hashlib.sha256(body).hexdigest(), "bytes": len(body)}
    replace_file(meta_path, (json.dumps(record, indent=2) + "\n").encode("utf-8"))
    return Fetched(body_path, detected, "downloaded")
