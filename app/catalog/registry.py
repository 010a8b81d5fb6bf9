"""Build the catalog from table metadata plus the settings file, and look tables up."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    Integer,
    LargeBinary,
    MetaData,
    Numeric,
    String,
    Table,
    Text,
    Time,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.types import TypeDecorator, _Binary

from app.catalog.model import (
    ColumnInfo,
    ForeignKeyInfo,
    ReferenceInfo,
    TableInfo,
)
from app.catalog.settings import SettingsFile, TableSettings, load_settings
from app.mssql_types import (
    HISTORY_OF_INFO_KEY,
    HISTORY_TABLE_INFO_KEY,
    OpaqueSqlType,
    type_abilities,
)

log = logging.getLogger(__name__)

APP_SCHEMAS = frozenset({"tablefront"})  # app-owned tables are not browsed
LABEL_NAMES = ("name", "full_name", "title", "code")
LONG_TEXT_LENGTH = 1000
DEFAULT_PAGE_SIZE = 50


@dataclass
class Catalog:
    """Every browsable table, keyed by logical ``schema.table``."""

    tables: dict[str, TableInfo] = field(default_factory=dict)
    settings_path: Path | None = None

    def get(self, key: str) -> TableInfo | None:
        return self.tables.get(key)

    def by_schema(self) -> dict[str, list[TableInfo]]:
        """Tables grouped by schema, schemas and tables in name order."""
        groups: dict[str, list[TableInfo]] = {}
        for info in sorted(self.tables.values(), key=lambda t: (t.schema, t.label)):
            groups.setdefault(info.schema, []).append(info)
        return groups


def column_kind(column: Column) -> str:
    """The display/filter kind of a column, from its SQL type."""
    type_ = column.type
    if isinstance(type_, OpaqueSqlType):
        return "other"
    if isinstance(type_, TypeDecorator):  # DATETIME_LEGACY: a DateTime underneath
        type_ = type_.impl_instance
    type_name = type(type_).__name__.upper()
    if type_name in {"MONEY", "SMALLMONEY"}:
        return "money"
    if isinstance(type_, Boolean):
        return "bool"
    if isinstance(type_, Integer):
        return "int"
    if isinstance(type_, Float):
        return "float"
    if isinstance(type_, Numeric):
        return "decimal"
    if isinstance(type_, DateTime):
        return "datetime"
    if isinstance(type_, Date):
        return "date"
    if isinstance(type_, Time):
        return "time"
    if isinstance(type_, Uuid):
        return "guid"
    if isinstance(type_, (LargeBinary, _Binary)):
        return "binary"
    if isinstance(type_, Text):
        return "longtext"
    if isinstance(type_, String):
        length = type_.length
        return "longtext" if length is None or length >= LONG_TEXT_LENGTH else "text"
    return "other"


def _humanize(name: str) -> str:
    words = re.sub(r"[_\s]+", " ", name).strip()
    return words[:1].upper() + words[1:] if words else name


def _unique_sets(table: Table) -> list[tuple[str, ...]]:
    sets = [
        tuple(c.name for c in cons.columns)
        for cons in table.constraints
        if isinstance(cons, UniqueConstraint) and len(cons.columns)
    ]
    sets += [
        tuple(c.name for c in index.columns)
        for index in table.indexes
        if index.unique and len(index.columns)
    ]
    sets += [(c.name,) for c in table.columns if c.unique]
    return sets


def _indexed_leading(table: Table) -> set[str]:
    names = {c.name for c in table.columns if c.index or c.unique}
    for index in table.indexes:
        cols = list(index.columns)
        if cols:
            names.add(cols[0].name)
    for cons in table.constraints:
        cols = list(getattr(cons, "columns", []))
        if isinstance(cons, UniqueConstraint) and cols:
            names.add(cols[0].name)
    return names


def _table_info(table: Table) -> TableInfo:
    schema = table.schema or "dbo"
    key = f"{schema}.{table.name}"
    pk = tuple(c.name for c in table.primary_key.columns)
    uniques = _unique_sets(table)
    columns: dict[str, ColumnInfo] = {}
    for col in table.columns:
        kind = column_kind(col)
        abilities = type_abilities(col.type)
        columns[col.name] = ColumnInfo(
            name=col.name,
            label=_humanize(col.name),
            kind=kind,
            column=col,
            primary_key=col.primary_key,
            nullable=bool(col.nullable) and not col.primary_key,
            unique=(col.name,) in uniques or pk == (col.name,),
            sortable=abilities.sortable and kind != "binary",
            comparable=abilities.comparable,
            matchable=abilities.matchable,
            limit_note=abilities.why_not,
        )
    fks: list[ForeignKeyInfo] = []
    for cons in sorted(table.foreign_key_constraints, key=lambda c: c.column_keys):
        ref = cons.referred_table
        fk = ForeignKeyInfo(
            columns=tuple(cons.column_keys),
            ref_key=f"{ref.schema or 'dbo'}.{ref.name}",
            ref_columns=tuple(e.column.name for e in cons.elements),
        )
        fks.append(fk)
        if len(fk.columns) == 1 and fk.columns[0] in columns:
            columns[fk.columns[0]].fk = fk
    if pk:
        order_key = pk
    elif uniques:
        order_key = min(uniques, key=len)
    else:
        order_key = tuple(
            c.name
            for c in columns.values()
            if c.kind not in {"longtext", "binary"} and c.sortable
        )
    strings = [c.name for c in columns.values() if c.kind == "text"]
    label_columns: tuple[str, ...] = ()
    for name in LABEL_NAMES:
        if name in columns and columns[name].is_string:
            label_columns = (name,)
            break
    if not label_columns:
        unique_strings = [n for n in strings if columns[n].unique]
        if unique_strings:
            label_columns = (unique_strings[0],)
    indexed = _indexed_leading(table)
    searchable = tuple(n for n in strings if n in indexed) or tuple(
        n for n in label_columns if columns[n].is_string
    )
    return TableInfo(
        key=key,
        schema=schema,
        name=table.name,
        table=table,
        label=_humanize(table.name),
        columns=columns,
        primary_key=pk,
        order_key=order_key,
        label_columns=label_columns,
        searchable=searchable,
        default_sort=order_key[0] if order_key else "",
        page_size=DEFAULT_PAGE_SIZE,
        foreign_keys=tuple(fks),
        history_key=table.info.get(HISTORY_TABLE_INFO_KEY, ""),
        history_of=table.info.get(HISTORY_OF_INFO_KEY, ""),
        read_only=bool(table.info.get(HISTORY_OF_INFO_KEY)),
    )


def _apply(info: TableInfo, settings: TableSettings, file: SettingsFile) -> None:
    # Column names match case-insensitively, as under SQL Server's default collation;
    # the catalog keeps the database's spelling.
    by_folded = {name.casefold(): name for name in info.columns}

    def check(name: str, what: str) -> str:
        found = by_folded.get(name.casefold())
        if found is None:
            known = ", ".join(info.columns)
            raise file.error(
                f"unknown column {name!r} in {what} of {info.key!r} (columns: {known})",
                file.line_of(settings, name),
            )
        return found

    if settings.label:
        info.label = settings.label
    if settings.description:
        info.description = settings.description
    for name in settings.hidden:
        info.columns[check(name, "hidden")].hidden = True
    if settings.list_columns is not None:
        list_columns = [check(name, "list_columns") for name in settings.list_columns]
        for given, name in zip(settings.list_columns, list_columns, strict=True):
            if info.columns[name].hidden:
                raise file.error(
                    f"list column {name!r} of {info.key!r} is also hidden",
                    file.line_of(settings, given),
                )
        if len(set(list_columns)) != len(list_columns):
            raise file.error(
                f"list_columns of {info.key!r} names a column twice",
                file.line_of(settings, "list_columns"),
            )
        info.list_columns = tuple(list_columns)
    for name, label in settings.column_labels.items():
        info.columns[check(name, "columns")].label = label
    for name, text in settings.column_help.items():
        info.columns[check(name, "help")].help = text
    if settings.search is not None:
        search = []
        for given in settings.search:
            name = check(given, "search")
            if not info.columns[name].is_string:
                raise file.error(
                    f"search column {name!r} of {info.key!r} is not a text column",
                    file.line_of(settings, given),
                )
            if not info.columns[name].matchable:
                raise file.error(
                    f"search column {name!r} of {info.key!r}: "
                    f"{info.columns[name].limit_note}",
                    file.line_of(settings, given),
                )
            search.append(name)
        info.searchable = tuple(search)
    if settings.search_mode:
        info.search_mode = settings.search_mode
    if settings.label_column is not None:
        info.label_columns = tuple(
            check(name, "label_column") for name in settings.label_column
        )
    if settings.sort:
        descending = settings.sort.startswith("-")
        name = check(settings.sort.lstrip("-"), "sort")
        if not info.columns[name].sortable:
            raise file.error(
                f"sort column {name!r} of {info.key!r} cannot be sorted on SQL Server",
                file.line_of(settings, "sort"),
            )
        info.default_sort = f"-{name}" if descending else name
    if settings.page_size:
        info.page_size = settings.page_size
    # A history table stays read-only whatever the settings say: SQL Server refuses
    # writes to it while SYSTEM_VERSIONING is on.
    info.read_only = settings.read_only or bool(info.history_of)
    hidden = {n for n, c in info.columns.items() if c.hidden}
    info.searchable = tuple(n for n in info.searchable if n not in hidden)


def build_catalog(tables: Iterable[Table], settings_path: Path | None) -> Catalog:
    """The catalog of ``tables`` with the settings file applied and validated."""
    catalog = Catalog(settings_path=settings_path)
    for table in tables:
        if table.schema in APP_SCHEMAS:
            continue
        info = _table_info(table)
        catalog.tables[info.key] = info
    file = load_settings(settings_path) if settings_path else None
    if file:
        by_folded = {key.casefold(): info for key, info in catalog.tables.items()}
        for key, settings in file.tables.items():
            info = by_folded.get(key.casefold())
            if info is None:
                known = ", ".join(sorted(catalog.tables)) or "none"
                raise file.error(
                    f"unknown table {key!r} (known tables: {known})", settings.line
                )
            _apply(info, settings, file)
    references: dict[str, list[ReferenceInfo]] = {}
    for info in catalog.tables.values():
        for fk in info.foreign_keys:
            if fk.ref_key in catalog.tables:
                references.setdefault(fk.ref_key, []).append(
                    ReferenceInfo(info.key, fk.columns, fk.ref_columns)
                )
    for key, refs in references.items():
        catalog.tables[key].referenced_by = tuple(
            sorted(refs, key=lambda r: (r.child_key, r.child_columns))
        )
    return catalog


def catalog_from_metadata(metadata: MetaData, settings_path: Path | None) -> Catalog:
    """The catalog of every table mapped on ``metadata``."""
    return build_catalog(metadata.tables.values(), settings_path)
