"""metadata_from_tsql: demo T-SQL read into MetaData as mssql reflection would."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import CheckConstraint, MetaData
from sqlalchemy.dialects import mssql

from app.codegen.tsql_ddl import DEFAULT_COLLATION, metadata_from_tsql

DEMO_DIR = Path(__file__).resolve().parents[2] / "sql" / "demo"


@pytest.fixture(scope="module")
def demo() -> MetaData:
    """The demo database's MetaData, read once from sql/demo."""
    return metadata_from_tsql([DEMO_DIR])


def write_script(tmp_path: Path, sql: str) -> Path:
    """A one-file script directory holding ``sql``."""
    path = tmp_path / "10_test.sql"
    path.write_text(sql, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("table", "column", "type_class"),
    [
        ("hr.employees", "salary", mssql.MONEY),
        ("hr.employees", "employee_guid", mssql.UNIQUEIDENTIFIER),
        ("hr.employees", "is_active", mssql.BIT),
        ("hr.employees", "modified_at", mssql.DATETIME2),
        ("hr.employees", "row_version", mssql.TIMESTAMP),
        ("hr.employee_skills", "level", mssql.TINYINT),
        ("ops.asset_types", "asset_type_id", mssql.SMALLINT),
        ("hr.employees", "hire_date", mssql.DATE),
        ("ops.assets", "purchase_cost", mssql.DECIMAL),
    ],
)
def test_metadata_from_tsql_sql_server_types_map_to_mssql_reflection_types(
    demo: MetaData, table: str, column: str, type_class: type
) -> None:
    """GIVEN the demo scripts
    WHEN they are read into MetaData
    THEN each SQL Server type is the class mssql reflection returns for it."""
    assert type(demo.tables[table].c[column].type) is type_class


def test_metadata_from_tsql_string_columns_carry_database_collation(
    demo: MetaData,
) -> None:
    """GIVEN varchar, nvarchar and char columns across the demo schemas
    WHEN they are read
    THEN every one carries the database's default collation, as reflection shows."""
    strings = [
        c
        for t in demo.tables.values()
        for c in t.columns
        if isinstance(c.type, mssql.VARCHAR | mssql.NVARCHAR | mssql.CHAR)
    ]

    assert len(strings) > 30
    assert {c.type.collation for c in strings} == {DEFAULT_COLLATION}


def test_metadata_from_tsql_lengths_max_and_decimal_precision_kept(
    demo: MetaData,
) -> None:
    """GIVEN nvarchar(256), nvarchar(max) and decimal(12,2) columns
    WHEN they are read
    THEN lengths are kept, max becomes None, and precision/scale are kept."""
    employees, assets = demo.tables["hr.employees"], demo.tables["ops.assets"]

    assert type(employees.c.login.type) is mssql.NVARCHAR
    assert employees.c.login.type.length == 256
    assert employees.c.notes.type.length is None
    assert (
        assets.c.purchase_cost.type.precision,
        assets.c.purchase_cost.type.scale,
    ) == (
        12,
        2,
    )


def test_metadata_from_tsql_identity_columns_have_identity_and_others_do_not(
    demo: MetaData,
) -> None:
    """GIVEN IDENTITY(1,1) key columns and plain columns
    WHEN they are read
    THEN identity columns carry Identity(1, 1) and autoincrement, others neither."""
    employees = demo.tables["hr.employees"]
    key = employees.c.employee_id

    assert (key.identity.start, key.identity.increment) == (1, 1)
    assert key.autoincrement is True
    assert employees.c.manager_id.identity is None
    assert employees.c.manager_id.autoincrement is False


def test_metadata_from_tsql_computed_column_is_persisted_and_unbracketed(
    demo: MetaData,
) -> None:
    """GIVEN order_lines.line_total AS ([quantity]*[unit_price]) PERSISTED
    WHEN it is read
    THEN it is a persisted Computed with portable text and the money operand's type."""
    line_total = demo.tables["sales.order_lines"].c.line_total

    assert line_total.computed.persisted is True
    assert str(line_total.computed.sqltext) == "(quantity*unit_price)"
    assert type(line_total.type) is mssql.MONEY


