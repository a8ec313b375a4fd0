"""Guess a dataset's `locations.fields` from its column names, for `sitegen init --from`.

A column is matched by its name written plainly: case, accents, spaces and punctuation
folded ("Téléphone" and "TELEPHONE" are both `telephone`, OpenStreetMap's `addr:street` is
`addr_street`), then a leading `addr_`/`contact_` dropped when the full name matches nothing.
Each field takes the first column that matches the field's names, in the order listed here
(English, German, French, then OpenStreetMap's), and a column serves one field only. The guess
is printed and written into the config for the user to confirm, never applied silently.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from sitegen.data.mapping import CANONICAL_FIELDS

# canonical field -> column names (folded), best first
NAMES: dict[str, tuple[str, ...]] = {
    "id": ("id", "ref", "identifier", "store_id", "store_code", "location_id", "branch_id",
           "site_id", "code", "ods_code", "organisation_code", "organization_code",
           "organisation_data_service_code", "kennung", "identifiant", "siret", "ref_fr_finess",
           "finess", "uuid"),
    "name": ("name", "title", "business_name", "store_name", "location_name", "branch_name",
             "site_name", "shop_name", "company", "company_name", "organisation_name",
             "organization_name", "libname", "bezeichnung", "firma", "firmenname",
             "standortname", "filialname", "nom", "nom_etablissement", "raison_sociale",
             "denomination", "enseigne", "libelle"),
    "street": ("street", "address", "street_address", "address1", "address_1", "address_line_1",
               "address_line1", "addressline1", "addr1", "strasse", "str", "anschrift",
               "adresse", "adresse1", "adresse_1", "rue", "voie"),
    "city": ("city", "town", "locality", "municipality", "post_town", "town_city", "city_name",
             "ort", "stadt", "gemeinde", "ortschaft", "wohnort", "ville", "commune", "localite"),
    "region": ("region", "state", "province", "county", "state_code", "stabr", "bundesland",
               "kanton", "departement", "department", "canton", "province_state"),
    "postal_code": ("postal_code", "postcode", "post_code", "zip", "zipcode", "zip_code",
                    "postalcode", "plz", "postleitzahl", "code_postal", "codepostal", "cp",
                    "npa"),
    "country": ("country", "country_code", "countrycode", "land", "staat", "pays"),
    "lat": ("lat", "latitude", "geo_lat", "lat_wgs84", "latitude_wgs84", "breite",
            "breitengrad", "y"),
    "lng": ("lng", "lon", "long", "longitude", "geo_lon", "geo_lng", "lon_wgs84",
            "longitude_wgs84", "longitud", "lange", "laenge", "laengengrad", "langengrad", "x"),
    "phone": ("phone", "telephone", "tel", "phone_number", "telephone_number", "phonenumber",
              "phone1", "telefon", "telefonnummer", "rufnummer", "numero_de_telephone",
              "tel_fixe", "telephone_fixe"),
    "email": ("email", "e_mail", "mail", "email_address", "courriel", "adresse_mail",
              "adresse_e_mail"),
    "website": ("website", "url", "web", "homepage", "web_site", "webaddr", "web_address",
                "webaddress", "www", "internet",
                "webseite", "internetseite", "site_web", "site_internet"),
    "hours": ("opening_hours", "hours", "opening_times", "openinghours", "business_hours",
              "oeffnungszeiten", "offnungszeiten", "horaires", "horaires_d_ouverture",
              "heures_d_ouverture"),
    "categories": ("categories", "category", "type", "kategorie", "kategorien", "categorie",
                   "branche", "amenity", "shop", "healthcare", "craft", "office"),
    "timezone": ("timezone", "time_zone", "tz", "zeitzone", "fuseau_horaire"),
    "description": ("description", "about", "summary", "beschreibung", "presentation"),
    "image": ("image", "image_url", "photo", "picture", "bild", "foto"),
    "neighbourhood": ("neighbourhood", "neighborhood", "suburb", "district", "quarter",
                      "stadtteil", "ortsteil", "quartier"),
    "booking_url": ("booking_url", "booking", "appointment_url", "reservation_url"),
}
HOUSE_NUMBERS = ("house_number", "addr_housenumber", "housenumber", "hausnummer", "hnr",
                 "numero", "numero_voie", "street_number")
PREFIXES = ("addr_", "contact_")
DAY_NAMES: dict[str, tuple[str, ...]] = {
    "monday": ("monday", "mon", "montag", "lundi"),
    "tuesday": ("tuesday", "tue", "tues", "dienstag", "mardi"),
    "wednesday": ("wednesday", "wed", "mittwoch", "mercredi"),
    "thursday": ("thursday", "thu", "thur", "thurs", "donnerstag", "jeudi"),
    "friday": ("friday", "fri", "freitag", "vendredi"),
    "saturday": ("saturday", "sat", "samstag", "sonnabend", "samedi"),
    "sunday": ("sunday", "sun", "sonntag", "dimanche"),
}
HOURS_WORDS = {"hours", "opening", "open", "times", "oeffnungszeiten", "offnungszeiten",
               "zeiten", "horaires", "heures"}
# A "..._name" column that names something other than the location (a ward, a borough).
NOT_A_NAME = {"la", "ward", "city", "town", "street", "region", "county", "state", "board",
              "district", "country", "contact", "manager", "owner", "first", "last", "user",
              "file", "alt", "old", "official", "short", "brand", "operator"}
_NOT_WORD = re.compile(r"[^a-z0-9]+")


def fold(column: str) -> str:
    """A column name written plainly: "Téléphone " -> "telephone", "addr:street" ->
    "addr_street", "Öffnungszeiten" -> "offnungszeiten"."""
    decomposed = unicodedata.normalize("NFKD", column.casefold())
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    return _NOT_WORD.sub("_", plain).strip("_")


@dataclass(frozen=True)
class Guess:
    """The guessed mapping (canonical field -> column), the columns left for templates as
    extras, and the columns of a composite id."""

    fields: dict[str, str]
    unused: list[str]
    key: list[str] = field(default_factory=list)  # a two-column id (`locations.id: [A, B]`)


def guess_fields(columns: Sequence[str]) -> Guess:
    """Which column feeds which field, from the column names alone."""
    folded = {column: fold(column) for column in columns}
    taken: set[str] = set()
    fields: dict[str, str] = {}

    def find(names: Iterable[str]) -> str | None:
        wanted = list(names)
        for form in (_full, _unprefixed):
            by_form = {form(folded[c]): c for c in reversed(columns) if c not in taken}
            for name in wanted:
                if name in by_form:
                    return by_form[name]
        return None

    for name in ("name", "lat", "lng", "street", "city", "postal_code", "region", "country",
                 "phone", "email", "website", "hours", "timezone", "description", "image",
                 "neighbourhood", "booking_url", "categories", "id"):
        column = find(NAMES[name])
        if column is None and name == "name":
            column = _named_column(columns, folded, taken)
        if column is not None:
            taken.add(column)
            fields[name] = column
    if "hours" not in fields:
        for day, column in _day_columns(columns, folded, taken).items():
            taken.add(column)
            fields[f"hours.{day}"] = column
    number = find(HOUSE_NUMBERS)
    if number is not None and "street" in fields:
        taken.add(number)
        fields["house_number"] = number
    shown = ("id", "name", "house_number", *(f for f in CANONICAL_FIELDS if f != "id"))
    order = {name: index for index, name in enumerate(dict.fromkeys(shown))}
    ordered = dict(sorted(fields.items(), key=lambda item: order[item[0]]))
    return Guess(ordered, [c for c in columns if c not in taken])


def _full(name: str) -> str:
    return name


def _unprefixed(name: str) -> str:
    for prefix in PREFIXES:
        if name.startswith(prefix):
            return name[len(prefix):]
    return name


def _named_column(columns: Sequence[str], folded: dict[str, str], taken: set[str]
                  ) -> str | None:
    """A "pharmacy_name" or "Name of store" column when none is just "name"."""
    for column in columns:
        words = folded[column].split("_")
        if column not in taken and "name" in words and len(words) > 1 \
                and not NOT_A_NAME.intersection(words):
            return column
    return None


def _day_columns(columns: Sequence[str], folded: dict[str, str], taken: set[str]
                 ) -> dict[str, str]:
    """Per-day hours columns ("opening_hours_monday", "Mon", "Montag", "horaires_lundi")."""
    found: dict[str, str] = {}
    for column in columns:
        words = folded[column].split("_")
        for day, names in DAY_NAMES.items():
            if column in taken or day in found or not set(names).intersection(words):
                continue
            if len(words) == 1 or HOURS_WORDS.intersection(words):
                found[day] = column
    return found if len(found) >= 5 else {}
