"""Validation: mapped rows become typed Location records, or diagnostics naming file, row, field.

Nothing is dropped silently: a row is either a Location, or skipped with a diagnostic each
(when `locations.on_error: skip` and the environment is not production), or the build fails.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import json
import operator
import re
from collections.abc import Callable, Generator
from dataclasses import dataclass, field, replace
from dataclasses import fields as dataclass_fields
from typing import Any, ClassVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sitegen.config.schema import LocationsSection
from sitegen.data.coordinates import place_at, zone_at
from sitegen.data.hours import (
    DAYS,
    HoursError,
    Interval,
    SpecialDay,
    WeeklyHours,
    parse_day,
    parse_special_hours,
)
from sitegen.data.lifecycle import (
    LifecycleError,
    Promotion,
    parse_date,
    parse_promotions,
    parse_status,
)
from sitegen.data.mapping import MappedRow, translated_field
from sitegen.data.osmhours import read_hours
from sitegen.data.phones import Phone
from sitegen.data.phones import parse_phone as _parse_phone
from sitegen.data.postal import address_text, repeats
from sitegen.diagnostics import Diagnostic, Report
from sitegen.forking import forked_map
from sitegen.memo import by_identity

# Real datasets repeat the same hours text thousands of times: parse each distinct value once.
# The parsed values are shared between locations and never mutated.
parse_day = functools.lru_cache(maxsize=8192)(parse_day)
parse_phone = functools.lru_cache(maxsize=65536)(_parse_phone)
parse_special_text = functools.lru_cache(maxsize=8192)(parse_special_hours)  # a text cell


@functools.lru_cache(maxsize=1024)
def _known_zone(name: str) -> bool:
    """Whether an IANA time zone exists; zoneinfo keeps only a few zones loaded, so checking
    every row would read the zone files again and again."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


EMAIL = re.compile(r"^[^@\s<>\"']+@[^@\s<>\"']+\.[^@\s<>\"']+$")
URL_FIELDS = ("website", "image", "booking_url")
# A host name as people write a website without its scheme: `www.example.ch`,
# `example.co.uk/shop` (letters, digits and hyphens in dot-separated labels, a letter TLD).
BARE_HOST = re.compile(r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}"
                       r"(?::\d{1,5})?(?:/[^\s\\<>\"']*)?")
# Fields a row may leave empty that sitegen fills from the coordinates (coordinates.py).
DERIVABLE = ("city", "region", "timezone")


@dataclass(frozen=True, slots=True)
class Faq:
    question: str
    answer: str

    per_page: ClassVar[bool] = True  # fingerprinted inline (builder/fingerprint.PerPage)


