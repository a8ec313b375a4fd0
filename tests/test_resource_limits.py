"""Resource limits on every reader: a hostile file ends in a diagnostic, soon, in little memory.

Issue 18 asks that a YAML alias bomb (in a config file, front matter, a YAML dataset) and a
hostile SQLite source (an endless recursive CTE, a CPU-burning view, zeroblob(1e9)) end with
a diagnostic in under 5 s and under 300 MB, so these tests assert those bounds on the CLI
process: its CPU time (user + system, what the work costs whatever else the machine runs; a
wall-clock bound of 60 s catches a hang) and its peak RSS. Both are read through a small
wrapper process that starts the CLI and reports RUSAGE_CHILDREN: a CLI started straight from
pytest's worker would count the worker's own memory (Linux keeps the parent's high-water mark
across vfork and exec).
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from conftest import (
    BASE_CONFIG,
    REPO,
    Run,
    assert_fails,
    build,
    clean_env,
    cli_command,
    generated_rows,
    make_site,
    small_site,
)
from hypothesis import given, settings
from hypothesis import strategies as st

from sitegen.data import read_rows
from sitegen.data.readers import MAX_CELL_CHARS, load_yaml
from sitegen.diagnostics import Report, SitegenError
from sitegen.yamlbudget import SafeLoader

CPU_SECONDS = 5.0
PEAK_MB = 300
HANG_SECONDS = 60
# Runs the CLI (argv[2:]) and writes its CPU seconds and peak RSS (KiB on Linux) to argv[1].
WRAPPER = ("import json, resource, subprocess, sys\n"
           "done = subprocess.run(sys.argv[2:])\n"
           "usage = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
           "open(sys.argv[1], 'w').write(json.dumps(\n"
           "    [usage.ru_utime + usage.ru_stime, usage.ru_maxrss]))\n"
           "sys.exit(done.returncode)\n")


@dataclass
class Measured:
    run: Run
    cpu_seconds: float
    peak_mb: float


def measured(tmp_path: Path, *args: str | Path, env: dict[str, str] | None = None) -> Measured:
    """`sitegen ARGS` with its CPU time and peak resident memory."""
    report = tmp_path / "usage.json"
    done = subprocess.run([sys.executable, "-c", WRAPPER, str(report), *cli_command(*args)],
                          capture_output=True, text=True, encoding="utf-8", env=clean_env(env),
                          cwd=REPO, timeout=HANG_SECONDS, stdin=subprocess.DEVNULL)
    run = Run(tuple(map(str, args)), done.returncode, done.stdout, done.stderr)
    cpu, peak = json.loads(report.read_text())
    return Measured(run, cpu, peak / 1024)


def assert_refused(result: Measured, expected: str) -> None:
    """Exit 1 with exactly this diagnostic, no traceback, within the issue's bounds."""
    assert_fails(result.run, [expected])
    assert result.cpu_seconds < CPU_SECONDS, (result.cpu_seconds, str(result.run))
    assert result.peak_mb < PEAK_MB, (result.peak_mb, str(result.run))


# --- YAML: aliases on a budget -----------------------------------------------------------------

