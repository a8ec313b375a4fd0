"""What a build writes: atomic swaps (even under SIGKILL), byte-stable output, stable URLs,
and private columns that never reach a single written byte."""

from __future__ import annotations

import csv
import io
import random
import signal
import subprocess
import time
from pathlib import Path

import pytest
from support.sites import (
    BASE_CONFIG,
    build,
    clean_env,
    cli_command,
    copy_example,
    csv_text,
    generated_rows,
    id_urls,
    location_pages,
    run_many,
    small_site,
    summary,
    tree_hashes,
)

# --- atomic output -----------------------------------------------------------------------------

def test_sigkill_midway_leaves_previous_output_untouched(tmp_path: Path) -> None:
    site = small_site(tmp_path / "site", generated_rows(20))
    build(site)
    dist = site / "dist"
    before = tree_hashes(dist / "production")
    assert len(before) > 20

    big = csv_text(generated_rows(3000))
    (site / "locations" / "locations.csv").write_text(big, encoding="utf-8")
    process = subprocess.Popen(cli_command("build", "--source", site), env=clean_env(),
                               stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE)
    temporary = dist / f".production.tmp-{process.pid}"
    try:
        deadline = time.monotonic() + 60
        # Kill it once it has begun writing pages into its temporary folder.
        while not (temporary.is_dir() and any(temporary.rglob("*.html"))):
            assert process.poll() is None, process.communicate()
            assert time.monotonic() < deadline, "the build never wrote into its temporary folder"
            time.sleep(0.01)
        process.send_signal(signal.SIGKILL)
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=30)
        process.stdout.close()  # type: ignore[union-attr]
        process.stderr.close()  # type: ignore[union-attr]
    assert process.returncode == -signal.SIGKILL

    # Killed midway: its half-written tree is still there, the published one is as it was.
    assert temporary.is_dir() and any(temporary.rglob("*.html"))
    assert tree_hashes(dist / "production") == before
    assert _leftovers(dist) == [temporary.name]

    # The next build succeeds and sweeps the dead build's temporary folder away.
    (site / "locations" / "locations.csv").write_text(csv_text(generated_rows(21)),
                                                      encoding="utf-8")
    assert summary(build(site))["built"] == 21
    assert _leftovers(dist) == []
    assert (dist / "production").is_dir()
    after = tree_hashes(dist / "production")
    assert after != before and "locations/wi/madison/test-store-0021/index.html" in after


def _leftovers(dist: Path) -> list[str]:
    """Temporary trees of builds beside dist/production (a lock file is not a tree)."""
    return sorted(p.name for p in dist.iterdir()
                  if p.name.startswith(".production.") and p.is_dir())


# --- stable output -----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def example_builds(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The example site built twice in one folder and once in a copy elsewhere."""
    first = copy_example(tmp_path_factory.mktemp("example") / "site")
    second = copy_example(tmp_path_factory.mktemp("elsewhere") / "other-name")
    outputs = {"first": first / "dist" / "production", "again": first / "out-again",
               "copy": second / "dist" / "production"}
    runs = run_many([(("build", "--source", first), None),
                     (("build", "--source", first, "--out", outputs["again"]), None),
                     (("build", "--source", second), None)])
    for run in runs:
        assert run.returncode == 0, str(run)
    return outputs


def test_two_builds_of_the_same_input_are_byte_identical(example_builds: dict[str, Path]
                                                         ) -> None:
    first = tree_hashes(example_builds["first"])
    assert len(first) > 50
    assert tree_hashes(example_builds["again"]) == first
    assert tree_hashes(example_builds["copy"]) == first  # no absolute paths leak in


def _twins() -> list[dict[str, str]]:
    """Twelve locations, two of them with the same name in the same city."""
    rows = generated_rows(12)
    for row, street in ((rows[1], "12 Main Street"), (rows[7], "450 Oak Avenue")):
        row.update(name="Corner Cafe", street=street, city="Springfield", region="IL")
    return rows


