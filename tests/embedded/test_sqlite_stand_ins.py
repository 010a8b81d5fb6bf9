"""SQL Server types, defaults and semantics on the embedded SQLite database."""

from __future__ import annotations

import datetime as dt
import sqlite3
import uuid
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from app.embedded import translate_default
from tests.embedded.conftest import build_engine
from tests.embedded.models import Base, Department, Employee, OrderLine


def add_employee(session, login: str = "CONTOSO\\amorgan", **values) -> Employee:
    """Insert one employee (with its department) and return it, committed."""
    dept = Department(code="IT", name="Information Technology")
    session.add(dept)
    session.flush()
    employee = Employee(
        login=login, last_name="Morgan", department_id=dept.department_id, **values
    )
    session.add(employee)
    session.commit()
    return employee


def test_create_all_each_schema_gets_its_own_file(engine, tmp_path):
    """GIVEN models in hr, sales WHEN create_all runs THEN hr.db, sales.db hold them."""
    for schema, table in [("hr", "employees"), ("sales", "order_lines")]:
        path = tmp_path / "db" / f"{schema}.db"
        with sqlite3.connect(path) as raw:
            names = {r[0] for r in raw.execute("SELECT name FROM sqlite_master")}
        assert table in names


def test_attach_relative_dir_resolves_to_absolute_path(tmp_path, monkeypatch):
    """GIVEN a relative db dir WHEN the cwd changes THEN the same files are used."""
    monkeypatch.chdir(tmp_path)
    engine = build_engine(Path("db"))
    Base.metadata.create_all(engine)
    monkeypatch.chdir("/")
    with engine.connect() as conn:
        files = {row[1]: row[2] for row in conn.exec_driver_sql("PRAGMA database_list")}
    engine.dispose()
    assert files["hr"] == str((tmp_path / "db" / "hr.db").resolve())


def test_every_attached_file_is_wal_with_synchronous_normal(engine):
    """GIVEN the embedded engine (main plus hr and sales ATTACHed)
    WHEN a connection is opened
    THEN each file is in WAL mode with synchronous=NORMAL (1), not the default FULL."""
    with engine.connect() as conn:
        settings = {
            schema: (
                conn.exec_driver_sql(f"PRAGMA {schema}.journal_mode").scalar(),
                conn.exec_driver_sql(f"PRAGMA {schema}.synchronous").scalar(),
            )
            for schema in ("main", "hr", "sales")
        }
    assert settings == {s: ("wal", 1) for s in ("main", "hr", "sales")}


def test_foreign_keys_unknown_department_is_rejected(session):
    """GIVEN foreign keys ON WHEN an employee names a missing department THEN error."""
    session.add(Employee(login="CONTOSO\\x", last_name="X", department_id=999))
    with pytest.raises(IntegrityError, match="FOREIGN KEY"):
        session.commit()


def test_string_equality_differs_in_case_matches_like_sql_server(session):
    """GIVEN login CONTOSO\\amorgan WHEN compared in upper case THEN it matches."""
    add_employee(session)
    found = session.scalars(
        select(Employee.login).where(Employee.login == "contoso\\AMORGAN")
    ).all()
    assert found == ["CONTOSO\\amorgan"]


def test_string_unique_differs_in_case_is_a_duplicate(session):
    """GIVEN a unique login WHEN it arrives again in other case THEN it is refused."""
    add_employee(session)
    session.add(Employee(login="contoso\\AMORGAN", last_name="Morgan"))
    with pytest.raises(IntegrityError, match="UNIQUE"):
        session.commit()


def test_string_case_sensitive_collation_stays_binary(session):
    """GIVEN a _CS_ collation WHEN compared in another case THEN it does not match."""
    add_employee(session, badge_code="AbX-1")
    assert (
        session.scalar(select(func.count()).where(Employee.badge_code == "abx-1")) == 0
    )
    assert (
        session.scalar(select(func.count()).where(Employee.badge_code == "AbX-1")) == 1
    )


def test_string_prefix_like_is_case_insensitive(session):
    """GIVEN last name Morgan WHEN searched with LIKE 'mor%' THEN the row is found."""
    add_employee(session)
    assert session.scalar(
        select(Employee.last_name).where(Employee.last_name.like("mor%"))
    )