def laughs(indent: str = "") -> str:
    """The "billion laughs": nine levels of nine aliases, 9**9 values from 342 bytes."""
    lines = [f'{indent}a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for name, previous in zip("bcdefghi", "abcdefgh", strict=True):
        lines.append(f"{indent}{name}: &{name} [" + ",".join([f"*{previous}"] * 9) + "]")
    return "\n".join(lines) + "\n"


BOMB_HINT = ("(an alias repeats its anchor's whole value: use fewer aliases of aliases, or "
             "write the values out)")
YAML_SOURCE = BASE_CONFIG.replace("locations.csv", "locations.yaml")


@pytest.mark.parametrize(("files", "env", "expected"), [
    ({"config/base.yaml": BASE_CONFIG + laughs()}, None,
     "config/base.yaml:12: YAML aliases expand the document past 100,000 values (34 written) "
     + BOMB_HINT),
    ({"config/production.yaml": "site:\n" + laughs("  ")}, None,
     "config/production.yaml:7: YAML aliases expand the document past 100,000 values "
     "(24 written) " + BOMB_HINT),
    ({"content/about.md": "---\ntitle: About\n" + laughs() + "---\nHello\n"}, None,
     "content/about.md:8: YAML aliases expand the document past 100,000 values (24 written) "
     + BOMB_HINT),
    ({"config/base.yaml": YAML_SOURCE, "locations/locations.yaml": laughs()}, None,
     "locations/locations.yaml:6: YAML aliases expand the document past 100,000 values "
     "(22 written) " + BOMB_HINT),
    ({}, {"SITEGEN_SITE": "{" + laughs().replace("\n", ", ") + "}"},
     "$SITEGEN_SITE: YAML aliases expand the document past 100,000 values (22 written) "
     + BOMB_HINT),
], ids=["config", "environment-file", "front-matter", "yaml-dataset", "variable"])
def test_an_alias_bomb_ends_with_a_diagnostic_in_every_yaml_place(
        tmp_path: Path, files: dict[str, str], env: dict[str, str] | None,
        expected: str) -> None:
    site = small_site(tmp_path / "site", extra=files)
    assert_refused(measured(tmp_path, "build", "--source", site, env=env), expected)


def test_an_alias_inside_its_own_anchor_is_refused(tmp_path: Path) -> None:
    site = small_site(tmp_path / "site", extra={
        "content/about.md": "---\ntitle: About\nmenu: &loop [main, *loop]\n---\nHello\n"})
    assert_fails(measured(tmp_path, "build", "--source", site).run, [
        "content/about.md:3: YAML alias *loop is inside the value of its own anchor (it "
        "would repeat forever) (an alias can only repeat a value that ends before it)"])


def test_anchors_for_shared_values_still_work(tmp_path: Path) -> None:
    records = "".join(f"  - <<: *store\n    id: ST-{n}\n    name: Store {n}\n"
                      f"    street: {n} Main Street\n" for n in range(1, 4))
    site = make_site(tmp_path / "site", {
        "config/base.yaml": YAML_SOURCE + "  defaults: {country: US}\nseo:\n"
                            "  hub_title: &hub '{place} | {site}'\n  title: *hub\n",
        "locations/locations.yaml": "shared: &store {city: Springfield, region: IL, "
                                    "postal_code: '62701', lat: 39.8, lng: -89.6, "
                                    "phone: (217) 555-0100}\nlocations:\n" + records,
        "content/about.md": "---\ntitle: &t About us\ndescription: *t\n---\nHi\n"})
    build(site)
    records_out = json.loads((site / "dist/production/api/locations.json").read_text())
    assert [(r["id"], r["city"], r["country"], r["phone"]) for r in records_out["locations"]] \
        == [(f"ST-{n}", "Springfield", "US", "+12175550100") for n in range(1, 4)]


def test_the_budget_grows_with_what_the_file_writes() -> None:
    """20,000 records sharing one anchored block expand to far more than 100,000 values, but
    to less than ten times what the file writes: accepted."""
    records = "".join(f"- {{<<: *shared, id: S{n}}}\n" for n in range(20_000))
    text = "- &shared {city: Springfield, region: IL, country: US}\n" + records
    data = load_yaml(text, "locations/big.yaml")
    assert isinstance(data, list) and len(data) == 20_001
    assert data[-1] == {"city": "Springfield", "region": "IL", "country": "US", "id": "S19999"}


VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=4), inner,
                                                                  max_size=4),
    max_leaves=12)


@settings(max_examples=200, deadline=None)
@given(value=VALUES, copies=st.integers(min_value=1, max_value=5))
def test_the_budget_loader_reads_what_pyyaml_reads(value: object, copies: int) -> None:
    """PyYAML writes a value that appears several times once, with an anchor, and aliases
    for the rest: below the budget, sitegen's loaders read exactly what yaml.safe_load does."""
    text = yaml.safe_dump({"shared": [value] * copies, "again": value}, allow_unicode=True)
    expected = yaml.safe_load(text)
    assert yaml.load(text, Loader=SafeLoader) == expected
    if not isinstance(value, bool | int) or value is None:  # the dataset reader's YAML 1.2
        assert load_yaml(text, "x.yaml") == yaml.load(text, Loader=SafeLoader)


