"""Row JSON written by the database (app/data/odata_json.py) against the Python
writer (app/odata/payload.py), the reference: on a table of every kind the database
path covers, with hostile text, on SQLite and PostgreSQL; the feed on the demo world
with the path on and off; and the statement as SQL Server receives it."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    Text,
    Time,
    Uuid,
    create_engine,
    event,
    insert,
    select,
)

from app.catalog import ColumnInfo
from app.catalog.registry import column_kind
from app.data.odata_json import row_json_column
from app.odata.payload import _object, _prefixes
from tests.odata.conftest import client_for
from tests.odata.json_values import parsed
from tests.tsql_conformance import check_statement

HOSTILE = [
    '"quoted" and \\back\\slashed',
    "\x01\x08\x0c\x1f control",
    "line\nbreak\ttab\rreturn",
    "\u2028\u2029 separators",
    "é 中文 😀 RTL \u202e",
    "</script><b>&amp;",
    "'; DROP TABLE x; --",
    "",
    "\x7f delete",
]


def _table() -> Table:
    return Table(
        "kinds",
        MetaData(),
        Column("id", Integer, primary_key=True),
        Column("short_text", String(200)),
        Column("long_text", Text),
        Column("flag", Boolean),
        Column("day", Date),
        Column("moment", DateTime),
        Column("clock", Time),
        Column("guid", Uuid),
        Column("amount", Numeric(18, 4)),
        Column("big", BigInteger),
    )


def _rows(nul: bool) -> list[dict[str, Any]]:
    texts = [*HOSTILE, *(["nul \x00 inside"] if nul else [])]
    rows = []
    for n, text_value in enumerate(texts):
        rows.append(
            {
                "id": n + 1,
                "short_text": text_value,
                "long_text": text_value * 3,
                "flag": [True, False, None][n % 3],
                "day": [dt.date(1, 1, 1), dt.date(9999, 12, 31), dt.date(2024, 2, 29)][
                    n % 3
                ],
                "moment": [
                    dt.datetime(2024, 2, 29, 23, 59, 59, 999999),
                    dt.datetime(2024, 1, 1),
                    dt.datetime(1900, 1, 1, 0, 0, 1, 500000),
                ][n % 3],
                "clock": [dt.time(0, 0), dt.time(23, 59, 59, 500000)][n % 2],
                "guid": uuid.UUID(int=n * 0x1234567890ABCDEF + 1),
                "amount": [Decimal("0"), Decimal("-12.3400"), Decimal("98765.4321")][
                    n % 3
                ],
                "big": [0, -1, 2**53 + 1, 2**63 - 1][n % 4],
            }
        )
    # A row of nulls in every nullable column.
    rows.append({k: None for k in rows[0]} | {"id": len(texts) + 1})
    return rows


def _infos(table: Table) -> list[ColumnInfo]:
    return [ColumnInfo(c.name, c.name, column_kind(c), c) for c in table.columns]


def _compare(engine, dialect: str, nul: bool) -> None:
    table = _table()
    table.metadata.create_all(engine)
    infos = _infos(table)
    with engine.begin() as connection:
        connection.execute(insert(table), _rows(nul))
    expression = row_json_column(infos, table, dialect)
    assert expression is not None, "every kind of this table has a database writer"
    keep, names = _prefixes(infos)
    with engine.connect() as connection:
        typed = connection.execute(select(*table.c).order_by(table.c.id)).all()
        written = connection.execute(select(expression).order_by(table.c.id)).scalars()
        written = list(written)
    assert len(written) == len(typed)
    for row, text in zip(typed, written, strict=True):
        reference = _object(names, tuple(row[i] for i in keep))
        assert parsed(text) == parsed(reference), (text, reference)


def test_row_json_sqlite_equals_the_python_writer(tmp_path):
    """GIVEN a SQLite table of every kind the database path writes, with hostile
    text (quotes, backslashes, control characters, separators, emoji, a NUL) and a
    row of nulls WHEN each row's JSON comes from json_object THEN it parses to what
    the Python writer writes for the same row."""
    _compare(create_engine(f"sqlite:///{tmp_path / 'kinds.db'}"), "sqlite", nul=True)


@pytest.mark.postgres
def test_row_json_postgresql_equals_the_python_writer(pg_database):
    """GIVEN the same table on PostgreSQL WHEN each row's JSON comes from
    json_build_object THEN it parses to what the Python writer writes."""
    engine = create_engine(pg_database)
    try:
        _compare(engine, "postgresql", nul=False)  # PostgreSQL text refuses NUL
    finally:
        engine.dispose()


@pytest.mark.postgres
def test_row_json_postgresql_non_finite_numeric_is_null(pg_database):
    """GIVEN a PostgreSQL numeric column holding NaN and Infinity WHEN the
    database writes the row THEN the value is null (the Python writer's answer for
    a non-finite Decimal), never a bare NaN that no JSON parser reads."""
    table = Table(
        "n",
        MetaData(),
        Column("id", Integer, primary_key=True),
        Column("amount", Numeric),
    )
    engine = create_engine(pg_database)
    try:
        table.metadata.create_all(engine)
        with engine.begin() as connection:
            connection.execute(
                insert(table),
                [
                    {"id": 1, "amount": Decimal("NaN")},
                    {"id": 2, "amount": Decimal("Infinity")},
                ],
            )
            texts = (
                connection.execute(
                    select(row_json_column(_infos(table), table, "postgresql"))
                )
                .scalars()
                .all()
            )
    finally:
        engine.dispose()
    assert [json.loads(t)["amount"] for t in texts] == [None, None]


def test_row_json_leaves_kinds_without_an_exact_writer_to_python():
    """GIVEN a float column (each database rounds its own way) or a
    timezone-aware datetime WHEN the row JSON is asked for THEN there is none (the
    page goes through the Python writer), while binary columns are just left out."""
    for extra in (Column("ratio", Float), Column("at", DateTime(timezone=True))):
        table = Table("t", MetaData(), Column("id", Integer, primary_key=True), extra)
        for dialect in ("sqlite", "postgresql", "mssql"):
            assert row_json_column(_infos(table), table, dialect) is None


def test_row_json_for_sql_server_is_for_json_path_and_conforms():
    """GIVEN the table of every kind and a money column WHEN its row JSON statement
    is compiled for SQL Server THEN it is a correlated FOR JSON PATH subquery with
    null values kept, datetimes in style 126 with Z, GUIDs lower-cased and money cast
    to a decimal (FOR JSON writes money as a string), and it breaks no rule the
    conformance check knows."""
    from sqlalchemy.dialects import mssql

    table = _table()
    table.append_column(Column("price", mssql.MONEY))
    statement = select(row_json_column(_infos(table), table, "mssql").label("j"))
    sql = str(statement.compile(dialect=mssql.dialect()))
    assert "FOR JSON PATH, WITHOUT_ARRAY_WRAPPER, INCLUDE_NULL_VALUES)" in sql
    assert "CONVERT(VARCHAR(33), kinds.moment, 126) + 'Z' AS [moment]" in sql
    assert "LOWER(CONVERT(CHAR(36), kinds.guid)) AS [guid]" in sql
    assert "kinds.flag AS [flag]" in sql
    # FOR JSON writes money as a string: the feed's Edm.Decimal is a number.
    assert "CAST(kinds.price AS DECIMAL(19, 4)) AS [price]" in sql
    assert check_statement(statement) == []


def _sets(client) -> list[str]:
    return [s["name"] for s in client.get("/odata/").get_json()["value"]]


def test_feed_pages_are_the_same_with_and_without_the_database_writer(world):
    """GIVEN the demo world read by the admin, with hostile text in a ticket-like
    text column WHEN every entity set's first page is read with the database writer
    on and then off THEN the two parse to the same values, and the database wrote
    the rows of every set whose kinds it covers."""
    from app.extensions import db

    with world.app_context():
        table = db.metadata.tables["ops.tickets"]
        text_column = next(
            c
            for c in table.columns
            if isinstance(c.type, String)
            and not c.primary_key
            and c.type.length
            and c.type.length >= 60
            and not c.foreign_keys
        )
        key = next(iter(table.primary_key.columns))
        ids = db.session.execute(
            select(key).order_by(key).limit(len(HOSTILE))
        ).scalars()
        for value, row_id in zip(HOSTILE, list(ids), strict=False):
            db.session.execute(
                table.update().where(key == row_id).values({text_column.name: value})
            )
        db.session.commit()
        engine = db.engine
    statements: list[str] = []

    def seen(conn, cursor, statement, *args) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", seen)
    admin = client_for(world, "CONTOSO\\amorgan")
    written_by_database = 0
    try:
        for name in _sets(admin):
            pages = {}
            for on in (True, False):
                world.config["ODATA_DB_JSON"] = on
                statements.clear()
                answer = admin.get(f"/odata/{name}?$top=40")
                assert answer.status_code == 200, answer.get_data(as_text=True)
                pages[on] = parsed(answer.data)
                if on and any("json_object(" in s for s in statements):
                    written_by_database += 1
                if not on:
                    assert not any("json_object(" in s for s in statements)
            assert pages[True] == pages[False], name
    finally:
        event.remove(engine, "before_cursor_execute", seen)
        world.config["ODATA_DB_JSON"] = True
    assert written_by_database >= 10
