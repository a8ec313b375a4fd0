"""Readers: turn a user's location file, in whatever format they keep it, into raw rows.

Every reader yields the same `RawRow` shape with the row number the user would look up in
their own tool (the CSV line, the sheet row, the record index), so that every later
diagnostic can point at the right place. Values are not interpreted here: CSV text stays
text (postal codes keep their leading zeros) and typed formats keep their own types.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import operator
import re
import sqlite3
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from difflib import get_close_matches
from pathlib import Path
from time import thread_time
from typing import Any, TextIO
from urllib.parse import quote

import yaml

from sitegen.config.schema import LocationsSection
from sitegen.config.yamlbudget import FastSafeLoader, YamlBudgetError
from sitegen.data.feedcsv import PHONE_COLUMNS, is_feed, restored, restored_phone
from sitegen.diagnostics import Diagnostic, Report, SitegenError

FORMATS: dict[str, str] = {
    ".csv": "csv",
    ".tsv": "tsv",
    ".json": "json",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".yaml": "yaml",
    ".yml": "yaml",
    ".geojson": "geojson",
    ".xlsx": "xlsx",
    ".sqlite": "sqlite",
    ".sqlite3": "sqlite",
    ".db": "sqlite",
}
SUPPORTED = ", ".join(FORMATS)

XLSX_MAX_UNCOMPRESSED = 200 * 1024 * 1024
XLSX_MAX_RATIO = 100
MAX_CELL_CHARS = 100_000  # one cell; a longer text belongs in content/locations/<id>.md
MAX_LINE_CHARS = 4_000_000  # one line of a CSV or TSV file: 20 cells of 100,000 "" quotes
_BOM = "\ufeff"


@dataclass
class RawRow:
    """One source record before mapping, addressed the way the user would find it."""

    source: str
    row: int
    values: dict[str, object]


@dataclass(frozen=True)
class DatasetFile:
    """A location file and how to read it (the `locations.*` settings, the file resolved)."""

    path: Path
    display_path: str  # its name in messages
    fmt: str | None = None  # by the file's extension when None
    encoding: str = "utf-8"
    table: str | None = None
    query: str | None = None
    sheet: str | None = None
    max_rows: int | None = None
    delimiter: str | None = None  # a CSV file's delimiter when it is not a comma

    @property
    def layout(self) -> Delimited:
        """How a CSV or TSV file of this dataset splits its cells."""
        return Delimited(_format(self.path, self.display_path, self.fmt), self.delimiter)

    @classmethod
    def of(cls, settings: LocationsSection, resolved: tuple[Path, str | None, str],
           *, limit: bool = True) -> DatasetFile:
        """The file `resolved` (data/remote.resolve_source) read with `settings`;
        `limit`: refuse more than locations.max_rows."""
        path, fmt, display = resolved
        return cls(path, display, fmt, settings.encoding, settings.table, settings.query,
                   settings.sheet, settings.max_rows if limit else None, settings.delimiter)


@dataclass(frozen=True)
class Delimited:
    """A delimited text's format ("csv" or "tsv") and, for CSV, a delimiter other than the
    comma (`locations.delimiter`: `;` and `|` are common in European and register exports)."""

    kind: str
    delimiter: str | None = None

    def dialect(self) -> type[csv.Dialect]:
        if self.kind == "tsv":
            return csv.excel_tab
        if not self.delimiter or self.delimiter == ",":
            return csv.excel
        return type("_Custom", (csv.excel,), {"delimiter": self.delimiter})


def read_rows(dataset: DatasetFile, report: Report, lines: list[str] | None = None
              ) -> list[RawRow]:
    """Read every record of a location file; fatal problems raise, per-row ones go to `report`.

    More than `max_rows` records (locations.max_rows) is refused as soon as it is known, before
    any row is validated; a cell longer than MAX_CELL_CHARS is a row error (and is dropped).
    A CSV or TSV file's lines (as `read_lines` splits them) are appended to `lines` when it is
    given: `sitegen serve` keeps them to re-read only the records an edit changes."""
    path, display_path, encoding = dataset.path, dataset.display_path, dataset.encoding
    max_rows = dataset.max_rows
    kind = _format(path, display_path, dataset.fmt)
    if kind == "xlsx":
        rows, records = _read_xlsx(path, display_path, dataset.sheet, report, max_rows)
    elif kind == "sqlite":
        rows, records = _read_sqlite(path, display_path, dataset.table, dataset.query, max_rows)
    else:
        streamed = _stream_delimited(dataset, kind, report) \
            if kind in ("csv", "tsv") and lines is None else None
        text = "" if streamed else _read_text(path, display_path, encoding)
        if not streamed and not text.strip():
            raise _no_rows(display_path)
        if max_rows is not None and kind == "jsonl":
            _precount(text, display_path, max_rows)
        if streamed:
            rows, records = streamed
        elif kind in ("csv", "tsv"):
            rows, records = _read_delimited(io.StringIO(text, newline=""), display_path,
                                            dataset.layout, report, max_rows)
            if lines is not None:
                lines.extend(split_lines(text))
        elif kind == "jsonl":
            rows, records = _read_jsonl(text, display_path, report)
        else:
            data = _load_json(text, display_path) if kind == "json" else load_yaml(
                text, display_path)
            if kind == "geojson" or _is_feature_collection(data):
                rows, records = _read_geojson(data, display_path, report)
            else:
                rows, records = _objects(_records(data, display_path), display_path, report)
    if not records:
        raise _no_rows(display_path)
    if max_rows is not None and records > max_rows:
        raise _too_many(display_path, max_rows)
    _check_cells(rows, report)
    return rows


def read_lines(path: Path, *, display_path: str, fmt: str | None, encoding: str
               ) -> list[str] | None:
    """The lines of a CSV or TSV location file, as its reader splits them; None for other
    formats."""
    if _format(path, display_path, fmt) not in ("csv", "tsv"):
        return None
    return split_lines(_read_text(path, display_path, encoding))


def split_lines(text: str) -> list[str]:
    """`io.StringIO(text, newline="").readlines()`: the lines the csv module reads (ending at
    \\n, \\r\\n or \\r, endings kept); for the usual file, whose every \\r starts a \\r\\n,
    by splitting at \\n alone, which gives the same lines at a fraction of the cost."""
    if "\r" in text and text.count("\r") != text.count("\r\n"):
        return io.StringIO(text, newline="").readlines()
    lines = text.split("\n")
    last = lines.pop()
    lines = [line + "\n" for line in lines]
    if last:
        lines.append(last)
    return lines


def _too_many(display: str, max_rows: int) -> SitegenError:
    return SitegenError(Diagnostic(
        display, None, None, f"more than {max_rows:,} rows (locations.max_rows)",
        "raise locations.max_rows if the dataset really is this large, or split it"))


def _precount(text: str, display: str, max_rows: int) -> None:
    """Fail fast on a JSON Lines file: count records (cheaply, without building rows) only
    when the file has more lines than the limit allows."""
    if text.count("\n") <= max_rows:
        return
    if sum(1 for line in text.splitlines() if line.strip()) > max_rows:
        raise _too_many(display, max_rows)


def _limited(items: Iterable[Any], limit: int | None, display: str) -> Iterator[Any]:
    """Stop a streaming reader as soon as it passes the row limit."""
    for count, item in enumerate(items, start=1):
        if limit is not None and count > limit:
            raise _too_many(display, limit)
        yield item


def _check_cells(rows: list[RawRow], report: Report) -> None:
    """A 50 MB description is a mistake (or an attack), not a location: refuse the cell."""
    for raw in rows:
        for column, value in raw.values.items():
            if isinstance(value, str) and len(value) > MAX_CELL_CHARS:
                report.error(raw.source, raw.row, column,
                             f"value is {len(value):,} characters long; the limit is "
                             f"{MAX_CELL_CHARS:,} per cell",
                             "shorten it; long texts belong in content/locations/<id>.md")
                raw.values[column] = ""


def _no_rows(display: str) -> SitegenError:
    return SitegenError(Diagnostic(
        display, None, None, "no rows: the file has no location records",
        "a site needs at least one location; check locations.source"))


def _format(path: Path, display: str, fmt: str | None) -> str:
    if fmt is not None:
        kind = FORMATS.get("." + fmt.lower().lstrip("."))
        if kind is None:
            raise SitegenError(Diagnostic(
                display, None, "locations.format", f"unknown format '{fmt}'",
                f"supported: {SUPPORTED}"))
        return kind
    kind = FORMATS.get(path.suffix.lower())
    if kind is None:
        raise SitegenError(Diagnostic(
            display, None, None, f"unsupported file type '{path.suffix or path.name}'",
            f"supported: {SUPPORTED}; or set locations.format"))
    return kind


def _check_readable(path: Path, display: str) -> None:
    """Fail with the OS reason before a library turns a missing file into something vaguer."""
    try:
        with path.open("rb"):
            pass
    except OSError as exc:
        raise _unreadable(display, exc) from None


def _unreadable(display: str, exc: OSError) -> SitegenError:
    return SitegenError(Diagnostic(
        display, None, None, f"cannot read file: {exc.strerror or exc}", "check locations.source"))


def _read_text(path: Path, display: str, encoding: str) -> str:
    try:
        codec = codecs.lookup(encoding).name
    except LookupError:
        raise SitegenError(Diagnostic(
            display, None, "locations.encoding", f"unknown encoding '{encoding}'",
            "use a Python codec name such as utf-8, cp1252, latin-1 or utf-16")) from None
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise _unreadable(display, exc) from None
    if codec == "utf-8" and raw.startswith(codecs.BOM_UTF8):
        raw = raw[len(codecs.BOM_UTF8):]
    try:
        return raw.decode(codec)
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].decode(codec, errors="replace").count("\n") + 1
        bad = " ".join(f"0x{b:02x}" for b in raw[exc.start:exc.end])
        raise SitegenError(Diagnostic(
            display, line, None, f"cannot decode byte {bad} as {encoding}",
            "set locations.encoding, e.g. cp1252")) from None


def _clean_name(name: object) -> str:
    return ("" if name is None else str(name)).strip().lstrip(_BOM).strip()


def _header(names: Iterable[object], display: str, line: int | None) -> list[str]:
    """Clean the header; duplicates are fatal because one column would silently hide the other."""
    header = [_clean_name(n) for n in names]
    seen: dict[str, int] = {}
    for number, name in enumerate(header, start=1):
        if not name:
            continue
        if name in seen:
            raise SitegenError(Diagnostic(
                display, line, None,
                f"duplicate column '{name}' (columns {seen[name]} and {number})",
                "rename one of them so each column has its own name"))
        seen[name] = number
    return header


def _unnamed_data(header: list[str], cells: Sequence[object], where: tuple[str, int],
                  reported: set[int], report: Report) -> None:
    """Values under a blank header cell would be lost silently, so name the first one once
    (`where`: the file and line of the cells)."""
    display, line = where
    for number, (name, value) in enumerate(zip(header, cells, strict=False), start=1):
        if not name and _has_value(value) and number not in reported:
            reported.add(number)
            report.error(display, line, None,
                         f"column {number} has values but no name in the header",
                         "name the column in the header row, or delete its values")


def _has_value(value: object) -> bool:
    return value is not None and (not isinstance(value, str) or bool(value.strip()))


class _TooLong(SitegenError):
    """A cell or a line over its limit, found while streaming: reading stops there."""


def _stream_delimited(dataset: DatasetFile, kind: str, report: Report
                      ) -> tuple[list[RawRow], int] | None:
    """The rows of a CSV or TSV file read as it is decoded, without its whole text (the
    bytes, the text and the StringIO copy the csv module reads would each be held). None
    when the file is not plain to read (an unknown encoding, bytes that do not decode, no
    records, a CSV error): the whole-text path then gives its diagnostics, in its order. A
    cell or line over its limit is the diagnostic: the whole text is never held for it."""
    path, display = dataset.path, dataset.display_path
    try:
        codec = codecs.lookup(dataset.encoding).name
        found = Report()
        with path.open(encoding="utf-8-sig" if codec == "utf-8" else codec,
                       newline="") as handle:
            rows, records = _read_delimited(handle, display, Delimited(kind, dataset.delimiter),
                                            found, dataset.max_rows)
    except _TooLong:
        raise
    except (LookupError, OSError, UnicodeDecodeError, SitegenError):
        return None
    if not records:
        return None
    report.extend(found.items)
    return rows, records


def _bounded_lines(source: TextIO, display: str) -> Iterator[str]:
    """A delimited text's lines for the csv module, read at most MAX_LINE_CHARS at a time:
    the csv module takes a whole line before it parses a cell of it. A longer line is an
    error once the csv module has parsed its first piece (a cell too long in it is the
    better diagnostic) and asks for more, or for the next record."""
    readline = source.readline
    number = 0
    while piece := readline(MAX_LINE_CHARS):
        number += 1
        yield piece
        if len(piece) == MAX_LINE_CHARS and piece[-1] not in "\r\n":
            raise _TooLong(Diagnostic(
                display, number, None, f"line is longer than {MAX_LINE_CHARS:,} characters",
                f"a cell holds at most {MAX_CELL_CHARS:,} characters; long texts belong in "
                "content/locations/<id>.md"))


def _read_delimited(source: TextIO, display: str, layout: Delimited, report: Report,
                    max_rows: int | None = None) -> tuple[list[RawRow], int]:
    """The rows of a CSV or TSV text (a file opened with newline=""); more than
    `max_rows` records stop the reading there (a pre-count would parse a file with
    multi-line cells twice). A cell longer than MAX_CELL_CHARS stops it too, as soon as the
    csv module has read that many characters of it. The cells of a sitegen CSV feed are
    read as the feed's values (data/feedcsv.py)."""
    kind, dialect = layout.kind, layout.dialect()
    csv.field_size_limit(MAX_CELL_CHARS)
    reader = csv.reader(_bounded_lines(source, display), dialect)
    header: list[str] = []
    start = 1
    try:
        first = next(reader, None)
        if first is None:
            return [], 0
        header = _header(first, display, 1)
        restore = _feed_restorer(header) if kind == "csv" else None
        rows: list[RawRow] = []
        reported: set[int] = set()
        start = reader.line_num + 1
        for cells in reader:
            line, start = start, reader.line_num + 1
            if not any(c.strip() for c in cells):
                continue
            if restore:
                cells = restore(cells)
            extra = [c for c in cells[len(header):] if c.strip()]
            if extra:
                report.error(display, line, None,
                             f"row has {len(cells) - len(header)} more cell(s) than the header "
                             f"({len(cells)} cells, {len(header)} columns)",
                             "quote values that contain the delimiter, or add the missing "
                             "column names to the header")
            _unnamed_data(header, cells, (display, line), reported, report)
            values: dict[str, object] = {n: c for n, c in zip(header, cells, strict=False) if n}
            rows.append(RawRow(display, line, values))
            if max_rows is not None and len(rows) > max_rows:
                raise _too_many(display, max_rows)
    except csv.Error as exc:
        if "field larger than field limit" in str(exc):
            raise _cell_too_long(display, start, header, source, dialect) from None
        raise SitegenError(Diagnostic(
            display, reader.line_num, None, f"cannot parse {kind.upper()}: {exc}")) from None
    return rows, len(rows)


