"""Readers and mapping: every format, true row numbers, and the exact words of each error."""

from __future__ import annotations

import csv
import io
import json
import re
import sqlite3
import tempfile
import zipfile
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sitegen.data import CANONICAL_FIELDS, MappedRow, RawRow, map_rows, read_rows, readers
from sitegen.diagnostics import Report, SitegenError

GM = Path("/work/shared/datasets/gm-pharmacies")


def read(path: Path, report: Report | None = None, **options: object) -> list[RawRow]:
    return read_rows(path, display_path=f"locations/{path.name}",
                     report=report if report is not None else Report(), **options)


def fails(path: Path, **options: object) -> str:
    with pytest.raises(SitegenError) as caught:
        read(path, **options)
    return str(caught.value)


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def table(rows: list[RawRow]) -> list[tuple[int, dict[str, object]]]:
    return [(r.row, r.values) for r in rows]


def mapped(rows: list[RawRow], report: Report | None = None, *,
           fields: dict[str, str] | None = None, defaults: dict[str, object] | None = None,
           null_values: list[str] | None = None,
           private: list[str] | None = None) -> list[MappedRow]:
    return map_rows(rows, fields=fields or {}, defaults=defaults or {},
                    null_values=null_values or [], private=private or [],
                    report=report if report is not None else Report())


# --- CSV / TSV ---------------------------------------------------------------------------------

def test_csv_rows_keep_text_and_count_physical_lines(tmp_path: Path) -> None:
    path = write(tmp_path / "stores.csv",
                 'id , name,postal_code\n'
                 '1,"Main St\nShop",02134\n'
                 '\n'
                 ',,\n'
                 '2,  Corner  ,00501\n')
    rows = read(path)
    assert table(rows) == [
        (2, {"id": "1", "name": "Main St\nShop", "postal_code": "02134"}),
        (6, {"id": "2", "name": "  Corner  ", "postal_code": "00501"}),
    ]
    assert all(r.source == "locations/stores.csv" for r in rows)


def test_tsv(tmp_path: Path) -> None:
    path = write(tmp_path / "stores.tsv", "name\tcity\r\nA, Ltd\tBoston\r\nB\tSalem\r\n")
    assert table(read(path)) == [(2, {"name": "A, Ltd", "city": "Boston"}),
                                 (3, {"name": "B", "city": "Salem"})]


def test_short_rows_leave_keys_absent(tmp_path: Path) -> None:
    path = write(tmp_path / "s.csv", "a,b,c\n1\n")
    assert table(read(path)) == [(2, {"a": "1"})]


def test_extra_cells_are_reported_and_dropped(tmp_path: Path) -> None:
    path = write(tmp_path / "s.csv", "name,city\nA,Boston,MA,02134\nB,Salem,\n")
    report = Report()
    assert table(read(path, report)) == [(2, {"name": "A", "city": "Boston"}),
                                         (3, {"name": "B", "city": "Salem"})]
    assert [d.format() for d in report.items] == [
        "locations/s.csv:2: row has 2 more cell(s) than the header (4 cells, 2 columns) "
        "(quote values that contain the delimiter, or add the missing column names to the header)"
    ]


def test_duplicate_header_is_fatal(tmp_path: Path) -> None:
    path = write(tmp_path / "s.csv", "name,city, name\nA,B,C\n")
    assert fails(path) == ("locations/s.csv:1: duplicate column 'name' (columns 1 and 3) "
                           "(rename one of them so each column has its own name)")


def test_unnamed_column_with_values_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path / "s.csv", "name,,city,\nA,,B,\nC,x,D,\nE,y,F,\n")
    report = Report()
    assert table(read(path, report))[1] == (3, {"name": "C", "city": "D"})
    assert [d.format() for d in report.items] == [
        "locations/s.csv:3: column 2 has values but no name in the header "
        "(name the column in the header row, or delete its values)"
    ]


