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
