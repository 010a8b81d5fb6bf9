"""What changed between two sets of generated modules: a text diff and a table report.

Both sides are loaded by executing the generated source against a throwaway
Flask-SQLAlchemy ``db`` (never the app's own), so the comparison is between the
MetaData the app would really map, not between strings.
"""

from __future__ import annotations

import difflib
import itertools
import sys
import types
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import MetaData, Table
from sqlalchemy.engine import Dialect

from app.codegen.generator import render_type

_load_numbers = itertools.count(1)


@dataclass
class LoadedModels:
    """Generated modules executed against their own ``db``."""

    db: SQLAlchemy
    namespaces: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def metadata(self) -> MetaData:
        """The MetaData every loaded table registered on."""
        return self.db.metadata


@contextmanager
def _throwaway_extensions(db: SQLAlchemy) -> Iterator[None]:
    """Make ``from app.extensions import db`` return *db* for the duration."""
    fake = types.ModuleType("app.extensions")
    fake.db = db  # type: ignore[attr-defined]
    saved = sys.modules.get("app.extensions")
    sys.modules["app.extensions"] = fake
    try:
        yield
    finally:
        if saved is None:
            sys.modules.pop("app.extensions", None)
        else:
            sys.modules["app.extensions"] = saved


def load_models(sources: Mapping[str, str], *, configure: bool = True) -> LoadedModels:
    """Execute generated schema modules (not ``__init__.py``) on a fresh ``db``."""
    loaded = LoadedModels(db=SQLAlchemy())
    prefix = f"_tablefront_generated_{next(_load_numbers)}_"
    names: list[str] = []
    try:
        with _throwaway_extensions(loaded.db):
            for filename, source in sorted(sources.items()):
                if filename == "__init__.py":
                    continue
                # SQLAlchemy resolves Mapped[...] annotations through sys.modules.
                module = types.ModuleType(prefix + filename.removesuffix(".py"))
                names.append(module.__name__)
                sys.modules[module.__name__] = module
                exec(compile(source, filename, "exec"), module.__dict__)  # noqa: S102
                loaded.namespaces[filename] = module.__dict__
        if configure:
            loaded.db.Model.registry.configure()
    finally:
        for name in names:
            sys.modules.pop(name, None)
    return loaded


def text_diff(old: Mapping[str, str], new: Mapping[str, str]) -> str:
    """A unified diff of every module that differs (added and removed files too)."""
    chunks: list[str] = []
    for filename in sorted(set(old) | set(new)):
        before, after = old.get(filename, ""), new.get(filename, "")
        if before == after:
            continue
        chunks.extend(
            difflib.unified_diff(
                before.splitlines(keepends=True),
                after.splitlines(keepends=True),
                fromfile=f"committed/{filename}" if filename in old else "/dev/null",
                tofile=f"database/{filename}" if filename in new else "/dev/null",
            )
        )
    return "".join(chunks)


def _describe_column(column: Any, dialect: Dialect) -> str:
    null = "NULL" if column.nullable else "NOT NULL"
    return f"{render_type(column.type, dialect)} {null}"


def _foreign_keys(table: Table) -> set[str]:
    return {
        f"({', '.join(c.name for c in fk.columns)}) -> "
        f"{fk.elements[0].column.table.fullname}"
        f"({', '.join(e.column.name for e in fk.elements)})"
        for fk in table.foreign_key_constraints
    }


def compare_metadata(old: MetaData, new: MetaData, dialect: Dialect) -> list[str]:
    """Readable change lines: tables and columns added, removed, retyped, re-nulled."""
    changes: list[str] = []
    old_tables, new_tables = old.tables, new.tables
    for key in sorted(set(new_tables) - set(old_tables)):
        changes.append(f"+ table {key} ({len(new_tables[key].columns)} columns)")
    for key in sorted(set(old_tables) - set(new_tables)):
        changes.append(f"- table {key}")
    for key in sorted(set(old_tables) & set(new_tables)):
        before, after = old_tables[key], new_tables[key]
        old_cols = {c.name: c for c in before.columns}
        new_cols = {c.name: c for c in after.columns}
        for name in [n for n in new_cols if n not in old_cols]:
            desc = _describe_column(new_cols[name], dialect)
            changes.append(f"+ column {key}.{name} {desc}")
        for name in [n for n in old_cols if n not in new_cols]:
            changes.append(f"- column {key}.{name}")
        for name in [n for n in old_cols if n in new_cols]:
            was, now = old_cols[name], new_cols[name]
            was_type = render_type(was.type, dialect)
            now_type = render_type(now.type, dialect)
            if was_type != now_type:
                changes.append(f"~ column {key}.{name} type {was_type} -> {now_type}")
            if was.nullable != now.nullable:
                changes.append(
                    f"~ column {key}.{name} "
                    f"{'NULL' if was.nullable else 'NOT NULL'} -> "
                    f"{'NULL' if now.nullable else 'NOT NULL'}"
                )
        old_pk = [c.name for c in before.primary_key.columns]
        new_pk = [c.name for c in after.primary_key.columns]
        if old_pk != new_pk:
            changes.append(f"~ table {key} primary key {old_pk} -> {new_pk}")
        old_fks, new_fks = _foreign_keys(before), _foreign_keys(after)
        changes += [f"+ foreign key {key} {fk}" for fk in sorted(new_fks - old_fks)]
        changes += [f"- foreign key {key} {fk}" for fk in sorted(old_fks - new_fks)]
    return changes
