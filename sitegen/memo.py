"""Memoising by object identity, for the values many locations share.

locations.py parses each distinct hours or holidays cell once, so the locations of a chain
share one parsed week; pages, JSON-LD, markers and feeds then ask the same questions of it
for every location. `by_identity` answers once per object.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

_Result = TypeVar("_Result")
MAX_ENTRIES = 8192


def by_identity(function: Callable[..., _Result]) -> Callable[..., _Result]:
    """Memoise a function of one object (and hashable arguments after it) by the object's
    identity. The object must never change, and neither may the result, which is shared;
    the object is kept beside its result, so its id cannot be reused while the entry
    lives. At most MAX_ENTRIES entries (a long `sitegen serve` sees many objects)."""
    memo: dict[tuple[Any, ...], tuple[Any, _Result]] = {}

    @functools.wraps(function)
    def cached(value: Any, *args: Any) -> _Result:
        key = (id(value), *args)
        hit = memo.get(key)
        if hit is None or hit[0] is not value:
            if len(memo) >= MAX_ENTRIES:
                memo.clear()
            hit = memo[key] = (value, function(value, *args))
        return hit[1]
    return cached
