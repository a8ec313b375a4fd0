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
- `_Context.call` calls a plain Python function that asks for nothing straight away, and
  hands anything else (macros, `pass_context` helpers, callable objects) to Jinja.
"""

from __future__ import annotations

import types
from collections.abc import MutableMapping
from typing import Any

import jinja2
import markupsafe
from jinja2.compiler import CodeGenerator, Frame
from jinja2.runtime import Context

# markupsafe's escaping of a str, without the Markup object around it (markupsafe >= 3).
_escape_text = markupsafe._escape_inner
_FUNCTION = types.FunctionType
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


class _Context(Context):
    def call(__self, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805
        if type(__obj) is not _FUNCTION or hasattr(__obj, "jinja_pass_arg"):
            return super().call(__obj, *args, **kwargs)
        if kwargs:
            kwargs.pop("_block_vars", None)
            kwargs.pop("_loop_vars", None)
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
