"""Text that reads as written by a person: addresses, slugs, intros, form notices."""

from __future__ import annotations

import random

from hypothesis import given
from hypothesis import strategies as st
from support.sites import sample_location

from sitegen.data.hours import WeeklyHours
from sitegen.data.phones import parse_phone
from sitegen.data.postal import address_text, fold, joined
from sitegen.model.leads import unavailable_notice
from sitegen.model.urls import MAX_SEGMENT, assign_slugs, segment_values
from sitegen.render.intro import english, introduction

# --- addresses ------------------------------------------------------------------------------


def test_the_street_ending_in_the_town_is_not_followed_by_the_town_again() -> None:
    location = sample_location(street="556 Chorley Old Road, Bolton", city="Bolton",
                               region=None, postal_code="BL1 6AB")
    assert location.address_line == "556 Chorley Old Road, Bolton, BL1 6AB"
    assert location.city_shown is None
    county = sample_location(street="Cheetham Hill Road, Manchester, Lancashire",
                             city="MANCHESTER", region="Lancashire", postal_code=None)
    assert county.address_line == "Cheetham Hill Road, Manchester, Lancashire"
    assert county.region_shown is None


def test_only_whole_parts_repeat() -> None:
    assert joined(["Bolton Road", "Bolton"]) == "Bolton Road, Bolton"
    assert joined(["1 Rue de l'Église", "Saint-Maixent", "saint maixent"]) == \
        "1 Rue de l'Église, Saint-Maixent"
    assert joined(["12 Av. Foch, Niort", "Niort", "Nouvelle-Aquitaine"]) == \
        "12 Av. Foch, Niort, Nouvelle-Aquitaine"
    assert address_text("1 High St, Bolton BL1 1AA", ["Bolton"], "BL1 1AA") == \
        "1 High St, Bolton BL1 1AA, Bolton"
    assert address_text(None, ["Niort", None], "79000") == "Niort, 79000"
    assert address_text("1 Main St", ["Springfield", "Springfield"], None) == \
        "1 Main St, Springfield"


@given(st.lists(st.one_of(st.none(), st.text(max_size=20),
                          st.sampled_from(["Bolton", "bolton", "Bolton, Bolton", " ,", "<b>"])),
                max_size=5))
def test_property_no_part_is_written_twice(parts: list[str | None]) -> None:
    text = joined(parts)
    pieces = [p.strip() for p in text.split(", ")] if text else []
    folded = [fold(p) for p in pieces if fold(p)]
    assert len(folded) == len(set(folded))


# --- slugs ----------------------------------------------------------------------------------

PATTERN = "/locations/{city}/{slug}/"
TESCO = "Tesco Instore Pharmacy"


def _slugged(locations: list) -> dict[str, str]:
    for location in locations:
        location.slug = ""
    assign_slugs(locations, PATTERN, [segment_values(loc) for loc in locations])
    return {loc.id: loc.slug for loc in locations}


def test_slugs_are_capped_at_word_boundaries_unique_and_stable() -> None:
    long_name = "The Really Quite Extraordinarily Long Named Community Pharmacy And Wellbeing Hub"
    locations = [
        sample_location(id="FA1", name=TESCO, city="Manchester",
                        street="Tesco Superstore, Cheetham Hill Road, Manchester, Lancashire"),
        sample_location(id="FA2", name=TESCO, city="Manchester",
                        street="Tesco Superstore, Cheetham Hill Road, Manchester, Lancashire, "
                               "Unit 2"),
        sample_location(id="FA3", name=TESCO, city="Manchester", street="Chorlton Road"),
        sample_location(id="FA4", name=long_name, city="Manchester", street="1 Long Lane"),
        sample_location(id="FA5", name=long_name, city="Manchester", street="2 Long Lane"),
    ]
    slugs = _slugged(locations)
    assert slugs["FA3"] == "tesco-instore-pharmacy-chorlton-road"
    # Same first 60 characters: the id, kept whole, tells them apart.
    assert slugs["FA1"].endswith("-fa1") and slugs["FA2"].endswith("-fa2")
    assert slugs["FA1"].startswith("tesco-instore-pharmacy-tesco-superstore-cheetham")
    assert len(set(slugs.values())) == len(slugs)
    for value in slugs.values():
        assert len(value) <= MAX_SEGMENT == 60
        assert not value.endswith("-") and "--" not in value
    # Word boundaries: every word of a slug is a whole word of the text it came from.
    words = set("tesco instore pharmacy superstore cheetham hill road manchester lancashire "
                "unit 2 chorlton fa1 fa2 fa3 fa4 fa5 1 long lane".split()) | \
        set(long_name.lower().split())
    assert all(set(value.split("-")) <= words for value in slugs.values()), slugs
    # Stable: another order, or an unrelated row more or less, changes no slug.
    shuffled = locations[::-1]
    random.Random(4).shuffle(shuffled)
    assert _slugged(shuffled) == slugs
    extra = sample_location(id="ZZ9", name="Boots", city="Manchester", street="Market St")
    assert {k: v for k, v in _slugged([*locations, extra]).items() if k != "ZZ9"} == slugs


