"""Datasets in the shapes real exports have, built through the CLI with explicit mappings:
an OpenStreetMap extract flattened to CSV (no region, rows without street or city, websites
without a scheme, OSM opening_hours), a Windows-1252 register with sentinel values and a
two-column key, and the Niort Overpass export (tests/data/README.md)."""

from __future__ import annotations

import json
from pathlib import Path

from support.sites import (
    assert_fails,
    build,
    location_pages,
    make_site,
    run_cli,
    shared_dataset,
    summary,
)

from sitegen.data.hours import DAYS

DATA = Path(__file__).resolve().parents[1] / "data"
OSM_CONFIG = """\
base_url: https://libraries.example.ch
site:
  name: Swiss Libraries
locations:
  source: locations/osm_libraries.csv
  phone_region: CH
  on_error: skip
  fields:
    street: addr:street
    postal_code: addr:postcode
    city: addr:city
    lng: lon
    hours: opening_hours
    categories: library:type
"""
REGISTER_CONFIG = """\
base_url: https://libraries.example.org
site:
  name: Public Libraries
locations:
  source: locations/register.csv
  encoding: cp1252
  phone_region: US
  null_values: ["", "-9", "N/A", "M"]
  defaults:
    country: US
  fields:
    name: LIBNAME
    street: ADDRESS
    city: CITY
    region: STABR
    postal_code: ZIP
    phone: PHONE
    website: WEBADDR
    lat: LATITUDE
    lng: LONGITUD
    hours: HOURS
"""


def osm_site(root: Path) -> Path:
    return make_site(root, {"config/base.yaml": OSM_CONFIG,
                            "locations/osm_libraries.csv": (DATA / "osm_libraries.csv")
                            .read_bytes()})


def register_site(root: Path, config: str, data: bytes | None = None) -> Path:
    return make_site(root, {"config/base.yaml": config, "locations/register.csv":
                            data or (DATA / "register_cp1252.csv").read_bytes()})


def page_html(site: Path, env: str, url: str) -> str:
    return (site / "dist" / env / url.strip("/") / "index.html").read_text(encoding="utf-8")


def test_osm_export_validates_with_every_skip_and_every_derived_value_said(
        tmp_path: Path) -> None:
    site = osm_site(tmp_path / "site")
    result = run_cli("validate", "--source", site, "--env", "development")
    assert result.returncode == 0, str(result)
    source = "locations/osm_libraries.csv"
    skipped = [line for line in result.err_lines if ": name:" in line or ": lat:" in line
               or ": lng" in line or "row skipped" in line]
    assert skipped == [
        f"{source}:9: name: warning: required field is missing (every location needs a name)",
        f"{source}:9: warning: row skipped (fix the errors above; locations.on_error: skip "
        "is active)",
        f"{source}:10: lat: warning: required field is missing (every location needs "
        "coordinates: sitegen does not look addresses up)",
        f"{source}:10: lng (column 'lon'): warning: required field is missing (every "
        "location needs coordinates: sitegen does not look addresses up)",
        f"{source}:10: warning: row skipped (fix the errors above; locations.on_error: skip "
        "is active)",
    ]
    notes = [line for line in result.out_lines if line.startswith("note: ")]
    assert notes == [
        "note: location URLs follow /locations/{city}/{slug}/: the data has no region "
        "(set urls.location to choose another pattern)",
        "note: categories (column 'library:type'): list separator '|' detected in 4 of 12 "
        "cells (set locations.categories_separator to choose another)",
        f"note: city derived from the coordinates for 4 of 10 locations ({source} rows 4, 5, "
        "11, 12); map a city column to use your own values",
        f"note: region derived from the coordinates for 10 of 10 locations ({source} rows 2, "
        "3, 4, 5, 6, 7, 8, 11, 12, 13); map a region column to use your own values",
        f"note: timezone derived from the coordinates for 10 of 10 locations ({source} rows "
        "2, 3, 4, 5, 6, 7, 8, 11, 12, 13); map a timezone column to use your own values",
    ]
    assert result.out_lines[-1].startswith("12 rows read, 10 locations valid, 2 rows skipped")


