"""Every browse query compiled for SQL Server (SQLite forgives what T-SQL rejects)."""

from __future__ import annotations

import datetime as dt

import pytest

from app.access import TableAccess
from app.catalog import build_catalog
from app.data.counts import capped_count_statement
from app.data.export import plan_export
from app.data.listing import plan_list
from app.data.query import FilterSpec, ListQuery, keyset_after, sort_columns
from app.data.scope import Scope
from tests.browse.shop import make_metadata
from tests.mssql import compile_mssql


@pytest.fixture
def scope():
    """A scope on shop.items with full access (no app needed to build SQL)."""
    catalog = build_catalog(make_metadata().tables.values(), None)
    info = catalog.get("shop.items")
    access = TableAccess("shop.items", frozenset({"read", "export"}))
    return Scope(info, access, None, catalog)


@pytest.fixture
def allow_all(monkeypatch):
    """Every table readable in full (label lookups ask access for the target)."""

    def access(_identity, table):
        return TableAccess(table.fullname, frozenset({"read", "export"}))

    monkeypatch.setattr("app.data.scope.table_access", access)


def _plan(scope, app, **query):
    with app.test_request_context():
        return plan_list(scope, ListQuery(**query), "mssql")


def test_list_first_page_compiles_to_top_with_order_by_and_no_offset(scope, app):
    """GIVEN the first page of a table
    WHEN compiled for SQL Server
    THEN it is TOP n with an ORDER BY on the key, schema-qualified, no OFFSET."""
    sql = compile_mssql(_plan(scope, app).statement)
    assert "SELECT TOP 51" in sql
    assert "FROM shop.items" in sql
    assert "ORDER BY shop.items.item_id" in sql
    assert "OFFSET" not in sql


def test_list_boolean_filter_compiles_to_equals_one(scope, app):
    """GIVEN a boolean filter
    WHEN compiled for SQL Server
    THEN it is ``= 1``, never ``IS 1``."""
    plan = _plan(scope, app, filters=(FilterSpec("in_stock", "eq", "yes"),))
    sql = compile_mssql(plan.statement)
    assert "shop.items.in_stock = 1" in sql
    assert "IS 1" not in sql


def test_list_search_escapes_wildcards_and_brackets(scope, app):
    """GIVEN search text with %, _ and [
    WHEN compiled for SQL Server
    THEN it is a prefix LIKE with every wildcard escaped and an ESCAPE clause."""
    plan = _plan(scope, app, q="10%_[x]")
    sql = compile_mssql(plan.statement, literal_binds=True)
    assert "shop.items.name LIKE '10~%~_~[x~]%' ESCAPE '~'" in sql
    assert "lower(" not in sql


def test_list_contains_search_is_a_like_both_sides(scope, app):
    """GIVEN a contains search
    WHEN compiled for SQL Server
    THEN the pattern has a leading and trailing %."""
    plan = _plan(scope, app, q="ot", search_mode="contains")
    sql = compile_mssql(plan.statement, literal_binds=True)
    assert "shop.items.sku LIKE '%ot%' ESCAPE '~'" in sql


def test_list_keyset_on_sorted_column_seeks_and_breaks_ties(scope, app):
    """GIVEN a page after a row, sorted by name descending
    WHEN the keyset condition is compiled for SQL Server
    THEN it bounds name and breaks ties on the primary key, without OFFSET."""
    sort = sort_columns(scope, "-name")
    cond = keyset_after(scope, sort, ["Basket 010", 10], reverse=False)
    sql = compile_mssql(cond, literal_binds=True)
    assert "shop.items.name <= 'Basket 010'" in sql
    assert "shop.items.name < 'Basket 010'" in sql
    assert "shop.items.item_id < 10" in sql


def test_list_date_and_fk_label_filters_compile(scope, app, allow_all):
    """GIVEN a date range and an FK-by-label filter
    WHEN compiled for SQL Server
    THEN the range binds dates and the label is a subquery on the lookup table."""
    plan = _plan(
        scope,
        app,
        filters=(
            FilterSpec("added_on", "gte", "2024-02-01"),
            FilterSpec("updated_at", "eq", "2024-06-02"),
            FilterSpec("category_id", "label", "Gar"),
        ),
    )
    sql = compile_mssql(plan.statement)
    assert "shop.items.added_on >= ?" in sql
    assert "shop.items.updated_at >= ? AND shop.items.updated_at < ?" in sql
    assert "shop.items.category_id IN (SELECT shop.categories.category_id" in sql
    assert "shop.categories.name LIKE ? ESCAPE '~'" in sql


