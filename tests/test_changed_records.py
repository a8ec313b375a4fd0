"""`changed_records` (serve's partial re-read of a CSV) agrees with reading the whole file.

For any file and any edit of one cell (quotes, commas, newlines, emoji, RTL, `</script>`), the
records it reports, put in place of the old ones with the later records moved by its shift,
are exactly the records a full `read_rows` gives; or it declines (None) and serve reads it
all. Rows added or removed are always declined.
"""

from __future__ import annotations

import csv
import dataclasses
import io
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from sitegen.data import changed_records, read_lines, read_rows
from sitegen.diagnostics import Report, SitegenError

COLUMNS = ["id", "name", "description"]
HOSTILE = ["</script>", "\"quoted\"", "a,b", "line\nbreak", "\r\n", "שלום", "🙂", "", " "]
cell = st.one_of(st.sampled_from(HOSTILE), st.text(alphabet=st.characters(
    blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=12))


def _csv(rows: list[list[str]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows(rows)
    return buffer.getvalue()


def _read(path: Path) -> list:
    return read_rows(path, display_path="locations.csv", report=Report())


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@example(rows=[["</script>", "\r\n", ""]], target=0, column=0, value="\r\n")  # no row left
@given(rows=st.lists(st.lists(cell, min_size=3, max_size=3), min_size=1, max_size=6),
       target=st.integers(min_value=0), column=st.integers(min_value=0, max_value=2),
       value=cell)
def test_changed_records_equal_a_full_read(tmp_path: Path, rows: list[list[str]], target: int,
                                           column: int, value: str) -> None:
    rows = [[f"S{n}", *row[1:]] for n, row in enumerate(rows)]
    path = tmp_path / "locations.csv"
    path.write_text(_csv(rows), encoding="utf-8", newline="")
    before = _read(path)
    lines = read_lines(path, display_path="locations.csv", fmt=None, encoding="utf-8")
    assert lines is not None
    edited = [list(row) for row in rows]
    edited[target % len(rows)][column] = value
    path.write_text(_csv(edited), encoding="utf-8", newline="")
    found = changed_records(path, display_path="locations.csv", fmt=None, encoding="utf-8",
                            previous=lines, starts=[row.row for row in before],
                            report=Report())
    try:
        after = _read(path)
    except SitegenError:  # the edit blanked the only row: a record vanished, so declined
        assert found is None
        return
    if found is None:
        return
    merged = list(before)
    for index, row in found.records.items():
        merged[index] = row
    for index in range(found.shift_from, len(merged)):
        if index not in found.records:
            merged[index] = dataclasses.replace(merged[index], row=merged[index].row + found.shift)
    assert merged == after
    assert found.lines == read_lines(path, display_path="locations.csv", fmt=None,
                                     encoding="utf-8")


def _written(tmp_path: Path, rows: list[list[str]]) -> tuple[Path, list[int], list[str]]:
    """A CSV of `rows`: its path, the lines its records start on, and its lines."""
    path = tmp_path / "locations.csv"
    path.write_text(_csv(rows), encoding="utf-8")
    lines = read_lines(path, display_path="locations.csv", fmt=None, encoding="utf-8")
    assert lines is not None
    return path, [row.row for row in _read(path)], lines


def test_added_and_removed_rows_are_declined(tmp_path: Path) -> None:
    rows = [["S1", "One", "first"], ["S2", "Two", "second\nparagraph"], ["S3", "Three", "x"]]
    path, starts, lines = _written(tmp_path, rows)
    for changed in (rows[:2], [*rows, ["S4", "Four", "y"]], [rows[0], ["S2", "Two", "a"],
                                                             ["S9", "Nine", "b"], rows[2]]):
        path.write_text(_csv(changed), encoding="utf-8")
        assert changed_records(path, display_path="locations.csv", fmt=None,
                               encoding="utf-8", previous=lines, starts=starts,
                               report=Report()) is None


def test_a_multi_line_cell_made_single_line_moves_the_later_rows(tmp_path: Path) -> None:
    rows = [["S1", "One", "a\nb\nc"], ["S2", "Two", "x"], ["S3", "Three", "y"]]
    path, starts, lines = _written(tmp_path, rows)
    path.write_text(_csv([["S1", "One", "abc"], *rows[1:]]), encoding="utf-8")
    found = changed_records(path, display_path="locations.csv", fmt=None, encoding="utf-8",
                            previous=lines, starts=starts, report=Report())
    assert found is not None
    assert list(found.records) == [0] and found.records[0].values["description"] == "abc"
    assert (found.shift_from, found.shift) == (1, -2)
    assert [row.row for row in _read(path)] == [2, 3, 4]


def test_a_cell_made_too_long_is_declined_and_the_full_read_names_its_line(
        tmp_path: Path) -> None:
    rows = [["S1", "One", "a"], ["S2", "Two", "b"], ["S3", "Three", "c\nd"], ["S4", "Four", "e"]]
    path, starts, lines = _written(tmp_path, rows)
    path.write_text(_csv([*rows[:3], ["S4", "Four", "é" * 100_001]]), encoding="utf-8")
    assert changed_records(path, display_path="locations.csv", fmt=None, encoding="utf-8",
                           previous=lines, starts=starts, report=Report()) is None
    with pytest.raises(SitegenError) as caught:
        _read(path)
    assert str(caught.value) == (
        "locations.csv:6: description: value is longer than 100,000 characters, the limit "
        "per cell (shorten it; long texts belong in content/locations/<id>.md)")


@settings(max_examples=300, deadline=None)
@given(text=st.text(alphabet=st.sampled_from(["a", "é", "\n", "\r", "\u2028", "\x85", ",",
                                               '"', "🙂"]), max_size=40))
def test_the_lines_of_a_file_are_the_lines_the_csv_reader_reads(tmp_path_factory,
                                                                text: str) -> None:
    """read_lines splits where `io.StringIO(newline="")` does (the csv module's lines): at
    \\n, \\r\\n and \\r only, never at the other Unicode line breaks."""
    path = tmp_path_factory.mktemp("lines") / "locations.csv"
    path.write_bytes(text.encode("utf-8"))
    assert read_lines(path, display_path="locations.csv", fmt=None, encoding="utf-8") == \
        io.StringIO(text, newline="").readlines()
