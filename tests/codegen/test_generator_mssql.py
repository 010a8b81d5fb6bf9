"""The generator on MSSQL-typed metadata, as mssql reflection returns it (no server)."""

from __future__ import annotations

import re

from sqlalchemy import INTEGER, Column, FetchedValue, Table, insert
from sqlalchemy.orm import RelationshipProperty

from app.codegen.drift import load_models
from app.codegen.generator import HEADER
from tests.codegen.conftest import (
    DB_COLLATION,
    OTHER_COLLATION,
    compile_mssql,
    mssql_metadata,
    orm_insert_as_mssql,
)


def inserted_columns(sql: str, table: str) -> list[str]:
    """The column list of an INSERT statement."""
    match = re.search(rf"INSERT INTO {re.escape(table)} \(([^)]*)\)", sql)
    assert match, sql
    return [name.strip() for name in match.group(1).split(",")]


def test_generator_mssql_metadata_modules_import_and_map(mssql_models):
    """GIVEN MSSQL-typed tables in three schemas
    WHEN the generated modules are executed and the mappers configured
    THEN every table is registered on the db's metadata under its schema."""
    _, loaded = mssql_models
    assert sorted(loaded.metadata.tables) == sorted(mssql_metadata().tables)


def test_generator_one_module_per_schema_with_header(mssql_models):
    """GIVEN tables in schemas hr, ops and sales
    WHEN generated
    THEN one module per schema plus __init__ exists, each starting with the header."""
    sources, _ = mssql_models
    assert sorted(sources) == ["__init__.py", "hr.py", "ops.py", "sales.py"]
    for source in sources.values():
        assert source.startswith(HEADER.format(dialect="mssql"))


def test_generator_models_subclass_db_model(mssql_models):
    """GIVEN generated modules
    WHEN a class is loaded
    THEN it subclasses the db's Model and no module defines its own Base."""
    sources, loaded = mssql_models
    employee = loaded.namespaces["hr.py"]["HrEmployee"]
    assert issubclass(employee, loaded.db.Model)
    assert not any(
        "DeclarativeBase" in s or "MetaData()" in s for s in sources.values()
    )


def test_generator_orm_insert_skips_rowversion_computed_and_identity(mssql_models):
    """GIVEN an order line with a computed total and a rowversion
    WHEN the ORM flushes a new row, compiled for SQL Server
    THEN neither the rowversion nor the computed column is sent."""
    _, loaded = mssql_models
    line = loaded.namespaces["sales.py"]["SalesOrderLine"]
    sql = orm_insert_as_mssql(line(order_id=1, line_no=1, quantity=2, unit_price=3))
    sent = inserted_columns(sql, "sales.order_lines")
    assert sent == ["order_id", "line_no", "quantity", "unit_price"]


def test_generator_orm_insert_fetches_identity_key_with_output(mssql_models):
    """GIVEN an employee with an IDENTITY key and a rowversion
    WHEN the ORM flushes a new employee, compiled for SQL Server
    THEN the key is not sent and comes back through OUTPUT inserted.employee_id."""
    _, loaded = mssql_models
    employee = loaded.namespaces["hr.py"]["HrEmployee"]
    sql = orm_insert_as_mssql(
        employee(login="CONTOSO\\amorgan", first_name="Alex", department_id=1)
    )
    sent = inserted_columns(sql, "hr.employees")
    assert "employee_id" not in sent
    assert "row_version" not in sent
    assert "OUTPUT inserted.employee_id" in sql


def test_generator_table_with_triggers_inserts_without_output(mssql_models):
    """GIVEN a table flagged as having triggers
    WHEN the ORM flushes a new row, compiled for SQL Server
    THEN no OUTPUT clause is used (SQL Server refuses OUTPUT without INTO there)."""
    _, loaded = mssql_models
    note = loaded.namespaces["sales.py"]["SalesAuditedNote"]
    assert note.__table__.implicit_returning is False
    assert "OUTPUT" not in orm_insert_as_mssql(note(body="hello"))


def test_generator_rowversion_gets_fetched_value_server_default(mssql_models):
    """GIVEN a rowversion column
    WHEN generated
    THEN it maps to bytes with a FetchedValue server default."""
    _, loaded = mssql_models
    column = loaded.namespaces["hr.py"]["HrEmployee"].__table__.c.row_version
    assert type(column.server_default) is FetchedValue
    assert column.type.python_type is bytes


