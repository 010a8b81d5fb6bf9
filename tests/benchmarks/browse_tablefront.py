"""Contender (a): Tablefront itself over the bench tables, served by waitress.

The bench tables get declared models here (as generated models would look) on the
app's ``db`` before ``create_app()``, so the catalog finds them in ``db.metadata``;
a bench settings file (TABLEFRONT_TABLES_FILE) names the search column and labels.
Run: python tests/benchmarks/browse_tablefront.py --db-dir DIR --port PORT
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import os
import sys
from decimal import Decimal
from pathlib import Path

from sqlalchemy import Boolean, Date, ForeignKey, Integer, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column

REPO = Path(__file__).resolve().parents[2]
BENCH_USER = "CONTOSO\\amorgan"

SETTINGS_TOML = """\
[tables."bench.categories"]
label = "Categories"
label_column = "name"
search = ["name"]

[tables."bench.people"]
label = "People"
description = "One million rows for the browse benchmark."
search = ["last_name"]
page_size = 50
"""


def declare_models() -> None:
    """Map bench.people and bench.categories on the app's db (Flask-SQLAlchemy)."""
    from app.extensions import db

    class BenchCategory(db.Model):
        __tablename__ = "categories"
        __table_args__ = {"schema": "bench"}
        category_id: Mapped[int] = mapped_column(Integer, primary_key=True)
        code: Mapped[str] = mapped_column(String(12), unique=True)
        name: Mapped[str] = mapped_column(String(80))

    class BenchPerson(db.Model):
        __tablename__ = "people"
        __table_args__ = {"schema": "bench"}
        person_id: Mapped[int] = mapped_column(Integer, primary_key=True)
        first_name: Mapped[str] = mapped_column(String(50))
        last_name: Mapped[str] = mapped_column(String(50), index=True)
        email: Mapped[str] = mapped_column(String(120))
        category_id: Mapped[int] = mapped_column(
            ForeignKey("bench.categories.category_id"), index=True
        )
        amount: Mapped[Decimal] = mapped_column(Numeric(12, 2))
        joined_on: Mapped[dt.date] = mapped_column(Date)
        is_active: Mapped[bool] = mapped_column(Boolean)


def bench_environ(db_dir: Path) -> dict[str, str]:
    """The environment the Tablefront server runs with."""
    settings = db_dir / "bench_tables.toml"
    settings.write_text(SETTINGS_TOML, encoding="utf-8")
    return {
        # Not development: its start-up rebuilds the demo, deleting every schema
        # file in the folder (bench.db included). Identity comes as under IIS.
        "TABLEFRONT_ENV": "testing",
        "TABLEFRONT_EMBEDDED_DB_DIR": str(db_dir),
        "TABLEFRONT_LOG_DIR": str(db_dir.parent / "logs" / "tablefront"),
        "TABLEFRONT_TABLES_FILE": str(settings),
        "TABLEFRONT_LOG_LEVEL": "WARNING",
    }


def main() -> None:
    """Serve Tablefront with the bench models."""
    from waitress import serve

    parser = argparse.ArgumentParser()
    parser.add_argument("--db-dir", type=Path, required=True)
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    sys.path.insert(0, str(REPO))
    os.environ.update(bench_environ(args.db_dir.resolve()))
    declare_models()
    from app import create_app

    app = create_app()
    gc.freeze()
    serve(as_windows_user(app), host="127.0.0.1", port=args.port, threads=8)


def as_windows_user(app, login: str = BENCH_USER):
    """WSGI wrapper: set REMOTE_USER as IIS Windows Authentication would."""

    def wsgi(environ, start_response):
        environ["REMOTE_USER"] = login
        environ["AUTH_TYPE"] = "Negotiate"
        return app(environ, start_response)

    return wsgi


if __name__ == "__main__":
    main()


TABLE = "/t/bench/people"


def _deep_token(base_url: str, row: int) -> str:
    """A page token for the rows after ``row``: page 1's next token, re-aimed.

    Following "next" 10,000 times would take minutes, so the token of page 1 is
    decoded with the testing config's secret, its key values replaced and re-signed.
    """
    import re
    import urllib.request
    from html import unescape
    from urllib.parse import parse_qs, urlsplit

    from itsdangerous import URLSafeSerializer

    from app.data.tokens import SALT
    from app.data.values import tag
    from config import TestingConfig

    with urllib.request.urlopen(base_url + TABLE, timeout=30) as response:
        html = response.read().decode("utf-8")
    match = re.search(r'href="([^"]+)"[^>]*data-testid="page-next"', html)
    if not match:
        raise LookupError(f"no page-next link on {TABLE}")
    token = parse_qs(urlsplit(unescape(match.group(1))).query)["page"][0]
    serializer = URLSafeSerializer(TestingConfig({}).SECRET_KEY, salt=SALT)
    payload = serializer.loads(token)
    payload["v"] = [tag(row)]
    payload.pop("n", None)  # the page-1 count is not the deep page's
    return serializer.dumps(payload)


def scenario_paths(base_url: str, rows: int) -> dict[str, str]:
    """Tablefront's URL for every benchmark scenario, and "export"."""
    sys.path.insert(0, str(REPO))
    deep = rows // 2 - 50
    return {
        "list": TABLE,
        "deep": f"{TABLE}?page={_deep_token(base_url, deep)}",
        "sort": f"{TABLE}?sort=last_name",
        # "starts with", as Datasette's __startswith: the default mode ("a word
        # starts with") also scans for the word starts, a different search.
        "prefix": f"{TABLE}?q=Mar&mode=prefix",
        "contains": f"{TABLE}?q=ill&mode=contains",
        "filter": f"{TABLE}?fc=category_id&fo=eq&fv=17",
        "detail": f"{TABLE}/{rows // 2}",
        "export": f"{TABLE}/-/export.csv?confirm=1",
    }
