"""`sitegen init --from`'s guesses: which column feeds which field, the encoding, the delimiter."""

from __future__ import annotations

import codecs

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sitegen.data.guess import fold, guess_fields
from sitegen.data.mapping import CANONICAL_FIELDS
from sitegen.data.sniff import sniff_delimiter, sniff_encoding

DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def test_fold_sets_case_accents_and_punctuation_aside() -> None:
    assert fold("Téléphone ") == "telephone"
    assert fold("addr:street") == "addr_street"
    assert fold("Öffnungszeiten") == "offnungszeiten"
    assert fold("Straße") == "strasse"
    assert fold("E-Mail") == "e_mail"
    assert fold("@id") == "id"


@pytest.mark.parametrize(("columns", "expected"), [
    # English CRM export
    (["Store Code", "Store Name", "Address", "Town", "State", "Zip", "Latitude", "Longitude",
      "Telephone", "E-mail", "Web Site", "Opening Hours", "Category"],
     {"id": "Store Code", "name": "Store Name", "street": "Address", "city": "Town",
      "region": "State", "postal_code": "Zip", "lat": "Latitude", "lng": "Longitude",
      "phone": "Telephone", "email": "E-mail", "website": "Web Site",
      "hours": "Opening Hours", "categories": "Category"}),
    # German register
    (["Bezeichnung", "Straße", "Hausnummer", "PLZ", "Ort", "Bundesland", "Breitengrad",
      "Längengrad", "Telefon", "Webseite", "Öffnungszeiten"],
     {"name": "Bezeichnung", "street": "Straße", "house_number": "Hausnummer",
      "postal_code": "PLZ", "city": "Ort", "region": "Bundesland", "lat": "Breitengrad",
      "lng": "Längengrad", "phone": "Telefon", "website": "Webseite",
      "hours": "Öffnungszeiten"}),
    # French open data
    (["Nom", "Adresse", "Code postal", "Commune", "Département", "Latitude", "Longitude",
      "Téléphone", "Courriel", "Site web", "Horaires"],
     {"name": "Nom", "street": "Adresse", "postal_code": "Code postal", "city": "Commune",
      "region": "Département", "lat": "Latitude", "lng": "Longitude", "phone": "Téléphone",
      "email": "Courriel", "website": "Site web", "hours": "Horaires"}),
    # OpenStreetMap tags (an Overpass export, GeoJSON or flattened to CSV)
    (["@id", "name", "addr:housenumber", "addr:street", "addr:postcode", "addr:city",
      "contact:phone", "contact:website", "opening_hours", "amenity", "lat", "lon"],
     {"id": "@id", "name": "name", "house_number": "addr:housenumber",
      "street": "addr:street", "postal_code": "addr:postcode", "city": "addr:city",
      "phone": "contact:phone", "website": "contact:website", "hours": "opening_hours",
      "categories": "amenity", "lat": "lat", "lng": "lon"}),
])
def test_columns_in_english_german_french_and_osm(columns: list[str],
                                                  expected: dict[str, str]) -> None:
    guess = guess_fields(columns)
    assert guess.fields == expected
    assert guess.unused == [c for c in columns if c not in expected.values()]


def test_per_day_hours_and_a_name_column_of_another_name() -> None:
    columns = ["pharmacy_name", "address", "postcode",
               *(f"opening_hours_{day}" for day in DAYS), "ward_name", "la_name"]
    guess = guess_fields(columns)
    assert guess.fields["name"] == "pharmacy_name"
    assert {f"hours.{day}": f"opening_hours_{day}" for day in DAYS}.items() \
        <= guess.fields.items()
    assert "lat" not in guess.fields and guess.unused == ["ward_name", "la_name"]
    german = guess_fields(["Name", "Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag"])
    assert german.fields["hours.monday"] == "Montag"
    # One or two day-named columns are not a week of hours.
    assert "hours.sunday" not in guess_fields(["Name", "Sunday"]).fields


def test_the_first_of_equal_columns_wins_and_a_column_serves_one_field() -> None:
    guess = guess_fields(["Phone", "phone", "Address", "Street"])
    assert guess.fields == {"street": "Street", "phone": "Phone"}
    assert guess.unused == ["phone", "Address"]


@given(st.lists(st.one_of(
    st.text(max_size=30),
    st.sampled_from(["name", "Name", "lat", "lng", "addr:street", "street", "<script>",
                     "../x", "שם", "🏪 name", "Latitude", "opening_hours_monday", "Montag",
                     "id", "@id", "x", "y"])), max_size=25, unique=True))
def test_property_every_field_from_a_real_column_and_no_column_twice(columns: list[str]) -> None:
    guess = guess_fields(columns)
    used = list(guess.fields.values())
    assert len(used) == len(set(used))
    assert set(used) <= set(columns)
    assert set(guess.fields) <= set(CANONICAL_FIELDS)
    assert sorted(used + guess.unused) == sorted(columns)


def test_sniffed_encoding() -> None:
    assert sniff_encoding("Café".encode()) == "utf-8"
    assert sniff_encoding(codecs.BOM_UTF8 + "Café".encode()) == "utf-8"
    assert sniff_encoding("Café".encode("utf-16")) == "utf-16"
    assert sniff_encoding("Bibliothèque – “Nord”".encode("cp1252")) == "cp1252"
    assert sniff_encoding(b"\x81\x8d") == "latin-1"  # bytes cp1252 leaves undefined


@pytest.mark.parametrize(("text", "delimiter"), [
    ("name,street,lat\nA,1 Main St,1.5\nB,2 Main St,2.5\n", ","),
    ('name;street;lat\nA;"1 Main St, Bolton";1,5\nB;"2 Rue X, Niort";2,5\n', ";"),
    ("name\tstreet\tlat\nA\t1 Main St\t1.5\n", "\t"),
    ("name|street|lat\nA|1 Main St, Bolton|1.5\nB|2 Main St|2.5\n", "|"),
    ("name\nA\n", ","),
])
def test_sniffed_delimiter(text: str, delimiter: str) -> None:
    assert sniff_delimiter(text) == delimiter


@given(st.text(max_size=300))
def test_property_sniffing_never_fails(text: str) -> None:
    assert sniff_delimiter(text) in ",;\t|"
    assert sniff_encoding(text.encode("utf-8", "surrogatepass")) in ("utf-8", "cp1252",
                                                                    "latin-1", "utf-16")
