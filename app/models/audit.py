"""Tables Tablefront owns (schema ``tablefront``), written by hand.

The T-SQL for them is sql/app/; DBAs run it, the app never creates tables on SQL
Server (``create_all`` only builds the embedded SQLite database and test databases).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    BigInteger,
    DateTime,
    Identity,
    Index,
    String,
    Unicode,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db

APP_SCHEMA = "tablefront"


class AuditLog(db.Model):
    """One row per create, update, delete or imported row: who, when, old and new."""

    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_log_table_row", "table_name", "row_key"),
        Index("ix_audit_log_user_time", "user_login", "changed_at"),
        Index("ix_audit_log_time", "changed_at"),
        {"schema": APP_SCHEMA},
    )

    audit_id: Mapped[int] = mapped_column(
        BigInteger().with_variant(db.Integer, "sqlite"), Identity(), primary_key=True
    )
    changed_at: Mapped[dt.datetime] = mapped_column(
        DateTime, nullable=False, server_default=func.sysutcdatetime()
    )
    # NVARCHAR in sql/app: Unicode binds as NVARCHAR (String would send VARCHAR and
    # turn non-Latin-1 logins and values into "?").
    user_login: Mapped[str] = mapped_column(Unicode(256), nullable=False)
    request_id: Mapped[str | None] = mapped_column(String(32))
    table_name: Mapped[str] = mapped_column(Unicode(256), nullable=False)  # schema.tbl
    row_key: Mapped[str] = mapped_column(Unicode(400), nullable=False)  # JSON of the PK
    action: Mapped[str] = mapped_column(String(10), nullable=False)
    # Unicode without a length is NVARCHAR(max); UnicodeText could compile to NTEXT.
    old_values: Mapped[str | None] = mapped_column(Unicode)  # JSON: changed columns
    new_values: Mapped[str | None] = mapped_column(Unicode)
