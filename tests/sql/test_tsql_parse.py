"""Every T-SQL batch DBAs run (sql/) parses, and the demo schema hangs together."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlglot
from sqlglot import ErrorLevel, exp
from sqlglot.errors import ParseError

from app.codegen.tsql_scripts import (
    script_batches,
    split_batches,
    substitute_sqlcmd_variables,
)

SQL_DIR = Path(__file__).resolve().parents[2] / "sql"
DEMO_DIR = SQL_DIR / "demo"
# sqlcmd variables ($(Name)) are substituted by sqlcmd before SQL Server sees a batch;
# sqlglot does not know them, so the test substitutes sample values the same way.
SQLCMD_SAMPLE_VALUES = {"AppPoolLogin": r"CONTOSO\WEB01$"}
# Statements sqlglot keeps as an opaque exp.Command: security DDL and trigger bodies
# (procedural T-SQL), which it does not model.
COMMAND_KEYWORDS = (
    "GRANT",
    "CREATE USER",
    "ALTER ROLE",
    "CREATE ROLE",
    "REVOKE",
    "CREATE TRIGGER",
)

BATCHES = list(script_batches([SQL_DIR]))


def parse_batch(batch: str) -> list[exp.Expression]:
    """Parse one batch as T-SQL, raising on the first error."""
    text = substitute_sqlcmd_variables(batch, SQLCMD_SAMPLE_VALUES)
    return [
        e
        for e in sqlglot.parse(text, read="tsql", error_level=ErrorLevel.RAISE)
        if e is not None
    ]


def demo_creates() -> list[exp.Create]:
    """Every CREATE TABLE statement under sql/demo."""
    creates = []
    for _path, _number, batch in script_batches([DEMO_DIR]):
        for statement in parse_batch(batch):
            if isinstance(statement, exp.Create) and statement.kind == "TABLE":
                creates.append(statement)
    return creates


def demo_foreign_keys() -> list[tuple[str, exp.Reference]]:
    """(owning table, REFERENCES clause) for every foreign key in sql/demo."""
    keys = []
    for _path, _number, batch in script_batches([DEMO_DIR]):
        for statement in parse_batch(batch):
            if isinstance(statement, exp.Create | exp.Alter):
                table = statement.find(exp.Table)
                for reference in statement.find_all(exp.Reference):
                    keys.append((f"{table.db}.{table.name}", reference))
    return keys


def table_columns() -> dict[str, set[str]]:
    """Qualified table name -> column names, from the CREATE TABLE statements."""
    return {
        f"{c.this.this.db}.{c.this.this.name}": {
            col.name for col in c.this.expressions if isinstance(col, exp.ColumnDef)
        }
        for c in demo_creates()
    }


@pytest.mark.parametrize(
    "batch",
    [b for _, _, b in BATCHES],
    ids=[f"{p.parent.name}/{p.name}#{n}" for p, n, _ in BATCHES],
)
def test_sql_batch_any_script_parses_as_tsql(batch: str) -> None:
    """GIVEN a GO-separated batch of a script under sql/
    WHEN it is parsed by sqlglot as T-SQL with errors raised
    THEN it parses, and only security statements fall back to an opaque Command."""
    statements = parse_batch(batch)

    assert statements
    for statement in statements:
        if isinstance(statement, exp.Command):
            head = " ".join(f"{statement.this} {statement.expression}".upper().split())
            assert head.startswith(COMMAND_KEYWORDS), head[:80]


def test_sql_batch_broken_syntax_raises() -> None:
    """GIVEN a CREATE TABLE with a missing closing parenthesis and a stray comma
    WHEN it is parsed the way the scripts are
    THEN sqlglot raises a ParseError, so the parse test can fail."""
    broken = "CREATE TABLE hr.broken (id int NOT NULL,, name nvarchar(10)"

    with pytest.raises(ParseError):
        parse_batch(broken)


def test_split_batches_go_lines_only_separate_batches() -> None:
    """GIVEN a script with GO lines in mixed case and padding, and GO inside a name
    WHEN it is split into batches
    THEN only whole-line GO separates batches and empty batches are dropped."""
    script = "SELECT 1 AS GOAL;\n  go  \nSELECT 2;\nGO\n-- only a comment\nGO\n"

    assert split_batches(script) == ["SELECT 1 AS GOAL;", "SELECT 2;"]


def test_demo_schema_tables_at_least_three_schemas_and_twelve_tables() -> None:
    """GIVEN the CREATE TABLE statements of sql/demo
    WHEN they are grouped by schema
    THEN there are at least 3 schemas and 12 tables, each defined once."""
    names = [f"{c.this.this.db}.{c.this.this.name}" for c in demo_creates()]

    assert len({n.split(".")[0] for n in names}) >= 3
    assert len(names) >= 12
    assert len(names) == len(set(names))


def test_demo_schema_foreign_keys_name_existing_tables_and_columns() -> None:
    """GIVEN every FOREIGN KEY ... REFERENCES in sql/demo (inline or ALTER TABLE)
    WHEN the referenced table and columns are looked up among the CREATE TABLEs
    THEN each exists (cross-schema references included)."""
    columns = table_columns()
    keys = demo_foreign_keys()

    assert len(keys) >= 15
    for owner, reference in keys:
        target = reference.this.this
        qualified = f"{target.db}.{target.name}"
        assert qualified in columns, f"{owner} -> {qualified}"
        referenced = {c.name for c in reference.this.expressions}
        assert referenced <= columns[qualified], f"{owner} -> {qualified}{referenced}"


def test_demo_schema_every_table_qualified_with_a_schema() -> None:
    """GIVEN the CREATE TABLE statements of sql/demo
    WHEN their names are read
    THEN every table is schema-qualified (nothing lands in dbo by accident)."""
    unqualified = [c.this.this.name for c in demo_creates() if not c.this.this.db]

    assert unqualified == []
