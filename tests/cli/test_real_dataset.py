"""The real, messy NHS pharmacy list of Greater Manchester (631 rows), built end to end.

Per-day hour columns, `address` as "street, town", the borough as the town, no phone, 341
distinct names for 631 rows, and one malformed cell (`09:00-13:00:14:00-18:00`, a colon for
a comma, in 5 day columns of pharmacy FVW83). Every row must be built or reported.
"""

from __future__ import annotations

import json
import shutil
from collections import Counter

import pytest
from support.sites import location_pages, make_site, run_many, shared_dataset, summary

DATASET = shared_dataset("gm-pharmacies", "gm_pharmacies.geojson")
ROWS = 631
DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")

CONFIG = """\
site:
  name: Greater Manchester Pharmacies
  unit: mi
locations:
  source: locations/gm_pharmacies.geojson
  id: organisation_data_service_code
  on_error: skip
  fields:
    name: pharmacy_name
    street: address
    city: la_name
    region: health_and_wellbeing_board
    postal_code: postcode
""" + "".join(f"    hours.{day}: opening_hours_{day}\n" for day in DAYS) + """\
  defaults:
    country: GB
    region: Greater Manchester
    categories: Pharmacy
urls:
  location: /pharmacies/{city}/{slug}/
  locations: /pharmacies/
"""

@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """A development build (on_error: skip) and a production build, run side by side."""
    assert DATASET is not None, "the shared gm-pharmacies dataset is missing"
    site = tmp_path_factory.mktemp("gm") / "site"
    assert DATASET is not None
    make_site(site, {"config/base.yaml": CONFIG,
                     "config/production.yaml": "base_url: https://pharmacies.example.org\n"})
    (site / "locations").mkdir()
    shutil.copyfile(DATASET, site / "locations" / DATASET.name)
    development, production = run_many([
        (("build", "--source", site, "--env", "development"), None),
        (("build", "--source", site), None)])
    return {"site": site, "development": development, "production": production,
            "pages": location_pages(site / "dist" / "production")}


def _features() -> list[dict]:
    assert DATASET is not None
    return json.loads(DATASET.read_text(encoding="utf-8"))["features"]


@pytest.mark.parametrize("env", ["development", "production"])
def test_every_row_is_built_or_reported(builds: dict, env: str) -> None:
    result = builds[env]
    assert result.returncode == 0, str(result)
    assert "Traceback" not in result.stderr
    counts = summary(result)
    assert counts["read"] == ROWS == len(_features())
    assert counts["built"] + counts["skipped"] == ROWS
    skipped_lines = [line for line in result.err_lines if line.endswith(
        ": warning: row skipped (fix the errors above; locations.on_error: skip is active)")]
    assert len(skipped_lines) == counts["skipped"]
    # The data allows a clean build: the malformed cell is read as the split day it means.
    assert counts["built"] == ROWS and counts["warnings"] == 0
    assert result.stderr == ""


def test_every_pharmacy_has_its_own_page(builds: dict) -> None:
    out = builds["site"] / "dist" / "production"
    pages = builds["pages"]
    assert len(pages) == ROWS
    boroughs = Counter(url.split("/")[2] for url in pages)
    assert boroughs == Counter({"manchester": 118, "bolton": 73, "wigan": 65, "stockport": 64,
                                "oldham": 59, "trafford": 57, "salford": 55, "tameside": 51,
                                "rochdale": 48, "bury": 41})
    for city in boroughs:
        assert (out / "pharmacies" / city / "index.html").is_file()
    assert (out / "pharmacies" / "index.html").is_file()
    streets = Counter()
    for page in pages.values():
        ld = page.location_ld()
        assert ld is not None
        assert ld["address"]["addressCountry"] == "GB"
        assert ld["url"].startswith("https://pharmacies.example.org/pharmacies/")
        streets[(ld["name"], ld["address"]["streetAddress"], ld["address"]["postalCode"])] += 1
    names = Counter(f["properties"]["pharmacy_name"] for f in _features())
    assert names["Cohens Chemist"] == 64
    assert sum(n for (name, _, _), n in streets.items() if name == "Cohens Chemist") == 64


def test_malformed_hours_cell_is_read_as_split_day(builds: dict) -> None:
    pages = builds["pages"]
    matches = [(url, page) for url, page in pages.items()
               if page.h1 == "Noble & Peacock"
               and page.location_ld()["address"]["streetAddress"] == "556 Chorley Old Road, Bolton"]
    assert len(matches) == 1
    url, page = matches[0]
    assert url.startswith("/pharmacies/bolton/noble-peacock")
    for day in DAYS[:5]:
        assert page.hours[day] == "09:00–13:00, 14:00–18:00"
    assert page.hours["saturday"] == page.hours["sunday"] == "Closed"
    specs = page.location_ld()["openingHoursSpecification"]
    assert [(s["opens"], s["closes"], len(s["dayOfWeek"])) for s in specs] == [
        ("09:00", "13:00", 5), ("14:00", "18:00", 5)]


def test_production_build_is_indexable_with_sitemap(builds: dict) -> None:
    out = builds["site"] / "dist" / "production"
    sitemap = (out / "sitemap.xml").read_text(encoding="utf-8")
    assert sitemap.count("<loc>https://pharmacies.example.org/pharmacies/") >= ROWS
    development = builds["site"] / "dist" / "development"
    assert not (development / "sitemap.xml").exists()
    assert len(list(development.glob("pharmacies/*/*/index.html"))) == ROWS
