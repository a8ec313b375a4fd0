"""Links: the site paths a page links to, and the rule that each points at a file."""

from __future__ import annotations

import re

from sitegen.audit.findings import finding
from sitegen.diagnostics import Diagnostic

LINK_ATTRIBUTES = (re.compile(rb"href=[\"']([^\"'#?]*)"), re.compile(rb"src=[\"']([^\"'#?]*)"))
HTML_SPACE = frozenset(b" \t\n\r\f")


def link_targets(data: bytes, lowered: bytes) -> list[str]:
    """The values of every href and src attribute (any case, after HTML whitespace) of a
    UTF-8 page, up to a query or fragment. Scanned in `lowered`, the page's bytes
    ASCII-lowercased (which keep every offset), with one literal-prefixed pattern per name:
    a case-insensitive `\\s(?:href|src)=` regex would try every position of the page."""
    found = []
    for pattern in LINK_ATTRIBUTES:
        for match in pattern.finditer(lowered):
            start = match.start()
            if start and lowered[start - 1] in HTML_SPACE:
                found.append(data[match.start(1):match.end(1)].decode("utf-8", "surrogatepass"))
    return found


def broken_links(rel: str, targets: tuple[str, ...], existing: set[str],
           resolved: dict[str, bool]) -> list[Diagnostic]:
    out = []
    for target in targets:
        found = resolved.get(target)
        if found is None:
            found = resolved[target] = _target_exists(target, existing)
        if not found:
            out.append(finding(rel, "links.broken", f"link to {target} points at no file",
                                "fix the link or the page it points to"))
    return out


def _target_exists(target: str, existing: set[str]) -> bool:
    path = target.lstrip("/")
    candidates = (path, path + "index.html") if target.endswith("/") or not path else \
        (path, path + "/index.html")
    return any(c in existing for c in candidates)