def test_capped_count_compiles_to_count_over_top(scope):
    """GIVEN a capped count
    WHEN compiled for SQL Server
    THEN it counts over a TOP 10001 subquery with a named column."""
    sql = compile_mssql(capped_count_statement(scope.table, []))
    assert "SELECT count(*) AS count_1" in sql
    assert "SELECT TOP 10001 1 AS one" in sql


def test_scanning_count_compiles_to_top_in_key_order(scope):
    """GIVEN the capped count of a scanning search ("name contains 'x'")
    WHEN compiled for SQL Server with key order, and without conditions
    THEN its derived table is TOP 1001 ... ORDER BY the primary key (ORDER BY in a
    derived table needs TOP: the conformance rules check that too), and a count
    with no condition stays unordered (its narrowest index is the cheapest read)."""
    contains = scope.table.c.name.like("%x%")
    sql = compile_mssql(capped_count_statement(scope.table, [contains], 1000, True))
    assert "SELECT TOP 1001 1 AS one" in sql
    assert sql.rstrip().endswith("ORDER BY shop.items.item_id) AS anon_1")
    unordered = compile_mssql(capped_count_statement(scope.table, [], 1000, True))
    assert "ORDER BY" not in unordered


def test_export_compiles_to_top_limit_with_order_by(scope, app):
    """GIVEN an export of a filtered list
    WHEN compiled for SQL Server
    THEN it is TOP <limit> ordered by the sort and key, hidden columns absent."""
    scope.hidden = frozenset({"secret"})
    with app.test_request_context():
        plan = plan_export(scope, ListQuery(sort="-price"), "mssql", 1000)
    sql = compile_mssql(plan.statement)
    assert "SELECT TOP 1000" in sql
    assert "ORDER BY shop.items.price DESC, shop.items.item_id DESC" in sql
    assert "secret" not in sql


def test_list_with_row_filter_applies_it_to_page_and_count(scope, app):
    """GIVEN an access row filter
    WHEN a page and its count are compiled
    THEN both carry the filter."""
    row_filter = scope.table.c.updated_at >= dt.datetime(2024, 6, 2)
    scope.access = TableAccess("shop.items", frozenset({"read"}), row_filter=row_filter)
    plan = _plan(scope, app)
    assert "shop.items.updated_at >= ?" in compile_mssql(plan.statement)
    count = capped_count_statement(scope.table, plan.clauses)
    assert "shop.items.updated_at >= ?" in compile_mssql(count)


def test_home_count_compiles_to_one_top_capped_count_per_table(scope):
    """GIVEN a table with a row filter
    WHEN its home-page count is compiled for SQL Server
    THEN it is one COUNT over a TOP-capped subquery with the filter inside."""
    from sqlalchemy import column

    from app.data.summaries import count_statement

    restricted = Scope(
        scope.info,
        TableAccess("shop.items", frozenset({"read"}), row_filter=column("x") == 1),
        None,
        scope.catalog,
    )
    sql = compile_mssql(count_statement(restricted, cap=100))
    assert sql.count("SELECT TOP 101") == 1
    assert sql.count("WHERE x = ?") == 1
    assert sql.lstrip().startswith("SELECT count(*)")


def test_detail_row_compiles_to_one_select_by_key_with_joined_labels(
    scope, app, allow_all
):
    """GIVEN the detail page's statement for one item (its category label joined)
    WHEN compiled for SQL Server
    THEN it selects by the bound key, LEFT OUTER JOINs categories under an alias
    on the FK, schema-qualified, without TOP/OFFSET (a key is unique)."""
    from app.data.listing import label_joins
    from app.data.rows import _row_statement

    info = scope.info
    names = tuple(c.name for c in scope.visible)
    with app.test_request_context():
        joins = label_joins(scope, scope.visible, len(names))
        stmt = _row_statement(scope.table, info.primary_key, names, (), joins)
    sql = " ".join(compile_mssql(stmt).split())
    assert [j.column for j, _, _ in joins] == ["category_id"]
    assert (
        "FROM shop.items LEFT OUTER JOIN shop.categories AS tf_label_0 "
        "ON tf_label_0.category_id = shop.items.category_id" in sql
    )
    assert sql.endswith("WHERE shop.items.item_id = ?")
    assert "TOP" not in sql and "OFFSET" not in sql
