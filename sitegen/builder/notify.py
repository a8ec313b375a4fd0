"""Build notifications: POST the manifest summary to `notifications.webhooks` after a build.

Runs only after the new output has been swapped in. Each webhook gets up to
`1 + notifications.retries` attempts with exponential backoff (`backoff`, 2x, 4x... seconds)
on connection errors, timeouts, 5xx, 408 and 429; another 4xx is not retried. A failure
never fails or rolls back the build: it comes back as a warning diagnostic, which the CLI
prints like any other warning. Messages name a webhook by its position and host only, since
hook URLs usually carry a secret in their path or query.
"""

from __future__ import annotations

import json
import time
import urllib.error
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from sitegen import __version__
from sitegen.config.schema import NotificationsSection
from sitegen.diagnostics import Diagnostic

RETRY_STATUS = {408, 429}


@dataclass
class Delivery:
    url: str
    ok: bool
    attempts: int
    status: int | None = None
    error: str | None = None


def short(url: str) -> str:
    parts = urlsplit(url)
    host = parts.hostname or "?"
    if parts.port:
        host += f":{parts.port}"
    return f"{parts.scheme}://{host}/…"


def post_json(url: str, payload: dict[str, Any], timeout: float) -> int:
    data = json.dumps(payload, ensure_ascii=False, sort_keys=True).encode("utf-8")
    import urllib.request  # the HTTP client: imported by the builds that notify

    request = urllib.request.Request(url, data=data, method="POST", headers={
        "Content-Type": "application/json", "User-Agent": f"sitegen/{__version__}"})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        response.read(65536)
        return int(response.status)


def deliver(url: str, payload: dict[str, Any], settings: NotificationsSection, *,
            sleep: Callable[[float], None] = time.sleep,
            post: Callable[[str, dict[str, Any], float], int] = post_json) -> Delivery:
    """POST `payload` to `url`, retried (settings.retries, with a backoff doubling from
    settings.backoff) on network errors and retryable statuses."""
    retries, backoff, timeout = settings.retries, settings.backoff, settings.timeout
    attempts = 0
    status: int | None = None
    error: str | None = None
    while True:
        attempts += 1
        retry = False
        try:
            status = post(url, payload, timeout)
            return Delivery(url, True, attempts, status)
        except urllib.error.HTTPError as exc:
            status, error = exc.code, f"HTTP {exc.code} {exc.reason}"
            retry = exc.code >= 500 or exc.code in RETRY_STATUS
        except (urllib.error.URLError, OSError) as exc:
            status, error = None, str(getattr(exc, "reason", None) or exc)
            retry = True
        if not retry or attempts > retries:
            return Delivery(url, False, attempts, status, error)
        sleep(backoff * 2 ** (attempts - 1))


def notify(settings: NotificationsSection, payload: dict[str, Any], *,
           sleep: Callable[[float], None] = time.sleep) -> list[Delivery]:
    return [deliver(url, payload, settings, sleep=sleep) for url in settings.webhooks]


def diagnostics(deliveries: list[Delivery]) -> list[Diagnostic]:
    out = []
    for index, delivery in enumerate(deliveries):
        if delivery.ok:
            continue
        tries = f"{delivery.attempts} attempt{'s' if delivery.attempts != 1 else ''}"
        out.append(Diagnostic(
            f"notifications.webhooks[{index}]", None, None,
            f"build notification to {short(delivery.url)} failed after {tries}: "
            f"{delivery.error}",
            "the build itself succeeded and was published", "warning"))
    return out


def notify_build(settings: NotificationsSection, summary: dict[str, Any]) -> list[Diagnostic]:
    """Send the summary to every webhook; the failures as warnings (nothing when none set)."""
    if not settings.webhooks:
        return []
    return diagnostics(notify(settings, summary))
