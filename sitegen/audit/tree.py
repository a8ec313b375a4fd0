"""The audit of a whole build folder: the page results in their tree (links, undeclared
noindex), robots.txt, the guard rails over every file, and the near-duplicates.

Every build runs it on the temporary folder before the swap (so a violating build never
replaces good output), and `sitegen check` runs it on any folder.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from sitegen.audit.duplicates import NearDuplicateCheck, NearDuplicates
from sitegen.audit.findings import finding
from sitegen.audit.guards import GuardContext, guard_tree, page_text
from sitegen.audit.pages import PageAudit, audit_page, page_findings
from sitegen.audit.redirects import redirect_findings
from sitegen.config.policy import Policy
from sitegen.config.schema import SiteConfig
from sitegen.diagnostics import Diagnostic
from sitegen.files import walk
from sitegen.output.protect import BUILD_FILE


def audit_tree(root: Path, policy: Policy, config: SiteConfig,
               guard: GuardContext | None = None) -> list[Diagnostic]:
    """Audit a folder from disk (`sitegen check`); the build uses `audit_page` + `finish`.

    Pages of an encrypted build are audited decrypted (guard.protection holds the key)."""
    guard = guard or GuardContext(root=root)
    pages = []
    for rel in [rel for rel in walk(root) if rel.endswith(".html")]:
        text = page_text((root / rel).read_text(encoding="utf-8", errors="replace"), guard)
        if text is not None:
            pages.append(audit_page(rel, text, policy))
    return finish_audit(root, policy, config, guard, WrittenTree(pages))


@dataclass(frozen=True)
class WrittenTree:
    """What is known of a folder before its whole-tree audit: its pages' audits, and in a
    build, what the processes that wrote it found. `judged`: the guard findings of the
    files they judged; `near`: the near-duplicate check the build started, or the previous
    build's findings, reused when their key still holds and updated in place for the next
    build when it does not; `files`: every file under the folder, sorted, when the build
    has just listed them (the manifest did)."""

    pages: list[PageAudit]
    judged: Mapping[str, list[Diagnostic]] = field(default_factory=dict)
    near: NearDuplicates | NearDuplicateCheck | None = None
    files: list[str] | None = None


def finish_audit(root: Path, policy: Policy, config: SiteConfig, guard: GuardContext | None,
                 tree: WrittenTree) -> list[Diagnostic]:
    """Whole-tree rules over the per-page results: links, robots, near-duplicates, and the
    environment guard rails of guards.py."""
    pages, near = tree.pages, tree.near
    files = walk(root) if tree.files is None else tree.files
    existing = set(files)
    findings: list[Diagnostic] = []
    declared = declared_noindex(root)
    resolved: dict[str, bool] = {}  # a page has 20 links; most are on every page
    for page in sorted(pages, key=lambda p: p.rel):
        findings.extend(page_findings(page, declared, existing, resolved))
    findings.extend(_robots(root, policy))
    findings.extend(redirect_findings(root, policy, existing))
    findings.extend(guard_tree(root, policy, guard or GuardContext(root=root), files,
                               tree.judged))
    check = near if isinstance(near, NearDuplicateCheck) else NearDuplicateCheck(
        pages, config.audit.near_duplicate_threshold, near or NearDuplicates(), parallel=False)
    findings.extend(check.result().findings)
    return findings


def declared_noindex(root: Path) -> set[str]:
    """Pages the build itself declared not indexable (404, thank-you), from _sitegen/build.json."""
    try:
        data = json.loads((root / BUILD_FILE).read_text(encoding="utf-8"))
        return set(data.get("noindex_pages", []))
    except (OSError, ValueError, AttributeError):
        return set()


def _robots(root: Path, policy: Policy) -> list[Diagnostic]:
    robots = root / "robots.txt"
    if not robots.is_file():
        return [finding("robots.txt", "guard.robots", "robots.txt is missing",
                         "the build writes it; check the output folder")]
    text = robots.read_text(encoding="utf-8")
    blocks_all = bool(re.search(r"^Disallow:\s*/\s*$", text, re.MULTILINE))
    if policy.indexable and blocks_all:
        return [finding("robots.txt", "guard.robots-disallow-in-production",
                         "robots.txt disallows the whole site in production",
                         "production must be crawlable")]
    if not policy.indexable and (not blocks_all or "Sitemap:" in text):
        return [finding("robots.txt", "guard.robots-allows-crawling",
                         f"robots.txt lets crawlers into '{policy.name}'",
                         "non-public environments must disallow /")]
    return []
