"""`sitegen data sample`: an anonymised sample that builds with the same config."""

from __future__ import annotations

import csv
import json
import re
import shutil
from pathlib import Path

import pytest
from support.envsites import ENV, build_env, example_site, invoke, key_of, page_html, source_rows
from support.sites import make_site, shared_dataset

from sitegen.data.decoys import DECOYS, MIN_MOVE_KM, NEIGHBOURHOODS, distance_km
from sitegen.data.readers import DatasetFile, read_rows
from sitegen.diagnostics import Report
from sitegen.output.protect import parse_envelope


@pytest.fixture
def site(tmp_path: Path) -> Path:
    return example_site(tmp_path / "site")


def _real_values() -> list[str]:
    rows = source_rows()
    return [v for row in rows for v in (row["Store Name"], row["Phone"], row["Email"],
                                        row["Address"], row["Manager Email"]) if v]


def test_sample_writes_n_anonymous_rows_that_build_with_the_same_config(site: Path) -> None:
    out = site / "locations" / "sample.csv"
    result = invoke("data", "sample", "--count", "10", "--out", out, "--source", site)
    assert result.exit_code == 0, result.output
    assert result.output.strip() == f"wrote 10 anonymised rows of 64 to {out}"
    with out.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        rows = list(reader)
        header = reader.fieldnames
    with (site / "locations" / "locations.csv").open(encoding="utf-8", newline="") as handle:
        assert header == csv.DictReader(handle).fieldnames
    assert len(rows) == 10
    text = out.read_text(encoding="utf-8")
    for value in _real_values():
        assert value not in text, value
    real = source_rows()
    for row in rows:
        assert row["store_code"] not in {r["store_code"] for r in real}
        assert row["Hours"] in {r["Hours"] for r in real}
        assert row["Categories"] in {r["Categories"] for r in real}
        assert row["Holiday Hours"] in {r["Holiday Hours"] for r in real}
        assert row["Email"].endswith("@example.invalid")

    # Point staging at it: same config otherwise; the policy reports sample data.
    staging = site / "config" / "staging.yaml"
    staging.write_text(staging.read_text(encoding="utf-8").replace(
        "locations:\n  mask: [phone, email]\n", "locations:\n  source: locations/sample.csv\n"),
        encoding="utf-8")
    built = build_env(site, "staging")
    marker = json.loads((built / "_sitegen" / "build.json").read_text(encoding="utf-8"))
    assert marker["data"] == "sample"
    protection = key_of(built)
    pages = [page_html(p, protection) for p in built.rglob("index.html")]
    assert sum('"@id":"https://staging.juniperoak.example/locations/' in p
               and '#location"' in p for p in pages) == 10
    everything = "\n".join(pages)
    content = "\n".join(p.read_text(encoding="utf-8") for p in (site / "content").rglob("*.md"))
    for value in _real_values():
        if value not in content:  # the head office address is on the contact page
            assert value not in everything, value
    # ...and production refuses to be built from it.
    production = site / "config" / "production.yaml"
    production.write_text(production.read_text(encoding="utf-8") +
                          "locations:\n  source: locations/sample.csv\n", encoding="utf-8")
    refused = invoke("build", "--env", "production", "--source", site, env=ENV)
    assert refused.exit_code == 1
    assert "guard.sample-data-in-production" in refused.stderr


def test_same_seed_same_sample_other_seed_other_rows(site: Path, tmp_path: Path) -> None:
    a, b, c = tmp_path / "a.csv", tmp_path / "b.csv", tmp_path / "c.csv"
    for out, seed in ((a, "1"), (b, "1"), (c, "2")):
        assert invoke("data", "sample", "--count", "5", "--out", out, "--seed", seed,
                      "--source", site).exit_code == 0
    assert a.read_bytes() == b.read_bytes()
    assert a.read_bytes() != c.read_bytes()


@pytest.mark.parametrize("suffix", [".json", ".geojson", ".jsonl", ".yaml", ".xlsx", ".tsv"])
def test_sample_in_other_formats_reads_back(site: Path, tmp_path: Path, suffix: str) -> None:
    out = tmp_path / f"sample{suffix}"
    result = invoke("data", "sample", "--count", "3", "--out", out, "--source", site)
    assert result.exit_code == 0, result.output
    rows = read_rows(DatasetFile(out, out.name), Report())
    assert len(rows) == 3
    assert all(str(r.values["Store Name"]).startswith("Sample location") for r in rows)
    assert all(-180 <= float(str(r.values["Longitude"])) <= 180 for r in rows)


def test_sample_of_more_rows_than_exist_takes_them_all(site: Path, tmp_path: Path) -> None:
    out = tmp_path / "all.csv"
    result = invoke("data", "sample", "--count", "1000", "--out", out, "--source", site)
    assert result.exit_code == 0, result.output
    assert "wrote 64 anonymised rows of 64" in result.output


def test_sample_refuses_to_overwrite_the_dataset_it_samples(site: Path) -> None:
    dataset = site / "locations" / "locations.csv"
    before = dataset.read_bytes()
    result = invoke("data", "sample", "--count", "5", "--out", dataset, "--source", site)
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        f"{dataset}: is the production dataset being sampled: writing the sample there would "
        "replace the real data (write the sample to another file, e.g. "
        "--out locations/sample.csv)",
        "error: 1 problem found; nothing was written"]
    assert dataset.read_bytes() == before


# --- no real value kept -------------------------------------------------------------------

