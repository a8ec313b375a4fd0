"""`{% cache key, ... %}...{% endcache %}`: a template fragment rendered once per distinct key.

Hugo's `partialCached`, for sitegen themes. Many locations share a fragment's data (a chain's
opening hours repeat from store to store), so the default theme renders once per distinct key
in each render process: the hours table (by the week), the scripts' strings, the header (by
the page it marks current), the footer and the lead form's fields (its hidden per-location
values stay outside).

The key must name every value the fragment reads that can differ between the pages of one
environment (the template globals cannot: a change of config, content or theme is a new
build with a new environment; the language is part of every key): any page whose key is
equal gets the same bytes. Values are compared by `repr` (dataclasses, lists and strings
compare by content; an object's repr is taken once, so a key object must not change during a
build); an object without a content repr only misses the cache. Fragments live in one
environment of one render process (a build's worker; serve's in-place edits reuse theirs,
whose keys name the edited values), at most MAX_FRAGMENTS of them, so memory stays flat
when every key is distinct.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jinja2
from jinja2 import nodes
from jinja2.ext import Extension
from jinja2.parser import Parser

from sitegen.memo import by_identity

MAX_FRAGMENTS = 4096


class FragmentCache(Extension):
    tags = {"cache"}

    def __init__(self, environment: jinja2.Environment) -> None:
        super().__init__(environment)
        self._fragments: dict[tuple[str, ...], str] = {}

    def parse(self, parser: Parser) -> nodes.Node:
        lineno = next(parser.stream).lineno
        keys = [parser.parse_expression()]
        while parser.stream.skip_if("comma"):
            keys.append(parser.parse_expression())
        body = parser.parse_statements(("name:endcache",), drop_needle=True)
        # The tag's own place is part of the key: two tags with equal keys are different.
        where = nodes.Const(f"{parser.name}:{lineno}")
        call = self.call_method("_fragment", [where, nodes.List(keys)])
        return nodes.CallBlock(call, [], [], body).set_lineno(lineno)

    def _fragment(self, where: str, keys: list[Any], caller: Callable[[], str]) -> str:
        # A site of several languages renders each language with its own environment,
        # whose `lang` global is part of the key too: a fragment never changes language.
        key = (where, str(self.environment.globals.get("lang", "")), *map(_key_text, keys))
        fragment = self._fragments.get(key)
        if fragment is None:
            fragment = caller()
            if len(self._fragments) >= MAX_FRAGMENTS:
                self._fragments.clear()
            self._fragments[key] = fragment
        return fragment


_PLAIN = (str, int, float, bool, type(None))


def _key_text(value: Any) -> str:
    """repr of a key value; an object's repr is taken once per object (the locations of a
    chain share one parsed week, whose repr would otherwise be most of a cache hit)."""
    return repr(value) if isinstance(value, _PLAIN) else _object_repr(value)


@by_identity
def _object_repr(value: Any) -> str:
    return repr(value)
