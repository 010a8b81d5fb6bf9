"""Peer: Flask-Admin's ModelView over the bench table (as a user would set it up).

Run (needs requirements-bench.txt):
python tests/benchmarks/browse_flask_admin.py --db-dir DIR --port PORT
"""

from __future__ import annotations

import argparse
import datetime as dt
from decimal import Decimal
from pathlib import Path

from flask import Flask
from flask_admin import Admin
from flask_admin.contrib.sqla import ModelView
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import Boolean, Date, ForeignKey, Integer, Numeric, String, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

db = SQLAlchemy()


class Category(db.Model):
    __tablename__ = "categories"
    __table_args__ = {"schema": "bench"}
    category_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(12))
    name: Mapped[str] = mapped_column(String(80))

    def __str__(self) -> str:
        return self.name


class Person(db.Model):
    __tablename__ = "people"
    __table_args__ = {"schema": "bench"}
    person_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    first_name: Mapped[str] = mapped_column(String(50))
    last_name: Mapped[str] = mapped_column(String(50), index=True)
    email: Mapped[str] = mapped_column(String(120))
    category_id: Mapped[int] = mapped_column(ForeignKey("bench.categories.category_id"))
    amount: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    joined_on: Mapped[dt.date] = mapped_column(Date)
    is_active: Mapped[bool] = mapped_column(Boolean)
    category: Mapped[Category] = relationship()


class PersonView(ModelView):
    page_size = 50
    can_view_details = True
    can_export = True
    export_types = ["csv"]
    column_display_pk = True
    column_list = [
        "person_id",
        "first_name",
        "last_name",
        "email",
        "category",
        "amount",
        "joined_on",
        "is_active",
    ]
    column_sortable_list = ["person_id", "last_name", "joined_on", "amount"]
    column_searchable_list = ["last_name"]
    column_filters = ["category_id", "is_active", "joined_on"]
    column_export_list = column_list


def create_admin_app(db_dir: Path) -> Flask:
    """Flask-Admin over ``db_dir/main.db`` with ``bench.db`` ATTACHed."""
    app = Flask(__name__)
    app.config["SECRET_KEY"] = "benchmark-only"
    app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{db_dir / 'main.db'}"
    db.init_app(app)
    with app.app_context():

        @event.listens_for(db.engine, "connect")
        def _attach(dbapi_connection, _record) -> None:
            dbapi_connection.execute(
                "ATTACH DATABASE ? AS bench", (str(db_dir / "bench.db"),)
            )

    admin = Admin(app, name="bench")
    admin.add_view(PersonView(Person, db.session, endpoint="person"))
    return app


def main() -> None:
    """Serve Flask-Admin with waitress."""
    from waitress import serve

    parser = argparse.ArgumentParser()
    parser.add_argument("--db-dir", type=Path, required=True)
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    app = create_admin_app(args.db_dir.resolve())
    serve(app, host="127.0.0.1", port=args.port, threads=8, _quiet=True)


if __name__ == "__main__":
    main()
