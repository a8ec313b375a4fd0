"""No function in sitegen takes more than five parameters: what travels together is a
frozen dataclass (BuildOptions, BuildRun, Writing, DatasetFile ...), not a chain of
arguments. `self` and `cls` are not counted; keyword-only, *args and **kwargs are."""

from __future__ import annotations

import ast
from pathlib import Path

import sitegen

ROOT = Path(sitegen.__file__).parent
LIMIT = 5


def _too_many() -> list[str]:
    found = []
    for path in sorted(ROOT.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            args = node.args
            names = [a.arg for a in (*args.posonlyargs, *args.args, *args.kwonlyargs)]
            names += [a.arg for a in (args.vararg, args.kwarg) if a is not None]
            if names and names[0] in ("self", "cls"):
                names = names[1:]
            if len(names) > LIMIT:
                found.append(f"sitegen/{path.relative_to(ROOT)}:{node.lineno} {node.name}: "
                             f"{len(names)} parameters")
    return found


def test_no_function_takes_more_than_five_parameters() -> None:
    assert _too_many() == []
