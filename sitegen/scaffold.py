"""`sitegen init`: copy a small working site that `sitegen build --source DIR` builds at once,
or (`--from FILE`) one built from the user's own dataset, its mapping guessed from the columns.
"""

from __future__ import annotations

import csv
import json
import re
import shutil
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from sitegen.config.schema import language_problem
from sitegen.data.guess import Guess, fold, guess_fields
from sitegen.data.readers import FORMATS, SUPPORTED, DatasetFile, RawRow, read_rows
from sitegen.data.sniff import sniff_delimiter, sniff_encoding
from sitegen.diagnostics import Diagnostic, Report, SitegenError

TEMPLATE = Path(__file__).parent / "scaffold" / "site"
LANGUAGES = Path(__file__).parent / "scaffold" / "languages"  # the example in other languages
EXAMPLE_DATA = Path("locations") / "locations.csv"
# Cells that registers and exports write for "no value"; one found in a mapped column (other
# than the name, the coordinates and the id) goes into locations.null_values.
SENTINELS = ("N/A", "n/a", "NA", "#N/A", "NULL", "null", "None", "none", "-", "--", "?", "M",
             "-1", "-3", "-4", "-9", "-99", "-999")
_NOT_SENTINEL_FIELDS = {"name", "lat", "lng", "id"}
TEXT_FORMATS = ("csv", "tsv", "json", "jsonl", "geojson", "yaml")


def scaffold(directory: Path) -> list[Path]:
    _check_empty(directory)
    shutil.copytree(TEMPLATE, directory, dirs_exist_ok=True)
    return sorted(p for p in directory.rglob("*") if p.is_file())


def scaffold_languages(directory: Path, codes: list[str]) -> list[Path]:
    """Make the scaffolded site one of several languages (`init --languages en,fr`): the
    languages in its config, `name@fr` style columns in its dataset and `about.fr.md` style
    pages, with the example's own translations where sitegen ships them (scaffold/languages/)
    and empty columns otherwise (the build then says which text falls back)."""
    check_languages(codes)
    _scaffold_texts(directory, codes, {code: _example_texts(code) for code in codes[1:]})
    return sorted(p for p in directory.rglob("*") if p.is_file())


def check_languages(codes: list[str]) -> None:
    """`init --languages`: known codes, each once, two or more."""
    for code in codes:
        problem = language_problem(code)
        if problem:
            raise SitegenError(Diagnostic("--languages", None, None, problem,
                                          "list the codes with commas, the default first: "
                                          "--languages en,fr"))
    if len(set(codes)) != len(codes) or len(codes) < 2:
        raise SitegenError(Diagnostic("--languages", None, None,
                                      "list two languages or more, each once",
                                      "the default first: --languages en,fr"))