def _feed_restorer(header: list[str]) -> Callable[[list[str]], list[str]] | None:
    """For a sitegen CSV feed: a function giving a row's values as the feed had them."""
    if not is_feed(header):
        return None
    undo = [restored_phone if name in PHONE_COLUMNS else restored for name in header]

    def restore(cells: list[str]) -> list[str]:
        return [f(c) for f, c in zip(undo, cells, strict=False)] + cells[len(undo):]
    return restore


def _cell_too_long(display: str, line: int, header: list[str], source: TextIO,
                   dialect: type[csv.Dialect]) -> _TooLong:
    """The diagnostic for a cell over MAX_CELL_CHARS in the record starting at `line`,
    naming its column: the record's first MAX_LINE_CHARS characters are read again and
    parsed without the limit."""
    column = None
    if source.seekable():
        source.seek(0)
        for _ in range(line - 1):
            source.readline(MAX_LINE_CHARS)
        text = source.read(MAX_LINE_CHARS)
        csv.field_size_limit(MAX_LINE_CHARS + 1)
        try:
            cells = next(csv.reader(io.StringIO(text, newline=""), dialect), [])
        finally:
            csv.field_size_limit(MAX_CELL_CHARS)
        long = next((n for n, c in enumerate(cells) if len(c) > MAX_CELL_CHARS), None)
        if long is not None:
            column = header[long] if long < len(header) and header[long] else \
                f"column {long + 1}"
    return _TooLong(Diagnostic(
        display, line, column,
        f"value is longer than {MAX_CELL_CHARS:,} characters, the limit per cell",
        "shorten it; long texts belong in content/locations/<id>.md"))


