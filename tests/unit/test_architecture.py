"""Checks that dependencies point inward: the engine never imports the web layer or Flask."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def imported_modules(package: Path) -> dict[Path, set[str]]:
    found: dict[Path, set[str]] = {}
    for path in package.rglob("*.py"):
        names: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module)
                # ``from compensator import config`` imports the module compensator.config.
                names.update(f"{node.module}.{alias.name}" for alias in node.names)
        found[path] = names
    return found


def within(name: str, module: str) -> bool:
    """Whether ``name`` is ``module`` or something inside it."""
    return name == module or name.startswith(module + ".")


def offenders(package: Path, forbidden: tuple[str, ...], root: Path = ROOT) -> list[str]:
    # Forbidden names are whole modules (``compensator.config``) as well as top-level packages.
    return sorted({
        f"{path.relative_to(root)} imports {module}"
        for path, names in imported_modules(package).items()
        for name in names
        for module in forbidden
        if within(name, module)
    })


def test_the_engine_never_imports_flask_or_the_web_layer() -> None:
    assert offenders(ROOT / "compensator", ("flask", "werkzeug", "web")) == []


def test_the_pure_core_imports_neither_the_database_nor_the_scheduler() -> None:
    assert offenders(ROOT / "compensator" / "domain", ("sqlalchemy", "alembic", "apscheduler", "flask")) == []


def test_the_pure_core_never_imports_the_configuration_or_its_settings() -> None:
    assert offenders(ROOT / "compensator" / "domain", ("compensator.config", "compensator.settings")) == []


def test_the_pure_core_never_imports_pydantic() -> None:
    assert offenders(ROOT / "compensator" / "domain", ("pydantic", "pydantic_core")) == []


def test_the_checker_would_notice_a_flask_import(tmp_path: Path) -> None:
    (tmp_path / "bad.py").write_text("import json\nfrom flask import Flask\n", encoding="utf-8")
    assert offenders(tmp_path, ("flask",), root=tmp_path) == ["bad.py imports flask"]


def test_the_checker_would_notice_the_configuration_module_however_it_is_imported(tmp_path: Path) -> None:
    (tmp_path / "one.py").write_text("from compensator.config import PolicySettings\n", encoding="utf-8")
    (tmp_path / "two.py").write_text("import compensator.config\n", encoding="utf-8")
    (tmp_path / "three.py").write_text("from compensator import config\n", encoding="utf-8")
    (tmp_path / "fine.py").write_text("from compensator import configuration\nimport compensator.domain\n",
                                      encoding="utf-8")
    assert offenders(tmp_path, ("compensator.config",), root=tmp_path) == [
        "one.py imports compensator.config", "three.py imports compensator.config", "two.py imports compensator.config"]


def engine_modules(package: Path = ROOT / "compensator") -> dict[str, Path]:
    """Every module of the engine by dotted name (the migrations, run by Alembic alone, left out)."""
    found = {}
    for path in package.rglob("*.py"):
        if "migrations" in path.relative_to(package).parts:
            continue
        parts = path.relative_to(package.parent).with_suffix("").parts
        found[".".join(parts).removesuffix(".__init__")] = path
    return found


def engine_imports(path: Path, modules: dict[str, Path]) -> tuple[set[str], list[str]]:
    """The engine modules ``path`` imports (also inside functions, not under ``TYPE_CHECKING``), and
    the private names it imports from another module."""
    found: set[str] = set()
    private: list[str] = []

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and isinstance(child.test, ast.Name) and child.test.id == "TYPE_CHECKING":
                continue
            if isinstance(child, ast.ImportFrom) and child.module and child.level == 0:
                for alias in child.names:
                    full = f"{child.module}.{alias.name}"
                    found.add(full if full in modules else child.module)
                    if alias.name.startswith("_") and not alias.name.startswith("__"):
                        private.append(full)
            elif isinstance(child, ast.Import):
                found.update(alias.name for alias in child.names)
            visit(child)

    visit(ast.parse(path.read_text(encoding="utf-8")))
    return {name for name in found if name in modules}, private


def import_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The groups of modules that import each other, directly or through others (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def strong(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        for other in sorted(graph[module]):
            if other not in index:
                strong(other)
                low[module] = min(low[module], low[other])
            elif other in stack:
                low[module] = min(low[module], index[other])
        if low[module] == index[module]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == module:
                    break
            if len(group) > 1 or module in graph[module]:
                cycles.append(sorted(group))

    for module in sorted(graph):
        if module not in index:
            strong(module)
    return cycles


def test_no_two_modules_of_the_engine_import_each_other() -> None:
    modules = engine_modules()
    graph = {name: engine_imports(path, modules)[0] - {name} for name, path in modules.items()}
    assert import_cycles(graph) == []


def test_no_module_of_the_engine_imports_a_private_name_of_another() -> None:
    modules = engine_modules()
    assert [(name, private) for name, path in modules.items() if (private := engine_imports(path, modules)[1])] == []


def test_the_cycle_finder_would_notice_a_cycle_through_a_third_module() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert import_cycles(graph) == [["a", "b", "c"]]


def test_the_import_reader_would_notice_a_private_name_and_a_lazy_import(tmp_path: Path) -> None:
    package = tmp_path / "compensator"
    package.mkdir()
    (package / "one.py").write_text("def later():\n    from compensator.two import _hidden\n", encoding="utf-8")
    (package / "two.py").write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
                                    "    from compensator import one\n", encoding="utf-8")
    modules = engine_modules(package)
    assert engine_imports(modules["compensator.one"], modules) == ({"compensator.two"}, ["compensator.two._hidden"])
    assert engine_imports(modules["compensator.two"], modules) == (set(), [])
