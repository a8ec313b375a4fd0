"""Mapping: rename the user's columns to sitegen's fields, drop private ones, fill defaults.

This is where "the file's vocabulary" becomes "sitegen's vocabulary". Each mapped row keeps
which column every field came from, so later diagnostics can say "field 'lat' (column
'Latitude')" in the words the user sees in their spreadsheet.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from difflib import get_close_matches

from sitegen.config.schema import LocationsSection
from sitegen.data.readers import RawRow
from sitegen.diagnostics import Report

DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")

CANONICAL_FIELDS: tuple[str, ...] = (
    "id", "name", "street", "city", "region", "postal_code", "country", "lat", "lng",
    "phone", "email", "website", "hours", *(f"hours.{day}" for day in DAYS), "special_hours",
    "timezone", "categories", "description", "image", "faqs", "slug", "neighbourhood",
    "booking_url", "status", "status_date", "promotions", "house_number", "hours_note",
)
# Fields a dataset may give in several languages: `name@fr` columns, or a mapping of
# language codes in a JSON or YAML source ({"name": {"en": "...", "fr": "..."}}).
TRANSLATABLE = ("name", "description", "faqs", "hours_note", "slug")
TRANSLATED = re.compile(r"(?P<field>[a-z_]+)@(?P<code>[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*)")

# Names people commonly use for a field, which difflib alone would not suggest.
_SYNONYMS = {
    "address": "street", "address1": "street", "town": "city", "state": "region",
    "county": "region", "province": "region", "zip": "postal_code", "zipcode": "postal_code",
    "postcode": "postal_code", "latitude": "lat", "lon": "lng", "long": "lng",
    "longitude": "lng", "telephone": "phone", "tel": "phone", "url": "website",
    "opening_hours": "hours", "category": "categories", "title": "name",
    "opening_date": "status_date", "reopening_date": "status_date",
    "housenumber": "house_number",
}

EXTRA_PREFIX = "extra."


@dataclass
class MappedRow:
    """A row in sitegen's field names, still unvalidated, with where each field came from
    (`columns`, shared by all rows of a mapping: read it, never change it)."""

    source: str
    row: int
    values: dict[str, object]
    extra: dict[str, object]
    columns: dict[str, str]


@dataclass(frozen=True)
class RowMapping:
    """How a dataset's columns become sitegen's fields (`locations.fields`, `.id`,
    `.defaults`, `.null_values`, `.private`)."""

    fields: dict[str, str] = field(default_factory=dict)
    defaults: dict[str, object] = field(default_factory=dict)
    null_values: list[str] = field(default_factory=list)
    private: list[str] = field(default_factory=list)
    key: tuple[str, ...] = ()  # the columns of a composite id (`locations.id: [A, B]`)
    language: str = ""  # the site's default language, whose text a mapping of languages gives

    @classmethod
    def of(cls, settings: LocationsSection, language: str = "") -> RowMapping:
        fields = dict(settings.fields)
        key: tuple[str, ...] = ()
        if isinstance(settings.id, list):
            key = tuple(settings.id)
        elif settings.id:
            fields["id"] = settings.id
        return cls(fields, dict(settings.defaults), list(settings.null_values),
                   list(settings.private), key, language)


def translated_field(name: str) -> tuple[str, str] | None:
    """(field, language code) of a translated column such as `name@fr`; None otherwise."""
    match = TRANSLATED.fullmatch(name)
    if match is None or match["field"] not in TRANSLATABLE:
        return None
    return match["field"], match["code"]


def _split_languages(values: dict[str, object], default: str) -> None:
    """A translatable field given as a mapping of language codes (a JSON or YAML source's
    {"name": {"en": ..., "fr": ...}}) becomes the default language's value and `name@fr`
    style values, as a CSV's columns give them."""
    for name in TRANSLATABLE:
        value = values.get(name)
        if not isinstance(value, dict) or not value or \
                not all(isinstance(code, str) and TRANSLATED.fullmatch(f"x@{code}")
                        for code in value):
            continue
        del values[name]
        for code, text in value.items():
            if text in (None, ""):
                continue
            if code == default:
                values[name] = text
            else:
                values.setdefault(f"{name}@{code}", text)