def _load_json(text: str, display: str) -> object:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise SitegenError(Diagnostic(
            display, exc.lineno, None, f"invalid JSON: {exc.msg}", column=exc.colno)) from None
    except RecursionError:
        raise _too_deep(display) from None


def _too_deep(display: str) -> SitegenError:
    return SitegenError(Diagnostic(display, None, None, "nested too deeply",
                                   "a location file is a list of flat records"))


def _read_jsonl(text: str, display: str, report: Report) -> tuple[list[RawRow], int]:
    """Line-delimited JSON: the physical line is the record's address, so rows use it."""
    items: list[tuple[int, object]] = []
    problems: list[Diagnostic] = []
    for line, chunk in enumerate(text.splitlines(), start=1):
        if not chunk.strip():
            continue
        try:
            items.append((line, json.loads(chunk)))
        except RecursionError:
            raise _too_deep(display) from None
        except json.JSONDecodeError as exc:
            problems.append(Diagnostic(
                display, line, None, f"invalid JSON: {exc.msg}", column=exc.colno))
    if problems:
        raise SitegenError(problems)
    return _objects(items, display, report)


class _YamlLoader(FastSafeLoader):
    """YAML 1.2 core scalars: `02134` stays text, `09:00` is not 540 and `NO` is not False."""


