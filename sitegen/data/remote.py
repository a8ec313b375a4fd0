"""Datasets from a URL: a published spreadsheet CSV, an API returning JSON.

`locations.source: https://...` is downloaded into `<site>/.sitegen/cache/` and read from there
like a local file. The cache keeps the ETag and Last-Modified of each download, so the next
build asks with If-None-Match / If-Modified-Since and a 304 answer reuses the cached copy.
A download is used whole or not at all:

    server unreachable (no connection, no answer    -> the cached copy, with a warning;
    within the read timeout, 5xx, 408, 429)            an error when there is none yet
    refused: not finished within                    -> production: an error naming the URL,
    locations.download_deadline; truncated (short      what was wrong and what to do; other
    of its Content-Length, a chunked transfer          environments: the cached copy with a
    without its last chunk, broken off mid-body,       warning (an error when there is none)
    or cut where its format says data cannot end:
    whole.py); empty; a web page (text/html);
    a redirect to a non-http(s) URL, to a
    non-public address, or more than 5 of them;
    more than locations.max_row_drop fewer rows
    than the cached copy
    4xx, or a download the reader rejects            -> an error in every environment

A refused download never replaces the cached copy, and a build that refuses writes nothing,
so the last good output stays as it was. The rows of a new download are counted by the
reader itself (the same count a build reports as "rows read") before it replaces the cached
copy; the count is kept beside it. The format comes from `locations.format`, else the URL
(`.csv`, `?output=csv`), else the Content-Type.
"""

from __future__ import annotations

import email.utils
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlsplit

from sitegen import __version__
from sitegen.config.schema import LocationsSection
from sitegen.data.readers import FORMATS, DatasetFile, read_rows
from sitegen.data.whole import cut_reason
from sitegen.diagnostics import Diagnostic, Report, SitegenError
from sitegen.files import Replacement, replace_file

if TYPE_CHECKING:
    from sitegen.data.download import Answer

CACHE = Path(".sitegen") / "cache"
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
ROW_DROP_HINT = ("if the rows were removed on purpose, build once with "
                 "SITEGEN_LOCATIONS__MAX_ROW_DROP=1; otherwise check the source")


def is_url(source: str) -> bool:
    return source.lower().startswith(("http://", "https://"))


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


@dataclass(frozen=True)
class Download:
    """One URL source to fetch: the site it caches into, its settings, the environment."""

    site_root: Path
    settings: LocationsSection
    production: bool

    @property
    def url(self) -> str:
        return self.settings.source


def resolve_source(loaded: Any, kind: str, report: Report) -> tuple[Path, str | None, str]:
    """(file to read, format or None, name for messages) for `locations.source`; a URL is
    downloaded (or revalidated) first."""
    settings = loaded.config.locations
    if not is_url(settings.source):
        return source_path(loaded), settings.format, settings.source
    # The HTTP client (urllib.request and its TLS setup) is imported by builds that download.
    from sitegen.data.download import display_url
    fetched = fetch(Download(loaded.source, settings, kind == "production"), report)
    return fetched.path, fetched.fmt, display_url(settings.source)


