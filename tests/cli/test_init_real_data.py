"""Real data in, a good site out: `sitegen init --from FILE` and no further mapping.

Four datasets: the NHS pharmacies of Greater Manchester (GeoJSON, per-day hours, the town in
the street column), the pharmacies of Niort from an Overpass export (French, no region, OSM
`opening_hours`), that export flattened to CSV with a quarter of its addresses removed and
websites written without a scheme, and a cp1252 library register with sentinel values
(`-9`, `N/A`) and a two-column key (FSCSKEY + FSCS_SEQ). For each: at least 95 % of the rows
that have a name and coordinates become pages, and every skipped row has a diagnostic.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
from pathlib import Path

import pytest
import yaml
from support.sites import Run, location_pages, run_cli, shared_dataset, summary

GM = shared_dataset("gm-pharmacies", "gm_pharmacies.geojson")
NIORT = shared_dataset("niort-pharmacies-osm", "pharmacies.geojson")
ALL = {"SITEGEN_ALL_DIAGNOSTICS": "1"}


def _init_and_build(tmp: Path, data: Path) -> tuple[Run, Run, Path]:
    site = tmp / "site"
    made = run_cli("init", "--from", data, site)
    assert made.returncode == 0, str(made)
    built = run_cli("build", "--source", site, "--env", "development", env=ALL)
    assert built.returncode == 0, str(built)
    assert "Traceback" not in built.stderr
    return made, built, site


def _check_rows(built: Run, source: str, placeable: int) -> dict[str, int]:
    """At least 95 % of the `placeable` rows (a name and coordinates) built; every skipped row
    named by a "row skipped" line and at least one diagnostic saying why."""
    counts = summary(built)
    assert counts["built"] + counts["skipped"] == counts["read"], str(built)
    assert counts["built"] >= 0.95 * placeable, (counts, placeable, built.stderr[-3000:])
    skipped = {int(m[1]) for m in re.finditer(
        rf"^locations/{re.escape(source)}:(\d+): warning: row skipped", built.stderr, re.M)}
    assert len(skipped) == counts["skipped"], str(built)
    for row in skipped:
        reasons = [line for line in built.err_lines
                   if line.startswith(f"locations/{source}:{row}: ") and "row skipped" not in line]
        assert reasons, f"row {row} skipped without a reason"
    return counts


# --- the NHS pharmacies of Greater Manchester ------------------------------------------------

@pytest.fixture(scope="module")
def gm(tmp_path_factory: pytest.TempPathFactory) -> tuple[Run, Run, Path]:
    assert GM is not None, "the shared gm-pharmacies dataset is missing"
    return _init_and_build(tmp_path_factory.mktemp("gm"), GM)


def test_gm_pharmacies_build_from_the_guessed_mapping(gm: tuple[Run, Run, Path]) -> None:
    made, built, site = gm
    assert "  name            <- pharmacy_name" in made.out_lines
    assert "  hours.sunday    <- opening_hours_sunday" in made.out_lines
    assert "  id              <- organisation_data_service_code" in made.out_lines
    counts = _check_rows(built, "gm_pharmacies.geojson", 631)
    assert counts["read"] == 631


def test_gm_pages_read_as_written_by_a_person(gm: tuple[Run, Run, Path]) -> None:
    _made, _built, site = gm
    out = site / "dist" / "development"
    pages = location_pages(out)
    assert len(pages) >= 600
    repeated = []
    for url, page in pages.items():
        assert len(url.rstrip("/").rsplit("/", 1)[1]) <= 60, url
        assert all(day_text.count("23:59") == 0 for day_text in page.hours.values()), url
        html = (out / url.strip("/") / "index.html").read_text(encoding="utf-8")
        address = re.search(r'class="location-address">.*?<span>(.*?)</span>', html, re.S)
        assert address, url
        parts = [p.strip().casefold() for p in address[1].split(",")]
        if len(parts) != len(set(parts)):
            repeated.append(address[1])
        intro = re.search(r'<p class="intro">(.*?)</p>', html, re.S)
        assert intro and "location offers" not in intro[1], url
    assert repeated == []
    # The pharmacy open until 23:59 closes "at midnight" (08:00-23:59 in the data).
    late = [p for p in pages.values() if "08:00–midnight" in p.hours.values()]
    assert late, "no pharmacy closing at midnight"


# --- the pharmacies of Niort, an Overpass export ---------------------------------------------

def test_niort_osm_export(tmp_path: Path) -> None:
    assert NIORT is not None, "the shared niort-pharmacies-osm dataset is missing"
    made, built, site = _init_and_build(tmp_path, NIORT)
    assert "  house_number <- addr:housenumber" in made.out_lines
    assert "  country      = FR (where the coordinates are)" in made.out_lines
    _check_rows(built, "pharmacies.geojson", 33)
    pages = location_pages(site / "dist" / "development")
    streets = {p.location_ld()["address"].get("streetAddress") for p in pages.values()}
    assert any(s and re.match(r"\d+ (Rue|Avenue|Place|Boulevard|Route)", s, re.I)
               for s in streets), streets  # the French order: number, then street


def _flattened_osm(tmp: Path) -> tuple[Path, int]:
    """The Niort export as a CSV (OSM tag names as columns), with the address tags removed
    from every fourth row and websites written without their scheme."""
    assert NIORT is not None
    features = json.loads(NIORT.read_text(encoding="utf-8"))["features"]
    columns = ["@id", "name", "amenity", "addr:housenumber", "addr:street", "addr:postcode",
               "addr:city", "lat", "lon", "opening_hours", "website", "phone"]
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, columns, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for index, feature in enumerate(features):
        row = dict(feature["properties"])
        row["lon"], row["lat"] = feature["geometry"]["coordinates"]
        if index % 4 == 0:
            for tag in ("addr:housenumber", "addr:street", "addr:postcode", "addr:city"):
                row.pop(tag, None)
        if row.get("website"):
            row["website"] = re.sub(r"^https?://", "", row["website"])
        writer.writerow(row)
    path = tmp / "niort_osm.csv"
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path, len(features)


def test_an_osm_export_flattened_to_csv_with_missing_addresses(tmp_path: Path) -> None:
    data, rows = _flattened_osm(tmp_path)
    made, built, _site = _init_and_build(tmp_path, data)
    assert "  street       <- addr:street" in made.out_lines
    assert "  lng          <- lon" in made.out_lines
    _check_rows(built, "niort_osm.csv", rows)


# --- a US library register in cp1252 ---------------------------------------------------------

def _register(tmp: Path) -> tuple[Path, int]:
    """200 libraries in 80 systems: FSCSKEY names the system, FSCS_SEQ the branch, so only
    the two together identify a row; branches that share a building look identical; -9 and
    N/A mean "no value"; names hold cp1252's curly quotes, dashes and accents."""
    header = ["FSCSKEY", "FSCS_SEQ", "LIBNAME", "ADDRESS", "CITY", "STABR", "ZIP", "PHONE",
              "WEBADDR", "LATITUDE", "LONGITUD", "HOURS", "SQ_FEET"]
    cities = [("Austin", "TX", 30.27, -97.74), ("Peñasco", "NM", 36.17, -105.68),
              ("Seattle", "WA", 47.61, -122.33), ("Anchorage", "AK", 61.19, -149.87)]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    for number in range(200):
        system, branch = number // 5 * 2, number % 5
        city, state, lat, lng = cities[system % 4]
        twin = branch == 4  # the same building as branch 3: an identical-looking row
        shown = 3 if twin else branch
        writer.writerow([
            f"{state}{system:04d}", f"{branch + 1:03d}",
            f"O’Brien Library – Branch {system}-{shown}", f"{100 + shown} Main St", city,
            state, f"{78000 + system:05d}",
            "-9" if number % 7 == 0 else "N/A" if number % 11 == 0 else f"512555{number:04d}",
            "-9" if number % 3 == 0 else f"www.library{system}.example.org",
            f"{lat + system * 0.001 + shown * 0.0001:.4f}", f"{lng + system * 0.001:.4f}",
            "-9" if number % 5 == 1 else "Mo-Fr 09:00-18:00; Sa 10:00-14:00",
            "-9" if number % 2 else str(1000 + number)])
    path = tmp / "pls_fy2022.csv"
    path.write_bytes(buffer.getvalue().encode("cp1252"))
    return path, 200


