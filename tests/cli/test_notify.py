"""Build notifications against a real local webhook: success, retry after a 500, and a
warning (never a failed build) when it stays down."""

from __future__ import annotations

import hashlib
import json
import urllib.error
from pathlib import Path

from support.servers import LocalServer, Reply, Seen
from support.sites import BASE_CONFIG, run_cli, small_site, summary

from sitegen.builder.notify import deliver
from sitegen.config.schema import NotificationsSection

QUICK = "notifications:\n  retries: 2\n  backoff: 0.01\n  timeout: 5\n"


class Flaky:
    """Answers the given statuses in order, then 200."""

    def __init__(self, *statuses: int):
        self.statuses = list(statuses)

    def __call__(self, request: Seen) -> Reply:
        status = self.statuses.pop(0) if self.statuses else 200
        return Reply(status, {"Content-Type": "application/json"}, b"{}")


def test_success_posts_the_manifest_summary(tmp_path: Path) -> None:
    with LocalServer(Flaky()) as hook:
        site = small_site(tmp_path / "site", config=BASE_CONFIG + QUICK)
        result = run_cli("build", "--source", site, env={
            "SITEGEN_NOTIFICATIONS__WEBHOOKS": f'["{hook.url}/build-hook"]'})
        assert result.returncode == 0, str(result)
        assert result.err_lines == [] and summary(result)["warnings"] == 0
        (post,) = hook.posts()
    assert post.path == "/build-hook" and post.content_type == "application/json"
    payload = json.loads(post.body)
    manifest = (site / "dist/production/api/manifest.json").read_bytes()
    assert payload["event"] == "sitegen.builder"
    assert payload["site"] == "Test Stores"
    assert payload["environment"] == {"name": "production", "kind": "production"}
    assert payload["counts"]["locations"] == 3
    assert payload["manifest"] == {"url": "https://www.example.com/api/manifest.json",
                                   "sha256": hashlib.sha256(manifest).hexdigest()}
    assert payload["build_time"] == json.loads(manifest)["build_time"]


def test_a_500_is_retried_then_succeeds(tmp_path: Path) -> None:
    with LocalServer(Flaky(500)) as hook:
        config = BASE_CONFIG + QUICK + f"  webhooks: ['{'{}'}/hook']\n"
        site = small_site(tmp_path / "site", config=config.replace("{}", hook.url))
        result = run_cli("build", "--source", site)
        assert result.returncode == 0, str(result)
        assert result.err_lines == []
        assert len(hook.posts()) == 2


def test_a_webhook_that_stays_down_is_a_warning_not_a_failure(tmp_path: Path) -> None:
    down = LocalServer(Flaky()).start()
    url = down.url
    down.stop()  # nothing listens on that port any more
    with LocalServer(Flaky(500, 500, 500)) as failing:
        site = small_site(tmp_path / "site", config=BASE_CONFIG + QUICK)
        result = run_cli("build", "--source", site, env={
            "SITEGEN_NOTIFICATIONS__WEBHOOKS": f'["{url}/a/secret", "{failing.url}/b?k=s"]'})
        assert len(failing.posts()) == 3
    assert result.returncode == 0, str(result)
    assert (site / "dist/production/index.html").is_file()  # built and published anyway
    assert summary(result)["warnings"] == 2
    first, second = result.err_lines
    assert first.startswith(f"notifications.webhooks[0]: warning: build notification to "
                            f"{url}/… failed after 3 attempts: ")
    assert "refused" in first.lower()
    assert first.endswith("(the build itself succeeded and was published)")
    assert second == (f"notifications.webhooks[1]: warning: build notification to "
                      f"{failing.url}/… failed after 3 attempts: HTTP 500 Internal Server Error "
                      "(the build itself succeeded and was published)")
    assert "secret" not in result.stderr and "k=s" not in result.stderr


def test_backoff_doubles_and_a_404_is_not_retried() -> None:
    slept: list[float] = []
    calls: list[str] = []

    def failing(url: str, payload: dict, timeout: float) -> int:
        calls.append(url)
        raise urllib.error.URLError(ConnectionRefusedError(111, "Connection refused"))

    settings = NotificationsSection(retries=3, backoff=0.5, timeout=1)
    delivery = deliver("http://127.0.0.1:9/x", {}, settings, sleep=slept.append, post=failing)
    assert not delivery.ok and delivery.attempts == 4 and slept == [0.5, 1.0, 2.0]

    def not_found(url: str, payload: dict, timeout: float) -> int:
        calls.append(url)
        raise urllib.error.HTTPError(url, 404, "Not Found", {}, None)  # type: ignore[arg-type]

    slept.clear()
    delivery = deliver("http://127.0.0.1:9/y", {}, settings, sleep=slept.append,
                       post=not_found)
    assert delivery.attempts == 1 and delivery.status == 404 and slept == []


def test_webhook_urls_must_be_http(tmp_path: Path) -> None:
    site = small_site(tmp_path / "site",
                      config=BASE_CONFIG + "notifications:\n  webhooks: [ftp://x.example/]\n")
    result = run_cli("build", "--source", site)
    assert result.returncode == 1
    assert "notifications.webhooks: 'ftp://x.example/' is not an http(s) URL" in result.stderr