@pytest.mark.parametrize(
    ("table", "column", "stored"),
    [
        ("hr.employees", "is_active", "((1))"),
        ("hr.employees", "employee_guid", "(newid())"),
        ("hr.employees", "modified_at", "(sysdatetime())"),
        ("ops.tickets", "status", "('open')"),
        ("ops.tickets", "priority", "((3))"),
    ],
)
def test_metadata_from_tsql_server_defaults_in_sql_server_stored_form(
    demo: MetaData, table: str, column: str, stored: str
) -> None:
    """GIVEN named DEFAULT constraints
    WHEN they are read
    THEN the server default text is what SQL Server stores and reflection returns."""
    assert demo.tables[table].c[column].server_default.arg.text == stored


def test_metadata_from_tsql_default_spelling_normalised(tmp_path: Path) -> None:
    """GIVEN defaults written without parentheses and in upper case
    WHEN they are read
    THEN they are normalised to SQL Server's stored form."""
    script = write_script(
        tmp_path,
        "CREATE TABLE s.t (a int NOT NULL DEFAULT 0, b datetime2 DEFAULT GETDATE(),"
        " c nvarchar(5) DEFAULT N'x', d decimal(5,2) DEFAULT -1.5)",
    )

    table = metadata_from_tsql([script]).tables["s.t"]

    assert [c.server_default.arg.text for c in table.columns] == [
        "((0))",
        "(getdate())",
        "(N'x')",
        "((-1.5))",
    ]


def test_metadata_from_tsql_foreign_keys_keep_names_across_schemas(
    demo: MetaData,
) -> None:
    """GIVEN FKs inline, cross-schema, self-referencing and added by ALTER TABLE
    WHEN they are read
    THEN each is a named constraint pointing at the right schema.table.column."""
    keys = {
        fk.name: [e.target_fullname for e in fk.elements]
        for fk in demo.tables["hr.employees"].foreign_key_constraints
    }

    assert keys == {
        "FK_employees_departments": ["hr.departments.department_id"],
        "FK_employees_manager": ["hr.employees.employee_id"],
        "FK_employees_sites": ["ops.sites.site_id"],
    }


def test_metadata_from_tsql_composite_primary_key_named(demo: MetaData) -> None:
    """GIVEN order_lines with PRIMARY KEY (order_id, line_no)
    WHEN it is read
    THEN the named primary key has both columns in order, both NOT NULL."""
    key = demo.tables["sales.order_lines"].primary_key

    assert key.name == "PK_order_lines"
    assert [c.name for c in key.columns] == ["order_id", "line_no"]
    assert not any(c.nullable for c in key.columns)


def test_metadata_from_tsql_unique_constraints_become_unique_indexes(
    demo: MetaData,
) -> None:
    """GIVEN UNIQUE constraints and plain indexes on hr.employees
    WHEN they are read
    THEN uniques are unique Indexes (as mssql reflection returns) beside the others."""
    indexes = {i.name: i for i in demo.tables["hr.employees"].indexes}

    assert indexes["UQ_employees_login"].unique is True
    assert [c.name for c in indexes["UQ_employees_login"].columns] == ["login"]
    assert indexes["IX_employees_last_name"].unique is False
    assert [c.name for c in indexes["IX_employees_last_name"].columns] == [
        "last_name",
        "first_name",
    ]


def test_metadata_from_tsql_check_constraints_named(demo: MetaData) -> None:
    """GIVEN named CHECK constraints
    WHEN they are read with the default options
    THEN they are CheckConstraints with their names and portable text."""
    checks = {
        c.name: str(c.sqltext)
        for c in demo.tables["hr.employee_skills"].constraints
        if isinstance(c, CheckConstraint)
    }

    assert checks == {"CK_employee_skills_level": "level BETWEEN 1 AND 5"}


