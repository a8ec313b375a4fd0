"""Phone numbers: parsing, display formats, exact problems, and no exceptions on any text."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sitegen.data.phones import Phone, parse_phone


@pytest.mark.parametrize(
    ("raw", "region", "e164", "national"),
    [
        ("(415) 555-0123", "US", "+14155550123", "(415) 555-0123"),
        ("415.555.0123", "US", "+14155550123", "(415) 555-0123"),
        ("415-555-0123", "us", "+14155550123", "(415) 555-0123"),
        ("+1 415 555 0123", "US", "+14155550123", "(415) 555-0123"),
        ("+1 415 555 0123", None, "+14155550123", "+1 415-555-0123"),
        ("+1 415 555 0123", "CA", "+14155550123", "(415) 555-0123"),
        ("  415 555 0123  ", "US", "+14155550123", "(415) 555-0123"),
        ("415-555-0123 ext. 45", "US", "+14155550123", "(415) 555-0123 ext. 45"),
        ("0161 496 0000", "GB", "+441614960000", "0161 496 0000"),
        ("+44 161 496 0000", "GB", "+441614960000", "0161 496 0000"),
        ("020 7946 0000", "GB", "+442079460000", "020 7946 0000"),
        ("+44 20 7946 0000", "US", "+442079460000", "+44 20 7946 0000"),
        ("+49 30 901820", "GB", "+4930901820", "+49 30 901820"),
        ("030 901820", "DE", "+4930901820", "030 901820"),
        ("tel: 0161 496 0000", "GB", "+441614960000", "0161 496 0000"),
    ],
)
def test_parse_phone_ok(raw: str, region: str | None, e164: str, national: str) -> None:
    phone, problem = parse_phone(raw, region)
    assert problem is None
    assert phone == Phone(raw.strip(), e164, national)
    assert phone.display == national


@pytest.mark.parametrize(
    ("raw", "region", "problem"),
    [
        ("12", "US", "cannot read phone number '12'"),
        ("", "US", "cannot read phone number ''"),
        ("call us", "US", "cannot read phone number 'call us'"),
        ("+1 555", "US", "phone number '+1 555' is not a valid number"),
        ("555-0123", "US", "phone number '555-0123' is missing its area code"),
        ("+44 161 496", "GB", "phone number '+44 161 496' is not a valid number"),
        ("+999 1234567", "GB", "cannot read phone number '+999 1234567'"),
        (
            "415 555 0123",
            None,
            "phone number '415 555 0123' has no country code; start it with + and the country code",
        ),
        (
            "0161 496 0000",
            "XX",
            "cannot read phone number '0161 496 0000' in unknown region 'XX'",
        ),
        ("1" * 300, "US", f"cannot read phone number '{'1' * 300}'"),
    ],
)
def test_parse_phone_problems(raw: str, region: str | None, problem: str) -> None:
    phone, found = parse_phone(raw, region)
    assert found == problem
    assert phone == Phone(raw.strip(), None, None)
    assert phone.display == raw.strip()


def test_fictional_555_numbers_are_accepted() -> None:
    phone, problem = parse_phone("(212) 555-0199", "US")
    assert (phone.e164, problem) == ("+12125550199", None)


REGIONS = st.sampled_from([None, "US", "GB", "DE", "FR", "IN", "us", "XX", ""])
HOSTILE = ["<script>alert(1)</script>", "\u202e+1 415 555 0123", "☎️ 0161 496 0000", "\x00", "+"]


@given(st.one_of(st.text(), st.sampled_from(HOSTILE), st.text("0123456789+()-. x")), REGIONS)
def test_property_parse_phone_never_raises(raw: str, region: str | None) -> None:
    phone, problem = parse_phone(raw, region)
    assert phone.raw == raw.strip()
    if problem is None:
        assert phone.e164 is not None and phone.e164[0] == "+" and phone.e164[1:].isdigit()
        assert phone.display == phone.national
        again, problem_again = parse_phone(phone.e164, region)
        assert (again.e164, problem_again) == (phone.e164, None)
    else:
        assert (phone.e164, phone.national, phone.display) == (None, None, raw.strip())
        assert f"'{raw.strip()}'" in problem
