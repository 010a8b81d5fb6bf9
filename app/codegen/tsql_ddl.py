"""Read T-SQL DDL scripts into SQLAlchemy MetaData, as mssql reflection would.

sql/demo is the one source of truth for the demo database: the committed demo models
are generated from the MetaData built here, with no SQL Server needed to reflect.

What "as reflection would" means here (SQLAlchemy 2.1, mssql dialect):
- types come from the mssql dialect's ``ischema_names`` (rowversion is ``TIMESTAMP``;
  ``nvarchar(max)`` has length None; string types carry the database's default
  collation; ``datetime2(n)`` loses its precision, as reflection does);
- server defaults are the text SQL Server stores (``((1))``, ``(getdate())``,
  ``('open')``); identity columns carry ``Identity(start, increment)``, every other
  column ``autoincrement=False``; computed columns ``Computed(sqltext, persisted)``;
- UNIQUE constraints come back as unique ``Index`` objects (mssql reflection has no
  unique-constraint reflection), named as in the script;
- CHECK constraints are NOT reflected by mssql; they are included here anyway (named)
  unless ``checks=False``, so the embedded SQLite database enforces them too;
- a view is a Table with ``info={"is_view": True}``, no primary key, column types taken
  from the underlying tables; ``info["depends_on"]`` lists the tables and views it
  reads (``schema.name``), as ``sys.sql_expression_dependencies`` gives on a server;
- a type the dialect does not know (geography, geometry, hierarchyid) is an
  ``OpaqueSqlType`` keeping its name (reflection gives NullType; the generator makes
  both opaque);
- temporal tables: ``GENERATED ALWAYS AS ROW START/END`` columns carry
  ``info={"generated_always": "row_start"|"row_end"}`` (what ``sys.columns.
  generated_always_type`` says); ``WITH (SYSTEM_VERSIONING = ON (HISTORY_TABLE = s.h))``
  links the table and its history table through ``info``, and a history table the
  scripts do not create is added as SQL Server would create it (the same columns, no
  key, no constraints).

The reading is in parts: scripts into batches (app.codegen.tsql_scripts), a column's
type (app.codegen.tsql_types), the text of its DEFAULT, computed and CHECK expressions
as SQL Server stores it (app.codegen.tsql_column_text); this module reads each batch's
statements into tables, views, keys, indexes and constraints.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import sqlglot
from sqlalchemy import (
    CheckConstraint,
    Column,
    Computed,
    ForeignKeyConstraint,
    Identity,
    Index,
    MetaData,
    PrimaryKeyConstraint,
    Table,
    text,
)
from sqlalchemy.dialects.mssql import base as mssql_base
from sqlglot import ErrorLevel, exp

from app.codegen.computed_types import computed_column_type
from app.codegen.descriptions import Description, apply_descriptions, description_in
from app.codegen.generator import TRIGGERS_INFO_KEY
from app.codegen.tsql_column_text import (
    ColumnSource,
    check_text,
    column_sources,
    computed_text,
    default_text,
)
from app.codegen.tsql_scripts import script_batches
from app.codegen.tsql_types import column_type, view_column_type
from app.mssql_types import (
    HISTORY_OF_INFO_KEY,
    HISTORY_TABLE_INFO_KEY,
    PERIOD_INFO_KEY,
)

log = logging.getLogger(__name__)

TRIGGER_HEAD = re.compile(
    r"^\s*CREATE\s+(?:OR\s+ALTER\s+)?TRIGGER\s+[\w.\[\]]+\s+ON\s+"
    r"(?P<table>(?:\[[^\]]+\]|\w+)(?:\.(?:\[[^\]]+\]|\w+))?)",
    re.IGNORECASE,
)

DEFAULT_COLLATION = "SQL_Latin1_General_CP1_CI_AS"


def metadata_from_tsql(
    paths: Iterable[Path | str],
    *,
    collation: str = DEFAULT_COLLATION,
    checks: bool = True,
) -> MetaData:
    """Build MetaData from CREATE TABLE/VIEW/INDEX and ALTER TABLE ADD CONSTRAINT."""
    reader = _Reader(collation=collation, checks=checks)
    for path, number, batch in script_batches(paths):
        try:
            reader.read_batch(batch)
        except Exception as error:
            raise ValueError(f"{path.name} batch {number}: {error}") from error
    return reader.build()


def view_dependencies(create_view: exp.Create, metadata: MetaData) -> list[str]:
    """``schema.name`` of every table or view a CREATE VIEW reads, sorted.

    Joins, subqueries and the bodies of CTEs count; the CTE names themselves do not;
    a name in another database keeps its three parts. Names are lower-cased (SQL
    Server's usual collation is case-insensitive, and access keys are lower case).
    An unqualified name resolves to the view's own schema, then ``dbo``, when such a
    table is known (SQL Server's order for names inside a module), else stays bare.
    """
    select = create_view.expression
    view_schema = create_view.this.db or ""
    ctes = _cte_names(select)
    found = set()
    for source in select.find_all(exp.Table):
        if _is_cte(source, ctes):
            continue
        if source.catalog:  # another database: never one of the app's tables
            found.add(f"{source.catalog}.{source.db}.{source.name}".lower())
            continue
        if source.db:
            found.add(f"{source.db}.{source.name}".lower())
            continue
        candidates = [f"{view_schema}.{source.name}", f"dbo.{source.name}"]
        known = [c for c in candidates if c in metadata.tables]
        found.add((known[0] if known else source.name).lower())
    return sorted(found)


def view_dependencies_from_ddl(sql: str) -> list[str]:
    """The dependencies of the CREATE VIEW in ``sql`` (no other tables known)."""
    statement = sqlglot.parse_one(sql, read="tsql", error_level=ErrorLevel.RAISE)
    if not isinstance(statement, exp.Create) or (statement.kind or "") != "VIEW":
        raise ValueError("not a CREATE VIEW statement")
    return view_dependencies(statement, MetaData())


def _cte_names(select: exp.Expression) -> set[str]:
    return {cte.alias_or_name.lower() for cte in select.find_all(exp.CTE)}


def _is_cte(source: exp.Table, ctes: set[str]) -> bool:
    return not source.db and source.name.lower() in ctes


# --- reading ---------------------------------------------------------------------


@dataclass
class _Reader:
    collation: str
    checks: bool
    metadata: MetaData = field(default_factory=MetaData)
    schemas: list[str] = field(default_factory=list)
    descriptions: list[Description] = field(default_factory=list)
    triggers: list[str] = field(default_factory=list)

    def read_batch(self, batch: str) -> None:
        description = description_in(batch)
        if description is not None:
            self.descriptions.append(description)
            return
        trigger = TRIGGER_HEAD.search(_without_comments(batch))
        if trigger is not None:  # sqlglot keeps a trigger body as an opaque command
            self.triggers.append(_unbracket(trigger.group("table")))
            return
        statements = sqlglot.parse(batch, read="tsql", error_level=ErrorLevel.RAISE)
        for statement in _unguarded(statements):
            if isinstance(statement, exp.Create):
                kind = (statement.kind or "").upper()
                if kind == "TABLE":
                    self._create_table(statement, batch)
                elif kind == "VIEW":
                    self._create_view(statement)
                elif kind.endswith("INDEX"):
                    self._create_index(statement)
            elif isinstance(statement, exp.Alter):
                self._alter_table(statement)
            elif isinstance(statement, exp.IfBlock | exp.Block | exp.ExecuteSql):
                self._note_schemas(statement)

    def build(self) -> MetaData:
        self._link_history_tables()
        apply_descriptions(self.metadata, self.descriptions)
        by_name = {t.fullname.casefold(): t for t in self.metadata.tables.values()}
        for name in self.triggers:
            table = by_name.get(name.casefold())
            if table is not None:  # SQL Server refuses OUTPUT on its INSERTs
                table.info[TRIGGERS_INFO_KEY] = True
        self.metadata.info["schemas"] = sorted(
            set(self.schemas) | {t.schema for t in self.metadata.tables.values()}
        )
        return self.metadata

    def _link_history_tables(self) -> None:
        for table in list(self.metadata.tables.values()):
            key = table.info.get(HISTORY_TABLE_INFO_KEY)
            if not key:
                continue
            history = self.metadata.tables.get(key)
            if history is None:  # SQL Server creates it: same columns, no key
                schema, _, name = key.rpartition(".")
                history = Table(name, self.metadata, schema=schema or None)
                for column in table.columns:
                    history.append_column(
                        Column(
                            column.name,
                            column.type,
                            nullable=column.nullable,
                            autoincrement=False,
                        )
                    )
            history.info[HISTORY_OF_INFO_KEY] = table.key

    # CREATE SCHEMA runs through sp_executesql (it must be alone in its batch).
    def _note_schemas(self, statement: exp.Expression) -> None:
        for literal in statement.find_all(exp.National, exp.Literal):
            match = re.match(r"\s*CREATE\s+SCHEMA\s+\[?(\w+)", literal.name, re.I)
            if match:
                self.schemas.append(match.group(1))

    def _create_table(self, statement: exp.Create, batch: str) -> None:
        schema_node = statement.this
        table_node = schema_node.this
        sources = column_sources(batch)
        table = Table(table_node.name, self.metadata, schema=table_node.db or None)
        properties = statement.args.get("properties")
        for prop in properties.expressions if properties else []:
            if isinstance(prop, exp.WithSystemVersioningProperty) and prop.args.get(
                "on"
            ):
                history = prop.this
                if isinstance(history, exp.Table):
                    schema = history.db or table.schema or "dbo"
                    table.info[HISTORY_TABLE_INFO_KEY] = f"{schema}.{history.name}"
        for definition in schema_node.expressions:
            if isinstance(definition, exp.ColumnDef):
                self._add_column(table, definition, sources.get(definition.name))
            elif isinstance(definition, exp.Constraint):
                self._add_table_constraint(table, definition)

    def _add_column(
        self, table: Table, definition: exp.ColumnDef, source: ColumnSource | None
    ) -> None:
        source = source or ColumnSource()
        constraints = {
            type(c.args["kind"]): c for c in definition.args.get("constraints") or []
        }
        kinds = {kind: c.args["kind"] for kind, c in constraints.items()}
        identity = kinds.get(exp.GeneratedAsIdentityColumnConstraint)
        computed = kinds.get(exp.ComputedColumnConstraint)
        not_null = kinds.get(exp.NotNullColumnConstraint)
        default = kinds.get(exp.DefaultColumnConstraint)
        period = kinds.get(exp.GeneratedAsRowColumnConstraint)

        args: list = []
        if computed is not None:
            sql_type, computed_nullable = computed_column_type(computed, table)
            args.append(
                Computed(
                    computed_text(source.computed or computed.this.sql("tsql")),
                    persisted=bool(computed.args.get("persisted")),
                )
            )
            nullable = computed_nullable
        else:
            sql_type = column_type(
                definition.args["kind"], source.type_name, self.collation
            )
            nullable = not_null is None or bool(not_null.args.get("allow_null"))
        if identity is not None:
            args.append(
                Identity(
                    start=int(identity.args["start"].name),
                    increment=int(identity.args["increment"].name),
                )
            )
            nullable = False
        if isinstance(sql_type, mssql_base.TIMESTAMP):
            nullable = False
        server_default = None
        if default is not None:
            raw = source.default or default.this.sql("tsql")
            server_default = text(default_text(raw))
        column = Column(
            definition.name,
            sql_type,
            *args,
            nullable=nullable,
            server_default=server_default,
            autoincrement=identity is not None,
        )
        if period is not None:
            kind = "row_start" if period.args.get("start") else "row_end"
            column.info[PERIOD_INFO_KEY] = kind
        table.append_column(column)
        for kind, constraint in constraints.items():
            name = constraint.name or None
            if kind is exp.PrimaryKeyColumnConstraint:
                table.append_constraint(
                    PrimaryKeyConstraint(definition.name, name=name)
                )
                column.nullable = False
            elif kind is exp.UniqueColumnConstraint:
                Index(name, column, unique=True, _table=table)
            elif kind is exp.CheckColumnConstraint and self.checks:
                table.append_constraint(
                    CheckConstraint(check_text(constraint.args["kind"]), name=name)
                )

    def _add_table_constraint(self, table: Table, constraint: exp.Constraint) -> None:
        name = constraint.name or None
        for item in constraint.expressions:
            if isinstance(item, exp.PrimaryKeyColumnConstraint | exp.PrimaryKey):
                columns = _constraint_columns(constraint)
                table.append_constraint(PrimaryKeyConstraint(*columns, name=name))
                for column_name in columns:
                    table.c[column_name].nullable = False
            elif isinstance(item, exp.UniqueColumnConstraint):
                columns = [i.name for i in item.this.expressions]
                Index(name, *(table.c[c] for c in columns), unique=True)
            elif isinstance(item, exp.ForeignKey):
                self._add_foreign_key(table, item, name)
            elif isinstance(item, exp.CheckColumnConstraint) and self.checks:
                table.append_constraint(CheckConstraint(check_text(item), name=name))

    def _add_foreign_key(self, table: Table, key: exp.ForeignKey, name: str | None):
        reference = key.args["reference"]
        target = reference.this.this
        prefix = f"{target.db}.{target.name}" if target.db else target.name
        referred = [i.name for i in reference.this.expressions]
        options = " ".join(str(o).upper() for o in reference.args.get("options") or [])
        ondelete = _referential_action(options, "DELETE")
        onupdate = _referential_action(options, "UPDATE")
        table.append_constraint(
            ForeignKeyConstraint(
                [i.name for i in key.expressions],
                [f"{prefix}.{c}" for c in referred],
                name=name,
                ondelete=ondelete,
                onupdate=onupdate,
            )
        )

    def _alter_table(self, statement: exp.Alter) -> None:
        table = self._table(statement.this)
        for action in statement.args.get("actions") or []:
            for constraint in action.find_all(exp.Constraint):
                self._add_table_constraint(table, constraint)

    def _create_index(self, statement: exp.Create) -> None:
        index = statement.this
        table = self._table(index.args["table"])
        params = index.args["params"]
        columns = [table.c[o.this.name] for o in params.args.get("columns") or []]
        kwargs = {}
        include = params.args.get("include")
        if include:
            kwargs["mssql_include"] = [i.name for i in include]
        where = params.args.get("where")
        if where is not None:
            kwargs["mssql_where"] = text(f"({where.this.sql('tsql')})")
        Index(index.name, *columns, unique=bool(statement.args.get("unique")), **kwargs)

    def _create_view(self, statement: exp.Create) -> None:
        target = statement.this
        select = statement.expression
        aliases = {}
        outer_joined = set()
        ctes = _cte_names(select)
        for source in select.find_all(exp.Table):
            if not _is_cte(source, ctes):
                aliases[source.alias_or_name] = self._table(source, target.db)
        for join in select.args.get("joins") or []:
            if (join.side or "").upper() in {"LEFT", "FULL"}:
                outer_joined.add(join.this.alias_or_name)
        info: dict = {"is_view": True}
        depends_on = view_dependencies(statement, self.metadata)
        if depends_on:
            info["depends_on"] = depends_on
        view = Table(
            target.name,
            self.metadata,
            schema=target.db or None,
            info=info,
        )
        for projection in select.expressions:
            name = projection.alias_or_name
            inner = projection.unalias()
            sql_type, nullable = view_column_type(inner, aliases, outer_joined)
            view.append_column(
                Column(name, sql_type, nullable=nullable, autoincrement=False)
            )

    def _table(self, node: exp.Table, view_schema: str = "") -> Table:
        key = f"{node.db}.{node.name}" if node.db else node.name
        if not node.db and view_schema:
            # Inside a view an unqualified name means the view's schema, then dbo.
            key = next(
                (
                    k
                    for k in (f"{view_schema}.{node.name}", f"dbo.{node.name}")
                    if k in self.metadata.tables
                ),
                key,
            )
        try:
            return self.metadata.tables[key]
        except KeyError:
            raise ValueError(f"{key} is used before its CREATE TABLE") from None


def _unguarded(statements: Iterable[exp.Expression | None]) -> Iterator[exp.Expression]:
    """Statements, with those inside a re-run guard (``IF OBJECT_ID(...) IS NULL
    BEGIN CREATE TABLE ... END``) taken out of it, as a first run would execute them."""
    for statement in statements:
        if statement is None:
            continue
        yield statement
        if isinstance(statement, exp.IfBlock):
            branch = statement.args.get("true")
            inner = branch.expressions if isinstance(branch, exp.Block) else [branch]
            yield from (s for s in inner if isinstance(s, exp.Create | exp.Alter))


def _referential_action(options: str, event: str) -> str | None:
    match = re.search(rf"ON {event} (CASCADE|SET NULL|SET DEFAULT)", options)
    return match.group(1) if match else None


def _constraint_columns(constraint: exp.Constraint) -> list[str]:
    names = []
    for node in constraint.find_all(exp.Column, exp.Identifier):
        if node is constraint.this or isinstance(node.parent, exp.Column):
            continue
        names.append(node.name)
    return names


def _without_comments(batch: str) -> str:
    return re.sub(r"--[^\n]*", "", batch)


def _unbracket(name: str) -> str:
    """``[Inventory].[Stock Move]`` -> ``Inventory.Stock Move``."""
    parts = re.findall(r"\[([^\]]+)\]|(\w+)", name)
    return ".".join(a or b for a, b in parts)
