"""``app.database`` is bound on every configuration: it imports no demo or dev code."""

from __future__ import annotations

import ast
from pathlib import Path

import app.database

FORBIDDEN = ("app.demo", "app.dev")


def _imported_modules(path: Path) -> set[str]:
    """Every module a file imports, at the top or inside a function."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def test_database_module_imports_neither_demo_nor_dev_code():
    """GIVEN app/database.py
    WHEN every import in it is listed, lazy ones included
    THEN none is of app.demo or app.dev (the dev start-up hook registers itself)."""
    imported = _imported_modules(Path(app.database.__file__))
    assert sorted(m for m in imported if m.startswith(FORBIDDEN)) == []
