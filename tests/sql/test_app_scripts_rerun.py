"""sql/app scripts are re-runnable: every CREATE sits behind an existence check."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import sqlglot
from sqlglot import exp
from sqlglot.errors import ErrorLevel

from app.codegen.tsql_scripts import script_batches, substitute_sqlcmd_variables

APP_DIR = Path(__file__).resolve().parents[2] / "sql" / "app"
EXISTENCE_CHECKS = ("OBJECT_ID", "SCHEMA_ID", "DATABASE_PRINCIPAL_ID", "SYS.INDEXES")


def _guarded(node: exp.Expression) -> bool:
    """True when an enclosing IF checks that the object does not exist yet."""
    parent = node.parent
    while parent is not None:
        if isinstance(parent, exp.IfBlock):
            condition = parent.this.sql(dialect="tsql").upper()
            if any(check in condition for check in EXISTENCE_CHECKS):
                return True
        parent = parent.parent
    return False


def unguarded_creates(batch: str) -> list[str]:
    """CREATE statements of a batch that run without an existence check first."""
    found = []
    for statement in sqlglot.parse(batch, read="tsql", error_level=ErrorLevel.RAISE):
        if statement is None:
            continue
        if isinstance(statement, exp.Command | exp.ExecuteSql):
            # Text sqlglot could not structure (a bare BEGIN ... END, EXEC of a
            # string): outside an IF, a CREATE in it runs unconditionally.
            text = statement.sql(dialect="tsql")
            if re.search(r"\bCREATE\b", text, re.I):
                found.append(text[:60])
            continue
        for create in statement.find_all(exp.Create):
            if not _guarded(create):
                found.append(create.sql(dialect="tsql")[:60])
    return found


@pytest.mark.parametrize("script", sorted(APP_DIR.glob("*.sql")), ids=lambda p: p.name)
def test_app_script_creates_only_what_is_missing(script):
    """GIVEN a script in sql/app WHEN its batches are parsed THEN every CREATE is
    inside IF <object> IS NULL / IF NOT EXISTS, so a second run changes nothing."""
    found = []
    for _path, number, batch in script_batches([script]):
        batch = substitute_sqlcmd_variables(batch, {"AppPoolLogin": "CONTOSO\\WEB01$"})
        found += [f"batch {number}: {s}" for s in unguarded_creates(batch)]
    assert found == []


@pytest.mark.parametrize(
    ("batch", "flagged"),
    [
        ("CREATE INDEX ix ON t.a (c);", True),
        ("IF 1 = 1 BEGIN CREATE INDEX ix ON t.a (c); END;", True),
        ("BEGIN CREATE INDEX ix ON t.a (c); END;", True),
        ("EXEC sp_executesql N'CREATE SCHEMA s';", True),
        (
            "IF SCHEMA_ID(N's') IS NULL BEGIN "
            "EXEC sp_executesql N'CREATE SCHEMA s'; END;",
            False,
        ),
        ("IF OBJECT_ID(N't.a') IS NULL BEGIN CREATE TABLE t.a (c int); END;", False),
    ],
)
def test_app_script_rerun_check_flags_unguarded_create(batch, flagged):
    """GIVEN a batch WHEN checked THEN a bare or badly guarded CREATE is flagged."""
    assert bool(unguarded_creates(batch)) is flagged
