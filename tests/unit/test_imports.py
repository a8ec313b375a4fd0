"""Imports point one way, down the pipeline: config -> data -> model -> render -> output ->
audit; builder runs them all; serve and deploy use builder and the stages before it.

Every module of sitegen/ is parsed (ast, not imported) and each import it makes, at module
level, in a function or under TYPE_CHECKING, is checked against the declared order below.
A new package or top-level module must be placed in that order before it can import anything.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import sitegen

ROOT = Path(sitegen.__file__).parent
# Each layer may import the layers above it in this list, and itself; never one below.
LAYERS: list[set[str]] = [
    {"__init__", "diagnostics", "jsontext", "forking", "memo", "progress", "files",
     "usercache"},
    {"config"},
    {"data"},
    {"model"},
    {"render"},
    {"output"},
    {"audit"},
    {"builder"},
    {"serve"},
    {"deploy"},
    {"scaffold"},
    {"cli"},
    {"__main__"},
]
# Layers that are not stages of one pipeline but beside each other: neither imports the other.
BESIDE = [{"serve", "deploy", "scaffold"}]
FOUNDATION = LAYERS[0]


def _modules() -> dict[str, Path]:
    """Dotted name (without the `sitegen.` prefix; a package by its own name) -> file."""
    out = {}
    for path in sorted(ROOT.rglob("*.py")):
        rel = path.relative_to(ROOT).with_suffix("")
        parts = list(rel.parts)
        if parts[-1] == "__init__" and len(parts) > 1:
            parts.pop()
        out[".".join(parts)] = path
    return out


MODULES = _modules()


def _imports(name: str, path: Path) -> Iterator[tuple[str, int]]:
    """The sitegen modules `name` imports (as keys of MODULES), with the line."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("sitegen."):
                    yield _known(alias.name.removeprefix("sitegen.")), node.lineno
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".") if package else []
                base = base[:len(base) - node.level + 1]
                module = ".".join([*base, node.module] if node.module else base)
            elif node.module == "sitegen" or (node.module or "").startswith("sitegen."):
                module = (node.module or "").removeprefix("sitegen").lstrip(".")
            else:
                continue
            for alias in node.names:
                inner = f"{module}.{alias.name}" if module else alias.name
                yield _known(inner if inner in MODULES else module or "__init__"), node.lineno


def _known(module: str) -> str:
    while module not in MODULES and "." in module:
        module = module.rpartition(".")[0]
    assert module in MODULES, f"sitegen.{module} does not exist"
    return module


def _unit(module: str) -> str:
    """The package a module belongs to, or the top-level module itself."""
    return module.split(".", 1)[0]


def _layer(unit: str) -> int:
    for index, layer in enumerate(LAYERS):
        if unit in layer:
            return index
    raise AssertionError(f"sitegen/{unit} is in no layer of tests/unit/test_imports.py: "
                         "place it in LAYERS")


def _beside(a: str, b: str) -> bool:
    return any(a in group and b in group for group in BESIDE)


def test_every_package_and_top_level_module_has_a_layer() -> None:
    for module in MODULES:
        _layer(_unit(module))


def test_imports_point_down_the_pipeline() -> None:
    wrong = []
    for name, path in MODULES.items():
        unit = _unit(name)
        for target, line in _imports(name, path):
            other = _unit(target)
            if other == unit or (unit in FOUNDATION and other in FOUNDATION):
                continue
            if _layer(other) >= _layer(unit) or _beside(unit, other):
                wrong.append(f"sitegen/{path.relative_to(ROOT)}:{line}: {unit} imports "
                             f"{target}")
    assert wrong == []


def test_no_import_cycle_between_modules() -> None:
    graph = {name: sorted({target for target, _ in _imports(name, path) if target != name})
             for name, path in MODULES.items()}
    cycles = []
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        path.append(node)
        for target in graph[node]:
            if state.get(target) == 1:
                cycles.append(" -> ".join([*path[path.index(target):], target]))
            elif target not in state:
                visit(target)
        path.pop()
        state[node] = 2

    for node in graph:
        if node not in state:
            visit(node)
    assert cycles == []


def test_at_most_a_dozen_top_level_modules() -> None:
    top = [p.name for p in ROOT.glob("*.py") if p.name not in ("__init__.py", "__main__.py")]
    assert len(top) <= 12, sorted(top)