def _scaffold_texts(directory: Path, codes: list[str], texts: dict[str, dict[str, Any]]
                    ) -> None:
    config = directory / "config" / "base.yaml"
    locales = ""
    for code, text in texts.items():
        site = text.get("site", {})
        locales += f"    {code}:\n      name: {_yaml_text(site.get('name', 'My Business'))}\n"
        if site.get("description"):
            locales += f"      description: {_yaml_text(site['description'])}\n"
    config.write_text(config.read_text(encoding="utf-8").replace(
        "  language: en\n",
        f"  languages: [{', '.join(codes)}]\n  locales:\n{locales}"), encoding="utf-8")
    dataset = directory / EXAMPLE_DATA
    with dataset.open(encoding="utf-8", newline="") as file:
        rows = list(csv.DictReader(file))
    columns = list(rows[0]) + [f"{name}@{code}" for code in texts
                               for name in ("name", "slug", "description")]
    for row in rows:
        for code, text in texts.items():
            own = text.get("locations", {}).get(row["id"], {})
            for name in ("name", "slug", "description"):
                row[f"{name}@{code}"] = own.get(name, "")
    with dataset.open("w", encoding="utf-8", newline="") as file:
        writer = csv.DictWriter(file, columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    for code, text in texts.items():
        for name in ("index.md", "about.md"):
            page = text.get("content", {}).get(name) \
                or (directory / "content" / name).read_text(encoding="utf-8")
            (directory / "content" / name.replace(".md", f".{code}.md")).write_text(
                page, encoding="utf-8")


def _yaml_text(text: str) -> str:
    """A YAML double-quoted scalar (JSON's syntax is YAML's), non-ASCII kept readable."""
    return json.dumps(text, ensure_ascii=False)


def _example_texts(code: str) -> dict[str, Any]:
    """The example site's text in language `code`, {} when sitegen ships none."""
    path = LANGUAGES / f"{code}.yaml"
    if not path.is_file():
        return {}
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return data if isinstance(data, dict) else {}


def _check_empty(directory: Path) -> None:
    if directory.exists() and (not directory.is_dir() or any(directory.iterdir())):
        raise SitegenError(Diagnostic(str(directory), None, None, "folder is not empty",
                                      "choose a new folder name"))


@dataclass(frozen=True)
class Guessed:
    """What `init --from` found in a dataset: how to read it and how its columns map."""

    fmt: str
    encoding: str | None  # a text file's encoding
    delimiter: str | None  # a CSV file's delimiter other than a comma
    rows: int
    columns: list[str]
    guess: Guess
    null_values: list[str]
    notes: list[str]
    country: str | None = None  # locations.defaults.country, from the coordinates


def guess_dataset(source: Path) -> Guessed:
    """Read `source` as the build would and guess its mapping; a SitegenError when it cannot
    be read, or has no column for the name or the coordinates."""
    display = str(source)
    fmt = FORMATS.get(source.suffix.lower())
    if fmt is None:
        raise SitegenError(Diagnostic(display, None, None,
                                      f"unknown file type '{source.suffix or source.name}'",
                                      f"use one of {SUPPORTED}"))
    try:
        if not source.is_file():
            raise OSError(2, "not a file" if source.exists() else "no such file")
        raw = source.read_bytes() if fmt in TEXT_FORMATS else b""
    except OSError as exc:
        raise SitegenError(Diagnostic(display, None, None,
                                      f"cannot read file: {exc.strerror or exc}",
                                      "check the path given to --from")) from None
    encoding = sniff_encoding(raw) if raw else None
    delimiter = None
    if fmt == "csv":
        found = sniff_delimiter(raw.decode(encoding or "utf-8", errors="replace"))
        delimiter = found if found != "," else None
    report = Report()
    rows = read_rows(DatasetFile(source, display, fmt, encoding or "utf-8",
                                 delimiter=delimiter), report)
    columns = list(dict.fromkeys(name for row in rows for name in row.values))
    guess = guess_fields(columns)
    _require(guess, columns, display)
    notes = [d.format() for d in report.items[:5]]
    guess = _unique_id(guess, rows, notes)
    country = None if "country" in guess.fields else _country(rows, guess)
    return Guessed(fmt, encoding if encoding != "utf-8" else None, delimiter, len(rows),
                   columns, guess, _sentinels(rows, guess), notes, country)


def _country(rows: list[RawRow], guess: Guess) -> str | None:
    """The country of (at least 95 % of) the first 1,000 rows' coordinates, from the GeoNames
    places `reverse_geocode` ships: it reads phone numbers written without +country code and
    puts a house number on the side the country writes it. None when the rows span several."""
    points = []
    for row in rows[:1000]:
        try:
            lat, lng = (float(str(row.values.get(guess.fields[f], "")).replace(",", "."))
                        for f in ("lat", "lng"))
        except ValueError:
            continue
        if -90 <= lat <= 90 and -180 <= lng <= 180:
            points.append((lat, lng))
    if not points:
        return None
    import reverse_geocode

    codes = Counter(str(place.get("country_code") or "")
                    for place in reverse_geocode.GeocodeData().query(points))
    code, count = codes.most_common(1)[0]
    return code if code and count >= 0.95 * len(points) else None


def _require(guess: Guess, columns: list[str], display: str) -> None:
    listed = ", ".join(f"'{c}'" for c in columns[:15]) + (", ..." if len(columns) > 15 else "")
    missing = []
    if "name" not in guess.fields:
        missing.append(Diagnostic(
            display, None, "name", "no column looks like the location's name",
            f"the columns are {listed}; call one 'name' (or title, store_name, nom, "
            "Bezeichnung), then run init again"))
    lacking = [what for field, what in (("lat", "latitude"), ("lng", "longitude"))
               if field not in guess.fields]
    if lacking:
        missing.append(Diagnostic(
            display, None, "lat" if "latitude" in lacking else "lng",
            f"no column looks like the {' or the '.join(lacking)}",
            f"the columns are {listed}; every location needs coordinates: add columns "
            "'lat' and 'lng' (or latitude/longitude, Breite/Länge), or export GeoJSON"))
    if missing:
        raise SitegenError(missing)


def _unique_id(guess: Guess, rows: list[RawRow], notes: list[str]) -> Guess:
    """The guessed id column, only when its values are present and unique in every row: a
    column that repeats would stop the build. Else a two-column key whose pairs are (a
    register's FSCSKEY + FSCS_SEQ), written as `locations.id: [A, B]`; else none, and ids
    are made from name and address."""
    column = guess.fields.get("id")
    if column is not None and _unique(rows, (column,)):
        return guess
    key = _key_columns(rows, [c for c in guess.unused if c != column])
    fields = {k: v for k, v in guess.fields.items() if k != "id"}
    unused = [c for c in [*guess.unused, *([column] if column else [])] if c not in key]
    if column is not None:
        notes.append(f"column '{column}' is not a unique id (a value repeats or is missing)")
    if len(key) == 1:
        notes.append(f"column '{key[0]}' identifies each row: used as the id")
        return Guess({"id": key[0], **fields}, unused)
    if key:
        notes.append(f"columns {' + '.join(key)} together identify each row: "
                     "written as locations.id")
    elif column is not None or rows:
        notes.append("no column identifies each row: ids are made from name and address "
                     "(set locations.id to keep URLs and caches stable when those change)")
    return Guess(fields, unused, key)


_KEY_NAME = re.compile(r"(?:id|key|code|seq|ref|nr|no|num|number)$")


def _key_columns(rows: list[RawRow], columns: list[str]) -> list[str]:
    """The first key-like column ("...id", "...key", "...no", "...code") whose values are
    present and unique in every row, else the first such pair; [] when none is."""
    named = [c for c in columns if _KEY_NAME.search(fold(c))][:12]
    for first in named:
        if _unique(rows, (first,)):
            return [first]
    for index, first in enumerate(named):
        for second in named[index + 1:]:
            if _unique(rows, (first, second)):
                return [first, second]
    return []


def _unique(rows: list[RawRow], columns: tuple[str, ...]) -> bool:
    seen: set[tuple[str, ...]] = set()
    for row in rows:
        values = tuple(str(row.values.get(c, "")).strip() for c in columns)
        if not all(values) or values in seen:
            return False
        seen.add(values)
    return True


def _sentinels(rows: list[RawRow], guess: Guess) -> list[str]:
    """The "no value" markers found in the mapped text columns, for locations.null_values."""
    columns = [c for f, c in guess.fields.items() if f not in _NOT_SENTINEL_FIELDS]
    candidates = set(SENTINELS)
    found: set[str] = set()
    for row in rows:
        for column in columns:
            value = row.values.get(column)
            if isinstance(value, str) and value.strip() in candidates:
                found.add(value.strip())
            elif isinstance(value, int) and not isinstance(value, bool) \
                    and str(value) in candidates:
                found.add(str(value))
    return ["", *sorted(found)] if found else []


def scaffold_from(source: Path, directory: Path) -> tuple[Guessed, list[Path]]:
    """A new site in `directory` whose dataset is a copy of `source`, its config mapping the
    columns as guessed."""
    _check_empty(directory)
    guessed = guess_dataset(source)
    shutil.copytree(TEMPLATE, directory, dirs_exist_ok=True)
    (directory / EXAMPLE_DATA).unlink()
    shutil.copyfile(source, directory / "locations" / source.name)
    (directory / "config" / "base.yaml").write_text(
        config_text(guessed, f"locations/{source.name}"), encoding="utf-8")
    return guessed, sorted(p for p in directory.rglob("*") if p.is_file())


def _scalar(value: object) -> str:
    """A YAML scalar as one line, quoted only where YAML needs it."""
    text = yaml.safe_dump(value, default_flow_style=True, allow_unicode=True, width=10_000)
    return text.removesuffix("\n...\n").strip()


def config_text(guessed: Guessed, source: str) -> str:
    """config/base.yaml for a guessed dataset: the mapping written out for the user to check."""
    lines = [
        "# Your site's config. `sitegen config` prints every key with the layer that set it.",
        "base_url: https://www.example.com",
        "theme: site",
        "",
        "site:",
        "  name: My Business",
        "  description: Our locations, opening hours and contact details.",
        "  language: en",
        "",
        "# Guessed by `sitegen init --from` from the file's columns: check each line.",
        "locations:",
        f"  source: {_scalar(source)}",
    ]
    if guessed.encoding:
        lines.append(f"  encoding: {guessed.encoding}")
    if guessed.delimiter:
        lines.append(f"  delimiter: {_scalar(guessed.delimiter)}")
    if guessed.guess.key:
        lines.append(f"  id: {_scalar(guessed.guess.key)}")
    lines.append("  fields:")
    lines += [f"    {field}: {_scalar(column)}" for field, column in guessed.guess.fields.items()]
    if guessed.country:
        lines.append(f"  defaults: {{country: {guessed.country}}}  # from the coordinates")
    if guessed.null_values:
        lines.append(f"  null_values: {_scalar(guessed.null_values)}")
    lines += ["  # Development and staging builds leave out rows with errors, each with a",
              "  # diagnostic; production refuses to build until they are fixed.",
              "  on_error: skip", ""]
    return "\n".join(lines)


def mapping_lines(guessed: Guessed) -> Iterable[str]:
    """The guess as `init --from` prints it, for the user to confirm."""
    how = [guessed.fmt] + ([guessed.encoding] if guessed.encoding else []) + \
        ([f"delimiter '{guessed.delimiter}'"] if guessed.delimiter else [])
    yield f"read {guessed.rows} rows, {len(guessed.columns)} columns ({', '.join(how)})"
    yield "guessed mapping (locations.fields: field <- column):"
    width = max(len(field) for field in guessed.guess.fields)
    if guessed.guess.key:
        yield f"  {'id':<{width}} <- {' + '.join(guessed.guess.key)} (locations.id)"
    for field, column in guessed.guess.fields.items():
        yield f"  {field:<{width}} <- {column}"
    if guessed.country:
        yield f"  {'country':<{width}} = {guessed.country} (where the coordinates are)"
    if guessed.guess.unused:
        yield "kept for templates as extra: " + ", ".join(guessed.guess.unused)
    if guessed.null_values:
        yield "treated as missing: " + ", ".join(repr(v) for v in guessed.null_values if v)
    yield from (f"note: {note}" for note in guessed.notes)
