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
from sqlalchemy.types import NumericCommon, TypeEngine
from sqlglot import ErrorLevel, exp
from sqlglot.dialects.tsql import TSQL
from sqlglot.tokens import Token, TokenType

from app.codegen.computed_types import computed_column_type
from app.codegen.descriptions import Description, apply_descriptions, description_in
from app.codegen.generator import TRIGGERS_INFO_KEY
from app.mssql_types import (
    HISTORY_OF_INFO_KEY,
    HISTORY_TABLE_INFO_KEY,
    PERIOD_INFO_KEY,
    OpaqueSqlType,
)

log = logging.getLogger(__name__)

TRIGGER_HEAD = re.compile(
    r"^\s*CREATE\s+(?:OR\s+ALTER\s+)?TRIGGER\s+[\w.\[\]]+\s+ON\s+"
    r"(?P<table>(?:\[[^\]]+\]|\w+)(?:\.(?:\[[^\]]+\]|\w+))?)",
    re.IGNORECASE,
)

DEFAULT_COLLATION = "SQL_Latin1_General_CP1_CI_AS"
GO_LINE = re.compile(r"^[ \t]*GO[ \t]*$", re.IGNORECASE | re.MULTILINE)
SQLCMD_VARIABLE = re.compile(r"\$\((\w+)\)")
NUMBER = re.compile(r"^-?\d+(\.\d*)?$")
SIMPLE_BRACKETED = re.compile(r"\[([A-Za-z_][A-Za-z0-9_]*)\]")
# Type names sys.types reports for aliases written in scripts.
TYPE_ALIASES = {"rowversion": "timestamp", "integer": "int", "dec": "decimal"}
STRING_TYPES = {"varchar", "nvarchar", "char", "nchar", "text", "ntext"}
TABLE_CONSTRAINT_HEADS = {
    "CONSTRAINT",
    "PRIMARY",
    "UNIQUE",
    "FOREIGN",
    "CHECK",
    "INDEX",
}
# Where a DEFAULT or computed expression ends when not parenthesised.
EXPRESSION_STOPS = {
    "CONSTRAINT", "NOT", "NULL", "PRIMARY", "UNIQUE", "CHECK", "REFERENCES",
    "DEFAULT", "PERSISTED", "FOREIGN",
}  # fmt: skip


def split_batches(script: str) -> list[str]:
    """Split a sqlcmd script into batches on lines that are exactly GO; drop empties."""
    return [batch.strip() for batch in GO_LINE.split(script) if _has_code(batch)]


def substitute_sqlcmd_variables(script: str, values: dict[str, str]) -> str:
    """Replace ``$(Name)`` sqlcmd variables; an unknown name raises KeyError."""
    return SQLCMD_VARIABLE.sub(lambda m: values[m.group(1)], script)


def script_batches(paths: Iterable[Path | str]) -> Iterator[tuple[Path, int, str]]:
    """Yield (file, batch number from 1, batch text) for each .sql file in run order."""
    for path in _sql_files(paths):
        text_ = path.read_text(encoding="utf-8")
        for number, batch in enumerate(split_batches(text_), start=1):
            yield path, number, batch


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
class _ColumnSource:
    """Raw text of one column definition, sliced from the tokens (exact spelling)."""

    type_name: str | None = None
    default: str | None = None
    computed: str | None = None


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
        sources = _column_sources(batch)
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
        self, table: Table, definition: exp.ColumnDef, source: _ColumnSource | None
    ) -> None:
        source = source or _ColumnSource()
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
                    _computed_text(source.computed or computed.this.sql("tsql")),
                    persisted=bool(computed.args.get("persisted")),
                )
            )
            nullable = computed_nullable
        else:
            sql_type = self._type(definition.args["kind"], source.type_name)
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
            server_default = text(_default_text(raw))
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
                    CheckConstraint(_check_text(constraint.args["kind"]), name=name)
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
                table.append_constraint(CheckConstraint(_check_text(item), name=name))

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
            sql_type, nullable = self._view_column_type(inner, aliases, outer_joined)
            view.append_column(
                Column(name, sql_type, nullable=nullable, autoincrement=False)
            )

    def _view_column_type(
        self, node: exp.Expression, aliases: dict[str, Table], outer_joined: set[str]
    ) -> tuple[TypeEngine, bool]:
        if isinstance(node, exp.Column):
            if node.table and node.table not in aliases:
                raise ValueError(
                    f"cannot derive a view column type from {node.sql('tsql')} "
                    "(not a column of a table)"
                )
            source = aliases[node.table] if node.table else _only(aliases.values())
            column = source.c[node.name]
            return column.type, column.nullable or node.table in outer_joined
        if isinstance(node, exp.Count):
            return mssql_base.INTEGER(), True
        if isinstance(node, exp.Sum | exp.Min | exp.Max | exp.Avg):
            inner_type, _ = self._view_column_type(node.this, aliases, outer_joined)
            if isinstance(node, exp.Sum | exp.Avg) and isinstance(
                inner_type, mssql_base.DECIMAL
            ):
                inner_type = mssql_base.DECIMAL(precision=38, scale=inner_type.scale)
            return inner_type, True
        if isinstance(node, exp.Anonymous) and node.name.upper() == "COUNT_BIG":
            return mssql_base.BIGINT(), True
        raise ValueError(f"cannot derive a view column type from {node.sql('tsql')}")

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

    def _type(self, data_type: exp.DataType, spelled: str | None) -> TypeEngine:
        name = (spelled or data_type.this.name).lower()
        name = TYPE_ALIASES.get(name, name)
        type_class = mssql_base.ischema_names.get(name)
        if type_class is None:  # geography, hierarchyid, ...: kept by name
            return OpaqueSqlType(name)
        params = [p.this.name for p in data_type.expressions]
        kwargs: dict = {}
        if name in STRING_TYPES or name in {"binary", "varbinary"}:
            if name not in {"text", "ntext"}:
                length = params[0] if params else "1"
                kwargs["length"] = None if length.upper() == "MAX" else int(length)
            if name in STRING_TYPES:
                kwargs["collation"] = self.collation
        elif issubclass(type_class, NumericCommon):
            precision, scale = _numeric_params(name, params)
            kwargs["precision"] = precision
            if name not in {"float", "real"}:
                kwargs["scale"] = scale
        return type_class(**kwargs)