def _read_meta(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


class _Cache:
    """The cached copy of one URL, and the three ways a fetch falls back to it."""

    def __init__(self, download: Download, report: Report):
        from sitegen.data.download import display_url
        self.download = download
        self.report = report
        self.shown = display_url(download.url)
        self.body, self.meta_path = cache_files(download.site_root, download.url)
        self.meta = _read_meta(self.meta_path) if self.body.is_file() else {}

    @property
    def exists(self) -> bool:
        return bool(self.meta)

    def use(self, how: str) -> Fetched:
        settings, meta = self.download.settings, self.meta
        kind = settings.format or format_from_url(self.download.url) or meta.get("format") \
            or format_from_type(meta.get("content_type"))
        return Fetched(self.body, kind, how)

    def unavailable(self, reason: str) -> Fetched:
        if self.exists:
            self.report.warning(self.shown, None, "locations.source",
                                f"cannot download ({reason}); using the cached copy from "
                                f"{self.meta.get('fetched', 'an earlier build')}",
                                "the site is built from the last good download")
            return self.use("cached-offline")
        raise SitegenError(Diagnostic(
            self.shown, None, "locations.source",
            f"cannot download ({reason}) and there is no cached copy",
            "check the URL and the network, then build again"))

    def refuse(self, reason: str, hint: str) -> Fetched:
        if self.exists and not self.download.production:
            self.report.warning(self.shown, None, "locations.source",
                                f"refusing the download: {reason}; using the cached copy from "
                                f"{self.meta.get('fetched', 'an earlier build')}", hint)
            return self.use("cached-bad-download")
        raise SitegenError(Diagnostic(self.shown, None, "locations.source",
                                      f"refusing the download: {reason}", hint))

    def rows(self, fmt: str) -> int | None:
        """The cached copy's row count: kept beside it when it was read the same way, else
        counted now; None when it cannot be read."""
        if self.meta.get("read_as") == read_as(fmt, self.download.settings) and \
                isinstance(self.meta.get("rows"), int):
            return int(self.meta["rows"])
        try:
            return count_rows(self.body, fmt, self.download.settings, self.shown)
        except SitegenError:
            return None


def read_as(fmt: str, settings: LocationsSection) -> list[str | None]:
    """What decides which rows the reader finds in a file, besides its bytes."""
    return [fmt, settings.encoding, settings.table, settings.query, settings.sheet]


def count_rows(path: Path, fmt: str, settings: LocationsSection, shown: str) -> int:
    """The rows the reader finds in `path`; its fatal problems raise, as in a build."""
    return len(read_rows(DatasetFile.of(settings, (path, fmt, shown)), Report()))


def fetch(download: Download, report: Report) -> Fetched:
    from sitegen.data.download import TRUNCATED_HINT, Refused, Rules, Unreachable, get
    cache = _Cache(download, report)
    settings = download.settings
    headers = {"User-Agent": f"sitegen/{__version__}",
               "Accept": "text/csv, application/json, application/geo+json, */*;q=0.5"}
    if cache.exists and cache.meta.get("etag"):
        headers["If-None-Match"] = cache.meta["etag"]
    if cache.exists and cache.meta.get("last_modified"):
        headers["If-Modified-Since"] = cache.meta["last_modified"]
    try:
        answer = get(Rules(download.url, settings.download_deadline,
                           settings.allow_private_hosts, MAX_BYTES, headers))
    except Unreachable as exc:
        return cache.unavailable(exc.reason)
    except Refused as exc:
        return cache.refuse(exc.reason, exc.hint)
    status = f"HTTP {answer.status} {answer.reason}"
    if answer.status == 304 and cache.exists:
        return cache.use("not-modified")
    if answer.status >= 500 or answer.status in (408, 429):
        return cache.unavailable(status)
    if not 200 <= answer.status < 300:
        raise SitegenError(Diagnostic(
            cache.shown, None, "locations.source", f"download failed: {status}",
            "check the URL; a spreadsheet must be published to the web as CSV"))

    body, content_type = answer.body, answer.headers.get("Content-Type") or ""
    kind = content_type.split(";", 1)[0].strip().lower()
    if not body.strip():
        return cache.refuse("the server sent an empty file",
                            "check that the sheet or API still has its data")
    head = body[:512].lstrip().lower()
    if kind in HTML_TYPES or head.startswith((b"<!doctype html", b"<html")):
        return cache.refuse(f"the server sent a web page ({kind or 'HTML'}), not data",
                            "a sign-in or error page, or the sheet's page instead of its CSV "
                            "export: publish it to the web as CSV and use that link")
    detected = settings.format or format_from_url(download.url) or \
        format_from_type(content_type)
    if detected is None:
        raise SitegenError(Diagnostic(
            cache.shown, None, "locations.format",
            f"cannot tell the format of the download (Content-Type '{kind or 'none'}')",
            "set locations.format, e.g. csv or json"))
    cut = cut_reason(body, detected, settings.encoding)
    if cut:
        return cache.refuse(cut, TRUNCATED_HINT)
    return _accept(cache, answer, detected)


def _accept(cache: _Cache, answer: Answer, fmt: str) -> Fetched:
    """Count the download's rows and, unless they dropped too far below the cached copy's,
    make it the cached copy, with its validators and row count beside it."""
    settings, body = cache.download.settings, answer.body
    last_modified = answer.headers.get("Last-Modified")
    if cache.body.is_file() and cache.body.read_bytes() == body:
        rows = cache.rows(fmt)  # the same bytes keep their mtime: the build time stays put
    else:
        cache.body.parent.mkdir(parents=True, exist_ok=True)
        staged = Replacement(cache.body)  # renamed over the cached copy once accepted
        staged.tmp.write_bytes(body)
        try:
            rows = count_rows(staged.tmp, fmt, settings, cache.shown)
            before = cache.rows(fmt) if cache.exists else None
            if before and (before - rows) / before > settings.max_row_drop:
                return cache.refuse(
                    f"it has {rows} rows where the cached copy has {before}: "
                    f"{(before - rows) / before:.0%} fewer, more than locations.max_row_drop "
                    f"({settings.max_row_drop:.0%})", ROW_DROP_HINT)
            _set_mtime(staged.tmp, last_modified)
            staged.commit()
        finally:
            staged.discard()
    record = {"url": cache.shown, "etag": answer.headers.get("ETag"),
              "last_modified": last_modified,
              "content_type": answer.headers.get("Content-Type") or "", "format": fmt,
              "fetched": email.utils.formatdate(usegmt=True),
              "sha256": hashlib.sha256(body).hexdigest(), "bytes": len(body), "rows": rows,
              "read_as": read_as(fmt, settings)}
    replace_file(cache.meta_path, (json.dumps(record, indent=2) + "\n").encode("utf-8"))
    return Fetched(cache.body, fmt, "downloaded")


def _set_mtime(path: Path, last_modified: str | None) -> None:
    """The server's Last-Modified as the file's time: a build's date comes from its inputs."""
    if not last_modified:
        return
    try:
        stamp = email.utils.parsedate_to_datetime(last_modified).timestamp()
        os.utime(path, (stamp, stamp))
    except (TypeError, ValueError, OverflowError, OSError):
        pass
