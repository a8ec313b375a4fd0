"""`sitegen serve` applies dataset edits in place (warm.py), and the result is a clean build.

Each scenario edits the CSV of a served copy of the example site, waits for the server's
rebuild, and compares `dist/development/` byte for byte with a clean `sitegen build` of a
fresh copy of the same files (mtimes preserved, the served URL as base URL). The server's
own line says whether the edit was applied in place or needed a full build.
"""

from __future__ import annotations

import csv
import io
import os
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from support.serve import ServeProcess, wait_for
from support.sites import EXAMPLE_PARTS, build, copy_example, tree_hashes

HAYES = "locations/us/ca/san-francisco/juniper-oak-coffee-hayes-valley/index.html"
NORTH_BEACH = "locations/us/ca/san-francisco/juniper-oak-bakery-north-beach/index.html"
FAR_AWAY = "locations/ca/on/toronto/juniper-oak-coffee-queen-west/index.html"
IN_PLACE = "files updated in place"
Rows = list[dict[str, str]]


def _edit(site: Path, change: Callable[[Rows], None]) -> None:
    path = site / "locations" / "locations.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    change(rows)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")


def _set(store: str, **values: str) -> Callable[[Rows], None]:
    def change(rows: Rows) -> None:
        row = next(r for r in rows if r["store_code"] == store)
        for column, value in values.items():
            row[column.replace("_", " ")] = value
    return change


def _inodes(root: Path) -> dict[str, int]:
    return {p.relative_to(root).as_posix(): p.stat().st_ino for p in root.rglob("*")
            if p.is_file()}


def _assert_clean(server: ServeProcess, tmp_path: Path, name: str) -> None:
    clean = tmp_path / name
    clean.mkdir()
    for part in EXAMPLE_PARTS:
        shutil.copytree(server.site / part, clean / part)
    build(clean, "--env", "development", "--base-url", server.url)
    served = tree_hashes(server.site / "dist" / "development")
    expected = tree_hashes(clean / "dist" / "development")
    assert sorted(served.keys() ^ expected.keys()) == [], name
    assert [rel for rel in served if served[rel] != expected[rel]] == [], name


def _rebuild(server: ServeProcess, site: Path, change: Callable[[Rows], None]) -> str:
    done = len(server.outcomes())
    mark = len(server.out)
    _edit(site, change)
    server.wait_outcome(done)
    lines = [line for line in server.out[mark:] if line.startswith("rebuilt: ")]
    assert lines, server.transcript()
    return lines[-1]


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory):
    site = copy_example(tmp_path_factory.mktemp("warm") / "site")
    with ServeProcess(site) as server:
        server.wait_outcome()
        yield server


LEAF_EDITS: dict[str, Callable[[Rows], None]] = {
    "phone": _set("JO-SF-001", Phone="(415) 555-0177"),
    "hours": _set("JO-SF-001", Hours="Mon-Fri 6:30am-9pm; Sat-Sun 8am-5pm"),
    "description": _set("JO-SF-001", Description="A **new** description for Hayes Valley: "
                        "three espresso machines, a long bar and a <script>x</script> tag."),
    "two rows": lambda rows: (_set("JO-SF-001", Phone="(415) 555-0101")(rows),
                              _set("JO-TOR-001", Phone="(416) 555-0102")(rows)),
}


@pytest.mark.parametrize("edit", list(LEAF_EDITS))
def test_a_leaf_edit_is_applied_in_place_and_equals_a_clean_build(
        served: ServeProcess, tmp_path: Path, edit: str) -> None:
    out = served.site / "dist" / "development"
    before = _inodes(out)
    line = _rebuild(served, served.site, LEAF_EDITS[edit])
    assert IN_PLACE in line, served.transcript()
    after = _inodes(out)
    rewritten = {rel for rel, inode in after.items() if before.get(rel) != inode}
    assert HAYES in rewritten
    if edit != "two rows":
        assert FAR_AWAY not in rewritten
    assert len([r for r in rewritten if r.endswith(".html")]) < len(after) / 5
    _assert_clean(served, tmp_path, edit)


