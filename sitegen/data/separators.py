"""Which character splits a list column (categories) when the config does not say.

Exports join lists with `|`, `;` or `,`. Splitting a `|`-joined column on commas turns every
distinct combination into a "category" of its own (thousands of filter options), so the
separator is read from the data: the candidate found in the most cells, `|` before `;`
before `,` on a tie (a comma is also common inside a single category's name).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

CANDIDATES = ("|", ";", ",")
DEFAULT = ","


@dataclass(frozen=True)
class Detected:
    """The separator chosen and the evidence for it, for `sitegen validate`."""

    separator: str
    cells: int  # cells holding the separator
    total: int  # non-empty cells looked at

    def note(self, column: str) -> str:
        if not self.cells:
            return (f"categories (column '{column}'): no list separator found in "
                    f"{self.total} cells, each is one category")
        return (f"categories (column '{column}'): list separator '{self.separator}' "
                f"detected in {self.cells} of {self.total} cells "
                "(set locations.categories_separator to choose another)")


def detect_separator(values: Iterable[object]) -> Detected:
    """The separator the text cells of a list column use most (DEFAULT when none has one)."""
    counts = dict.fromkeys(CANDIDATES, 0)
    total = 0
    for value in values:
        if not isinstance(value, str) or not value.strip():
            continue
        total += 1
        for candidate in CANDIDATES:
            if candidate in value:
                counts[candidate] += 1
    best = max(CANDIDATES, key=lambda candidate: (counts[candidate],
                                                  -CANDIDATES.index(candidate)))
    return Detected(best if counts[best] else DEFAULT, counts[best], total)
