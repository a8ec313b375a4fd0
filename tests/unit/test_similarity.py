"""The near-duplicate audit: its marker-first scan of editorial text finds exactly the
elements the plain whole-page regex scan finds, and its pairs over compact shingle sets are
exact Jaccard similarities, proposed by an index that finds every pair sharing a shingle that
is not boilerplate, in random sets and in a chain's templated text with planted copies."""

from __future__ import annotations

import random
from array import array

from hypothesis import given, settings
from hypothesis import strategies as st

from bench.chain import SERVICES, pool_sentences
from sitegen.audit.similarity import (
    MAX_POSTING,
    SKETCH,
    UNIQUE_START,
    _unique_starts,
    boilerplate_limit,
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


def _expected(docs: dict[str, frozenset[int]], threshold: float
              ) -> list[tuple[str, str, float]]:
    """What near_duplicates promises, by brute force: each copy of a text paired with the
    first of its copies, and every pair of distinct texts at least `threshold` similar that
    share a shingle not on more than boilerplate_limit of the distinct texts."""
    firsts: dict[frozenset[int], str] = {}
    expected = []
    for key in sorted(docs):
        if docs[key] in firsts:
            expected.append((firsts[docs[key]], key, 1.0))
        else:
            firsts[docs[key]] = key
    holders: dict[int, int] = {}
    for values in firsts:
        for value in values:
            holders[value] = holders.get(value, 0) + 1
    limit = boilerplate_limit(len(firsts))
    keys = sorted(firsts.values())
    for i, a in enumerate(keys):
        for b in keys[i + 1:]:
            shared = docs[a] & docs[b]
            exact = len(shared) / len(docs[a] | docs[b])
            if exact >= threshold and any(holders[value] <= limit for value in shared):
                expected.append((a, b, round(exact, 2)))
    return sorted(expected)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.frozensets(st.integers(0, 90), min_size=1, max_size=SKETCH),
                min_size=2, max_size=MAX_POSTING + 12),
       st.floats(min_value=0.2, max_value=1.0))
def test_every_similar_pair_sharing_a_rare_shingle_is_found(sets: list[frozenset[int]],
                                                            threshold: float) -> None:
    """Texts that fit in their sketch (values shared by many texts, some by more than the
    boilerplate limit): the index and its bound drop no pair the promise covers."""
    docs = {f"p{number:03d}.html": values for number, values in enumerate(sets)}
    found = near_duplicates({k: compact(v) for k, v in docs.items()}, threshold)
    assert found == _expected(docs, threshold)


def _chain_text(rng: random.Random, number: int) -> str:
    """A chain's templated description: sentences of bench/chain.py's pool with the city and
    street filled in, and a list of services."""
    city = f"Town{number % 97}"
    sentences = pool_sentences(rng, city, "Illinois", f"{number} Main Street")
    return (f"Welcome to our store in {city}. " + " ".join(sentences)
            + " Services at this store: " + ", ".join(rng.sample(SERVICES, 4)))


def test_planted_pairs_in_templated_text_are_found() -> None:
    """600 chain-like descriptions sharing a pool of sentences (the sentences' shingles are
    boilerplate: on more pages than the limit); two planted near-copies are found, with
    exactly the pairs a comparison of every pair finds."""
    rng = random.Random(22)
    texts = [_chain_text(rng, number) for number in range(600)]
    texts[7] = texts[3] + " Ask for our seasonal blend."  # a copy with a sentence added
    sentences = texts[100].split(". ")
    texts[450] = ". ".join([*sentences[:2], "Our managers change every spring", *sentences[3:]])
    docs = {f"loc{number:04d}.html": frozenset(array("I", shingles(text)))
            for number, text in enumerate(texts)}
    holders: dict[int, int] = {}
    for values in docs.values():
        for value in values:
            holders[value] = holders.get(value, 0) + 1
    assert max(holders.values()) > boilerplate_limit(len(docs))  # boilerplate is there
    found = near_duplicates({key: compact(values) for key, values in docs.items()}, 0.6)
    assert found == _expected(docs, 0.6)
    pairs = {(a, b) for a, b, _ in found}
    assert {("loc0003.html", "loc0007.html"), ("loc0100.html", "loc0450.html")} <= pairs


def test_a_pair_sharing_only_boilerplate_is_not_a_candidate() -> None:
    """Two texts whose shared shingles are all on more pages than the limit are not compared
    (a search engine ignores a site's boilerplate too), however similar."""
    common = frozenset(range(1000, 1040))
    docs = {f"filler{n:03d}.html": common | {10_000 + 2 * n, 10_001 + 2 * n}
            for n in range(MAX_POSTING + 1)}
    docs["a.html"] = common | {1}
    docs["b.html"] = common | {2}
    found = near_duplicates({key: compact(values) for key, values in docs.items()}, 0.6)
    assert found == [] and found == _expected(docs, 0.6)
