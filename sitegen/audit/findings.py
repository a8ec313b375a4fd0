"""One place for findings: the Diagnostic every audit rule reports, and the facts of a page
that several rules read (its robots meta tag, the analytics markers).

A finding names the file and the rule (`index.html: guard.noindex-in-production: ...`); the
rule rides in `Diagnostic.rule`, so the formatter prints it where a field would be.
"""

from __future__ import annotations

import re

from sitegen.diagnostics import Diagnostic, Severity

ROBOTS_META = re.compile(
    r"<meta\s+name=[\"']robots[\"']\s+content=[\"']([^\"']*)[\"']", re.IGNORECASE)
ANALYTICS_MARKERS = ("googletagmanager.com", "google-analytics.com", "gtag(", "plausible.io",
                     "_paq.push", "matomo.js", "data-sitegen-analytics")
ANALYTICS_BYTES = tuple(marker.encode() for marker in ANALYTICS_MARKERS)


def finding(rel: str, rule: str, message: str, hint: str, severity: Severity = "error"
            ) -> Diagnostic:
    return Diagnostic(rel, None, None, message, hint, severity, rule=rule)


def robots_content(head: str) -> str | None:
    """The content of the robots meta tag in a page's <head> (or any text), None without one."""
    robots = ROBOTS_META.search(head)
    return robots.group(1) if robots else None


def has_noindex(text: str) -> bool:
    """Whether the page's <head> carries a robots meta tag with noindex."""
    content = robots_content(text.split("</head>", 1)[0])
    return content is not None and "noindex" in content.lower()
