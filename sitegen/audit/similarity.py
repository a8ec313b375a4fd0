"""Near-duplicate location pages, found by word shingles without comparing all pairs.

Search engines treat near-identical city pages as doorway pages. Each location page's
editorial text (the parts marked `data-unique` in the template: description, location content,
FAQs) becomes a set of hashed word 5-shingles; a bottom-k sketch of each set proposes candidate
pairs through an inverted index, and only candidates get an exact Jaccard similarity.
"""

from __future__ import annotations

import functools
import math
import re
import zlib
from array import array
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from html import unescape
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    import numpy as np

SHINGLE = 5
SKETCH = 64
MAX_POSTING = 50
PAIR_BLOCK = 1 << 18  # candidate pairs compared at a time (bounds the memory they take)
BOILERPLATE_SHARE = 0.02
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
    distinct ones meet as candidates through an index of their rarer shingles (`_candidates`),
    and only candidates whose similarity can still reach the threshold are unpacked into
    sets and compared exactly.
    """
    groups: dict[bytes, list[str]] = defaultdict(list)
    for key in sorted(docs):
        groups[docs[key]].append(key)
    found = [(keys[0], other, 1.0) for keys in groups.values() for other in keys[1:]]
    firsts = sorted((keys[0], data) for data, keys in groups.items())
    current, members = -1, set()
    for a, b in _candidates([data for _, data in firsts], threshold):
        if a != current:
            current, members = a, set(array("I", firsts[a][1]))
        other = set(array("I", firsts[b][1]))
        score = len(members & other) / len(members | other)
        if score >= threshold:
            found.append((firsts[a][0], firsts[b][0], round(score, 2)))
    return sorted(found)


def boilerplate_limit(count: int) -> int:
    """Pages a shingle may be on before it counts as boilerplate, of `count` pages."""
    return max(MAX_POSTING, math.ceil(BOILERPLATE_SHARE * count))


def _candidates(docs: list[bytes], threshold: float) -> list[tuple[int, int]]:
    """Sorted (i, j), i < j, of the documents that share a sketch value held by at most
    MAX_POSTING sketches and whose similarity can still reach `threshold`.

    A shingle on more pages than `boilerplate_limit` (a chain's shared sentences, a
    template's fixed phrases) is boilerplate: it is left out of the sketches, as a search
    engine leaves a site's boilerplate out of its duplicate detection, but still counts in
    the similarity. Each document's sketch is the bottom SKETCH of its other ("rare")
    shingles; postings are bounded, so the work grows with the number of documents, not
    with the number of pages sharing a phrase. A candidate is kept only when the highest
    similarity its sizes allow reaches the threshold: the rare shingles it shares (exact
    when both documents' rare shingles fit in their sketches), plus every boilerplate
    shingle the two share (counted exactly, from a bit set per document)."""
    import numpy as np
    n = len(docs)
    if n < 2:
        return []
    sizes = np.fromiter((len(doc) // 4 for doc in docs), dtype=np.int64, count=n)
    values = np.frombuffer(b"".join(docs), dtype=np.uint32)
    owners = np.repeat(np.arange(n, dtype=np.int32), sizes)
    ordered = np.sort(values)
    starts, counts = _runs(ordered)
    boilerplate = ordered[starts[counts > boilerplate_limit(n)]]  # sorted, a few hundred
    del ordered, starts, counts
    if len(boilerplate):
        word = np.searchsorted(boilerplate, values)  # each boilerplate value's number
        common = boilerplate[np.minimum(word, len(boilerplate) - 1)] == values
    else:
        word, common = np.zeros(len(values), dtype=np.int64), np.zeros(len(values), dtype=bool)
    rare = ~common
    rare_sizes = np.bincount(owners[rare], minlength=n)
    # Each document's values are sorted (compact): its rare ones are too, in order.
    before = np.concatenate(([0], np.cumsum(rare_sizes)[:-1]))
    in_sketch = rare & (np.cumsum(rare) - 1 - before[owners] < SKETCH)
    del rare, before
    found = _sharing(values[in_sketch], owners[in_sketch], n)
    if not len(found.pairs):
        return []
    bits = _bit_sets(word[common], owners[common], n)
    del word, common, owners, values
    kept: list[tuple[int, int]] = []
    # In blocks of pairs: the candidates grow faster than the pages where many share a
    # town's phrases, and each pair's two rows of boilerplate bits are copied to be compared.
    for start in range(0, len(found.pairs), PAIR_BLOCK):
        block = slice(start, start + PAIR_BLOCK)
        first, second = found.pairs[block] // n, found.pairs[block] % n
        # Rare shingles two documents share: exactly those counted when both documents'
        # rare shingles fit in their sketches, up to the uncounted sketch values (their
        # postings too long) of the one with fewer; at most the smaller set when they do
        # not fit.
        fits = (rare_sizes[first] <= SKETCH) & (rare_sizes[second] <= SKETCH)
        rare_shared = np.where(fits, found.shared[block] + np.minimum(found.popular[first],
                                                                      found.popular[second]),
                               np.minimum(rare_sizes[first], rare_sizes[second]))
        best = rare_shared + _popcount(bits[first] & bits[second])
        possible = best >= threshold * (sizes[first] + sizes[second] - best) - 1e-9
        kept.extend(zip(first[possible].tolist(), second[possible].tolist(), strict=True))
    return kept


class _Shared(NamedTuple):
    pairs: np.ndarray  # i * n + j, i < j, sorted
    shared: np.ndarray  # sketch values each pair shares (of those counted)
    popular: np.ndarray  # per document: its sketch values held by too many to count


def _sharing(values: np.ndarray, owners: np.ndarray, n: int) -> _Shared:
    """The pairs of documents whose sketches share a value held by at most MAX_POSTING
    sketches, with how many such values each pair shares."""
    import numpy as np
    keys = np.sort((values.astype(np.uint64) << np.uint64(32)) | owners.astype(np.uint64))
    values = keys >> np.uint64(32)
    owners = (keys & np.uint64(0xFFFFFFFF)).astype(np.int64)
    del keys
    starts, lengths = _runs(values)
    group = np.repeat(np.arange(len(starts)), lengths)
    popular = np.bincount(owners[np.repeat(lengths > MAX_POSTING, lengths)], minlength=n)
    keep = np.repeat((lengths >= 2) & (lengths <= MAX_POSTING), lengths)
    owners, group = owners[keep], group[keep]
    found = []
    for step in range(1, MAX_POSTING):
        same = group[step:] == group[:-step]
        if not same.any():
            break
        found.append(owners[:-step][same] * n + owners[step:][same])
    codes = np.concatenate(found) if found else np.empty(0, dtype=np.int64)
    del found, owners, group
    codes.sort()
    starts, lengths = _runs(codes)
    return _Shared(codes[starts], lengths, popular)


def _runs(ordered: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Where each run of equal values of a sorted array starts, and its length."""
    import numpy as np
    starts = np.flatnonzero(np.concatenate(([True], ordered[1:] != ordered[:-1]))) \
        if len(ordered) else np.empty(0, dtype=np.int64)
    return starts, np.diff(np.append(starts, len(ordered)))


def _bit_sets(ids: np.ndarray, owners: np.ndarray, n: int) -> np.ndarray:
    """One row of 64-bit words per document, bit `id` set for each (id, owner)."""
    import numpy as np
    words = int(ids.max()) // 64 + 1 if len(ids) else 1
    bits = np.zeros(n * words, dtype=np.uint64)
    np.bitwise_or.at(bits, owners * words + ids // 64,
                     np.left_shift(np.uint64(1), (ids % 64).astype(np.uint64)))
    return bits.reshape(n, words)


def _popcount(words: np.ndarray) -> np.ndarray:
    """Set bits per row."""
    import numpy as np
    return np.bitwise_count(words).sum(axis=1, dtype=np.int64)