def test_utf8_bom_is_removed(tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    path.write_bytes(b"\xef\xbb\xbfname,city\nA,B\n")
    assert table(read(path)) == [(2, {"name": "A", "city": "B"})]


def test_cp1252(tmp_path: Path) -> None:
    path = write(tmp_path / "s.csv", "name,price\nCafé Olé,5\nMarché,€3\n", "cp1252")
    assert table(read(path, encoding="cp1252")) == [(2, {"name": "Café Olé", "price": "5"}),
                                                    (3, {"name": "Marché", "price": "€3"})]
    assert fails(path) == ("locations/s.csv:2: cannot decode byte 0xe9 as utf-8 "
                           "(set locations.encoding, e.g. cp1252)")


def test_decode_error_line_counts_multiline_cells(tmp_path: Path) -> None:
    path = write(tmp_path / "s.csv", 'name,note\nA,"one\ntwo"\nB,€\n', "cp1252")
    assert fails(path).startswith("locations/s.csv:4: cannot decode byte 0x80 as utf-8")


def test_unknown_encoding(tmp_path: Path) -> None:
    path = write(tmp_path / "s.csv", "name\nA\n")
    assert fails(path, encoding="klingon") == (
        "locations/s.csv: locations.encoding: unknown encoding 'klingon' "
        "(use a Python codec name such as utf-8, cp1252, latin-1 or utf-16)")


def test_utf16(tmp_path: Path) -> None:
    path = write(tmp_path / "s.csv", "name,city\nZoë,Zürich\n", "utf-16")
    assert table(read(path, encoding="utf-16")) == [(2, {"name": "Zoë", "city": "Zürich"})]


def test_missing_file(tmp_path: Path) -> None:
    assert fails(tmp_path / "x.csv") == (
        "locations/x.csv: cannot read file: No such file or directory (check locations.source)")


@pytest.mark.parametrize("text", ["", "  \n", "name,city\n", "name,city\n\n,\n"])
def test_no_rows(tmp_path: Path, text: str) -> None:
    assert fails(write(tmp_path / "s.csv", text)) == (
        "locations/s.csv: no rows: the file has no location records "
        "(a site needs at least one location; check locations.source)")


def test_unknown_suffix(tmp_path: Path) -> None:
    message = fails(write(tmp_path / "s.txt", "a\n1\n"))
    assert message.startswith("locations/s.txt: unsupported file type '.txt' (supported: .csv, ")
    assert message.endswith("; or set locations.format)")


def test_format_overrides_suffix(tmp_path: Path) -> None:
    path = write(tmp_path / "export.txt", "name\tcity\nA\tB\n")
    assert table(read(path, fmt="tsv")) == [(2, {"name": "A", "city": "B"})]


# --- JSON / YAML / GeoJSON --------------------------------------------------------------------

def test_json_list_and_wrapped(tmp_path: Path) -> None:
    records = [{"name": "A", "lat": 42.1, "tags": ["x"], "hours": {"monday": "9-5"}},
               {" name ": "B", "postal_code": "02134"}]
    plain = write(tmp_path / "a.json", json.dumps(records))
    wrapped = write(tmp_path / "b.json", json.dumps({"version": 2, "locations": records}))
    expected = [(1, records[0]), (2, {"name": "B", "postal_code": "02134"})]
    assert table(read(plain)) == expected
    assert table(read(wrapped)) == expected


def test_json_non_object_record(tmp_path: Path) -> None:
    report = Report()
    rows = read(write(tmp_path / "a.json", '[{"name": "A"}, "B"]'), report)
    assert table(rows) == [(1, {"name": "A"})]
    assert [d.format() for d in report.items] == [
        "locations/a.json:2: record 2 is a string, not an object "
        "(each record must be an object of column: value pairs)"]


def test_json_ambiguous_wrapper(tmp_path: Path) -> None:
    path = write(tmp_path / "a.json", '{"a": [{"x": 1}], "b": [{"y": 2}]}')
    assert fails(path).startswith(
        "locations/a.json: expected a list of records, or an object with one list of records "
        "(lists found: 'a', 'b')")


def test_malformed_json(tmp_path: Path) -> None:
    path = write(tmp_path / "a.json", '[\n  {"name": "A"},\n  {"name": "B",}\n]\n')
    assert fails(path) == (
        "locations/a.json:3:16: invalid JSON: Expecting property name enclosed in double quotes")


def test_jsonl(tmp_path: Path) -> None:
    path = write(tmp_path / "a.jsonl", '{"name": "A"}\n\n{"name": "B", "n": 3}\n')
    assert table(read(path)) == [(1, {"name": "A"}), (3, {"name": "B", "n": 3})]
    bad = write(tmp_path / "b.ndjson", '{"name": "A"}\n{"name": \n{oops}\n')
    assert fails(bad) == ("locations/b.ndjson:2:10: invalid JSON: Expecting value\n"
                          "locations/b.ndjson:3:2: invalid JSON: "
                          "Expecting property name enclosed in double quotes")


def test_yaml_keeps_text_that_yaml_11_would_mangle(tmp_path: Path) -> None:
    path = write(tmp_path / "a.yaml", (
        "locations:\n"
        "  - name: A\n"
        "    postal_code: 02134\n"
        "    country: NO\n"
        "    opens: 09:00\n"
        "    since: 2024-01-02\n"
        "    lat: 59.91\n"
        "    count: 12\n"
        "    open: true\n"
        "    note: ~\n"
        "  - name: B\n"))
    assert table(read(path)) == [
        (1, {"name": "A", "postal_code": "02134", "country": "NO", "opens": "09:00",
             "since": "2024-01-02", "lat": 59.91, "count": 12, "open": True, "note": None}),
        (2, {"name": "B"}),
    ]


def test_bad_yaml(tmp_path: Path) -> None:
    path = write(tmp_path / "a.yml", "- name: A\n  city: [Boston\n- name: B\n")
    assert fails(path) == (
        "locations/a.yml:3:7: invalid YAML: did not find expected ',' or ']'")


def test_geojson_point_is_lng_lat(tmp_path: Path) -> None:
    features = [
        {"type": "Feature", "properties": {"name": "A"},
         "geometry": {"type": "Point", "coordinates": [-2.24, 53.48]}},
        {"type": "Feature", "properties": {"name": "B", "lat": "53.0"},
         "geometry": {"type": "Point", "coordinates": [-2.0, 53.5, 40]}},
        {"type": "Feature", "properties": {"name": "C"},
         "geometry": {"type": "LineString", "coordinates": [[0, 0], [1, 1]]}},
        {"type": "Feature", "properties": None, "geometry": None},
    ]
    path = write(tmp_path / "s.geojson",
                 json.dumps({"type": "FeatureCollection", "features": features}))
    report = Report()
    assert table(read(path, report)) == [
        (1, {"name": "A", "lat": 53.48, "lng": -2.24}),
        (2, {"name": "B", "lat": "53.0", "lng": -2.0}),
        (3, {"name": "C"}),
        (4, {}),
    ]
    assert [d.format() for d in report.items] == [
        "locations/s.geojson:3: geometry: feature has a LineString geometry "
        "(each location needs a Point geometry)",
        "locations/s.geojson:4: geometry: feature has no geometry "
        "(each location needs a Point geometry)",
    ]


def test_feature_collection_in_json_file_is_geojson(tmp_path: Path) -> None:
    collection = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"name": "A"},
         "geometry": {"type": "Point", "coordinates": [1.5, 2.5]}}]}
    path = write(tmp_path / "s.json", json.dumps(collection))
    assert table(read(path)) == [(1, {"name": "A", "lat": 2.5, "lng": 1.5})]