def _far_from_all(points: list[tuple[float, float]], real: list[tuple[float, float]]) -> None:
    for lat, lng in points:
        nearest = min(distance_km(lat, lng, a, b) for a, b in real)
        assert nearest >= MIN_MOVE_KM, (lat, lng, nearest)


def test_sample_keeps_no_real_id_place_image_or_position(site: Path, tmp_path: Path) -> None:
    out = tmp_path / "all.csv"
    result = invoke("data", "sample", "--count", "64", "--out", out, "--source", site)
    assert result.exit_code == 0, result.output
    with out.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    real = source_rows()
    for column in ("store_code", "City", "Zip", "Neighbourhood", "Image"):
        kept = {r[column] for r in real if r[column]} & {r[column] for r in rows}
        assert kept == set(), column
    # Plausible values from elsewhere: real towns with their state and a postcode of theirs.
    assert all(re.fullmatch(r"[A-Z]{2}-[A-Z]{3}-\d{3}|[A-Z]{2}-[A-Z]{2}-\d{3}", r["store_code"])
               for r in rows)
    assert {r["City"] for r in rows} <= {d.city for d in DECOYS["US"] + DECOYS["CA"]}
    assert {r["Zip"] for r in rows} <= {d.postal_code for d in DECOYS["US"] + DECOYS["CA"]}
    assert {r["Neighbourhood"] for r in rows if r["Neighbourhood"]} <= set(NEIGHBOURHOODS)
    assert {r["Image"] for r in rows if r["Image"]} == {"/images/sample/location.svg"}
    neutral = (site / "content" / "images" / "sample" / "location.svg").read_text()
    assert "<text" not in neutral and "<title" not in neutral
    _far_from_all([(float(r["Latitude"]), float(r["Longitude"])) for r in rows],
                  [(float(r["Latitude"]), float(r["Longitude"])) for r in real])


GM = shared_dataset("gm-pharmacies", "gm_pharmacies.geojson")
GM_CONFIG = """\
site:
  name: Greater Manchester Pharmacies
locations:
  source: locations/gm_pharmacies.geojson
  id: organisation_data_service_code
  fields:
    name: pharmacy_name
    street: address
    city: la_name
    region: health_and_wellbeing_board
    postal_code: postcode
    neighbourhood: ward_name
  defaults:
    country: GB
"""


def test_sample_of_the_gm_pharmacies_keeps_no_real_value(tmp_path: Path) -> None:
    assert GM is not None, "the shared gm-pharmacies dataset is missing"
    site = make_site(tmp_path / "gm", {"config/base.yaml": GM_CONFIG})
    (site / "locations").mkdir()
    shutil.copyfile(GM, site / "locations" / GM.name)
    out = tmp_path / "sample.geojson"
    result = invoke("data", "sample", "--count", "1000", "--out", out, "--source", site)
    assert result.exit_code == 0, result.output
    assert "wrote 631 anonymised rows of 631" in result.output
    real = json.loads(GM.read_text(encoding="utf-8"))["features"]
    sample = json.loads(out.read_text(encoding="utf-8"))["features"]
    text = "\n".join(str(value) for f in sample for value in f["properties"].values()).lower()
    columns = ("organisation_data_service_code", "ward_code", "la_code", "postcode", "ward_name",
               "la_name", "health_and_wellbeing_board", "pharmacy_name", "address")
    values = {str(f["properties"][c]) for f in real for c in columns if f["properties"].get(c)}
    assert len(values) > 2000
    assert [v for v in values if re.search(
        rf"(?<![a-z0-9]){re.escape(v.lower())}(?![a-z0-9])", text)] == []
    towns = {p["properties"]["la_name"] for p in sample}
    assert towns <= {d.city for d in DECOYS["GB"]} and len(towns) > 3
    codes = {p["properties"]["ward_code"] for p in sample}
    assert all(re.fullmatch(r"[A-Z]\d{8}", code) for code in codes)  # the same shape
    _far_from_all([tuple(reversed(f["geometry"]["coordinates"])) for f in sample],
                  [tuple(reversed(f["geometry"]["coordinates"])) for f in real])


def test_masked_staging_keeps_no_real_id_place_or_photo(site: Path) -> None:
    staging = site / "config" / "staging.yaml"
    staging.write_text(staging.read_text(encoding="utf-8").replace(
        "mask: [phone, email]", "mask: [phone, email, name, street, description, id, city, "
        "postal_code, booking_url, neighbourhood, image, coordinates]"), encoding="utf-8")
    built = build_env(site, "staging")
    protection = key_of(built)
    pages = "\n".join(page_html(p, protection) for p in built.rglob("index.html"))
    # The data files (not the content's own files, images included, encrypted as they are).
    envelopes = [e for p in built.rglob("*.json") if (e := parse_envelope(p.read_bytes()))]
    # The place index is the public gazetteer of the dataset's countries (GeoNames towns,
    # among them a town named like a real neighbourhood): it holds no value of the dataset.
    documents = [protection.decrypt(e).decode("utf-8", "replace") for e in envelopes
                 if "type" not in e]
    data = "\n".join(d for d in documents if not d.startswith('{"v":1,"countries":'))
    assert pages.count('#location"') >= 64 and '"locs"' in data
    content = "\n".join(p.read_text(encoding="utf-8") for p in (site / "content").rglob("*.md"))
    for row in source_rows():
        for column in ("store_code", "City", "Zip", "Neighbourhood", "Image"):
            value = row[column]
            if value and value not in content:  # the head office is on the contact page
                pattern = rf"(?<![\w-]){re.escape(value)}(?![\w-])"
                assert not re.search(pattern, pages), (column, value)
                assert not re.search(pattern, data), (column, value)