def test_metadata_from_tsql_checks_false_omits_check_constraints() -> None:
    """GIVEN the demo scripts
    WHEN they are read with checks=False (pure reflection fidelity)
    THEN no table carries a CheckConstraint."""
    metadata = metadata_from_tsql([DEMO_DIR], checks=False)

    assert not any(
        isinstance(c, CheckConstraint)
        for t in metadata.tables.values()
        for c in t.constraints
    )


def test_metadata_from_tsql_quoted_names_kept_verbatim(demo: MetaData) -> None:
    """GIVEN [Cost Center] (a space) and [user] (a reserved word)
    WHEN they are read and compiled for mssql
    THEN the names are kept and the dialect quotes them."""
    departments, events = demo.tables["hr.departments"], demo.tables["ops.asset_events"]
    dialect = mssql.dialect()

    assert "Cost Center" in departments.c
    assert "user" in events.c
    assert dialect.identifier_preparer.quote("Cost Center") == "[Cost Center]"
    assert "[user]" in str(events.select().compile(dialect=dialect))


def test_metadata_from_tsql_heap_table_has_no_primary_key(demo: MetaData) -> None:
    """GIVEN ops.asset_events, declared without a primary key
    WHEN it is read
    THEN its primary key is empty."""
    assert list(demo.tables["ops.asset_events"].primary_key.columns) == []


def test_metadata_from_tsql_view_columns_typed_from_tables(demo: MetaData) -> None:
    """GIVEN the view sales.v_order_totals
    WHEN it is read
    THEN it is marked as a view, has no key, and takes types from its tables."""
    view = demo.tables["sales.v_order_totals"]

    assert view.info["is_view"] is True
    assert list(view.primary_key.columns) == []
    assert type(view.c.order_number.type) is mssql.VARCHAR
    assert type(view.c.total_amount.type) is mssql.MONEY
    assert type(view.c.line_count.type) is mssql.INTEGER
    assert view.c.total_amount.nullable is True


def test_metadata_from_tsql_demo_has_three_schemas_and_sixteen_objects(
    demo: MetaData,
) -> None:
    """GIVEN the demo scripts
    WHEN they are read
    THEN hr, ops and sales hold 15 tables and one view."""
    tables = [t for t in demo.tables.values() if not t.info.get("is_view")]

    assert demo.info["schemas"] == ["hr", "ops", "sales"]
    assert len(tables) == 15
    assert len(demo.tables) == 16


def test_metadata_from_tsql_reference_before_create_raises(tmp_path: Path) -> None:
    """GIVEN an index on a table no script creates
    WHEN the script is read
    THEN a ValueError names the file and batch."""
    script = write_script(tmp_path, "CREATE INDEX IX_x ON s.missing (a);\nGO\n")

    with pytest.raises(ValueError, match=r"10_test.sql batch 1: s.missing"):
        metadata_from_tsql([script])


def test_metadata_from_tsql_audit_log_script_matches_audit_model() -> None:
    """GIVEN sql/app/10_tablefront_schema.sql and the hand-written AuditLog model
    WHEN the script is read into MetaData
    THEN columns, nullability, lengths, key and index names/columns agree."""
    from app.models.audit import AuditLog

    script = metadata_from_tsql([DEMO_DIR.parent / "app"]).tables[
        "tablefront.audit_log"
    ]
    model = AuditLog.__table__

    def shape(table):
        return [
            (c.name, c.nullable, c.primary_key, getattr(c.type, "length", None))
            for c in table.columns
        ]

    def indexes(table):
        return {(i.name, tuple(c.name for c in i.columns)) for i in table.indexes}

    assert shape(script) == shape(model)
    assert indexes(script) == indexes(model)
    assert script.c.audit_id.identity is not None
    assert script.c.changed_at.server_default.arg.text == "(sysutcdatetime())"