def test_money_round_trips_as_decimal_with_four_places(session):
    """GIVEN salary 85000.10 (MONEY) WHEN read back THEN Decimal('85000.1000')."""
    add_employee(session, salary=Decimal("85000.10"))
    session.expire_all()
    salary = session.scalar(select(Employee.salary))
    assert isinstance(salary, Decimal)
    assert salary == Decimal("85000.1000")
    assert str(salary) == "85000.1000"


def test_numeric_round_trips_as_decimal_at_its_scale(session):
    """GIVEN NUMERIC(5,3) 0.125 WHEN read back THEN Decimal('0.125'), not a float."""
    add_employee(session, bonus_rate=Decimal("0.125"))
    session.expire_all()
    assert session.scalar(select(Employee.bonus_rate)) == Decimal("0.125")


def test_uniqueidentifier_newid_default_is_a_findable_uuid(session):
    """GIVEN DEFAULT newid() WHEN a row is inserted THEN a UUID that finds the row."""
    employee = add_employee(session)
    guid = session.scalar(select(Employee.employee_guid))
    assert isinstance(guid, uuid.UUID)
    found = session.scalar(
        select(Employee.employee_id).where(Employee.employee_guid == guid)
    )
    assert found == employee.employee_id


def test_sysdatetime_default_fills_current_datetime(session):
    """GIVEN modified_at DEFAULT sysdatetime() WHEN inserted THEN it is about now."""
    add_employee(session)
    modified = session.scalar(select(Employee.modified_at))
    assert isinstance(modified, dt.datetime)
    assert abs(dt.datetime.now() - modified) < dt.timedelta(minutes=1)


def test_bit_and_nvarchar_defaults_apply(session):
    """GIVEN defaults ((1)) and (N'Active') WHEN inserted THEN True and 'Active'."""
    add_employee(session)
    assert session.execute(select(Employee.is_active, Employee.status)).one() == (
        True,
        "Active",
    )


def test_rowversion_insert_gets_eight_byte_value(session):
    """GIVEN a rowversion column WHEN a row is inserted THEN it holds 8 bytes."""
    add_employee(session)
    version = session.scalar(select(Employee.row_version))
    assert isinstance(version, bytes)
    assert len(version) == 8


def test_rowversion_update_changes_the_value(session):
    """GIVEN a row WHEN any column is UPDATEd THEN its rowversion is different."""
    add_employee(session)
    before = session.scalar(select(Employee.row_version))
    session.execute(update(Employee).values(level=3))
    session.commit()
    assert session.scalar(select(Employee.row_version)) != before


def test_rowversion_stale_version_update_matches_no_row(session):
    """GIVEN a version read before someone's edit WHEN updating WHERE it THEN 0 rows."""
    employee = add_employee(session)
    stale = session.scalar(select(Employee.row_version))
    employee.notes = "first edit"
    session.commit()
    result = session.execute(
        update(Employee)
        .where(Employee.employee_id == employee.employee_id)
        .where(Employee.row_version == stale)
        .values(notes="second edit")
    )
    assert result.rowcount == 0


def test_computed_column_is_stored_from_quantity_and_price(session):
    """GIVEN line_total AS quantity*unit_price WHEN a line is inserted THEN 59.9700."""
    session.add(
        OrderLine(order_id=1, line_no=1, quantity=3, unit_price=Decimal("19.99"))
    )
    session.commit()
    session.expire_all()
    assert session.scalar(select(OrderLine.line_total)) == Decimal("59.9700")


@pytest.mark.parametrize(
    ("tsql", "sqlite"),
    [
        ("(N'Open')", "('Open')"),
        ("(N'it''s')", "('it''s')"),
        ("('N''x')", "('N''x')"),
        ("(0x00)", "(X'00')"),
        ("((0))", "((0))"),
        ("(getdate())", "(getdate())"),
    ],
)
def test_translate_default_tsql_literal_becomes_sqlite_literal(tsql, sqlite):
    """GIVEN a T-SQL default WHEN translated THEN SQLite accepts the same value."""
    assert translate_default(tsql) == sqlite