def test_osm_export_builds_every_row_with_a_name_and_coordinates(tmp_path: Path) -> None:
    site = osm_site(tmp_path / "site")
    result = build(site, "--env", "development")
    counts = summary(result)
    assert (counts["read"], counts["built"], counts["skipped"]) == (12, 10, 2)
    note = ("note: location URLs follow /locations/{city}/{slug}/: the data has no region "
            "(set urls.location to choose another pattern)")
    assert result.out_lines.count(note) == 1
    source = "locations/osm_libraries.csv"
    assert (f"{source}:4: website: warning: 'www.example.ch' has no scheme: linked as "
            "https://www.example.ch (write the full URL to choose http:// or another address)"
            in result.err_lines)
    assert (f"{source}:6: website: warning: 'javascript:alert(1)' is not an http(s) or "
            "site-relative URL (left off the page; write https://... or /path)"
            in result.err_lines)
    pages = location_pages(site / "dist" / "development")
    # Hubs follow the pattern: a city level under /locations/, no region level.
    assert sorted(url for url in pages if url.count("/") == 4) == [
        "/locations/basel/stadtbibliothek-basel/", "/locations/bern/kornhausbibliotheken/",
        "/locations/geneve/bibliotheque-de-geneve/", "/locations/geneve/bibliotheque-de-la-cite/",
        "/locations/lausanne/bibliothek-lausanne/",
        "/locations/neuchatel/ludotheque-bibliotheque-script-alert-1-script/",
        "/locations/zurich-kreis-10-wipkingen/bibliothek-wipkingen/",
        "/locations/zurich-kreis-12-hirzenbach/quartierbibliothek-hirzenbach/",
        "/locations/zurich/pestalozzi-bibliothek-altstadt/",
        "/locations/zurich/zentralbibliothek-zurich/",
    ]
    for hub in ("zurich", "geneve", "zurich-kreis-10-wipkingen"):
        assert (site / "dist" / "development" / "locations" / hub / "index.html").is_file()
    wipkingen = pages["/locations/zurich-kreis-10-wipkingen/bibliothek-wipkingen/"]
    assert "https://www.example.ch" in wipkingen.links
    assert wipkingen.hours == dict.fromkeys(DAYS, "Open 24 hours")  # Mo-Su
    zentral = page_html(site, "development", "/locations/zurich/zentralbibliothek-zurich/")
    assert '<p class="holiday-hours">Public holidays: Closed</p>' in zentral
    assert 'data-timezone="Europe/Zurich"' in zentral
    geneve = page_html(site, "development", "/locations/geneve/bibliotheque-de-geneve/")
    assert ('<p class="hours-as-written">Mo-Fr 09:00-18:00; PH off; Dec 24 09:00-12:00</p>'
            in geneve)
    assert "javascript:" not in geneve
    feed = json.loads((site / "dist/development/api/locations.json").read_text())
    basel = next(item for item in feed["locations"] if item["name"] == "Stadtbibliothek Basel")
    assert basel["categories"] == ["public", "children", "archive"]
    assert basel["hours"]["sunday"] == []


def test_register_in_cp1252_with_a_two_column_key(tmp_path: Path) -> None:
    config = REGISTER_CONFIG.replace("  encoding: cp1252\n", "  encoding: cp1252\n"
                                     "  id: [FSCSKEY, FSCS_SEQ]\n  on_error: skip\n")
    site = register_site(tmp_path / "site", config)
    result = build(site, "--env", "development")
    counts = summary(result)
    assert (counts["read"], counts["built"], counts["skipped"]) == (8, 7, 1)
    assert result.err_lines == [
        "locations/register.csv:2: website (column 'WEBADDR'): warning: "
        "'www.anchoragelibrary.org' has no scheme: linked as https://www.anchoragelibrary.org "
        "(write the full URL to choose http:// or another address)",
        "locations/register.csv:9: lat (column 'LATITUDE'): warning: required field is "
        "missing (every location needs coordinates: sitegen does not look addresses up)",
        "locations/register.csv:9: lng (column 'LONGITUD'): warning: required field is "
        "missing (every location needs coordinates: sitegen does not look addresses up)",
        "locations/register.csv:9: warning: row skipped (fix the errors above; "
        "locations.on_error: skip is active)",
    ]
    feed = json.loads((site / "dist/development/api/locations.json").read_text())
    by_id = {item["id"]: item for item in feed["locations"]}
    assert sorted(by_id) == ["AK0001-002", "AK0001-003", "NM0042-001", "NM0042-002",
                             "TX0107-001", "WA0005-001", "WA0005-014"]
    assert by_id["TX0107-001"]["name"] == "O’Brien Café Reading Room"  # cp1252 0x92, 0xe9
    assert by_id["NM0042-001"]["city"] == "Peñasco"
    # Sentinels are missing values, not data: no "-9" phone, no "N/A" hours.
    assert by_id["AK0001-003"]["phone"] is None and by_id["AK0001-003"]["hours"] is None
    assert by_id["TX0107-001"]["phone"] is None and by_id["TX0107-001"]["hours"] is None
    # Same name and address, told apart by the key: two pages in one city.
    pages = location_pages(site / "dist" / "development")
    assert len([url for url in pages if url.startswith("/locations/nm/penasco/")]) == 2
    # Stable: the same file builds the same ids and URLs again.
    again = register_site(tmp_path / "again", config)
    build(again, "--env", "development")
    assert set(location_pages(again / "dist" / "development")) == set(pages)


