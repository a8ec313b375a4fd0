"""The build's Jinja environment (render/engine.py) writes what stock Jinja writes: the same
escaping of any value, in any construct (each run of text and values handed on at once),
the same calls (context-passing helpers, macros, calls in loops and blocks, a callable that
raises StopIteration) and the same includes (what an included template sees, wherever it is
included, and what it leaves behind)."""

from __future__ import annotations

import functools
from typing import Any

import jinja2
import pytest
from hypothesis import given
from hypothesis import strategies as st
from markupsafe import Markup

from sitegen.render import engine

HOSTILE = st.sampled_from(["<script>", "</script>", '"', "'", "&amp;", "javascript:alert(1)",
                           "../", "\u202e", "שלום", "🗺", "\\", "\n", "\x00", "\ud800"])
TEXT = st.lists(st.one_of(HOSTILE, st.text(max_size=8)), max_size=6).map("".join)


class Html:
    """An object that renders itself as HTML (as Markup and jinja's own objects do)."""

    def __init__(self, text: str) -> None:
        self.text = text

    def __html__(self) -> str:
        return f"<b>{self.text}</b>"


VALUES = st.one_of(TEXT, TEXT.map(Markup), TEXT.map(Html), st.integers(),
                   st.floats(allow_nan=False), st.none(), st.booleans(),
                   st.lists(TEXT, max_size=3))

TEMPLATES = [
    "{{ v }}",
    "<a href=\"{{ v }}\" title='{{ v }}'>{{ v }}</a>",
    "{% macro m(x) %}<i>{{ x }}</i>{% endmacro %}{{ m(v) }}{{ m(v) | length }}",
    "{% set block %}[{{ v }}]{% endset %}{{ block }}{{ block | length }}",
    "{% for x in [v, v] %}{{ loop.index }}{{ x }}{{ say(x) }}{% endfor %}",
    "{{ v ~ '<>' }}{{ v | string }}{{ v | safe }}{{ v | e }}",
    "{{ say(v, tail='&') }}{{ where() }}{{ env_name() }}",
    "{{ helper.plain(v) }}{{ helper.aware(v) }}{{ {'k': v}.get('k') }}{{ [v].count(v) }}"
    "{% for x in [v] %}{{ helper.aware(x) }}{{ {'k': x}.get('k', 1) }}{% endfor %}",
    "{% block b %}{{ say(v) }}{% endblock %}",
    "{% filter upper %}{{ v }}{% endfilter %}",
    "{% autoescape false %}{{ v }}{% endautoescape %}{{ v }}",
    # A macro's output is markup or text by the autoescape where it is called.
    "{% macro m(x) %}{{ x }}{% endmacro %}{% set ns = namespace(r='') %}"
    "{% autoescape false %}{{ m(v) }}{{ m(x=v) }}{% set ns.r = m(v) %}{% endautoescape %}"
    "{{ m(v) }}{{ ns.r }}",
]


