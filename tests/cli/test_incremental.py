"""Incremental builds are correct or off: every incremental result equals a clean build.

Each scenario edits a copy of the example site, rebuilds it incrementally, and compares the
tree byte for byte with a clean build of a fresh copy of the same files (mtimes preserved, so
the manifest's build time agrees). Files an incremental build did not rewrite keep their inode
(they are hard links into the new folder), which shows what was rendered.
"""

from __future__ import annotations

import csv
import io
import pickle
import shutil
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from support.envsites import ENV
from support.sites import (
    EXAMPLE_PARTS,
    build,
    copy_example,
    generated_rows,
    parse_html,
    sample_location,
    small_site,
    summary,
    tree_hashes,
)

from sitegen.builder.cache import load_cache, load_details
from sitegen.diagnostics import Report

# Every build here has one date: a page an incremental build reuses keeps the lastmod it had
# (the day it last changed), so across midnight it would rightly differ from a clean build's.
EPOCH = {"SOURCE_DATE_EPOCH": "1700000000"}
HAYES = "locations/us/ca/san-francisco/juniper-oak-coffee-hayes-valley/index.html"
MISSION = "locations/us/ca/san-francisco/juniper-oak-coffee-mission/index.html"
FAR_AWAY = "locations/ca/on/toronto/juniper-oak-coffee-queen-west/index.html"


def _inodes(root: Path) -> dict[str, int]:
    return {p.relative_to(root).as_posix(): p.stat().st_ino for p in root.rglob("*")
            if p.is_file()}


def _clean_copy(site: Path, dest: Path) -> Path:
    dest.mkdir()
    for part in EXAMPLE_PARTS:
        if (site / part).is_dir():
            shutil.copytree(site / part, dest / part)
    return dest


def _edit_csv(site: Path, change: Callable[[list[dict[str, str]]], list[dict[str, str]]]) -> None:
    path = site / "locations" / "locations.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    columns = list(rows[0])
    rows = change(rows)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")