def test_generator_database_default_collation_is_dropped(mssql_models):
    """GIVEN string columns carrying the database's default collation
    WHEN generated
    THEN that collation appears nowhere while a deliberate other collation stays."""
    sources, loaded = mssql_models
    assert not any(DB_COLLATION in source for source in sources.values())
    badge = loaded.namespaces["hr.py"]["HrEmployee"].__table__.c.badge_code
    assert badge.type.collation == OTHER_COLLATION


def test_generator_money_is_annotated_decimal(mssql_models):
    """GIVEN MONEY columns
    WHEN generated
    THEN they are annotated decimal.Decimal, not object/Any."""
    sources, _ = mssql_models
    assert "salary: Mapped[Optional[decimal.Decimal]]" in sources["hr.py"]
    assert "unit_price: Mapped[decimal.Decimal]" in sources["sales.py"]


def test_generator_same_table_name_in_two_schemas_gives_distinct_classes(
    mssql_models,
):
    """GIVEN hr.departments and ops.departments
    WHEN generated
    THEN they become HrDepartment and OpsDepartment mapped to their own tables."""
    _, loaded = mssql_models
    hr_dept = loaded.namespaces["hr.py"]["HrDepartment"]
    ops_dept = loaded.namespaces["ops.py"]["OpsDepartment"]
    assert hr_dept.__table__.fullname == "hr.departments"
    assert ops_dept.__table__.fullname == "ops.departments"


def test_generator_cross_schema_relationship_resolves(mssql_models):
    """GIVEN hr.employees.site_id referencing ops.sites
    WHEN the mappers are configured
    THEN HrEmployee.site is a relationship to OpsSite."""
    _, loaded = mssql_models
    employee = loaded.namespaces["hr.py"]["HrEmployee"]
    prop = employee.__mapper__.attrs["site"]
    assert isinstance(prop, RelationshipProperty)
    assert prop.mapper.class_ is loaded.namespaces["ops.py"]["OpsSite"]


def test_generator_table_without_primary_key_registers_on_db_metadata(mssql_models):
    """GIVEN ops.asset_events without a primary key
    WHEN generated
    THEN it is a Table on the db's metadata, not a class."""
    _, loaded = mssql_models
    events = loaded.namespaces["ops.py"]["t_ops_asset_events"]
    assert isinstance(events, Table)
    assert loaded.metadata.tables["ops.asset_events"] is events


def test_generator_view_is_marked_is_view(mssql_models):
    """GIVEN a view
    WHEN generated
    THEN its Table carries info is_view=True."""
    _, loaded = mssql_models
    assert loaded.metadata.tables["sales.v_order_totals"].info == {"is_view": True}


def test_generator_column_name_with_space_keeps_its_database_name(mssql_models):
    """GIVEN a column named [Cost Center]
    WHEN generated
    THEN the attribute is a valid identifier and the column keeps its real name."""
    _, loaded = mssql_models
    department = loaded.namespaces["hr.py"]["HrDepartment"]
    assert department.Cost_Center.property.columns[0].name == "Cost Center"
    sql = compile_mssql(insert(department).values(Cost_Center="X", code="A", name="B"))
    assert "[Cost Center]" in sql


def class_names(loaded) -> set[str]:
    """Model class and Table names defined by loaded modules."""
    return {
        name
        for namespace in loaded.namespaces.values()
        for name, value in namespace.items()
        if isinstance(value, Table) or hasattr(value, "__table__")
    }


def test_generator_same_metadata_twice_is_byte_identical(generate):
    """GIVEN the same tables
    WHEN generated twice
    THEN the output is byte-identical."""
    assert generate(mssql_metadata()) == generate(mssql_metadata())


def test_generator_adding_a_table_keeps_other_class_names(generate):
    """GIVEN generated models
    WHEN a table is added to the database and models are regenerated
    THEN every existing class keeps its name."""
    before = load_models(generate(mssql_metadata()), configure=False)
    md = mssql_metadata()
    Table("awards", md, Column("award_id", INTEGER(), primary_key=True), schema="hr")
    after = load_models(generate(md), configure=False)
    assert class_names(before) < class_names(after)
