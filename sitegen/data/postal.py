"""Address text without repeated parts, as a person would write it.

Exports often keep the town inside the street column ("556 Chorley Old Road, Bolton") and in
a city column as well; joined naively that reads "556 Chorley Old Road, Bolton, Bolton". A
part is left out when it repeats, letter for letter once case, accents and punctuation are
set aside, a comma-separated part written before it (in the street too: "Road, Bolton,
Bolton"); a postal code is left out when the street
already contains it. Nothing else is reworded: "Bolton Road, Bolton" keeps both.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable

_NOT_WORD = re.compile(r"[^\w]+")


@functools.lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """Text compared as a reader would: case, accents and punctuation set aside (cached:
    towns and regions repeat on thousands of pages)."""
    if text.isascii():
        plain = text.lower()
    else:
        decomposed = unicodedata.normalize("NFKD", text.casefold())
        plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(_NOT_WORD.sub(" ", plain).split())


def repeats(earlier: Iterable[str | None], part: str | None) -> bool:
    """Whether `part` is already written in `earlier` (as one of its comma-separated parts)."""
    if not part:
        return False
    folded = fold(part)
    return not folded or any(
        fold(piece) == folded for text in earlier if text for piece in text.split(","))


def postal_repeats(earlier: Iterable[str | None], postal_code: str | None) -> bool:
    """Whether a postal code is already inside the address ("Bolton BL1 6AB")."""
    if not postal_code:
        return False
    squeezed = fold(postal_code).replace(" ", "")
    return bool(squeezed) and any(squeezed in fold(text).replace(" ", "")
                                  for text in earlier if text)


def joined(parts: Iterable[str | None]) -> str:
    """The parts joined with ", ", each comma-separated piece left out when an earlier one
    already says it ("Road, Bolton" + "Bolton" and "Road, Bolton, Bolton" are "Road, Bolton")."""
    kept: list[str] = []
    seen: set[str] = set()
    for part in parts:
        for piece in (part or "").split(","):
            folded = fold(piece)
            if folded and folded not in seen:
                seen.add(folded)
                kept.append(piece.strip())
    return ", ".join(kept)


def address_text(street: str | None, places: Iterable[str | None],
                 postal_code: str | None) -> str:
    """One line: street, then the places (city, region) it does not already name, then the
    postal code unless the street holds it."""
    line = joined([street, *places])
    if postal_code and not postal_repeats([street], postal_code):
        return f"{line}, {postal_code.strip()}" if line else postal_code.strip()
    return line
