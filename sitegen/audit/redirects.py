"""The audit of a build's redirects (output/redirects.py), read back from `_redirects`:

  redirect.target-missing      a rule whose target is no file of the build
  redirect.chain               a rule whose target is itself redirected (not one hop)
  guard.redirects-while-protected  redirect rules in a protected build, whose paths would
                               name locations outside the protection (docs/lifecycle.md)

The other host files are written from the same list, so `_redirects` stands for them all.
"""

from __future__ import annotations

from pathlib import Path

from sitegen.audit.findings import finding
from sitegen.config.policy import Policy
from sitegen.diagnostics import Diagnostic
from sitegen.model.urls import output_path

REDIRECTS_FILE = "_redirects"


def redirect_rules(root: Path) -> list[tuple[str, str]]:
    """(old path, target) of each rule of root/_redirects."""
    path = root / REDIRECTS_FILE
    rules = []
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        words = line.split()
        if len(words) >= 2 and not words[0].startswith("#"):
            rules.append((words[0], words[1]))
    return rules


def redirect_findings(root: Path, policy: Policy, existing: set[str]) -> list[Diagnostic]:
    if REDIRECTS_FILE not in existing:
        return []
    if policy.protected:
        return [finding(REDIRECTS_FILE, "guard.redirects-while-protected",
                        f"redirect rules in the protected environment '{policy.name}'",
                        "protected builds write no redirects; rebuild with sitegen")]
    rules = redirect_rules(root)
    sources = {old for old, _ in rules}
    out = []
    for old, target in rules:
        try:
            missing = output_path(target) not in existing
        except ValueError:
            missing = True
        if missing:
            out.append(finding(REDIRECTS_FILE, "redirect.target-missing",
                               f"{old} redirects to {target}, which is not a page of the build",
                               "point the ledger entry at a page the site has"))
        elif target in sources:
            out.append(finding(REDIRECTS_FILE, "redirect.chain",
                               f"{old} redirects to {target}, which redirects again",
                               "every old URL must reach a page in one hop"))
    return out