def map_rows(rows: list[RawRow], mapping: RowMapping, report: Report) -> list[MappedRow]:
    """Map raw rows to canonical fields; config mistakes are reported once, not once per row.

    `columns` records the source column of every field that has one, even where this row's
    value is missing, so a "name is required" diagnostic can name the column to fill in.
    """
    fields, defaults = mapping.fields, mapping.defaults
    null_values, private = mapping.null_values, mapping.private
    source = rows[0].source if rows else "locations"
    present: dict[str, None] = {}
    for raw in rows:
        present.update(dict.fromkeys(raw.values))
    hidden = set(private)

    canonical: dict[str, str] = {f: f for f in CANONICAL_FIELDS if f in present}
    canonical.update((column, column) for column in present if translated_field(column))
    extras: dict[str, str] = {}
    for key, column in fields.items():
        if key.startswith(EXTRA_PREFIX) and len(key) > len(EXTRA_PREFIX):
            target = extras
            name = key[len(EXTRA_PREFIX):]
        elif key in CANONICAL_FIELDS or translated_field(key):
            target = canonical
            name = key
        else:
            report.error(source, None, f"locations.fields.{key}",
                         f"'{key}' is not a field sitegen knows", _field_hint(key))
            continue
        if column not in present:
            report.error(source, None, f"locations.fields.{key}",
                         f"column '{column}' is not in the file", _column_hint(column, present))
            continue
        if column in hidden:
            report.warning(source, None, f"locations.fields.{key}",
                           f"column '{column}' is listed in locations.private, so it is not used",
                           "remove it from locations.private or from locations.fields")
            continue
        target[name] = column

    for key in defaults:
        if key not in CANONICAL_FIELDS:
            report.error(source, None, f"locations.defaults.{key}",
                         f"'{key}' is not a field sitegen knows", _field_hint(key))

    key_columns = _key_columns(mapping.key, present, source, report)
    canonical = {f: c for f, c in canonical.items() if c not in hidden}
    if key_columns:
        canonical.pop("id", None)
    used = set(canonical.values()) | set(extras.values()) | hidden | set(key_columns)
    nulls = set(null_values)
    # One `columns` dict for every row, never changed, not a copy per row.
    columns = dict(canonical)
    if key_columns:
        columns["id"] = "+".join(key_columns)
    mapped = []
    for raw in rows:
        values: dict[str, object] = {}
        for name, column in canonical.items():
            value = _clean(raw.values.get(column), nulls)
            if value is not None:
                values[name] = value
        if key_columns:
            parts = [_clean(raw.values.get(column), nulls) for column in key_columns]
            if all(part is not None for part in parts):
                values["id"] = "-".join(_key_text(part) for part in parts)
        if mapping.language:
            _split_languages(values, mapping.language)
        for name, value in defaults.items():
            if name in CANONICAL_FIELDS and name not in values:
                values[name] = copy.deepcopy(value)
        extra: dict[str, object] = {}
        for column, value in raw.values.items():
            if column not in used and (cleaned := _clean(value, nulls)) is not None:
                extra[column] = cleaned
        for name, column in extras.items():
            if (cleaned := _clean(raw.values.get(column), nulls)) is not None:
                extra[name] = cleaned
        mapped.append(MappedRow(raw.source, raw.row, values, extra, columns))
    return mapped


def _key_columns(key: tuple[str, ...], present: dict[str, None], source: str,
                 report: Report) -> tuple[str, ...]:
    """The composite key's columns, each checked to be in the file."""
    for column in key:
        if column not in present:
            report.error(source, None, "locations.id", f"column '{column}' is not in the file",
                         _column_hint(column, present))
    return key


def _key_text(value: object) -> str:
    """One part of a composite id: 12.0 read from a spreadsheet is 12."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _clean(value: object, nulls: set[str]) -> object | None:
    """Strip text and turn blanks and null markers (`N/A`, `-`...) into None, i.e. missing."""
    if isinstance(value, str):
        value = value.strip()
        return None if not value or value in nulls else value
    if isinstance(value, int | float) and not isinstance(value, bool) and str(value) in nulls:
        return None
    return value


def _field_hint(key: str) -> str:
    lowered = key.strip().lower().replace(" ", "_").replace("-", "_")
    guess = _SYNONYMS.get(lowered) or next(
        iter(get_close_matches(lowered, CANONICAL_FIELDS, n=1, cutoff=0.7)), None)
    suggestion = f"did you mean '{guess}'? " if guess else ""
    return f"{suggestion}use 'extra.{key}: <column>' to keep a column under a name of your own"


def _column_hint(column: str, present: dict[str, None]) -> str:
    by_lower = {c.lower(): c for c in present}
    key = column.lower()
    near = get_close_matches(key, by_lower, n=3, cutoff=0.7)
    near += [c for c in by_lower if c not in near and min(len(c), len(key)) > 1
             and (key in c or c in key)]
    close = [by_lower[c] for c in near[:3]]
    if close:
        return "did you mean " + " or ".join(f"'{c}'" for c in close) + "?"
    names = list(present)
    listed = ", ".join(f"'{c}'" for c in names[:12]) + (", ..." if len(names) > 12 else "")
    return f"the file's columns are {listed}" if names else "the file has no columns"
