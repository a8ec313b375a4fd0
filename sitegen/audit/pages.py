"""The per-page audit: the `page` rules of the rule table judged on one page's HTML where it
is rendered (the render workers, in a build), and its findings once the rest of its tree is
known.
"""

from __future__ import annotations

import html
import re
import sys
from dataclasses import dataclass

from sitegen.audit.checks import noindex_finding
from sitegen.audit.context import PageFacts
from sitegen.audit.links import broken_links, link_targets
from sitegen.audit.rules import page_rules
from sitegen.audit.similarity import shingles, unique_text
from sitegen.config.policy import Policy
from sitegen.diagnostics import Diagnostic

H1 = re.compile(r"<h1[^>]*>(.*?)</h1>", re.IGNORECASE | re.DOTALL)
# Site paths a page names outside href/src (a view's data attributes: the Leaflet files).
ASSET_PATH = re.compile(rb"/_assets/[^\"'\s?#<>)`]+")


@dataclass(slots=True)
class PageAudit:
    """What the audit learns from one HTML page; computed where the page is rendered.

    Kept for every page until the build ends (and in the build cache), so it is compact:
    links as a sorted tuple of interned strings (the menu's links are shared by every page
    of a render chunk), the editorial shingles as `similarity.compact` bytes.
    `noindex`: in an indexable environment, the page's robots meta tag that says noindex
    (to any crawler), which only the pages the build declares in _sitegen/build.json may
    carry (the tree rule judges it); `assets`: `/_assets/` paths it names outside links."""

    rel: str
    findings: list[Diagnostic]
    links: tuple[str, ...]
    editorial: bytes | None
    noindex: str | None = None
    assets: tuple[str, ...] = ()
    lang: str = ""  # a site of several languages: the page's, whose pages it is compared with


def audit_page(rel: str, text: str, policy: Policy, data: bytes | None = None) -> PageAudit:
    """The `page` rules; cheap enough to run in the render workers on the fresh HTML.
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
    facts = PageFacts(rel, text, data, policy)
    links = tuple(sorted({sys.intern(t) for t in link_targets(data, facts.lowered)
                          if t.startswith("/") and not t.startswith(("//", "/_sitegen/"))}))
    findings = page_rules(facts)
    noindex = None
    if policy.indexable:
        noindex = next((meta.show() for meta in facts.metas if meta.noindex), None)
    assets = tuple(sorted({sys.intern(path.decode("utf-8", "replace"))
                           for path in ASSET_PATH.findall(data)} - set(links)))
    return PageAudit(rel, findings, links, editorial, noindex, assets)


def page_findings(page: PageAudit, declared: set[str] | None, existing: set[str],
                  resolved: dict[str, bool] | None = None) -> list[Diagnostic]:
    """One page's findings within its tree: its own rules, broken links, and (given the
    `declared` noindex pages; the tree rule judges a whole folder) an undeclared noindex.
    `resolved` remembers, across the pages of one tree, whether each link target exists."""
    findings = list(page.findings)
    if declared is not None and page.noindex and page.rel not in declared:
        findings.append(noindex_finding(page.rel, page.noindex))
    findings.extend(broken_links(page.rel, page.links, existing,
                                 {} if resolved is None else resolved))
    return findings
