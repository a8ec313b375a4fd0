"""Fingerprints of everything a page is made from, for incremental builds.

A page's fingerprint covers its template and every template it extends or includes (found in
the templates themselves with `jinja2.meta`), the globals those templates actually read, and
its own context data. Two builds that give a page the same fingerprint give it the same bytes,
so the second build can reuse the first one's file instead of rendering it again.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Callable
from typing import Any, ClassVar, Protocol

import jinja2
from pydantic import BaseModel

from sitegen import __version__
from sitegen.render.templates import template_facts


def _h(*parts: str | bytes) -> str:
    digest = hashlib.blake2b(digest_size=16)
    for part in parts:
        digest.update(part if isinstance(part, bytes) else part.encode("utf-8", "surrogatepass"))
        digest.update(b"\x1f")
    return digest.hexdigest()


_SCALARS = frozenset({str, int, float, bool, type(None)})


class PerPage(Protocol):
    """A small dataclass made anew for each page (a nearby entry, a call to action, a FAQ):
    digested as its text inline, never memoised, since no other page holds the same object.
    A class opts in with a class variable `per_page = True` (a class with a `fingerprint`
    of its own is digested by that instead)."""

    per_page: ClassVar[bool]


class Digester:
    """Stable digests of template data; objects with a `fingerprint` use it, hubs are memoised."""

    def __init__(self) -> None:
        self._memo: dict[int, tuple[Any, str]] = {}

    def digest(self, value: Any) -> str:
        return _h(self._walk(value))

    def carry(self, keep: Callable[[Any], bool]) -> Digester:
        """A digester that starts with the memoised digests of the objects `keep` accepts:
        serve's in-place edits keep those of the hubs the edit did not reach."""
        carried = Digester()
        carried._memo = {key: entry for key, entry in self._memo.items() if keep(entry[0])}
        return carried

    def _walk(self, value: Any) -> str:
        kind = type(value)
        if kind in _SCALARS:
            return repr(value)
        if kind is dict:
            items = sorted([(str(k), self._walk(v)) for k, v in value.items()])
            return "{" + ",".join([f"{k}:{v}" for k, v in items]) + "}"
        if kind is list or kind is tuple:
            return "[" + ",".join([self._walk(v) for v in value]) + "]"
        fields = _dataclass_fields(kind)
        if fields is not None and fields[1]:
            # A small dataclass made for one page (a nearby entry, a call to action): its
            # text inline, not memoised (no other page holds it).
            return self._dataclass(value, fields[0])
        if isinstance(value, str | int | float | bool):
            return repr(value)
        fingerprint = getattr(value, "fingerprint", None)
        if isinstance(fingerprint, str) and fingerprint:
            return "#" + fingerprint
        key = id(value)
        cached = self._memo.get(key)
        if cached is not None and cached[0] is value:
            return cached[1]
        text = self._compute(value)
        if not isinstance(value, dict | list | tuple):
            self._memo[key] = (value, text)
        return text

    def _dataclass(self, value: Any, fields: tuple[str, ...]) -> str:
        body = ",".join([f"{name}={self._walk(getattr(value, name))}" for name in fields])
        # Small ones inline (a nearby entry, a call to action: hashing each costs more than
        # its text), big ones (a hub and its tree) as a digest, so a parent's text stays short.
        text = f"{type(value).__name__}({body})"
        return text if len(text) <= 200 else _h(text)

    def _compute(self, value: Any) -> str:
        if isinstance(value, dict):
            items = sorted((str(k), self._walk(v)) for k, v in value.items())
            return "{" + ",".join(f"{k}:{v}" for k, v in items) + "}"
        if isinstance(value, list | tuple):
            return "[" + ",".join(self._walk(v) for v in value) + "]"
        if isinstance(value, set | frozenset):
            return "{" + ",".join(sorted(self._walk(v) for v in value)) + "}"
        if isinstance(value, BaseModel):
            return _h(value.model_dump_json())
        fields = _dataclass_fields(type(value))
        if fields is not None:
            return self._dataclass(value, fields[0])
        if callable(value):
            return "fn:" + getattr(value, "__qualname__", type(value).__name__)
        return _h(type(value).__name__, repr(value))


_FIELDS: dict[type, tuple[tuple[str, ...], bool] | None] = {}


