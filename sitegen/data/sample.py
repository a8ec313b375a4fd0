"""`sitegen data sample`: an anonymised sample of the real dataset, for staging.

The sample keeps the source's columns and file format, so it maps with the same
`locations.fields` config; point `config/staging.yaml` at it (`locations: {source: FILE}`) and
the staging policy reports `data: sample`. No real value that names or places a location is
kept. Per sampled row:

- replaced: name, street, phone (a fictional number of the row's region that still parses),
  email and website (at example.invalid), description, booking URL, and every column listed in
  `locations.private`;
- the id, and every other column whose value looks like a code (letters and digits, with a
  digit, no spaces: `E05014831`, `FM664`): the same shape with other letters and digits,
  never a code of the dataset;
- the place: city, region and postal code become those of a decoy town of the same country
  (data/decoys.py) that is no town of the dataset, at least 20 km away; the coordinates are
  put within 3 km of that town (so at least 20 km from the real place); other columns holding
  the row's real city or region get the decoy's; the neighbourhood one of a list of generic
  ones (never one of the dataset);
- the image: a neutral picture (a plain SVG with no text), written once as
  `content/images/sample/location.svg`;
- kept: country, hours, holiday hours, time zone, categories and any other column.

Rows are chosen with `random.Random(seed)`, so the same seed gives the same file.
"""

from __future__ import annotations

import csv
import io
import json
import random
import re
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from sitegen.config.load import load_config
from sitegen.config.schema import LocationsSection
from sitegen.data.decoys import NEIGHBOURHOODS, Place, moved, pick_decoy, scramble
from sitegen.data.mapping import CANONICAL_FIELDS, translated_field
from sitegen.data.masking import MASKED_DOMAIN, fake_phone
from sitegen.data.readers import FORMATS, DatasetFile, RawRow, load_yaml, read_rows
from sitegen.diagnostics import Diagnostic, Report, SitegenError

REPLACED = ("name", "house_number", "street", "phone", "email", "website", "description",
            "booking_url")
CODE = re.compile(r"^(?=.*\d)[A-Za-z0-9][A-Za-z0-9_-]{1,39}$")
NEUTRAL_IMAGE = "images/sample/location.svg"
NEUTRAL_SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="1200" height="800" '
    'viewBox="0 0 1200 800"><rect width="1200" height="800" fill="#d9ddd6"/>'
    '<circle cx="600" cy="400" r="160" fill="#b9c0b4"/></svg>\n')


@dataclass
class SampleResult:
    rows: int
    rows_read: int
    out: Path


@dataclass(frozen=True)
class SampleRequest:
    """`sitegen data sample`: `count` rows of the dataset of `env`, into `out`."""

    source: Path
    env: str
    count: int
    out: Path
    seed: int = 0  # the same seed gives the same sample
    environ: Mapping[str, str] | None = None


@dataclass(frozen=True)
class _Sampling:
    """What anonymising and writing the rows of one dataset need."""

    source_path: Path
    settings: LocationsSection
    columns: dict[str, str]  # canonical field -> the source column holding it
    region_default: str  # the country of rows without one, for fake phone numbers
    real: dict[str, set[str]]  # per canonical field and "code": the dataset's values


def write_sample(request: SampleRequest) -> SampleResult:
    source, out = request.source, request.out
    loaded = load_config(source, request.env, environ=request.environ)
    settings = loaded.config.locations
    source_path = Path(settings.source)
    if not source_path.is_absolute():
        source_path = source / source_path
    if out.resolve() == source_path.resolve():
        raise SitegenError(Diagnostic(
            str(out), None, None, f"is the {request.env} dataset being sampled: writing the "
            "sample there would replace the real data",
            "write the sample to another file, e.g. --out locations/sample.csv"))
    report = Report()
    rows = read_rows(DatasetFile.of(settings, (source_path, settings.format, settings.source),
                                    limit=False), report)
    if report.errors:
        raise SitegenError(report.items)
    fmt = FORMATS.get(out.suffix.lower()) or FORMATS.get(
        "." + (settings.format or source_path.suffix.lstrip(".")).lower())
    if fmt is None:
        raise SitegenError(Diagnostic(str(out), None, None, "unknown output format",
                                      "use an extension such as .csv, .json or .xlsx"))
    rng = random.Random(request.seed)
    chosen = sorted(rng.sample(range(len(rows)), min(request.count, len(rows))))
    columns = _columns(rows, dict(settings.fields),
                       settings.id if isinstance(settings.id, str) else None)
    sampling = _Sampling(source_path, settings, columns,
                         settings.phone_region or str(settings.defaults.get("country") or "US"),
                         _real_values(rows, columns))
    sample = [_anonymise(rows[i], n, sampling, rng) for n, i in enumerate(chosen, start=1)]
    image = columns.get("image")
    if image and any(values.get(image) for values in sample):
        neutral = source / "content" / NEUTRAL_IMAGE
        neutral.parent.mkdir(parents=True, exist_ok=True)
        neutral.write_text(NEUTRAL_SVG, encoding="utf-8")
    out.parent.mkdir(parents=True, exist_ok=True)
    _write(out, fmt, sample, rows, sampling)
    return SampleResult(len(sample), len(rows), out)


