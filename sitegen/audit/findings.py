"""One place for findings: the Diagnostic every audit rule reports, and the analytics
markers several rules read.

A finding names the file and the rule (`index.html: guard.noindex-in-production: ...`); the
rule rides in `Diagnostic.rule`, so the formatter prints it where a field would be.
"""

from __future__ import annotations

from sitegen.diagnostics import Diagnostic, Severity

ANALYTICS_MARKERS = ("googletagmanager.com", "google-analytics.com", "gtag(", "plausible.io",
                     "_paq.push", "matomo.js", "data-sitegen-analytics")
# Looked for in a page's bytes one by one: each search runs at memory speed whatever the
# page holds, where one pattern of the seven literals took twice as long on some pages
# (docs/benchmarks.md).
ANALYTICS_BYTES = tuple(marker.encode() for marker in ANALYTICS_MARKERS)


def finding(rel: str, rule: str, message: str, hint: str, severity: Severity = "error"
            ) -> Diagnostic:
    return Diagnostic(rel, None, None, message, hint, severity, rule=rule)
