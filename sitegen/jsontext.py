"""JSON text on the hot paths (feeds, map markers, JSON-LD, envelopes), by orjson.

orjson encodes a location's feed record or a page's JSON-LD several times faster than the
standard library's encoder (docs/benchmarks.md), and writes the same text as
`json.dumps(data, ensure_ascii=False, separators=(",", ":"))` for strings, integers,
booleans, null, lists and objects, and the same number for every float (a float below
1e-4 in magnitude keeps its value but not its spelling: 1e-6 where json wrote 1e-06).
It refuses some values json accepts: strings with lone surrogates (a hostile cell can
hold one), integers beyond 64 bits and non-string keys; those go to json, which writes
them as it always did. Two differences stay, both for values JSON cannot hold: NaN and
infinities (a JSON dataset may hold `NaN`) become `null` where json wrote `NaN`, which
no JSON parser accepts, and dates or dataclasses, which json refused, are written.
"""

from __future__ import annotations

import json
from typing import Any

import orjson

_REFUSED = (orjson.JSONEncodeError, TypeError)


def compact(data: Any) -> bytes:
    """`json.dumps(data, ensure_ascii=False, separators=(",", ":"))`, UTF-8 encoded."""
    try:
        return orjson.dumps(data)
    except _REFUSED:
        return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def compact_text(data: Any) -> str:
    """`compact` as a str."""
    try:
        return orjson.dumps(data).decode("utf-8")
    except _REFUSED:
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def sorted_text(data: Any, indent: int | str | None = None, **_: Any) -> str:
    """`compact_text` with every object's keys sorted: the templates' `tojson` (the page's
    JSON-LD, the hours a table hands the browser), which then escapes what HTML must not
    see. `tojson(indent)` gets json's indented text; Jinja's other json.dumps arguments
    (its policy asks for sorted keys) change nothing here."""
    if indent is not None:
        return json.dumps(data, ensure_ascii=False, sort_keys=True, indent=indent)
    try:
        return orjson.dumps(data, option=orjson.OPT_SORT_KEYS).decode("utf-8")
    except _REFUSED:
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def loads(data: str | bytes) -> Any:
    """`json.loads` for sitegen's own JSON (the envelopes of an encrypted build, read on
    every page the audit opens), by orjson, which reads an integer beyond
    64 bits as a float (an envelope holds none); json reads what orjson refuses (NaN,
    escaped lone surrogates) or raises as it always did."""
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError:
        return json.loads(data)
