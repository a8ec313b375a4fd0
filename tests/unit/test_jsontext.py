"""jsontext: orjson's text is the standard library's (jsontext.py says where it is not).

The feeds, the map markers and every page's JSON-LD are encoded by orjson; what it refuses
(lone surrogates, integers beyond 64 bits) goes to json. These properties hold both paths
to json's output, hostile text included."""

from __future__ import annotations

import json
import math

from hypothesis import example, given, settings
from hypothesis import strategies as st

from sitegen.jsontext import compact, compact_text, loads, sorted_text

HOSTILE = st.sampled_from(["<script>alert(1)</script>", "</script>", "\"'", "javascript:x",
                           "../..", "שלום", "😀", "\u2028\u2029", "\x00\x1f\x7f", "\ud800",
                           "\\", "café — ü"])
TEXT = st.one_of(st.text(), HOSTILE)
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), TEXT)
VALUES = st.recursive(SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(TEXT, inner, max_size=4)), max_leaves=12)
FLOATS = st.floats(allow_nan=False, allow_infinity=False)


def _json(value: object, **options: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), **options)


def _bytes(function: object, value: object) -> bytes | type[BaseException]:
    """The function's bytes, or the type of what it raised (json's text with a lone
    surrogate is not UTF-8: both paths refuse to encode it)."""
    try:
        return function(value)  # type: ignore[operator, no-any-return]
    except UnicodeEncodeError as exc:
        return type(exc)


@settings(max_examples=1500, deadline=None)
@given(VALUES)
@example({"name": "a\ud800b", "n": 2 ** 70})
@example([2 ** 64, -(2 ** 63) - 1, {"k": "\x1f"}])
def test_compact_text_is_jsons(value: object) -> None:
    assert compact_text(value) == _json(value)
    assert _bytes(compact, value) == _bytes(lambda v: _json(v).encode("utf-8"), value)


@settings(max_examples=1500, deadline=None)
@given(VALUES)
@example({"b": 1, "a": {"d": [], "c": None}, "é": 1, "e": 2, "\ud800": 3})
def test_sorted_text_is_jsons_with_sorted_keys(value: object) -> None:
    assert sorted_text(value) == _json(value, sort_keys=True)


@settings(max_examples=1000, deadline=None)
@given(st.recursive(FLOATS, lambda inner: st.lists(inner, max_size=4), max_leaves=8))
@example([1e-06, 1e16, -0.0, 5e-324, 44.539628])
def test_floats_keep_their_value(value: object) -> None:
    """Floats read back as the same number (orjson writes 1e-06 as 1e-6)."""
    assert json.loads(compact(value)) == value
    assert json.loads(sorted_text(value)) == value


def test_nan_and_infinities_become_null() -> None:
    """json wrote NaN, which no JSON parser reads; orjson writes null."""
    assert compact([math.nan, math.inf, -math.inf]) == b"[null,null,null]"


def test_tojson_with_an_indent_is_jsons_indented_text() -> None:
    assert sorted_text({"b": 1, "a": [1]}, indent=2) == json.dumps(
        {"b": 1, "a": [1]}, ensure_ascii=False, sort_keys=True, indent=2)


SMALL_VALUES = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-(2 ** 63), 2 ** 64 - 1), TEXT, FLOATS),
    lambda inner: st.one_of(st.lists(inner, max_size=4),
                            st.dictionaries(TEXT, inner, max_size=4)), max_leaves=12)


@settings(max_examples=1000, deadline=None)
@given(SMALL_VALUES)
@example("NaN")
@example([1e400, -1e400])
@example({"a": 1, "a ": "\ud800"})
def test_loads_reads_what_json_reads(value: object) -> None:
    """Text json wrote reads back the same through orjson or, where orjson refuses it
    (NaN, escaped lone surrogates), through json."""
    text = json.dumps(value)
    assert repr(loads(text)) == repr(json.loads(text))
    assert repr(loads(text.encode("utf-8"))) == repr(json.loads(text.encode("utf-8")))


def test_loads_reads_an_integer_beyond_64_bits_as_a_float() -> None:
    """The one difference, documented: envelopes hold no such number."""
    assert loads("[18446744073709551616]") == [1.8446744073709552e19]


def test_loads_refuses_what_json_refuses() -> None:
    for bad in ("{", "[1,]", "", b"\xff", "[1] x"):
        try:
            loads(bad)
        except ValueError:
            continue
        raise AssertionError(f"loads read {bad!r}")