def test_the_open_page_shows_the_edit(served: ServeProcess) -> None:
    _rebuild(served, served.site, _set("JO-SF-001", Phone="(415) 555-0123"))
    assert "(415) 555-0123" in served.text("/" + HAYES.removesuffix("index.html"))


@pytest.mark.parametrize("edit", ["rename", "move", "add", "remove"])
def test_structural_edits_take_the_full_build(served: ServeProcess, tmp_path: Path,
                                              edit: str) -> None:
    def change(rows: Rows) -> None:
        if edit == "rename":
            _set("JO-SF-002", Store_Name="Juniper & Oak Coffee — Mission Dolores")(rows)
        elif edit == "move":
            _set("JO-SF-002", Latitude="37.7600")(rows)
        elif edit == "add":
            rows.append({**rows[0], "store_code": "JO-SF-099", "Latitude": "37.7590",
                         "Store Name": "Juniper & Oak Coffee — Dogpatch"})
        else:
            rows[:] = [r for r in rows if r["store_code"] != "JO-SEA-003"]

    line = _rebuild(served, served.site, change)
    assert IN_PLACE not in line, served.transcript()
    _assert_clean(served, tmp_path, edit)


def test_a_bad_edit_fails_and_the_fix_is_applied(served: ServeProcess, tmp_path: Path) -> None:
    failed = len(served.err)
    done = len(served.outcomes())
    _edit(served.site, _set("JO-SF-001", Latitude="north"))
    server = served
    wait_for(lambda: any(line.startswith("build failed: ") for line in server.err[failed:]), 120,
             message=server.transcript)
    assert any("Latitude" in line for line in server.err[failed:]), server.transcript()
    server.wait_outcome(done)
    line = _rebuild(server, server.site, _set("JO-SF-001", Latitude="37.77652",
                                              Phone="(415) 555-0188"))
    assert line.startswith("rebuilt: ")
    _assert_clean(server, tmp_path, "fixed")


def test_an_in_place_edit_judges_near_duplicates_again(served: ServeProcess,
                                                      tmp_path: Path) -> None:
    """Copying one café's description onto another is a near-duplicate warning, in place as
    in a clean build; the serve prints exactly the warnings a clean build prints."""
    rows = list(csv.DictReader(io.StringIO(
        (served.site / "locations" / "locations.csv").read_text(encoding="utf-8"))))
    twin = next(r for r in rows if r["store_code"] == "JO-SF-002")["Description"]
    mark = len(served.err)
    line = _rebuild(served, served.site, _set("JO-SF-003", Description=twin))
    assert IN_PLACE in line, served.transcript()
    # The warnings go to stderr, the summary line to stdout: read by two threads, the summary
    # can arrive first. Wait for as many warning lines as it counts.
    counted = int(re.search(r"(\d+) warnings?", line).group(1))  # type: ignore[union-attr]
    wait_for(lambda: sum(": warning: " in w for w in served.err[mark:]) >= counted, 10,
             message=served.transcript)
    printed = {w for w in served.err[mark:] if ": warning: " in w}
    assert any(w.startswith(NORTH_BEACH) and "seo.near-duplicate" in w for w in printed), \
        served.transcript()
    _assert_clean(served, tmp_path, "twin")
    clean = build(tmp_path / "twin", "--env", "development", "--base-url", served.url,
                  "--force")
    expected = {w for w in clean.stderr.splitlines() if ": warning: " in w}
    assert printed == expected