# Partials, and pages that include them from every kind of place: top level, loops, macros,
# `{% set %}` blocks, a block of a child template, another partial; after `{% set %}` and
# `{% from ... import %}` at the top level, with names the partial also assigns.
PARTIALS = {
    "shows.html": "[{{ v }}|{{ x | default('no x') }}|{{ y | default('no y') }}"
                  "|{{ loop is defined }}|{{ say(v) }}|{{ where() }}]",
    "assigns.html": "{% set x = 'partial' %}{% set z = v %}({{ x }}{{ z }})"
                    "{% include 'shows.html' %}",
    "imports.html": "{% from 'macros.html' import wrap %}{{ wrap(v) }}{% include 'shows.html' %}",
    "macros.html": "{% macro wrap(a) %}<u>{{ a }}|{{ x | default('-') }}</u>{% endmacro %}",
    "base.html": "<main>{% block main %}{% endblock %}</main>{% include 'shows.html' %}",
    "missing.html": "{% include 'no-such.html' ignore missing %}{{ v }}",
}
PAGES = [
    "{% include 'shows.html' %}",
    "{% set x = v %}{% include 'shows.html' %}{% include 'assigns.html' %}{{ x }}{{ z | "
    "default('no z') }}",
    "{% for y in [v, 1] %}{% include 'shows.html' %}{% set x = y %}"
    "{% include 'assigns.html' %}{% endfor %}",
    "{% set x = 'outer' %}{% for y in [v] %}{% include 'shows.html' %}{% set x = y %}"
    "{% include 'shows.html' %}{% endfor %}",
    "{% macro m(x) %}{% include 'shows.html' %}{% endmacro %}{{ m(v) }}{{ m(2) | length }}",
    "{% set captured %}{% for y in [v] %}{% include 'shows.html' %}{% endfor %}{% endset %}"
    "{{ captured }}{{ captured | length }}",
    "{% from 'macros.html' import wrap %}{% include 'imports.html' %}{{ wrap(v) }}",
    "{% extends 'base.html' %}{% block main %}{% set x = 3 %}{% include 'shows.html' %}"
    "{% include 'assigns.html' %}{% endblock %}",
    "{% if v %}{% extends 'base.html' %}{% endif %}<{{ v }}|{{ x | default(1) }}>"
    "{% block main %}<{{ v }}|{{ v }}>{% endblock %}",
    "{% include 'missing.html' %}{% include ['no-such.html', 'shows.html'] %}"
    "{% include 'shows.html' without context %}",
    "{% filter upper %}{% include 'assigns.html' %}{% endfilter %}",
]


def _say(value: Any, tail: str = "") -> str:
    return f"{value}{tail}"


@jinja2.pass_context
def _where(context: Any) -> str:
    return f"<{context.get('v')}>"


@jinja2.pass_environment
def _env_name(environment: jinja2.Environment) -> str:
    return type(environment).__name__.replace("Environment", "E")


class _Helper:
    """Methods a template calls: one plain, one that takes the context (loop variables
    included, which only a context-aware call is given)."""

    def plain(self, value: Any) -> str:
        return f"({value})"

    @jinja2.pass_context
    def aware(self, context: Any, value: Any) -> str:
        return f"({value}:{context.get('x', 'no x')})"


@functools.cache
def _template(environment_class: type[jinja2.Environment], source: str) -> jinja2.Template:
    """Each source compiled once per environment class (one environment each), so an
    example only renders."""
    return _environment(environment_class).from_string(source)


@functools.cache
def _environment(environment_class: type[jinja2.Environment]) -> jinja2.Environment:
    environment = environment_class(autoescape=True, loader=jinja2.DictLoader(PARTIALS))
    environment.globals.update(say=_say, where=_where, env_name=_env_name, helper=_Helper())
    return environment


def _render(environment_class: type[jinja2.Environment], source: str, value: Any) -> str:
    return _template(environment_class, source).render(v=value)


@given(VALUES)
def test_every_value_renders_as_stock_jinja_renders_it(value: Any) -> None:
    for source in TEMPLATES:
        assert _render(engine.Environment, source, value) == \
            _render(jinja2.Environment, source, value), source


@given(VALUES)
def test_includes_render_as_stock_jinja_renders_them(value: Any) -> None:
    for source in PAGES:
        assert _render(engine.Environment, source, value) == \
            _render(jinja2.Environment, source, value), source


@given(VALUES)
def test_escape_output_is_markupsafe_escape(value: Any) -> None:
    from markupsafe import escape
    assert engine.escape_output(value) == str(escape(value))


def test_a_callable_that_raises_stop_iteration_is_undefined_as_in_jinja() -> None:
    def empty() -> str:
        raise StopIteration

    for environment_class in (engine.Environment, jinja2.Environment):
        environment = environment_class(autoescape=True, undefined=jinja2.StrictUndefined)
        environment.globals["empty"] = empty
        assert environment.from_string("[{{ empty() is defined }}]").render() == "[False]"
        with pytest.raises(jinja2.UndefinedError, match="StopIteration"):
            environment.from_string("{{ empty() }}").render()


def test_an_undefined_value_is_still_an_error() -> None:
    environment = engine.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    with pytest.raises(jinja2.UndefinedError, match="'missing' is undefined"):
        environment.from_string("{{ missing }}").render()