def _columns(rows: list[RawRow], fields: dict[str, str], id_column: str | None
             ) -> dict[str, str]:
    """Canonical field -> the source column holding it (as mapping.py maps them)."""
    present: dict[str, None] = {}
    for row in rows:
        present.update(dict.fromkeys(row.values))
    columns = {f: f for f in CANONICAL_FIELDS if f in present}
    columns.update({k: v for k, v in fields.items() if v in present})
    if id_column and id_column in present:
        columns["id"] = id_column
    return columns


def _real_values(rows: list[RawRow], columns: dict[str, str]) -> dict[str, set[str]]:
    """The dataset's own values (lower case) of the place fields, and every code in it: what
    a replacement must never be."""
    real: dict[str, set[str]] = {"code": set()}
    for field in ("id", "city", "region", "neighbourhood", "postal_code"):
        real[field] = set()
    for row in rows:
        for column, value in row.values.items():
            text = str(value).strip() if value is not None else ""
            if CODE.match(text):
                real["code"].add(text.lower())
            for field in ("id", "city", "region", "neighbourhood", "postal_code"):
                if columns.get(field) == column and text:
                    real[field].add(text.lower())
    return real


def _number_of(value: Any) -> float | None:
    try:
        return float(str(value).strip())
    except ValueError:
        return None


def _place(values: dict[str, Any], sampling: _Sampling, number: int, rng: random.Random
           ) -> None:
    """Move the row to a decoy town (see the module docstring), in place."""
    columns, real = sampling.columns, sampling.real
    lat_column, lng_column = columns.get("lat"), columns.get("lng")
    lat = _number_of(values.get(lat_column)) if lat_column else None
    lng = _number_of(values.get(lng_column)) if lng_column else None
    country = str(values.get(columns.get("country", "")) or sampling.region_default)
    place = Place(country, lat, lng)
    decoy = pick_decoy(place, real["city"], rng, number)
    originals = {str(values.get(columns[f]) or "").strip().lower(): getattr(decoy, f)
                 for f in ("city", "region") if f in columns and values.get(columns[f])}
    for field in ("city", "region", "postal_code"):
        column = columns.get(field)
        if column and values.get(column) not in (None, ""):
            values[column] = getattr(decoy, field)
    mapped = set(columns.values())
    for column, value in values.items():  # unmapped columns naming the real town
        if column not in mapped and isinstance(value, str) and value.strip().lower() in originals:
            values[column] = originals[value.strip().lower()]
    column = columns.get("neighbourhood")
    if column and values.get(column) not in (None, ""):
        values[column] = rng.choice([n for n in NEIGHBOURHOODS
                                     if n.lower() not in real["neighbourhood"]] or ["Centre"])
    if lat is not None and lng is not None and lat_column and lng_column:
        spot = Place(country, decoy.lat, decoy.lng)
        new_lat, new_lng = moved(spot, rng) if decoy.city.startswith("Sample Town") else (
            decoy.lat + rng.uniform(-0.015, 0.015), decoy.lng + rng.uniform(-0.015, 0.015))
        for column, value in ((lat_column, new_lat), (lng_column, new_lng)):
            rounded = round(value, 5)
            values[column] = rounded if isinstance(values[column], int | float) \
                else f"{rounded:.5f}"


def _anonymise(row: RawRow, number: int, sampling: _Sampling, rng: random.Random
               ) -> dict[str, Any]:
    columns, private = sampling.columns, sampling.settings.private
    region_default = sampling.region_default
    values = dict(row.values)
    tag = f"{number:03d}"
    country = values.get(columns.get("country", "")) or region_default
    fakes = {
        "name": f"Sample location {tag}",
        "house_number": "",
        "street": f"{100 + number} Sample Street",
        "phone": fake_phone(str(country), f"sample-{tag}"),
        "email": f"location-{tag}@{MASKED_DOMAIN}",
        "website": f"https://www.{MASKED_DOMAIN}/locations/{tag}/",
        "description": f"Sample location {tag}: anonymised data for the staging site.",
        "booking_url": f"https://www.{MASKED_DOMAIN}/book/{tag}/",
    }
    for field in REPLACED:
        column = columns.get(field)
        if column and values.get(column) not in (None, ""):
            values[column] = fakes[field]
    for column in list(values):  # `name@fr` and the like: the fake of their field
        translated = translated_field(column)
        if translated and values[column] not in (None, ""):
            values[column] = fakes.get(translated[0], "")
    for column in private:
        if values.get(column) not in (None, ""):
            text = str(values[column])
            values[column] = f"private-{tag}@{MASKED_DOMAIN}" if "@" in text else "redacted"
    _place(values, sampling, number, rng)
    taken = sampling.real["code"] | sampling.real["id"]
    kept = {columns.get(f) for f in ("lat", "lng", "phone", "postal_code")}
    for column, value in values.items():
        text = str(value).strip() if isinstance(value, str | int) else ""
        if column == columns.get("id") and text or column not in kept and CODE.match(text):
            values[column] = scramble(text, taken, rng)
    image = columns.get("image")
    if image and values.get(image) not in (None, ""):
        values[image] = ("/" if str(values[image]).startswith("/") else "") + NEUTRAL_IMAGE
    return values


