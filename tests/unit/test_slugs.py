"""urls.slug gives python-slugify's output with sitegen's arguments, for any text: its
shortcut (a character at a time for non-ASCII text) and its once-resolved transliterator
change the cost, never a URL."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from slugify import slugify

from sitegen.model.urls import MAX_SEGMENT, slug

# Pieces that exercise every step of slugify: quotes, digit commas, entities, dashes, case,
# word boundaries for the length limit, and text that needs transliteration.
PIECES = st.sampled_from(["'", "''", ",", "1,2", "-", "--", " ", "  ", "_", ".", "/", "A",
                          "Z", "abc", "Main St", "9", "&", "&amp;", "&#39;", "&#x41;",
                          "&#X41;", "&#99999999;", "&nosuch;", "Café", "—", "ß", "Straße",
                          "ﬁ", "東京", "😀", "İ", "K", "x" * 40, "word " * 9,
                          # transliterated a character at a time: combining marks (alone,
                          # after ASCII, stacked), quotes that only NFKD or the transliterator
                          # make, RTL scripts, Hangul, fractions, a lone surrogate
                          "e\u0301", "\u0301", "a\u0327\u0301", "\u0345", "\u0903",
                          "\uff07", "’", "‘x’", "ʼ", "שלום", "مرحبا", "한국", "ệ", "½",
                          "Ⅻ", "℃", "\ud800", "ǅ", "ŉ"])
ASCII = st.text(st.characters(max_codepoint=127), max_size=200)
ANY = st.text(max_size=200)
MIXED = st.lists(st.one_of(PIECES, ASCII, ANY), max_size=12).map("".join)


def reference(text: str) -> str:
    return slugify(text, max_length=MAX_SEGMENT, word_boundary=True, save_order=True) or "x"


@settings(max_examples=2000, deadline=None)
@given(st.one_of(ASCII, ANY, MIXED))
def test_slug_equals_python_slugify(text: str) -> None:
    slug.cache_clear()
    assert slug(text) == reference(text)


def test_slug_examples() -> None:
    for text in ("It's 1,000 Main St.", "Café — Zürich", "A&amp;B", "", "---", "x" * 120,
                 "Juniper & Oak", "A & B; C", "A&B;", "&#65;&", "&amp"):
        assert slug(text) == reference(text)
    assert slug("It's 1,000 Main St.") == "it-s-1000-main-st"
