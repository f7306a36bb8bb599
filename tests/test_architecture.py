"""The package's shape, checked by a machine (issue 13): no import cycles between modules, and nothing below
commands/ sees the command-line parser. The layer order itself is import-linter's contract in pyproject.toml,
run by .ci/run."""

from __future__ import annotations

import ast
from pathlib import Path

import grimp

PACKAGE = Path(__file__).resolve().parent.parent / "scanner"


def _cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan), ignoring TYPE_CHECKING imports."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for other in graph.find_modules_directly_imported_by(module):
            if other not in index:
                visit(other)
                low[module] = min(low[module], low[other])
            elif other in on_stack:
                low[module] = min(low[module], index[other])
        if low[module] == index[module]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == module:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for module in sorted(graph.modules):
        if module not in index:
            visit(module)
    return found


def test_no_import_cycles() -> None:
    graph = grimp.build_graph("scanner", exclude_type_checking_imports=True)
    # A package's __init__ re-exporting its modules is not a cycle of logic: leave the package modules out.
    for package in [
        m for m in graph.modules if (PACKAGE.parent / m.replace(".", "/") / "__init__.py").exists()
    ]:
        graph.remove_module(package)
    assert _cycles(graph) == []


def test_only_the_command_layer_imports_argparse() -> None:
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        relative = path.relative_to(PACKAGE).as_posix()
        if relative.startswith("commands/") or relative == "cli.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            if any(name.split(".")[0] == "argparse" for name in names):
                offenders.append(relative)
    assert offenders == []


def test_the_package_root_stays_small() -> None:
    assert len(list(PACKAGE.glob("*.py"))) <= 12
