"""Small hand-written models shaped like sqlacodegen's output for SQL Server tables."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

from sqlalchemy import (
    Computed,
    FetchedValue,
    ForeignKey,
    Identity,
    Integer,
    Numeric,
    text,
)
from sqlalchemy.dialects import mssql
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Department(Base):
    __tablename__ = "departments"
    __table_args__ = {"schema": "hr"}

    department_id: Mapped[int] = mapped_column(Integer, Identity(), primary_key=True)
    code: Mapped[str] = mapped_column(mssql.NVARCHAR(10), unique=True)
    name: Mapped[str] = mapped_column(mssql.NVARCHAR(100))
    cost_center: Mapped[str | None] = mapped_column("Cost Center", mssql.VARCHAR(20))


class Employee(Base):
    __tablename__ = "employees"
    __table_args__ = {"schema": "hr"}

    employee_id: Mapped[int] = mapped_column(Integer, Identity(), primary_key=True)
    employee_guid: Mapped[uuid.UUID] = mapped_column(
        mssql.UNIQUEIDENTIFIER, server_default=text("(newid())")
    )
    login: Mapped[str] = mapped_column(mssql.NVARCHAR(256), unique=True)
    last_name: Mapped[str] = mapped_column(mssql.NVARCHAR(50))
    badge_code: Mapped[str | None] = mapped_column(
        mssql.VARCHAR(12, collation="Latin1_General_CS_AS")
    )
    department_id: Mapped[int | None] = mapped_column(
        ForeignKey("hr.departments.department_id")
    )
    salary: Mapped[Decimal | None] = mapped_column(mssql.MONEY)
    bonus_rate: Mapped[Decimal | None] = mapped_column(Numeric(5, 3))
    is_active: Mapped[bool] = mapped_column(mssql.BIT, server_default=text("((1))"))
    status: Mapped[str] = mapped_column(
        mssql.NVARCHAR(20), server_default=text("(N'Active')")
    )
    level: Mapped[int | None] = mapped_column(mssql.TINYINT)
    notes: Mapped[str | None] = mapped_column(mssql.NVARCHAR("max"))
    modified_at: Mapped[dt.datetime] = mapped_column(
        mssql.DATETIME2, server_default=text("(sysdatetime())")
    )
    row_version: Mapped[bytes] = mapped_column(
        mssql.TIMESTAMP, server_default=FetchedValue()
    )


class OrderLine(Base):
    __tablename__ = "order_lines"
    __table_args__ = {"schema": "sales"}

    order_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    line_no: Mapped[int] = mapped_column(Integer, primary_key=True)
    quantity: Mapped[int] = mapped_column(Integer)
    unit_price: Mapped[Decimal] = mapped_column(mssql.MONEY)
    line_total: Mapped[Decimal | None] = mapped_column(
        mssql.MONEY, Computed("([quantity]*[unit_price])", persisted=True)
    )
