"""The per-page audit: the rules judged on one page's HTML where it is rendered (the render
workers, in a build), and its findings once the rest of its tree is known.
"""

from __future__ import annotations

import html
import re
import sys
from dataclasses import dataclass
from urllib.parse import urlsplit

from sitegen.audit.findings import ANALYTICS_BYTES, finding, robots_content
from sitegen.audit.guards import page_guards
from sitegen.audit.links import broken_links, link_targets
from sitegen.audit.similarity import shingles, unique_text
from sitegen.config.policy import Policy
from sitegen.diagnostics import Diagnostic

CANONICAL = re.compile(r"<link\s+rel=[\"']canonical[\"']\s+href=[\"']([^\"']*)[\"']", re.I)
H1 = re.compile(r"<h1[^>]*>(.*?)</h1>", re.IGNORECASE | re.DOTALL)
# The robots meta of the pages a build declares not indexable (404, thank-you): followed, not
# indexed. In an indexable environment only the declared ones may carry it (page_findings).
PAGE_NOINDEX = "noindex, follow"


@dataclass(slots=True)
class PageAudit:
    """What the audit learns from one HTML page; computed where the page is rendered.

    Kept for every page until the build ends (and in the build cache), so it is compact:
    links as a sorted tuple of interned strings (the menu's links are shared by every page
    of a render chunk), the editorial shingles as `similarity.compact` bytes.
    `page_noindex`: the page carries PAGE_NOINDEX in an indexable environment, which only the
    pages the build declares in _sitegen/build.json may (page_findings judges it)."""

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
    declared_only = policy.indexable and \
        robots_content(text.split("</head>", 1)[0]) == PAGE_NOINDEX
    return PageAudit(rel, findings, links, editorial, declared_only)


def page_findings(page: PageAudit, declared: set[str], existing: set[str],
                  resolved: dict[str, bool] | None = None) -> list[Diagnostic]:
    """One page's findings within its tree: its own rules, undeclared noindex, broken links.
    `resolved` remembers, across the pages of one tree, whether each link target exists."""
    findings = list(page.findings)
    if page.page_noindex and page.rel not in declared:
        findings.append(finding(page.rel, "guard.noindex-in-production",
                                 "page has noindex in an indexable environment",
                                 "only pages the build declares (404, thank-you) may"))
    findings.extend(broken_links(page.rel, page.links, existing,
                                 {} if resolved is None else resolved))
    return findings


def _page_rules(rel: str, text: str, data: bytes, policy: Policy) -> list[Diagnostic]:
    out = []
    head = text.split("</head>", 1)[0]
    robots = robots_content(head)
    noindex = robots is not None and "noindex" in robots.lower()
    if policy.indexable and noindex and robots != PAGE_NOINDEX:
        out.append(finding(rel, "guard.noindex-in-production",
                            "page has noindex in an indexable environment",
                            "remove the robots meta tag from the template"))
    if not policy.indexable and not noindex:
        out.append(finding(rel, "guard.missing-noindex",
                            f"page lacks noindex in the non-public environment '{policy.name}'",
                            "templates must render policy.robots_meta in <head>"))
    if not policy.analytics and any(marker in data for marker in ANALYTICS_BYTES):
        out.append(finding(rel, "guard.analytics-outside-production",
                            f"analytics code in environment '{policy.name}'",
                            "analytics belongs only in the production config"))
    canonical = CANONICAL.search(head)
    if canonical is None:
        if robots != PAGE_NOINDEX:
            out.append(finding(rel, "seo.missing-canonical", "page has no canonical link",
                                "render <link rel=\"canonical\"> in the base template"))
    elif policy.indexable:
        host = urlsplit(canonical.group(1)).netloc
        if host != urlsplit(policy.base_url).netloc:
            out.append(finding(rel, "guard.canonical-host",
                                f"canonical points at {host}, not the production host "
                                f"{urlsplit(policy.base_url).netloc}",
                                "set base_url for production"))
    return out
