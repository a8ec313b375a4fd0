"""Content pages from `content/`: Markdown with YAML front matter, and static files.

`content/locations/<id or slug>.md` extends a location (title, description, FAQs, extra body);
every other `.md` becomes a page; every other file is copied as a static asset. In a site of
several languages, `about.fr.md` is the French version of `about.md` (as in Hugo), and
`locations/<id>.fr.md` that of a location's file.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sitegen.config.yamlfile import load_yaml_text
from sitegen.data.markup import render_trusted
from sitegen.diagnostics import Diagnostic, Report, SitegenError
from sitegen.model.urls import url_problem

FRONT_MATTER_KEYS = {"title", "description", "template", "url", "faqs", "draft", "menu",
                     "weight", "lastmod", "image", "categories", "ctas", "robots"}
ROBOTS_VALUES = ("index", "noindex")
LOCATION_KEYS = {"title", "description", "faqs", "lastmod", "image", "ctas", "intro",
                 "promotions"}
IGNORED_SUFFIXES = (".swp", "~", ".tmp", ".DS_Store")


@dataclass
class ContentPage:
    source: str
    url: str
    title: str
    description: str
    template: str
    body_html: str
    meta: dict[str, Any] = field(default_factory=dict)
    key: str = ""  # the URL its file's name gives: a translation's is that of its original


@dataclass
class LocationContent:
    source: str
    key: str
    meta: dict[str, Any]
    body_html: str


@dataclass
class Content:
    pages: list[ContentPage]
    locations: dict[str, LocationContent]
    static_files: list[tuple[Path, str]]
    # Another language's files (`about.fr.md`), by language code: pages keyed by the URL
    # of the page they translate, location files by the location's id or slug.
    translated: dict[str, Content] = field(default_factory=dict)


def split_front_matter(text: str, display: str) -> tuple[dict[str, Any], str, int]:
    """Return (front matter, body, body's first line number)."""
    if not text.startswith("---"):
        return {}, text, 1
    lines = text.split("\n")
    for index in range(1, len(lines)):
        if lines[index].strip() == "---":
            loaded = load_yaml_text("\n".join(lines[1:index]), display, line_offset=1)
            data = loaded.data or {}
            if not isinstance(data, dict):
                raise SitegenError(Diagnostic(display, 2, None,
                                              "front matter must be a mapping of keys",
                                              "write `title: ...` lines between the --- lines"))
            return data, "\n".join(lines[index + 1:]), index + 2
    raise SitegenError(Diagnostic(display, 1, None, "front matter is not closed",
                                  "add a line with --- after the front matter"))


def load_content(source: Path, report: Report, languages: tuple[str, ...] = ()) -> Content:
    """The content folder; `languages`: the codes of the site's other languages, whose
    `<name>.<code>.md` files are translations (Content.translated)."""
    root = source / "content"
    pages: list[ContentPage] = []
    locations: dict[str, LocationContent] = {}
    static: list[tuple[Path, str]] = []
    content = Content(pages, locations, static,
                      {code: Content([], {}, []) for code in languages})
    if not root.is_dir():
        return content
    real_root = root.resolve()
    for path in sorted(_walk(root)):
        rel = path.relative_to(root).as_posix()
        display = f"content/{rel}"
        if path.is_symlink() and not path.resolve().is_relative_to(real_root):
            report.error(display, None, None, "symlink points outside the site",
                         "copy the file into content/ instead")
            continue
        if rel.endswith(IGNORED_SUFFIXES) or path.name.startswith((".#", ".")):
            continue
        if not path.is_file():  # a dangling symlink: the copy would fail with a vague error
            report.error(display, None, None, "cannot read file: broken symbolic link",
                         "fix or remove the link")
            continue
        if path.suffix != ".md":
            static.append((path, rel))
            continue
        text = _read_markdown(path, display, report)
        if text is None:
            continue
        try:
            meta, body, _ = split_front_matter(text, display)
        except SitegenError as exc:  # keep going: every file's problems are reported at once
            report.extend(exc.diagnostics)
            continue
        allowed = LOCATION_KEYS if rel.startswith("locations/") else FRONT_MATTER_KEYS
        for key in sorted(set(meta) - allowed):
            report.error(display, 2, key, f"unknown front matter key '{key}'",
                         "allowed: " + ", ".join(sorted(allowed)))
        if meta.get("draft"):
            continue
        if "robots" in meta and meta["robots"] not in ROBOTS_VALUES:
            report.error(display, 2, "robots", f"robots must be one of {', '.join(ROBOTS_VALUES)}",
                         "write robots: noindex to keep the page out of search results and "
                         "the sitemap")
            continue
        html = render_trusted(body)
        stem, _, code = rel[:-3].rpartition(".")
        into = content.translated.get(code) if stem else None
        if into is None:
            stem, into = rel[:-3], content
        if rel.startswith("locations/"):
            key = stem[len("locations/"):]
            into.locations[key] = LocationContent(display, key, meta, html)
            continue
        own = "/" if stem == "index" else f"/{stem.removesuffix('/index')}/"
        url = meta.get("url") or own
        problem = url_problem(str(url))
        if problem:
            shown = re.sub(r"[\x00-\x1f\x7f]", lambda m: f"\\x{ord(m.group()):02x}",
                           str(url)[:80])
            report.error(display, 2, "url", f"'{shown}' {problem}",
                         "the url of a page is a path inside the site")
            continue
        into.pages.append(ContentPage(
            source=display, url=str(url), title=str(meta.get("title") or _title(stem)),
            description=str(meta.get("description") or ""),
            template=str(meta.get("template") or ("home.html" if url == "/" else "page.html")),
            body_html=html, meta=meta, key=own))
    return content


def _read_markdown(path: Path, display: str, report: Report) -> str | None:
    """The file's text, or None after reporting why it cannot be read (never a traceback)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        report.error(display, None, None, f"cannot read file: {exc.strerror or exc}",
                     "fix or remove the file")
        return None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        report.error(display, line, None,
                     f"cannot decode byte 0x{data[exc.start]:02x} as utf-8",
                     "save the file as UTF-8")
        return None


def _walk(root: Path) -> list[Path]:
    out: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        out.extend(Path(dirpath) / name for name in filenames)
    return out


def _title(stem: str) -> str:
    return stem.rsplit("/", 1)[-1].replace("-", " ").replace("_", " ").title()