def test_an_edit_that_cannot_be_written_puts_the_pages_back(tmp_path: Path) -> None:
    """The pages are written first (the open page reloads at once), then the feeds: when a
    feed cannot be written, the error names it, the pages are put back as they were and the
    server goes on; once the path is free again, the next save builds the site in full."""
    site = copy_example(tmp_path / "site")
    out = site / "dist" / "development"
    with ServeProcess(site) as server:
        server.wait_outcome()
        page_before = (out / HAYES).read_bytes()
        feed = out / "api" / "locations.json"
        feed.unlink()
        feed.mkdir()  # a folder where the feed must go: os.replace fails
        failed = len(server.err)
        _edit(site, _set("JO-SF-001", Phone="(415) 555-0150"))
        wait_for(lambda: any(line.startswith("build failed: ")
                             for line in server.err[failed:]), 120, message=server.transcript)
        problems = [line for line in server.err[failed:] if "cannot write" in line]
        assert problems and problems[0].startswith("dist/development/api/locations.json: "), \
            server.transcript()
        assert "the last good build is still served" in problems[0]
        assert (out / HAYES).read_bytes() == page_before
        assert "(415) 555-0150" not in server.text("/" + HAYES.removesuffix("index.html"))
        feed.rmdir()
        line = _rebuild(server, site, _set("JO-SF-001", Phone="(415) 555-0151"))
        assert IN_PLACE not in line, server.transcript()  # the in-memory model was dropped
        _assert_clean(server, tmp_path, "recovered")


def test_after_serve_a_cli_build_reuses_every_page_and_a_revert_is_rebuilt(tmp_path: Path) -> None:
    site = copy_example(tmp_path / "site")
    original = (site / "locations" / "locations.csv").read_bytes()
    with ServeProcess(site) as server:
        server.wait_outcome()
        done = len(server.outcomes())
        _edit(site, _set("JO-SF-001", Phone="(415) 555-0166"))
        server.wait_outcome(done)
        assert IN_PLACE in server.out[-1] or any(IN_PLACE in line for line in server.out)
        url = server.url
        assert server.stop() == 0  # writes the build cache the in-place edit left stale
    again = build(site, "--env", "development", "--base-url", url)
    assert "0 pages rendered" in again.stdout, again.stdout  # every page reused
    (site / "locations" / "locations.csv").write_bytes(original)  # back to the old phone
    build(site, "--env", "development", "--base-url", url)
    clean = tmp_path / "clean"
    clean.mkdir()
    for part in EXAMPLE_PARTS:
        shutil.copytree(site / part, clean / part)
    build(clean, "--env", "development", "--base-url", url)
    assert tree_hashes(site / "dist" / "development") == \
        tree_hashes(clean / "dist" / "development")


def test_a_cache_that_cannot_be_saved_after_in_place_edits_is_a_warning(tmp_path: Path) -> None:
    """Serve writes the cache its in-place edits left stale when it stops; a disk that
    refuses it is reported as the build reports it, with no traceback."""
    from support.faultinject import __file__ as faultinject_file
    tests = Path(faultinject_file).resolve().parents[1]
    site = copy_example(tmp_path / "site")
    cache = site / ".sitegen" / "cache"
    env = {"PYTHONPATH": f"{tests}{os.pathsep}{tests.parent}", "FAULTINJECT": "EROFS",
           "FAULTINJECT_PATH": str(cache), "FAULTINJECT_AFTER": "0"}
    launcher = ("-c", "from support import faultinject; faultinject.main()")
    with ServeProcess(site, env=env, launcher=launcher) as server:
        server.wait_outcome()
        assert IN_PLACE in _rebuild(server, site, _set("JO-SF-001", Description="Edited."))
        assert server.stop() == 0
    warning = (".sitegen/cache: warning: cannot save the build cache: Read-only file system "
               "(the new output is live; the next build renders every page again; check "
               "permissions)")
    assert "Traceback" not in server.transcript()
    assert server.err[0] == warning, server.transcript()  # the first build
    assert server.err[-1] == warning, server.transcript()  # the cache the edit left, at stop
    assert "Edited." in (site / "dist" / "development" / HAYES).read_text(encoding="utf-8")
