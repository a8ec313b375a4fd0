"""The CSV feed's cells, safe to open in a spreadsheet, and read back exactly.

Excel, LibreOffice and Google Sheets run a cell that begins with `=`, `+`, `-` or `@` as a
formula (`=HYPERLINK(...)`, `=cmd|...`), and tab or CR may hide such a start. As OWASP's
"CSV Injection" page describes, the feed writes such a cell with a leading apostrophe (the
spreadsheet's "this is text" mark, which it does not show) and quotes every field. A plain
number (`-89.64`) is not a formula and stays as it is. Phone cells also take the apostrophe
before a digit, so that `0201234567` is not read as the number 201234567.

The apostrophe is added before any run of apostrophes too (`'=x` is written `''=x`), which
makes `restored` the exact inverse of `neutral`: sitegen reads its own feed back (readers.py
recognises it by FEED_HEAD) with every value as it was.
"""

from __future__ import annotations

import re

# The CSV feed's first columns, in order: a file whose header starts so is a sitegen feed.
FEED_HEAD = (
    "id", "name", "url", "street", "city", "region", "postal_code", "country",
    "neighbourhood", "lat", "lng", "phone", "phone_display", "email", "website", "booking_url",
    "timezone", "categories",
)
PHONE_COLUMNS = frozenset({"phone", "phone_display"})

_STARTS = frozenset("=+-@\t\r'")
_PHONE_STARTS = _STARTS | frozenset("0123456789")
_FORMULA = re.compile(r"'*[=+\-@\t\r]")
_PHONE = re.compile(r"'*[=+\-@\t\r0-9]")
_NUMBER = re.compile(r"-[0-9]+(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?")


def neutral(cell: str) -> str:
    """The cell as the feed writes it: an apostrophe before a formula start."""
    if not cell or cell[0] not in _STARTS or not _FORMULA.match(cell) or _NUMBER.fullmatch(cell):
        return cell
    return "'" + cell


def neutral_phone(cell: str) -> str:
    """A phone cell as the feed writes it: also an apostrophe before a digit."""
    if not cell or cell[0] not in _PHONE_STARTS or not _PHONE.match(cell):
        return cell
    return "'" + cell


def restored(cell: str) -> str:
    """The value `neutral` wrote as `cell`."""
    if cell[:1] == "'" and _FORMULA.match(cell, 1):
        return cell[1:]
    return cell


def restored_phone(cell: str) -> str:
    """The value `neutral_phone` wrote as `cell`."""
    if cell[:1] == "'" and _PHONE.match(cell, 1):
        return cell[1:]
    return cell


def is_feed(header: list[str]) -> bool:
    return tuple(header[:len(FEED_HEAD)]) == FEED_HEAD
