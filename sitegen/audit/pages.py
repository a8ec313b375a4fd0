"""The audit: named checks over a written build folder, judged against its environment's policy.

Every build runs it on the temporary folder before the swap (so a violating build never
replaces good output), and `sitegen check` runs it on any folder. Each finding names the file
and the rule, e.g. `index.html: guard.noindex-in-production: ...`.
"""

from __future__ import annotations

import functools
import hashlib
import html
import json
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from sitegen.audit.guards import (
    ANALYTICS_MARKERS,
    GuardContext,
    guard_tree,
    page_guards,
    page_text,
    walk,
)
from sitegen.audit.similarity import near_duplicates, shingles, unique_text
from sitegen.config.policy import Policy
from sitegen.config.schema import SiteConfig
from sitegen.diagnostics import Diagnostic
from sitegen.forking import ForkedCall
from sitegen.output.protect import BUILD_FILE

ROBOTS_META = re.compile(
    r"<meta\s+name=[\"']robots[\"']\s+content=[\"']([^\"']*)[\"']", re.IGNORECASE)
CANONICAL = re.compile(r"<link\s+rel=[\"']canonical[\"']\s+href=[\"']([^\"']*)[\"']", re.I)
LINK_ATTRIBUTES = (re.compile(rb"href=[\"']([^\"'#?]*)"), re.compile(rb"src=[\"']([^\"'#?]*)"))
HTML_SPACE = frozenset(b" \t\n\r\f")
H1 = re.compile(r"<h1[^>]*>(.*?)</h1>", re.IGNORECASE | re.DOTALL)
PAGE_NOINDEX = "noindex, follow"
ANALYTICS_BYTES = tuple(marker.encode() for marker in ANALYTICS_MARKERS)


@dataclass(slots=True)
class PageAudit:
    """What the audit learns from one HTML page; computed where the page is rendered.

    Kept for every page until the build ends (and in the build cache), so it is compact:
    links as a sorted tuple of interned strings (the menu's links are shared by every page
    of a render chunk), the editorial shingles as `similarity.compact` bytes."""

    rel: str
    findings: list[Diagnostic]
    links: tuple[str, ...]
    editorial: bytes | None
    page_noindex: bool = False


def audit_page(rel: str, text: str, policy: Policy, data: bytes | None = None) -> PageAudit:
    """The per-page rules; cheap enough to run in the render workers on the fresh HTML.
    `data`: the page's UTF-8 bytes, when the caller has them already (it wrote them)."""
    editorial = None
    if 'class="page-location"' in text:
        heading = H1.search(text)
        name = html.unescape(re.sub(r"<[^>]+>", "", heading.group(1))) if heading else ""
        editorial = shingles(unique_text(text), (name,))
    # Plain substring and pattern scans run on the UTF-8 bytes: a page with one non-ASCII
    # character is a two-byte-per-character string, which `in` and re scan more slowly.
    if data is None:
        data = text.encode("utf-8", "surrogatepass")
    links = tuple(sorted({sys.intern(t) for t in link_targets(data)
                          if t.startswith("/") and not t.startswith(("//", "/_sitegen/"))}))
    findings = _page_rules(rel, text, data, policy) + page_guards(rel, text, policy)
    return PageAudit(rel, findings, links, editorial)


def link_targets(data: bytes) -> list[str]:
    """The values of every href and src attribute (any case, after HTML whitespace) of a
    UTF-8 page, up to a query or fragment. Scanned in the ASCII-lowercased bytes, which keep
    every offset, with one literal-prefixed pattern per name: a case-insensitive
    `\\s(?:href|src)=` regex tried every position of the page and was a third of the
    per-page audit."""
    lowered = data.lower()
    found = []
    for pattern in LINK_ATTRIBUTES:
        for match in pattern.finditer(lowered):
            start = match.start()
            if start and lowered[start - 1] in HTML_SPACE:
                found.append(data[match.start(1):match.end(1)].decode("utf-8", "surrogatepass"))
    return found


