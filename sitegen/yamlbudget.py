"""YAML loaders with an alias budget: a "billion laughs" is refused while it is composed.

An alias repeats its anchor's whole value, so nine aliases of nine aliases of ... make a
484-byte file hold a billion values. PyYAML composes such a file into a small graph of shared
nodes; anything that walks it (the config converter, the mapping, the feeds) expands it. The
composer here counts, event by event, the values the document holds once every alias is
expanded (`expanded`) against the values actually written (`written`), and stops as soon as
the expansion passes `max(MIN_VALUES, GROWTH * written)`: the usual anchors for shared
defaults stay far below, a bomb fails after a few hundred events. An alias inside its own
anchor's value (an endless loop) is refused too.

`SafeLoader` is PyYAML's pure-Python loader (config files and front matter: small, and its
error messages are the clearer ones). `FastSafeLoader` reads events from libyaml when PyYAML
has it (location files: many times faster) but composes them in Python, with the budget and
with Python's recursion limit: libyaml's own composer recurses in C and crashes the process on
a file nested 100,000 levels deep.
"""

from __future__ import annotations

from typing import Any

import yaml
from yaml.composer import Composer

MIN_VALUES = 100_000
GROWTH = 10


class YamlBudgetError(Exception):
    """A document refused by the budget; `line` is 0-based, as in a YAML mark."""

    def __init__(self, line: int, message: str, hint: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message
        self.hint = hint


class BudgetComposer(Composer):
    """PyYAML's composer, counting what every alias adds (see the module docstring)."""

    _written = 0
    _expanded = 0
    _sizes: dict[int, int]

    def compose_document(self) -> Any:
        self._written = self._expanded = 0
        self._sizes = {}  # id(anchored node) -> its expanded size, once its value has ended
        return super().compose_document()

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.peek_event()  # type: ignore[attr-defined]
        if isinstance(event, yaml.AliasEvent):
            node = super().compose_node(parent, index)
            size = self._sizes.get(id(node))
            if size is None:
                raise YamlBudgetError(
                    _line(event),
                    f"YAML alias *{event.anchor} is inside the value of its own anchor "
                    "(it would repeat forever)",
                    "an alias can only repeat a value that ends before it")
            self._count(size, 0, event)
            return node
        before = self._expanded
        self._count(1, 1, event)
        node = super().compose_node(parent, index)
        if event.anchor is not None:
            self._sizes[id(node)] = self._expanded - before
        return node

    def _count(self, expanded: int, written: int, event: yaml.Event) -> None:
        self._expanded += expanded
        self._written += written
        limit = max(MIN_VALUES, GROWTH * self._written)
        if self._expanded > limit:
            raise YamlBudgetError(
                _line(event),
                f"YAML aliases expand the document past {limit:,} values "
                f"({self._written:,} written)",
                "an alias repeats its anchor's whole value: use fewer aliases of aliases, "
                "or write the values out")


def _line(event: yaml.Event) -> int:
    return event.start_mark.line if event.start_mark else 0


class SafeLoader(BudgetComposer, yaml.SafeLoader):
    """yaml.SafeLoader with the alias budget."""


_EventSource: Any = yaml.CSafeLoader if yaml.__with_libyaml__ else yaml.SafeLoader


class FastSafeLoader(BudgetComposer, _EventSource):
    """A safe loader reading libyaml's events (when present), composed with the budget."""

    def __init__(self, stream: str) -> None:
        _EventSource.__init__(self, stream)
        Composer.__init__(self)
