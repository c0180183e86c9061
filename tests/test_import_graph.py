"""The import graph of gateway/ and filters/: no cycles, and no private filter modules across the bridge.

Every import counts, also those inside functions and under `TYPE_CHECKING`: an import hidden in a
function to dodge a cycle is still a cycle in the design. Importing `a.b.c` runs `a` and `a.b`
first, so those edges count too.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("gateway", "filters")


def _modules() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            found[name] = path
    return found


MODULES = _modules()


def _imported(name: str, path: Path) -> Iterator[str]:
    """Every module name `name` imports (absolute, as written or resolved from relative imports)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                base = ".".join([*parts[:len(parts) - node.level + 1], *([base] if base else [])])
            for alias in node.names:  # `from pkg import mod` imports the module pkg.mod
                yield f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base


def _known(name: str) -> str | None:
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def _graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for name, path in MODULES.items():
        edges: set[str] = set()
        for target in filter(None, map(_known, _imported(name, path))):
            edges.add(target)
            parts = target.split(".")
            for depth in range(1, len(parts)):  # the packages that importing `target` runs first
                parent = ".".join(parts[:depth])
                if parent in MODULES and not name.startswith(parent + "."):
                    edges.add(parent)
        edges.discard(name)
        graph[name] = edges
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_the_walk_sees_the_packages() -> None:
    graph = _graph()
    assert "gateway.edge.dispatch" in graph and "filters._chain" in graph
    assert "gateway.proxy.http" in graph["gateway.edge.dispatch"]


def test_a_cycle_is_found() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_import_cycles_in_gateway_and_filters() -> None:
    graph = _graph()
    described = [
        " -> ".join(cycle) + "\n    " + "\n    ".join(f"{a} imports {b}" for a in cycle for b in sorted(graph[a])
                                                    if b in cycle)
        for cycle in _cycles(graph)
    ]
    assert not described, "import cycles:\n" + "\n".join(described)


def test_gateway_uses_only_the_public_filters_api() -> None:
    """Also enforced by ruff (TID251); this catches private modules added later, too."""
    private = sorted(f"{name} imports {target}" for name, path in MODULES.items() if not name.startswith("filters")
                     for target in set(_imported(name, path))
                     if target.startswith("filters.") and any(p.startswith("_") for p in target.split(".")[1:]))
    assert private == []
