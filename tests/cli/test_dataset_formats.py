"""One dataset in every source format, through a field mapping, built with `sitegen build`.

The columns use the business's own names (`Store Name`, `Town`, `ZIP`...), mapped with
`locations.fields`; every format must give the same three location pages.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import openpyxl
import pytest
from support.sites import (
    Run,
    assert_fails,
    build,
    csv_text,
    location_pages,
    make_site,
    run_cli,
    run_many,
    summary,
)

STORES = [
    {"Store Code": "BOS-1", "Store Name": "Café Uno", "Address 1": "12 Main Street",
     "Town": "Boston", "State/Province": "MA", "ZIP": "02134", "Latitude": 42.3505,
     "Longitude": -71.1054, "Telephone": "(617) 555-0100",
     "Opening Hours": "Mon-Fri 9am-5pm; Sat 10-14"},
    {"Store Code": "BOS-2", "Store Name": "Second Store", "Address 1": "450 Oak Avenue",
     "Town": "Boston", "State/Province": "MA", "ZIP": "02135", "Latitude": 42.3489,
     "Longitude": -71.1500, "Telephone": "617-555-0101",
     "Opening Hours": "Mo-Fr 08:00-18:00; Sa 09:00-13:00"},
    {"Store Code": "CAM-1", "Store Name": "Third Store", "Address 1": "3 Lake Road",
     "Town": "Cambridge", "State/Province": "MA", "ZIP": "02139", "Latitude": 42.3647,
     "Longitude": -71.1042, "Telephone": "+1 617 555 0102", "Opening Hours": "24/7"},
]

# page URL -> (name, postal code, E.164 phone, Monday, Saturday, Sunday as shown)
EXPECTED = {
    "/locations/ma/boston/cafe-uno/":
        ("Café Uno", "02134", "+16175550100", "09:00–17:00", "10:00–14:00",
         "Hours not available"),
    "/locations/ma/boston/second-store/":
        ("Second Store", "02135", "+16175550101", "08:00–18:00", "09:00–13:00",
         "Hours not available"),
    "/locations/ma/cambridge/third-store/":
        ("Third Store", "02139", "+16175550102", "Open 24 hours", "Open 24 hours",
         "Open 24 hours"),
}

FIELDS = {"name": "Store Name", "street": "Address 1", "city": "Town",
          "region": "State/Province", "postal_code": "ZIP", "lat": "Latitude",
          "lng": "Longitude", "phone": "Telephone", "hours": "Opening Hours"}


def config(source: str, *, geo: bool = False, extra: str = "") -> str:
    fields = {k: v for k, v in FIELDS.items() if not (geo and k in ("lat", "lng"))}
    lines = "".join(f"    {k}: {json.dumps(v)}\n" for k, v in fields.items())
    return (f"base_url: https://stores.example.com\nlocations:\n  source: {source}\n"
            f"  id: Store Code\n  defaults:\n    country: US\n  fields:\n{lines}{extra}")


def write_csv(folder: Path, delimiter: str = ",", suffix: str = "csv") -> str:
    path = folder / f"stores.{suffix}"
    path.write_text(csv_text(STORES, delimiter=delimiter), encoding="utf-8")
    return path.name


def write_json(folder: Path) -> str:
    (folder / "stores.json").write_text(json.dumps({"stores": STORES}, ensure_ascii=False),
                                        encoding="utf-8")
    return "stores.json"


def write_yaml(folder: Path) -> str:
    # Written by hand as people do: ZIP codes unquoted must keep their leading zero.
    items = []
    for store in STORES:
        lines = [f"{key}: {json.dumps(value, ensure_ascii=False) if key != 'ZIP' else value}"
                 for key, value in store.items()]
        items.append("- " + "\n  ".join(lines))
    (folder / "stores.yaml").write_text("\n".join(items) + "\n", encoding="utf-8")
    return "stores.yaml"


def write_geojson(folder: Path) -> str:
    features = [{"type": "Feature",
                 "geometry": {"type": "Point", "coordinates": [s["Longitude"], s["Latitude"]]},
                 "properties": {k: v for k, v in s.items() if k not in ("Latitude", "Longitude")}}
                for s in STORES]
    (folder / "stores.geojson").write_text(
        json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")
    return "stores.geojson"


def write_xlsx(folder: Path) -> str:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Stores"
    sheet.append(list(STORES[0]))
    for store in STORES:
        sheet.append(list(store.values()))
    workbook.save(folder / "stores.xlsx")
    return "stores.xlsx"


def write_sqlite(folder: Path) -> str:
    connection = sqlite3.connect(folder / "stores.sqlite")
    names = list(STORES[0])
    columns = ", ".join(f'"{n}" {"REAL" if n in ("Latitude", "Longitude") else "TEXT"}'
                        for n in names)
    connection.execute(f"CREATE TABLE stores ({columns})")
    connection.executemany(f"INSERT INTO stores VALUES ({', '.join('?' * len(names))})",
                           [tuple(s.values()) for s in STORES])
    connection.commit()
    connection.close()
    return "stores.sqlite"


WRITERS = {
    "csv": lambda folder: write_csv(folder),
    "tsv": lambda folder: write_csv(folder, "\t", "tsv"),
    "json": write_json,
    "yaml": write_yaml,
    "geojson": write_geojson,
    "xlsx": write_xlsx,
    "sqlite": write_sqlite,
}


@pytest.fixture(scope="module")
def format_builds(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, Run]]:
    """The same three stores written in every format, each built as its own site."""
    root = tmp_path_factory.mktemp("formats")
    sites = {}
    for fmt, write in WRITERS.items():
        site = root / fmt
        (site / "locations").mkdir(parents=True)
        name = write(site / "locations")
        extra = "  table: stores\n" if fmt == "sqlite" else ""
        make_site(site, {"config/base.yaml": config(f"locations/{name}", geo=fmt == "geojson",
                                                    extra=extra)})
        sites[fmt] = site
    runs = run_many([(("build", "--source", site), None) for site in sites.values()])
    return {fmt: (site, run) for (fmt, site), run in zip(sites.items(), runs, strict=True)}


@pytest.mark.parametrize("fmt", list(WRITERS))
def test_every_format_builds_through_a_field_mapping(
        format_builds: dict[str, tuple[Path, Run]], fmt: str) -> None:
    site, result = format_builds[fmt]
    assert result.returncode == 0, str(result)
    assert summary(result) | {"pages": 0} == {"read": 3, "built": 3, "skipped": 0,
                                              "warnings": 0, "pages": 0}
    assert result.stderr == ""
    pages = location_pages(site / "dist" / "production")
    assert set(pages) == set(EXPECTED)
    for url, (title, postal, phone, monday, saturday, sunday) in EXPECTED.items():
        page = pages[url]
        assert page.h1 == title
        ld = page.location_ld()
        assert ld is not None
        assert ld["address"]["postalCode"] == postal
        assert ld["address"]["addressCountry"] == "US"
        assert ld["telephone"] == phone
        assert f"tel:{phone}" in page.links
        assert (page.hours["monday"], page.hours["saturday"], page.hours["sunday"]) == (
            monday, saturday, sunday)


CP1252_ROWS = [
    {"id": "a", "name": "Plain Store", "street": "1 High Street", "city": "Leeds",
     "region": "ENG", "country": "GB", "lat": "53.8", "lng": "-1.55"},
    {"id": "b", "name": "Joe’s Café Crème", "street": "2 Königstraße", "city": "Leeds",
     "region": "ENG", "country": "GB", "lat": "53.81", "lng": "-1.56"},
]


def cp1252_site(root: Path, encoding_line: str) -> Path:
    data = csv_text(CP1252_ROWS).encode("cp1252")
    assert b"\x92" in data and b"\xe9" in data  # bytes that UTF-8 and Latin-1 get wrong
    return make_site(root, {
        "config/base.yaml": "base_url: https://x.example.com\nlocations:\n"
                            f"  source: locations/locations.csv\n{encoding_line}",
        "locations/locations.csv": data})


def test_cp1252_file_needs_the_encoding_option(tmp_path: Path) -> None:
    site = cp1252_site(tmp_path / "site", "")
    assert_fails(run_cli("build", "--source", site), [
        "locations/locations.csv:3: cannot decode byte 0x92 as utf-8 "
        "(set locations.encoding, e.g. cp1252)"])


def test_cp1252_file_builds_with_encoding_cp1252(tmp_path: Path) -> None:
    site = cp1252_site(tmp_path / "site", "  encoding: cp1252\n")
    assert summary(build(site))["built"] == 2
    pages = location_pages(site / "dist" / "production")
    page = pages["/locations/eng/leeds/joes-cafe-creme/"]
    assert page.h1 == "Joe’s Café Crème"
    ld = page.location_ld()
    assert ld is not None and ld["address"]["streetAddress"] == "2 Königstraße"


NULL_ROWS = [
    {"id": "n1", "name": "Null Store", "street": "1 Elm Street", "city": "Peoria",
     "region": "IL", "country": "N/A", "lat": "40.69", "lng": "-89.59", "phone": "N/A",
     "hours": "-"},
    {"id": "n2", "name": "Full Store", "street": "2 Elm Street", "city": "Peoria",
     "region": "IL", "country": "US", "lat": "40.70", "lng": "-89.60",
     "phone": "(309) 555-0142", "hours": "Mon-Sat 9-17"},
]


def null_site(root: Path, null_line: str) -> Path:
    return make_site(root, {
        "config/base.yaml": "base_url: https://x.example.com\nlocations:\n"
                            "  source: locations/locations.csv\n  phone_region: US\n"
                            f"  defaults:\n    country: US\n{null_line}",
        "locations/locations.csv": csv_text(NULL_ROWS)})


def test_null_markers_are_data_without_null_values(tmp_path: Path) -> None:
    """Without null_values, 'N/A' and '-' are data: unreadable optional values, each a
    warning and shown as written; the row still becomes a page."""
    site = null_site(tmp_path / "site", "")
    result = build(site)
    assert result.stderr.splitlines() == [
        "locations/locations.csv:2: phone: warning: cannot read phone number 'N/A' "
        "(shown as written, without a tel: link)",
        "locations/locations.csv:2: hours: warning: hours '-' do not say which days "
        "(write hours like Mon-Fri 9am-5pm; Sat 10-14; Sun closed; shown on the page as "
        "written)",
    ]
    assert summary(result)["built"] == 2 and summary(result)["warnings"] == 2
    page = location_pages(site / "dist" / "production")["/locations/n-a/il/peoria/null-store/"]
    assert not any(link.startswith("tel:") for link in page.links)
    html = (site / "dist/production/locations/n-a/il/peoria/null-store/index.html").read_text()
    assert '<p class="hours-as-written">-</p>' in html and "N/A" in html


def test_null_values_turn_markers_into_missing_values(tmp_path: Path) -> None:
    site = null_site(tmp_path / "site", '  null_values: ["", "N/A", "-"]\n')
    result = build(site)
    assert summary(result)["built"] == 2 and summary(result)["warnings"] == 0
    assert result.stderr == ""
    pages = location_pages(site / "dist" / "production")
    empty = pages["/locations/il/peoria/null-store/"]
    ld = empty.location_ld()
    assert ld is not None
    assert "telephone" not in ld and "openingHoursSpecification" not in ld
    assert ld["address"]["addressCountry"] == "US"  # the default fills the null
    assert not any(link.startswith("tel:") for link in empty.links)
    assert empty.hours == {}
    full = pages["/locations/il/peoria/full-store/"]
    assert "tel:+13095550142" in full.links
    assert full.hours["saturday"] == "09:00–17:00"