@dataclass(slots=True)
class Location:
    """A validated location; `slug` and `url` are assigned by the model stage."""

    id: str
    name: str
    street: str | None
    city: str | None
    region: str | None
    postal_code: str | None
    country: str | None
    lat: float
    lng: float
    phone: Phone | None
    email: str | None
    website: str | None
    hours: WeeklyHours | None
    special_hours: list[SpecialDay]
    timezone: str | None
    categories: list[str]
    description: str
    image: str | None
    faqs: list[Faq]
    neighbourhood: str | None
    booking_url: str | None
    extra: dict[str, Any]
    source: str
    row: int
    slug_source: str | None = None
    # As written; the model stage settles them on the build date (model/lifecycle.py).
    status: str = "open"
    status_date: datetime.date | None = None
    promotions: list[Promotion] = field(default_factory=list)
    hours_as_written: str | None = None  # hours no weekly table can hold, shown as written
    holiday_hours: list[Interval] | None = None  # on public holidays ([] closed)
    derived: tuple[str, ...] = ()  # fields filled from the coordinates (DERIVABLE)
    hours_note: str | None = None  # a line shown with the hours ("Closed for lunch 12-13")
    # Other languages' text ({"fr": {"name": ..., "faqs": [...]}}), from `name@fr` columns.
    translations: dict[str, dict[str, Any]] = field(default_factory=dict)
    slug: str = ""
    url: str = ""
    fingerprint: str = field(default="", compare=False)

    @property
    def address_line(self) -> str:
        """Street, city, region and postal code, without the parts the street already names
        ("556 Chorley Old Road, Bolton", not "..., Bolton, Bolton")."""
        return address_text(self.street, (self.city, self.region), self.postal_code)

    @property
    def city_shown(self) -> str | None:
        """The city, unless the street already ends in it (for "{street}, {city}" texts)."""
        return None if repeats([self.street], self.city) else self.city

    @property
    def region_shown(self) -> str | None:
        """The region, unless the street or the city already names it."""
        return None if repeats([self.street, self.city], self.region) else self.region

    def __reduce__(self) -> tuple[Callable[..., Location], tuple[Any, ...]]:
        """Pickled as its fields in the constructor's order, and made again by it: the
        process that validates the rows sends every location back (builder/beside.py) and
        the build cache keeps them, and a slotted object's default state, a dict of its
        fields, is slower both ways. A location with non-ASCII text has each such
        field as UTF-8 bytes: pickling a str makes CPython keep a UTF-8 copy inside the
        string for as long as it lives, and the build cache's pickle would leave a copy of
        every description in the process that writes it, at the build's peak of memory."""
        values = _FIELD_VALUES(self)
        if "".join(map(str, filter(None, _TEXT_VALUES(self)))).isascii():
            return Location, values
        return _with_text, (tuple(value.encode("utf-8", "surrogatepass")
                                  if isinstance(value, str) and not value.isascii() else value
                                  for value in values),)


def _with_text(values: tuple[Any, ...]) -> Location:
    """A Location from its pickled fields, the text kept as UTF-8 bytes decoded."""
    fields: list[Any] = [value.decode("utf-8", "surrogatepass") if isinstance(value, bytes)
                         else value for value in values]
    return Location(*fields)


# Every field of a Location in its constructor's order (all are init fields), and those
# that hold text (a str, or None).
_FIELD_VALUES = operator.attrgetter(*(item.name for item in dataclass_fields(Location)))
_TEXT_VALUES = operator.attrgetter(*(item.name for item in dataclass_fields(Location)
                                     if item.type in ("str", "str | None")))


@dataclass
class ValidationResult:
    locations: list[Location]
    rows_read: int
    rows_skipped: int


RowCache = dict[str, tuple[Location | None, list[Diagnostic]]]


def row_key(row: MappedRow) -> str:
    """The content of a mapped row, independent of its position in the file: every name,
    value type and value, length-prefixed (cheaper than a repr of the sorted items), and
    the columns the fields came from."""
    parts = [_columns_text(row.columns)]
    for fields in (row.values, row.extra):
        parts.append("\x1d")
        for name, value in sorted(fields.items()):
            text = value if type(value) is str else repr(value)
            parts.append(f"{len(name)}:{name}{type(value).__name__}{len(text)}:{text}")
    return hashlib.blake2b("".join(parts).encode("utf-8", "surrogatepass"),
                           digest_size=16).hexdigest()


@by_identity
def _columns_text(columns: dict[str, str]) -> str:
    """repr of the sorted columns, once per mapping (its rows share one columns dict)."""
    return repr(sorted(columns.items()))


def _validate_cached(row: MappedRow, settings: LocationsSection, cache: RowCache | None,
                     fresh: RowCache | None,
                     checked: tuple[str, Location | None, list[Diagnostic]] | None = None
                     ) -> tuple[Location | None, Report]:
    """Validate a row, or reuse the result for an identical row of the previous build (or
    the one a validation process `checked`).

    Cached results are position-free: the row number is put back into the location and its
    diagnostics, and each build gets its own copy (the model stage sets slugs and URLs).
    """
    if checked is not None:
        key, cached = checked[0], checked[1:]
    else:
        key = row_key(row)
        before = cache.get(key) if cache is not None else None
        cached = before if before is not None else _check_row(row, settings, key)[1:]
    if fresh is not None:
        fresh[key] = cached
    template, diagnostics = cached
    row_report = Report([replace(d, path=row.source, line=row.row) for d in diagnostics])
    location = _at_row(template, row.source, row.row) if template else None
    return location, row_report


