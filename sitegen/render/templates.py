"""Rendering: the Jinja2 environment over the theme search path, and page rendering.

Search path: the site's `themes/<theme>/templates/` first, then the built-in default theme, which
is also reachable as `default/<name>` so an override can `{% extends "default/base.html" %}`.
Autoescape is on and undefined variables are errors, so a typo in a template is a diagnostic
with the template's file and line rather than an empty string on a live page.
"""

from __future__ import annotations

import functools
import hashlib
import json
import sys
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from jinja2 import meta
from jinja2.bccache import Bucket

from sitegen.config.themes import BUILTIN_THEME
from sitegen.diagnostics import Diagnostic, SitegenError
from sitegen.files import replace_file
from sitegen.jsontext import sorted_text
from sitegen.model.pages import Page
from sitegen.render import engine, fragments, i18n
from sitegen.render.fragments import FragmentCache
from sitegen.usercache import user_cache


class CompiledTemplates(jinja2.BytecodeCache):
    """Compiled templates shared by every environment `make_environment` creates (they
    compile alike: same options and extensions): kept for the life of the process (one
    environment per language, one per `serve` rebuild) and in the user's cache folder
    (usercache.py), so a build compiles only the templates that changed since any build
    on this machine. Jinja keys a template by name and file and compiles it again when
    its source's hash differs from the one stored with the code."""

    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        code = self._code.get(bucket.key)
        if code is None:
            try:
                code = (_stored() / f"{bucket.key}.code").read_bytes()
            except OSError:
                return
        try:
            bucket.bytecode_from_string(code)
        except (EOFError, ValueError, TypeError):  # unreadable: compiled again
            bucket.reset()

    def dump_bytecode(self, bucket: Bucket) -> None:
        self._code[bucket.key] = code = bucket.bytecode_to_string()
        _store(f"{bucket.key}.code", code)


_COMPILED = CompiledTemplates()


@functools.cache
def _code_version() -> str:
    """What compiled templates and their facts depend on besides their source: Jinja,
    Python, sitegen's own template tag (render/fragments.py) and code generator
    (render/engine.py)."""
    tag = Path(fragments.__file__).read_bytes() + Path(engine.__file__).read_bytes()
    return hashlib.sha256(repr((jinja2.__version__, sys.version_info[:2])).encode() + tag
                          ).hexdigest()[:16]


def _stored() -> Path:
    return user_cache("templates", _code_version())


def _store(name: str, data: bytes) -> None:
    """Keep `data` in the cache folder; a folder that cannot be written is only slower."""
    try:
        _stored().mkdir(parents=True, exist_ok=True)
        replace_file(_stored() / name, data)
    except OSError:
        pass


@dataclass(frozen=True)
class TemplateFacts:
    """What a template's source says about its dependencies: the variables it reads that
    it does not set itself, and the templates it extends, includes or imports (None for a
    name only known when rendering, `{% include var %}`)."""

    variables: frozenset[str]
    references: tuple[str | None, ...]


def template_facts(env: jinja2.Environment, source: str) -> TemplateFacts:
    """The facts of `source` as `env` parses it: parsed once on this machine for each
    source (kept in the process, and in the user's cache folder by a hash of the source
    and the parser's options), as a build asks for a shared partial from every page
    template's closure, in each language."""
    return _facts(source, env.trim_blocks, env.lstrip_blocks, tuple(sorted(env.extensions)))


@functools.lru_cache(maxsize=1024)
def _facts(source: str, trim: bool, lstrip: bool, extensions: tuple[str, ...]) -> TemplateFacts:
    name = hashlib.sha256(repr((source, trim, lstrip, extensions)).encode(
        "utf-8", "surrogatepass")).hexdigest() + ".facts"
    try:
        kept = json.loads((_stored() / name).read_bytes())
        return TemplateFacts(frozenset(kept["variables"]), tuple(kept["references"]))
    except (OSError, ValueError, KeyError, TypeError):
        pass
    ast = _parser(trim, lstrip, extensions).parse(source)
    facts = TemplateFacts(frozenset(meta.find_undeclared_variables(ast)),
                          tuple(meta.find_referenced_templates(ast)))
    _store(name, json.dumps({"variables": sorted(facts.variables),
                             "references": list(facts.references)}).encode())
    return facts


@functools.cache
def _parser(trim: bool, lstrip: bool, extensions: tuple[str, ...]) -> jinja2.Environment:
    """A parser with the render environment's syntax and no globals: jinja2.meta leaves
    names that are globals out of the undeclared variables, and globals are data a page's
    fingerprint must cover."""
    return jinja2.Environment(trim_blocks=trim, lstrip_blocks=lstrip, extensions=extensions)