# --- xlsx --------------------------------------------------------------------------------------

def test_xlsx(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    workbook.active.title = "Cover"
    workbook.active.append(["not the data"])
    sheet = workbook.create_sheet("Stores")
    sheet.append([" name", "postal_code", "opened", "rating", "lat"])
    sheet.append(["A", "02134", datetime(2020, 5, 1), 4.0, 42.5])
    sheet.append([])
    sheet.append([None, None])
    sheet.append(["B", "00501", date(2021, 1, 2), 3, None])
    sheet["G9"] = "stray"
    path = tmp_path / "s.xlsx"
    workbook.save(path)
    report = Report()
    rows = read(path, report, sheet="Stores")
    assert table(rows) == [
        (2, {"name": "A", "postal_code": "02134", "opened": "2020-05-01", "rating": 4,
             "lat": 42.5}),
        (5, {"name": "B", "postal_code": "00501", "opened": "2021-01-02", "rating": 3}),
        (9, {}),
    ]
    assert [d.format() for d in report.items] == [
        "locations/s.xlsx:9: column 7 has values but no name in the header "
        "(name the column in the header row, or delete its values)"]
    assert fails(path, sheet="Store").startswith(
        "locations/s.xlsx: locations.sheet: no sheet named 'Store' (did you mean 'Stores'?)")


def test_xlsx_first_sheet_header_only_has_no_rows(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    workbook.active.append(["name"])
    path = tmp_path / "s.xlsx"
    workbook.save(path)
    assert "no rows" in fails(path)


def test_xlsx_corrupt(tmp_path: Path) -> None:
    path = write(tmp_path / "s.xlsx", "name,city\nA,B\n")
    assert fails(path) == ("locations/s.xlsx: not a valid .xlsx file (not a zip archive) "
                           "(save it again as an Excel workbook (.xlsx))")
    broken = tmp_path / "t.xlsx"
    with zipfile.ZipFile(broken, "w") as archive:
        archive.writestr("hello.txt", "not a workbook")
    assert fails(broken).startswith("locations/t.xlsx: cannot open workbook: ")


def test_xlsx_zip_bomb_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * (20 * 1024 * 1024))
    message = fails(path)
    assert re.fullmatch(r"locations/bomb\.xlsx: refusing to open: compression ratio \d+:1 "
                        r"exceeds 100:1 \(possible zip bomb\) \(export the sheet as CSV\)",
                        message), message


def test_xlsx_size_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    workbook = openpyxl.Workbook()
    workbook.active.append(["name"])
    path = tmp_path / "s.xlsx"
    workbook.save(path)
    monkeypatch.setattr(readers, "XLSX_MAX_UNCOMPRESSED", 1000)
    assert "refusing to open: it unpacks to 0 MB (limit 0 MB)" in fails(path)


# --- sqlite ------------------------------------------------------------------------------------

@pytest.fixture
def database(tmp_path: Path) -> Path:
    path = tmp_path / "shops.sqlite"
    with sqlite3.connect(path) as connection:
        connection.execute('CREATE TABLE "my ""shops"" table" (name TEXT, zip TEXT, lat REAL, '
                           'n INTEGER)')
        connection.executemany('INSERT INTO "my ""shops"" table" VALUES (?, ?, ?, ?)',
                               [("A", "02134", 42.5, 1), ("B", None, 43.0, 2)])
    connection.close()
    return path


def test_sqlite_table(database: Path) -> None:
    assert table(read(database, table='my "shops" table')) == [
        (1, {"name": "A", "zip": "02134", "lat": 42.5, "n": 1}),
        (2, {"name": "B", "zip": None, "lat": 43.0, "n": 2}),
    ]


def test_sqlite_query(database: Path) -> None:
    rows = read(database, query='SELECT name AS title, n * 10 AS score FROM "my ""shops"" table" '
                                "WHERE n > 1")
    assert table(rows) == [(1, {"title": "B", "score": 20})]


def test_sqlite_is_read_only(database: Path) -> None:
    message = fails(database, query='DELETE FROM "my ""shops"" table"')
    assert message == ("locations/shops.sqlite: locations.query: "
                       "SQLite error: not authorized (sitegen only reads the database: write "
                       "one SELECT statement)")


def test_sqlite_errors(database: Path) -> None:
    assert fails(database) == ("locations/shops.sqlite: locations.table: a SQLite source needs a "
                               "table or a query (set locations.table or locations.query)")
    assert fails(database, table="shops") == (
        "locations/shops.sqlite: locations.table: SQLite error: no such table: shops "
        '(tables: my "shops" table)')
    assert fails(database, query="SELEC 1") == (
        'locations/shops.sqlite: locations.query: SQLite error: near "SELEC": syntax error')
    assert fails(database.with_name("none.db"), table="x") == (
        "locations/none.db: cannot read file: No such file or directory (check locations.source)")
    assert "no rows" in fails(database, query="SELECT 1 WHERE 0")


# --- mapping -----------------------------------------------------------------------------------

def rows_of(*records: dict[str, object]) -> list[RawRow]:
    return [RawRow("locations/s.csv", n, dict(r)) for n, r in enumerate(records, start=2)]


def test_canonical_fields() -> None:
    assert CANONICAL_FIELDS[:9] == ("id", "name", "street", "city", "region", "postal_code",
                                    "country", "lat", "lng")
    assert "hours.sunday" in CANONICAL_FIELDS and "booking_url" in CANONICAL_FIELDS


def test_mapping_identity_explicit_extra_and_private() -> None:
    rows = rows_of(
        {"Store": " Main ", "city": "Boston", "Zip": "02134", "Manager": "Pat", "Notes": "x",
         "ssn": "123", "Brand": "Acme"},
        {"Store": "Corner", "city": "N/A", "Zip": "00501", "Manager": "", "ssn": "456"},
    )
    report = Report()
    result = mapped(rows, report,
                    fields={"name": "Store", "postal_code": "Zip", "extra.brand": "Brand"},
                    defaults={"city": "Springfield", "country": "US", "categories": ["shop"]},
                    null_values=["N/A"], private=["ssn", "not-there"])
    assert report.items == []
    first, second = result
    assert (first.source, first.row) == ("locations/s.csv", 2)
    assert first.values == {"name": "Main", "city": "Boston", "postal_code": "02134",
                            "country": "US", "categories": ["shop"]}
    assert first.extra == {"Manager": "Pat", "Notes": "x", "brand": "Acme"}
    assert first.columns == {"name": "Store", "city": "city", "postal_code": "Zip"}
    assert second.values == {"name": "Corner", "city": "Springfield", "postal_code": "00501",
                             "country": "US", "categories": ["shop"]}
    assert second.extra == {}
    assert second.values["categories"] is not first.values["categories"]
    assert all("ssn" not in repr(m) and "123" not in repr(m) for m in result)


def test_null_values_apply_to_none_and_numbers() -> None:
    result = mapped(rows_of({"name": "A", "lat": None, "lng": -1, "phone": " - "}),
                    null_values=["-", "-1"])
    assert result[0].values == {"name": "A"}


def test_dotted_hours_fields() -> None:
    result = mapped(rows_of({"Mon": "9-5", "hours.sunday": "closed"}),
                    fields={"hours.monday": "Mon"})
    assert result[0].values == {"hours.monday": "9-5", "hours.sunday": "closed"}


def test_mapping_unknown_field_and_missing_column() -> None:
    report = Report()
    rows = rows_of({"Store": "A", "Latitude": "1", "Longitude": "2"}, {"Store": "B"})
    result = mapped(rows, report, fields={"name": "Store", "postcode": "Zip", "lat": "latitud",
                                          "lng": "Lon", "hours.mon": "Store"},
                    defaults={"contry": "US"})
    assert [d.format() for d in report.items] == [
        "locations/s.csv: locations.fields.postcode: 'postcode' is not a field sitegen knows "
        "(did you mean 'postal_code'? use 'extra.postcode: <column>' to keep a column under "
        "a name of your own)",
        "locations/s.csv: locations.fields.lat: column 'latitud' is not in the file "
        "(did you mean 'Latitude'?)",
        "locations/s.csv: locations.fields.lng: column 'Lon' is not in the file "
        "(did you mean 'Longitude'?)",
        "locations/s.csv: locations.fields.hours.mon: 'hours.mon' is not a field sitegen knows "
        "(did you mean 'hours.monday'? use 'extra.hours.mon: <column>' to keep a column under "
        "a name of your own)",
        "locations/s.csv: locations.defaults.contry: 'contry' is not a field sitegen knows "
        "(did you mean 'country'? use 'extra.contry: <column>' to keep a column under a name of "
        "your own)",
    ]
    assert result[0].values == {"name": "A"}


def test_missing_column_hint_lists_columns_when_nothing_is_close() -> None:
    report = Report()
    mapped(rows_of({"a": "1", "b": "2"}), report, fields={"phone": "Telephone"})
    assert report.items[0].hint == "the file's columns are 'a', 'b'"


def test_mapped_column_that_is_private_is_not_used() -> None:
    report = Report()
    result = mapped(rows_of({"Email": "x@y.z"}), report, fields={"email": "Email"},
                    private=["Email"])
    assert result[0].values == {} and result[0].extra == {}
    assert [d.format() for d in report.items] == [
        "locations/s.csv: locations.fields.email: warning: column 'Email' is listed in "
        "locations.private, so it is not used (remove it from locations.private or from "
        "locations.fields)"]


def test_postal_codes_keep_leading_zeros_end_to_end(tmp_path: Path) -> None:
    path = write(tmp_path / "s.csv", "name,zip\nA,02134\nB, 00501 \n")
    result = mapped(read(path), fields={"postal_code": "zip"})
    assert [m.values["postal_code"] for m in result] == ["02134", "00501"]


# --- the real, messy dataset --------------------------------------------------------------------

def test_gm_pharmacies_csv() -> None:
    report = Report()
    rows = read(GM / "gm_pharmacies.csv", report)
    assert report.items == []
    assert len(rows) == 631
    lines = (GM / "gm_pharmacies.csv").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 632
    for raw in rows:
        # No cell spans lines here, so each record sits on its own physical line.
        first = next(csv.reader([lines[raw.row - 1]]))
        assert first[0] == raw.values["pharmacy_name"]
        assert first[10] == raw.values["organisation_data_service_code"]
    assert rows[0].row == 2 and rows[-1].row == 632


def test_gm_pharmacies_geojson() -> None:
    report = Report()
    rows = read(GM / "gm_pharmacies.geojson", report)
    assert report.items == []
    assert len(rows) == 631
    assert [r.row for r in rows] == list(range(1, 632))
    for raw in rows:
        lat, lng = raw.values["lat"], raw.values["lng"]
        assert isinstance(lat, float) and isinstance(lng, float)
        assert 53.3 <= lat <= 53.7 and -2.8 <= lng <= -1.9, raw
    csv_codes = {r.values["organisation_data_service_code"] for r in read(GM / "gm_pharmacies.csv")}
    assert {r.values["organisation_data_service_code"] for r in rows} == csv_codes


def test_gm_pharmacies_mapping() -> None:
    rows = read(GM / "gm_pharmacies.geojson")
    report = Report()
    fields = {"id": "organisation_data_service_code", "name": "pharmacy_name",
              "street": "address", "postal_code": "postcode", "region": "la_name",
              **{f"hours.{day}": f"opening_hours_{day}" for day in
                 ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")}}
    result = mapped(rows, report, fields=fields, defaults={"country": "GB",
                                                           "categories": ["pharmacy"]},
                    private=["ward_code", "la_code"])
    assert report.items == []
    first = result[0]
    assert first.values["id"] == "FM664" and first.values["lat"] == 53.570812
    assert first.values["hours.sunday"] == "CLOSED"
    assert first.columns["lat"] == "lat"
    assert set(first.extra) == {"health_and_wellbeing_board", "ward_name"}


# --- property: whatever csv.writer writes, the reader gives back -------------------------------

_fragment = st.text(st.characters(exclude_categories=("Cs",)), max_size=4) | st.sampled_from(
    ['"', ",", "\n", "\r", "\r\n", " ", "<script>alert(1)</script>", "\u05e9\u05dc\u05d5\u05dd",
     "\U0001f355", "\u202e"])
_text = st.lists(_fragment, max_size=5).map("".join)
_names = st.lists(st.text(min_size=1, max_size=8).map(str.strip)
                  .filter(lambda n: n and not n.startswith("\ufeff")),
                  min_size=1, max_size=5, unique=True)


@st.composite
def _tables(draw: st.DrawFn) -> tuple[list[str], list[list[str]]]:
    names = draw(_names)
    body = draw(st.lists(st.lists(_text, min_size=len(names), max_size=len(names)),
                         min_size=1, max_size=8))
    return names, body


def _line_breaks(text: str) -> int:
    return len(re.findall(r"\r\n|\r|\n", text))


@settings(max_examples=150, deadline=None)
@given(_tables())
def test_csv_round_trip(data: tuple[list[str], list[list[str]]]) -> None:
    names, body = data
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(names)
    expected = []
    for cells in body:
        line = _line_breaks(buffer.getvalue()) + 1
        writer.writerow(cells)
        if any(c.strip() for c in cells):
            expected.append((line, dict(zip(names, cells, strict=True))))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "t.csv"
        path.write_bytes(buffer.getvalue().encode("utf-8"))
        if not expected:
            with pytest.raises(SitegenError, match="no rows"):
                read(path)
            return
        report = Report()
        assert table(read(path, report)) == expected
        assert report.items == []
