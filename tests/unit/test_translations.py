"""Translated data: `name@fr` column names, a JSON/YAML mapping of languages, masking."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from support.sites import sample_location

from sitegen.config.schema import LocationsSection, language_problem
from sitegen.data.locations import validate_rows
from sitegen.data.mapping import TRANSLATABLE, RowMapping, map_rows, translated_field
from sitegen.data.masking import mask_location
from sitegen.data.readers import RawRow
from sitegen.diagnostics import Report

CODES = st.from_regex(r"[a-z]{2,3}(-[A-Z][a-z]{3})?(-[A-Z]{2})?", fullmatch=True)


@given(st.sampled_from(TRANSLATABLE), CODES)
def test_a_translated_column_names_its_field_and_language(field: str, code: str) -> None:
    assert translated_field(f"{field}@{code}") == (field, code)


@given(st.text(max_size=30))
def test_other_column_names_are_not_translations(name: str) -> None:
    found = translated_field(name)
    if found is not None:  # only `<translatable field>@<code>` is one
        field, code = found
        assert name == f"{field}@{code}" and field in TRANSLATABLE
        assert code[:1].islower() and "@" not in code


def test_untranslatable_fields_and_bad_codes_are_ordinary_columns() -> None:
    for name in ("phone@fr", "name@", "name@FR", "name@fr_CA", "@fr", "name@fr@de",
                 "name@<script>", "name@../x"):
        assert translated_field(name) is None, name


def _mapped(values: dict[str, object]) -> dict[str, object]:
    rows = [RawRow("locations/l.json", 2, values)]
    return map_rows(rows, RowMapping.of(LocationsSection(), "en"), Report())[0].values


def test_a_mapping_of_languages_gives_the_default_and_the_translations() -> None:
    values = _mapped({"id": "A", "name": {"en": "Harbour", "fr": "Port", "de": ""},
                      "faqs": {"question": "Q?", "answer": "A."},
                      "description": {"fr": "Au port."}})
    assert values["name"] == "Harbour"
    assert values["name@fr"] == "Port"
    assert "name@de" not in values  # an empty translation is a missing one
    assert values["faqs"] == {"question": "Q?", "answer": "A."}  # one FAQ, not languages
    assert values["description@fr"] == "Au port." and "description" not in values


def test_a_column_wins_over_the_same_translation_in_a_mapping() -> None:
    values = _mapped({"name": {"en": "Harbour", "fr": "Port"}, "name@fr": "Le Port"})
    assert values["name@fr"] == "Le Port"


def test_validated_translations_are_kept_by_language_and_a_bad_faq_is_a_warning() -> None:
    rows = [RawRow("locations/l.csv", 2, {
        "name": "Harbour", "lat": "44.6", "lng": "-63.5", "name@fr": "  Port  ",
        "faqs@fr": "not json", "slug@fr": "port", "hours_note@de": "Mittags zu"})]
    report = Report()
    mapped = map_rows(rows, RowMapping.of(LocationsSection(), "en"), report)
    location = validate_rows(mapped, LocationsSection(), report).locations[0]
    assert location.translations == {"fr": {"name": "Port", "slug": "port"},
                                     "de": {"hours_note": "Mittags zu"}}
    assert [(d.field, d.severity) for d in report.items] == [("faqs@fr", "warning")]


def test_masking_the_name_drops_its_translations_too() -> None:
    location = sample_location(translations={"fr": {"name": "Real Name", "slug": "real-name",
                                                    "description": "Vraie description"}})
    masked = mask_location(location, ["name"], LocationsSection(mask=["name"]))
    assert masked.translations == {"fr": {"description": "Vraie description"}}
    both = mask_location(location, ["name", "description"],
                         LocationsSection(mask=["name", "description"]))
    assert both.translations == {"fr": {}}


def test_language_codes_are_checked_against_babel() -> None:
    assert language_problem("fr") is None
    assert language_problem("fr-CA") is None
    assert language_problem("pt-BR") is None
    assert language_problem("zz") == ("unknown language code 'zz': write a known tag such "
                                      "as fr, de or fr-CA")
    assert language_problem("EN") == ("'EN' is not a language code: write a lowercase BCP 47 "
                                      "tag such as fr, de or fr-CA")
