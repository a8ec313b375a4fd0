"""The built pages read as written by a person: addresses, titles, intros, hours and the notice
of a switched-off lead form (production without a lead destination)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from support.sites import csv_text, location_pages, make_site, run_cli, summary

CONFIG = """\
base_url: https://www.example.com
site:
  name: Greater Manchester Pharmacies
locations:
  source: locations/locations.csv
  phone_region: GB
  defaults: {country: GB}
leads:
  pages: [location]
urls:
  location: /pharmacies/{city}/{slug}/
"""
ROWS = [
    {"id": "FA1", "name": "Boots", "street": "556 Chorley Old Road, Bolton", "city": "Bolton",
     "region": "Greater Manchester", "postal_code": "BL1 6AB", "lat": "53.59", "lng": "-2.46",
     "phone": "01204 123456", "email": "", "categories": "Pharmacy",
     "hours": "Mo-Fr 08:00-23:59; Sa 00:00-23:59; Su closed"},
    {"id": "FA2", "name": "Asda Pharmacy", "street": "Manchester Road, Bolton, Bolton",
     "city": "Bolton", "region": "Greater Manchester", "postal_code": "BL3 2QS",
     "lat": "53.56", "lng": "-2.42", "phone": "", "email": "", "categories": "Pharmacy",
     "hours": "Mo-Su 09:00-21:00"},
    {"id": "FA3", "name": "Tesco Instore Pharmacy", "city": "Manchester",
     "street": "Tesco Superstore, Cheetham Hill Road, Manchester, Lancashire",
     "region": "Greater Manchester", "postal_code": "M8 8LW", "lat": "53.50", "lng": "-2.23",
     "phone": "", "email": "cheetham@example.org", "categories": "Pharmacy", "hours": ""},
]


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    site = make_site(tmp_path_factory.mktemp("text") / "site",
                     {"config/base.yaml": CONFIG, "locations/locations.csv": csv_text(ROWS)})
    built = run_cli("build", "--source", site)
    assert built.returncode == 0, str(built)
    assert summary(built)["built"] == 3
    out = site / "dist" / "production"
    return {url: (out / url.strip("/") / "index.html").read_text(encoding="utf-8")
            for url in location_pages(out)}


def _text(html: str, pattern: str) -> str:
    found = re.search(pattern, html, re.S)
    assert found, pattern
    return " ".join(re.sub(r"<[^>]+>", " ", found[1]).split())


BOOTS = "/pharmacies/bolton/boots/"
ASDA = "/pharmacies/bolton/asda-pharmacy/"
TESCO = "/pharmacies/manchester/tesco-instore-pharmacy/"


def test_addresses_and_titles_without_repeated_parts(pages: dict[str, str]) -> None:
    assert set(pages) == {BOOTS, ASDA, TESCO}
    boots = pages[BOOTS]
    assert _text(boots, r'class="location-address">(.*?)</p>') == \
        "556 Chorley Old Road, Bolton, Greater Manchester, BL1 6AB"
    assert _text(boots, r"<address>(.*?)</address>") == \
        "556 Chorley Old Road, Bolton Greater Manchester BL1 6AB United Kingdom"
    assert _text(boots, r"<title>(.*?)</title>") == \
        "Boots, 556 Chorley Old Road, Bolton | Greater Manchester Pharmacies"
    assert 'content="Boots at 556 Chorley Old Road, Bolton. Opening hours' in boots
    assert _text(pages[ASDA], r'class="location-address">(.*?)</p>') == \
        "Manchester Road, Bolton, Greater Manchester, BL3 2QS"
    assert _text(pages[TESCO], r'class="location-address">(.*?)</p>') == \
        "Tesco Superstore, Cheetham Hill Road, Manchester, Lancashire, Greater Manchester, M8 8LW"


def test_intros_name_the_business_and_what_it_is(pages: dict[str, str]) -> None:
    boots = _text(pages[BOOTS], r'<p class="intro">(.*?)</p>')
    assert boots.startswith("Boots is a pharmacy at 556 Chorley Old Road, Bolton. ")
    assert "Opening hours are Monday to Friday: 08:00–midnight; Saturday: open 24 hours; " \
        "Sunday: closed." in boots, boots
    asda = _text(pages[ASDA], r'<p class="intro">(.*?)</p>')
    assert asda.startswith("Asda Pharmacy is at Manchester Road, Bolton. "), asda
    for html in pages.values():
        intro = _text(html, r'<p class="intro">(.*?)</p>')
        assert "location offers" not in intro and "Greater Manchester Pharmacies" not in intro


def test_hours_read_midnight_and_open_24_hours(pages: dict[str, str]) -> None:
    hours = dict(re.findall(r'<tr data-day="(\w+)"><th scope="row">\w+</th><td>(.*?)</td>',
                            pages[BOOTS]))
    assert hours["monday"] == "08:00–midnight"
    assert hours["saturday"] == "Open 24 hours"
    assert hours["sunday"] == "Closed"
    assert "23:59" not in pages[BOOTS].split('<table class="hours"')[1].split("</table>")[0]


def test_form_notices_offer_only_the_routes_a_location_has(pages: dict[str, str]) -> None:
    closed = "Online enquiries are not available at the moment."
    notices = {url: _text(html, r'<p class="lead-notice"[^>]*>(.*?)</p>')
               for url, html in pages.items()}
    assert notices == {
        BOOTS: f"{closed} Please call us on 01204 123456 instead.",
        ASDA: closed,
        TESCO: f"{closed} Please email us at cheetham@example.org instead.",
    }


def test_long_slugs_are_cut_at_a_word_boundary(tmp_path: Path) -> None:
    rows = [dict(ROWS[2], id=f"T{n}", street=street) for n, street in enumerate((
        "Tesco Superstore, Cheetham Hill Road, Manchester, Lancashire",
        "Tesco Extra, Great Cheetham Street East, Salford, Greater Manchester"))]
    site = make_site(tmp_path / "site", {"config/base.yaml": CONFIG,
                                         "locations/locations.csv": csv_text(rows)})
    urls = []
    for _ in range(2):  # and the same URLs on the next build
        built = run_cli("build", "--source", site)
        assert built.returncode == 0, str(built)
        urls.append(sorted(location_pages(site / "dist" / "production")))
    assert urls[0] == urls[1] == [
        "/pharmacies/manchester/tesco-instore-pharmacy-tesco-extra-great-cheetham-street/",
        "/pharmacies/manchester/tesco-instore-pharmacy-tesco-superstore-cheetham-hill-road/"]
