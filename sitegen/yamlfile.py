"""YAML loading that remembers where every key came from.

Config errors must name the file and the line, so we compose the node tree ourselves and
record the line of each key path while converting to plain Python values.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from sitegen.diagnostics import Diagnostic, SitegenError
from sitegen.yamlbudget import SafeLoader, YamlBudgetError

KeyPath = tuple[str | int, ...]
MAX_DEPTH = 100


@dataclass
class LoadedYaml:
    data: Any
    lines: dict[KeyPath, int]


def load_yaml_text(text: str, display_path: str, line_offset: int = 0) -> LoadedYaml:
    """Parse YAML text; raise SitegenError with the 1-based line of a syntax error, or of the
    alias that takes the document past its budget (yamlbudget). Aliases are resolved by
    value."""
    try:
        node = yaml.compose(text, Loader=SafeLoader)
    except YamlBudgetError as exc:
        raise SitegenError(Diagnostic(display_path, exc.line + 1 + line_offset, None,
                                      exc.message, exc.hint)) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "invalid YAML"
        if exc.problem and ("end of stream" in exc.problem or "<stream end>" in exc.problem) \
                and exc.context_mark is not None:
            # An unclosed quote or bracket is found at the end of the file, past the last
            # line; the line to fix is where the unclosed thing started.
            mark = exc.context_mark
            problem = f"{exc.problem} {exc.context}" if exc.context else exc.problem
        line = (mark.line + 1 + line_offset) if mark else None
        raise SitegenError(Diagnostic(display_path, line, None, f"invalid YAML: {problem}",
                                      "check indentation and quoting on that line")) from None
    except yaml.YAMLError as exc:
        raise SitegenError(Diagnostic(display_path, None, None, f"invalid YAML: {exc}")) from None
    except RecursionError:
        raise SitegenError(Diagnostic(display_path, None, None, "YAML nested too deeply",
                                      f"keep nesting under {MAX_DEPTH} levels")) from None
    lines: dict[KeyPath, int] = {}
    if node is None:
        return LoadedYaml(None, lines)
    constructor = SafeLoader(text)
    data = _convert(node, (), lines, constructor, display_path, line_offset, 0)
    return LoadedYaml(data, lines)


def load_yaml_file(path: Path, display_path: str) -> LoadedYaml:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise SitegenError(Diagnostic(display_path, None, None,
                                      f"cannot read file: {exc.strerror or exc}")) from None
    except UnicodeDecodeError as exc:
        line = text_line_of_byte(path.read_bytes(), exc.start)
        raise SitegenError(Diagnostic(display_path, line, None, "file is not valid UTF-8",
                                      "save the file as UTF-8")) from None
    return load_yaml_text(text, display_path)


def text_line_of_byte(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def _convert(node: yaml.Node, path: KeyPath, lines: dict[KeyPath, int],
             constructor: yaml.SafeLoader, display_path: str, offset: int, depth: int) -> Any:
    if depth > MAX_DEPTH:
        raise SitegenError(Diagnostic(display_path, node.start_mark.line + 1 + offset, None,
                                      "YAML nested too deeply",
                                      f"keep nesting under {MAX_DEPTH} levels"))
    lines[path] = node.start_mark.line + 1 + offset
    if isinstance(node, yaml.MappingNode):
        constructor.flatten_mapping(node)
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = constructor.construct_object(key_node, deep=True)
            if not isinstance(key, str | int | float | bool) or key is None:
                raise SitegenError(Diagnostic(display_path, key_node.start_mark.line + 1 + offset,
                                              None, "mapping keys must be plain text"))
            key = str(key)
            if key in out:
                raise SitegenError(Diagnostic(display_path,
                                              key_node.start_mark.line + 1 + offset,
                                              dotted(path + (key,)), "duplicate key",
                                              "remove one of the two"))
            out[key] = _convert(value_node, path + (key,), lines, constructor,
                                display_path, offset, depth + 1)
            lines[path + (key,)] = key_node.start_mark.line + 1 + offset
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_convert(item, path + (i,), lines, constructor, display_path, offset, depth + 1)
                for i, item in enumerate(node.value)]
    try:
        value = constructor.construct_object(node, deep=True)
    except yaml.constructor.ConstructorError as exc:
        raise SitegenError(Diagnostic(display_path, node.start_mark.line + 1 + offset,
                                      dotted(path), f"invalid value: {exc.problem}")) from None
    return _text(value, display_path, node.start_mark.line + 1 + offset, path)


def _text(value: Any, display_path: str, line: int, path: KeyPath) -> Any:
    """YAML reads `"\\ud83d\\ude00"` (JSON's escapes for one emoji) as two lone surrogates:
    join such pairs; a surrogate left alone is not text and would fail much later."""
    if not isinstance(value, str) or not any("\ud800" <= c <= "\udfff" for c in value):
        return value
    try:
        return value.encode("utf-16", "surrogatepass").decode("utf-16")
    except UnicodeDecodeError:
        raise SitegenError(Diagnostic(display_path, line, dotted(path),
                                      "invalid text: a lone UTF-16 surrogate escape",
                                      "write the character itself, or \\U0001F600 for one "
                                      "outside the basic plane")) from None


def dotted(path: KeyPath) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out
