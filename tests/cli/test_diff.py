"""`sitegen diff`: what a promotion changes, page by page."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from support.envsites import ENV, build_env, example_site, invoke

HAYES = "/locations/us/ca/san-francisco/juniper-oak-coffee-hayes-valley/"


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("diff")
    site = example_site(root / "site")
    before = build_env(site, "production", out=root / "before")
    staging_before = build_env(site, "staging", out=root / "staging-before")
    csv_path = site / "locations" / "locations.csv"
    text = csv_path.read_text(encoding="utf-8")
    old = "JO-SF-001,Juniper & Oak Coffee — Hayes Valley,432 Hayes St,San Francisco,CA,94102,US," \
          "37.77652,-122.42389,(415) 555-0142,hayes@juniperoak.example,Mon-Fri 7am-6pm;"
    assert text.count(old) == 1
    csv_path.write_text(text.replace(old, old.replace("Mon-Fri 7am-6pm;", "Mon-Fri 7am-8pm;")),
                        encoding="utf-8")
    after = build_env(site, "production", out=root / "after")
    staging_after = build_env(site, "staging", out=root / "staging-after")
    return {"before": before, "after": after, "staging-before": staging_before,
            "staging-after": staging_after, "site": site}


def test_diff_reports_exactly_the_changed_hours(builds: dict[str, Path]) -> None:
    result = invoke("diff", builds["before"], builds["after"])
    assert result.exit_code == 0, result.output
    pages = len(list(builds["before"].rglob("*.html")))
    assert result.output.splitlines() == [
        f"changed {HAYES}",
        "  hours Monday to Friday: 07:00-18:00 -> 07:00-20:00",
        f"0 added, 0 removed, 1 changed, {pages - 1} unchanged",
    ]


def test_diff_as_json(builds: dict[str, Path]) -> None:
    result = invoke("diff", "--json", builds["before"], builds["after"])
    data = json.loads(result.output)
    assert data["added"] == [] and data["removed"] == []
    assert data["changed"] == {HAYES: [{"field": "hours Monday to Friday",
                                        "before": "07:00-18:00", "after": "07:00-20:00"}]}


def test_diff_opens_encrypted_builds_with_the_password(builds: dict[str, Path]) -> None:
    """Pages of the private builds are named by their production URL; of encrypted builds
    the fields that changed are printed, their text only with --show-text."""
    result = invoke("diff", builds["staging-before"], builds["staging-after"], env=ENV)
    assert result.exit_code == 0, result.output
    pages = len(list(builds["staging-before"].rglob("*.html")))
    assert result.output.splitlines() == [
        f"changed {HAYES}", "  hours Monday to Friday",
        "(the text of protected pages is not shown: add --show-text)",
        f"0 added, 0 removed, 1 changed, {pages - 1} unchanged"]
    assert "07:00" not in result.output
    shown = invoke("diff", "--show-text", builds["staging-before"], builds["staging-after"],
                   env=ENV)
    assert shown.output.splitlines()[:2] == [
        f"changed {HAYES}", "  hours Monday to Friday: 07:00-18:00 -> 07:00-20:00"]
    as_json = json.loads(invoke("diff", "--json", builds["staging-before"],
                                builds["staging-after"], env=ENV).output)
    assert as_json["changed"] == {HAYES: [{"field": "hours Monday to Friday"}]}
    assert as_json["text_shown"] is False
    locked = invoke("diff", builds["staging-before"], builds["staging-after"])
    assert locked.exit_code == 1
    assert "this build is encrypted and no password is set" in locked.stderr


def test_diff_across_environments_ignores_host_banner_robots_and_analytics(
        builds: dict[str, Path]) -> None:
    """Production vs staging: only the masked phones and emails differ, not the host."""
    result = invoke("diff", builds["before"], builds["staging-before"], env=ENV)
    assert result.exit_code == 0, result.output
    fields = {line.split(":")[0].strip() for line in result.output.splitlines()
              if line.startswith("  ")}
    assert "phone" in fields and fields <= {"phone", "JSON-LD [0].email", "text"}, fields
    assert "title" not in result.output and "juniperoak.example/" not in result.output
    assert "555" not in result.output  # the phones' text stays out


def test_publish_of_an_encrypted_build_keeps_its_text_out(builds: dict[str, Path],
                                                           tmp_path: Path) -> None:
    target, site = tmp_path / "www", builds["site"]
    first = invoke("publish", "--env", "staging", "--source", site, "--dir",
                   builds["staging-before"], "--to", target, env=ENV)
    assert first.exit_code == 0, first.output
    second = invoke("publish", "--env", "staging", "--source", site, "--dir",
                    builds["staging-after"], "--to", target, env=ENV)
    assert second.exit_code == 0, second.output
    assert f"  changed {HAYES}" in second.output.splitlines()
    assert "    hours Monday to Friday" in second.output.splitlines()
    assert "07:00" not in second.output
    third = invoke("publish", "--env", "staging", "--source", site, "--dir",
                   builds["staging-before"], "--to", target, "--show-text", env=ENV)
    assert third.exit_code == 0, third.output
    assert "    hours Monday to Friday: 07:00-20:00 -> 07:00-18:00" in third.output


def test_diff_lists_added_and_removed_pages(builds: dict[str, Path], tmp_path: Path) -> None:
    import shutil

    b = tmp_path / "b"
    shutil.copytree(builds["before"], b)
    shutil.rmtree(b / "about")
    (b / "new").mkdir()
    shutil.copy(builds["before"] / "privacy" / "index.html", b / "new" / "index.html")
    result = invoke("diff", builds["before"], b)
    lines = result.output.splitlines()
    assert "added   /new/" in lines and "removed /about/" in lines