def audit_tree(root: Path, policy: Policy, config: SiteConfig,
               guard: GuardContext | None = None) -> list[Diagnostic]:
    """Audit a folder from disk (`sitegen check`); the build uses `audit_page` + `finish`.

    Pages of an encrypted build are audited decrypted (guard.protection holds the key)."""
    guard = guard or GuardContext()
    pages = []
    for path in sorted(root.rglob("*.html")):
        rel = path.relative_to(root).as_posix()
        text = page_text(path.read_text(encoding="utf-8", errors="replace"), guard)
        if text is not None:
            pages.append(audit_page(rel, text, policy))
    return finish_audit(root, pages, policy, config, guard)


@dataclass
class NearDuplicates:
    """The near-duplicate findings of a build and a digest of what they were computed from
    (every page's editorial shingles and the threshold), kept in the build cache: an
    incremental build whose editorial text did not change reuses them instead of comparing
    10,000 pages again."""

    key: str = ""
    findings: list[Diagnostic] = field(default_factory=list)


def near_duplicate_key(docs: Mapping[str, bytes], threshold: float) -> str:
    digest = hashlib.blake2b(repr(threshold).encode(), digest_size=16)
    for rel in sorted(docs):
        name = rel.encode("utf-8", "surrogatepass")
        digest.update(len(name).to_bytes(4, "big") + name)
        digest.update(len(docs[rel]).to_bytes(4, "big") + docs[rel])
    return digest.hexdigest()


class NearDuplicateCheck:
    """The near-duplicate comparison of a build's pages, started as soon as their audits
    are in: in a forked process when `parallel`, while the build hashes its manifest and
    runs the other whole-tree rules (at 100,000 pages the comparison takes 2.6 s), else
    when the result is asked for. The previous build's findings (`previous`) are reused
    when their key still holds, and updated in place for the build cache when it does not.
    Close it (a context manager) so a failing build does not leave the process behind."""

    def __init__(self, pages: list[PageAudit], threshold: float, previous: NearDuplicates,
                 *, parallel: bool) -> None:
        docs = {p.rel: p.editorial for p in pages if p.editorial}
        self._previous = previous
        self._key = near_duplicate_key(docs, threshold)
        self._call = ForkedCall(functools.partial(near_duplicate_findings, docs, threshold),
                                parallel=parallel and self._key != previous.key)

    def result(self) -> NearDuplicates:
        near = self._previous
        if self._key != near.key:
            near.key, near.findings = self._key, self._call.result()
        return near

    def close(self) -> None:
        self._call.close()

    def __enter__(self) -> NearDuplicateCheck:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def finish_audit(root: Path, pages: list[PageAudit], policy: Policy, config: SiteConfig,
                 guard: GuardContext | None = None,
                 judged: Mapping[str, list[Diagnostic]] | None = None,
                 near: NearDuplicates | NearDuplicateCheck | None = None,
                 files: list[str] | None = None) -> list[Diagnostic]:
    """Whole-tree rules over the per-page results: links, robots, near-duplicates, and the
    environment guard rails of guards.py (`judged`: files the render workers guarded).
    `near`: the near-duplicate check the caller started, or the previous build's findings,
    reused when their key still holds, and updated in place for the next build when it
    does not. `files`: every file under root, sorted, when the caller has just listed them
    (the manifest did)."""
    files = walk(root) if files is None else files
    existing = set(files)
    findings: list[Diagnostic] = []
    declared = declared_noindex(root)
    resolved: dict[str, bool] = {}  # a page has 20 links; most are on every page
    for page in sorted(pages, key=lambda p: p.rel):
        findings.extend(page_findings(page, declared, existing, resolved))
    findings.extend(_robots(root, policy))
    findings.extend(guard_tree(root, policy, guard or GuardContext(), files, judged))
    check = near if isinstance(near, NearDuplicateCheck) else NearDuplicateCheck(
        pages, config.audit.near_duplicate_threshold, near or NearDuplicates(), parallel=False)
    findings.extend(check.result().findings)
    return findings


def page_findings(page: PageAudit, declared: set[str], existing: set[str],
                  resolved: dict[str, bool] | None = None) -> list[Diagnostic]:
    """One page's findings within its tree: its own rules, undeclared noindex, broken links.
    `resolved` remembers, across the pages of one tree, whether each link target exists."""
    findings = list(page.findings)
    if page.page_noindex and page.rel not in declared:
        findings.append(_finding(page.rel, "guard.noindex-in-production",
                                 "page has noindex in an indexable environment",
                                 "only pages the build declares (404, thank-you) may"))
    findings.extend(_links(page.rel, page.links, existing, {} if resolved is None else resolved))
    return findings


