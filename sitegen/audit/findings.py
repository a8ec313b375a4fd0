"""One place for findings: the Diagnostic every audit rule reports, and the analytics
markers several rules read.

A finding names the file and the rule (`index.html: guard.noindex-in-production: ...`); the
rule rides in `Diagnostic.rule`, so the formatter prints it where a field would be.
"""

from __future__ import annotations

import re

from sitegen.diagnostics import Diagnostic, Severity

ANALYTICS_MARKERS = ("googletagmanager.com", "google-analytics.com", "gtag(", "plausible.io",
                     "_paq.push", "matomo.js", "data-sitegen-analytics")
# One search for any of them: a pattern of literals scans a page once, in less time than
# the seven substring searches take.
ANALYTICS_PATTERN = re.compile(b"|".join(re.escape(marker.encode())
                                         for marker in ANALYTICS_MARKERS))


def finding(rel: str, rule: str, message: str, hint: str, severity: Severity = "error"
            ) -> Diagnostic:
    return Diagnostic(rel, None, None, message, hint, severity, rule=rule)
