"""UK outward codes without a pharmacy, on the real Greater Manchester pharmacy list.

Two development builds of the shared dataset (631 pharmacies with their ONS postcode
centroids), served on 127.0.0.1:

- as it is: no pharmacy has an M2 postcode (Manchester city centre); M2 is placed between
  M1 and M3, the districts numbered either side of it, and the city-centre pharmacies come
  first;
- without the pharmacies of M20 (Didsbury), with their postcodes and coordinates given as a
  `locator.postcodes` centroid file instead, as a site would give rows of the ONS Postcode
  Directory: M20 resolves to the middle of those postcodes, and the pharmacies of the
  neighbouring districts come first.

The expected orders are computed here from the built files.
"""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path
from typing import Any

import pytest
from support.browser import open_page, serve
from support.sites import make_site, run_many, shared_dataset

pytestmark = pytest.mark.browser

DATASET = shared_dataset("gm-pharmacies", "gm_pharmacies.geojson")
CONFIG = """\
site:
  name: Greater Manchester Pharmacies
  unit: mi
locations:
  source: locations/gm_pharmacies.geojson
  id: organisation_data_service_code
  fields:
    name: pharmacy_name
    street: address
    city: la_name
    postal_code: postcode
  defaults:
    country: GB
    region: Greater Manchester
urls:
  location: /pharmacies/{city}/{slug}/
  locations: /pharmacies/
"""
HELD_OUT = "M20"


def outward(postcode: str) -> str:
    return postcode.split()[0]


def miles(a: tuple[float, float], b: tuple[float, float]) -> float:
    (lat1, lng1), (lat2, lng2) = ((math.radians(p[0]), math.radians(p[1])) for p in (a, b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + \
        math.cos(lat1) * math.cos(lat2) * math.sin((lng2 - lng1) / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(h)) / 1.609344


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    assert DATASET is not None, "the shared gm-pharmacies dataset is missing"
    data = json.loads(DATASET.read_text(encoding="utf-8"))
    root = tmp_path_factory.mktemp("gm-nearest")
    whole = make_site(root / "whole", {"config/base.yaml": CONFIG})
    (whole / "locations").mkdir()
    shutil.copyfile(DATASET, whole / "locations" / DATASET.name)
    kept = [f for f in data["features"] if outward(f["properties"]["postcode"]) != HELD_OUT]
    gone = [f for f in data["features"] if outward(f["properties"]["postcode"]) == HELD_OUT]
    assert len(gone) >= 5
    rows = "".join(f"{f['properties']['postcode']},{f['geometry']['coordinates'][1]},"
                   f"{f['geometry']['coordinates'][0]}\n" for f in gone)
    held = make_site(root / "held", {
        "config/base.yaml": CONFIG + "locator:\n  postcodes: ons-centroids.csv\n",
        "ons-centroids.csv": "postcode,lat,lng\n" + rows,
        "locations/gm_pharmacies.geojson": json.dumps({**data, "features": kept})})
    results = run_many([(("build", "--source", site, "--env", "development"), None)
                        for site in (whole, held)])
    for result in results:
        assert result.returncode == 0, str(result)
    return {"whole": whole / "dist/development", "held": held / "dist/development",
            "gone": gone}  # type: ignore[dict-item]


def pharmacies(site: Path) -> list[dict[str, Any]]:
    data = json.loads((site / "pharmacies/markers.json").read_text(encoding="utf-8"))
    return [dict(zip(data["fields"], row, strict=True)) for row in data["locs"]]


def nearest_to(site: Path, origin: tuple[float, float]) -> list[dict[str, Any]]:
    return sorted(pharmacies(site), key=lambda p: miles(origin, (p["lat"], p["lng"])))


def search(browser: Any, site: Path, text: str) -> tuple[list[str], list[str], str]:
    """The names, distances and count the Map view shows for `text`."""
    with serve(site) as base_url, open_page(browser, base_url) as page:
        page.goto(base_url + "/locations/map/")
        page.wait_for_selector("[data-results] li.result")
        box = page.get_by_label("Name, city, postcode or service")
        box.fill(text)
        box.press("Enter")
        page.wait_for_function(
            "() => / first$/.test(document.querySelector('[data-result-count]').textContent)",
            timeout=15_000)
        names = page.locator("[data-results] li.result .result-name").all_text_contents()
        shown = page.locator("[data-results] li.result .distance").all_text_contents()
        count = page.locator("[data-result-count]").text_content()
        assert page.js_errors == []
    return names, shown, count


def centre(points: list[tuple[float, float]]) -> tuple[float, float]:
    return (sum(p[0] for p in points) / len(points), sum(p[1] for p in points) / len(points))


def test_an_outward_code_without_a_pharmacy_is_placed_between_its_neighbours(
        browser: Any, sites: dict[str, Path]) -> None:
    site = sites["whole"]
    everyone = pharmacies(site)
    assert not [p for p in everyone if outward(p["postcode"]) == "M2"]
    districts = {code: centre([(p["lat"], p["lng"]) for p in everyone
                               if outward(p["postcode"]) == code]) for code in ("M1", "M3")}
    middle = centre(list(districts.values()))
    expected = nearest_to(site, middle)
    names, shown, count = search(browser, site, "M2")
    assert count == f"{len(everyone)} locations, nearest to M2 (approximate) first"
    assert names[:10] == [p["name"] for p in expected[:10]]
    assert {outward(p["postcode"]) for p in expected[:5]} <= {"M1", "M2", "M3", "M4"}
    assert shown[0] == f"{miles(middle, (expected[0]['lat'], expected[0]['lng'])):.1f} mi away"
    assert miles(middle, (expected[0]["lat"], expected[0]["lng"])) < 0.5


def test_an_outward_code_from_the_centroid_file_lists_its_neighbours_first(
        browser: Any, sites: dict[str, Any]) -> None:
    site = sites["held"]
    assert not [p for p in pharmacies(site) if outward(p["postcode"]) == HELD_OUT]
    middle = centre([(f["geometry"]["coordinates"][1], f["geometry"]["coordinates"][0])
                     for f in sites["gone"]])
    expected = nearest_to(site, middle)
    names, shown, count = search(browser, site, HELD_OUT)
    assert count == f"{len(expected)} locations, nearest to {HELD_OUT} (approximate) first"
    assert names[:10] == [p["name"] for p in expected[:10]]
    # The neighbours of Didsbury: Withington, Chorlton, Burnage, Northenden, Heaton Mersey.
    assert {outward(p["postcode"]) for p in expected[:5]} <= \
        {"M14", "M19", "M20", "M21", "M22", "M23", "SK4"}
    assert shown[0] == f"{miles(middle, (expected[0]['lat'], expected[0]['lng'])):.1f} mi away"
    # A full postcode of the file's finds its own area too.
    gone = sites["gone"][0]["properties"]["postcode"]
    names, _, count = search(browser, site, gone.lower().replace(" ", ""))
    assert count == f"{len(expected)} locations, nearest to {gone.upper().replace(' ', '')}" \
                    " (approximate) first"
    assert names[:10] == [p["name"] for p in expected[:10]]