# --- SQLite: read-only, on a clock, values capped ------------------------------------------------

ENDLESS = "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n)"
TOO_LONG = ("locations/locations.sqlite: locations.table: SQLite took more than 1 s (and "
            "0.02 ms a row) to read table 'locations' (a view or query that never ends, or a "
            "slow one? store its rows in a table (CREATE TABLE ... AS SELECT ...) and read "
            "that)")


def sqlite_site(root: Path, view: str, config: str = "  table: locations\n") -> Path:
    site = make_site(root, {"config/base.yaml": BASE_CONFIG.replace(
        "locations.csv", "locations.sqlite") + config})
    (site / "locations").mkdir()
    with sqlite3.connect(site / "locations" / "locations.sqlite") as connection:
        connection.execute("CREATE TABLE stores (id TEXT, name TEXT)")
        connection.executemany("INSERT INTO stores VALUES (?, ?)",
                               [(f"S{n}", f"Store {n}") for n in range(100)])
        connection.execute(f"CREATE VIEW locations AS {view}")
    connection.close()
    return site


@pytest.mark.parametrize(("view", "expected"), [
    (f"{ENDLESS} SELECT count(*) AS id, 'n' AS name FROM n", TOO_LONG),
    (f"{ENDLESS} SELECT 'S' || x AS id, 'n' AS name FROM n",
     "locations/locations.sqlite: more than 500,000 rows (locations.max_rows) (raise "
     "locations.max_rows if the dataset really is this large, or split it)"),
    ("SELECT (SELECT count(*) FROM stores a, stores b, stores c, stores d, stores e) AS id, "
     "name FROM stores", TOO_LONG),
    ("SELECT 'S1' AS id, zeroblob(1e9) AS name",
     "locations/locations.sqlite: locations.table: a value in table 'locations' is larger "
     "than 1,000,000 bytes (a cell holds at most 100,000 characters; long texts belong in "
     "content/locations/<id>.md)"),
    (f"{ENDLESS} SELECT 'S' || x AS id, printf('%.*c', 900000, 'x') AS name FROM n "
     "LIMIT 1000",
     "locations/locations.sqlite: locations.table: table 'locations' gives more than "
     "67,108,864 bytes of values (twice the file's size, at least 64 MB) (a view or query "
     "that repeats values? store its rows in a table and read that)"),
], ids=["endless-recursive-cte", "endless-recursive-rows", "cpu-burning", "zeroblob-1e9",
        "repeated-large-values"])
def test_a_hostile_sqlite_view_ends_with_a_diagnostic(
        tmp_path: Path, view: str, expected: str) -> None:
    site = sqlite_site(tmp_path / "site", view)
    assert_refused(measured(tmp_path, "build", "--source", site), expected)


@pytest.mark.parametrize("query", [
    "ATTACH DATABASE 'other.sqlite' AS other",
    "PRAGMA writable_schema = ON",
    "CREATE TEMP TABLE t AS SELECT * FROM stores",
])
def test_a_sqlite_query_may_only_read(tmp_path: Path, query: str) -> None:
    site = sqlite_site(tmp_path / "site", "SELECT * FROM stores",
                       config=f'  query: "{query}"\n')
    assert_fails(measured(tmp_path, "build", "--source", site).run, [
        "locations/locations.sqlite: locations.query: SQLite error: not authorized (sitegen "
        "only reads the database: write one SELECT statement)"])
    assert not (REPO / "other.sqlite").exists() and not (site / "other.sqlite").exists()


