"""Phone numbers: normalise for tel: links and schema.org, format for display.

Demo and test datasets use fictional 555 numbers, so a number is accepted when it is
*possible* (right length for its country), not only when it is assigned (`is_valid_number`).
A number that is only possible locally ("555-0123") is refused: it cannot be dialled from a link.

phonenumbers (slow to import) is imported by the functions that read numbers: a build
whose rows are validated in another process (builder/beside.py) keeps its Phone values
without importing it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import phonenumbers

# No country's numbers are this short, so text with fewer digits is not a phone number at all.
_MIN_DIGITS = 4


@dataclass(frozen=True, slots=True)
class Phone:
    """A phone number as written (stripped) and, when it parses, its E.164 and display forms."""

    raw: str
    e164: str | None
    national: str | None

    @property
    def display(self) -> str:
        """What to show visitors: the formatted number, or the user's text if it did not parse."""
        return self.national or self.raw

    def __reduce__(self) -> tuple[type[Phone], tuple[str, str | None, str | None]]:
        """Pickled as its three fields (every location's number travels with it:
        data/locations.Location.__reduce__), not through the frozen dataclass's state."""
        return Phone, (self.raw, self.e164, self.national)


def parse_phone(raw: str, region: str | None) -> tuple[Phone, str | None]:
    """Parse `raw`, reading numbers without +CC as in `region`; returns (phone, problem or None).

    Never raises: a bad number is a problem to report, and the raw text can still be shown.
    """
    text = str(raw).strip()
    unread = Phone(text, None, None)
    if sum(char.isdigit() for char in text) < _MIN_DIGITS:
        return unread, f"cannot read phone number '{text}'"
    region = region.upper() if region else None
    import phonenumbers
    from phonenumbers import NumberParseException, PhoneNumberFormat, ValidationResult

    try:
        number = phonenumbers.parse(text, region)
    except NumberParseException as error:
        return unread, _parse_problem(text, region, error)
    possible = phonenumbers.is_possible_number_with_reason(number)
    if possible == ValidationResult.IS_POSSIBLE_LOCAL_ONLY and not text.startswith("+"):
        return unread, f"phone number '{text}' is missing its area code"
    if possible != ValidationResult.IS_POSSIBLE:
        return unread, f"phone number '{text}' is not a valid number"
    return Phone(text, _format(number, PhoneNumberFormat.E164), _display(number, region)), None


def _parse_problem(text: str, region: str | None,
                   error: phonenumbers.NumberParseException) -> str:
    """Say why; a missing country code is the common case and has a clear fix."""
    from phonenumbers import NumberParseException

    if error.error_type != NumberParseException.INVALID_COUNTRY_CODE or text.startswith("+"):
        return f"cannot read phone number '{text}'"
    if region:
        return f"cannot read phone number '{text}' in unknown region '{region}'"
    return f"phone number '{text}' has no country code; start it with + and the country code"


def _display(number: phonenumbers.PhoneNumber, region: str | None) -> str:
    """National format at home; international for a number from another country."""
    import phonenumbers
    from phonenumbers import PhoneNumberFormat

    home = region and phonenumbers.country_code_for_region(region) == number.country_code
    return _format(number, PhoneNumberFormat.NATIONAL if home else PhoneNumberFormat.INTERNATIONAL)


def _format(number: phonenumbers.PhoneNumber, style: int) -> str:
    import phonenumbers

    return phonenumbers.format_number(number, style)
