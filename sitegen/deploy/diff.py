"""`sitegen diff DIR_A DIR_B`: what a promotion would change, page by page.

Pages are matched by URL path (`about/index.html` is `/about/`). For each page present in
both builds the comparison reads facts, not bytes:

- title: the `<title>`;
- address, phone, hours: from the location's JSON-LD (hours per day, and dated holiday hours);
- JSON-LD: any other JSON-LD key that changed (named by its path);
- text: the visible text of `<main>`, reported only when none of the facts above changed
  (so a location's new hours are one change, not three).

What differs by environment is ignored: the host of every URL (each build's own host, read
from its canonical links, is removed), the banner, robots meta and analytics (all outside
`<main>` and JSON-LD). Encrypted builds are decrypted with the password (`--password-env`,
default $SITEGEN_STAGING_PASSWORD) and their `_sitegen/protection.json`; a page of a private
build (output/private.py) is known by the production URL its preview note shows, so a private
staging build compares with production page by page.

The text of an encrypted build stays out of logs: for it, `sitegen diff` and `sitegen
publish` print which pages and fields changed, not the text before and after, unless
`--show-text` is given.
"""

from __future__ import annotations

import contextlib
import json
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from sitegen.diagnostics import Diagnostic, SitegenError
from sitegen.files import walk
from sitegen.output.protect import PROTECTION_FILE, Protection, load_protection, prompt_payload

DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
COVERED_KEYS = ("address", "telephone", "openingHoursSpecification",
                "specialOpeningHoursSpecification")


@dataclass
class Change:
    field: str
    before: str
    after: str


@dataclass
class DiffResult:
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changed: dict[str, list[Change]] = field(default_factory=dict)
    unchanged: int = 0
    protected: bool = False  # a build was encrypted: its text is not shown by default
    # Each page's language (its `<html lang>`), by URL: a site of several languages is
    # also summed up per language.
    languages: dict[str, str] = field(default_factory=dict)

    def per_language(self) -> dict[str, dict[str, int]]:
        """added, removed, changed and unchanged pages by language; empty with one."""
        if len(set(self.languages.values())) < 2:
            return {}
        counts: dict[str, dict[str, int]] = {}
        kinds = (("added", self.added), ("removed", self.removed),
                 ("changed", list(self.changed)))
        for code in sorted(set(self.languages.values())):
            counts[code] = {kind: sum(self.languages.get(url) == code for url in urls)
                            for kind, urls in kinds}
            counts[code]["unchanged"] = sum(
                lang == code for url, lang in self.languages.items()
                if url not in self.changed and url not in self.added
                and url not in self.removed)
        return counts

    def to_dict(self, show_text: bool = False) -> dict[str, Any]:
        hide = self.protected and not show_text
        data = {"added": self.added, "removed": self.removed,
                "changed": {url: [{"field": c.field} if hide else c.__dict__
                                  for c in changes]
                            for url, changes in self.changed.items()},
                "unchanged": self.unchanged, "text_shown": not hide}
        if self.per_language():
            data["languages"] = self.per_language()
        return data


@dataclass
class PageFacts:
    lang: str = ""  # the `<html lang>`
    title: str = ""
    jsonld: list[Any] = field(default_factory=list)
    text: str = ""


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.facts = PageFacts()
        self.canonical: str | None = None
        self.production_url: str | None = None  # a private build's preview note
        self._capture: str | None = None
        self._buffer: list[str] = []
        self._main = 0
        self._skip = 0
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "html":
            self.facts.lang = a.get("lang", "")
        if tag == "link" and a.get("rel") == "canonical":
            self.canonical = a.get("href")
        captured = tag == "title" or (tag == "code" and "data-sitegen-production-url" in a) \
            or (tag == "script" and a.get("type") == "application/ld+json")
        if captured:
            self._capture, self._buffer = tag, []
        elif tag in ("script", "style", "template"):
            self._skip += 1
        if tag == "main":
            self._main += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == self._capture:
            text = "".join(self._buffer)
            if tag == "title":
                self.facts.title = " ".join(text.split())
            elif tag == "code":
                self.production_url = text.strip()
            else:
                with contextlib.suppress(ValueError):
                    self.facts.jsonld.append(json.loads(text))
            self._capture = None
        elif tag in ("script", "style", "template") and self._skip:
            self._skip -= 1
        if tag == "main" and self._main:
            self._main -= 1

    def handle_data(self, data: str) -> None:
        if self._capture:
            self._buffer.append(data)
        elif self._main and not self._skip:
            self._text.append(data)


