"""Issue 26: location status, scheduled content and the redirects that keep old URLs working,
through the CLI on the example site (docs/lifecycle.md)."""

from __future__ import annotations

import http.client
import json
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from support.lifecycle import (
    HAYES,
    JANUARY,
    KIOSK,
    MARCH,
    MISSION,
    NORTH_BEACH,
    SF,
    TEMESCAL,
    elements,
    page_file,
    status_site,
    with_class,
    write_rows,
)
from support.redirecthost import serve_with_redirects
from support.sites import (
    EXAMPLE_PARTS,
    assert_fails,
    build,
    csv_text,
    make_site,
    parse_html,
    run_cli,
)

WEBHOOK = {"SITEGEN_LEADS__WEBHOOK_URL": "https://hooks.example/leads"}
LA_SILVER_LAKE = "/locations/us/ca/los-angeles/juniper-oak-coffee-silver-lake/"
FRONT_MATTER_PROMO = """\
promotions:
  - title: Roasting open day
    start: 2027-01-10
    end: 2027-01-20
    url: /about/
  - title: Spring tasting
    start: 2027-04-01
    end: 2027-04-30
"""


@pytest.fixture(scope="module")
def january(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example in every status, built for production on 15 January 2027."""
    site = status_site(tmp_path_factory.mktemp("lifecycle") / "site")
    content = site / "content" / "locations" / "JO-SF-001.md"
    text = content.read_text(encoding="utf-8")
    content.write_text(text.replace("---\n", "---\n" + FRONT_MATTER_PROMO, 1), encoding="utf-8")
    build(site, env={**WEBHOOK, "SOURCE_DATE_EPOCH": JANUARY})
    return site


@pytest.fixture(scope="module")
def out(january: Path) -> Path:
    return january / "dist" / "production"


@pytest.fixture(scope="module")
def march(january: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The same site built on 20 March 2027, with closed locations listed in the feeds."""
    target = tmp_path_factory.mktemp("march") / "production"
    build(january, "--out", str(target), env={
        **WEBHOOK, "SOURCE_DATE_EPOCH": MARCH, "SITEGEN_FEEDS__INCLUDE_CLOSED": "true"})
    return target


def location_ld(root: Path, url: str) -> dict:
    ld = parse_html(page_file(root, url)).location_ld()
    assert ld is not None
    return ld


def sitemap_paths(root: Path) -> set[str]:
    tree = ET.parse(root / "sitemap.xml")
    return {urlsplit(loc.text or "").path for loc in tree.iter() if loc.tag.endswith("loc")}


def feed(root: Path) -> dict[str, dict]:
    data = json.loads((root / "api" / "locations.json").read_text(encoding="utf-8"))
    assert data["count"] == len(data["locations"])
    return {record["id"]: record for record in data["locations"]}


def markers(root: Path) -> dict[str, dict]:
    data = json.loads((root / "locations" / "markers.json").read_text(encoding="utf-8"))
    by_url = {}
    for row in data["locs"]:
        values = dict(zip(data["fields"], row, strict=True))
        by_url[data["places"][values["place"]][0] + values["slug"] + "/"] = values
    return by_url


def list_view_links(root: Path) -> set[str]:
    """The links of the List view's pages (/locations/list/, its pages 2, 3 ...)."""
    links: set[str] = set()
    for path in (root / "locations" / "list").rglob("index.html"):
        links.update(parse_html(path).links)
    assert links
    return links


def get(base: str, path: str) -> tuple[int, str | None]:
    """The status and Location of one request, redirects not followed."""
    parts = urlsplit(base)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
        return response.status, response.getheader("Location")
    finally:
        connection.close()


# --- each status on the example site ---------------------------------------------------------

def test_coming_soon_has_a_page_with_its_opening_date_and_no_hours_in_json_ld(out: Path
                                                                                ) -> None:
    page = page_file(out, KIOSK)
    assert with_class(page, "status-banner") == ["Opening 14 March 2027"]
    article = next(attrs for tag, attrs, _ in elements(page) if tag == "article")
    assert article["data-status"] == "coming_soon"
    assert article["data-status-date"] == "2027-03-14"
    ld = location_ld(out, KIOSK)
    assert "openingHoursSpecification" not in ld
    assert "specialOpeningHoursSpecification" not in ld
    assert parse_html(page).robots is None and KIOSK in sitemap_paths(out)


def test_coming_soon_lead_form_registers_interest(out: Path) -> None:
    found = elements(page_file(out, KIOSK))
    headings = [text for tag, attrs, text in found if attrs.get("id", "").endswith("-heading")
                and tag == "h2"]
    assert "Register your interest" in headings
    hidden = {attrs["name"]: attrs["value"] for tag, attrs, _ in found
              if tag == "input" and attrs.get("type") == "hidden"}
    assert hidden["interest"] == "opening" and hidden["location_id"] == "JO-SF-004"
    open_form = {attrs["name"] for tag, attrs, _ in elements(page_file(out, HAYES))
                 if tag == "input" and attrs.get("type") == "hidden"}
    assert "interest" not in open_form


def test_temporarily_closed_has_banner_closure_json_ld_and_stays_indexable(out: Path) -> None:
    page = page_file(out, TEMESCAL)
    assert with_class(page, "status-banner") == ["Temporarily closed until 1 February 2027"]
    ld = location_ld(out, TEMESCAL)
    assert ld["openingHoursSpecification"], "the weekly hours stay: they hold after reopening"
    assert ld["specialOpeningHoursSpecification"][0] == {
        "@type": "OpeningHoursSpecification", "opens": "00:00", "closes": "00:00",
        "validFrom": "2027-01-15", "validThrough": "2027-01-31"}
    assert parse_html(page).robots is None
    assert TEMESCAL in sitemap_paths(out)


def test_closed_location_leaves_pages_views_sitemap_and_feeds(out: Path) -> None:
    assert NORTH_BEACH not in sitemap_paths(out)
    assert "JO-SF-003" not in feed(out)
    assert NORTH_BEACH not in markers(out)
    hub = page_file(out, SF)
    assert NORTH_BEACH not in parse_html(hub).links
    assert NORTH_BEACH not in list_view_links(out)
    stub = parse_html(page_file(out, NORTH_BEACH))
    assert "page-location" not in stub.body_class
    assert stub.robots == "noindex, follow"
    assert stub.canonical == "https://www.juniperoak.example" + HAYES


def test_closed_location_redirects_to_the_nearest_open_location_in_one_hop(out: Path) -> None:
    with serve_with_redirects(out) as base:
        assert get(base, NORTH_BEACH) == (301, HAYES)
        assert get(base, HAYES) == (200, None)
    vercel = json.loads((out / "vercel.json").read_text(encoding="utf-8"))
    assert {"source": NORTH_BEACH, "destination": HAYES, "statusCode": 301} \
        in vercel["redirects"]
    assert f"location = {NORTH_BEACH} {{ return 301 {HAYES}; }}" in \
        (out / "_sitegen" / "nginx.conf").read_text(encoding="utf-8").splitlines()
    assert f"  RedirectMatch 301 ^{NORTH_BEACH.replace('-', chr(92) + '-')}$ {HAYES}" in \
        (out / ".htaccess").read_text(encoding="utf-8").splitlines()


def test_closing_date_in_the_future_keeps_the_location_open(out: Path) -> None:
    assert LA_SILVER_LAKE in sitemap_paths(out)
    assert feed(out)["JO-LA-001"]["status"] == "open"
    assert with_class(page_file(out, LA_SILVER_LAKE), "status-banner") == []


def test_views_and_feeds_carry_each_status(out: Path) -> None:
    data = markers(out)
    assert (data[KIOSK]["status"], data[KIOSK]["sdate"]) == ("coming_soon", "2027-03-14")
    assert (data[TEMESCAL]["status"], data[TEMESCAL]["sdate"]) == \
        ("temporarily_closed", "2027-02-01")
    assert (data[HAYES]["status"], data[HAYES]["sdate"]) == ("", "")
    assert KIOSK in list_view_links(out) and TEMESCAL in list_view_links(out)
    records = feed(out)
    assert (records["JO-SF-004"]["status"], records["JO-SF-004"]["status_date"]) == \
        ("coming_soon", "2027-03-14")
    assert records["JO-SF-001"]["status"] == "open"
    assert records["JO-SF-001"]["status_date"] is None
    header = (out / "api" / "locations.csv").read_text(encoding="utf-8").splitlines()[0]
    assert '"image","status","status_date"' in header


def test_promotions_run_from_start_to_end(out: Path) -> None:
    assert with_class(page_file(out, MISSION), "promotion-title") == ["Winter cortado 2 for 1"]
    assert with_class(page_file(out, HAYES), "promotion-title") == ["Roasting open day"]
    assert with_class(page_file(out, TEMESCAL), "promotion-title") == []


def test_after_the_dates_coming_soon_and_temporarily_closed_are_open(march: Path) -> None:
    for url in (KIOSK, TEMESCAL):
        assert with_class(page_file(march, url), "status-banner") == []
        assert "openingHoursSpecification" in location_ld(march, url)
    closures = [spec for spec in location_ld(march, TEMESCAL)["specialOpeningHoursSpecification"]
                if spec.get("validThrough") in (None, "2027-01-31")]  # holidays stay
    assert closures == [], "reopened: no closure in the structured data"
    records = feed(march)
    assert records["JO-SF-004"]["status"] == records["JO-OAK-001"]["status"] == "open"
    assert with_class(page_file(march, MISSION), "promotion-title") == []
    assert with_class(page_file(march, HAYES), "promotion-title") == []


def test_feeds_list_closed_locations_with_their_status_when_asked(march: Path) -> None:
    closed = feed(march)["JO-SF-003"]
    assert closed["status"] == "closed"
    assert NORTH_BEACH not in sitemap_paths(march)


# --- the ledger --------------------------------------------------------------------------------

def fresh_clone(site: Path, dest: Path) -> Path:
    """What a CI checkout of the site's repository holds: its committed folders only."""
    for part in EXAMPLE_PARTS:
        shutil.copytree(site / part, dest / part)
    return dest


def ledger(site: Path) -> dict:
    import yaml
    return yaml.safe_load((site / "locations" / "redirects.yaml").read_text(encoding="utf-8"))


def test_rename_then_fresh_clone_redirects_the_old_url(tmp_path: Path) -> None:
    first = status_site(tmp_path / "first", {})
    build(first, env={"SOURCE_DATE_EPOCH": JANUARY})
    assert ledger(first)["locations"]["JO-SF-002"] == [MISSION]
    clone = fresh_clone(first, tmp_path / "clone")
    write_rows(clone, {"JO-SF-002": {"Store Name": "Juniper & Oak Coffee — Valencia Street"}})
    build(clone, env={"SOURCE_DATE_EPOCH": JANUARY})
    renamed = SF + "juniper-oak-coffee-valencia-street/"
    assert ledger(clone)["locations"]["JO-SF-002"] == [MISSION, renamed]
    out = clone / "dist" / "production"
    with serve_with_redirects(out) as base:
        assert get(base, MISSION) == (301, renamed)
        assert get(base, renamed) == (200, None)
    # Renamed again: the first URL goes straight to the newest one (no chain).
    again = fresh_clone(clone, tmp_path / "again")
    write_rows(again, {"JO-SF-002": {"Store Name": "Juniper & Oak Coffee — Clarion Alley"}})
    build(again, env={"SOURCE_DATE_EPOCH": JANUARY})
    newest = SF + "juniper-oak-coffee-clarion-alley/"
    with serve_with_redirects(again / "dist" / "production") as base:
        assert get(base, MISSION) == (301, newest)
        assert get(base, renamed) == (301, newest)
        assert get(base, newest) == (200, None)


def test_second_production_build_leaves_the_ledger_as_it_is(tmp_path: Path) -> None:
    site = status_site(tmp_path / "site", {})
    before = (site / "locations" / "redirects.yaml").read_bytes()
    build(site, env={"SOURCE_DATE_EPOCH": JANUARY})
    assert (site / "locations" / "redirects.yaml").read_bytes() == before  # committed as built
    (site / "locations" / "redirects.yaml").unlink()
    build(site, env={"SOURCE_DATE_EPOCH": JANUARY})
    assert (site / "locations" / "redirects.yaml").read_bytes() == before


def test_staging_and_development_never_write_the_ledger(tmp_path: Path) -> None:
    site = status_site(tmp_path / "site", {"JO-SF-003": {"Status": "closed"}})
    (site / "locations" / "redirects.yaml").unlink()
    build(site, "--env", "staging", env={"SITEGEN_STAGING_PASSWORD": "correct horse battery",
                                         "SOURCE_DATE_EPOCH": JANUARY})
    build(site, "--env", "development", env={"SOURCE_DATE_EPOCH": JANUARY})
    assert not (site / "locations" / "redirects.yaml").exists()
    staging = site / "dist" / "staging"
    assert not (staging / "_redirects").exists()
    assert not page_file(staging, NORTH_BEACH).exists()
    assert "Redirect" not in (staging / ".htaccess").read_text(encoding="utf-8")
    assert "redirects" not in json.loads((staging / "vercel.json").read_text(encoding="utf-8"))
    development = site / "dist" / "development"
    assert f"{NORTH_BEACH} {KIOSK} 301!" in \
        (development / "_redirects").read_text(encoding="utf-8").splitlines()


LEDGER_SITE_ROWS = [
    {"id": "A1", "name": "Alpha", "street": "1 Main St", "city": "Springfield", "region": "IL",
     "postal_code": "62701", "country": "US", "lat": "39.80", "lng": "-89.64",
     "phone": "", "hours": "", "description": ""},
    {"id": "B2", "name": "Beta", "street": "2 Main St", "city": "Springfield", "region": "IL",
     "postal_code": "62701", "country": "US", "lat": "39.81", "lng": "-89.65",
     "phone": "", "hours": "", "description": ""},
]
ALPHA = "/locations/il/springfield/alpha/"


def ledger_site(root: Path, ledger_text: str) -> Path:
    return make_site(root, {
        "config/base.yaml": "base_url: https://www.example.com\nsite:\n  name: Test Stores\n",
        "locations/locations.csv": csv_text(LEDGER_SITE_ROWS),
        "locations/redirects.yaml": ledger_text})


def test_ledger_paths_chain_to_their_last_page_and_gone_ids_to_the_hub(tmp_path: Path) -> None:
    site = ledger_site(tmp_path / "site", (
        "locations:\n  GONE-1:\n    - /locations/il/springfield/gamma/\n"
        "paths:\n  /stores/alpha.html: /old/alpha/\n  /old/alpha/: A1\n"))
    build(site, env={"SOURCE_DATE_EPOCH": JANUARY})
    rules = (site / "dist" / "production" / "_redirects").read_text(encoding="utf-8")
    assert rules.splitlines()[1:] == [
        "/locations/il/springfield/gamma/ /locations/il/springfield/ 301!",
        f"/old/alpha/ {ALPHA} 301!",
        f"/stores/alpha.html {ALPHA} 301!"]
    stub = parse_html(site / "dist" / "production" / "stores" / "alpha.html")
    assert stub.canonical == "https://www.example.com" + ALPHA


def test_redirect_loop_is_an_error_naming_the_ledger_line(tmp_path: Path) -> None:
    site = ledger_site(tmp_path / "site", "paths:\n  /a/: /b/\n  /b/: /a/\n")
    assert_fails(run_cli("build", "--source", site), [
        "locations/redirects.yaml:2: paths./a/: redirect loop: /a/ -> /b/ -> /a/ "
        "(point one of these paths at a page of the site)",
        "locations/redirects.yaml:3: paths./b/: redirect loop: /b/ -> /a/ -> /b/ "
        "(point one of these paths at a page of the site)"])


def test_ledger_mistakes_are_errors_with_file_line_and_field(tmp_path: Path) -> None:
    site = ledger_site(tmp_path / "site", (
        "locations:\n  A1:\n    - locations/no-slash/\n    - \"/a\\\"; return 200;/\"\n"
        "paths:\n  /old/: NOPE-9\n  /older/: /not/a/page/\n"
        "extra: 1\n"))
    assert_fails(run_cli("build", "--source", site), [
        "locations/redirects.yaml:8: extra: unknown section 'extra' "
        "(the ledger has 'locations' and 'paths')",
        "locations/redirects.yaml:3: locations.A1: 'locations/no-slash/' is not a site path "
        "(write a path such as /locations/ca/toronto/queen-west/ (a leading /, ending in / "
        "or .html))",
        "locations/redirects.yaml:4: locations.A1: '/a\"; return 200;/' is not a site path "
        "(write a path such as /locations/ca/toronto/queen-west/ (a leading /, ending in / "
        "or .html))",
        "locations/redirects.yaml:6: paths./old/: no location has the id 'NOPE-9' "
        "(write an id of the dataset or a path of the site)",
        "locations/redirects.yaml:7: paths./older/: /not/a/page/ is not a page of this build "
        "(point it at a page the site has, or a location id)"])


# --- bad values in the dataset ---------------------------------------------------------------

def test_bad_status_date_and_promotions_are_errors_with_row_and_column(tmp_path: Path) -> None:
    rows = [dict(LEDGER_SITE_ROWS[0], **{"Status": "maybe", "Opens": "14/03/2027",
                                         "Offers": '[{"title": "x", "start": "2027-02-01", '
                                                   '"end": "2027-01-01"}]'}),
            dict(LEDGER_SITE_ROWS[1], **{"Status": "", "Opens": "2027-02-30",
                                         "Offers": "not json"})]
    site = make_site(tmp_path / "site", {
        "config/base.yaml": ("base_url: https://www.example.com\nlocations:\n  fields:\n"
                             "    status: Status\n    status_date: Opens\n"
                             "    promotions: Offers\n"),
        "locations/locations.csv": csv_text(rows)})
    assert_fails(run_cli("build", "--source", site), [
        "locations/locations.csv:2: status (column 'Status'): 'maybe' is not a status "
        "(write one of open, coming_soon, temporarily_closed, closed)",
        "locations/locations.csv:2: status_date (column 'Opens'): '14/03/2027' is not a date "
        "(write the date as YYYY-MM-DD, e.g. 2027-03-14)",
        "locations/locations.csv:2: promotions (column 'Offers'): promotion 'x' ends "
        "(2027-01-01) before it starts (2027-02-01) (swap start and end)",
        "locations/locations.csv:3: status_date (column 'Opens'): '2027-02-30' is not a date "
        "(write the date as YYYY-MM-DD, e.g. 2027-03-14)",
        "locations/locations.csv:3: promotions (column 'Offers'): promotions must be a JSON "
        "list of {title, start, end} (write [{\"title\": \"...\", \"start\": \"2027-03-01\", "
        "\"end\": \"2027-03-31\"}])",
        "locations/locations.csv: 5 errors in the dataset"])


def test_status_date_without_a_status_is_a_warning(tmp_path: Path) -> None:
    rows = [dict(LEDGER_SITE_ROWS[0], status="open", status_date="2027-03-14"),
            dict(LEDGER_SITE_ROWS[1], status="", status_date="")]
    site = make_site(tmp_path / "site", {
        "config/base.yaml": "base_url: https://www.example.com\n",
        "locations/locations.csv": csv_text(rows)})
    result = build(site)
    assert "locations/locations.csv:2: status_date: warning: a status_date with status open "\
        "has no effect (set status to coming_soon, temporarily_closed or closed, or clear "\
        "the date)" in result.err_lines


def test_bad_front_matter_promotions_name_the_content_file(tmp_path: Path) -> None:
    site = ledger_site(tmp_path / "site", "")
    (site / "content" / "locations").mkdir(parents=True)
    (site / "content" / "locations" / "A1.md").write_text(
        "---\npromotions:\n  - title: Open day\n    start: 2027-01-10\n    colour: red\n"
        "---\nText.\n", encoding="utf-8")
    assert_fails(run_cli("build", "--source", site), [
        "content/locations/A1.md: promotions: unknown promotion key 'colour' (a promotion has "
        "title, start, end, text, url)"])


def test_check_finds_a_redirect_chain_and_a_missing_target(tmp_path: Path) -> None:
    site = ledger_site(tmp_path / "site", "paths:\n  /old/alpha/: A1\n")
    build(site, env={"SOURCE_DATE_EPOCH": JANUARY})
    out = site / "dist" / "production"
    assert run_cli("check", "--source", site).returncode == 0
    rules = out / "_redirects"
    rules.write_text(rules.read_text(encoding="utf-8")
                     + "/older/ /old/alpha/ 301!\n/gone/ /not-built/ 301!\n", encoding="utf-8")
    assert_fails(run_cli("check", "--source", site), [
        "_redirects: redirect.chain: /older/ redirects to /old/alpha/, which redirects again "
        "(every old URL must reach a page in one hop)",
        "_redirects: redirect.target-missing: /gone/ redirects to /not-built/, which is not "
        "a page of the build (point the ledger entry at a page the site has)"])


def test_check_refuses_redirects_in_a_protected_build(tmp_path: Path) -> None:
    site = ledger_site(tmp_path / "site", "paths:\n  /old/alpha/: A1\n")
    password = {"SITEGEN_STAGING_PASSWORD": "correct horse battery staple"}
    build(site, "--env", "staging", env=password)
    (site / "dist" / "staging" / "_redirects").write_text(f"/old/alpha/ {ALPHA} 301!\n",
                                                          encoding="utf-8")
    result = run_cli("check", "--env", "staging", "--source", site, env=password)
    assert result.returncode == 1
    assert "_redirects: guard.redirects-while-protected: redirect rules in the protected " \
        "environment 'staging' (protected builds write no redirects; rebuild with sitegen)" \
        in result.err_lines
