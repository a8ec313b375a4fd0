"""Guard rails: the audit rules that keep a build inside its environment's policy, applied
from the rule table (rules.py) to each file and to the whole folder.

Where they run: the `page` rules with the page audit (pages.audit_page, in the render
workers on the fresh HTML during a build); the `file` rules in `guard_file` (the workers
judge the pages they wrote, the side task the artifacts it wrote, `guard_tree` the rest);
the `tree` rules in `guard_tree`, over the written folder after the protect step. Pages of an
encrypted build are decrypted with the build's key (derived from the password, which
`sitegen check` needs anyway) so every page rule also runs on the real page. The build
writes `_sitegen/build.json` (environment, data mode, declared noindex pages) for these
rules (output/artifacts.py).
"""

from __future__ import annotations

import dataclasses
import functools
import os
from pathlib import Path

from sitegen.audit.checks import MASKED_BYTES, PAYLOAD_BYTES, is_sitemap
from sitegen.audit.context import (
    FileFacts,
    GuardContext,
    TreeFacts,
    Written,
    guard_context,
)
from sitegen.audit.findings import finding
from sitegen.audit.robots import page_noindex
from sitegen.audit.rules import file_rules, tree_rules
from sitegen.config.policy import Policy
from sitegen.diagnostics import Diagnostic, SitegenError
from sitegen.files import walk
from sitegen.output.protect import is_protected_path, may_be_envelope, prompt_payload

__all__ = ["GuardContext", "guard_context", "guard_file", "guard_tree", "page_text"]


def _open(facts: FileFacts, text: str, plain: str | None
          ) -> tuple[str | None, list[Diagnostic]]:
    """The page a (prompt) page shows: itself, the decrypted page (`plain` when the caller
    sealed it itself), or None when it cannot be opened; and the findings of opening it."""
    rel, payload, policy, guard = facts.rel, facts.payload, facts.policy, facts.guard
    if payload is None:
        return text, []
    if policy.indexable:
        return None, []  # a prompt page in production is judged by its rule
    findings = []
    if not _prompt_noindex(facts.prompt):
        findings.append(finding(rel, "guard.missing-noindex",
                                f"prompt page lacks noindex in '{policy.name}'",
                                "rebuild with sitegen; prompt pages carry noindex"))
    if plain is not None:
        return plain, findings
    if guard.protection is None:
        return None, findings
    try:
        inner = guard.protection.decrypt(payload).decode("utf-8", errors="replace")
    except SitegenError:
        findings.append(finding(rel, "guard.cannot-decrypt",
                                "the build's key cannot decrypt this page",
                                "rebuild: pages of one build share one key"))
        return None, findings
    return inner, findings


@functools.lru_cache(maxsize=16)
def _prompt_noindex(prompt: bytes) -> bool:
    """Whether a password page (without its ciphertext) has noindex: once per build."""
    return page_noindex(prompt)


def page_text(text: str, guard: GuardContext) -> str | None:
    """The page behind a prompt page (decrypted with the build's key), the page itself when
    it is not protected, or None when it cannot be opened (guard_tree reports why)."""
    payload = prompt_payload(text)
    if payload is None:
        return text
    if guard.protection is None:
        return None
    try:
        return guard.protection.decrypt(payload).decode("utf-8", errors="replace")
    except SitegenError:
        return None


def guard_file(rel: str, data: bytes, policy: Policy, guard: GuardContext,
               plain: str | None = None) -> list[Diagnostic]:
    """The `file` rules about one file of the folder (`sitegen serve` re-checks just the
    files an edit rewrote). `plain`: the page before a render worker sealed it, judged
    instead of decrypting `data` again."""
    facts = FileFacts(rel, data, policy, guard)
    if facts.is_page and (not policy.indexable or PAYLOAD_BYTES in data):
        # A sealed page is decoded and its payload parsed once, for every rule.
        text = data.decode("utf-8", errors="replace")
        facts.payload = prompt_payload(text)
        facts.page, facts.opened = _open(facts, text, plain)
    return file_rules(facts)


def guard_tree(root: Path, policy: Policy, guard: GuardContext,
               written: Written | None = None) -> list[Diagnostic]:
    """The `file` rules over every file (each read once; `written.judged`: the findings of
    files the render workers and the side task judged already), then the `tree` rules.
    `written.files`: the folder's listing (`walk`), when the caller has it; `written.pages`:
    what the page audits found (declared and noindex pages, the paths they name)."""
    written = written or Written()
    files, judged = written.files, written.judged
    files = walk(root) if files is None else files
    if guard.root != root:
        guard = dataclasses.replace(guard, root=root)
    out: list[Diagnostic] = []
    for rel in files:
        if rel in judged:
            out.extend(judged[rel])
            continue
        path = os.path.join(root, rel)
        if policy.indexable and _judged_in_windows(rel) and os.path.getsize(path) > BIG_FILE:
            out.extend(_file_in_windows(rel, path, policy, guard))
            continue
        with open(path, "rb") as handle:
            out.extend(guard_file(rel, handle.read(), policy, guard))
    return out + tree_rules(TreeFacts(root, files, policy, guard, written.pages))


BIG_FILE = 8 << 20
_WINDOW = 4 << 20


def _judged_in_windows(rel: str) -> bool:
    """Files whose production rules look for markers only: not pages (the payload rule
    decodes them) or sitemaps (their URLs are parsed)."""
    return not (rel.endswith((".html", ".htm")) or is_sitemap(rel))


def _file_in_windows(rel: str, path: str, policy: Policy, guard: GuardContext
                     ) -> list[Diagnostic]:
    """`guard_file` of a big production data file (a feed of every location), read in
    windows that overlap by more than any marker, so the build does not hold it whole; each
    rule is reported once, as for the whole file. A file whose start could be an encrypted
    envelope is judged whole, as the envelope rule parses it."""
    markers = (*guard.secret_bytes, *guard.host_bytes, MASKED_BYTES, PAYLOAD_BYTES)
    overlap = max((len(m) for m in markers), default=0) + 64  # and a `#token=` link
    found: dict[str | None, Diagnostic] = {}
    tail = b""
    with open(path, "rb") as handle:
        while chunk := handle.read(_WINDOW):
            if not tail and is_protected_path(rel) and may_be_envelope(chunk):
                return guard_file(rel, chunk + handle.read(), policy, guard)
            for found_one in guard_file(rel, tail + chunk, policy, guard):
                found.setdefault(found_one.rule, found_one)
            tail = chunk[-overlap:]
    return list(found.values())