def _at_row(template: Location, source: str, row: int) -> Location:
    """A copy of a cached location at this file and row: `dataclasses.replace` without
    gathering every field as a keyword (a clean build copies one per row)."""
    location = Location(*_FIELD_VALUES(template))
    location.source, location.row = source, row
    return location


def _check_row(row: MappedRow, settings: LocationsSection, key: str
               ) -> tuple[str, Location | None, list[Diagnostic]]:
    """One row validated, position-free: (row key, location, diagnostics)."""
    row_report = Report()
    location = _validate_row(row, settings, row_report)
    if location is not None:
        location.fingerprint = key
    return key, location, [replace(d, line=None, path="") for d in row_report.items]


PARALLEL_MIN_ROWS = 2000
_SLICE_ROWS = 500


def _check_slice(rows: list[MappedRow], settings: LocationsSection, bounds: tuple[int, int]
                 ) -> list[tuple[str, Location | None, list[Diagnostic]]]:
    return [_check_row(row, settings, row_key(row)) for row in rows[bounds[0]:bounds[1]]]


def _checked_in_parallel(rows: list[MappedRow], settings: LocationsSection, jobs: int
                         ) -> Generator[tuple[str, Location | None, list[Diagnostic]]]:
    """Every row checked by `jobs` forked processes, in row order. Parsing phone numbers,
    hours and dates is most of a clean build's loading, and a row's result depends on the
    row alone."""
    slices = [(start, start + _SLICE_ROWS) for start in range(0, len(rows), _SLICE_ROWS)]
    with forked_map(functools.partial(_check_slice, rows, settings), slices, jobs) as done:
        for checked in done:
            yield from checked


@dataclass(frozen=True)
class Validation:
    """How `validate_rows` goes about it.

    `skip_bad_rows`: a row with errors is left out with warnings (locations.on_error: skip)
    instead of failing the build. `cache` holds the previous build's results by row content;
    `fresh` receives this build's. Without a cache, `jobs` processes check the rows of a big
    dataset. `release`: drop each row from the list once it is validated, so the locations
    take the memory the rows held.
    """

    skip_bad_rows: bool = False
    cache: RowCache | None = None
    fresh: RowCache | None = None
    jobs: int = 1
    release: bool = False


def validate_rows(rows: list[MappedRow], settings: LocationsSection, report: Report,
                  how: Validation | None = None) -> ValidationResult:
    """Validate every row, collecting all diagnostics before deciding what to keep."""
    how = how or Validation()
    skip_bad_rows, cache, fresh, jobs = how.skip_bad_rows, how.cache, how.fresh, how.jobs
    release = how.release
    locations: list[Location] = []
    skipped = 0
    seen_ids: dict[str, int] = {}  # id -> the row that used it first
    rows_read = len(rows)
    parallel = jobs > 1 and not cache and rows_read >= PARALLEL_MIN_ROWS
    checked = _checked_in_parallel(rows, settings, jobs) if parallel else None
    try:
        for index in range(rows_read):
            done = next(checked) if checked else None  # (the processes fork at the first)
            row = rows[index]
            if release:
                rows[index] = None  # type: ignore[call-overload]
            location, row_report = _validate_cached(row, settings, cache, fresh, done)
            if location is not None:
                first = seen_ids.get(location.id)
                if first is not None and _text(row, "id") is None:
                    report.extend(row_report.items)
                    report.warning(row.source, row.row, None,
                                   f"duplicate of row {first}: same name and address, "
                                   f"so the same derived id '{location.id}'; only row "
                                   f"{first} is built",
                                   "remove one of the rows, or map locations.id (a list of "
                                   "columns for a composite key) to tell them apart")
                    skipped += 1
                    continue
                if first is not None:
                    row_report.error(row.source, row.row, _label(row, "id"),
                                     f"duplicate id '{location.id}' "
                                     f"(first used on row {first})",
                                     "every location needs its own id")
                else:
                    seen_ids[location.id] = row.row
            if row_report.errors:
                if skip_bad_rows:
                    skipped += 1
                    report.extend(_as_warning(d) for d in row_report.items)
                    report.warning(row.source, row.row, None, "row skipped",
                                   "fix the errors above; locations.on_error: skip is active")
                    continue
                report.extend(row_report.items)
                continue
            report.extend(row_report.items)
            if location is not None:
                locations.append(location)
    finally:
        if checked is not None:
            checked.close()
    return ValidationResult(locations, rows_read, skipped)