def declared_noindex(root: Path) -> set[str]:
    """Pages the build itself declared not indexable (404, thank-you), from _sitegen/build.json."""
    try:
        data = json.loads((root / BUILD_FILE).read_text(encoding="utf-8"))
        return set(data.get("noindex_pages", []))
    except (OSError, ValueError, AttributeError):
        return set()


def near_duplicate_findings(docs: dict[str, bytes], threshold: float) -> list[Diagnostic]:
    return [Diagnostic(a, None, "seo.near-duplicate",
                       f"editorial text is {score:.0%} similar to {b}; search engines may "
                       "treat near-identical location pages as doorway pages",
                       "write a distinct description for each location", "warning")
            for a, b, score in near_duplicates(docs, threshold)]


def _finding(rel: str, rule: str, message: str, hint: str) -> Diagnostic:
    return Diagnostic(rel, None, rule, message, hint)


def _page_rules(rel: str, text: str, data: bytes, policy: Policy) -> list[Diagnostic]:
    out = []
    head = text.split("</head>", 1)[0]
    robots = ROBOTS_META.search(head)
    noindex = bool(robots and "noindex" in robots.group(1).lower())
    if policy.indexable and noindex and robots.group(1) != PAGE_NOINDEX:  # type: ignore[union-attr]
        out.append(_finding(rel, "guard.noindex-in-production",
                            "page has noindex in an indexable environment",
                            "remove the robots meta tag from the template"))
    if not policy.indexable and not noindex:
        out.append(_finding(rel, "guard.missing-noindex",
                            f"page lacks noindex in the non-public environment '{policy.name}'",
                            "templates must render policy.robots_meta in <head>"))
    if not policy.analytics and any(marker in data for marker in ANALYTICS_BYTES):
        out.append(_finding(rel, "guard.analytics-outside-production",
                            f"analytics code in environment '{policy.name}'",
                            "analytics belongs only in the production config"))
    canonical = CANONICAL.search(head)
    if canonical is None:
        if not (robots and robots.group(1) == PAGE_NOINDEX):
            out.append(_finding(rel, "seo.missing-canonical", "page has no canonical link",
                                "render <link rel=\"canonical\"> in the base template"))
    elif policy.indexable:
        host = urlsplit(canonical.group(1)).netloc
        if host != urlsplit(policy.base_url).netloc:
            out.append(_finding(rel, "guard.canonical-host",
                                f"canonical points at {host}, not the production host "
                                f"{urlsplit(policy.base_url).netloc}",
                                "set base_url for production"))
    return out


def _links(rel: str, targets: tuple[str, ...], existing: set[str],
           resolved: dict[str, bool]) -> list[Diagnostic]:
    out = []
    for target in targets:
        found = resolved.get(target)
        if found is None:
            found = resolved[target] = _target_exists(target, existing)
        if not found:
            out.append(_finding(rel, "links.broken", f"link to {target} points at no file",
                                "fix the link or the page it points to"))
    return out


def _target_exists(target: str, existing: set[str]) -> bool:
    path = target.lstrip("/")
    candidates = (path, path + "index.html") if target.endswith("/") or not path else \
        (path, path + "/index.html")
    return any(c in existing for c in candidates)


def _robots(root: Path, policy: Policy) -> list[Diagnostic]:
    robots = root / "robots.txt"
    if not robots.is_file():
        return [_finding("robots.txt", "guard.robots", "robots.txt is missing",
                         "the build writes it; check the output folder")]
    text = robots.read_text(encoding="utf-8")
    blocks_all = bool(re.search(r"^Disallow:\s*/\s*$", text, re.MULTILINE))
    if policy.indexable and blocks_all:
        return [_finding("robots.txt", "guard.robots-disallow-in-production",
                         "robots.txt disallows the whole site in production",
                         "production must be crawlable")]
    if not policy.indexable and (not blocks_all or "Sitemap:" in text):
        return [_finding("robots.txt", "guard.robots-allows-crawling",
                         f"robots.txt lets crawlers into '{policy.name}'",
                         "non-public environments must disallow /")]
    return []
