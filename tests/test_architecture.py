"""Checks that dependencies point inward: the engine never imports the web layer or Flask."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def imported_modules(package: Path) -> dict[Path, set[str]]:
    found: dict[Path, set[str]] = {}
    for path in package.rglob("*.py"):
        names: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module)
        found[path] = names
    return found


def offenders(package: Path, forbidden: tuple[str, ...], root: Path = ROOT) -> list[str]:
    return [
        f"{path.relative_to(root)} imports {name}"
        for path, names in imported_modules(package).items()
        for name in sorted(names)
        if name.split(".")[0] in forbidden
    ]


def test_the_engine_never_imports_flask_or_the_web_layer() -> None:
    assert offenders(ROOT / "compensator", ("flask", "werkzeug", "web")) == []


def test_the_pure_core_imports_neither_the_database_nor_the_scheduler() -> None:
    assert offenders(ROOT / "compensator" / "domain", ("sqlalchemy", "alembic", "apscheduler", "flask")) == []


def test_the_checker_would_notice_a_flask_import(tmp_path: Path) -> None:
    (tmp_path / "bad.py").write_text("import json\nfrom flask import Flask\n", encoding="utf-8")
    assert offenders(tmp_path, ("flask",), root=tmp_path) == ["bad.py imports flask"]