def _write(out: Path, fmt: str, sample: list[dict[str, Any]], rows: list[RawRow],
           sampling: _Sampling) -> None:
    source_path, columns = sampling.source_path, sampling.columns
    table, query = sampling.settings.table, sampling.settings.query
    header: dict[str, None] = {}
    for row in rows:
        header.update(dict.fromkeys(row.values))
    names = list(header)
    if fmt in ("csv", "tsv"):
        buffer = io.StringIO()
        writer = csv.writer(buffer, csv.excel_tab if fmt == "tsv" else csv.excel,
                            lineterminator="\n")
        writer.writerow(names)
        for values in sample:
            writer.writerow(["" if values.get(n) is None else values.get(n) for n in names])
        out.write_text(buffer.getvalue(), encoding="utf-8")
    elif fmt == "jsonl":
        out.write_text("".join(json.dumps(v, ensure_ascii=False, default=str) + "\n"
                               for v in sample), encoding="utf-8")
    elif fmt in ("json", "yaml"):
        data: Any = sample
        wrapper = _wrapper_key(source_path)
        if wrapper:
            data = {wrapper: sample}
        if fmt == "json":
            out.write_text(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n",
                           encoding="utf-8")
        else:
            out.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False),
                           encoding="utf-8")
    elif fmt == "geojson":
        # A GeoJSON source's reader adds lat/lng from the geometry: they go back there.
        added = ("lat", "lng") if source_path.suffix.lower() == ".geojson" else ()
        lat, lng = columns.get("lat", "lat"), columns.get("lng", "lng")
        features = []
        for values in sample:
            props = {k: v for k, v in values.items() if k not in added}
            features.append({"type": "Feature", "properties": props, "geometry": {
                "type": "Point", "coordinates": [float(values[lng]), float(values[lat])]}})
        out.write_text(json.dumps({"type": "FeatureCollection", "features": features},
                                  ensure_ascii=False, indent=2, default=str) + "\n",
                       encoding="utf-8")
    elif fmt == "xlsx":
        from openpyxl import Workbook

        book = Workbook()
        sheet = book.active
        assert sheet is not None  # a new workbook has one sheet
        sheet.append(names)
        for values in sample:
            sheet.append([values.get(n) for n in names])
        book.save(out)
    elif fmt == "sqlite":
        _write_sqlite(out, names, sample, table, query)


def _wrapper_key(source_path: Path) -> str | None:
    """`{"locations": [...]}` sources get the same wrapper, so they map the same way."""
    if source_path.suffix.lower() not in (".json", ".yaml", ".yml"):
        return None
    try:
        text = source_path.read_text(encoding="utf-8")
        data = json.loads(text) if source_path.suffix.lower() == ".json" else \
            load_yaml(text, source_path.name)
    except (OSError, ValueError, SitegenError):
        return None
    if isinstance(data, dict):
        lists = [k for k, v in data.items() if isinstance(v, list)]
        return lists[0] if len(lists) == 1 else None
    return None


def _write_sqlite(out: Path, names: list[str], sample: list[dict[str, Any]],
                  table: str | None, query: str | None) -> None:
    if query or not table:
        raise SitegenError(Diagnostic(
            str(out), None, "locations.query",
            "cannot write a SQLite sample for a dataset read with a query",
            "write the sample as CSV (--out FILE.csv) and set locations.source to it"))
    if out.exists():
        out.unlink()
    quoted = ", ".join('"' + n.replace('"', '""') + '"' for n in names)
    with sqlite3.connect(out) as connection:
        name = table.replace('"', '""')
        connection.execute(f'CREATE TABLE "{name}" ({quoted})')
        marks = ", ".join("?" for _ in names)
        connection.executemany(f'INSERT INTO "{name}" ({quoted}) VALUES ({marks})',
                               [[v.get(n) for n in names] for v in sample])
    connection.close()