def _phone(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    for row in rows:
        if row["store_code"] == "JO-SF-001":
            row["Phone"] = "(415) 555-0177"
    return rows


def _add(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    new = dict(next(r for r in rows if r["store_code"] == "JO-SF-002"))
    new.update({"store_code": "JO-SF-099", "Store Name": "Juniper & Oak Coffee — Dogpatch",
                "Address": "2300 3rd St", "Latitude": "37.7590", "Longitude": "-122.3880",
                "Description": "A new café by the old shipyards, with a long bar of reclaimed "
                               "pier timber and a courtyard for dogs."})
    return [*rows, new]


def _remove(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    return [r for r in rows if r["store_code"] != "JO-SF-002"]


def _template(site: Path) -> None:
    folder = site / "themes" / "juniper" / "templates"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "hub.html").write_text(
        '{% extends "default/hub.html" %}\n{% block main %}<p class="hub-note">Fresh beans '
        'daily.</p>{{ super() }}{% endblock %}\n', encoding="utf-8")


def _content(site: Path) -> None:
    path = site / "content" / "about.md"
    path.write_text(path.read_text(encoding="utf-8") + "\nWe now roast on Sundays too.\n",
                    encoding="utf-8")


SCENARIOS: dict[str, Callable[[Path], None]] = {
    "location edit": lambda site: _edit_csv(site, _phone),
    "template edit": _template,
    "content edit": _content,
    "location added": lambda site: _edit_csv(site, _add),
    "location removed": lambda site: _edit_csv(site, _remove),
}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = copy_example(tmp_path_factory.mktemp("incremental") / "site")
    build(site, env=EPOCH)
    return site


def test_a_rebuild_with_no_change_writes_nothing(built: Path) -> None:
    out = built / "dist" / "production"
    before = out.stat().st_ino, _inodes(out)
    result = build(built, env=EPOCH)
    assert "nothing changed since the last build: nothing written" in result.stdout
    assert (out.stat().st_ino, _inodes(out)) == before


def test_the_first_build_that_settles_the_categories_separator_is_not_rebuilt(
        tmp_path: Path) -> None:
    """A production build writes the redirects ledger and settles the categories separator
    the data uses in its config; the next build with nothing changed is a no-op: the
    inputs are digested with the config as loaded, not as the build settled it."""
    rows = [{**row, "categories": "Coffee|Bakery" if n % 2 else "Coffee"}
            for n, row in enumerate(generated_rows(4))]
    site = small_site(tmp_path / "site", rows)
    build(site, env=EPOCH)
    assert (site / "locations" / "redirects.yaml").is_file()
    assert "nothing changed since the last build: nothing written" in \
        build(site, env=EPOCH).stdout


@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_incremental_build_equals_a_clean_build(built: Path, tmp_path: Path,
                                                scenario: str) -> None:
    out = built / "dist" / "production"
    before = _inodes(out)
    SCENARIOS[scenario](built)
    result = build(built, env=EPOCH)
    rendered = int(result.out_lines[1].split()[0])
    after = _inodes(out)
    rewritten = {rel for rel, inode in after.items() if before.get(rel) != inode}
    clean = _clean_copy(built, tmp_path / "clean")
    build(clean, "--jobs", "1", env=EPOCH)
    assert tree_hashes(out) == tree_hashes(clean / "dist" / "production"), scenario
    pages = len([p for p in after if p.endswith(".html")])
    if scenario == "location edit":
        assert HAYES in rewritten and FAR_AWAY not in rewritten
        assert 0 < rendered < pages / 3
    if scenario == "content edit":
        assert "about/index.html" in rewritten and HAYES not in rewritten
    if scenario == "template edit":
        assert "locations/us/ca/index.html" in rewritten and HAYES not in rewritten
    if scenario == "location added":
        assert MISSION in rewritten and FAR_AWAY not in rewritten
    if scenario == "location removed":
        # Its page is gone; the ledger knows its URL, which redirects to its city hub
        # (docs/lifecycle.md): what is left there is the redirect stub.
        stub = parse_html(out / MISSION)
        assert "page-location" not in stub.body_class
        assert stub.canonical == "https://www.juniperoak.example/locations/us/ca/san-francisco/"
        assert FAR_AWAY not in rewritten


def test_one_and_two_workers_give_identical_trees(tmp_path: Path) -> None:
    one = copy_example(tmp_path / "one")
    two = copy_example(tmp_path / "two")
    build(one, "--jobs", "1")
    build(two, "--jobs", "2")
    assert tree_hashes(one / "dist" / "production") == tree_hashes(two / "dist" / "production")


def test_a_big_incremental_build_in_two_processes_equals_a_clean_build(tmp_path: Path
                                                                      ) -> None:
    """Past 400 pages the pages are fingerprinted in forked processes before they are
    compared: the rebuild renders only what the edit reached and equals a clean build."""
    rows = generated_rows(450)
    site = small_site(tmp_path / "site", rows)
    build(site, "--jobs", "2", env=EPOCH)
    out = site / "dist" / "production"
    before = _inodes(out)
    rows[200]["phone"] = "(217) 555-0999"
    small_site(site, rows)
    result = build(site, "--jobs", "2", env=EPOCH)
    rendered = int(result.out_lines[1].split()[0])
    assert 0 < rendered < 20, result.stdout
    rewritten = {rel for rel, inode in _inodes(out).items() if before.get(rel) != inode}
    assert len([rel for rel in rewritten if rel.endswith(".html")]) == rendered
    clean = small_site(tmp_path / "clean", rows)
    build(clean, "--jobs", "1", env=EPOCH)
    assert tree_hashes(out) == tree_hashes(clean / "dist" / "production")


NORTH_BEACH = "locations/us/ca/san-francisco/juniper-oak-bakery-north-beach/index.html"


def _near(result: object) -> list[str]:
    return sorted(line for line in result.err_lines if "seo.near-duplicate" in line)


def _describe(store: str, text: str) -> Callable[[list[dict[str, str]]], list[dict[str, str]]]:
    def change(rows: list[dict[str, str]]) -> list[dict[str, str]]:
        for row in rows:
            if row["store_code"] == store:
                row["Description"] = text
        return rows
    return change


def test_near_duplicates_are_reused_only_while_the_editorial_text_is_unchanged(
        tmp_path: Path) -> None:
    """The near-duplicate findings come from the cache while no page's editorial text
    changed, and are computed again as soon as one did: each build prints what a clean
    build of the same files prints."""
    site = copy_example(tmp_path / "site")
    rows = list(csv.DictReader(io.StringIO(
        (site / "locations" / "locations.csv").read_text(encoding="utf-8"))))
    original = next(r for r in rows if r["store_code"] == "JO-SF-003")["Description"]
    twin = next(r for r in rows if r["store_code"] == "JO-SF-002")["Description"]
    _edit_csv(site, _describe("JO-SF-003", twin))
    first = _near(build(site))
    assert len(first) == 1 and first[0].startswith(NORTH_BEACH + ": ")
    cache = load_cache(site, "production", Report())
    load_details(site, "production", cache, Report())
    assert [d.format() for d in cache.near.findings] == first  # kept for the next build
    steps = [("a phone edit keeps it", _phone),
             ("a distinct description clears it", _describe("JO-SF-003", original)),
             ("another phone edit keeps it clear",
              _describe("JO-SF-001", "A new text for Hayes Valley. " * 12))]
    for number, (name, change) in enumerate(steps):
        _edit_csv(site, change)
        incremental = _near(build(site))
        clean = _clean_copy(site, tmp_path / f"clean-{number}")
        assert incremental == _near(build(clean)), name
    assert incremental == []


def test_an_encrypted_build_fingerprints_no_page(tmp_path: Path) -> None:
    """The cache never gives an encrypted build a page (each has its own key): such a build
    spends no time fingerprinting its pages for it, and the next one renders every page
    again; a clean production build records every page's fingerprint."""
    site = copy_example(tmp_path / "site")
    build(site, env=EPOCH)
    for edit in (False, True):
        if edit:
            _edit_csv(site, _phone)
        staging = build(site, "--env", "staging", env={**EPOCH, **ENV})
        assert summary(staging)["pages"] > 0
        assert f"{summary(staging)['pages']} pages rendered, 0 unchanged" in staging.stdout
    fingerprints = {}
    for env in ("production", "staging"):
        cache = load_cache(site, env, Report())
        load_details(site, env, cache, Report())
        fingerprints[env] = {page.fingerprint for page in cache.pages.values()}
    assert "" not in fingerprints["production"] and len(fingerprints["production"]) > 10
    assert fingerprints["staging"] == {""}


TEXT_FIELDS = ("id", "name", "street", "city", "region", "description", "neighbourhood",
               "source")


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(), min_size=len(TEXT_FIELDS), max_size=len(TEXT_FIELDS)))
@example(["<script>x</script>", "Café — \u05e9\u05dc\u05d5\u05dd", "\ud800 lone", "😀",
          "../..", "javascript:alert(1)", "", "plain"])
def test_a_cached_location_comes_back_with_the_same_text(texts: list[str]) -> None:
    """A location is pickled as its fields (Location.__reduce__), non-ASCII text as UTF-8
    bytes: every string, lone surrogates included, comes back as it was, plain ASCII stays
    str, and pickling leaves no UTF-8 copy inside the location's strings (CPython keeps
    one in a str it encodes, which `sys.getsizeof` counts)."""
    location = sample_location(**dict(zip(TEXT_FIELDS, texts, strict=True)))
    sizes = [sys.getsizeof(getattr(location, name)) for name in TEXT_FIELDS]
    again = pickle.loads(pickle.dumps(location, protocol=pickle.HIGHEST_PROTOCOL))
    assert again == location
    assert all(type(getattr(again, name)) is str for name in TEXT_FIELDS)
    assert [sys.getsizeof(getattr(location, name)) for name in TEXT_FIELDS] == sizes
