"""A download cut short where HTTP cannot tell (no Content-Length, the connection closed) is
recognised by its format's own end of data (sitegen/data/whole.py).

Properties over generated files with hostile text: a whole file is never taken for a cut one,
and a cut one is recognised wherever the format allows it to be: anywhere in JSON, SQLite and
xlsx; in CSV inside a quoted value or before a row's last cell; in JSON Lines anywhere but
at a line break.
"""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from sitegen.data.whole import cut_reason

HOSTILE = st.lists(st.sampled_from(
    list("ab Z09,;\t\"'\r\n<>/&=-") + ["é", "\u202e", "\u05d0", "😀", "</script>", "javascript:"]),
    max_size=8).map("".join)
FIRST = HOSTILE.filter(lambda text: bool(text.strip()))  # a row is never blank
EXAMPLES = settings(max_examples=200, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


@st.composite
def tables(draw: st.DrawFn) -> tuple[str, list[list[str]]]:
    columns = draw(st.integers(1, 5))
    row = st.tuples(FIRST, *[HOSTILE] * (columns - 1)).map(list)
    return draw(st.sampled_from(["csv", "tsv"])), draw(st.lists(row, min_size=2, max_size=6))


def written(fmt: str, rows: list[list[str]]) -> tuple[str, list[tuple[int, int, int]]]:
    """The file's text, and for each data row (start, start of its last cell, end)."""
    dialect = csv.excel_tab if fmt == "tsv" else csv.excel

    def line(cells: list[str]) -> str:
        out = io.StringIO()
        csv.writer(out, dialect).writerow(cells)
        return out.getvalue()

    text, spans = "", []
    for number, cells in enumerate(rows):
        start = len(text)
        last_cell = start if len(cells) == 1 else \
            start + len(line(cells[:-1])) - 2 + 1  # the row before its last cell, a delimiter
        text += line(cells)
        if number:
            spans.append((start, last_cell, len(text)))
    return text, spans


@EXAMPLES
@given(tables(), st.data())
def test_csv_cut_before_the_last_cell_or_inside_quotes_is_recognised(
        table: tuple[str, list[list[str]]], data: st.DataObject) -> None:
    fmt, rows = table
    text, spans = written(fmt, rows)
    assert cut_reason(text.encode(), fmt, "utf-8") is None
    assert cut_reason(text.removesuffix("\r\n").encode(), fmt, "utf-8") is None
    start, last_cell, end = data.draw(st.sampled_from(spans))
    # Cut at a line break, a file looks whole: the row count against the cached copy is the net.
    assert cut_reason(text[:start].encode(), fmt, "utf-8") is None
    at = data.draw(st.integers(start + 1, end - 1))
    found = cut_reason(text[:at].encode(), fmt, "utf-8")
    if at < last_cell or _inside_quotes(text[start:at], "\t" if fmt == "tsv" else ","):
        event("recognisable")
        assert found is not None and found.startswith("truncated: ")
    else:
        event("inside the last cell")


def _inside_quotes(row: str, delimiter: str) -> bool:
    """Whether a row's text, as written by the csv module, stops inside a quoted value."""
    inside, at_cell_start, index = False, True, 0
    while index < len(row):
        char = row[index]
        if inside:
            if char == '"' and row[index + 1:index + 2] == '"':
                index += 1
            elif char == '"':
                inside = False
        elif char == '"' and at_cell_start:
            inside = True
        at_cell_start = not inside and char == delimiter
        index += 1
    return inside


def test_csv_reasons() -> None:
    assert cut_reason(b"id,name,city\n1,A,B\n2,Bo", "csv", "utf-8") == (
        "truncated: the last row (line 3) has 2 of 3 cells and no line break")
    assert cut_reason(b'id,name\n1,"two\nlines', "csv", "utf-8") == (
        "truncated: the file ends inside the quoted value of the row that begins on line 2")
    assert cut_reason("id,name\n1,Zoë".encode()[:-1], "csv", "utf-8") == (
        "truncated: the file ends inside a character")
    assert cut_reason(b"id,name\n1,A\n2", "csv", "utf-8") is not None
    # Exporters that end without a line break, and a short row that has one, are whole.
    assert cut_reason(b"id,name\n1,A\n2,B", "csv", "utf-8") is None
    assert cut_reason(b"id,name,city\n1,A\n", "csv", "utf-8") is None
    # Bytes that are not text in the encoding are the reader's to report, with their line.
    assert cut_reason(b"id,name\n1,\xff\xfe\n", "csv", "utf-8") is None


RECORD = st.dictionaries(HOSTILE, st.one_of(HOSTILE, st.integers(), st.floats(
    allow_nan=False), st.booleans(), st.none()), min_size=1, max_size=4)


@EXAMPLES
@given(st.lists(RECORD, min_size=1, max_size=4), st.booleans(), st.sampled_from([None, 2]),
       st.booleans(), st.data())
def test_json_cut_anywhere_is_recognised(records: list[dict], wrapped: bool,
                                         indent: int | None, ascii_only: bool,
                                         data: st.DataObject) -> None:
    document = {"stores": records} if wrapped else records
    body = (json.dumps(document, indent=indent, ensure_ascii=ascii_only) + "\n").encode()
    for fmt in ("json", "geojson"):
        assert cut_reason(body, fmt, "utf-8") is None
    at = data.draw(st.integers(1, len(body.rstrip()) - 1))
    found = cut_reason(body[:at], "json", "utf-8")
    assert found is not None and found.startswith("truncated: ")


def test_json_reason_names_where_it_stops() -> None:
    assert cut_reason(b'[\n  {"id": 1},\n  {"id": tr', "json", "utf-8") == (
        "truncated: the JSON stops at line 3, column 11, before it is complete")
    assert cut_reason(b'[{"id": 1}] extra', "json", "utf-8") is None  # whole, if wrong


@EXAMPLES
@given(st.lists(RECORD, min_size=1, max_size=5), st.booleans(), st.data())
def test_jsonl_cut_is_recognised_unless_at_a_line_break(
        records: list[dict], final_break: bool, data: st.DataObject) -> None:
    text = "\n".join(json.dumps(r, ensure_ascii=False) for r in records) + (
        "\n" if final_break else "")
    body = text.encode()
    assert cut_reason(body, "jsonl", "utf-8") is None
    at = data.draw(st.integers(1, len(body.rstrip()) - 1))
    found = cut_reason(body[:at], "jsonl", "utf-8")
    if b"\n" in (body[at - 1:at], body[at:at + 1]):
        assert found is None  # just after or before a line break: it looks whole
    else:
        assert found is not None and found.startswith("truncated: ")


def test_yaml_has_no_end_to_check() -> None:
    assert cut_reason(b"- id: 1\n- id: 2\n  name: Spri", "yaml", "utf-8") is None


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    path = tmp_path_factory.mktemp("db") / "stores.sqlite"
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE stores (id TEXT, name TEXT)")
        connection.executemany("INSERT INTO stores VALUES (?, ?)",
                               [(f"ST-{n}", "x" * 300) for n in range(200)])
    connection.close()
    return path.read_bytes()


@settings(max_examples=100, deadline=None)
@given(st.data())
def test_sqlite_cut_anywhere_after_its_magic_is_recognised(database: bytes,
                                                           data: st.DataObject) -> None:
    assert cut_reason(database, "sqlite", "utf-8") is None
    at = data.draw(st.integers(16, len(database) - 1))
    found = cut_reason(database[:at], "sqlite", "utf-8")
    assert found is not None and found.startswith("truncated: ")


def test_sqlite_reasons(database: bytes) -> None:
    page = int.from_bytes(database[16:18], "big")
    assert cut_reason(database[:page], "sqlite", "utf-8") == (
        f"truncated: {page} bytes where the database header declares {len(database)}")
    assert cut_reason(database[:50], "sqlite", "utf-8") == (
        "truncated: 50 bytes, shorter than a SQLite header")


@pytest.fixture(scope="module")
def workbook(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(["id", "name"])
    for n in range(50):
        sheet.append([f"ST-{n}", f"Store {n}"])
    path: Path = tmp_path_factory.mktemp("xlsx") / "stores.xlsx"
    book.save(path)
    return path.read_bytes()


@settings(max_examples=100, deadline=None)
@given(st.data())
def test_xlsx_cut_anywhere_is_recognised(workbook: bytes, data: st.DataObject) -> None:
    assert cut_reason(workbook, "xlsx", "utf-8") is None
    at = data.draw(st.integers(4, len(workbook) - 1))
    assert cut_reason(workbook[:at], "xlsx", "utf-8") == (
        "truncated: the workbook ends before its zip directory")
