"""The rules of the SQL Server conformance check (tests/tsql_conformance.py): each
catches its case, and a T-SQL-valid counter-example passes."""

from __future__ import annotations

import pytest
from sqlalchemy import (
    Boolean,
    Column,
    Integer,
    MetaData,
    String,
    Table,
    and_,
    case,
    exists,
    false,
    func,
    insert,
    literal,
    literal_column,
    not_,
    select,
    text,
    true,
)
from sqlalchemy.dialects import mssql
from sqlalchemy.types import UserDefinedType

from tests.mssql import compile_mssql
from tests.tsql_conformance import MAX_PARAMETERS, check_statement


class Geography(UserDefinedType):
    """A CLR type as a generated model names it."""

    cache_ok = True

    def get_col_spec(self, **_kw) -> str:
        return "geography"


class Hierarchyid(UserDefinedType):
    """hierarchyid, which SQL Server compares and sorts (depth-first)."""

    cache_ok = True

    def get_col_spec(self, **_kw) -> str:
        return "hierarchyid"


md = MetaData()
t = Table(
    "t",
    md,
    Column("id", Integer, primary_key=True),
    Column("name", String(50)),
    Column("flag", Boolean),
    Column("doc", mssql.XML),
    Column("memo", mssql.NTEXT),
    Column("picture", mssql.IMAGE),
    Column("place", Geography()),
    Column("node", Hierarchyid()),
    schema="hr",
)
audited = Table(
    "audited",
    md,
    Column("id", Integer, primary_key=True),
    Column("name", String(50)),
    schema="hr",
    implicit_returning=False,  # how app/codegen marks a table with triggers
)
marked = Table(
    "marked",
    md,
    Column("id", Integer, primary_key=True),
    Column("name", String(50)),
    schema="hr",
    info={"has_triggers": True},  # triggers known, implicit returning left on
)
u = Table("u", md, Column("id", Integer, primary_key=True), schema="hr")

inner = select(t.c.id).order_by(t.c.id)

CATCHES = {
    "boolean-value": [
        select(exists().where(t.c.id == 1)),
        select(t.c.id == 1),
        select(and_(t.c.id == 1, t.c.name == "a")),
        select(not_(t.c.id == 1)),
        select(t.c.id.in_([1, 2])),
        select(t.c.name.like("a%")),
        select(t.c.name.is_(None)),
        select(t.c.id).order_by(t.c.id == 1),
        select(func.count()).group_by(t.c.id > 1),
        t.update().values(flag=t.c.id == 1),
        text("SELECT EXISTS (SELECT * FROM hr.t) AS anon_1"),
    ],
    "bare-condition": [
        select(t.c.id).where(t.c.name),
        select(t.c.id).where(literal(True)),
        select(t.c.id).where(t.c.id == 1, t.c.name),
        select(t.c.id).group_by(t.c.id).having(t.c.name),
        select(t.c.id).select_from(t.join(u, t.c.name)),
        t.delete().where(t.c.name),
        text("SELECT id FROM hr.t WHERE flag"),
    ],
    "is-boolean": [
        select(t.c.id).where(t.c.flag.is_(True)),
        select(t.c.id).where(t.c.flag.is_not(False)),
        text("SELECT id FROM hr.t WHERE flag IS TRUE"),
    ],
    "nulls-order": [select(t.c.id).order_by(t.c.name.asc().nulls_first())],
    "limit": [text("SELECT id FROM hr.t LIMIT 5")],
    "offset-no-order": [select(t.c.id).offset(10)],
    "order-in-subquery": [
        select(inner.subquery().c.id),
        select(t.c.id).where(t.c.id.in_(inner)),
        select(inner.cte().c.id),
    ],
    "output-with-triggers": [
        insert(audited).values(name="a").returning(audited.c.id),
        insert(marked).values(name="a"),  # the compiler adds OUTPUT inserted.id
    ],
    "too-many-parameters": [
        select(t.c.id).where(t.c.id.in_(list(range(MAX_PARAMETERS + 1))))
    ],
    "uncomparable-type": [
        select(t.c.id).order_by(t.c.doc),
        select(t.c.id).where(t.c.memo == "x"),
        select(t.c.id).where(t.c.doc.like("%x%")),
        select(t.c.picture).distinct(),
        select(t.c.memo, func.count()).group_by(t.c.memo),
        select(t.c.id).where(t.c.place == "POINT(1 1)"),
    ],
    "scalar-subquery-compare": [
        select(t.c.id).where(
            t.c.id == select(u.c.id).where(u.c.id > 1).scalar_subquery()
        )
    ],
    "string-concat": [text("SELECT name || 'x' FROM hr.t")],
    "sqlite-function": [
        select(func.ifnull(t.c.name, "")),
        select(func.substr(t.c.name, 1, 2)),
        select(func.group_concat(t.c.name)),
        text("SELECT id FROM hr.t WHERE created > date('now')"),
    ],
    "compile": [select(t.c.id).where(t.c.name.regexp_match("^a"))],
    "parse": [text("SELECT id FROM hr.t WHERE (id = 1")],
}