def test_register_without_an_id_reports_duplicates_and_builds_in_production(
        tmp_path: Path) -> None:
    placeable = b"\r\n".join(line for line in (DATA / "register_cp1252.csv").read_bytes()
                             .split(b"\r\n") if not line.startswith(b"OR0009"))
    site = register_site(tmp_path / "site", REGISTER_CONFIG, placeable)
    result = build(site)
    counts = summary(result)
    assert (counts["read"], counts["built"], counts["skipped"]) == (7, 5, 2)
    hint = ("(remove one of the rows, or map locations.id (a list of columns for a "
            "composite key) to tell them apart)")
    duplicates = [line for line in result.err_lines if "duplicate" in line]
    assert [line.split(": warning: ")[0] for line in duplicates] == [
        "locations/register.csv:3", "locations/register.csv:5"]
    assert duplicates[0].startswith("locations/register.csv:3: warning: duplicate of row 2: "
                                    "same name and address, so the same derived id 'loc-")
    assert duplicates[0].endswith(f"only row 2 is built {hint}")
    assert duplicates[1].startswith("locations/register.csv:5: warning: duplicate of row 4: ")
    pages = location_pages(site / "dist" / "production")
    assert len([url for url in pages if url.startswith("/locations/nm/penasco/")]) == 1


def test_composite_key_mistakes_are_named(tmp_path: Path) -> None:
    empty = register_site(tmp_path / "empty", REGISTER_CONFIG + "  id: []\n")
    result = run_cli("build", "--source", empty)
    assert result.returncode == 1 and "Traceback" not in result.stderr, str(result)
    assert result.err_lines[0] == ("config/base.yaml:22: locations.id: list the key's columns, "
                                   "e.g. [FSCSKEY, FSCS_SEQ]")
    missing = register_site(tmp_path / "missing", REGISTER_CONFIG + "  id: [FSCSKEY, FSCS_SQ]\n")
    assert_fails(run_cli("build", "--source", missing), [
        "locations/register.csv: locations.id: column 'FSCS_SQ' is not in the file "
        "(did you mean 'FSCS_SEQ'?)"])


def test_niort_overpass_export_reads_every_opening_hours_string(tmp_path: Path) -> None:
    niort = shared_dataset("niort-pharmacies-osm", "pharmacies.geojson")
    assert niort is not None, "shared/datasets/niort-pharmacies-osm is missing"
    config = ("base_url: https://pharmacies.example.fr\nsite:\n  name: Pharmacies\n"
              "locations:\n  source: locations/pharmacies.geojson\n  phone_region: FR\n"
              "  fields:\n    street: addr:street\n    postal_code: addr:postcode\n"
              "    city: addr:city\n    hours: opening_hours\n")
    site = make_site(tmp_path / "site", {"config/base.yaml": config,
                                          "locations/pharmacies.geojson": niort.read_bytes()})
    result = build(site)
    counts = summary(result)
    assert (counts["read"], counts["built"], counts["skipped"]) == (33, 33, 0)
    assert not [line for line in result.err_lines if ": hours" in line]
    pages = location_pages(site / "dist" / "production")
    with_hours = [page for page in pages.values() if page.hours]
    assert len(with_hours) == 32  # one feature has no opening_hours
    assert all(url.count("/") == 4 for url in pages)  # /locations/{city}/{slug}/