def _as_warning(diagnostic: Diagnostic) -> Diagnostic:
    return replace(diagnostic, severity="warning")


def _label(row: MappedRow, name: str) -> str:
    column = row.columns.get(name)
    return name if column in (None, name) else f"{name} (column '{column}')"


def _text(row: MappedRow, name: str) -> str | None:
    value = row.values.get(name)
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    return text or None


def _validate_row(row: MappedRow, settings: LocationsSection, report: Report
                  ) -> Location | None:
    """A row as a Location, or None when it has no name or cannot be placed (no
    coordinates). Every optional field that cannot be read is dropped or shown as written,
    with a warning: it never costs the row its page."""
    def err(name: str, message: str, hint: str | None = None) -> None:
        report.error(row.source, row.row, _label(row, name), message, hint)

    def warn(name: str, message: str, hint: str | None = None) -> None:
        report.warning(row.source, row.row, _label(row, name), message, hint)

    name = _text(row, "name")
    if not name:
        err("name", "required field is missing", "every location needs a name")
    lat = _coordinate(row, "lat", -90, 90, err)
    lng = _coordinate(row, "lng", -180, 180, err)
    street, city, region = _street(row, settings), _text(row, "city"), _text(row, "region")
    derived: list[str] = []
    if lat is not None and lng is not None and (not city or not region):
        place = place_at(lat, lng)
        if not city and place.city:
            city = place.city
            derived.append("city")
        if not region and place.region:
            region = place.region
            derived.append("region")

    phone = None
    raw_phone = _text(row, "phone")
    if raw_phone:
        region_code = _text(row, "country") if settings.phone_region is None \
            else settings.phone_region
        phone, problem = parse_phone(raw_phone, region_code)
        if problem:
            warn("phone", problem, "shown as written, without a tel: link")

    email = _text(row, "email")
    if email and not EMAIL.match(email):
        warn("email", f"'{email}' is not an email address", "shown without a mailto: link")

    urls = {url_field: _url(row, url_field, warn) for url_field in URL_FIELDS}
    hours, holidays, as_written = _hours(row, warn)
    special: list[SpecialDay] = []
    raw_special = row.values.get("special_hours")
    if raw_special not in (None, ""):
        try:
            special = parse_special_text(raw_special) if isinstance(raw_special, str) \
                else parse_special_hours(raw_special)  # type: ignore[arg-type]
        except HoursError as exc:
            warn("special_hours", exc.message, f"{exc.hint}; left off the page" if exc.hint
                 else "left off the page")

    timezone = _text(row, "timezone") or settings.timezone
    if timezone and not _known_zone(timezone):
        warn("timezone", f"unknown time zone '{timezone}'", "write an IANA name such as "
             "Europe/London or America/New_York; the zone at the coordinates is used")
        timezone = None
    if not timezone and lat is not None and lng is not None:
        timezone = zone_at(lat, lng)
        derived.append("timezone")

    faqs = _faqs(row.values.get("faqs"), warn)
    status, status_date, promotions = _lifecycle(row, err, warn)
    categories = _categories(row.values.get("categories"), settings.categories_separator)
    description = _text(row, "description") or ""
    postal_code = _text(row, "postal_code")
    if name is None or lat is None or lng is None:
        return None
    identifier = _text(row, "id") or _derived_id(
        name, street, None if "city" in derived else city, postal_code,
        None if street or "city" not in derived else (lat, lng))
    return Location(
        id=identifier, name=name, street=street, city=city, region=region,
        postal_code=postal_code, country=_text(row, "country"), lat=lat, lng=lng,
        phone=phone, email=email if email and EMAIL.match(email) else None,
        website=urls["website"], hours=hours, special_hours=special, timezone=timezone,
        categories=categories, description=description, image=urls["image"], faqs=faqs,
        neighbourhood=_text(row, "neighbourhood"), booking_url=urls["booking_url"],
        extra={k: v for k, v in sorted(row.extra.items())}, source=row.source, row=row.row,
        slug_source=_text(row, "slug"), hours_as_written=as_written, holiday_hours=holidays,
        derived=tuple(derived), hours_note=_text(row, "hours_note"),
        translations=_translations(row, warn),
        status=status, status_date=status_date, promotions=promotions,
    )


