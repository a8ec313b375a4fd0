"""Masking: replace chosen location fields with fake, well-formed values (`locations.mask`).

Staging-like environments may publish masked data instead of the real contact details:

    locations:
      mask: [phone, email]

Masking runs after validation and before the site model, so every page, JSON-LD block and
data file sees only the fake values. Each fake value is derived from a hash of the field name
and the location's id, so two builds of the same dataset are byte-identical and a location
keeps the same fake values from build to build. Fake values are well formed:

- phone: a number that parses with phonenumbers in the location's region (in the US and
  Canada, the fictional 555-01xx range); shown in national format;
- email: `location-<hash>@example.invalid` (`.invalid` is reserved, RFC 2606, so mail to it
  can never reach anyone; the production guard rails refuse any output containing it);
- name, street, website, booking URL, description, postal code: neutral placeholders
  (masking the name changes the location's slug and URL, because slugs come from names);
- id: the same shape (letters for letters, digits for digits), never an id of the dataset
  (the content's `locations/<id>.md` pages, written about the real place, no longer attach:
  each is reported with a warning);
- city: a decoy town of the same country (data/decoys.py), never a town of the dataset and at
  least 20 km away, with its region (and its postal code when `postal_code` is masked too);
  the coordinates move to it (within 3 km);
- coordinates: moved 25 to 60 km in a direction drawn from the id (to the decoy town when
  `city` is masked);
- neighbourhood: one of a list of generic ones (never one of the dataset);
- image: removed (the theme shows its layout without a photo): the photo shows the place.

Production refuses `locations.mask` when the config is loaded (config/policy.py).
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from sitegen.config.schema import LocationsSection
from sitegen.data.decoys import NEIGHBOURHOODS, Place, moved, pick_decoy, scramble
from sitegen.data.locations import Location
from sitegen.data.phones import Phone, parse_phone

MASKED_DOMAIN = "example.invalid"
DEFAULT_REGION = "US"


def _digest(field: str, key: str) -> bytes:
    return hashlib.sha256(f"sitegen-mask|{field}|{key}".encode()).digest()


def _number(field: str, key: str, modulo: int) -> int:
    return int.from_bytes(_digest(field, key)[:8], "big") % modulo


def fake_email(key: str) -> str:
    """`location-<8 hex>@example.invalid`, the same for the same key."""
    return f"location-{_digest('email', key).hex()[:8]}@{MASKED_DOMAIN}"


def fake_phone(region: str | None, key: str) -> str:
    """A fictional number, written in national format, that parses as possible in `region`."""
    import phonenumbers  # where numbers are masked: see data/phones.py
    from phonenumbers import PhoneNumberFormat, PhoneNumberType

    region = (region or DEFAULT_REGION).upper()
    if phonenumbers.country_code_for_region(region) == 0:
        region = DEFAULT_REGION
    if phonenumbers.country_code_for_region(region) == 1:
        example = phonenumbers.example_number(region)
        area = phonenumbers.national_significant_number(example)[:3] if example else "201"
        # 555-0100 to 555-0199 are reserved for fiction in the North American plan.
        text = f"({area}) 555-01{_number('phone', key, 100):02d}"
        if _possible(text, region):
            return text
    example = (phonenumbers.example_number_for_type(region, PhoneNumberType.FIXED_LINE)
               or phonenumbers.example_number(region))
    if example is None:
        return fake_phone(DEFAULT_REGION, key)
    digits = phonenumbers.national_significant_number(example)
    keep = max(len(digits) - 4, 2)
    tail = f"{_number('phone', key, 10 ** (len(digits) - keep)):0{len(digits) - keep}d}"
    candidate = phonenumbers.parse(digits[:keep] + tail, region)
    if not phonenumbers.is_possible_number(candidate):
        candidate = example
    return phonenumbers.format_number(candidate, PhoneNumberFormat.NATIONAL)


def _possible(text: str, region: str) -> bool:
    import phonenumbers

    try:
        return phonenumbers.is_possible_number(phonenumbers.parse(text, region))
    except phonenumbers.NumberParseException:
        return False


def phone_region(location: Location, settings: LocationsSection) -> str:
    """The region a location's numbers are read in: the real number's, else config, else country."""
    import phonenumbers

    if location.phone is not None and location.phone.e164:
        try:
            region = phonenumbers.region_code_for_number(phonenumbers.parse(location.phone.e164))
        except phonenumbers.NumberParseException:
            region = None
        if region and region != "ZZ":
            return region
    region = (settings.phone_region or location.country or DEFAULT_REGION).upper()
    return region if phonenumbers.country_code_for_region(region) else DEFAULT_REGION


def fake_postal_code(value: str, key: str) -> str:
    """Same shape as the real code: digits stay digits, letters stay letters."""
    digest = _digest("postal_code", key)
    out = []
    for index, char in enumerate(value):
        byte = digest[index % len(digest)]
        if char.isdigit():
            out.append(str(byte % 10))
        elif char.isalpha():
            letter = chr(ord("A") + byte % 26)
            out.append(letter if char.isupper() else letter.lower())
        else:
            out.append(char)
    return "".join(out)


def mask_location(location: Location, fields: Iterable[str], settings: LocationsSection
                  ) -> Location:
    """A copy of `location` with each named field replaced by its fake value."""
    key = location.id
    tag = _digest("name", key).hex()[:6].upper()
    changes: dict[str, Any] = {}
    for name in fields:
        if name == "phone" and location.phone is not None:
            region = phone_region(location, settings)
            phone, _ = parse_phone(fake_phone(region, key), region)
            changes["phone"] = phone if phone.e164 else Phone(phone.raw, None, None)
        elif name == "email" and location.email:
            changes["email"] = fake_email(key)
        elif name == "name":
            changes["name"] = f"Location {tag}"
            changes["slug_source"] = None
        elif name == "street" and location.street:
            changes["street"] = f"{100 + _number('street', key, 900)} Example Street"
        elif name == "website" and location.website:
            changes["website"] = f"https://www.{MASKED_DOMAIN}/{tag.lower()}/"
        elif name == "description" and location.description:
            changes["description"] = "This description is masked in this environment."
        elif name == "booking_url" and location.booking_url:
            changes["booking_url"] = f"https://www.{MASKED_DOMAIN}/book/{tag.lower()}/"
        elif name == "postal_code" and location.postal_code:
            changes["postal_code"] = fake_postal_code(location.postal_code, key)
    hidden = {"name", "slug"} if "name" in fields else set()
    hidden |= {"description"} if "description" in fields else set()
    if hidden and location.translations:  # their languages show the masked text instead
        changes["translations"] = {code: {k: v for k, v in texts.items() if k not in hidden}
                                   for code, texts in location.translations.items()}
    return replace(location, **changes) if changes else location


def mask_place(location: Location, fields: Iterable[str], taken: dict[str, set[str]]
               ) -> Location:
    """The id, town, coordinates, neighbourhood and image of `location` masked (the fields
    of the module docstring), from a random source seeded by its id: the same every build.
    `taken`: the dataset's own ids, towns and neighbourhoods (lower case), never used."""
    fields = set(fields)
    rng = random.Random(_digest("place", location.id))
    changes: dict[str, Any] = {}
    if "id" in fields:
        changes["id"] = scramble(location.id, taken["id"], rng)
        taken["id"].add(changes["id"].lower())
    place = Place(location.country or DEFAULT_REGION, location.lat, location.lng)
    if "city" in fields:
        decoy = pick_decoy(place, taken["city"], rng, _number("city", location.id, 1000))
        changes.update(city=decoy.city, region=decoy.region or location.region,
                       lat=round(decoy.lat + rng.uniform(-0.015, 0.015), 5),
                       lng=round(decoy.lng + rng.uniform(-0.015, 0.015), 5))
        if "postal_code" in fields and decoy.postal_code:
            changes["postal_code"] = decoy.postal_code
    elif "coordinates" in fields:
        lat, lng = moved(place, rng)
        changes.update(lat=round(lat, 5), lng=round(lng, 5))
    if "neighbourhood" in fields and location.neighbourhood:
        changes["neighbourhood"] = rng.choice(
            [n for n in NEIGHBOURHOODS if n.lower() not in taken["neighbourhood"]] or ["Centre"])
    if "image" in fields:
        changes["image"] = None
    return replace(location, **changes) if changes else location


def mask_locations(locations: list[Location], settings: LocationsSection) -> list[Location]:
    """Apply `settings.mask` to every location (no-op when the list is empty)."""
    if not settings.mask:
        return locations
    taken = {"id": {loc.id.lower() for loc in locations},
             "city": {(loc.city or "").lower() for loc in locations},
             "neighbourhood": {(loc.neighbourhood or "").lower() for loc in locations}}
    return [mask_place(mask_location(location, settings.mask, settings), settings.mask, taken)
            for location in locations]
