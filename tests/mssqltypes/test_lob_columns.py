"""xml/text/ntext/image and CLR columns: only what SQL Server allows, and LOB edits
are never silently overwritten (originals compared by hash)."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import Column, Integer, MetaData, Table, Unicode, create_engine, insert
from sqlalchemy.dialects import mssql, sqlite

import app.embedded  # noqa: F401  (SQLite stand-ins for the mssql types)
from app.access import TableAccess
from app.catalog import build_catalog
from app.data import writes
from app.data.query import FilterSpec, ListQuery, conditions, ops_for, sort_columns
from app.data.scope import Scope
from app.errors import AppError
from app.mssql_types import LobOriginal, OpaqueSqlType
from app.pages.table import headers
from tests.mssql import compile_mssql, mssql_dialect

HASHED_BODY = (
    "HASHBYTES('SHA2_256', CAST(CAST(ops.docs.body AS NVARCHAR(MAX)) "
    "AS VARBINARY(MAX))) = ?"
)


def docs_table() -> Table:
    """A legacy documents table without rowversion: an xml body and a geography."""
    return Table(
        "docs",
        MetaData(),
        Column("doc_id", Integer, primary_key=True, autoincrement=False),
        Column("title", Unicode(50), nullable=False),
        Column("body", mssql.XML),
        Column("area", OpaqueSqlType("geography")),
        schema="ops",
    )


@pytest.fixture
def scope() -> Scope:
    table = docs_table()
    catalog = build_catalog([table], None)
    access = TableAccess("ops.docs", frozenset({"read"}))
    return Scope(catalog.get("ops.docs"), access, None, catalog)


@pytest.mark.parametrize("name", ["body", "area"])
def test_ops_for_xml_and_geography_columns_offer_only_null_checks(scope, name):
    """GIVEN a nullable xml or geography column
    WHEN the filter operators are listed
    THEN only "is empty"/"is not empty" are offered (no =, ranges or LIKE)."""
    assert ops_for(scope.info.columns[name], scope) == ("empty", "notempty")


def test_empty_filter_on_xml_column_compiles_to_is_null_only(scope):
    """GIVEN an "is empty" filter on the xml body
    WHEN its condition is compiled for SQL Server
    THEN it is IS NULL alone (``body = ''`` is refused: Msg 402)."""
    query = ListQuery(filters=(FilterSpec("body", "empty"),))
    (clause,) = conditions(scope, query, "mssql").clauses
    assert compile_mssql(clause) == "ops.docs.body IS NULL"


@pytest.mark.parametrize("name", ["body", "area"])
def test_sort_columns_xml_or_geography_is_400_with_the_reason(scope, name):
    """GIVEN a request to sort on an xml or geography column
    WHEN the sort is resolved
    THEN it is a 400 that says SQL Server cannot sort that type."""
    with pytest.raises(AppError) as caught:
        sort_columns(scope, name)
    assert caught.value.status == 400
    assert "can't be sorted" in caught.value.detail


def test_table_head_xml_column_tooltip_says_why_it_cannot_be_sorted(scope):
    """GIVEN the list header of a table with an xml column (no sort link for it)
    WHEN the header cells are built
    THEN the xml header's tooltip says xml columns can't be sorted on SQL Server."""
    columns = list(scope.info.columns.values())
    cells = {h.label: h for h in headers(columns, {"title": "/t/ops/docs?sort=title"})}
    assert (
        cells["Body"].title == "xml columns can't be sorted or compared on SQL Server"
    )
    assert cells["Body"].sort_url == ""


def test_update_without_rowversion_compares_xml_original_by_hash():
    """GIVEN an edit of a document (no rowversion) opened with an xml body
    WHEN the UPDATE is compiled for SQL Server
    THEN the body's original is part of the check, compared by SHA-256."""
    table = docs_table()
    stmt = writes.update_statement(
        table, {"doc_id": 1}, {"title": "B"}, {"title": "A", "body": "<a/>"}
    )
    assert HASHED_BODY in compile_mssql(stmt).split("WHERE", 1)[1]


def test_delete_without_rowversion_compares_xml_original_by_hash():
    """GIVEN a delete of a document opened with an xml body
    WHEN the DELETE is compiled for SQL Server
    THEN the body's original is compared by SHA-256."""
    table = docs_table()
    stmt = writes.delete_statement(table, {"doc_id": 1}, {"body": "<a/>"})
    assert HASHED_BODY in compile_mssql(stmt)


def test_lob_original_bound_on_mssql_is_sha256_of_utf16le():
    """GIVEN an xml original with a non-Latin-1 character
    WHEN it is bound for SQL Server
    THEN the parameter is the SHA-256 of its UTF-16LE text (what NVARCHAR casts to)."""
    value = "<a>Zoë 東京</a>"
    bound = LobOriginal(mssql.XML()).process_bind_param(value, mssql_dialect())
    assert bound == hashlib.sha256(value.encode("utf-16-le")).digest()
    assert LobOriginal(mssql.XML()).process_bind_param(value, sqlite.dialect()) == value


def test_update_sqlite_xml_changed_meanwhile_updates_nothing():
    """GIVEN a document whose xml body someone else changed after it was opened
    WHEN the first editor's UPDATE runs with the body they saw (embedded SQLite)
    THEN no row is updated (a conflict), instead of overwriting the other edit."""
    table = docs_table()
    engine = create_engine("sqlite://")
    with engine.begin() as conn:
        conn.exec_driver_sql("ATTACH ':memory:' AS ops")
        table.create(conn)
        conn.execute(insert(table).values(doc_id=1, title="A", body="<theirs/>"))
        stmt = writes.update_statement(
            table, {"doc_id": 1}, {"title": "B"}, {"title": "A", "body": "<mine/>"}
        )
        assert conn.execute(stmt).rowcount == 0