# --- raw text of column definitions ---------------------------------------------


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


def _column_sources(batch: str) -> dict[str, _ColumnSource]:
    """Column name -> raw type name, DEFAULT and computed text, for a CREATE TABLE."""
    tokens = TSQL().tokenize(batch)
    start = next(
        (i for i, t in enumerate(tokens) if t.token_type == TokenType.L_PAREN), None
    )
    if start is None:
        return {}
    sources: dict[str, _ColumnSource] = {}
    for segment in _segments(tokens, start + 1):
        if not segment or _word(segment[0]) in TABLE_CONSTRAINT_HEADS:
            continue
        source = _ColumnSource()
        if len(segment) > 1 and segment[1].token_type == TokenType.ALIAS:
            source.computed = _slice(batch, _expression(segment, 2))
        elif len(segment) > 1:
            source.type_name = segment[1].text
        for i, token in enumerate(segment):
            if token.token_type == TokenType.DEFAULT:
                source.default = _slice(batch, _expression(segment, i + 1))
        sources[segment[0].text] = source
    return sources


def _segments(tokens: list[Token], start: int) -> Iterator[list[Token]]:
    """Split the tokens of a parenthesised list on top-level commas."""
    depth, segment = 0, []
    for token in tokens[start:]:
        if token.token_type == TokenType.L_PAREN:
            depth += 1
        elif token.token_type == TokenType.R_PAREN:
            if depth == 0:
                break
            depth -= 1
        elif token.token_type == TokenType.COMMA and depth == 0:
            yield segment
            segment = []
            continue
        segment.append(token)
    yield segment


def _expression(segment: list[Token], start: int) -> list[Token]:
    """The tokens of one expression: a balanced run up to a keyword at depth 0."""
    depth, taken = 0, []
    for token in segment[start:]:
        if depth == 0 and taken and _word(token) in EXPRESSION_STOPS:
            break
        if token.token_type == TokenType.L_PAREN:
            depth += 1
        elif token.token_type == TokenType.R_PAREN:
            depth -= 1
        taken.append(token)
    return taken


def _word(token: Token) -> str:
    parts = token.text.upper().split()
    return parts[0] if parts and token.token_type != TokenType.IDENTIFIER else ""


def _slice(batch: str, tokens: list[Token]) -> str | None:
    return batch[tokens[0].start : tokens[-1].end + 1] if tokens else None


# --- normalising text the way SQL Server stores it -------------------------------


def _strip_parens(sql: str) -> str:
    sql = sql.strip()
    while sql.startswith("(") and sql.endswith(")") and _balanced(sql[1:-1]):
        sql = sql[1:-1].strip()
    return sql


def _balanced(sql: str) -> bool:
    depth = 0
    for char in sql:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth < 0:
            return False
    return depth == 0


def _default_text(raw: str) -> str:
    """``1`` -> ``((1))``, ``NEWID()`` -> ``(newid())``, ``'x'`` -> ``('x')``."""
    inner = _strip_parens(raw)
    if NUMBER.match(inner):
        return f"(({inner}))"
    if not inner.startswith(("'", "N'")):
        inner = re.sub(r"\b(\w+)\s*\(", lambda m: m.group(1).lower() + "(", inner)
    return f"({inner})"


def _computed_text(raw: str) -> str:
    """``([quantity]*[unit_price])`` -> ``(quantity*unit_price)`` (portable)."""
    unbracketed = SIMPLE_BRACKETED.sub(r"\1", _strip_parens(raw))
    return f"({unbracketed})"


def _check_text(check: exp.Expression) -> str:
    return _strip_parens(check.this.sql())


def _type_name(sql_type: TypeEngine) -> str:
    for name, type_class in mssql_base.ischema_names.items():
        if type(sql_type) is type_class:
            return name
    return type(sql_type).__name__.lower()


def _numeric_params(name: str, params: list[str]) -> tuple[int | None, int | None]:
    if name in {"decimal", "numeric"}:
        precision = int(params[0]) if params else 18
        scale = int(params[1]) if len(params) > 1 else 0
        return precision, scale
    if name == "float":
        return (int(params[0]) if params else 53), None
    if name == "real":
        return 24, None
    return None, None


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


def _only(tables: Iterable[Table]) -> Table:
    (table,) = list(tables)
    return table


def _sql_files(paths: Iterable[Path | str]) -> list[Path]:
    files: list[Path] = []
    for path in map(Path, paths):
        files.extend(sorted(path.rglob("*.sql")) if path.is_dir() else [path])
    return files


def _has_code(batch: str) -> bool:
    without_comments = re.sub(r"--[^\n]*", "", batch)
    return bool(without_comments.strip())


def _without_comments(batch: str) -> str:
    return re.sub(r"--[^\n]*", "", batch)


def _unbracket(name: str) -> str:
    """``[Inventory].[Stock Move]`` -> ``Inventory.Stock Move``."""
    parts = re.findall(r"\[([^\]]+)\]|(\w+)", name)
    return ".".join(a or b for a, b in parts)
