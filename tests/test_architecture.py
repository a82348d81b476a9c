"""Checks of the code's shape, computed from the source with `ast` (no script):
no function over MAX_LINES lines, and an app import graph without cycles."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MAX_LINES = 80
SKIP_DIRS = {".venv", "migrations", "node_modules", "var", ".git", "static", "templates", "locale"}


def _sources() -> Iterator[Path]:
    for path in sorted(ROOT.rglob("*.py")):
        if not SKIP_DIRS.intersection(path.relative_to(ROOT).parts):
            yield path


def _apps() -> set[str]:
    return {p.parent.name for p in ROOT.glob("*/__init__.py") if p.parent.name not in SKIP_DIRS | {"tests"}}


def long_functions() -> list[str]:
    found = []
    for path in _sources():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > MAX_LINES:
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name} ({length} lines)")
    return found


def app_imports() -> dict[str, set[str]]:
    """App → the other apps its modules import (tests excluded)."""
    apps = _apps()
    graph: dict[str, set[str]] = {app: set() for app in apps}
    for path in _sources():
        app = path.relative_to(ROOT).parts[0]
        if app not in apps:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names = [node.module]
            graph[app].update(n.split(".")[0] for n in names if n.split(".")[0] in apps - {app})
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every cycle found by a depth-first walk (empty when the graph is a DAG)."""
    found: list[list[str]] = []
    state: dict[str, int] = {}  # 1: on the current path, 2: done

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for target in sorted(graph[node]):
            if state.get(target) == 1:
                found.append([*path[path.index(target) :], target])
            elif target not in state:
                visit(target, [*path, target])
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])
    return found


def test_no_function_is_longer_than_80_lines():
    assert long_functions() == []


def test_the_app_import_graph_has_no_cycle():
    graph = app_imports()
    assert {"fastdso", "inventory", "sales", "health"} <= set(graph)  # the walk really found the apps
    assert cycles(graph) == []
    assert graph["fastdso"] == set()  # the core imports no app


def test_the_checks_can_fail():
    assert cycles({"a": {"b"}, "b": {"a"}}) == [["a", "b", "a"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


# Modules whose type errors mypy still skips (pyproject's [[tool.mypy.overrides]]).
# Lower this when you fix one; it never goes up: new code is checked.
NOT_YET_TYPED_AT_MOST = 0


def _pyproject() -> dict:
    import tomllib

    return tomllib.loads((Path(__file__).resolve().parents[1] / "pyproject.toml").read_text())


def _not_yet_typed() -> list[str]:
    overrides = _pyproject()["tool"]["mypy"].get("overrides", [])
    return [module for block in overrides if block.get("ignore_errors") for module in block["module"]]


def test_mypy_checks_the_whole_tree_and_its_skip_list_only_shrinks():
    config = _pyproject()
    checked = set(config["tool"]["mypy"]["files"])
    assert {"api", "distribution", "fastdso", "forecast", "inventory", "sales", "tests"} <= checked
    skipped = _not_yet_typed()
    assert len(skipped) == len(set(skipped))
    assert len(skipped) <= NOT_YET_TYPED_AT_MOST, "a module joined mypy's skip list: type it instead"


# A slice `[start : start + n]` is a hand-written chunk loop: production code
# walks batches with fastdso.db.chunks (issue 25: a loop that stepped 5,000 but
# sliced 2,000 left most of an upload uncategorised).
HAND_CHUNK = re.compile(r"\[\s*(\w+)\s*:\s*\1\s*\+")
CHUNK_HELPER = ROOT / "fastdso" / "db.py"


def hand_written_chunk_loops() -> list[str]:
    found = []
    for path in _sources():
        if "tests" in path.relative_to(ROOT).parts or path == CHUNK_HELPER:
            continue
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            if HAND_CHUNK.search(line):
                found.append(f"{path.relative_to(ROOT)}:{number}")
    return found


def test_production_code_chunks_through_the_one_helper():
    assert hand_written_chunk_loops() == []
