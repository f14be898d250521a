"""The layers of ``src/kg`` (docs/architecture.md): imports only go down, and no module
imports itself back through others. Read from the source with ``ast``, so a function-level
import counts as much as one at the top."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parent.parent / "src"

# Lowest first. A package may import its own modules and any package of a lower layer;
# packages of one layer do not import each other.
LAYERS: list[set[str]] = [
    {"kg", "kg.errors", "kg.vocab"},
    {"kg.settings"},
    {"kg.store"},
    {"kg.rdf"},
    {"kg.sparql"},
    {"kg.remote"},
    {"kg.catalogue"},
    {"kg.build"},
    {"kg.engine", "kg.html"},
    {"kg.http"},
    {"kg.gen"},
    {"kg.cli"},
    {"kg.__main__"},
]


def module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports(path: Path) -> set[str]:
    """The kg modules a file imports (``from kg.x import y`` counts kg.x.y when it is one)."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.split(".")[0] == "kg"}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                up = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*up, base] if base else up)
            if base.split(".")[0] != "kg":
                continue
            for alias in node.names:
                full = f"{base}.{alias.name}"
                found.add(full if full in MODULES else base)
    found.discard(name)
    return found


MODULES = {module_name(p) for p in SRC.rglob("*.py")}
GRAPH = {module_name(p): imports(p) for p in SRC.rglob("*.py")}


def unit(module: str) -> str:
    """The package (or foundation module) a module belongs to, as LAYERS names it."""
    for layer in LAYERS:
        for name in sorted(layer, key=len, reverse=True):
            if module == name or (name != "kg" and module.startswith(name + ".")):
                return name
    return module


def rank(module: str) -> int:
    found = unit(module)
    return next(i for i, layer in enumerate(LAYERS) if found in layer)


def test_every_module_has_a_layer() -> None:
    assert [m for m in MODULES if not any(unit(m) in layer for layer in LAYERS)] == []


def test_imports_only_go_down() -> None:
    upward = sorted(
        f"{module} imports {target}"
        for module, targets in GRAPH.items()
        for target in targets
        if unit(target) != unit(module) and rank(target) >= rank(module)
    )
    assert upward == []


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every module that reaches itself again, with one path that shows it."""
    found = []
    for start in sorted(graph):
        path = _path(graph, start, start, set())
        if path:
            found.append([start, *path])
    return found


def _path(graph: dict[str, set[str]], goal: str, at: str, seen: set[str]) -> list[str] | None:
    for nxt in sorted(graph.get(at, ())):
        if nxt == goal:
            return [nxt]
        if nxt in seen or nxt not in graph:
            continue
        seen.add(nxt)
        rest = _path(graph, goal, nxt, seen)
        if rest:
            return [nxt, *rest]
    return None


def test_no_import_cycle() -> None:
    assert cycles(GRAPH) == []


@pytest.mark.parametrize("broken", [
    {"kg.a": {"kg.b"}, "kg.b": {"kg.a"}},
    {"kg.a": {"kg.b"}, "kg.b": {"kg.c"}, "kg.c": {"kg.a"}},
])
def test_the_cycle_check_finds_cycles(broken: dict[str, set[str]]) -> None:
    assert len(cycles(broken)) == len(broken)
    assert cycles({"kg.a": {"kg.b"}, "kg.b": set()}) == []


def test_the_layer_check_sees_an_upward_import() -> None:
    assert rank("kg.http.app") > rank("kg.engine.pool") > rank("kg.sparql.run")
    assert unit("kg.engine.pool") == "kg.engine" and unit("kg.vocab") == "kg.vocab"
