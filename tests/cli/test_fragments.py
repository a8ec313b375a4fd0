"""The `{% cache key %}` tag: a theme fragment rendered once per distinct key per render
process. The default theme caches its hours table by the week, the holidays and the clock;
a page must still show its own hours, and a fragment's key must separate what differs."""

from __future__ import annotations

import re
from pathlib import Path

import jinja2
import pytest
from support.sites import (
    BASE_CONFIG,
    COLUMNS,
    Run,
    assert_fails,
    build,
    csv_text,
    generated_rows,
    make_site,
    run_cli,
    small_site,
)

from sitegen.render.fragments import MAX_FRAGMENTS, FragmentCache

WEEKS = ["Mon-Fri 9am-5pm; Sat 10-14", "Mon-Sun 07:00-22:00", "Mon-Fri 9am-5pm; Sat 10-14",
         "Tue-Sat 11:00-19:00", "Mon-Sun 07:00-22:00", "Mon-Fri 9am-5pm; Sat 10-14"]
HOURS_TABLE = re.compile(r"<table class=\"hours\".*?</table>", re.DOTALL)


def _hours_tables(out: Path) -> dict[str, str]:
    return {path.parent.name: HOURS_TABLE.search(path.read_text(encoding="utf-8")).group(0)
            for path in out.rglob("test-store-*/index.html")}


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_each_page_shows_its_own_hours_when_weeks_repeat(tmp_path: Path, jobs: str) -> None:
    rows = generated_rows(len(WEEKS))
    for row, week in zip(rows, WEEKS, strict=True):
        row["hours"], row["special_hours"] = week, ""
    rows[5]["special_hours"] = "2026-12-25 closed Christmas Day"  # same week, own holiday
    site = make_site(tmp_path / "site", {
        "config/base.yaml": BASE_CONFIG,
        "locations/locations.csv": csv_text(rows, [*COLUMNS, "special_hours"])})
    build(site, "--jobs", jobs)
    tables = _hours_tables(site / "dist" / "production")
    by_store = {name: tables[name] for name in sorted(tables)}
    names = list(by_store)
    assert len(names) == len(WEEKS)
    for name, week in zip(names, WEEKS, strict=True):
        table = by_store[name]
        if week == "Mon-Sun 07:00-22:00":
            assert table.count("07:00") == 7, table
        elif week == "Tue-Sat 11:00-19:00":
            assert table.count("11:00") == 5, table
            assert "Monday</th><td>Hours not available" in table, table
        else:
            assert table.count("09:00") == 5 and "Saturday</th><td>10:00" in table, table
    # Equal weeks share the table's bytes; the holiday is in the table's data, and so differs.
    assert by_store[names[0]] == by_store[names[2]]
    assert by_store[names[5]] != by_store[names[0]] and "2026-12-25" in by_store[names[5]]
    page = (site / "dist" / "production").rglob(f"{names[5]}/index.html").__next__()
    assert "Christmas Day" in page.read_text(encoding="utf-8")
    assert "Christmas Day" not in next((site / "dist" / "production").rglob(
        f"{names[0]}/index.html")).read_text(encoding="utf-8")


def test_an_error_inside_a_cached_fragment_names_the_template_and_line(tmp_path: Path) -> None:
    site = small_site(tmp_path / "site", extra={
        "config/base.yaml": "base_url: https://www.example.com\nsite:\n  name: Test Stores\n"
                            "theme: mine\nlocations:\n  source: locations/locations.csv\n"
                            "  phone_region: US\n",
        "themes/mine/templates/partials/hours.html":
            "{% cache location.hours %}\n<p>{{ location.hours.no_such_thing() }}</p>\n"
            "{% endcache %}\n"})
    result = build_failing(site)
    assert re.fullmatch(
        r"themes/mine/templates/partials/hours\.html:2: error rendering /locations/il/\w+/"
        r"test-store-000\d/: 'sitegen\.data\.hours\.WeeklyHours object' has no attribute "
        r"'no_such_thing' \(fix the template or the value it uses\)", result.err_lines[0]), \
        str(result)


def test_a_cache_tag_without_a_key_is_a_syntax_error(tmp_path: Path) -> None:
    site = small_site(tmp_path / "site", extra={
        "config/base.yaml": "base_url: https://www.example.com\nsite:\n  name: Test Stores\n"
                            "theme: mine\nlocations:\n  source: locations/locations.csv\n"
                            "  phone_region: US\n",
        "themes/mine/templates/partials/hours.html": "{% cache %}x{% endcache %}\n"})
    assert_fails(build_failing(site, check=False), [
        "themes/mine/templates/partials/hours.html:1: template syntax error: "
        "unexpected 'end of statement block' (fix the template; the last good output is kept)"])


def build_failing(site: Path, *, check: bool = True) -> Run:
    result = run_cli("build", "--source", site)
    if check:
        assert result.returncode == 1, str(result)
        assert "Traceback" not in result.stderr, str(result)
    return result


def test_fragments_stay_bounded_when_every_key_differs() -> None:
    env = jinja2.Environment(extensions=[FragmentCache], autoescape=True)
    template = env.from_string("{% cache n, 'x' %}<b>{{ n }}</b>{% endcache %}")
    for n in range(MAX_FRAGMENTS * 2 + 5):
        assert template.render(n=n) == f"<b>{n}</b>"
    cache = env.extensions["sitegen.render.fragments.FragmentCache"]._fragments
    assert 0 < len(cache) <= MAX_FRAGMENTS
    assert template.render(n="<i>") == "<b>&lt;i&gt;</b>"  # still escaped, once


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_the_themes_shared_fragments_keep_what_each_page_shows(tmp_path: Path,
                                                                jobs: str) -> None:
    """The header (cached by the page it marks current), the footer and the lead form
    (cached without its hidden per-location fields) still show each page its own."""
    config = BASE_CONFIG + ("leads:\n  webhook_url: https://hooks.example/x\n"
                            "  submit_label: Send it\n")
    site = small_site(tmp_path / "site", generated_rows(4), config=config, extra={
        "content/about.md": "---\ntitle: About us\n---\nWho we are.\n"})
    build(site, "--out", str(tmp_path / "out"), "--jobs", jobs)
    out = tmp_path / "out"
    current = re.compile(r'<a href="([^"]+)" aria-current="page">')
    assert current.findall((out / "about/index.html").read_text("utf-8")) == ["/about/"]
    assert current.findall((out / "locations/index.html").read_text("utf-8")) == ["/locations/"]
    pages = sorted(out.rglob("test-store-*/index.html"))
    assert len(pages) == 4
    ids = set()
    for page in pages:
        html = page.read_text("utf-8")
        assert current.findall(html) == []
        assert '<a href="/about/">About us</a>' in html  # the header and the footer
        hidden = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', html))
        ids.add(hidden["location_id"])
        assert hidden["page_url"] == "https://www.example.com" + \
            "/" + page.parent.relative_to(out).as_posix() + "/"
        assert html.count('<button type="submit" class="button">Send it</button>') == 1
    assert len(ids) == 4
