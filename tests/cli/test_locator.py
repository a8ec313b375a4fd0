"""The locator views as files: self-hosted map assets, marker data, pagination, determinism.

The example site is built once into a temporary folder (never the repo's dist/).
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from sitegen.builder.pipeline import build
from sitegen.builder.run import BuildOptions

REPO = Path(__file__).resolve().parents[2]
ANALYTICS_SCRIPT = "https://plausible.io/js/script.js"  # what config/production.yaml asks for
LOCATOR_FILES = ("locations/map/index.html", "locations/list/index.html",
                 "locations/list/page/2/index.html", "locations/cards/index.html",
                 "locations/cards/page/2/index.html", "locations/markers.json")


def build_example(out: Path) -> Path:
    build(BuildOptions(REPO, "production", out=out, environ={}))
    return out


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_example(tmp_path_factory.mktemp("example") / "production")


class _Resources(HTMLParser):
    """Every script src and stylesheet href of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "script" and a.get("src"):
            self.urls.append(a["src"])
        elif tag == "link" and "stylesheet" in a.get("rel", "").split() and a.get("href"):
            self.urls.append(a["href"])


def resources(path: Path) -> list[str]:
    parser = _Resources()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser.urls


def test_no_page_loads_scripts_or_styles_from_another_host(example: Path) -> None:
    pages = sorted(example.rglob("*.html"))
    assert len(pages) > 100
    foreign = {}
    for page in pages:
        for url in resources(page):
            if urlsplit(url).netloc and url != ANALYTICS_SCRIPT:
                foreign.setdefault(url, page.relative_to(example).as_posix())
    assert foreign == {}
    text = (example / "locations/map/index.html").read_text(encoding="utf-8")
    for cdn in ("cdn.jsdelivr.net", "cdnjs.cloudflare.com", "code.jquery.com", "bootstrapcdn"):
        assert cdn not in text
    # ...and the analytics script is there, exactly once per page, where production asks.
    assert resources(example / "index.html").count(ANALYTICS_SCRIPT) == 1


def test_leaflet_and_markercluster_are_served_from_the_site(example: Path) -> None:
    page = example / "locations/map/index.html"
    urls = [urlsplit(u).path for u in resources(page)]
    for rel in ("/_assets/leaflet/leaflet.js", "/_assets/leaflet/leaflet.css",
                "/_assets/markercluster/leaflet.markercluster.js",
                "/_assets/markercluster/MarkerCluster.css",
                "/_assets/markercluster/MarkerCluster.Default.css"):
        assert rel in urls
        assert (example / rel.lstrip("/")).stat().st_size > 500
    assert (example / "_assets/leaflet/images/marker-icon.png").is_file()
    detail = example / "locations/us/ca/san-francisco/juniper-oak-coffee-hayes-valley/index.html"
    # The detail map loads Leaflet when it scrolls into view: from the site, too.
    found = re.search(r'id="location-map"[^>]* data-leaflet="([^"]+)"',
                      detail.read_text(encoding="utf-8"))
    assert found and [urlsplit(u).path for u in found.group(1).split()] == \
        ["/_assets/leaflet/leaflet.js"]


def test_map_page_ids_are_stable_and_builds_are_byte_identical(example: Path,
                                                                tmp_path: Path) -> None:
    text = (example / "locations/map/index.html").read_text(encoding="utf-8")
    assert 'id="map_locator"' in text
    assert "marker_cluster_locations" in text
    assert not re.search(r"_[0-9a-f]{32}\b", text), "a random folium id is left"
    again = build_example(tmp_path / "again")
    for rel in LOCATOR_FILES:
        assert (again / rel).read_bytes() == (example / rel).read_bytes(), rel


def test_tiles_and_attribution_come_from_the_config(example: Path) -> None:
    text = (example / "locations/map/index.html").read_text(encoding="utf-8")
    assert '"https://tile.openstreetmap.org/{z}/{x}/{y}.png"' in text
    assert "OpenStreetMap" in text and "attribution" in text


def test_marker_data_is_compact_and_complete(example: Path) -> None:
    raw = (example / "locations/markers.json").read_bytes()
    assert b"\n" not in raw and b": " not in raw
    data = json.loads(raw)
    fields = data["fields"]
    assert len(data["locs"]) == 64
    urls = set()
    for row in data["locs"]:
        item = dict(zip(fields, row, strict=True))
        for coordinate in (item["lat"], item["lng"]):
            assert round(coordinate, 5) == coordinate
        urls.add(data["places"][item["place"]][0] + item["slug"] + "/")
    pages = {"/" + p.parent.relative_to(example).as_posix() + "/"
             for p in example.rglob("index.html")
             if 'class="page-location"' in p.read_text(encoding="utf-8")}
    assert urls == pages
    hayes = next(dict(zip(fields, r, strict=True)) for r in data["locs"]
                 if r[fields.index("name")] == "Juniper & Oak Coffee — Hayes Valley")
    assert data["hours"][hayes["hours"]]["mo"] == [[420, 1080]]
    assert data["special"][hayes["special"]]["2026-12-25"] == []
    assert data["tz"][hayes["tz"]] == "America/Los_Angeles"


def test_list_and_cards_paginate_and_link_every_location(example: Path) -> None:
    data = json.loads((example / "locations/markers.json").read_text(encoding="utf-8"))
    for view in ("list", "cards"):
        first = (example / f"locations/{view}/index.html").read_text(encoding="utf-8")
        second = (example / f"locations/{view}/page/2/index.html").read_text(encoding="utf-8")
        assert f'href="/locations/{view}/page/2/"' in first
        assert f'rel="prev" href="/locations/{view}/"' in second
        items = re.findall(r'data-url="([^"]+)"', first + second)
        assert len(items) == len(set(items)) == len(data["locs"])
        assert not (example / f"locations/{view}/page/3").exists()


def test_location_page_has_hours_holidays_and_map_data(example: Path) -> None:
    page = example / "locations/us/ca/san-francisco/juniper-oak-coffee-hayes-valley/index.html"
    text = page.read_text(encoding="utf-8")
    assert 'data-timezone="America/Los_Angeles"' in text
    special = re.search(r"data-special='([^']*)'", text)
    assert special and json.loads(special.group(1))["2026-12-24"] == [[420, 840]]
    assert 'id="location-map"' in text and 'data-lat="37.776520"' in text


def test_views_are_linked_from_navigation_and_hubs(example: Path) -> None:
    home = (example / "index.html").read_text(encoding="utf-8")
    assert '<a href="/locations/map/">Map</a>' in home
    hub = (example / "locations/us/or/portland/index.html").read_text(encoding="utf-8")
    assert 'href="/locations/map/?q=Portland%20Oregon"' in hub
    assert 'href="/locations/cards/?q=Portland%20Oregon"' in hub
    root = (example / "locations/index.html").read_text(encoding="utf-8")
    assert 'href="/locations/list/"' in root
