"""Masking (`locations.mask`): fake, well-formed, deterministic values per location id."""

from __future__ import annotations

import phonenumbers
from hypothesis import given, settings
from hypothesis import strategies as st
from support.sites import sample_location

from sitegen.config.schema import LocationsSection
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
