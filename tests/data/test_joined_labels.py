"""FK labels read by the page's own SELECT (LEFT OUTER JOIN on an alias of the
target): only where that cannot show more than the separate lookup would."""

from __future__ import annotations

import pytest
from sqlalchemy import Column, ForeignKey, Integer, MetaData, String, Table

from app.access import TableAccess
from app.catalog import build_catalog, get_catalog
from app.data.labels import fk_labels
from app.data.listing import list_page, plan_list
from app.data.query import ListQuery
from app.data.scope import Scope, open_scope
from app.identity import Identity
from tests.browse.shop import make_metadata
from tests.mssql import compile_mssql

JDOE = Identity("CONTOSO", "jdoe")


def _scope(metadata: MetaData, key: str) -> Scope:
    catalog = build_catalog(metadata.tables.values(), None)
    access = TableAccess(key, frozenset({"read", "export"}))
    return Scope(catalog.get(key), access, None, catalog)


def _joined(monkeypatch, app, scope, row_filter=None):
    """The first page's plan with labels joined, every target readable (with
    ``row_filter`` on every target when given): plan, statement, joined columns."""

    def access(_identity, table):
        rows = row_filter(table) if row_filter else None
        return TableAccess(table.fullname, frozenset({"read"}), row_filter=rows)

    monkeypatch.setattr("app.data.scope.table_access", access)
    with app.test_request_context():
        plan = plan_list(scope, ListQuery(), "mssql", labels=True)
        return plan, plan.statement, plan.joined


def test_joined_labels_compile_to_a_left_join_on_an_alias(monkeypatch, app):
    """GIVEN the items list, whose category_id references the categories key
    WHEN its page statement is compiled for SQL Server
    THEN categories is LEFT OUTER JOINed under an alias, keyed on the FK, and the
    page is still TOP n ordered by the item key."""
    _plan, stmt, joined = _joined(
        monkeypatch, app, _scope(make_metadata(), "shop.items")
    )
    sql = " ".join(compile_mssql(stmt).split())
    assert [j.column for j in joined] == ["category_id"]
    assert "SELECT TOP 51" in sql
    assert (
        "FROM shop.items LEFT OUTER JOIN shop.categories AS tf_label_0 "
        "ON tf_label_0.category_id = shop.items.category_id" in sql
    )
    assert sql.endswith("ORDER BY shop.items.item_id ASC")


def test_target_with_a_row_filter_is_looked_up_not_joined(monkeypatch, app):
    """GIVEN a caller who sees only some categories (a row filter)
    WHEN the items page is planned
    THEN no label is joined (the lookup applies the filter instead)."""
    _plan, stmt, joined = _joined(
        monkeypatch,
        app,
        _scope(make_metadata(), "shop.items"),
        row_filter=lambda t: t.c[next(iter(t.primary_key.columns)).name] < 3,
    )
    assert joined == []
    assert "JOIN" not in compile_mssql(stmt)


def test_non_unique_referenced_column_is_not_joined(monkeypatch, app):
    """GIVEN an FK declared on a column that is not unique in its table
    WHEN the page is planned
    THEN no label is joined (a join could repeat the page's rows)."""
    md = MetaData()
    Table(
        "teams",
        md,
        Column("team_id", Integer, primary_key=True),
        Column("code", String(10)),
        Column("name", String(50)),
        schema="s",
    )
    Table(
        "players",
        md,
        Column("player_id", Integer, primary_key=True),
        Column("team_code", String(10), ForeignKey("s.teams.code")),
        schema="s",
    )
    _plan, _stmt, joined = _joined(monkeypatch, app, _scope(md, "s.players"))
    assert joined == []


@pytest.mark.parametrize(
    "query", [ListQuery(), ListQuery(sort="-category_id"), ListQuery(page="last")]
)
def test_joined_labels_equal_the_lookup(shop_app, query):
    """GIVEN the shop items (some without a category) in several orders
    WHEN a page is listed (labels joined)
    THEN its labels are exactly what the separate lookup finds for the same rows."""
    with shop_app.test_request_context():
        page = list_page(JDOE, get_catalog(), "shop.items", query)
        scope = open_scope(JDOE, get_catalog(), "shop.items")
        assert "category_id" in page.labels
        assert page.labels == fk_labels(scope, page.columns, page.rows)