# --- intros ---------------------------------------------------------------------------------

def _intro(**changes: object) -> str:
    values: dict[str, object] = {"neighbourhood": None, "hours": None, "extra": {}}
    values.update(changes)
    return introduction(sample_location(**values), [], english("km", "24h"))


def test_the_intro_names_the_business_and_its_category_naturally() -> None:
    boots = _intro(name="Boots", street="556 Chorley Old Road, Bolton", city="Bolton",
                   categories=["Pharmacy"])
    assert boots == "Boots is a pharmacy at 556 Chorley Old Road, Bolton."
    # The name already says what it is: no "Asda Pharmacy is a pharmacy".
    asda = _intro(name="Asda Pharmacy", street="Manchester Road", city="Bolton",
                  categories=["pharmacy"])
    assert asda == "Asda Pharmacy is at Manchester Road, Bolton."
    cafe = _intro(name="Juniper & Oak", street="1 Main St", city="Springfield",
                  categories=["Espresso bar", "ATM", "Wi-Fi"])
    assert cafe == ("Juniper & Oak is an espresso bar at 1 Main St, Springfield. "
                    "It also offers ATM and Wi-Fi.")
    plural = _intro(name="Hub", street="1 Main St", city="Springfield",
                    categories=["Restaurants"])
    assert plural == "Hub is at 1 Main St, Springfield. It offers restaurants."
    for text in (boots, asda, cafe, plural):
        assert "location offers" not in text and "Greater Manchester" not in text


def test_the_intro_says_open_24_hours_and_midnight() -> None:
    always = WeeklyHours({day: [(0, 1440)] for day in
                          ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
                           "sunday")})
    assert "It is open around the clock, every day of the week." in _intro(hours=always)
    late = WeeklyHours({"monday": [(480, 1440)]})
    assert "Monday: 08:00–midnight" in _intro(hours=late)
    assert "23:59" not in _intro(hours=late)


# --- lead form notices ----------------------------------------------------------------------

CLOSED = "Online enquiries are not available at the moment."


def test_a_switched_off_form_offers_only_the_routes_the_location_has() -> None:
    phone, _ = parse_phone("01204 123456", "GB")
    both = sample_location(phone=phone, email="bolton@example.org")
    assert unavailable_notice(both) == \
        f"{CLOSED} Please call us on 01204 123456 or email us at bolton@example.org instead."
    assert unavailable_notice(sample_location(phone=phone, email=None)) == \
        f"{CLOSED} Please call us on 01204 123456 instead."
    assert unavailable_notice(sample_location(phone=None, email="a@example.org")) == \
        f"{CLOSED} Please email us at a@example.org instead."
    assert unavailable_notice(sample_location(phone=None, email=None,
                                              website="https://x.example/")) == \
        f"{CLOSED} Please use our website instead."
    neither = unavailable_notice(sample_location(phone=None, email=None, website=None))
    assert neither == CLOSED
    assert unavailable_notice(None) == f"{CLOSED} Please contact one of our locations directly."
