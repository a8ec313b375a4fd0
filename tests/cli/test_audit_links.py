"""The link audit: every href and src (any case, after HTML whitespace) that points inside
the site must name a file of the build; `sitegen check` names the page and the target."""

from __future__ import annotations

import re
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from support.sites import build, run_cli, small_site

from sitegen.audit.links import link_targets

# The scan it replaced: a case-insensitive regex over the whole page.
REGEX = re.compile(r"\s(?:href|src)=[\"']([^\"'#?]*)", re.IGNORECASE)

NAMES = st.sampled_from(["href", "HREF", "Href", "src", "SRC", "data-src", "xhref", "alt",
                         "hreflang", "class"])
VALUES = st.text(st.sampled_from(list("/ab?#é🙂<>=&.-_ ")), max_size=12)
SPACES = st.sampled_from([" ", "\t", "\n", "\r\n", "\f", "  "])
QUOTES = st.sampled_from(['"', "'"])
TAGS = st.sampled_from(["a", "A", "link", "img", "script", "div"])


@st.composite
def pages(draw: st.DrawFn) -> str:
    parts = []
    for _ in range(draw(st.integers(0, 6))):
        parts.append(draw(st.text(st.sampled_from(list("xé> \n🙂")), max_size=5)))
        parts.append("<" + draw(TAGS))
        for _ in range(draw(st.integers(0, 3))):
            quote = draw(QUOTES)
            value = draw(VALUES).replace(quote, "")
            parts.append(f"{draw(SPACES)}{draw(NAMES)}={quote}{value}{quote}")
        parts.append(">")
    return "".join(parts)


@settings(max_examples=2000, deadline=None)
@given(pages())
def test_link_targets_equal_the_case_insensitive_regex(html: str) -> None:
    data = html.encode()
    assert sorted(link_targets(data, data.lower())) == sorted(REGEX.findall(html))


def test_check_names_every_broken_link_whatever_its_case(tmp_path: Path) -> None:
    site = small_site(tmp_path / "site")
    build(site, "--env", "production")
    out = site / "dist" / "production"
    (out / "extra").mkdir()
    (out / "extra" / "index.html").write_text(
        (out / "index.html").read_text(encoding="utf-8").replace(
            "</main>", "<A HREF='/gone/?q=1#top'>x</A><img\tSRC=\"/img/none.png\" alt=\"\">"
                       "<div data-src=\"/not-a-link/\"></div><a href=\"/\">home</a></main>"),
        encoding="utf-8")
    result = run_cli("check", "--source", site, "--env", "production", out)
    broken = [line for line in result.err_lines if "links.broken" in line]
    assert broken == [
        "extra/index.html: links.broken: link to /gone/ points at no file "
        "(fix the link or the page it points to)",
        "extra/index.html: links.broken: link to /img/none.png points at no file "
        "(fix the link or the page it points to)",
    ], str(result)
    assert result.returncode == 1


def test_a_broken_link_on_every_location_page_is_named_once_per_page(tmp_path: Path) -> None:
    """Whether a target exists is looked up once per build (most links are on every
    page), and still reported for each page that has it; the build then fails before its
    cache is touched: the previous build's cache stays, with no temporary file beside it."""
    site = small_site(tmp_path / "site")
    build(site, "--jobs", "2")
    cache = site / ".sitegen" / "cache"
    before = {p.name: p.read_bytes() for p in cache.iterdir()}
    theme = site / "themes" / "broken" / "templates"
    theme.mkdir(parents=True)
    (theme / "location.html").write_text(
        '{% extends "default/location.html" %}{% block main %}<a href="/gone/">x</a>'
        '<a href="/gone/">again</a>{{ super() }}{% endblock %}', encoding="utf-8")
    config = site / "config" / "base.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "theme: broken\n", encoding="utf-8")
    result = run_cli("build", "--source", site, "--jobs", "2")
    out = site / "dist" / "production"  # the previous build's, kept
    pages = sorted(p.relative_to(out).as_posix() for p in out.rglob("index.html")
                   if 'class="page-location"' in p.read_text(encoding="utf-8"))
    assert len(pages) == 3
    broken = [line for line in result.err_lines if "links.broken" in line]
    assert broken == [f"{page}: links.broken: link to /gone/ points at no file "
                      "(fix the link or the page it points to)" for page in pages], str(result)
    assert result.returncode == 1
    assert {p.name: p.read_bytes() for p in cache.iterdir()} == before
