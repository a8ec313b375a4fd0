"""Near-duplicate location pages, found by word shingles without comparing all pairs.

Search engines treat near-identical city pages as doorway pages. Each location page's
editorial text (the parts marked `data-unique` in the template: description, location content,
FAQs) becomes a set of hashed word 5-shingles; a bottom-k sketch of each set proposes candidate
pairs through an inverted index, and only candidates get an exact Jaccard similarity.
"""

from __future__ import annotations

import functools
import re
import zlib
from array import array
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from html import unescape
from itertools import combinations

SHINGLE = 5
SKETCH = 24
MAX_POSTING = 50
MIN_WORDS = 25
WORD = re.compile(r"\w+", re.UNICODE)


UNIQUE_MARKER = "data-unique"
UNIQUE_START = re.compile(r"<([a-zA-Z][a-zA-Z0-9]*)\b[^>]*\bdata-unique\b[^>]*>")
TAG = re.compile(r"<[^>]*>")


def unique_text(html: str) -> str:
    """Visible text of the elements marked `data-unique`, found with a balanced tag scan."""
    parts = []
    for start in _unique_starts(html):
        name = start.group(1).lower()
        depth, end = 1, len(html)
        for tag in _tag_pattern(name).finditer(html, start.end()):
            depth += -1 if tag.group(1) else 1
            if depth == 0:
                end = tag.start()
                break
        parts.append(unescape(TAG.sub(" ", html[start.end():end])))
    return " ".join(parts)


def _unique_starts(html: str) -> Iterator[re.Match[str]]:
    """The matches of UNIQUE_START.finditer(html), with the regex run only on the `<...>`
    stretches that hold the marker (a match cannot span a `>`), not tried at every tag of
    the page."""
    marker = html.find(UNIQUE_MARKER)
    while marker >= 0:
        close = html.find(">", marker)
        if close < 0:
            return
        match = UNIQUE_START.search(html, html.rfind(">", 0, marker) + 1, close + 1)
        if match is not None:
            yield match
        marker = html.find(UNIQUE_MARKER, close + 1)


@functools.lru_cache(maxsize=64)
def _tag_pattern(name: str) -> re.Pattern[str]:
    """Opening and closing tags of one element name, for the balanced scan."""
    return re.compile(rf"<(/?){name}\b[^>]*>", re.IGNORECASE)


def shingles(text: str, names: tuple[str, ...] = ()) -> bytes:
    """The text's hashed word 5-shingles in `compact` form (b"" below MIN_WORDS words); the
    location's own name is removed so a swapped name is no change.

    crc32 is stable across processes (cached audits are compared between builds) and fast; its
    rare collisions move a similarity by a fraction of a percent.
    """
    lowered = text.casefold()
    for name in names:
        if name:
            lowered = lowered.replace(name.casefold(), " ")
    words = WORD.findall(lowered)
    if len(words) < MIN_WORDS:
        return b""
    # Each run of SHINGLE words joined and hashed by C functions end to end (map over zip).
    runs = zip(*(words[i:] for i in range(SHINGLE)), strict=False)  # to the shortest
    return compact(map(zlib.crc32, map(str.encode, map(" ".join, runs))))


def compact(values: Iterable[int]) -> bytes:
    """A shingle set as the bytes of its sorted 32-bit values, a fraction of the set
    object's size (the audit keeps one per page); the sorted order is the bottom-k
    sketch."""
    return array("I", sorted(set(values))).tobytes()


def near_duplicates(docs: Mapping[str, bytes], threshold: float
                    ) -> list[tuple[str, str, float]]:
    """Pairs of document keys whose Jaccard similarity is at least `threshold`; each document
    is a shingle set as `compact` stores it.

    Identical texts are grouped first (each copy is paired with the first of its group); the
    distinct ones meet as candidates when their bottom-k sketches share a value that few
    documents share (a value in more than MAX_POSTING sketches is common phrasing, and true
    near-duplicates share rarer values too). Only candidates are unpacked into sets.
    """
    groups: dict[bytes, list[str]] = defaultdict(list)
    for key in sorted(docs):
        groups[docs[key]].append(key)
    found = [(keys[0], other, 1.0) for keys in groups.values() for other in keys[1:]]
    firsts = sorted((keys[0], data) for data, keys in groups.items())
    current, members = -1, set()
    for a, b in _candidates([data for _, data in firsts]):
        if a != current:
            current, members = a, set(array("I", firsts[a][1]))
        other = set(array("I", firsts[b][1]))
        score = len(members & other) / len(members | other)
        if score >= threshold:
            found.append((firsts[a][0], firsts[b][0], round(score, 2)))
    return sorted(found)


def _candidates(docs: list[bytes]) -> list[tuple[int, int]]:
    """Sorted (i, j), i < j, of the documents whose sketches share a value held by at most
    MAX_POSTING sketches. The inverted index is one sorted numpy array of (value, document)
    keys, not a dict of millions of lists; a caller unpacks one pair at a time, never every
    candidate into a set at once."""
    import numpy as np
    width = array("I").itemsize
    heads = [doc[:SKETCH * width] for doc in docs]
    if not heads:
        return []
    counts = np.fromiter((len(head) // width for head in heads), dtype=np.int64,
                         count=len(heads))
    keys = np.frombuffer(b"".join(heads), dtype=np.uint32).astype(np.uint64)
    del heads
    keys <<= np.uint64(32)
    keys |= np.repeat(np.arange(len(docs), dtype=np.uint64), counts)
    keys.sort()
    values = keys >> np.uint64(32)
    same = values[1:] == values[:-1]
    del values
    shared_value = np.zeros(len(keys), dtype=bool)  # most values are in one sketch only
    shared_value[1:] |= same
    shared_value[:-1] |= same
    keys = keys[shared_value]
    del same, shared_value
    values = keys >> np.uint64(32)
    bounds = np.flatnonzero(values[1:] != values[:-1]) + 1
    starts = np.concatenate(([0], bounds))
    ends = np.concatenate((bounds, [len(keys)]))
    shared = ends - starts <= MAX_POSTING
    owners = (keys & np.uint64(0xFFFFFFFF)).astype(np.int64)
    del keys, values
    pairs: set[tuple[int, int]] = set()
    for start, end in zip(starts[shared].tolist(), ends[shared].tolist(), strict=True):
        pairs.update(combinations(owners[start:end].tolist(), 2))
    return sorted(pairs)
