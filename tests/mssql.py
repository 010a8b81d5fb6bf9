"""Compile statements to T-SQL offline: SQLite forgives what SQL Server rejects.

Usage from any test folder::

    from tests.mssql import compile_mssql
    sql = compile_mssql(select(HrEmployee).order_by(HrEmployee.employee_id).limit(50))

The dialect claims SQL Server 2022 (``server_version_info=(16,)``) so LIMIT/OFFSET
compile to ``OFFSET ... FETCH`` as on a real modern server, not to the ROW_NUMBER()
wrapper SQLAlchemy uses for unknown versions. A query that SQL Server would refuse for
structural reasons (OFFSET without ORDER BY) raises ``sqlalchemy.exc.CompileError``,
and one that breaks a rule of the conformance check (``tests/tsql_conformance.py``,
the same rules every executed statement is held to) fails with the rule and the Msg
number SQL Server would answer.
"""

from __future__ import annotations

from collections.abc import Mapping

import sqlglot
from sqlalchemy.dialects.mssql import pyodbc as mssql_pyodbc
from sqlalchemy.engine import Dialect
from sqlalchemy.sql import ClauseElement
from sqlglot import ErrorLevel
from sqlglot.errors import ParseError

SQL_SERVER_2022 = (16,)


def mssql_dialect(server_version: tuple[int, ...] = SQL_SERVER_2022) -> Dialect:
    """A pyodbc SQL Server dialect set up as if connected to ``server_version``."""
    # qmark is what pyodbc uses; without a DBAPI module the dialect would print :name.
    dialect = mssql_pyodbc.dialect(paramstyle="qmark")
    dialect.server_version_info = server_version
    # Set by initialize() on a real connection; offline we decide it from the version.
    dialect._supports_offset_fetch = server_version >= (11,)
    dialect.supports_multivalues_insert = True
    return dialect


def compile_mssql(
    statement: ClauseElement,
    *,
    literal_binds: bool = False,
    schema_map: Mapping[str | None, str | None] | None = None,
    server_version: tuple[int, ...] = SQL_SERVER_2022,
    check: bool = True,
) -> str:
    """The T-SQL text SQL Server would receive for ``statement``.

    ``literal_binds`` inlines parameter values (for readable assertions); by default
    they stay as ``?`` placeholders. ``schema_map`` applies a schema_translate_map the
    way the engine does at execution time. ``check`` holds the statement to the
    conformance rules (only a test showing a refused statement turns it off).
    """
    # render_postcompile shows TOP n / IN (...) as the driver will really send them.
    compile_kwargs = {"literal_binds": literal_binds, "render_postcompile": True}
    compiled = statement.compile(
        dialect=mssql_dialect(server_version),
        compile_kwargs=compile_kwargs,
        schema_translate_map=dict(schema_map) if schema_map else None,
        render_schema_translate=bool(schema_map),
    )
    text = str(compiled)
    assert_parses_as_tsql(text)
    if check:
        assert_conforms(statement, schema_map=schema_map)
    return text


def assert_conforms(
    statement: ClauseElement,
    *,
    schema_map: Mapping[str | None, str | None] | None = None,
) -> None:
    """Raise AssertionError when ``statement`` breaks a rule of the conformance check
    (tests/tsql_conformance.py) that every executed statement is held to."""
    from tests.tsql_conformance import check_statement, report_text

    violations = check_statement(statement, schema_map=schema_map)
    if violations:
        raise AssertionError(report_text(violations))


def assert_parses_as_tsql(text: str) -> None:
    """Raise AssertionError when sqlglot's T-SQL parser rejects ``text``. Every
    statement a test compiles goes through it. The parser is lenient: it catches a
    broken structure (a clause cut short, unbalanced parentheses), not T-SQL
    keywords, which the tests assert on directly."""
    try:
        sqlglot.parse(text, read="tsql", error_level=ErrorLevel.RAISE)
    except ParseError as exc:
        raise AssertionError(f"not valid T-SQL ({exc}):\n{text}") from None


def compile_mssql_params(statement: ClauseElement) -> dict[str, object]:
    """The bound parameters (name -> value) the T-SQL text would be sent with."""
    return dict(statement.compile(dialect=mssql_dialect()).params)
