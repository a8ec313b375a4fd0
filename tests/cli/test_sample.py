"""`sitegen data sample`: an anonymised sample that builds with the same config."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from support.envsites import ENV, build_env, example_site, invoke, key_of, page_html, source_rows

from sitegen.data.readers import DatasetFile, read_rows
from sitegen.diagnostics import Report


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
    real = {row["store_code"]: row for row in source_rows()}
    for row in rows:
        original = real[row["store_code"]]
        assert row["Hours"] == original["Hours"]
        assert row["Categories"] == original["Categories"]
        assert row["Holiday Hours"] == original["Holiday Hours"]
        assert row["Email"].endswith("@example.invalid")
        moved = abs(float(row["Latitude"]) - float(original["Latitude"]))
        assert 0 < moved <= 0.01 or row["Latitude"] != original["Latitude"]

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
