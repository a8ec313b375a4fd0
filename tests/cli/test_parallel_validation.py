"""A big dataset is validated by several processes, a small one is loaded by the spare process
while the build imports its later stages; what a build reports and builds must not depend on
it: the same diagnostics, in row order, and the same tree as one process."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from pathlib import Path

from support.sites import (
    BASE_CONFIG,
    build,
    generated_rows,
    make_site,
    run_cli,
    small_site,
    summary,
    tree_hashes,
)

from sitegen.builder.beside import BESIDE_MAX_BYTES, loads_beside
from sitegen.builder.cache import BuildCache, load_details
from sitegen.builder.run import planning_run, prepare
from sitegen.diagnostics import Report

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


def test_a_small_dataset_loaded_beside_reports_its_errors_alike(tmp_path: Path) -> None:
    rows = generated_rows(40)
    rows[2]["phone"] = "not a phone"
    rows[30]["id"] = rows[10]["id"]
    # a warning of the config, reported before the dataset's by both
    site = small_site(tmp_path / "site", rows, extra={
        "config/staging.yaml": "protection:\n  mode: none\n  acknowledge_public: true\n"})
    one = run_cli("build", "--source", site, "--env", "staging", "--jobs", "1")
    two = run_cli("build", "--source", site, "--env", "staging", "--jobs", "2")
    assert one.returncode == two.returncode == 1, str(two)
    assert one.err_lines == two.err_lines, str(two)
    assert two.err_lines == [
        "config/staging.yaml:3: protection.mode: warning: 'staging' is not protected: anyone "
        "with its URL can read it (protection.acknowledge_public) (remove protection.mode: "
        "none to protect it)",
        "locations/locations.csv:4: phone: warning: cannot read phone number 'not a phone' "
        "(shown as written, without a tel: link)",
        "locations/locations.csv:32: id: duplicate id 'ST-0011' (first used on row 12) "
        "(every location needs its own id)",
        "locations/locations.csv: 1 error in the dataset (or set locations.on_error: skip "
        "to build without the bad rows)",
        "error: 2 problems found; nothing was written"], str(two)


def test_a_small_dataset_loaded_beside_builds_alike_and_keeps_its_rows_for_the_cache(
        tmp_path: Path) -> None:
    """Warnings of skipped rows and the categories separator the data uses come back from
    the spare process with the locations; so do the validated rows the next build reuses."""
    rows = [{**row, "categories": "Coffee|Bakery" if n % 2 else "Coffee"}
            for n, row in enumerate(generated_rows(30))]
    rows[4]["lat"] = "123.4"
    config = ("base_url: https://www.example.com\nlocations:\n  on_error: skip\n"
              "  phone_region: US\n")
    results = {}
    for jobs in ("1", "2"):
        site = small_site(tmp_path / jobs, rows, config=config)
        # the same build time for both (the manifest's is the newest input's otherwise)
        results[jobs] = build(site, "--env", "development", "--jobs", jobs,
                              env={"SOURCE_DATE_EPOCH": "1700000000"})
    one, two = results["1"], results["2"]
    assert one.err_lines == two.err_lines, str(two)
    assert one.err_lines[0].startswith("locations/locations.csv:6: lat: warning:"), str(two)
    assert summary(two)["skipped"] == 1
    # the same lines but the folder's name and how long it took
    assert one.out_lines[1:-1] == two.out_lines[1:-1], str(two)
    assert tree_hashes(tmp_path / "1" / "dist" / "development") == \
        tree_hashes(tmp_path / "2" / "dist" / "development")
    feed = (tmp_path / "2" / "dist" / "development" / "api" / "locations.json").read_text()
    assert '["Coffee","Bakery"]' in feed.replace(" ", "")
    cache = BuildCache(inputs="any")
    load_details(tmp_path / "2", "development", cache, Report())
    (cached,) = cache.rows.values()  # under the key of the settings as the build settled them
    assert len(cached) == 30 and sum(entry[0] is None for entry in cached.values()) == 1


def test_only_a_parallel_cold_build_of_a_dataset_file_up_to_a_size_loads_it_beside(
        tmp_path: Path) -> None:
    def run_of(site: Path, **changes: object) -> object:
        loaded, policy = prepare(site, "production")
        run = planning_run(loaded, policy, Report())
        options = dataclasses.replace(run.options, **{k: v for k, v in changes.items()
                                                      if k == "keep_state"})
        return dataclasses.replace(run, options=options,
                                   jobs=int(str(changes.get("jobs", 2))))

    small = small_site(tmp_path / "small", generated_rows(40))
    assert loads_beside(run_of(small))
    assert not loads_beside(run_of(small, jobs=1))
    assert not loads_beside(run_of(small, keep_state=True))  # serve keeps the mapped rows
    config = BASE_CONFIG.replace("locations.csv", "locations.json")
    listed = make_site(tmp_path / "json", {"config/base.yaml": config,
                                           "locations/locations.json": json.dumps(
                                               generated_rows(40))})
    assert loads_beside(run_of(listed))
    (listed / "locations" / "locations.json").write_bytes(b" " * (BESIDE_MAX_BYTES + 1))
    assert not loads_beside(run_of(listed))  # read after the imports: pickled back, too big


def test_the_build_forks_the_loader_before_it_imports_the_data_stage() -> None:
    """The modules that read and validate rows are imported by the loader and by the build
    process at the same time, after the fork: importing the pipeline imports none of them;
    and phonenumbers, which only reading a number needs, not even the stages import."""
    watched = ("sitegen.builder.dataset", "sitegen.data.locations", "sitegen.data.mapping",
               "sitegen.data.masking", "phonenumbers", "sitegen.builder.stages")
    script = ("import sys, sitegen.builder.pipeline; print(sorted(m for m in sys.modules if m "
              f"in {watched!r})); import sitegen.builder.stages; print('phonenumbers' in "
              "sys.modules)")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          check=True, timeout=120)
    assert done.stdout.split("\n")[:2] == ["[]", "False"]

