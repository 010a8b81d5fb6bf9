"""The import rules of ARCHITECTURE.md, read from the source with ast.

Blueprints never import each other; views never build SQL or use the ORM session;
presenters (app/pages) never touch the database.
"""

from __future__ import annotations

import ast
from pathlib import Path

APP = Path(__file__).resolve().parents[2] / "app"
SQL_BUILDERS = {"select", "insert", "update", "delete"}


def modules() -> dict[str, ast.Module]:
    """Every module under app/, by dotted name, parsed."""
    found = {}
    for path in sorted(APP.rglob("*.py")):
        parts = path.relative_to(APP.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = ast.parse(path.read_text(encoding="utf-8"), str(path))
    return found


def imported(tree: ast.Module) -> list[tuple[str, list[str]]]:
    """(module, names) of every import statement, wherever it is."""
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(alias.name, []) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            out.append((node.module, [alias.name for alias in node.names]))
    return out


def makes_blueprint(tree: ast.Module) -> bool:
    return any(
        isinstance(node, ast.Call) and getattr(node.func, "id", "") == "Blueprint"
        for node in ast.walk(tree)
    )


def blueprint_packages(parsed: dict[str, ast.Module]) -> set[str]:
    """app.<package> for every package with a module that makes a Blueprint."""
    return {
        ".".join(name.split(".")[:2])
        for name, tree in parsed.items()
        if name.count(".") >= 2 and makes_blueprint(tree)
    }


def package_of(name: str) -> str:
    return ".".join(name.split(".")[:2])


def blueprint_violations(parsed: dict[str, ast.Module]) -> list[str]:
    """Blueprint packages importing another blueprint package."""
    packages = blueprint_packages(parsed)
    found = []
    for name, tree in parsed.items():
        own = package_of(name)
        if own not in packages:
            continue
        for module, names in imported(tree):
            targets = {package_of(module)}
            if module == "app":
                targets |= {f"app.{n}" for n in names}
            for target in targets & packages - {own}:
                found.append(f"{name} imports {target}")
    return found


def view_sql_violations(parsed: dict[str, ast.Module]) -> list[str]:
    """View modules importing SQLAlchemy's statement builders or using db.session."""
    found = []
    for name, tree in parsed.items():
        if not name.endswith(".views"):
            continue
        for module, names in imported(tree):
            if module.split(".")[0] == "sqlalchemy" and SQL_BUILDERS & set(names):
                found.append(f"{name} imports {sorted(SQL_BUILDERS & set(names))}")
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and node.attr == "session"
                and getattr(node.value, "id", "") == "db"
            ):
                found.append(f"{name} uses db.session")
    return found


def presenter_violations(parsed: dict[str, ast.Module]) -> list[str]:
    """Presenters (app.pages) importing the database extension."""
    found = []
    for name, tree in parsed.items():
        if package_of(name) != "app.pages":
            continue
        for module, names in imported(tree):
            if module == "app.extensions" or "db" in names:
                found.append(f"{name} imports {module} {names}")
    return found


def test_blueprints_importing_each_other_none():
    """GIVEN every module of a blueprint package under app/
    WHEN its imports are read
    THEN none imports another blueprint package (links live in app.pages.links)."""
    assert blueprint_violations(modules()) == []


def test_view_modules_building_sql_none():
    """GIVEN every views module under app/
    WHEN its imports and attributes are read
    THEN none imports select/insert/update/delete nor uses db.session."""
    assert view_sql_violations(modules()) == []


def test_presenters_touching_the_database_none():
    """GIVEN every module of app/pages
    WHEN its imports are read
    THEN none imports app.extensions or db."""
    assert presenter_violations(modules()) == []


def test_blueprint_packages_found_include_the_features():
    """GIVEN the app's source
    WHEN blueprint packages are found by their Blueprint(...) calls
    THEN browse, edit, imports and audit are among them (the rule has teeth)."""
    packages = blueprint_packages(modules())
    assert {"app.browse", "app.edit", "app.imports", "app.audit"} <= packages


def signer_violations(parsed: dict[str, ast.Module]) -> list[str]:
    """Modules other than app.signing importing itsdangerous."""
    return [
        name
        for name, tree in parsed.items()
        if name != "app.signing"
        and any(module.split(".")[0] == "itsdangerous" for module, _ in imported(tree))
    ]


def test_modules_importing_itsdangerous_only_the_signer():
    """GIVEN every module under app/
    WHEN its imports are read
    THEN only app.signing imports itsdangerous (one signer of tokens)."""
    assert signer_violations(modules()) == []