def test_a_cp1252_register_with_sentinels_and_a_two_column_key(tmp_path: Path) -> None:
    data, rows = _register(tmp_path)
    made, built, site = _init_and_build(tmp_path, data)
    config = yaml.safe_load((site / "config" / "base.yaml").read_text(encoding="utf-8"))
    locations = config["locations"]
    assert locations["encoding"] == "cp1252"
    assert locations["id"] == ["FSCSKEY", "FSCS_SEQ"]
    assert {"-9", "N/A"} <= set(locations["null_values"])
    assert locations["fields"]["lng"] == "LONGITUD"
    _check_rows(built, "pls_fy2022.csv", rows)
    pages = location_pages(site / "dist" / "development")
    names = {p.location_ld()["name"] for p in pages.values()}
    assert "O’Brien Library – Branch 0-0" in names
    html = "".join(path.read_text(encoding="utf-8")
                   for path in (site / "dist" / "development").rglob("*.html"))
    assert ">-9<" not in html and "N/A" not in html


DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.mark.parametrize(("name", "encoding", "columns"), [
    ("osm_libraries.csv", "utf-8", ("name", "lat", "lon")),
    ("register_cp1252.csv", "cp1252", ("LIBNAME", "LATITUDE", "LONGITUD")),
])
def test_the_data_fixtures_of_the_issue(tmp_path: Path, name: str, encoding: str,
                                        columns: tuple[str, str, str]) -> None:
    """tests/data's small fixtures in the issue's shapes (OSM tags with a javascript: URL
    and rows lacking a name or coordinates; a register with sentinels and twin rows)."""
    data = tmp_path / name
    shutil.copyfile(DATA / name, data)
    with data.open(encoding=encoding, newline="") as handle:
        rows = list(csv.DictReader(handle))
    placeable = sum(1 for row in rows if all(
        (row.get(c) or "").strip() not in ("", "-9", "N/A") for c in columns))
    assert 0 < placeable < len(rows)  # the fixtures hold rows that cannot be placed
    _made, built, _site = _init_and_build(tmp_path, data)
    counts = _check_rows(built, name, placeable)
    assert counts["skipped"] == len(rows) - placeable


def test_the_built_site_is_deterministic(gm: tuple[Run, Run, Path], tmp_path: Path) -> None:
    """The same file gives the same config, byte for byte."""
    _made, _built, site = gm
    assert GM is not None
    again = tmp_path / "again"
    made = run_cli("init", "--from", GM, again)
    assert made.returncode == 0, str(made)
    assert (again / "config" / "base.yaml").read_bytes() == \
        (site / "config" / "base.yaml").read_bytes()
    shutil.rmtree(again)
