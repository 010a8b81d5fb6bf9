"""The generator on awkward SQL Server types: assigned keys, unknown types, temporal."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

from sqlalchemy import INTEGER, NVARCHAR, Column, MetaData, Table, select
from sqlalchemy.dialects import mssql
from sqlalchemy.types import NullType

from app.codegen.drift import load_models
from app.codegen.generator import TablefrontGenerator
from app.codegen.sources import mark_special_columns
from app.codegen.tsql_ddl import metadata_from_tsql
from app.data import writes
from app.mssql_types import OpaqueSqlType
from tests.codegen.conftest import mssql_bind, orm_insert_as_mssql
from tests.mssql import compile_mssql

TEMPORAL_DDL = """
CREATE TABLE hr.pay_rates (
    pay_rate_id  int            NOT NULL,
    grade        nvarchar(10)   NOT NULL,
    valid_from   datetime2      GENERATED ALWAYS AS ROW START NOT NULL,
    valid_to     datetime2      GENERATED ALWAYS AS ROW END NOT NULL,
    PERIOD FOR SYSTEM_TIME (valid_from, valid_to),
    CONSTRAINT PK_pay_rates PRIMARY KEY CLUSTERED (pay_rate_id)
) WITH (SYSTEM_VERSIONING = ON (HISTORY_TABLE = hr.pay_rates_history));
GO
"""
CLR_DDL = """
CREATE TABLE ops.rooms (
    room_id   int IDENTITY(1,1) NOT NULL,
    name      nvarchar(50)      NOT NULL,
    outline   geography         NULL,
    org_node  hierarchyid       NULL,
    CONSTRAINT PK_rooms PRIMARY KEY CLUSTERED (room_id)
);
GO
"""


def status_codes() -> MetaData:
    """A lookup table with an assigned integer key, as mssql reflection returns it."""
    md = MetaData()
    Table(
        "status_codes",
        md,
        Column("status_code", INTEGER(), primary_key=True, autoincrement=False),
        Column("label", NVARCHAR(50), nullable=False),
        schema="ops",
    )
    return md


def ddl_metadata(tmp_path: Path, script: str) -> MetaData:
    path = tmp_path / "schema.sql"
    path.write_text(script, encoding="utf-8")
    return metadata_from_tsql([path])


def test_generator_assigned_integer_key_is_not_treated_as_identity(generate):
    """GIVEN an integer primary key without IDENTITY (reflected autoincrement=False)
    WHEN its model is generated and loaded
    THEN the table has no autoincrement column, so SQLAlchemy neither leaves the key
    out of the INSERT (Msg 515) nor wraps it in SET IDENTITY_INSERT."""
    loaded = load_models(generate(status_codes()))
    table = loaded.metadata.tables["ops.status_codes"]
    assert table.autoincrement_column is None


def test_generator_assigned_integer_key_is_editable_on_create(generate):
    """GIVEN the generated model of a table with an assigned integer key
    WHEN the write layer lists the columns a create form may set
    THEN the key is one of them (not shown read-only as if IDENTITY)."""
    loaded = load_models(generate(status_codes()))
    table = loaded.metadata.tables["ops.status_codes"]
    names = [c.name for c in writes.editable_columns(table, creating=True)]
    assert names == ["status_code", "label"]


def test_generator_from_ddl_assigned_key_is_settable_on_create(generate, tmp_path):
    """GIVEN a T-SQL script whose table has an int key without IDENTITY
    WHEN models are generated from the DDL
    THEN the key is no autoincrement column and a create form may set it."""
    metadata = ddl_metadata(
        tmp_path,
        "CREATE TABLE ops.shifts (shift_no int NOT NULL, name nvarchar(20) NOT NULL,"
        " CONSTRAINT PK_shifts PRIMARY KEY CLUSTERED (shift_no));\nGO\n",
    )
    loaded = load_models(generate(metadata))
    table = loaded.metadata.tables["ops.shifts"]
    assert table.autoincrement_column is None
    names = [c.name for c in writes.editable_columns(table, creating=True)]
    assert names == ["shift_no", "name"]


def test_generator_unknown_type_generates_opaque_column_with_warning(generate):
    """GIVEN a geography column reflected as NullType (its name read from sys.types)
    WHEN the models are generated and loaded
    THEN they load (no MappedAnnotationError), the column is an opaque geography and
    the generator warns naming it."""
    md = MetaData()
    Table(
        "rooms",
        md,
        Column("room_id", INTEGER(), primary_key=True, autoincrement=False),
        Column("outline", NullType(), info={"sql_type": "geography"}),
        schema="ops",
    )
    generator = TablefrontGenerator(md, mssql_bind())
    loaded = load_models(generator.generate_modules())
    column = loaded.metadata.tables["ops.rooms"].c.outline
    assert isinstance(column.type, OpaqueSqlType) and column.type.name == "geography"
    assert any("outline (geography)" in w for w in generator.warnings)


def test_generate_command_from_ddl_clr_types_writes_models_and_warns(
    codegen_runner, tmp_path
):
    """GIVEN a T-SQL script with geography and hierarchyid columns
    WHEN `models generate --from-ddl` runs
    THEN it succeeds, writes the module and warns naming both columns."""
    script = tmp_path / "rooms.sql"
    script.write_text(CLR_DDL, encoding="utf-8")
    out = tmp_path / "models"
    result = codegen_runner.invoke(
        args=["tablefront", "models", "generate", "--from-ddl", str(script)]
        + ["--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "outline (geography)" in result.output
    assert "org_node (hierarchyid)" in result.output
    assert "OpaqueSqlType('hierarchyid')" in (out / "ops.py").read_text()


def test_opaque_column_select_mssql_casts_to_nvarchar(generate, tmp_path):
    """GIVEN a generated model with a geography column
    WHEN a select of the table is compiled for SQL Server
    THEN the column is read as CAST(... AS NVARCHAR(MAX)) under its own name (pyodbc
    cannot fetch ODBC type -151)."""
    loaded = load_models(generate(ddl_metadata(tmp_path, CLR_DDL)))
    rooms = loaded.metadata.tables["ops.rooms"]
    sql = compile_mssql(select(rooms))
    assert "CAST(ops.rooms.outline AS NVARCHAR(MAX)) AS outline" in sql


def test_opaque_column_is_never_written(generate, tmp_path):
    """GIVEN a generated model with geography and hierarchyid columns
    WHEN the write layer lists the columns a form may set
    THEN neither is among them."""
    loaded = load_models(generate(ddl_metadata(tmp_path, CLR_DDL)))
    rooms = loaded.metadata.tables["ops.rooms"]
    names = [c.name for c in writes.editable_columns(rooms, creating=True)]
    assert names == ["name"]


def test_generator_temporal_period_columns_never_inserted(generate, tmp_path):
    """GIVEN a SYSTEM_VERSIONED table from T-SQL with ROW START/END columns
    WHEN its model is generated and the ORM inserts a row, compiled for SQL Server
    THEN neither period column is sent (Msg 13536) and neither is editable."""
    loaded = load_models(generate(ddl_metadata(tmp_path, TEMPORAL_DDL)))
    model = loaded.namespaces["hr.py"]["HrPayRate"]
    sql = orm_insert_as_mssql(model(pay_rate_id=1, grade="B2"))
    assert "INSERT INTO hr.pay_rates (pay_rate_id, grade)" in sql
    table = loaded.metadata.tables["hr.pay_rates"]
    names = [c.name for c in writes.editable_columns(table)]
    assert names == ["grade"]


def test_generator_temporal_tables_carry_history_links(generate, tmp_path):
    """GIVEN a SYSTEM_VERSIONED table whose history table the script leaves to SQL
    Server
    WHEN models are generated from the DDL
    THEN both tables are generated and name each other in ``info``."""
    loaded = load_models(generate(ddl_metadata(tmp_path, TEMPORAL_DDL)))
    tables = loaded.metadata.tables
    assert tables["hr.pay_rates"].info["history_table"] == "hr.pay_rates_history"
    assert tables["hr.pay_rates_history"].info["history_of"] == "hr.pay_rates"
    assert tables["hr.pay_rates"].c.valid_to.info == {"generated_always": "row_end"}


def test_reflection_special_columns_mark_periods_clr_names_and_history():
    """GIVEN reflected tables and the rows sys.columns/sys.tables give for them
    WHEN mark_special_columns applies those rows
    THEN period columns, the CLR type name and both history links are recorded."""
    md = MetaData()
    rates = Table(
        "pay_rates",
        md,
        Column("id", INTEGER(), primary_key=True),
        Column("valid_from", mssql.DATETIME2()),
        Column("area", NullType()),
        schema="hr_prod",
    )
    history = Table("pay_rates_history", md, Column("id", INTEGER()), schema="hr_prod")
    row = SimpleNamespace
    mark_special_columns(
        md,
        [
            row(
                schema_name="hr_prod",
                table_name="pay_rates",
                column_name="valid_from",
                type_name="datetime2",
                generated_always=1,
            ),  # fmt: skip
            row(
                schema_name="hr_prod",
                table_name="pay_rates",
                column_name="area",
                type_name="geography",
                generated_always=0,
            ),  # fmt: skip
        ],
        [
            row(
                schema_name="hr_prod",
                table_name="pay_rates",
                history_schema="hr_prod",
                history_name="pay_rates_history",
            )  # fmt: skip
        ],
        {"hr_prod": "hr"},
    )
    assert rates.c.valid_from.info["generated_always"] == "row_start"
    assert rates.c.area.info["sql_type"] == "geography"
    assert rates.info["history_table"] == "hr.pay_rates_history"
    assert history.info["history_of"] == "hr.pay_rates"
