"""A big dataset is validated by several processes; what a build reports and builds must not
depend on it: the same diagnostics, in row order, and the same tree as one process."""

from __future__ import annotations

from pathlib import Path

from support.sites import build, generated_rows, run_cli, small_site, tree_hashes

ROWS = 2600  # above sitegen.locations.PARALLEL_MIN_ROWS


def test_bad_rows_are_reported_alike_by_one_and_two_processes(tmp_path: Path) -> None:
    rows = generated_rows(ROWS)
    rows[2]["phone"] = "not a phone"
    rows[1300]["lat"] = "north"
    rows[2599]["id"] = rows[10]["id"]
    site = small_site(tmp_path / "site", rows)
    one = run_cli("build", "--source", site, "--jobs", "1")
    two = run_cli("build", "--source", site, "--jobs", "2")
    assert one.returncode == two.returncode == 1, str(two)
    assert one.err_lines == two.err_lines, str(two)
    located = [line.split(": ")[0] for line in two.err_lines if "locations.csv:" in line
               and not line.startswith("locations/locations.csv: ")]
    assert located == ["locations/locations.csv:4", "locations/locations.csv:1302",
                       "locations/locations.csv:2601"], str(two)


def test_a_big_dataset_builds_the_same_tree_with_one_and_two_processes(tmp_path: Path) -> None:
    site = small_site(tmp_path / "site", generated_rows(ROWS))
    for jobs in ("1", "2"):  # --force: no cached rows, so two processes validate
        build(site, "--jobs", jobs, "--force", "--out", str(tmp_path / jobs))
    assert tree_hashes(tmp_path / "1") == tree_hashes(tmp_path / "2")
