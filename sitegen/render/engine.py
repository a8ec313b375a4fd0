"""Jinja's environment with cheaper output and calls: same pages, less work per value.

A page writes many values and makes many calls (`_()`, `asset_url()`, macros). Jinja
escapes each value with `markupsafe.escape`, which wraps the escaped text in a new `Markup`
(two Python-level calls per value), only for the page to join it into a string; and it
routes each call through `Context.call`, which looks up four attributes to learn whether
the callable wants the context. Both through Jinja's own extension points
(`Environment.code_generator_class`, as Jinja's native types do, and `context_class`):

- `_OutputCode` compiles an autoescaped `{{ value }}` to `environment.escape_output(value)`:
  the escaped text as a plain `str` (the same characters `escape` returns; Jinja marks a
  macro's or a `{% set %}` block's joined output safe as before);
- `_Context.call` calls a plain Python function or method, a builtin or a macro that asks
  for nothing straight away, and hands anything else (`pass_context` helpers, callable
  objects) to Jinja;
- a run of text and values (`<a href="{{ url }}">{{ name }}</a>`) is handed on as one
  string: Jinja yields each piece, and each piece of a page goes up through the generators
  of its block, its template and the one it extends;
- an `{% include "name" %}` gives the partial a context over the includer's variables
  instead of a copy of them all (`Environment.included`), and hands its output on with
  `yield from`.
"""

from __future__ import annotations

import functools
import types
from collections.abc import Mapping, MutableMapping
from typing import Any

import jinja2
import markupsafe
from jinja2 import nodes
from jinja2.compiler import CodeGenerator, Frame
from jinja2.runtime import Context, Macro
from jinja2.utils import missing

# markupsafe's escaping of a str, without the Markup object around it (markupsafe >= 3).
_escape_text = markupsafe._escape_inner
# What a template calls that takes no context, environment or eval context unless it says
# so (`jinja_pass_arg`, which a builtin cannot carry), nor is a callable object that does;
# but a macro, which always takes the eval context.
_PLAIN_CALLS = frozenset({types.FunctionType, types.MethodType, types.BuiltinFunctionType,
                          Macro})
_STOP_ITERATION = "value was undefined because a callable raised a StopIteration exception"


def escape_output(value: Any) -> str:
    """What `str(markupsafe.escape(value))` is: HTML-safe objects as they render themselves,
    anything else as its `str`, with `& < > " '` escaped."""
    if type(value) is str:
        return _escape_text(value)
    if hasattr(value, "__html__"):
        return value.__html__()
    return _escape_text(str(value))


class _OutputCode(CodeGenerator):
    def _output_child_pre(self, node: jinja2.nodes.Expr, frame: Frame, finalize: Any
                          ) -> None:
        if frame.eval_ctx.volatile or not frame.eval_ctx.autoescape:
            super()._output_child_pre(node, frame, finalize)
            return
        self.write("environment.escape_output(")
        if finalize.src is not None:
            self.write(finalize.src)

    def visit_Output(self, node: nodes.Output, frame: Frame) -> None:
        # Jinja's own code for a buffered frame (a macro's body), then the buffer joined.
        # Not where output may be skipped: a template that extends another.
        if frame.buffer is not None or frame.require_output_check or len(node.nodes) < 3:
            super().visit_Output(node, frame)
            return
        out = self.temporary_identifier()
        self.writeline(f"{out} = []")
        frame.buffer = out
        try:
            super().visit_Output(node, frame)
        finally:
            frame.buffer = None
        self.writeline(f"yield ''.join({out})")

    def visit_Include(self, node: nodes.Include, frame: Frame) -> None:
        if node.ignore_missing or not node.with_context or self.environment.is_async \
                or not isinstance(node.template, nodes.Const) \
                or not isinstance(node.template.value, str):
            super().visit_Include(node, frame)
            return
        self.writeline("template = environment.get_template(", node)
        self.visit(node.template, frame)
        self.write(f", {self.name!r})")
        output = "template.root_render_func(environment.included(template, context, " \
            f"{self.dump_local_context(frame)}))"
        if frame.buffer is None:
            self.writeline(f"yield from {output}")
        else:
            self.writeline(f"{frame.buffer}.extend({output})")


class _Context(Context):
    def call(__self, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805
        if type(__obj) not in _PLAIN_CALLS or hasattr(__obj, "jinja_pass_arg"):
            return super().call(__obj, *args, **kwargs)
        if kwargs:
            kwargs.pop("_block_vars", None)
            kwargs.pop("_loop_vars", None)
        if type(__obj) is Macro:  # it takes the eval context: markup or text by its autoescape
            args = (__self.eval_ctx, *args)
        try:
            return __obj(*args, **kwargs)
        except StopIteration:
            return __self.environment.undefined(_STOP_ITERATION)


class Environment(jinja2.Environment):
    """The build's Jinja environment (render/templates.py makes it).

    Each template's globals are a plain dict instead of a ChainMap over the environment's:
    every `{% from "partials/..." import %}` of a page compares the page's global names with
    the imported template's, which over a ChainMap is a slow comparison. Same result: every
    global is set before the first template is loaded, and nothing changes them
    afterwards."""

    code_generator_class = _OutputCode
    context_class = _Context
    escape_output = staticmethod(escape_output)

    def make_globals(self, d: MutableMapping[str, Any] | None) -> MutableMapping[str, Any]:
        return {**self.globals, **(d or {})}

    def included(self, template: jinja2.Template, context: Context,
                 local: Mapping[str, Any]) -> Context:
        """The context of a template the page includes: the names Jinja's
        `template.new_context(context.get_all(), True, local)` gives it, each with the same
        value, without copying the includer's: the includer's variables and `local` (the
        names the include's place assigns) as its own, over the includer's parent,
        which is never written to."""
        own = dict(context.vars)
        for key, value in local.items():
            if value is not missing:
                own[key] = value
        made = self.context_class(self, context.parent, template.name, template.blocks)
        made.vars = own
        made.globals_keys = self._global_names(template)
        return made

    def _global_names(self, template: jinja2.Template) -> set[str]:
        """What Jinja's Context keeps of the template's globals (their names), once per
        template: nothing changes them after it is loaded."""
        names = self._names.get(template.name)
        if names is None:
            names = self._names[template.name] = frozenset(template.globals)
        return names  # type: ignore[return-value]  # read, never written, by Jinja

    @functools.cached_property
    def _names(self) -> dict[str | None, frozenset[str]]:
        return {}
