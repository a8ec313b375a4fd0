"""The audit: named checks over a written build folder, judged against its environment's policy.

Every build runs it on the temporary folder before the swap (so a violating build never
replaces good output), and `sitegen check` runs it on any folder. Each finding names the file
and the rule, e.g. `index.html: guard.noindex-in-production: ...`.
"""

from __future__ import annotations

import html
import re
from pathlib import Path
from urllib.parse import urlsplit

from sitegen.config_schema import SiteConfig
from sitegen.diagnostics import Diagnostic
from sitegen.environments import Policy
from sitegen.similarity import near_duplicates, shingles, unique_text

ROBOTS_META = re.compile(
    r"<meta\s+name=[\"']robots[\"']\s+content=[\"']([^\"']*)[\"']", re.IGNORECASE)
CANONICAL = re.compile(r"<link\s+rel=[\"']canonical[\"']\s+href=[\"']([^\"']*)[\"']", re.I)
HREF = re.compile(r"\s(?:href|src)=[\"']([^\"'#?]*)", re.IGNORECASE)
H1 = re.compile(r"<h1[^>]*>(.*?)</h1>", re.IGNORECASE | re.DOTALL)
ANALYTICS_MARKERS = ("googletagmanager.com", "google-analytics.com", "gtag(", "plausible.io",
                     "_paq.push", "matomo.js", "data-sitegen-analytics")


def audit_tree(root: Path, policy: Policy, config: SiteConfig) -> list[Diagnostic]:
    """Every finding; errors fail a build or `sitegen check`, warnings are reported."""
    findings: list[Diagnostic] = []
    html_files = sorted(root.rglob("*.html"))
    existing = {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}
    editorial: dict[str, set[int]] = {}
    for path in html_files:
        rel = path.relative_to(root).as_posix()
        text = path.read_text(encoding="utf-8", errors="replace")
        findings.extend(_page_rules(rel, text, policy))
        findings.extend(_links(rel, text, existing))
        if 'class="page-location"' in text:
            heading = H1.search(text)
            name = html.unescape(re.sub(r"<[^>]+>", "", heading.group(1))) if heading else ""
            editorial[rel] = shingles(unique_text(text), (name,))
    findings.extend(_robots(root, policy))
    findings.extend(_near_duplicates(editorial, config.audit.near_duplicate_threshold))
    return findings


def _near_duplicates(docs: dict[str, set[int]], threshold: float) -> list[Diagnostic]:
    return [Diagnostic(a, None, "seo.near-duplicate",
                       f"editorial text is {score:.0%} similar to {b}; search engines may "
                       "treat near-identical location pages as doorway pages",
                       "write a distinct description for each location", "warning")
            for a, b, score in near_duplicates(docs, threshold)]


def _finding(rel: str, rule: str, message: str, hint: str) -> Diagnostic:
    return Diagnostic(rel, None, rule, message, hint)


def _page_rules(rel: str, text: str, policy: Policy) -> list[Diagnostic]:
    out = []
    head = text.split("</head>", 1)[0]
    robots = ROBOTS_META.search(head)
    noindex = bool(robots and "noindex" in robots.group(1).lower())
    if policy.indexable and noindex and rel != "404.html":
        out.append(_finding(rel, "guard.noindex-in-production",
                            "page has noindex in an indexable environment",
                            "remove the robots meta tag from the template"))
    if not policy.indexable and not noindex:
        out.append(_finding(rel, "guard.missing-noindex",
                            f"page lacks noindex in the non-public environment '{policy.name}'",
                            "templates must render policy.robots_meta in <head>"))
    if not policy.analytics and any(marker in text for marker in ANALYTICS_MARKERS):
        out.append(_finding(rel, "guard.analytics-outside-production",
                            f"analytics code in environment '{policy.name}'",
                            "analytics belongs only in the production config"))
    canonical = CANONICAL.search(head)
    if canonical is None:
        if rel != "404.html":
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


def _links(rel: str, text: str, existing: set[str]) -> list[Diagnostic]:
    out = []
    for target in sorted(set(HREF.findall(text))):
        if not target.startswith("/") or target.startswith("//") or target.startswith("/_sitegen/"):
            continue
        path = target.lstrip("/")
        candidates = (path, path + "index.html") if target.endswith("/") or not path else \
            (path, path + "/index.html")
        if not any(c in existing for c in candidates):
            out.append(_finding(rel, "links.broken", f"link to {target} points at no file",
                                "fix the link or the page it points to"))
    return out


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