def _dataclass_fields(kind: type) -> tuple[tuple[str, ...], bool] | None:
    """The fields a dataclass's digest covers (all but a tree's `parent` back-reference),
    and whether the class is a small per-page record (PerPage) digested inline without
    the memo; None for other types. Looked up once per class: a page's context holds a
    dozen small dataclasses (nearby entries, calls to action), digested on every page."""
    if kind in _FIELDS:
        return _FIELDS[kind]
    found = None
    if dataclasses.is_dataclass(kind):
        found = (tuple(f.name for f in dataclasses.fields(kind) if f.name != "parent"),
                 getattr(kind, "per_page", False) is True and not hasattr(kind, "fingerprint"))
    _FIELDS[kind] = found
    return found


def template_closure(env: jinja2.Environment, name: str) -> tuple[str, frozenset[str]]:
    """(hash of the template and all it extends/includes, variables they read).

    A template that names another dynamically (`{% include var %}`) depends on every template.
    """
    seen: dict[str, str] = {}
    variables: set[str] = set()
    pending = [name]
    everything = False
    while pending:
        current = pending.pop()
        if current in seen:
            continue
        source, filename, _ = env.loader.get_source(env, current)  # type: ignore[union-attr]
        seen[current] = _h(current, filename or "", source)
        facts = template_facts(env, source)
        variables |= facts.variables
        for referenced in facts.references:
            if referenced is None:
                everything = True
            else:
                pending.append(referenced)
    if everything:
        for other in env.list_templates():
            if other not in seen:
                source, filename, _ = env.loader.get_source(env, other)  # type: ignore[union-attr]
                seen[other] = _h(other, filename or "", source)
                variables |= template_facts(env, source).variables
    return _h(*sorted(seen.values())), frozenset(variables)


@dataclasses.dataclass
class PageFingerprints:
    """Computes page fingerprints, caching template closures and global digests."""

    env: jinja2.Environment
    base: str
    globals_: dict[str, Any]
    digester: Digester = dataclasses.field(default_factory=Digester)
    _templates: dict[str, tuple[str, frozenset[str]]] = dataclasses.field(default_factory=dict)
    _globals: dict[str, str] = dataclasses.field(default_factory=dict)
    # (template, context keys) -> "name=digest" of the globals its templates read
    _used: dict[tuple[str, tuple[str, ...]], list[str]] = dataclasses.field(default_factory=dict)
    # A site of several languages: the fingerprints of each other language's pages, made
    # with that language's environment and globals.
    languages: dict[str, PageFingerprints] = dataclasses.field(default_factory=dict)

    def template(self, name: str) -> tuple[str, frozenset[str]]:
        if name not in self._templates:
            self._templates[name] = template_closure(self.env, name)
        return self._templates[name]

    def global_digest(self, name: str) -> str:
        if name not in self._globals:
            self._globals[name] = self.digester.digest(self.globals_[name])
        return self._globals[name]

    def page(self, page: Any, extras: Callable[[], dict[str, Any]] | None = None,
             lastmod: Any = dataclasses.MISSING) -> str:
        """The page's fingerprint; `lastmod` stands in for page.lastmod when given (the
        render workers fingerprint the page as the model declared it)."""
        if page.lang in self.languages:
            return self.languages[page.lang].page(page, extras, lastmod)
        closure, used = self.template(page.template)
        names = (page.template, tuple(page.context))
        used_globals = self._used.get(names)
        if used_globals is None:
            used_globals = self._used[names] = [
                f"{n}={self.global_digest(n)}" for n in sorted(used)
                if n in self.globals_ and n not in page.context]
        lastmod = page.lastmod if lastmod is dataclasses.MISSING else lastmod
        parts = [self.base, closure, page.url, page.template, page.kind, page.title,
                 page.description, repr(page.indexable), repr(lastmod),
                 self.digester.digest(page.context), *used_globals]
        if extras is not None:
            parts.append(self.digester.digest(extras()))
        if page.alternates:
            parts.append(repr(page.alternates))
        return _h(*parts)


def base_fingerprint(config: BaseModel, policy: Any, assets: dict[str, str]) -> str:
    """What every page depends on: generator version, config, policy, theme asset hashes."""
    policy_data = dataclasses.asdict(policy) \
        if dataclasses.is_dataclass(policy) and not isinstance(policy, type) else repr(policy)
    return _h(__version__, config.model_dump_json(),
              json.dumps(policy_data, sort_keys=True, default=str),
              json.dumps(assets, sort_keys=True))
