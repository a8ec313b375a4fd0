"""`sitegen init --from FILE [DIR]`: a site whose mapping is guessed from the file's columns,
printed for the user to confirm, that builds without further mapping."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from openpyxl import Workbook
from support.sites import assert_fails, location_pages, run_cli, summary

ROWS = [
    # name, street, town, postcode, lat, lng, phone, hours, region
    ("Bäckerei Müller", "Hauptstraße 1", "Köln", "50667", "50.9375", "6.9603",
     "0221 123456", "Mo-Fr 07:00-18:00", "NRW"),
    ("Café “Zur Post”", "Poststraße 2", "Bonn", "53111", "50.7374", "7.0982",
     "0228 654321", "Mo-Sa 08:00-23:59", "NRW"),
]


def _rows_as_dicts(header: list[str]) -> list[dict[str, str]]:
    return [dict(zip(header, row, strict=True)) for row in ROWS]


def _config(site: Path) -> dict:
    return yaml.safe_load((site / "config" / "base.yaml").read_text(encoding="utf-8"))


def test_a_cp1252_semicolon_csv_with_german_columns(tmp_path: Path) -> None:
    header = ["Bezeichnung", "Straße", "Ort", "PLZ", "Breitengrad", "Längengrad", "Telefon",
              "Öffnungszeiten", "Bundesland"]
    lines = [";".join(header)] + [";".join(row) for row in ROWS]
    data = tmp_path / "filialen.csv"
    data.write_bytes(("\r\n".join(lines) + "\r\n").encode("cp1252"))
    site = tmp_path / "site"
    result = run_cli("init", "--from", data, site)
    assert result.returncode == 0, str(result)
    assert result.out_lines[:13] == [
        "read 2 rows, 9 columns (csv, cp1252, delimiter ';')",
        "guessed mapping (locations.fields: field <- column):",
        "  name        <- Bezeichnung",
        "  street      <- Straße",
        "  city        <- Ort",
        "  region      <- Bundesland",
        "  postal_code <- PLZ",
        "  lat         <- Breitengrad",
        "  lng         <- Längengrad",
        "  phone       <- Telefon",
        "  hours       <- Öffnungszeiten",
        "  country     = DE (where the coordinates are)",
        "note: no column identifies each row: ids are made from name and address (set "
        "locations.id to keep URLs and caches stable when those change)",
    ]
    assert result.out_lines[-3:] == [
        f"check the mapping in {site / 'config' / 'base.yaml'} (locations.fields)",
        f"created 8 files in {site}", f"next: sitegen build --source {site}"]
    locations = _config(site)["locations"]
    assert locations["source"] == "locations/filialen.csv"
    assert (locations["encoding"], locations["delimiter"]) == ("cp1252", ";")
    assert locations["defaults"] == {"country": "DE"}
    assert locations["fields"]["street"] == "Straße"
    assert (site / "locations" / "filialen.csv").read_bytes() == data.read_bytes()
    assert not (site / "locations" / "locations.csv").exists()

    built = run_cli("build", "--source", site, "--env", "development")
    assert built.returncode == 0, str(built)
    assert summary(built)["built"] == 2 and summary(built)["skipped"] == 0
    pages = location_pages(site / "dist" / "development")
    names = {page.location_ld()["name"] for page in pages.values()}
    assert names == {"Bäckerei Müller", "Café “Zur Post”"}


def test_json_xlsx_and_osm_geojson(tmp_path: Path) -> None:
    header = ["Store Name", "Address", "City", "Zip", "Latitude", "Longitude", "Phone", "Hours",
              "State"]
    (tmp_path / "stores.json").write_text(json.dumps(_rows_as_dicts(header)), encoding="utf-8")
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in ROWS:
        sheet.append([*row[:4], float(row[4]), float(row[5]), *row[6:]])
    # An Overpass export: OSM tags as properties, the house number apart from the street.
    workbook.save(tmp_path / "stores.xlsx")
    features = [{"type": "Feature", "geometry": {"type": "Point",
                                                  "coordinates": [float(r[5]), float(r[4])]},
                 "properties": {"name": r[0], "addr:street": r[1].split()[0],
                                "addr:housenumber": r[1].split()[1], "addr:city": r[2],
                                "addr:postcode": r[3], "contact:phone": r[6],
                                "addr:state": r[8], "opening_hours": r[7],
                                "amenity": "cafe"}} for r in ROWS]
    (tmp_path / "export.geojson").write_text(json.dumps(
        {"type": "FeatureCollection", "features": features}), encoding="utf-8")
    for name in ("stores.json", "stores.xlsx", "export.geojson"):
        site = tmp_path / name.replace(".", "-")
        result = run_cli("init", "--from", tmp_path / name, site)
        assert result.returncode == 0, str(result)
        fields = _config(site)["locations"]["fields"]
        assert fields["name"] in ("Store Name", "name"), fields
        built = run_cli("build", "--source", site, "--env", "development")
        assert built.returncode == 0, str(built)
        assert summary(built)["built"] == 2, (name, str(built))
    assert "  house_number <- addr:housenumber" in result.out_lines
    page = next(iter(location_pages(tmp_path / "export-geojson" / "dist" / "development")
                     .values()))
    street = page.location_ld()["address"]["streetAddress"]
    assert street in ("Hauptstraße 1", "Poststraße 2"), street  # the German order


def test_the_directory_defaults_to_the_file_name(tmp_path: Path) -> None:
    data = tmp_path / "data" / "shops.csv"
    data.parent.mkdir()
    data.write_text("name,lat,lng,city\nA,1.5,2.5,X\n", encoding="utf-8")
    result = run_cli("init", "--from", data, cwd=tmp_path)
    assert result.returncode == 0, str(result)
    assert (tmp_path / "shops" / "config" / "base.yaml").is_file()


def test_errors_name_the_file_and_what_to_do(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.csv"
    assert_fails(run_cli("init", "--from", missing, tmp_path / "a"),
                 [f"{missing}: cannot read file: no such file (check the path given to --from)"])
    assert not (tmp_path / "a").exists()

    odd = tmp_path / "stores.txt"
    odd.write_text("x", encoding="utf-8")
    result = run_cli("init", "--from", odd, tmp_path / "b")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.err_lines[0].startswith(f"{odd}: unknown file type '.txt' (use one of .csv")

    broken = tmp_path / "broken.json"
    broken.write_text('[{"name": "A",', encoding="utf-8")
    result = run_cli("init", "--from", broken, tmp_path / "c")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.err_lines[0].startswith(f"{broken}:"), str(result)

    no_name = tmp_path / "codes.csv"
    no_name.write_text("code,lat,lng\nA1,1.5,2.5\n", encoding="utf-8")
    assert_fails(run_cli("init", "--from", no_name, tmp_path / "d"), [
        f"{no_name}: name: no column looks like the location's name (the columns are 'code', "
        "'lat', 'lng'; call one 'name' (or title, store_name, nom, Bezeichnung), then run "
        "init again)"])

    no_place = tmp_path / "names.csv"
    no_place.write_text("name,street\nA,1 Main St\n", encoding="utf-8")
    assert_fails(run_cli("init", "--from", no_place, tmp_path / "e"), [
        f"{no_place}: lat: no column looks like the latitude or the longitude (the columns "
        "are 'name', 'street'; every location needs coordinates: add columns 'lat' and 'lng' "
        "(or latitude/longitude, Breite/Länge), or export GeoJSON)"])
    for folder in "bcde":
        assert not (tmp_path / folder).exists()

    full = tmp_path / "full"
    full.mkdir()
    (full / "keep.txt").write_text("mine", encoding="utf-8")
    assert_fails(run_cli("init", "--from", no_place, full),
                 [f"{full}: folder is not empty (choose a new folder name)"])
    usage = run_cli("init")
    assert usage.returncode == 2 and "Traceback" not in usage.stderr
    assert usage.err_lines[-1] == "Error: Missing argument 'DIRECTORY'."


def test_hostile_column_names_and_values_stay_text(tmp_path: Path) -> None:
    data = tmp_path / "x.csv"
    data.write_text('name,lat,lng,city,state,"<script>alert(1)</script>","../../etc"\n'
                    '"<script>alert(1)</script> שלום 🏪",1.5,2.5,"javascript:x",ST,a,b\n',
                    encoding="utf-8")
    site = tmp_path / "site"
    result = run_cli("init", "--from", data, site)
    assert result.returncode == 0, str(result)
    assert "kept for templates as extra: <script>alert(1)</script>, ../../etc" \
        in result.out_lines
    built = run_cli("build", "--source", site, "--env", "development")
    assert built.returncode == 0, str(built)
    assert summary(built)["built"] == 1
    pages = location_pages(site / "dist" / "development")
    assert [page.location_ld()["name"] for page in pages.values()] == \
        ["<script>alert(1)</script> שלום 🏪"]
    for path in (site / "dist" / "development").rglob("*.html"):
        assert "<script>alert(1)" not in path.read_text(encoding="utf-8"), path