def test_views_and_recursive_queries_that_end_are_read(tmp_path: Path) -> None:
    database = tmp_path / "shops.sqlite"
    with sqlite3.connect(database) as connection:
        connection.execute("CREATE TABLE stores (id TEXT, name TEXT)")
        connection.execute("INSERT INTO stores VALUES ('A', 'Alpha'), ('B', 'Beta')")
        connection.execute("CREATE VIEW named AS SELECT id, upper(name) AS name FROM stores")
    connection.close()
    view = read_rows(database, display_path="shops.sqlite", table="named", report=Report(),
                     max_rows=10)
    assert [r.values for r in view] == [{"id": "A", "name": "ALPHA"},
                                        {"id": "B", "name": "BETA"}]
    counted = read_rows(database, display_path="shops.sqlite", report=Report(), max_rows=10,
                        query="WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n "
                              "WHERE x < 3) SELECT x AS id FROM n;")
    assert [r.values for r in counted] == [{"id": 1}, {"id": 2}, {"id": 3}]


# --- CSV: the cell limit while streaming ----------------------------------------------------------

def write_csv_with(path: Path, cell_line: str, chunks: int, chunk: str) -> None:
    """A CSV file whose second record is `cell_line` with `chunk` * `chunks` in place of
    {cell}, written in pieces (the test itself must not hold 200 MB)."""
    head, tail = cell_line.split("{cell}")
    rows = generated_rows(3)
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write(",".join(rows[0]) + "\n" + ",".join(rows[0].values()) + "\n" + head)
        for _ in range(chunks):
            handle.write(chunk)
        handle.write(tail + ",".join(rows[2].values()) + "\n")


CELL_MESSAGE = ("locations/locations.csv:3: description: value is longer than 100,000 "
                "characters, the limit per cell (shorten it; long texts belong in "
                "content/locations/<id>.md)")
RECORD = "ST-0002,Test Store 0002,2 Main Street,Madison,WI,60002,US,43.1,-89.4,,,{cell}\n"


@pytest.mark.parametrize(("cell_line", "chunk"), [
    (RECORD, "x" * 1024 * 1024),
    (RECORD.replace("{cell}", '"{cell}"'), ("y" * 79 + "\n") * 13_107 + "y" * 64),
    (RECORD, "é" * 1024 * 1024),
], ids=["one-line", "quoted-lines", "not-latin-1"])
def test_a_200_mb_cell_is_refused_without_holding_it(
        tmp_path: Path, cell_line: str, chunk: str) -> None:
    site = small_site(tmp_path / "site")
    path = site / "locations" / "locations.csv"
    write_csv_with(path, cell_line, -(-200 * 1024 * 1024 // len(chunk.encode())), chunk)
    assert path.stat().st_size > 200 * 1024 * 1024
    result = measured(tmp_path, "build", "--source", site)
    assert_fails(result.run, [CELL_MESSAGE])
    assert result.peak_mb < PEAK_MB, result.peak_mb


def test_a_line_over_4_million_characters_is_refused(tmp_path: Path) -> None:
    site = small_site(tmp_path / "site")
    path = site / "locations" / "locations.csv"
    write_csv_with(path, RECORD.replace(",{cell}", "{cell}"), 4_100, "," * 1000)
    assert_fails(measured(tmp_path, "build", "--source", site).run, [
        "locations/locations.csv:3: line is longer than 4,000,000 characters (a cell holds "
        "at most 100,000 characters; long texts belong in content/locations/<id>.md)"])


def test_the_cell_limit_is_exact(tmp_path: Path) -> None:
    path = tmp_path / "stores.csv"
    for kind, quote in (("csv", '"'), ("tsv", "")):
        limit = "a" * MAX_CELL_CHARS
        path.write_text(f"id,name\n1,{quote}{limit}{quote}\n".replace(",", "\t" if kind ==
                                                                       "tsv" else ","))
        [row] = read_rows(path, display_path="s", fmt=kind, report=Report())
        assert row.values["name"] == limit
        path.write_text(path.read_text().replace(limit, limit + "é"))
        with pytest.raises(SitegenError) as caught:
            read_rows(path, display_path="s", fmt=kind, report=Report())
        assert str(caught.value) == (
            "s:2: name: value is longer than 100,000 characters, the limit per cell (shorten "
            "it; long texts belong in content/locations/<id>.md)")