def url_for(rel: str) -> str:
    if rel == "index.html":
        return "/"
    if rel.endswith("/index.html"):
        return "/" + rel[: -len("index.html")]
    return "/" + rel


def read_pages(folder: Path, password: str | None = None
               ) -> tuple[dict[str, PageFacts], bool]:
    """Facts of every HTML page of a build folder, by URL path; and whether it is
    encrypted."""
    if not folder.is_dir():
        raise SitegenError(Diagnostic(str(folder), None, None, "no build folder here",
                                      "pass two folders written by sitegen build"))
    protection: Protection | None = None
    pages: dict[str, PageFacts] = {}
    for rel in [rel for rel in walk(folder) if rel.endswith(".html")]:
        text = (folder / rel).read_text(encoding="utf-8", errors="replace")
        payload = prompt_payload(text)
        if payload is not None:
            if protection is None:
                protection = _protection(folder, password)
            text = protection.decrypt(payload).decode("utf-8", errors="replace")
        reader = _Reader()
        reader.feed(text)
        reader.close()
        facts = reader.facts
        facts.text = " ".join("".join(reader._text).split())
        host = urlsplit(reader.canonical or "").netloc
        facts.jsonld = _strip_host(facts.jsonld, host)
        # A page of a private build is known by the production URL it previews.
        url = urlsplit(reader.production_url).path if reader.production_url else url_for(rel)
        pages[url] = facts
    return pages, protection is not None


def _protection(folder: Path, password: str | None) -> Protection:
    if not password:
        raise SitegenError(Diagnostic(
            str(folder / PROTECTION_FILE), None, None,
            "this build is encrypted and no password is set",
            "export SITEGEN_STAGING_PASSWORD=... (or pass --password-env VAR)"))
    return load_protection(folder, password)


def _strip_host(node: Any, host: str) -> Any:
    if isinstance(node, dict):
        return {k: _strip_host(v, host) for k, v in node.items()}
    if isinstance(node, list):
        return [_strip_host(v, host) for v in node]
    if isinstance(node, str) and host:
        return re.sub(rf"^https?://{re.escape(host)}(?=/|$)", "", node)
    return node


def _location(jsonld: list[Any]) -> dict[str, Any]:
    for item in jsonld:
        if isinstance(item, dict) and str(item.get("@id", "")).endswith("#location"):
            return item
    return {}


def _address(location: dict[str, Any]) -> str:
    address = location.get("address") or {}
    if not isinstance(address, dict):
        return str(address)
    keys = ("streetAddress", "addressLocality", "addressRegion", "postalCode", "addressCountry")
    return ", ".join(str(address[k]) for k in keys if address.get(k))


def _hours(location: dict[str, Any]) -> dict[str, str]:
    days: dict[str, list[str]] = {}
    for spec in location.get("openingHoursSpecification") or []:
        names = spec.get("dayOfWeek") or []
        for name in names if isinstance(names, list) else [names]:
            day = str(name).rsplit("/", 1)[-1]
            days.setdefault(day, []).append(f"{spec.get('opens')}-{spec.get('closes')}")
    out = {day: ", ".join(sorted(days[day])) if day in days else "closed"
           for day in DAY_NAMES} if days else {}
    for spec in location.get("specialOpeningHoursSpecification") or []:
        date = str(spec.get("validFrom") or spec.get("validThrough") or "")
        opens, closes = spec.get("opens"), spec.get("closes")
        text = "closed" if not opens or (opens == closes == "00:00") else f"{opens}-{closes}"
        out[date] = f"{out[date]}, {text}" if date in out else text
    return out


def _paths(node: Any, prefix: str = "") -> dict[str, str]:
    """Flattened JSON: `{"a.b[0]": "value"}`."""
    if isinstance(node, dict):
        out: dict[str, str] = {}
        for key, value in node.items():
            out.update(_paths(value, f"{prefix}.{key}" if prefix else str(key)))
        return out
    if isinstance(node, list):
        out = {}
        for index, value in enumerate(node):
            out.update(_paths(value, f"{prefix}[{index}]"))
        return out
    return {prefix: json.dumps(node, ensure_ascii=False)}


