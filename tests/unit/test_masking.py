"""Masking (`locations.mask`): fake, well-formed, deterministic values per location id."""

from __future__ import annotations

import phonenumbers
from hypothesis import given, settings
from hypothesis import strategies as st
from support.sites import sample_location

from sitegen.config.schema import LocationsSection
from sitegen.data.decoys import DECOYS, MIN_MOVE_KM, NEIGHBOURHOODS, distance_km
from sitegen.data.masking import (
    MASKED_DOMAIN,
    fake_email,
    fake_phone,
    fake_postal_code,
    mask_location,
    mask_locations,
)
from sitegen.data.phones import parse_phone

REGIONS = sorted(phonenumbers.SUPPORTED_REGIONS)


@settings(max_examples=150, deadline=None)
@given(region=st.sampled_from(REGIONS), key=st.text(min_size=1, max_size=20))
def test_fake_phone_parses_as_possible_in_its_region(region: str, key: str) -> None:
    text = fake_phone(region, key)
    phone, problem = parse_phone(text, region)
    assert problem is None, (region, text)
    assert phone.e164 is not None
    assert fake_phone(region, key) == text


def test_north_american_fakes_use_the_fictional_555_01_range() -> None:
    for region in ("US", "CA"):
        number = phonenumbers.parse(fake_phone(region, "x"), region)
        assert phonenumbers.national_significant_number(number)[3:8] == "55501"


def test_mask_replaces_chosen_fields_deterministically() -> None:
    location = sample_location()
    settings_ = LocationsSection(mask=["name", "street", "phone", "email", "website",
                                       "description", "postal_code"])
    masked = mask_location(location, settings_.mask, settings_)
    again = mask_location(location, settings_.mask, settings_)
    assert masked == again
    assert masked.email == fake_email("JO-SF-001") and masked.email.endswith(
        "@" + MASKED_DOMAIN)
    assert masked.phone is not None and masked.phone.e164 is not None
    assert masked.phone.e164 != location.phone.e164  # type: ignore[union-attr]
    assert phonenumbers.region_code_for_number(phonenumbers.parse(masked.phone.e164)) == "US"
    assert "Hayes" not in masked.name and "Hayes" not in (masked.street or "")
    assert masked.website and MASKED_DOMAIN in masked.website
    assert masked.description != location.description
    assert len(masked.postal_code or "") == 5 and (masked.postal_code or "").isdigit()
    # Unchosen fields are kept; another id gets other values.
    assert (masked.city, masked.lat, masked.categories) == ("San Francisco", 37.77, ["Café"])
    other = mask_location(sample_location(id="JO-SF-002"), settings_.mask, settings_)
    assert other.email != masked.email


def test_mask_keeps_the_region_of_a_foreign_number() -> None:
    phone, _ = parse_phone("+44 20 7946 0958", "US")
    location = sample_location(phone=phone)
    settings_ = LocationsSection(mask=["phone"])
    masked = mask_location(location, ["phone"], settings_)
    assert masked.phone is not None and masked.phone.e164 is not None
    assert masked.phone.e164.startswith("+44")


def test_postal_codes_keep_their_shape() -> None:
    assert len(fake_postal_code("SW1A 1AA", "k")) == 8
    code = fake_postal_code("K1A 0B1", "k")
    assert code[3] == " " and code[0].isalpha() and code[1].isdigit()


def test_no_mask_is_a_no_op() -> None:
    locations = [sample_location()]
    assert mask_locations(locations, LocationsSection()) is locations


PLACE_MASK = ["id", "city", "postal_code", "neighbourhood", "image", "coordinates"]


def test_mask_moves_a_location_to_a_decoy_town_20_km_away_or_more() -> None:
    locations = [sample_location(), sample_location(id="JO-SF-002", lat=37.78, lng=-122.41),
                 sample_location(id="JO-LA-001", city="Los Angeles", lat=34.05, lng=-118.24)]
    settings_ = LocationsSection(mask=PLACE_MASK)
    masked = mask_locations(locations, settings_)
    assert masked == mask_locations(locations, settings_)  # the same every build
    real_ids = {loc.id for loc in locations}
    assert len({loc.id for loc in masked}) == 3 and not {loc.id for loc in masked} & real_ids
    for before, after in zip(locations, masked, strict=True):
        assert len(after.id) == len(before.id) and after.id[2] == "-"
        assert after.city in {d.city for d in DECOYS["US"]}
        assert after.city not in ("San Francisco", "Los Angeles")
        decoy = next(d for d in DECOYS["US"] if d.city == after.city)
        assert (after.region, after.postal_code) == (decoy.region, decoy.postal_code)
        assert distance_km(before.lat, before.lng, after.lat, after.lng) >= MIN_MOVE_KM
        assert after.image is None
        assert after.neighbourhood in (None, *NEIGHBOURHOODS)


@settings(max_examples=60, deadline=None)
@given(lat=st.floats(-60, 70), lng=st.floats(-179, 179),
       key=st.text(min_size=1, max_size=12))
def test_masked_coordinates_move_at_least_20_km(lat: float, lng: float, key: str) -> None:
    location = sample_location(id=key, lat=lat, lng=lng, country="ZZ")
    masked = mask_locations([location], LocationsSection(mask=["coordinates"]))[0]
    assert distance_km(lat, lng, masked.lat, masked.lng) >= MIN_MOVE_KM
    assert -90 <= masked.lat <= 90 and -180 <= masked.lng <= 180
