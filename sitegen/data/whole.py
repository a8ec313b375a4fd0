"""Does a downloaded dataset end where its own format says data ends?

A server that closes the connection early, having sent neither a Content-Length nor a
chunked transfer, hands over a shorter body that HTTP cannot tell from a whole one. Each
format's own end of data is checked instead:

    csv, tsv   the text does not end inside a quoted value, and a last row with fewer cells
               than the header ends with a line break (exporters write whole rows)
    json,      the document parses to its end: a cut one stops mid-value
    geojson
    jsonl      the last line, when no line break follows it, is a whole JSON value
    xlsx       the zip archive keeps its central directory, written at its very end
    sqlite     the file is as long as its header's page count says, in whole pages
    yaml       nothing: YAML has no end a cut would break; a cut YAML either does not parse
               (the reader's error) or is caught by the row-count check

Every format also fails when the text ends inside a multi-byte character. A CSV or JSON Lines
file cut exactly at a line break, or a CSV cut inside the last cell of a row, still looks
whole: the row-count check against the cached copy (remote.py) is the net for those.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
import zipfile
from collections.abc import Iterator

# A literal or number the text stops inside (json reports the error where it begins).
_LITERALS = ("true", "false", "null", "NaN", "Infinity", "-Infinity")
_PARTIAL_TOKEN = re.compile("|".join(
    [re.escape(word[:end]) for word in _LITERALS for end in range(1, len(word))]
    + [r"-?[0-9]*\.?[0-9]*(?:[eE][-+]?[0-9]*)?"]))
_SQLITE = b"SQLite format 3\x00"
_ZIP = b"PK\x03\x04"


def cut_reason(body: bytes, fmt: str, encoding: str) -> str | None:
    """Why `body` (of format `fmt`) looks cut off, or None when it ends as its format ends."""
    if fmt == "xlsx":
        if body.startswith(_ZIP) and not zipfile.is_zipfile(io.BytesIO(body)):
            return "truncated: the workbook ends before its zip directory"
        return None
    if fmt == "sqlite":
        return _sqlite_cut(body)
    try:
        text = _decode(body, encoding)
    except _EndsMidCharacter:
        return "truncated: the file ends inside a character"
    if text is None or fmt == "yaml":
        return None
    if fmt in ("csv", "tsv"):
        return _delimited_cut(text, csv.excel_tab if fmt == "tsv" else csv.excel)
    return _jsonl_cut(text) if fmt == "jsonl" else _json_cut(text)


class _EndsMidCharacter(Exception):
    pass


def _decode(body: bytes, encoding: str) -> str | None:
    """The text as the reader decodes it; None when it does not decode (the reader says
    where); _EndsMidCharacter when only its last bytes fail, being half a character."""
    try:
        codec = codecs.lookup(encoding).name
    except LookupError:
        return None
    if codec == "utf-8" and body.startswith(codecs.BOM_UTF8):
        body = body[len(codecs.BOM_UTF8):]
    try:
        return body.decode(codec)
    except UnicodeDecodeError as exc:
        if exc.end == len(body) and "end of data" in exc.reason:
            raise _EndsMidCharacter from None
        return None


def _delimited_cut(text: str, dialect: type[csv.Dialect]) -> str | None:
    csv.field_size_limit(max(csv.field_size_limit(), 1 << 30))  # as the reader does
    consumed: list[str] = []  # the lines of the record being read (the reader reads no further)

    def lines() -> Iterator[str]:
        for line in io.StringIO(text, newline=""):
            consumed.append(line)
            yield line

    reader = csv.reader(lines(), dialect)
    last: list[str] | None = None
    last_lines: list[str] = []
    try:
        header = next(reader, None)
        consumed.clear()
        for cells in reader:  # the last record, blank or not: a cut can leave a blank one
            last, last_lines = cells, consumed.copy()
            consumed.clear()
    except csv.Error:
        return None  # not a CSV the reader accepts either: it reports where
    if header is None or last is None:
        return None
    first_line = reader.line_num - len(last_lines) + 1
    try:
        for _ in csv.reader(last_lines, dialect, strict=True):
            pass
    except csv.Error as exc:
        if "unexpected end of data" in str(exc):
            return (f"truncated: the file ends inside the quoted value of the row that begins "
                    f"on line {first_line}")
    if len(last) < len(header) and not text.endswith(("\n", "\r")):
        return (f"truncated: the last row (line {first_line}) has {len(last)} of "
                f"{len(header)} cells and no line break")
    return None


def _json_cut(text: str) -> str | None:
    try:
        json.loads(text)
    except json.JSONDecodeError as exc:
        end = len(text.rstrip())
        in_string = exc.msg.startswith("Unterminated string") or (
            exc.msg.startswith("Invalid \\u") and end - exc.pos < 6)
        if exc.pos >= end or in_string or _PARTIAL_TOKEN.fullmatch(text, exc.pos, end):
            line = text.count("\n", 0, end) + 1
            column = end - (text.rfind("\n", 0, end) + 1)
            return (f"truncated: the JSON stops at line {line}, column {column}, before it is "
                    "complete")
    except RecursionError:
        return None
    return None


def _jsonl_cut(text: str) -> str | None:
    stripped = text.rstrip()
    if not stripped or text.endswith(("\n", "\r")):
        return None
    try:
        json.loads(stripped.rsplit("\n", 1)[-1])
    except json.JSONDecodeError:
        line = stripped.count("\n") + 1
        return f"truncated: the last line ({line}) stops mid-record, with no line break"
    except RecursionError:
        return None
    return None


def _sqlite_cut(body: bytes) -> str | None:
    """SQLite's header (https://sqlite.org/fileformat.html): page size at offset 16, page
    count at 28, valid when the change counter at 24 equals the one at 92."""
    if not body.startswith(_SQLITE):
        return None
    if len(body) < 100:
        return f"truncated: {len(body)} bytes, shorter than a SQLite header"
    size = int.from_bytes(body[16:18], "big")
    page = 65536 if size == 1 else size
    if page < 512 or page & (page - 1):
        return None  # not a database the reader can open either
    pages = int.from_bytes(body[28:32], "big")
    if pages and body[24:28] == body[92:96] and len(body) < pages * page:
        return (f"truncated: {len(body)} bytes where the database header declares "
                f"{pages * page}")
    if len(body) % page:
        return f"truncated: {len(body)} bytes is not a whole number of {page}-byte pages"
    return None