def _jsonld_rest(jsonld: list[Any]) -> dict[str, str]:
    cleaned = []
    for item in jsonld:
        if isinstance(item, dict) and str(item.get("@id", "")).endswith("#location"):
            item = {k: v for k, v in item.items() if k not in COVERED_KEYS}
        cleaned.append(item)
    return _paths(cleaned)


def compare(a: PageFacts, b: PageFacts) -> list[Change]:
    changes: list[Change] = []
    if a.title != b.title:
        changes.append(Change("title", a.title, b.title))
    loc_a, loc_b = _location(a.jsonld), _location(b.jsonld)
    if _address(loc_a) != _address(loc_b):
        changes.append(Change("address", _address(loc_a), _address(loc_b)))
    if str(loc_a.get("telephone", "")) != str(loc_b.get("telephone", "")):
        changes.append(Change("phone", str(loc_a.get("telephone", "")),
                              str(loc_b.get("telephone", ""))))
    hours_a, hours_b = _hours(loc_a), _hours(loc_b)
    runs: list[tuple[list[str], str, str]] = []
    for key in [*DAY_NAMES, *sorted((set(hours_a) | set(hours_b)) - set(DAY_NAMES))]:
        before, after = hours_a.get(key, "") or "(none)", hours_b.get(key, "") or "(none)"
        if before == after:
            runs.append(([], "", ""))
        elif runs and runs[-1][0] and runs[-1][1:] == (before, after) and key in DAY_NAMES:
            runs[-1][0].append(key)
        else:
            runs.append(([key], before, after))
    for keys, before, after in runs:
        if keys:
            label = keys[0] if len(keys) == 1 else f"{keys[0]} to {keys[-1]}"
            changes.append(Change(f"hours {label}", before, after))
    rest_a, rest_b = _jsonld_rest(a.jsonld), _jsonld_rest(b.jsonld)
    for key in sorted(set(rest_a) | set(rest_b)):
        if rest_a.get(key) != rest_b.get(key):
            changes.append(Change(f"JSON-LD {key}", rest_a.get(key, "(none)"),
                                  rest_b.get(key, "(none)")))
    if not changes and a.text != b.text:
        changes.append(Change("text", _excerpt(a.text, b.text), _excerpt(b.text, a.text)))
    return changes


def _excerpt(text: str, other: str, width: int = 60) -> str:
    """The part of `text` around its first difference from `other`."""
    start = next((i for i, (x, y) in enumerate(zip(text, other, strict=False)) if x != y),
                 min(len(text), len(other)))
    begin = max(0, start - 20)
    return ("…" if begin else "") + text[begin:begin + width] + \
        ("…" if begin + width < len(text) else "")


def diff_builds(dir_a: Path, dir_b: Path, *, password: str | None = None) -> DiffResult:
    (pages_a, sealed_a), (pages_b, sealed_b) = read_pages(dir_a, password), \
        read_pages(dir_b, password)
    result = DiffResult(added=sorted(set(pages_b) - set(pages_a)),
                        removed=sorted(set(pages_a) - set(pages_b)),
                        protected=sealed_a or sealed_b)
    result.languages = {url: facts.lang for url, facts in {**pages_a, **pages_b}.items()}
    for url in sorted(set(pages_a) & set(pages_b)):
        changes = compare(pages_a[url], pages_b[url])
        if changes:
            result.changed[url] = changes
        else:
            result.unchanged += 1
    return result


def format_diff(result: DiffResult, show_text: bool = False) -> str:
    """The differences, one line each; of an encrypted build the fields that changed but not
    their text, unless `show_text`."""
    lines = [f"added   {url}" for url in result.added]
    lines += [f"removed {url}" for url in result.removed]
    hide = result.protected and not show_text
    for url, changes in result.changed.items():
        lines.append(f"changed {url}")
        lines += [f"  {c.field}" if hide else f"  {c.field}: {c.before} -> {c.after}"
                  for c in changes]
    if hide and result.changed:
        lines.append("(the text of protected pages is not shown: add --show-text)")
    for code, counts in result.per_language().items():
        lines.append(f"{code}: {counts['added']} added, {counts['removed']} removed, "
                     f"{counts['changed']} changed, {counts['unchanged']} unchanged")
    lines.append(f"{len(result.added)} added, {len(result.removed)} removed, "
                 f"{len(result.changed)} changed, {result.unchanged} unchanged")
    return "\n".join(lines)