def _translations(row: MappedRow, warn: Any) -> dict[str, dict[str, Any]]:
    """The row's `name@fr` style values, by language: text stripped, FAQs parsed (a bad
    one is left off with a warning, as in the default language)."""
    out: dict[str, dict[str, Any]] = {}
    for key in sorted(row.values):
        found = translated_field(key)
        if found is None:
            continue
        name, code = found
        if name == "faqs":
            value: Any = _faqs(row.values[key], lambda _f, message, hint=None, k=key:
                               warn(k, message, hint))
        else:
            value = _text(row, key)
        if value:
            out.setdefault(code, {})[name] = value
    return out


def _lifecycle(row: MappedRow, err: Any, warn: Any
               ) -> tuple[str, datetime.date | None, list[Promotion]]:
    """status, status_date and promotions (data/lifecycle.py); a bad value is an error."""
    status, status_date, promotions = "open", None, []
    raw = row.values.get("status")
    known = True
    if raw not in (None, ""):
        try:
            status = parse_status(raw)
        except LifecycleError as exc:
            err("status", exc.message, exc.hint)
            known = False
    raw = row.values.get("status_date")
    if raw not in (None, ""):
        try:
            status_date = parse_date(raw)
        except LifecycleError as exc:
            err("status_date", exc.message, exc.hint)
        if known and status == "open" and status_date is not None:
            warn("status_date", "a status_date with status open has no effect",
                 "set status to coming_soon, temporarily_closed or closed, or clear the date")
            status_date = None
    raw = row.values.get("promotions")
    if raw not in (None, ""):
        try:
            promotions = parse_promotions(raw, safe_url)
        except LifecycleError as exc:
            err("promotions", exc.message, exc.hint)
    return status, status_date, promotions


# Where the house number follows the street name ("Hauptstraße 12", "Via Roma 12").
NUMBER_AFTER_STREET = frozenset(
    "AT BA BE BG CH CZ DE DK EE ES FI HR HU IS IT LI LT LU LV NL NO PL PT RO RS SE SI SK"
    .split())


def _street(row: MappedRow, settings: LocationsSection) -> str | None:
    """The street, with the house number of a dataset that keeps it apart (OpenStreetMap's
    addr:housenumber) on the side the country writes it: after the street name in most of
    continental Europe, before it elsewhere (France, the UK, the Americas)."""
    street, number = _text(row, "street"), _text(row, "house_number")
    if not street or not number or street.startswith(number + " ") \
            or street.endswith(" " + number):
        return street
    country = (_text(row, "country") or settings.phone_region or "").upper()
    return f"{street} {number}" if country in NUMBER_AFTER_STREET else f"{number} {street}"