PASSES = {
    "boolean-value": [
        select(literal_column("1")).where(exists().where(t.c.id == 1)),
        select(case((t.c.id == 1, 1), else_=0)),
        select(t.c.flag).order_by(t.c.flag),
    ],
    "bare-condition": [
        select(t.c.id).where(t.c.flag),  # rendered as flag = 1
        select(t.c.id).where(~t.c.flag),
        select(t.c.id).where(false()),
        select(t.c.id).where(t.c.name.like("a~%%", escape="~")),
        select(t.c.id).select_from(t.join(u, t.c.id == u.c.id)),
    ],
    "is-boolean": [
        select(t.c.id).where(t.c.flag == true()),
        select(t.c.id).where(t.c.name.is_(None)),
    ],
    "nulls-order": [select(t.c.id).order_by(t.c.name.asc())],
    "limit": [select(t.c.id).order_by(t.c.id).limit(5)],
    "offset-no-order": [select(t.c.id).order_by(t.c.id).offset(10)],
    "order-in-subquery": [
        select(inner.limit(5).subquery().c.id),
        select(inner.offset(5).subquery().c.id),
        insert(u).from_select(["id"], inner),
    ],
    "output-with-triggers": [
        insert(audited).values(name="a"),
        insert(u).values(id=1).returning(u.c.id),
    ],
    "too-many-parameters": [
        select(t.c.id).where(t.c.id.in_(list(range(MAX_PARAMETERS))))
    ],
    "uncomparable-type": [
        select(t.c.id).where(t.c.doc.is_(None)),
        select(t.c.doc).order_by(t.c.id),
        select(t.c.id).order_by(t.c.node),  # hierarchyid compares and sorts
    ],
    "scalar-subquery-compare": [
        select(t.c.id).where(t.c.id == select(u.c.id).limit(1).scalar_subquery()),
        select(t.c.id).where(t.c.id == select(func.max(u.c.id)).scalar_subquery()),
        select(t.c.id).where(t.c.id.in_(select(u.c.id))),
    ],
    "string-concat": [select(t.c.name + "x")],
    "sqlite-function": [
        select(func.coalesce(t.c.name, "")),
        select(func.substring(t.c.name, 1, 2)),
        text("SELECT CAST(id AS TIME(7)) AS [date] FROM hr.t"),
    ],
    "compile": [select(t.c.id).where(t.c.name.like("a%"))],
    "parse": [text("SELECT id FROM hr.t WHERE (id = 1)")],
}


def _cases(table: dict[str, list]) -> list:
    return [
        pytest.param(rule, stmt, id=f"{rule}-{i}")
        for rule, stmts in table.items()
        for i, stmt in enumerate(stmts)
    ]


@pytest.mark.parametrize(("rule", "statement"), _cases(CATCHES))
def test_check_statement_breaking_rule_reports_it(rule, statement):
    """GIVEN a statement SQL Server refuses for one reason
    WHEN the conformance check looks at it
    THEN it reports that rule."""
    assert rule in {v.rule for v in check_statement(statement)}


@pytest.mark.parametrize(("rule", "statement"), _cases(PASSES))
def test_check_statement_valid_counterexample_reports_nothing(rule, statement):
    """GIVEN a T-SQL-valid statement close to a rule's case
    WHEN the conformance check looks at it
    THEN it reports nothing."""
    assert check_statement(statement) == []


def test_check_statement_postgresql_statement_waives_nulls_order_only():
    """GIVEN a statement with NULLS FIRST and a bare WHERE column, run on PostgreSQL
    WHEN the conformance check looks at it
    THEN NULLS FIRST is waived (the app adds it only there) but the other rule holds."""
    stmt = select(t.c.id).where(t.c.name).order_by(t.c.name.asc().nulls_first())
    rules = {v.rule for v in check_statement(stmt, backend="postgresql")}
    assert rules == {"bare-condition"}


def test_check_statement_executemany_counts_parameters_per_row():
    """GIVEN an INSERT executed for 3,000 rows of one parameter each
    WHEN the conformance check looks at it
    THEN it is not over the limit (each row is sent on its own)."""
    rows = [{"id": n} for n in range(3000)]
    assert check_statement(insert(u), rows) == []


def test_check_statement_applies_schema_map_to_compiled_text():
    """GIVEN a schema map hr -> hr_uat
    WHEN a violation is reported
    THEN the statement shown is the one SQL Server would receive (hr_uat)."""
    found = check_statement(select(t.c.id).where(t.c.name), schema_map={"hr": "hr_uat"})
    assert "hr_uat.t" in found[0].statement


def test_compile_mssql_refused_statement_raises_with_rule():
    """GIVEN a hand-written statement with SELECT EXISTS
    WHEN a test compiles it through tests/mssql.py
    THEN the compile helper fails it with the rule and Msg number."""
    with pytest.raises(AssertionError, match=r"boolean-value.*Msg 156"):
        compile_mssql(select(exists().where(t.c.id == 1)))
