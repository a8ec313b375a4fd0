"""The locator's place index (locations/places.json), built through the CLI.

Towns of the dataset's countries only, under 300 KB gzipped for the example site; the
dataset's postcodes and their areas; the `locator.postcodes` centroid file, every bad row
reported with its row and field; `locator.places: false` writes no index and no lookup;
the search events script only where analytics is on.
"""

from __future__ import annotations

import gzip
import json
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from support.sites import (
    BASE_CONFIG,
    assert_fails,
    build,
    copy_example,
    generated_rows,
    run_cli,
    small_site,
)

HINT = "each row is postcode,lat,lng: 97205,45.5209,-122.6865 or M14 5AB,53.4466,-2.2227"


class _Tags(HTMLParser):
    def __init__(self, name: str) -> None:
        super().__init__()
        self.name = name
        self.found: list[dict[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == self.name:
            self.found.append({key: value or "" for key, value in attrs})


def tags(path: Path, name: str) -> list[dict[str, str]]:
    """The attributes of every `name` element of a built page, parsed as HTML."""
    parser = _Tags(name)
    parser.feed(path.read_text(encoding="utf-8"))
    return parser.found


def places(out: Path, folder: str = "locations") -> dict[str, Any]:
    return json.loads((out / folder / "places.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = copy_example(tmp_path_factory.mktemp("example") / "site")
    build(site)
    return site / "dist" / "production"


def test_the_example_sites_index_has_its_countries_towns_under_300_kb(example: Path) -> None:
    raw = (example / "locations/places.json").read_bytes()
    assert len(gzip.compress(raw, 9)) < 300 * 1024
    data = json.loads(raw)
    assert data["countries"] == {"CA": "Canada", "US": "United States"}
    regions = data["regions"]
    assert {r[0] for r in regions} == {"US", "CA"}
    named = {(row[0], regions[row[3]][1], regions[row[3]][2]) for row in data["towns"]}
    assert {("Beaverton", "Oregon", "OR"), ("Springfield", "Oregon", "OR"),
            ("Burnaby", "British Columbia", "BC"), ("Montréal", "Quebec", "QC")} <= named
    # Towns of at least 5,000 people (locator.min_population's default).
    assert min(row[4] for row in data["towns"]) >= 5
    us = data["postcodes"]["US"]
    assert us["rule"] == "us"
    assert us["codes"]["97209"] == [45.5237, -122.6825, 0]  # a café's own ZIP code
    assert us["codes"]["972"][2] == 1  # the ZIP3 area of the Portland cafés
    assert data["postcodes"]["CA"]["codes"]["V6B"][2] == 1  # a forward sortation area


def test_only_the_locator_views_point_at_the_index(example: Path) -> None:
    root = [d for d in tags(example / "locations/map/index.html", "div")
            if d.get("id") == "locator"][0]
    assert root["data-places"] == "/locations/places.json"
    assert root["data-places-js"].startswith("/_assets/js/places.js?v=")
    assert root["data-nearest"] == "5"
    home = (example / "index.html").read_text(encoding="utf-8")
    assert "places.js" not in home and "places.json" not in home


def test_search_events_only_where_analytics_is_on(example: Path, tmp_path: Path) -> None:
    track = [s for s in tags(example / "locations/map/index.html", "script")
             if "track.js" in s.get("src", "")]
    assert len(track) == 1 and "data-searches" in track[0] and "data-ctas" in track[0]
    home = [s for s in tags(example / "index.html", "script") if "track.js" in s.get("src", "")]
    assert len(home) == 1 and "data-searches" not in home[0]
    site = copy_example(tmp_path / "site")
    build(site, "--env", "development")
    page = (site / "dist/development/locations/map/index.html").read_text(encoding="utf-8")
    assert "track.js" not in page and "data-places=" in page


def test_places_off_writes_no_index(tmp_path: Path) -> None:
    site = small_site(tmp_path, config=BASE_CONFIG + "locator:\n  places: false\n")
    build(site)
    out = site / "dist" / "production"
    assert not (out / "locations/places.json").exists()
    assert "data-places" not in (out / "locations/map/index.html").read_text(encoding="utf-8")


def test_centroid_file_rows_are_places_and_areas(tmp_path: Path) -> None:
    site = small_site(tmp_path, config=BASE_CONFIG + "locator:\n  postcodes: zcta.csv\n",
                      extra={"zcta.csv": "Postcode,Lat,Lng\n97205,45.5209,-122.6865\n"
                                         "97201,45.5075,-122.6910\n\n973,44.9,-123.0\n"})
    build(site)
    codes = places(site / "dist" / "production")["postcodes"]["US"]["codes"]
    assert codes["97205"] == [45.5209, -122.6865, 0]
    assert codes["97201"] == [45.5075, -122.691, 0]
    assert codes["972"] == [45.5142, -122.6887, 1]  # the mean of the file's ZIPs in it
    assert codes["973"] == [44.9, -123.0, 1]  # an area's own row
    # The generated stores' own ZIP codes (600xx) are there too.
    assert codes["60001"][2] == 0 and codes["600"][2] == 1


def test_every_bad_centroid_row_is_reported(tmp_path: Path) -> None:
    site = small_site(tmp_path, config=BASE_CONFIG + "locator:\n  postcodes: data/pc.csv\n",
                      extra={"data/pc.csv": "postcode,lat,lng\n97205,45.5,-122.6\n\n"
                                            "<script>,1,2\n62702,x,2\n62703,40,200\n"
                                            ",1,2\n1,2\n62704,nan,3\n"})
    result = run_cli("build", "--source", site)
    assert_fails(result, [
        f"data/pc.csv:4: postcode: '<script>' is not a postcode or postcode area of US (the "
        f"dataset's countries) ({HINT})",
        f"data/pc.csv:5: lat: 'x' is not a latitude (a number from -90 to 90) ({HINT})",
        f"data/pc.csv:6: lng: '200' is not a longitude (a number from -180 to 180) ({HINT})",
        f"data/pc.csv:7: postcode: the postcode is empty ({HINT})",
        f"data/pc.csv:8: 2 columns where 3 are expected (postcode,lat,lng) ({HINT})",
        f"data/pc.csv:9: lat: 'nan' is not a latitude (a number from -90 to 90) ({HINT})",
    ])
    assert not (site / "dist").exists()


@pytest.mark.parametrize(("text", "expected"), [
    (None, "data/pc.csv: the postcode file (locator.postcodes) does not exist (check the "
           "path: it is relative to the site folder)"),
    ("zip,latitude,longitude\n97205,45.5,-122.6\n",
     "data/pc.csv:1: the header is 'zip,latitude,longitude', not 'postcode,lat,lng' (name the "
     "three columns postcode,lat,lng)"),
    (b"postcode,lat,lng\n\xff\xfe,1,2\n",
     "data/pc.csv: cannot read the postcode file: 'utf-8' codec can't decode byte 0xff in "
     "position 17: invalid start byte (save it as UTF-8 CSV)"),
])
def test_an_unreadable_centroid_file_is_one_clear_error(tmp_path: Path, text: Any,
                                                        expected: str) -> None:
    extra = {} if text is None else {"data/pc.csv": text}
    site = small_site(tmp_path, config=BASE_CONFIG + "locator:\n  postcodes: data/pc.csv\n",
                      extra=extra)
    assert_fails(run_cli("build", "--source", site), [expected])


def test_a_population_below_the_gazetteers_lists_is_a_config_error(tmp_path: Path) -> None:
    site = small_site(tmp_path, generated_rows(2),
                      config=BASE_CONFIG + "locator:\n  min_population: 100\n")
    assert_fails(run_cli("build", "--source", site), [
        "config/base.yaml:8: locator.min_population: input should be greater than or equal "
        "to 500"])
