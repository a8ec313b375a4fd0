"""Which records of a CSV or TSV dataset an edit changed, parsed by the same reader.

`sitegen serve` keeps the file's lines from the last build; after a save, only the records
whose lines differ are parsed again (serve/warm.py), not the whole file.
"""

from __future__ import annotations

import bisect
import io
from dataclasses import dataclass

from sitegen.data.readers import (
    DatasetFile,
    RawRow,
    _check_cells,
    _format,
    _read_delimited,
    _read_text,
    split_lines,
)
from sitegen.diagnostics import Report, SitegenError


@dataclass
class RecordChanges:
    """What `changed_records` found: the file's new lines, the records that differ, and how
    far the records after them moved (lines added or removed inside an edited record)."""

    lines: list[str]
    records: dict[int, RawRow]
    shift_from: int = 0  # index of the first record after the edited ones
    shift: int = 0       # lines they moved by


def changed_records(dataset: DatasetFile, previous: list[str], starts: list[int],
                    report: Report) -> RecordChanges | None:
    """The records of a CSV or TSV file that differ from `previous`, parsed by the same reader.

    For `sitegen serve`: `previous` holds the file's lines (read_lines) at the last build,
    whose records began at the 1-based lines `starts`. None when the edit is not confined to
    existing records (the header changed, a record was added, removed or split in two) or the
    file is not delimited: read it all then.
    """
    path, display_path, encoding = dataset.path, dataset.display_path, dataset.encoding
    kind = _format(path, display_path, dataset.fmt)
    if kind not in ("csv", "tsv") or not starts:
        return None
    old = previous
    new = split_lines(_read_text(path, display_path, encoding))
    if new == old:
        return RecordChanges(new, {})
    same = min(len(old), len(new))
    head = _common_prefix(old, new, same)
    tail = _common_prefix(old[::-1], new[::-1], same - head)
    first = bisect.bisect_right(starts, head + 1) - 1
    last = max(first, bisect.bisect_right(starts, len(old) - tail) - 1)
    if first < 0:
        return None  # the header changed
    shift = len(new) - len(old)
    begin = starts[first]
    end = starts[last + 1] + shift if last + 1 < len(starts) else len(new) + 1
    header = "".join(new[:starts[0] - 1])
    # One line more than the edited records: the next record must start where it should,
    # which shows the edit left no quote open.
    try:
        rows, _ = _read_delimited(io.StringIO(header + "".join(new[begin - 1:end]),
                                              newline=""), display_path, dataset.layout, report)
    except SitegenError:  # its line would count from the excerpt: the whole read says it
        return None
    expected = last - first + 1 + (1 if last + 1 < len(starts) else 0)
    lines = [row.row - starts[0] + begin for row in rows]
    if len(rows) != expected or lines[0] != begin or \
            (last + 1 < len(starts) and lines[-1] != end):
        return None
    found = {first + n: RawRow(display_path, line, row.values)
             for n, (row, line) in enumerate(zip(rows[:last - first + 1], lines, strict=False))}
    _check_cells(list(found.values()), report)
    return RecordChanges(new, found, last + 1, shift)


def _common_prefix(a: list[str], b: list[str], limit: int) -> int:
    """How many leading items a and b share (at most `limit`), compared in C-sized blocks."""
    block = 1024
    start = 0
    while start < limit:
        stop = min(start + block, limit)
        if a[start:stop] != b[start:stop]:
            break
        start = stop
    while start < limit and a[start] == b[start]:
        start += 1
    return min(start, limit)
