"""The near-duplicate audit: its marker-first scan of editorial text finds exactly the
elements the plain whole-page regex scan finds, and its pairs over compact shingle sets are
exact Jaccard similarities, proposed by an index that finds every candidate pair."""

from __future__ import annotations

from array import array

from hypothesis import given, settings
from hypothesis import strategies as st

from sitegen.audit.similarity import (
    MAX_POSTING,
    SKETCH,
    UNIQUE_START,
    _candidates,
    _unique_starts,
    compact,
    near_duplicates,
    shingles,
    unique_text,
)

SHINGLES = st.frozensets(st.integers(min_value=0, max_value=2**32 - 1), min_size=1, max_size=40)

PIECES = st.sampled_from(["<", ">", "<p", "<div", "<P ", "<p1", "<_x", " ", "data-unique",
                          "xdata-unique", "data-uniquex", "data-unique=\"\"", "</p>", "</div>",
                          "text", "\n", "'", "\"", "=", "<<", ">>", "é"])


@settings(max_examples=3000, deadline=None)
@given(st.lists(PIECES, max_size=30).map("".join))
def test_marker_first_scan_equals_the_regex_scan(html: str) -> None:
    expected = [(m.span(), m.group(1)) for m in UNIQUE_START.finditer(html)]
    assert [(m.span(), m.group(1)) for m in _unique_starts(html)] == expected


def test_unique_text_of_nested_elements() -> None:
    html = ('<main><div class="a" data-unique><p>One <b>two</b></p><div>three</div></div>'
            '<p>not this</p><section data-unique>four &amp; five</section></main>')
    assert unique_text(html).split() == ["One", "two", "three", "four", "&", "five"]


@settings(max_examples=300, deadline=None)
@given(docs=st.dictionaries(st.sampled_from([f"p{n}.html" for n in range(8)]), SHINGLES,
                            min_size=1, max_size=8),
       copies=st.lists(st.tuples(st.integers(0, 7), st.integers(0, 7)), max_size=3),
       threshold=st.floats(min_value=0.3, max_value=1.0))
def test_near_duplicate_pairs_over_compact_sets_are_exact(docs: dict[str, frozenset[int]],
                                                          copies: list[tuple[int, int]],
                                                          threshold: float) -> None:
    """Every reported pair carries its exact Jaccard similarity (at least the threshold),
    and every pair of identical texts is reported, whatever order the values came in."""
    keys = sorted(docs)
    for a, b in copies:  # some identical texts
        docs[keys[a % len(keys)]] = docs[keys[b % len(keys)]]
    found = near_duplicates({k: compact(reversed(sorted(v))) for k, v in docs.items()},
                            threshold)
    for a, b, score in found:
        exact = len(docs[a] & docs[b]) / len(docs[a] | docs[b])
        assert a < b and score == round(exact, 2) and exact >= threshold
    reported = {(a, b) for a, b, _ in found}
    for a in keys:
        for b in keys:
            if a < b and docs[a] == docs[b]:
                assert (a, b) in reported or any(
                    (c, a) in reported and (c, b) in reported for c in keys), (a, b)


def test_shingles_ignore_case_punctuation_and_the_location_name() -> None:
    words = " ".join(f"word{i}" for i in range(40))
    plain = shingles(words)
    assert len(plain) == 4 * 36 and plain == compact(array("I", plain))  # sorted, unique
    assert shingles(words.upper().replace(" ", ", ")) == plain
    assert shingles("Oak Cafe " + words, ("oak cafe",)) == plain
    assert shingles("too few words") == b""


@settings(max_examples=200, deadline=None)
@given(st.lists(st.frozensets(st.integers(0, 40), min_size=1, max_size=SKETCH + 6),
                max_size=MAX_POSTING + 12))
def test_candidate_index_finds_every_pair_sharing_a_rare_sketch_value(
        sets: list[frozenset[int]]) -> None:
    """The numpy index proposes exactly the pairs whose bottom-k sketches share a value
    that at most MAX_POSTING sketches hold (small values: many shared, some too common)."""
    docs = [compact(values) for values in sets]
    sketches = [set(sorted(values)[:SKETCH]) for values in sets]
    holders: dict[int, list[int]] = {}
    for index, sketch in enumerate(sketches):
        for value in sketch:
            holders.setdefault(value, []).append(index)
    expected = {(a, b) for owners in holders.values() if len(owners) <= MAX_POSTING
                for a in owners for b in owners if a < b}
    assert _candidates(docs) == sorted(expected)
