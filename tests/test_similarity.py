"""The editorial-text scan of the near-duplicate audit: its marker-first search finds exactly
the elements the plain whole-page regex scan finds."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from sitegen.similarity import UNIQUE_START, _unique_starts, unique_text

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