_YAML_REPLACED = {f"tag:yaml.org,2002:{t}" for t in ("bool", "int", "float", "timestamp")}
_YamlLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag not in _YAML_REPLACED]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_YamlLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))
_YamlLoader.add_implicit_resolver(
    "tag:yaml.org,2002:int", re.compile(r"^[-+]?(?:0|[1-9][0-9]*)$"), list("-+0123456789"))
_YamlLoader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^(?:[-+]?(?:[0-9]+\.[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?"
               r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"),
    list("-+0123456789."))


def load_yaml(text: str, display: str) -> object:
    """A YAML location file's data (safe: builds no Python objects; aliases on a budget)."""
    loader = _YamlLoader(text)
    try:
        return loader.get_single_data()
    except YamlBudgetError as exc:
        raise SitegenError(Diagnostic(display, exc.line + 1, None, exc.message,
                                      exc.hint)) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise SitegenError(Diagnostic(
            display, mark.line + 1 if mark else None, None,
            f"invalid YAML: {exc.problem or exc.context}",
            column=mark.column + 1 if mark else None)) from None
    except yaml.YAMLError as exc:
        raise SitegenError(Diagnostic(display, None, None, f"invalid YAML: {exc}")) from None
    except RecursionError:
        raise _too_deep(display) from None
    finally:
        loader.dispose()


def _is_feature_collection(data: object) -> bool:
    return isinstance(data, dict) and data.get("type") == "FeatureCollection"


def _records(data: object, display: str) -> list[tuple[int, object]]:
    """Accept a list of records, or an object wrapping exactly one list (`{"locations": [...]}`)."""
    if data is None:
        return []
    if isinstance(data, dict):
        lists = [k for k, v in data.items() if isinstance(v, list)]
        if len(lists) > 1:
            lists = [k for k in lists if all(isinstance(i, dict) for i in data[k])]
        if len(lists) != 1:
            found = ", ".join(f"'{k}'" for k in lists) if lists else "none"
            raise SitegenError(Diagnostic(
                display, None, None,
                f"expected a list of records, or an object with one list of records "
                f"(lists found: {found})",
                'write `[{"name": ...}, ...]` or `{"locations": [{"name": ...}, ...]}`'))
        data = data[lists[0]]
    if not isinstance(data, list):
        raise SitegenError(Diagnostic(
            display, None, None, f"expected a list of records, found {_kind(data)}",
            'write `[{"name": ...}, ...]`'))
    return list(enumerate(data, start=1))


def _kind(value: object) -> str:
    names = {dict: "an object", list: "a list", str: "a string", bool: "a boolean",
             int: "a number", float: "a number", type(None): "null"}
    return names.get(type(value), type(value).__name__)


def _objects(items: list[tuple[int, object]], display: str,
             report: Report) -> tuple[list[RawRow], int]:
    rows = []
    for row, item in items:
        if isinstance(item, dict):
            rows.append(RawRow(display, row, _object_values(item, display, row, report)))
        else:
            report.error(display, row, None, f"record {row} is {_kind(item)}, not an object",
                         "each record must be an object of column: value pairs")
    return rows, len(items)


def _object_values(item: dict, display: str, row: int, report: Report) -> dict[str, object]:
    values: dict[str, object] = {}
    for key, value in item.items():
        name = _clean_name(key)
        if name in values:
            report.error(display, row, None, f"key '{name}' appears twice in this record",
                         "keys differ only by surrounding spaces; remove one")
        values[name] = value
    return values


def _read_geojson(data: object, display: str, report: Report) -> tuple[list[RawRow], int]:
    if not (isinstance(data, dict) and _is_feature_collection(data)
            and isinstance(data.get("features"), list)):
        raise SitegenError(Diagnostic(
            display, None, None, "not a GeoJSON FeatureCollection with a 'features' list",
            'expected {"type": "FeatureCollection", "features": [...]}'))
    features = data["features"]
    rows = []
    for index, feature in enumerate(features, start=1):
        if not isinstance(feature, dict):
            report.error(display, index, None, f"feature {index} is {_kind(feature)}",
                         "each feature must be a GeoJSON Feature object")
            continue
        properties = feature.get("properties") or {}
        if not isinstance(properties, dict):
            report.error(display, index, None, "feature properties are not an object")
            properties = {}
        values = _object_values(properties, display, index, report)
        _add_point(feature.get("geometry"), values, display, index, report)
        rows.append(RawRow(display, index, values))
    return rows, len(features)


def _add_point(geometry: object, values: dict[str, object], display: str, index: int,
               report: Report) -> None:
    """GeoJSON stores [lng, lat]; swapping them is the classic mistake, so do it in one place."""
    if not isinstance(geometry, dict) or geometry.get("type") != "Point":
        kind = geometry.get("type") if isinstance(geometry, dict) else None
        found = f"a {kind} geometry" if kind else "no geometry"
        report.error(display, index, "geometry", f"feature has {found}",
                     "each location needs a Point geometry")
        return
    coords = geometry.get("coordinates")
    if not (isinstance(coords, list) and len(coords) >= 2
            and all(isinstance(c, int | float) and not isinstance(c, bool) for c in coords[:2])):
        report.error(display, index, "geometry", f"Point coordinates {coords!r} are not [lng, lat]",
                     "GeoJSON coordinates are [longitude, latitude] numbers")
        return
    values.setdefault("lat", float(coords[1]))
    values.setdefault("lng", float(coords[0]))


def _check_zip(path: Path, display: str) -> None:
    """Refuse zip bombs before openpyxl inflates them; declared sizes bound what zipfile reads."""
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
    except zipfile.BadZipFile:
        raise SitegenError(Diagnostic(
            display, None, None, "not a valid .xlsx file (not a zip archive)",
            "save it again as an Excel workbook (.xlsx)")) from None
    except OSError as exc:
        raise _unreadable(display, exc) from None
    total = sum(i.file_size for i in infos)
    packed = sum(i.compress_size for i in infos)
    if total > XLSX_MAX_UNCOMPRESSED:
        raise SitegenError(Diagnostic(
            display, None, None,
            f"refusing to open: it unpacks to {total // (1024 * 1024)} MB "
            f"(limit {XLSX_MAX_UNCOMPRESSED // (1024 * 1024)} MB)",
            "split the workbook or export the sheet as CSV"))
    if total > XLSX_MAX_RATIO * max(packed, 1):
        raise SitegenError(Diagnostic(
            display, None, None,
            f"refusing to open: compression ratio {total // max(packed, 1)}:1 "
            f"exceeds {XLSX_MAX_RATIO}:1 (possible zip bomb)",
            "export the sheet as CSV"))


def _read_xlsx(path: Path, display: str, sheet: str | None,
               report: Report, max_rows: int | None = None) -> tuple[list[RawRow], int]:
    from openpyxl import load_workbook  # lazily: slow to import, and most sites use CSV

    _check_zip(path, display)
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for damaged files; all mean "corrupt"
        raise SitegenError(Diagnostic(
            display, None, None, f"cannot open workbook: {exc}",
            "save it again as an Excel workbook (.xlsx)")) from None
    try:
        if sheet is None:
            worksheet = workbook.worksheets[0]
        elif sheet in workbook.sheetnames:
            worksheet = workbook[sheet]
        else:
            close = get_close_matches(sheet, workbook.sheetnames, n=1)
            raise SitegenError(Diagnostic(
                display, None, "locations.sheet", f"no sheet named '{sheet}'",
                f"did you mean '{close[0]}'?" if close
                else "sheets: " + ", ".join(workbook.sheetnames)))
        # The stored dimension can be stale and would silently cut columns off.
        worksheet.reset_dimensions()
        limit = None if max_rows is None else max_rows + 1  # the header row
        return _sheet_rows(_limited(worksheet.iter_rows(values_only=True), limit, display),
                           display, report)
    finally:
        workbook.close()


def _sheet_rows(cells_by_row: Iterable[tuple[object, ...]], display: str,
                report: Report) -> tuple[list[RawRow], int]:
    header: list[str] | None = None
    rows: list[RawRow] = []
    reported: set[int] = set()
    for number, raw in enumerate(cells_by_row, start=1):
        cells = [_cell(c) for c in raw]
        if not any(_has_value(c) for c in cells):
            continue
        if header is None:
            header = _header(cells, display, number)
            continue
        _unnamed_data(header + [""] * len(cells), cells, (display, number), reported, report)
        rows.append(RawRow(display, number, {
            n: c for n, c in zip(header, cells, strict=False) if n and c is not None}))
    return rows, len(rows)


def _cell(value: object) -> object:
    """Spreadsheet numbers are floats and dates are datetimes; give templates what users typed."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    return value


# SQLite sources are read-only and on budgets, so that a hostile file (a view with an endless
# recursive CTE, a CPU-burning expression, zeroblob(1e9)) ends in a diagnostic.
SQLITE_SECONDS = 1.0          # SQLite's CPU time before its first row ...
SQLITE_ROW_SECONDS = 20e-6    # ... and for each row: ten times what a plain table needs
SQLITE_MAX_VALUE = 1_000_000  # bytes of one value (above MAX_CELL_CHARS: those are row errors)
SQLITE_MIN_BYTES = 64 * 1024 * 1024  # values in all: twice the file's size, at least this
_SQLITE_BATCH = 1000
_SQLITE_STEPS = 10_000  # virtual machine instructions between two looks at the clock
# What reading may do, and nothing else: no ATTACH, PRAGMA, write or schema change.
_SQLITE_ALLOWED = frozenset({sqlite3.SQLITE_SELECT, sqlite3.SQLITE_READ,
                             sqlite3.SQLITE_FUNCTION, sqlite3.SQLITE_RECURSIVE})


def _authorize(action: int, *_: object) -> int:
    return sqlite3.SQLITE_OK if action in _SQLITE_ALLOWED else sqlite3.SQLITE_DENY


@dataclass
class _SqliteClock:
    """The progress handler: SQLite may work SQLITE_SECONDS, and SQLITE_ROW_SECONDS more for
    every row it has given. CPU time of this thread, so that a busy machine does not fail a
    good read; the time Python spends building rows is not counted (`paused`)."""

    start: float = field(default_factory=thread_time)
    paused: float = 0.0
    rows: int = 0
    over: bool = False

    def check(self) -> int:
        allowed = SQLITE_SECONDS + SQLITE_ROW_SECONDS * self.rows
        if thread_time() - self.start - self.paused > allowed:
            self.over = True
            return 1  # non-zero: SQLite stops with "interrupted"
        return 0


def _open_sqlite(path: Path, display: str) -> sqlite3.Connection:
    """A read-only connection that may only read, with no value over SQLITE_MAX_VALUE."""
    _check_readable(path, display)
    uri = f"file:{quote(str(path.resolve()))}?mode=ro"
    try:
        connection = sqlite3.connect(uri, uri=True)
        connection.execute("PRAGMA query_only = ON")
    except sqlite3.Error as exc:
        raise SitegenError(Diagnostic(
            display, None, None, f"cannot open database: {exc}")) from None
    connection.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, SQLITE_MAX_VALUE)
    connection.set_authorizer(_authorize)
    return connection


@dataclass(frozen=True)
class _SqliteSource:
    """What a SQLite read reads, and the words its diagnostics use for it."""

    display: str
    sql: str
    setting: str  # locations.table or locations.query
    what: str   # "table 'x'" or "the query"
    max_bytes: int


def _read_sqlite(path: Path, display: str, table: str | None,
                 query: str | None, max_rows: int | None = None) -> tuple[list[RawRow], int]:
    if table and query:
        raise SitegenError(Diagnostic(
            display, None, "locations.query", "both locations.table and locations.query are set",
            "keep one of them"))
    if not table and not query:
        raise SitegenError(Diagnostic(
            display, None, "locations.table", "a SQLite source needs a table or a query",
            "set locations.table or locations.query"))
    connection = _open_sqlite(path, display)
    source = _SqliteSource(
        display, 'SELECT * FROM "{}"'.format(table.replace('"', '""')) if table else str(query),
        "locations.table" if table else "locations.query",
        f"table '{table}'" if table else "the query",
        max(SQLITE_MIN_BYTES, 2 * path.stat().st_size))
    clock = _SqliteClock()
    connection.set_progress_handler(clock.check, _SQLITE_STEPS)
    try:
        rows = _sqlite_rows(connection, source, clock, max_rows)
    except sqlite3.Error as exc:
        raise _sqlite_error(exc, connection, source, clock.over, table) from None
    finally:
        connection.close()
    return rows, len(rows)


def _sqlite_rows(connection: sqlite3.Connection, source: _SqliteSource, clock: _SqliteClock,
                 max_rows: int | None) -> list[RawRow]:
    """The rows of a SQLite read, on the budgets (see _SqliteRows)."""
    cursor = connection.execute(source.sql)  # runs SQLite to the first row: on the clock
    if max_rows is not None:
        _count_rows(connection, source, clock, max_rows)
    reader = _SqliteRows(source, clock, _header([d[0] for d in cursor.description or ()],
                                                source.display, None), max_rows)
    for row in cursor:
        reader.add(row)
    reader.flush()
    return reader.rows


def _count_rows(connection: sqlite3.Connection, source: _SqliteSource, clock: _SqliteClock,
                max_rows: int) -> None:
    """More than `max_rows` rows fail before Python holds any: SQLite counts them (an endless
    recursive CTE view ends here, in a fraction of a second). A statement that cannot be
    wrapped in a subquery skips this: the reading counts its rows too."""
    wrapped = (f"SELECT count(*) FROM (SELECT 1 FROM (\n{source.sql.strip().rstrip(';')}\n) "
               f"LIMIT {max_rows + 1})")
    try:
        (count,) = connection.execute(wrapped).fetchone()
    except sqlite3.OperationalError:
        if clock.over:
            raise
        return
    if count > max_rows:
        raise _too_many(source.display, max_rows)


@dataclass
class _SqliteRows:
    """Rows as SQLite gives them, checked one by one against the size budget (every value's
    length, in C: length_hint is a str's or bytes' length, 0 for a number), built into
    RawRows a batch at a time with the clock paused."""

    source: _SqliteSource
    clock: _SqliteClock
    header: list[str]
    max_rows: int | None
    size: int = 0
    pending: list[tuple[Any, ...]] = field(default_factory=list)
    rows: list[RawRow] = field(default_factory=list)

    def add(self, row: tuple[Any, ...]) -> None:
        self.size += sum(map(operator.length_hint, row))
        if self.size > self.source.max_bytes:
            raise SitegenError(Diagnostic(
                self.source.display, None, self.source.setting,
                f"{self.source.what} gives more than {self.source.max_bytes:,} bytes of values "
                "(twice the file's size, at least 64 MB)",
                "a view or query that repeats values? store its rows in a table and read that"))
        self.pending.append(row)
        if len(self.pending) == _SQLITE_BATCH:
            self.flush()

    def flush(self) -> None:
        began = thread_time()
        if self.max_rows is not None and len(self.rows) + len(self.pending) > self.max_rows:
            raise _too_many(self.source.display, self.max_rows)
        display, header = self.source.display, self.header
        self.rows.extend(RawRow(display, n, dict(zip(header, r, strict=True)))
                         for n, r in enumerate(self.pending, start=len(self.rows) + 1))
        self.pending.clear()
        self.clock.rows = len(self.rows)
        self.clock.paused += thread_time() - began


def _sqlite_error(exc: sqlite3.Error, connection: sqlite3.Connection, source: _SqliteSource,
                  interrupted: bool, table: str | None) -> SitegenError:
    """The diagnostic for a SQLite error: a budget that stopped the read, or SQLite's own."""
    if interrupted:
        return SitegenError(Diagnostic(
            source.display, None, source.setting,
            f"SQLite took more than {SQLITE_SECONDS:g} s (and {SQLITE_ROW_SECONDS * 1000:g} ms "
            f"a row) to read {source.what}",
            "a view or query that never ends, or a slow one? store its rows in a table "
            "(CREATE TABLE ... AS SELECT ...) and read that"))
    if isinstance(exc, sqlite3.DataError) and "too big" in str(exc):
        return SitegenError(Diagnostic(
            source.display, None, source.setting,
            f"a value in {source.what} is larger than {SQLITE_MAX_VALUE:,} bytes",
            f"a cell holds at most {MAX_CELL_CHARS:,} characters; long texts belong in "
            "content/locations/<id>.md"))
    if "not authorized" in str(exc):
        return SitegenError(Diagnostic(
            source.display, None, source.setting, f"SQLite error: {exc}",
            "sitegen only reads the database: write one SELECT statement"))
    hint = _table_hint(connection, table) if table and "no such table" in str(exc) else None
    # OperationalError is about the SQL; anything else means the file itself is bad.
    where = source.setting if isinstance(exc, sqlite3.OperationalError) else None
    return SitegenError(Diagnostic(source.display, None, where, f"SQLite error: {exc}", hint))


def _table_hint(connection: sqlite3.Connection, table: str) -> str:
    names = [r[0] for r in connection.execute(
        "SELECT name FROM sqlite_master WHERE type IN ('table', 'view') ORDER BY name")]
    close = get_close_matches(table, names, n=1)
    if close:
        return f"did you mean '{close[0]}'?"
    return "tables: " + (", ".join(names) or "none")
