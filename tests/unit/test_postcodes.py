"""Postcode keys (data/postcodes.py) and the gazetteer's name folding (data/gazetteer.py)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sitegen.data.gazetteer import fold
from sitegen.data.postcodes import canonical, is_full, keys, rule


@pytest.mark.parametrize(("country", "text", "expected"), [
    ("GB", "M14 5AB", ["M145AB", "M14", "M"]),
    ("GB", " m14 5ab ", ["M145AB", "M14", "M"]),
    ("GB", "EC1A 1BB", ["EC1A1BB", "EC1A", "EC"]),
    ("GB", "BL3", ["BL3", "BL"]),
    ("GB", "M2", ["M2", "M"]),
    ("GB", "M", []),
    ("GB", "97205", []),
    ("US", "97205", ["97205", "972"]),
    ("US", "97205-1234", ["97205", "972"]),
    ("US", "972", ["972"]),
    ("US", "9720", []),
    ("US", "M14 5AB", []),
    ("CA", "M5V 2T6", ["M5V2T6", "M5V"]),
    ("CA", "k1n", ["K1N"]),
    ("CA", "97205", []),
    ("FR", "79000", ["79000", "790", "79"]),
    ("FR", "Niort", []),
    ("GB", "<script>", []),
    ("US", "٩٧٢٠٥", []),  # Arabic-Indic digits are not a ZIP code
    ("GB", "M14 5AB 🏥", ["M145AB", "M14", "M"]),
])
def test_keys_most_precise_first(country: str, text: str, expected: list[str]) -> None:
    assert keys(country, text) == expected


def test_rules_and_whole_postcodes() -> None:
    assert [rule(c) for c in ("GB", "gb", "US", "CA", "FR")] == ["gb", "gb", "us", "ca", "digits"]
    assert is_full("GB", "M145AB") and not is_full("GB", "M14")
    assert is_full("CA", "M5V2T6") and not is_full("CA", "M5V")
    assert not is_full("US", "97205")  # a ZIP code is kept whole: there are few enough


@given(st.sampled_from(["GB", "US", "CA", "FR"]), st.text(max_size=30))
def test_every_key_is_a_prefix_of_the_canonical_code(country: str, text: str) -> None:
    found = keys(country, text)
    code = canonical(text)
    assert all(code.startswith(key) and key.isascii() and key.isalnum() for key in found)
    assert len(found) == len(set(found))
    assert not found or keys(country, found[0]) == found


@pytest.mark.parametrize(("name", "folded"), [
    ("Montréal", "montreal"), ("Saint-Jérôme", "saint jerome"), ("St. John's", "st john s"),
    ("Winston–Salem", "winston salem"), ("Zürich", "zurich"), ("", ""),
])
def test_fold(name: str, folded: str) -> None:
    assert fold(name) == folded
