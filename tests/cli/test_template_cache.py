"""Compiled templates and what they depend on are kept in the user's cache folder, so a
build compiles only what changed since any build on the machine: an edited template is
compiled again, and a damaged cache file is only slower, never a wrong page. Each build
here is a process of its own, so what it reuses comes from the folder."""

from __future__ import annotations

from pathlib import Path

from support.sites import BASE_CONFIG, run_process, small_site

PAGE = "locations/il/peoria/test-store-0001/index.html"
THEME = "theme: acme\n"
OVERRIDE = "themes/acme/templates/location.html"


def _build(site: Path, cache: Path) -> str:
    result = run_process("build", "--source", site, "--force",
                         env={"XDG_CACHE_HOME": str(cache)})
    assert result.returncode == 0, str(result)
    return (site / "dist" / "production" / PAGE).read_text(encoding="utf-8")


def test_an_edited_template_is_compiled_again_and_a_damaged_cache_is_not_used(
        tmp_path: Path) -> None:
    template = '{% extends "default/location.html" %}{% block main %}<p>{{ _("First") }}' \
               " {{ location.name }}</p>{{ super() }}{% endblock %}"
    site = small_site(tmp_path / "site", config=BASE_CONFIG + THEME,
                      extra={OVERRIDE: template})
    cache = tmp_path / "cache"
    first = _build(site, cache)
    assert "<p>First Test Store 0001</p>" in first
    kept = sorted((cache / "sitegen" / "templates").glob("*/*"))
    assert {path.suffix for path in kept} == {".code", ".facts"}

    (site / OVERRIDE).write_text(template.replace("First", "Second"), encoding="utf-8")
    second = _build(site, cache)
    assert "<p>Second Test Store 0001</p>" in second and "First" not in second

    for path in (cache / "sitegen" / "templates").glob("*/*"):
        path.write_bytes(b"\x00not what was written")
    assert _build(site, cache) == second
