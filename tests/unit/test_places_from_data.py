"""Values read from the data itself: places and time zones at coordinates (offline), and the
separator of a list column."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sitegen.data.coordinates import place_at, zone_at
from sitegen.data.separators import CANDIDATES, detect_separator


@pytest.mark.parametrize(("lat", "lng", "city", "region", "country"), [
    (46.3205, -0.4566, "Niort", "Nouvelle-Aquitaine", "FR"),
    (53.5776, -2.4282, "Bolton", "England", "GB"),
    (46.9490, 7.4470, "Bern", "Bern", "CH"),
])
def test_place_at_is_the_nearest_gazetteer_place(lat: float, lng: float, city: str, region: str,
                                                  country: str) -> None:
    place = place_at(lat, lng)
    assert (place.city, place.region, place.country_code) == (city, region, country)


@pytest.mark.parametrize(("lat", "lng", "zone"), [
    (49.2827, -123.1207, "America/Vancouver"),
    (51.5074, -0.1278, "Europe/London"),
    (46.3205, -0.4566, "Europe/Paris"),
    (-33.8688, 151.2093, "Australia/Sydney"),
    (40.6936, -89.5890, "America/Chicago"),
])
def test_zone_at_is_the_iana_zone_holding_the_point(lat: float, lng: float, zone: str) -> None:
    assert zone_at(lat, lng) == zone


@given(st.floats(-90, 90), st.floats(-180, 180))
def test_every_point_on_earth_has_a_zone(lat: float, lng: float) -> None:
    zone = zone_at(lat, lng)
    assert zone is not None and "/" in zone or zone == "UTC"


@pytest.mark.parametrize(("values", "separator", "cells"), [
    (["Food|Drink", "Food", "Wine|Beer|Food"], "|", 2),
    (["a; b", "c;d", "e"], ";", 2),
    (["a, b", "c"], ",", 1),
    (["Food, drink|Wine", "Cafe|Bar, grill"], "|", 2),  # commas inside names, | between
    (["one", "two"], ",", 0),
    ([None, "", 3, "x|y"], "|", 1),
])
def test_the_separator_most_cells_use_wins(values: list[object], separator: str,
                                           cells: int) -> None:
    found = detect_separator(values)
    assert (found.separator, found.cells) == (separator, cells)


@given(st.sampled_from(CANDIDATES),
       st.lists(st.lists(st.text(alphabet="abcdefgh xyz", min_size=1, max_size=8),
                         min_size=2, max_size=4), min_size=1, max_size=20))
def test_a_column_joined_with_one_separator_is_detected(separator: str,
                                                        lists: list[list[str]]) -> None:
    cells = [separator.join(items) for items in lists]
    found = detect_separator(cells)
    assert found.separator == separator and found.cells == found.total == len(cells)
