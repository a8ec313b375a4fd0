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

import json
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
        """The ledger as YAML in the one layout `quick_read` reads: ids and id targets as JSON
        strings (YAML double-quoted scalars), paths plain (their alphabet needs no quotes)."""
        out = [HEADER, "locations:\n"]
        for ident, urls in sorted(self.locations.items()):
            out.append(f"  {_quoted(ident)}:\n")
            out.extend(f"  - {url}\n" for url in urls)
        if self.paths:
            out.append("paths:\n")
            out.extend(f"  {old}: {new if new.startswith('/') else _quoted(new)}\n"
                       for old, new in sorted(self.paths.items()))
        return "".join(out)


_UNPRINTABLE = re.compile("[\x7f-\x9f\u2028\u2029\ud800-\udfff\ufffe\uffff]")


def _quoted(text: str) -> str:
    """A JSON string, which is a YAML double-quoted scalar once the characters YAML does
    not allow in a file (DEL, C1 controls, lone surrogates) or reads as line breaks (NEL,
    U+2028, U+2029) are escaped too."""
    return _UNPRINTABLE.sub(lambda m: f"\\u{ord(m.group()):04x}",
                            json.dumps(text, ensure_ascii=False))


_SECTION = re.compile(r"^(locations|paths):[ \t]*$")
_ID_LINE = re.compile(r'^[ ]+("(?:[^"\\]|\\.)*"|[A-Za-z0-9][\w.-]*):[ \t]*$')
_URL_LINE = re.compile(r"^[ ]*- (\S+)[ \t]*$")
_PATH_LINE = re.compile(r'^[ ]+(/\S*): ("(?:[^"\\]|\\.)*"|\S+)[ \t]*$')
_RESOLVER = yaml.resolver.Resolver()
# A JSON string without escapes, which JSON and YAML read as the text between its quotes.
_PLAIN_QUOTED = re.compile(r'"[^"\\\x00-\x1f]*"')


def _scalar(text: str) -> str | None:
    """A quoted or plain key as YAML reads it; None when YAML would not read it as this
    very text (a plain `yes`, `123`, `null`...)."""
    if text.startswith('"'):
        if _PLAIN_QUOTED.fullmatch(text):  # no escape: its text between the quotes
            return text[1:-1]
        try:
            value = json.loads(text)
        except ValueError:
            return None
        return value if isinstance(value, str) else None
    tag = _RESOLVER.resolve(yaml.ScalarNode, text, (True, False))
    return text if tag == "tag:yaml.org,2002:str" else None


def quick_read(text: str) -> tuple[dict[str, Any], dict[tuple[str | int, ...], int]] | None:
    """The ledger in the layout `Ledger.text` writes (and the same by hand), read line by
    line: a big ledger takes a fraction of a second where the YAML composer takes a minute.
    None for anything else (comments after values, flow style, anchors...): YAML reads it."""
    data: dict[str, Any] = {}
    lines: dict[tuple[str | int, ...], int] = {}
    section: str | None = None
    ident: str | None = None
    for number, line in enumerate(text.split("\n"), 1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        found = _SECTION.match(line)
        if found:
            section, ident = found.group(1), None
            if section in data:
                return None
            data[section], lines[(section,)] = {}, number
            continue
        if section == "locations":
            key = _ID_LINE.match(line)
            url = _URL_LINE.match(line)
            if key and (name := _scalar(key.group(1))) is not None \
                    and name not in data[section]:
                ident = name
                data[section][ident], lines[(section, ident)] = [], number
                continue
            if url and ident is not None and not url.group(1).startswith(("'", '"')):
                lines[(section, ident, len(data[section][ident]))] = number
                data[section][ident].append(url.group(1))
                continue
        if section == "paths" and (pair := _PATH_LINE.match(line)) \
                and (target := _scalar(pair.group(2))) is not None \
                and pair.group(1) not in data[section]:
            data[section][pair.group(1)], lines[(section, pair.group(1))] = target, number
            continue
        return None
    return data, lines


def is_site_path(text: str) -> bool:
    return bool(PATH.match(text)) and not {".", ".."} & set(text.split("/"))


def read_ledger(source: Path, rel: str, report: Report) -> Ledger:
    """The ledger at `source/rel` (empty when there is none); each problem a diagnostic
    with the file and line."""
    path = source / rel
    if not path.is_file():
        return Ledger()
    try:
        text = path.read_text(encoding="utf-8")
        quick = quick_read(text)
        if quick is None:
            loaded = load_yaml_text(text, rel)
            quick = loaded.data, loaded.lines
    except UnicodeDecodeError:
        report.error(rel, None, None, "the ledger is not UTF-8 text", "save it as UTF-8")
        return Ledger()
    except SitegenError as exc:
        report.extend(exc.diagnostics)
        return Ledger()
    data, lines = quick
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
