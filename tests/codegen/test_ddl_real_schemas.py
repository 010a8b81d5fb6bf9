"""`--from-ddl` on what real scripts have: triggers, typed computed columns, notes."""

from __future__ import annotations

import pytest
from sqlalchemy import types as sqltypes
from sqlalchemy.dialects import mssql

from app.codegen.generator import TRIGGERS_INFO_KEY
from app.codegen.tsql_ddl import metadata_from_tsql

SCRIPT = """
CREATE TABLE [Sales].[Order] (
    OrderID   int IDENTITY(1,1) NOT NULL,
    Qty       smallint      NOT NULL,
    UnitPrice decimal(10,4) NOT NULL,
    Rate      decimal(38,6) NULL,
    Fee       money         NULL,
    Label     nvarchar(20)  NULL,
    Code      varchar(5)    NULL,
    OrderNumber AS ISNULL(N'SO' + CONVERT(nvarchar(23), OrderID), N'*** ERROR ***'),
    LineTotal   AS (Qty * UnitPrice) PERSISTED,
    Scaled      AS (Rate * Fee),
    Shown       AS (Label + N' (' + Code + N')'),
    Doubled     AS (Qty * 2) PERSISTED NOT NULL,
    Mystery     AS (dbo.fn_mystery(OrderID)),
    CONSTRAINT PK_Order PRIMARY KEY (OrderID)
);
GO
-- the trigger stamps the row; OUTPUT inserted is refused on such a table
CREATE TRIGGER [Sales].[trg_Order_Stamp] ON [Sales].[Order]
AFTER INSERT AS
BEGIN
    SET NOCOUNT ON;
    UPDATE o SET Qty = Qty
    FROM Sales.[Order] o JOIN inserted i ON i.OrderID = o.OrderID;
END;
GO
EXEC sys.sp_addextendedproperty @name = N'MS_Description',
    @value = N'Orders as the shop''s till records them',
    @level0type = N'SCHEMA', @level0name = N'Sales',
    @level1type = N'TABLE', @level1name = N'Order';
GO
EXEC sys.sp_addextendedproperty @name = N'MS_Description', @value = N'Pieces',
    @level0type = N'SCHEMA', @level0name = N'Sales',
    @level1type = N'TABLE', @level1name = N'Order',
    @level2type = N'COLUMN', @level2name = N'qty';
GO
"""


@pytest.fixture(scope="module")
def order(tmp_path_factory):
    """Sales.Order as --from-ddl reads the script."""
    folder = tmp_path_factory.mktemp("ddl")
    (folder / "10_sales.sql").write_text(SCRIPT, encoding="utf-8")
    return metadata_from_tsql([folder]).tables["Sales.Order"]


def test_from_ddl_create_trigger_marks_the_table(order):
    """GIVEN a CREATE TRIGGER ... ON [Sales].[Order] batch
    WHEN the scripts are read THEN the table is known to have triggers."""
    assert order.info.get(TRIGGERS_INFO_KEY) is True


def test_from_ddl_text_computed_column_is_nvarchar_and_not_null(order):
    """GIVEN ISNULL(N'SO' + CONVERT(nvarchar(23), id), N'...')
    WHEN typed THEN it is NVARCHAR(25), and NOT NULL as ISNULL makes it."""
    column = order.c.OrderNumber
    assert isinstance(column.type, mssql.NVARCHAR)
    assert column.type.length == 25
    assert column.nullable is False


@pytest.mark.parametrize(
    ("name", "precision", "scale"),
    [("LineTotal", 16, 4), ("Scaled", 38, 6)],
)
def test_from_ddl_decimal_arithmetic_follows_sql_servers_rules(
    order, name, precision, scale
):
    """GIVEN smallint * decimal(10,4) and decimal(38,6) * money
    WHEN typed THEN they are DECIMAL with SQL Server's precision and scale."""
    column_type = order.c[name].type
    assert isinstance(column_type, sqltypes.DECIMAL)
    assert (column_type.precision, column_type.scale) == (precision, scale)


def test_from_ddl_concatenation_is_text_of_the_summed_length(order):
    """GIVEN Label + N' (' + Code + N')' WHEN typed
    THEN it is NVARCHAR(20 + 2 + 5 + 1), nullable like its operands."""
    column = order.c.Shown
    assert isinstance(column.type, mssql.NVARCHAR)
    assert column.type.length == 28
    assert column.nullable is True


def test_from_ddl_persisted_not_null_is_kept(order):
    """GIVEN Doubled AS (Qty * 2) PERSISTED NOT NULL WHEN read
    THEN it is NOT NULL, and int (the literal outranks smallint)."""
    assert order.c.Doubled.nullable is False
    assert type(order.c.Doubled.type) is sqltypes.Integer


def test_from_ddl_untypable_computed_column_is_sql_variant(order):
    """GIVEN a computed column calling a user function WHEN typed
    THEN it is sql_variant (read-only, unsorted), and generation goes on."""
    assert isinstance(order.c.Mystery.type, mssql.SQL_VARIANT)


def test_from_ddl_ms_description_becomes_comments(order):
    """GIVEN MS_Description on the table and (in other case) on a column
    WHEN read THEN they are the table's and the column's comments."""
    assert order.comment == "Orders as the shop's till records them"
    assert order.c.Qty.comment == "Pieces"
