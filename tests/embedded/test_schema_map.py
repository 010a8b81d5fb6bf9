"""Logical schema names in models, physical names from TABLEFRONT_SCHEMA_MAP."""

from __future__ import annotations

import sqlite3
from decimal import Decimal

import pytest
from sqlalchemy import (
    Column,
    ForeignKey,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    create_engine,
    insert,
    inspect,
    select,
)
from sqlalchemy.orm import Session

from app.extensions import db
from app.models import AuditLog
from tests.embedded.conftest import build_engine
from tests.embedded.models import Base, Department, Employee

UAT = {"hr": "hr_uat", "sales": "sales_uat"}


def test_sqlite_schema_map_files_are_named_by_physical_schema(tmp_path):
    """GIVEN hr=hr_uat WHEN create_all runs THEN hr_uat.db exists and hr.db does not."""
    engine = build_engine(tmp_path, UAT)
    Base.metadata.create_all(engine)
    engine.dispose()
    assert (tmp_path / "hr_uat.db").exists()
    assert not (tmp_path / "hr.db").exists()


def test_sqlite_schema_map_orm_queries_hit_the_physical_file(tmp_path):
    """GIVEN hr=hr_uat WHEN the ORM inserts a department THEN hr_uat.db holds it."""
    engine = build_engine(tmp_path, UAT)
    Base.metadata.create_all(engine)
    with Session(engine) as session:
        session.add(Department(code="FIN", name="Finance"))
        session.commit()
        assert session.scalar(select(Department.name)) == "Finance"
    engine.dispose()
    with sqlite3.connect(tmp_path / "hr_uat.db") as raw:
        assert raw.execute("SELECT code FROM departments").fetchall() == [("FIN",)]


def test_sqlite_schema_map_rowversion_trigger_lives_in_physical_schema(tmp_path):
    """GIVEN hr=hr_uat WHEN create_all runs THEN the rowversion trigger is in hr_uat."""
    engine = build_engine(tmp_path, UAT)
    Base.metadata.create_all(engine)
    with Session(engine) as session:
        session.add(Department(code="FIN", name="Finance"))
        session.flush()
        session.add(Employee(login="CONTOSO\\pchen", last_name="Chen", department_id=1))
        session.commit()
        before = session.scalar(select(Employee.row_version))
        session.get(Employee, 1).salary = Decimal("1.5")
        session.commit()
        assert session.scalar(select(Employee.row_version)) != before
    engine.dispose()


def test_app_schema_map_app_owned_table_goes_to_mapped_file(make_app, tmp_path):
    """GIVEN tablefront=tf_uat WHEN an audit row is written THEN tf_uat.db has it."""
    app = make_app(TABLEFRONT_SCHEMA_MAP="tablefront=tf_uat")
    with app.app_context():
        db.metadata.create_all(db.engine, tables=[AuditLog.__table__])
        db.session.add(
            AuditLog(
                user_login="contoso\\amorgan",
                table_name="hr.employees",
                row_key="[1]",
                action="update",
            )
        )
        db.session.commit()
        db.engine.dispose()
    with sqlite3.connect(tmp_path / "db" / "tf_uat.db") as raw:
        assert raw.execute("SELECT user_login FROM audit_log").fetchall() == [
            ("contoso\\amorgan",)
        ]
    assert not (tmp_path / "db" / "tablefront.db").exists()


def portable_tables() -> tuple[MetaData, Table, Table]:
    metadata = MetaData()
    sites = Table(
        "sites",
        metadata,
        Column("site_id", Integer, primary_key=True),
        Column("name", String(50), nullable=False),
        schema="ops",
    )
    employees = Table(
        "employees",
        metadata,
        Column("employee_id", Integer, primary_key=True),
        Column("login", String(256), nullable=False, unique=True),
        Column("salary", Numeric(19, 4)),
        Column("site_id", ForeignKey("ops.sites.site_id")),
        schema="hr",
    )
    return metadata, sites, employees


@pytest.mark.postgres
def test_postgres_schema_map_ddl_and_queries_use_physical_schemas(pg_database):
    """GIVEN hr=hr_uat, ops=ops_uat WHEN created and queried THEN only *_uat is used."""
    schema_map = {"hr": "hr_uat", "ops": "ops_uat"}
    engine = create_engine(
        pg_database, execution_options={"schema_translate_map": schema_map}
    )
    metadata, sites, employees = portable_tables()
    with engine.begin() as conn:
        for physical in schema_map.values():
            conn.exec_driver_sql(f"CREATE SCHEMA {physical}")
        metadata.create_all(conn)
        conn.execute(insert(sites).values(site_id=1, name="Leeds"))
        conn.execute(
            insert(employees).values(
                employee_id=1,
                login="CONTOSO\\dkowalski",
                salary=Decimal("1.25"),
                site_id=1,
            )
        )
    with engine.connect() as conn:
        joined = conn.execute(select(employees.c.login, sites.c.name).join(sites)).one()
        inspector = inspect(conn)
        schemas = set(inspector.get_schema_names())
        fk_target = inspector.get_foreign_keys("employees", schema="hr_uat")[0]
    engine.dispose()
    assert tuple(joined) == ("CONTOSO\\dkowalski", "Leeds")
    assert {"hr_uat", "ops_uat"} <= schemas
    assert not {"hr", "ops"} & schemas
    assert fk_target["referred_schema"] == "ops_uat"