@pytest.fixture(scope="module")
def variants(tmp_path_factory: pytest.TempPathFactory) -> dict[str, set[tuple[str, str]]]:
    """(id, URL) of every location page, for the same rows in other orders or with one more."""
    rows = _twins()
    shuffled = rows[:]
    random.Random(7).shuffle(shuffled)
    assert shuffled not in (rows, rows[::-1])
    # A third location whose own name is what a twin's suffixed slug would be.
    clash = generated_rows(1, start=600, prefix="CLASH")
    clash[0].update(name="Corner Cafe 12 Main Street", street="9 Elm Street", city="Springfield",
                    region="IL")
    datasets = {"original": rows, "reversed": rows[::-1], "shuffled": shuffled,
                "added": rows[:5] + generated_rows(1, start=500, prefix="NEW") + rows[5:],
                "clash": rows + clash, "clash-reversed": (rows + clash)[::-1]}
    root = tmp_path_factory.mktemp("variants")
    sites = {name: small_site(root / name, data) for name, data in datasets.items()}
    for run in run_many([(("build", "--source", site), None) for site in sites.values()]):
        assert run.returncode == 0, str(run)
    return {name: id_urls(site / "dist" / "production") for name, site in sites.items()}


def test_row_order_changes_no_url(variants: dict[str, set[tuple[str, str]]]) -> None:
    assert len(variants["original"]) == 12
    assert variants["reversed"] == variants["original"]
    assert variants["shuffled"] == variants["original"]


def test_same_name_in_one_city_gets_distinct_stable_slugs(
        variants: dict[str, set[tuple[str, str]]]) -> None:
    for name in ("original", "reversed", "shuffled"):
        urls = dict(variants[name])
        assert urls["ST-0002"] == "/locations/il/springfield/corner-cafe-12-main-street/"
        assert urls["ST-0008"] == "/locations/il/springfield/corner-cafe-450-oak-avenue/"


def test_a_suffixed_slug_never_takes_another_locations_slug(
        variants: dict[str, set[tuple[str, str]]]) -> None:
    city = "/locations/il/springfield/"
    for name in ("clash", "clash-reversed"):
        urls = dict(variants[name])
        assert len(set(urls.values())) == len(urls) == 13
        assert urls["CLASH-0600"] == city + "corner-cafe-12-main-street/"
        assert urls["ST-0002"] == city + "corner-cafe-12-main-street-st-0002/"
        assert urls["ST-0008"] == city + "corner-cafe-450-oak-avenue/"


def test_adding_an_unrelated_row_changes_no_other_url(
        variants: dict[str, set[tuple[str, str]]]) -> None:
    assert variants["original"] < variants["added"]
    assert variants["added"] - variants["original"] == {
        ("NEW-0500", "/locations/il/chicago/test-store-0500/")}


# --- private columns ---------------------------------------------------------------------------

def _leaks(root: Path, secrets: set[str]) -> list[tuple[str, str]]:
    """(file, secret) for every secret found in any written byte, raw or HTML/URL-escaped."""
    needles = set()
    for secret in secrets:
        needles |= {secret, secret.replace("&", "&amp;"), secret.replace("@", "%40"),
                    secret.replace("@", "&#64;"), secret.replace("@", "\\u0040")}
    found = []
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        data = path.read_bytes()
        found += [(path.relative_to(root).as_posix(), n) for n in needles if n.encode() in data]
    return found


def test_example_site_never_writes_manager_emails(example_builds: dict[str, Path]) -> None:
    source = example_builds["first"].parent.parent / "locations" / "locations.csv"
    emails = {row["Manager Email"].strip() for row in
              csv.DictReader(io.StringIO(source.read_text(encoding="utf-8-sig")))}
    emails.discard("")
    assert len(emails) >= 10, "the example dataset lost its Manager Email column"
    assert any(example_builds["first"].rglob("*.html"))
    assert _leaks(example_builds["first"], emails) == []


def test_private_column_appears_in_no_output_file(tmp_path: Path) -> None:
    rows = generated_rows(8)
    for number, row in enumerate(rows):
        row["secret_notes"] = f"zq-private-{number}-landlord owes £{number}k"
    config = BASE_CONFIG + "  private: [secret_notes]\n  fields:\n    extra.notes: secret_notes\n"
    site = small_site(tmp_path / "site", rows, config=config)
    result = build(site)
    # Mapping a private column is refused with a warning rather than published.
    assert result.err_lines == [
        "locations/locations.csv: locations.fields.extra.notes: warning: column 'secret_notes' "
        "is listed in locations.private, so it is not used "
        "(remove it from locations.private or from locations.fields)"]
    assert summary(result)["built"] == 8
    assert len(location_pages(site / "dist" / "production")) == 8
    secrets = {row["secret_notes"] for row in rows} | {"zq-private-"}
    assert _leaks(site / "dist" / "production", secrets) == []
