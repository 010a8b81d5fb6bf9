"""Which tables a view reads: from CREATE VIEW text (scripts) and from
sys.sql_expression_dependencies (reflection), recorded in the view's table.info."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlalchemy import Column, Integer, MetaData, Table

from app.codegen.sources import mssql_view_dependencies, record_view_dependencies
from app.codegen.tsql_ddl import metadata_from_tsql, view_dependencies_from_ddl
from tests.mssql import compile_mssql

DEMO_SQL = Path(__file__).resolve().parents[2] / "sql" / "demo"


@pytest.mark.parametrize(
    ("ddl", "expected"),
    [
        pytest.param(
            "CREATE VIEW sales.v AS SELECT o.order_id, SUM(l.qty) AS qty "
            "FROM sales.orders AS o LEFT JOIN sales.order_lines AS l "
            "ON l.order_id = o.order_id GROUP BY o.order_id",
            ["sales.order_lines", "sales.orders"],
            id="left-join",
        ),
        pytest.param(
            "CREATE OR ALTER VIEW [sales].[v totals] AS SELECT o.[order id] "
            "FROM [sales].[Orders] AS o INNER JOIN [hr].[employees] e "
            "ON e.employee_id = o.rep_id",
            ["hr.employees", "sales.orders"],
            id="bracketed-schema-qualified",
        ),
        pytest.param(
            "CREATE VIEW sales.v AS WITH recent AS (SELECT order_id FROM sales.orders "
            "WHERE order_date > '2024-01-01'), big AS (SELECT order_id FROM recent) "
            "SELECT r.order_id FROM recent AS r "
            "JOIN big AS b ON b.order_id = r.order_id",
            ["sales.orders"],
            id="cte-names-are-not-tables",
        ),
        pytest.param(
            "CREATE VIEW sales.v AS SELECT c.customer_id FROM sales.customers AS c "
            "WHERE EXISTS (SELECT 1 FROM sales.orders AS o "
            "WHERE o.customer_id = c.customer_id)",
            ["sales.customers", "sales.orders"],
            id="subquery",
        ),
        pytest.param(
            "CREATE VIEW sales.v AS SELECT t.a FROM Archive.dbo.orders AS t",
            ["archive.dbo.orders"],
            id="other-database-keeps-three-parts",
        ),
    ],
)
def test_view_dependencies_from_ddl_lists_every_table_read(ddl, expected):
    """GIVEN a CREATE VIEW (joins, brackets, CTEs, subqueries, other databases)
    WHEN its dependencies are read THEN they are the tables it reads, sorted."""
    assert view_dependencies_from_ddl(ddl) == expected


def test_metadata_from_tsql_unqualified_name_resolves_to_view_schema(tmp_path):
    """GIVEN a view that names a table of its own schema without the schema
    WHEN the script is read THEN depends_on names it schema-qualified."""
    script = tmp_path / "10_views.sql"
    script.write_text(
        "CREATE TABLE sales.orders (order_id int NOT NULL PRIMARY KEY);\nGO\n"
        "CREATE VIEW sales.v_ids AS SELECT order_id FROM orders;\nGO\n"
    )
    view = metadata_from_tsql([script]).tables["sales.v_ids"]
    assert view.info["depends_on"] == ["sales.orders"]


def test_metadata_from_tsql_demo_order_totals_records_its_tables():
    """GIVEN sql/demo WHEN read THEN v_order_totals depends on orders and lines."""
    view = metadata_from_tsql([DEMO_SQL]).tables["sales.v_order_totals"]
    assert view.info == {
        "is_view": True,
        "depends_on": ["sales.order_lines", "sales.orders"],
    }


def test_mssql_view_dependencies_compiles_for_mssql():
    """GIVEN the reflection query WHEN compiled with the mssql dialect
    THEN it reads sys.sql_expression_dependencies resolved through sys.objects."""
    sql = compile_mssql(mssql_view_dependencies(), literal_binds=True)
    assert "FROM sys.sql_expression_dependencies JOIN sys.views" in sql
    assert "sys.sql_expression_dependencies.referenced_id = sys.objects.object_id" in (
        sql
    )
    assert "sys.objects.type IN ('U', 'V')" in sql


def test_record_view_dependencies_maps_physical_schemas_to_logical():
    """GIVEN rows from the reflection query for a view in physical schema sales_uat
    WHEN recorded with the schema map sales=sales_uat
    THEN the view's depends_on names the logical sales.orders; tables get none."""
    md = MetaData()
    view = Table("v", md, Column("a", Integer), schema="sales_uat")
    view.info["is_view"] = True
    orders = Table("orders", md, Column("a", Integer), schema="sales_uat")
    rows = [
        SimpleNamespace(
            view_schema="sales_uat",
            view_name="v",
            referenced_schema="sales_uat",
            referenced_name="Orders",
        )
    ]
    record_view_dependencies(md, rows, {"sales_uat": "sales"})
    assert view.info["depends_on"] == ["sales.orders"]
    assert "depends_on" not in orders.info
