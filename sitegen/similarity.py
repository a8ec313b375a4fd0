"""Near-duplicate location pages, found by word shingles without comparing all pairs.

Search engines treat near-identical city pages as doorway pages. Each location page's
editorial text (the parts marked `data-unique` in the template: description, location content,
FAQs) becomes a set of hashed word 5-shingles; a bottom-k sketch of each set proposes candidate
pairs through an inverted index, and only candidates get an exact Jaccard similarity.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from html.parser import HTMLParser
from itertools import combinations

SHINGLE = 5
SKETCH = 24
MIN_WORDS = 25
WORD = re.compile(r"\w+", re.UNICODE)


class _UniqueText(HTMLParser):
    """Collects text inside elements carrying a `data-unique` attribute."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.depth = 0
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.depth or any(name == "data-unique" for name, _ in attrs):
            if tag not in ("br", "img", "hr", "input", "meta", "link"):
                self.depth += 1

    def handle_endtag(self, tag: str) -> None:
        if self.depth:
            self.depth -= 1

    def handle_data(self, data: str) -> None:
        if self.depth:
            self.parts.append(data)


def unique_text(html: str) -> str:
    parser = _UniqueText()
    parser.feed(html)
    return " ".join(parser.parts)


def shingles(text: str, names: tuple[str, ...] = ()) -> set[int]:
    """Hashed word shingles; the location's own name is removed so a swapped name is no change."""
    lowered = text.casefold()
    for name in names:
        if name:
            lowered = lowered.replace(name.casefold(), " ")
    words = WORD.findall(lowered)
    if len(words) < MIN_WORDS:
        return set()
    return {int.from_bytes(hashlib.blake2b(" ".join(words[i:i + SHINGLE]).encode(),
                                           digest_size=8).digest(), "big")
            for i in range(len(words) - SHINGLE + 1)}


def near_duplicates(docs: dict[str, set[int]], threshold: float
                    ) -> list[tuple[str, str, float]]:
    """Pairs of document keys whose Jaccard similarity is at least `threshold`."""
    index: dict[int, list[str]] = defaultdict(list)
    for key in sorted(docs):
        for value in sorted(docs[key])[:SKETCH]:
            index[value].append(key)
    candidates: set[tuple[str, str]] = set()
    for keys in index.values():
        candidates.update(combinations(keys, 2))
    found = []
    for a, b in sorted(candidates):
        sa, sb = docs[a], docs[b]
        score = len(sa & sb) / len(sa | sb)
        if score >= threshold:
            found.append((a, b, round(score, 2)))
    return found