def _coordinate(row: MappedRow, name: str, low: float, high: float, err: Any) -> float | None:
    value = row.values.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        err(name, "required field is missing",
            "every location needs coordinates: sitegen does not look addresses up")
        return None
    try:
        number = float(str(value).strip())
    except ValueError:
        hint = "use a dot as decimal separator" if "," in str(value) else "write a decimal number"
        err(name, f"'{value}' is not a number", hint)
        return None
    if not (low <= number <= high) or number != number:
        # Quote the value as written: `:g` rounds 139.7817 to 139.782, which is not in the file.
        err(name, f"{str(value).strip()} is out of range [{low:g}, {high:g}]",
            "check that latitude and longitude are not swapped")
        return None
    return number


def _url(row: MappedRow, name: str, warn: Any) -> str | None:
    """An http(s) or site-relative URL; a bare host name (`www.example.ch`) gains https://,
    anything else is left off with a warning."""
    value = _text(row, name)
    if not value or safe_url(value):
        return value
    if BARE_HOST.fullmatch(value):
        fixed = f"https://{value}"
        warn(name, f"'{value}' has no scheme: linked as {fixed}", "write the full URL "
             "to choose http:// or another address")
        return fixed
    warn(name, f"'{value[:80]}' is not an http(s) or site-relative URL",
         "left off the page; write https://... or /path")
    return None


def _hours(row: MappedRow, warn: Any
           ) -> tuple[WeeklyHours | None, list[Interval] | None, str | None]:
    """(weekly hours, public-holiday hours, text shown as written) of a row."""
    text = row.values.get("hours")
    if text not in (None, ""):
        reading = read_hours(str(text).strip())
        if reading.problem:
            warn("hours", reading.problem, reading.hint)
        return reading.hours, reading.holidays, reading.as_written
    days: dict[str, list[tuple[int, int]]] = {}
    for day in DAYS:
        value = row.values.get(f"hours.{day}")
        if value in (None, ""):
            continue
        try:
            days[day] = parse_day(str(value))
        except HoursError as exc:
            warn(f"hours.{day}", exc.message,
                 f"{exc.hint}; the day is shown as not available" if exc.hint else None)
    return (WeeklyHours(days) if days else None), None, None


def _faqs(value: Any, warn: Any) -> list[Faq]:
    if value in (None, ""):
        return []
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError:
            warn("faqs", "FAQs must be a JSON list of {question, answer}",
                 'left off the page; write [{"question": "...", "answer": "..."}]')
            return []
    out = []
    if not isinstance(value, list):
        value = [value]
    for item in value:
        if isinstance(item, dict) and item.get("question") and item.get("answer"):
            out.append(Faq(str(item["question"]).strip(), str(item["answer"]).strip()))
        else:
            warn("faqs", "each FAQ needs a question and an answer",
                 'left off the page; write {"question": "...", "answer": "..."}')
    return out


def _categories(value: Any, separator: str | None) -> list[str]:
    if value in (None, ""):
        return []
    items = value if isinstance(value, list) else str(value).split(separator or ",")
    seen: dict[str, None] = {}
    for item in items:
        text = str(item).strip()
        if text:
            seen.setdefault(text, None)
    return list(seen)


def safe_url(value: str) -> bool:
    """Only http(s) URLs and site-relative paths: no javascript:, data: or protocol-relative."""
    lowered = re.sub(r"[\x00-\x20]", "", value).lower()
    if lowered.startswith(("http://", "https://")):
        return True
    return value.startswith("/") and not value.startswith("//") and "\\" not in value


def _derived_id(name: str, street: str | None, city: str | None, postal: str | None,
                where: tuple[float, float] | None = None) -> str:
    """A stable id when the dataset has none: the same name and address give the same id.
    A row with no address of its own (`where`) is told apart by its coordinates, rounded
    to about a metre."""
    key = "|".join((p or "").casefold().strip() for p in (name, street, city, postal))
    if where is not None:
        key += f"|{where[0]:.5f},{where[1]:.5f}"
    return "loc-" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:10]