def make_environment(dirs: list[Path], globals_: dict[str, Any]) -> jinja2.Environment:
    """The environment over the theme path, speaking `globals_["lang"]` (catalogs loaded
    once per language and process, render/i18n.py)."""
    site_loaders = [jinja2.FileSystemLoader(str(d / "templates")) for d in dirs[:-1]]
    builtin = jinja2.FileSystemLoader(str(BUILTIN_THEME / "templates"))
    env = engine.Environment(
        loader=jinja2.ChoiceLoader([*site_loaders,
                                    jinja2.PrefixLoader({"default": builtin}), builtin]),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        # One environment per build (serve makes a new one for every build a template edit
        # starts), so nothing changes under it: no stat of every included template on every
        # render (eight a location page).
        auto_reload=False,
        # Every template in a plain dict: Jinja's default LRU cache of 400 moves a template
        # to the front of a deque on every lookup, and a page looks up each partial it
        # includes; a theme has a few dozen templates.
        cache_size=-1,
        extensions=[FragmentCache],
        bytecode_cache=_COMPILED,
    )
    # `tojson` (JSON-LD on every page) by orjson: compact, keys sorted (jsontext.py).
    env.policies["json.dumps_function"] = sorted_text
    env.globals.update(globals_)
    # The interface in the render's language (`lang`): gettext and the locale helpers.
    i18n.install(env, dirs, str(globals_.get("lang") or "en"))
    return env


def asset_hashes(dirs: list[Path]) -> dict[str, str]:
    """`css/site.css` -> short content hash, for cache-busting URLs that stay byte-stable."""
    hashes: dict[str, str] = {}
    for folder in reversed(dirs):
        static = folder / "static"
        if static.is_dir():
            for path in sorted(static.rglob("*")):
                if path.is_file():
                    rel = path.relative_to(static).as_posix()
                    hashes[rel] = hashlib.sha256(path.read_bytes()).hexdigest()[:10]
    return hashes


def asset_url_function(hashes: dict[str, str]) -> Callable[[str], str]:
    def asset_url(path: str) -> str:
        version = hashes.get(path)
        return f"/_assets/{path}" + (f"?v={version}" if version else "")
    return asset_url


def render_template_check(env: jinja2.Environment, names: Iterable[str]) -> None:
    """Compile the page templates `names` and every template they extend or include, each
    once, in the parent, so a syntax error anywhere surfaces with its file and line before
    any work (an included partial would otherwise be parsed first by a render worker's
    page fingerprint)."""
    wanted = set(names)
    pending, seen = sorted(wanted, reverse=True), set()  # popped in name order
    try:
        while pending:
            current = pending.pop()
            if current in seen:
                continue
            seen.add(current)
            try:
                source = env.loader.get_source(env, current)[0]  # type: ignore[union-attr]
            except jinja2.TemplateNotFound:
                if current in wanted:
                    raise
                continue  # `{% include ... ignore missing %}`, or a render-time error
            env.get_template(current)
            pending.extend(ref for ref in template_facts(env, source).references if ref)
    except jinja2.TemplateSyntaxError as exc:
        raise SitegenError(Diagnostic(_template_path(exc.filename, exc.name), exc.lineno, None,
                                      f"template syntax error: {exc.message}",
                                      "fix the template; the last good output is kept")) from None
    except jinja2.TemplateNotFound as exc:
        raise SitegenError(Diagnostic("templates", None, "template",
                                      f"template '{exc.name}' not found",
                                      "add it to your theme's templates/ folder")) from None


def render_page(env: jinja2.Environment, page: Page, extra: dict[str, Any]) -> str:
    """Render one page; template problems become a diagnostic with the template file and line."""
    try:
        template = env.get_template(page.template)
        return template.render({**page.context, **extra, "page": page})
    except jinja2.TemplateSyntaxError as exc:
        raise SitegenError(Diagnostic(_template_path(exc.filename, exc.name), exc.lineno, None,
                                      f"template syntax error: {exc.message}",
                                      "fix the template; the last good output is kept")) from None
    except jinja2.TemplateNotFound as exc:
        raise SitegenError(Diagnostic(page.context.get("source", page.url), None, "template",
                                      f"template '{exc.name}' not found",
                                      "add it to your theme's templates/ folder")) from None
    except Exception as exc:  # noqa: BLE001 - any template runtime error must become a message
        path, line = _template_frame(exc)
        raise SitegenError(Diagnostic(path, line, None,
                                      f"error rendering {page.url}: {exc}",
                                      "fix the template or the value it uses")) from None


def _template_path(filename: str | None, name: str | None) -> str:
    if filename:
        return _short(filename)
    return name or "template"


def _short(filename: str) -> str:
    path = Path(filename)
    parts = path.parts
    if "themes" in parts:
        index = len(parts) - 1 - list(reversed(parts)).index("themes")
        prefix = "sitegen/" if index > 0 and parts[index - 1] == "sitegen" else ""
        return prefix + "/".join(parts[index:])
    return str(path)


def _template_frame(exc: BaseException) -> tuple[str, int | None]:
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if frame.filename.endswith((".html", ".xml", ".j2", ".txt", ".jinja")):
            return _short(frame.filename), frame.lineno
    return "template", None
