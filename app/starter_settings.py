"""``flask tablefront settings init``: starter tables.toml and access.toml.

A SQL admin who has just generated models for their own schema gets settings that
fit it: for every table a label (its MS_Description when it has one, else a
readable form of its name), a guessed label column, search columns and a default
sort; and an access file with one admin role for the group they name, granting
everything, and nothing to anyone else. Both files are checked by the same loaders
the app uses at start-up before they are written.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import click
from flask import current_app
from sqlalchemy import Table
from sqlalchemy import types as sqltypes

from app.catalog.registry import LONG_TEXT_LENGTH
from app.cli import tablefront_cli

LABEL_WORDS = re.compile(
    r"(^|_|\b)(name|title|code|label|number|subject)s?($|_|\b)", re.I
)
SEARCH_WORDS = re.compile(
    r"\b(name|title|code|number|e ?mail|login|city|subject|description|label)s?\b",
    re.I,
)
VIEW_PREFIX = re.compile(r"^(vw?_?)(?=[A-Z_])")
MAX_SEARCH = 4
MAX_LABEL = 40  # a longer MS_Description is the table's description


def humanise(name: str) -> str:
    """``SalesOrderHeader`` -> ``Sales order header``; ``order_date`` likewise."""
    spaced = re.sub(r"[_\s]+", " ", name)
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", spaced)
    spaced = re.sub(r"(?<=[A-Z])(?=[A-Z][a-z])", " ", spaced)
    words = [w if w.isupper() and len(w) > 1 else w.lower() for w in spaced.split()]
    text = " ".join(words)
    return text[:1].upper() + text[1:] if text else name


def _toml(value: str) -> str:
    # A JSON string is a valid TOML basic string (same escapes).
    return json.dumps(value, ensure_ascii=False)


def _is_short_text(column) -> bool:
    kind = column.type
    if not isinstance(kind, sqltypes.String) or isinstance(kind, sqltypes.Enum):
        return False
    if type(kind).__name__.upper() in {"XML", "NTEXT", "TEXT"}:
        return False
    return isinstance(kind.length, int) and kind.length < LONG_TEXT_LENGTH


def _unique_columns(table: Table) -> set[str]:
    names = {c.name for c in table.columns if c.unique}
    for index in table.indexes:
        if index.unique and len(index.columns) == 1:
            names |= {c.name for c in index.columns}
    for constraint in table.constraints:
        columns = list(getattr(constraint, "columns", []))
        if type(constraint).__name__ == "UniqueConstraint" and len(columns) == 1:
            names.add(columns[0].name)
    pk = list(table.primary_key.columns)
    if len(pk) == 1:
        names.add(pk[0].name)
    return names


def guess_label_column(table: Table) -> str | None:
    """A unique or NOT NULL name/title/code-like text column, unique ones first."""
    unique = _unique_columns(table)
    pk = [c.name for c in table.primary_key.columns]
    candidates = [
        c
        for c in table.columns
        if _is_short_text(c)
        and LABEL_WORDS.search(humanise(c.name))
        and (not c.foreign_keys or pk == [c.name])  # another table's label
    ]
    for wanted in (
        lambda c: c.name in unique and not c.nullable,
        lambda c: not c.nullable,
        lambda c: c.name in unique,
    ):
        found = [c for c in candidates if wanted(c)]
        if found:
            return found[0].name
    return None


def guess_search_columns(table: Table) -> list[str]:
    """Short text columns whose names say what people search for (at most four)."""
    text = [c for c in table.columns if _is_short_text(c) and c.computed is None]
    named = [c.name for c in text if SEARCH_WORDS.search(humanise(c.name))]
    return (named or [c.name for c in text][:2])[:MAX_SEARCH]


def tables_toml(tables: list[Table]) -> str:
    """The starter tables.toml for *tables*."""
    lines = [
        "# Tablefront display settings, written by `flask tablefront settings init`",
        "# for the generated models. Edit freely: regenerating the models keeps them.",
        "# Names match the database case-insensitively.",
        "",
    ]
    for table in sorted(tables, key=lambda t: t.fullname.casefold()):
        comment = (table.comment or "").strip()
        name = table.name
        if table.info.get("is_view"):
            name = VIEW_PREFIX.sub("", name) or name
        label = comment if comment and len(comment) <= MAX_LABEL else humanise(name)
        lines.append(f"[tables.{_toml(table.fullname)}]")
        lines.append(f"label = {_toml(label)}")
        if comment and comment != label:
            lines.append(f"description = {_toml(comment)}")
        label_column = guess_label_column(table)
        if label_column:
            lines.append(f"label_column = {_toml(label_column)}")
            lines.append(f"sort = {_toml(label_column)}")
        search = guess_search_columns(table)
        if search:
            lines.append("search = [" + ", ".join(_toml(s) for s in search) + "]")
        helps = [(c.name, c.comment.strip()) for c in table.columns if c.comment]
        if helps:
            lines.append(f"[tables.{_toml(table.fullname)}.help]")
            lines += [f"{_toml(name)} = {_toml(text)}" for name, text in helps]
        lines.append("")
    return "\n".join(lines)


def access_toml(admin_group: str, dev_user: str | None, table_count: int) -> str:
    """The starter access.toml: one admin role for *admin_group*, nothing else."""
    lines = [
        "# Tablefront access settings, written by `flask tablefront settings init`.",
        f"# One role: {admin_group} may do everything on all {table_count} tables and",
        "# open the admin pages. Nothing else is granted to anyone: add roles with",
        "# grants (see the README's Access settings) before employees use the site.",
        "version = 1",
        "",
        "[roles.admin]",
        'description = "Tablefront administrators"',
        f"groups = [{_toml(admin_group)}]",
        "admin = true",
        "",
        "[[roles.admin.grants]]",
        'tables = ["*.*"]',
        'actions = ["*"]',
        "",
    ]
    if dev_user:
        lines += [
            "# Used only with TABLEFRONT_GROUPS_PROVIDER=static (development, tests;",
            "# production asks Active Directory): the development user is an admin.",
            "[static_groups]",
            f"{_toml(admin_group)} = [{_toml(dev_user)}]",
            "",
        ]
    return "\n".join(lines)


@tablefront_cli.group("settings")
def settings_cli() -> None:
    """Display and access settings."""


@settings_cli.command("init")
@click.option(
    "--admin-group",
    required=True,
    help='The AD group of Tablefront admins, e.g. "CONTOSO\\SQL-Admins".',
)
@click.option("--force", is_flag=True, help="Replace existing settings files.")
def init_command(admin_group: str, force: bool) -> None:
    """Write tables.toml and access.toml that fit the generated models."""
    from app.access.settings import AccessSettingsError, load_settings
    from app.catalog.registry import catalog_from_metadata
    from app.catalog.settings import SettingsError
    from app.extensions import db
    from app.models.audit import APP_SCHEMA

    if "\\" not in admin_group.strip("\\"):
        raise click.BadParameter(
            'give the group as DOMAIN\\Group, e.g. "CONTOSO\\SQL-Admins"',
            param_hint="--admin-group",
        )
    config = current_app.config
    tables_path = Path(config["TABLES_FILE"])
    access_path = Path(config["ACCESS_FILE"])
    existing = [p for p in (tables_path, access_path) if p.exists()]
    if existing and not force:
        raise click.UsageError(
            "settings already exist: "
            + ", ".join(map(str, existing))
            + " (add --force to replace them)"
        )
    tables = [t for t in db.metadata.sorted_tables if t.schema != APP_SCHEMA]
    if not tables:
        raise click.UsageError(
            "no generated models yet: run `flask tablefront models generate` first"
        )
    dev_user = (
        config.get("DEV_USER") if config.get("ENV_NAME") != "production" else None
    )
    tables_text = tables_toml(tables)
    access_text = access_toml(admin_group.strip(), dev_user, len(tables))
    # Check both with the loaders the app uses, before anything is written.
    scratch = tables_path.with_name(tables_path.name + ".new")
    scratch_access = access_path.with_name(access_path.name + ".new")
    try:
        scratch.parent.mkdir(parents=True, exist_ok=True)
        scratch_access.parent.mkdir(parents=True, exist_ok=True)
        scratch.write_text(tables_text, encoding="utf-8")
        scratch_access.write_text(access_text, encoding="utf-8")
        catalog_from_metadata(db.metadata, scratch)
        load_settings(scratch_access, db.metadata)
    except (SettingsError, AccessSettingsError) as exc:
        scratch.unlink(missing_ok=True)
        scratch_access.unlink(missing_ok=True)
        raise click.ClickException(
            f"the starter settings failed their check: {exc}"
        ) from None
    scratch.replace(tables_path)
    scratch_access.replace(access_path)
    click.echo(f"wrote {tables_path} ({len(tables)} tables)")
    click.echo(f"wrote {access_path} (admin role for {admin_group})")
