"""The modules of app/ and reports/ import each other without circles, and reports/ stays a
library: no Flask, nothing from app/.

The graph is read from the source with ``ast``, every import statement counted wherever it
stands (a function-level import is a circle put off, not a circle broken). An import names the
most specific module it reaches: ``from app.search import services`` is an edge to
``app.search.services``, not to ``app/search/__init__.py`` nor to ``app/__init__.py``.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("app", "reports")

# Circles in packages whose rework is still under way on another branch (admin, analysis, auth,
# learning). Each entry is one strongly connected group, by its sorted module names. Empty it as
# they are broken; the test fails if an entry is no longer a circle, so it cannot go stale.
TEMPORARILY_ALLOWED: set[frozenset[str]] = set()


def _modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


def _imported(name: str, path: Path, modules: dict[str, Path]) -> Iterator[str]:
    """The module names ``name`` imports, as written: ``import a.b`` and ``from a import b``."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*anchor, *([base] if base else [])])
            for alias in node.names:
                submodule = f"{base}.{alias.name}"
                yield submodule if submodule in modules else base


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        graph[name] = {
            target
            for target in _imported(name, path, modules)
            if target in modules and target != name
        }
    return graph


def _external(name: str, path: Path) -> set[str]:
    return {
        target.split(".")[0]
        for target in _imported(name, path, {})
        if target  # a relative import within reports/ stays inside it
    }


def _strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm: the groups of modules that reach each other (circles)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return groups


def _one_circle(graph: dict[str, set[str]], group: list[str]) -> list[str]:
    """A shortest path from the group's first module back to itself, for the message."""
    members = set(group)
    start = group[0]
    paths = {start: [start]}
    frontier = [start]
    while frontier:
        following = []
        for node in frontier:
            for target in sorted(graph[node] & members):
                if target == start:
                    return [*paths[node], start]
                if target not in paths:
                    paths[target] = [*paths[node], target]
                    following.append(target)
        frontier = following
    return group


def test_the_graph_sees_function_level_and_relative_imports():
    graph = _graph()
    # A function-level import (app/cli.py imports its commands' modules when they run).
    assert "app.data.seed" in graph["app.cli"]
    # ``from app.search import services`` reaches the module, not the package.
    assert "app.search.services" in graph["app.handling.routes.inbox"]


def test_no_import_circles():
    graph = _graph()
    circles = {frozenset(group): group for group in _strongly_connected(graph)}
    unexpected = [group for key, group in circles.items() if key not in TEMPORARILY_ALLOWED]
    message = "\n".join(" -> ".join(_one_circle(graph, group)) for group in unexpected)
    assert not unexpected, f"import circles:\n{message}"
    gone = [sorted(key) for key in TEMPORARILY_ALLOWED if key not in circles]
    assert not gone, f"no longer circles, take them off TEMPORARILY_ALLOWED: {gone}"


def _blueprint_of(module: str) -> str | None:
    """``app.<feature>.routes...`` names a route module of that feature's blueprint."""
    parts = module.split(".")
    return parts[1] if len(parts) >= 3 and parts[0] == "app" and parts[2] == "routes" else None


def test_route_modules_are_imported_by_their_own_blueprint_only():
    """A route module never imports another blueprint's route module, and nothing below the
    routes imports one (the factory registers the blueprints: app/setup.py)."""
    wrong = sorted(
        f"{name} -> {target}"
        for name, targets in _graph().items()
        for target in targets
        if _blueprint_of(target) is not None
        and _blueprint_of(name) != _blueprint_of(target)
        and name != "app.setup"
    )
    assert not wrong, "\n".join(wrong)


def test_reports_imports_neither_flask_nor_app():
    offending = {
        name: sorted(_external(name, path) & {"flask", "flask_babel", "flask_login", "app"})
        for name, path in _modules().items()
        if name.split(".")[0] == "reports"
    }
    offending = {name: found for name, found in offending.items() if found}
    assert not offending, f"reports/ must stay Flask-free: {offending}"
