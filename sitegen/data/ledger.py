"""The redirects ledger: every location URL production builds have published, by location
id, and the user's own redirects (docs/lifecycle.md).

    # locations/redirects.yaml
    locations:              # written by production builds, editable
      JO-SF-001:            # a location id: every URL it has had, oldest first
        - /locations/us/ca/san-francisco/hayes/
        - /locations/us/ca/san-francisco/juniper-oak-coffee-hayes-valley/
    paths:                  # yours alone: an old path -> a new path or a location id
      /stores/hayes.html: JO-SF-001

A path is a site path: it starts with one `/`, ends with `/` or `.html`, and its segments
hold only letters, digits and `._~%+@,:=-` (never `.` or `..` alone). The file is
committed, so a fresh CI checkout still knows every URL ever published; a build that
updates it rewrites it whole, sorted, with this module's header (comments of your own are
not kept).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from sitegen.config.yamlfile import load_yaml_text
from sitegen.diagnostics import Report, SitegenError

SECTIONS = ("locations", "paths")
# An allowlist of characters: a path is written into host config files (nginx, Apache,
# _redirects), where quotes, semicolons, spaces or `$` would change what the file says.
PATH = re.compile(r"^/(?:[A-Za-z0-9._~%+@,:=-]+/)*(?:[A-Za-z0-9._~%+@,:=-]+\.html?)?$")
HEADER = ("# The redirects ledger of this site (docs/lifecycle.md): every location URL a\n"
          "# production build published, by location id, oldest first, and your own\n"
          "# redirects under `paths:` (old path -> new path or location id). Production\n"
          "# builds add to it; commit it, so every old URL keeps redirecting.\n")


@dataclass
class Ledger:
    locations: dict[str, list[str]] = field(default_factory=dict)
    paths: dict[str, str] = field(default_factory=dict)
    lines: dict[tuple[str | int, ...], int] = field(default_factory=dict, compare=False)

    def published(self, urls: dict[str, str]) -> Ledger:
        """The ledger with each location's current URL (`urls`: id -> URL) added."""
        locations = {key: list(value) for key, value in self.locations.items()}
        for ident, url in urls.items():
            known = locations.setdefault(ident, [])
            if url not in known:
                known.append(url)
        return Ledger(locations, dict(self.paths))

    def text(self) -> str:
        body: dict[str, Any] = {"locations": dict(sorted(self.locations.items()))}
        if self.paths:
            body["paths"] = dict(sorted(self.paths.items()))
        return HEADER + yaml.safe_dump(body, sort_keys=False, allow_unicode=True,
                                       default_flow_style=False, width=1000)


def is_site_path(text: str) -> bool:
    return bool(PATH.match(text)) and not {".", ".."} & set(text.split("/"))


def read_ledger(source: Path, rel: str, report: Report) -> Ledger:
    """The ledger at `source/rel` (empty when there is none); each problem a diagnostic
    with the file and line."""
    path = source / rel
    if not path.is_file():
        return Ledger()
    try:
        loaded = load_yaml_text(path.read_text(encoding="utf-8"), rel)
    except UnicodeDecodeError:
        report.error(rel, None, None, "the ledger is not UTF-8 text", "save it as UTF-8")
        return Ledger()
    except SitegenError as exc:
        report.extend(exc.diagnostics)
        return Ledger()
    data, lines = loaded.data, loaded.lines
    ledger = Ledger(lines=lines)
    if data is None:
        return ledger
    if not isinstance(data, dict):
        report.error(rel, 1, None, "the ledger must be a mapping with 'locations' and 'paths'",
                     "see docs/lifecycle.md for the format")
        return ledger
    for key in data:
        if key not in SECTIONS:
            report.error(rel, lines.get((key,)), str(key), f"unknown section '{key}'",
                         "the ledger has 'locations' and 'paths'")
    _locations(data.get("locations"), ledger, rel, report)
    _paths(data.get("paths"), ledger, rel, report)
    return ledger


def _locations(section: object, ledger: Ledger, rel: str, report: Report) -> None:
    if section is None:
        return
    lines = ledger.lines
    if not isinstance(section, dict):
        report.error(rel, lines.get(("locations",)), "locations",
                     "'locations' must map location ids to lists of paths",
                     "write `JO-001: [/locations/old-path/]`")
        return
    for ident, urls in section.items():
        where = lines.get(("locations", ident))
        items = [urls] if isinstance(urls, str) else urls
        if not isinstance(items, list):
            report.error(rel, where, f"locations.{ident}", "must be a list of paths",
                         "write `- /locations/old-path/` lines under the id")
            continue
        kept = []
        for index, url in enumerate(items):
            if not isinstance(url, str) or not is_site_path(url):
                report.error(rel, lines.get(("locations", ident, index), where),
                             f"locations.{ident}", f"'{str(url)[:80]}' is not a site path",
                             "write a path such as /locations/ca/toronto/queen-west/ "
                             "(a leading /, ending in / or .html)")
                continue
            kept.append(url)
        ledger.locations[str(ident)] = kept


def _paths(section: object, ledger: Ledger, rel: str, report: Report) -> None:
    if section is None:
        return
    lines = ledger.lines
    if not isinstance(section, dict):
        report.error(rel, lines.get(("paths",)), "paths",
                     "'paths' must map old paths to new paths or location ids",
                     "write `/old/path/: /new/path/`")
        return
    for old, new in section.items():
        where = lines.get(("paths", old))
        if not isinstance(old, str) or not is_site_path(old):
            report.error(rel, where, "paths", f"'{str(old)[:80]}' is not a site path",
                         "write a path with a leading /, ending in / or .html")
            continue
        target = str(new).strip() if isinstance(new, str | int) else ""
        if not target or (target.startswith("/") and not is_site_path(target)):
            report.error(rel, where, f"paths.{old}",
                         f"'{str(new)[:80]}' is neither a site path nor a location id",
                         "write a path such as /locations/ or a location's id")
            continue
        ledger.paths[old] = target
