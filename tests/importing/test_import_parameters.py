"""Imports keep every statement under SQL Server's 2,100 parameters (Msg 8003)."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, event, insert, select
from sqlalchemy.sql.elements import ClauseElement

from app.catalog import build_catalog, set_catalog
from app.data.parameters import MAX_PARAMETERS, keys_per_statement
from app.extensions import db
from tests.edit.world import DANA, SCHEMA, metadata
from tests.html import by_testid, text_of
from tests.mssql import mssql_dialect

SQL_SERVER_LIMIT = 2100
stock_metadata = MetaData()
stock = Table(  # a three-column key: each key in an OR list binds three values
    "stock",
    stock_metadata,
    Column("warehouse", String(10), primary_key=True),
    Column("bin", String(10), primary_key=True),
    Column("sku", String(20), primary_key=True),
    Column("quantity", Integer, nullable=False),
    schema=SCHEMA,
)
URL = f"/t/{SCHEMA}/stock/-/import"
ROWS = 1200  # more than one old 1,000-key chunk; half exist already


def _mssql_parameters(element: ClauseElement, params: dict | None) -> int:
    """How many parameters SQL Server would receive for one execution."""
    keys = list(params or {})
    if getattr(element, "is_dml", False):  # values come as column keys
        compiled = element.compile(dialect=mssql_dialect(), column_keys=keys)
    else:  # expanding IN lists are rendered with the values they were sent with
        bound = element.params(params) if params else element
        compiled = bound.compile(
            dialect=mssql_dialect(), compile_kwargs={"render_postcompile": True}
        )
    return len(compiled.positiontup or ())


@pytest.fixture
def stock_world(world, policy) -> Iterator:
    """The corp world plus ``corp.stock``; Dana may import warehouses W1 and W2."""
    with world.app_context():
        stock_metadata.create_all(db.engine)
        db.session.execute(
            insert(stock),
            [
                {"warehouse": "W1", "bin": f"B{n % 7}", "sku": f"S{n}", "quantity": 1}
                for n in range(ROWS // 2)
            ],
        )
        db.session.commit()
    set_catalog(world, build_catalog([*metadata.sorted_tables, stock], None))
    policy.give(DANA, stock, row_filter=stock.c.warehouse.in_(["W1", "W2"]))
    yield world


@pytest.fixture
def parameter_counts(stock_world) -> Iterator[list[tuple[int, str]]]:
    """(parameters, first line of T-SQL) of every statement the app executes."""
    seen: list[tuple[int, str]] = []

    def count(conn, element, multiparams, params, options) -> None:
        if not isinstance(element, ClauseElement):
            return
        sets = multiparams if multiparams else [params]
        for one in sets if isinstance(sets, list) else [sets]:
            if isinstance(one, dict):
                seen.append(
                    (_mssql_parameters(element, one), str(element).splitlines()[0])
                )

    with stock_world.app_context():
        engine = db.engine
    event.listen(engine, "before_execute", count)
    yield seen
    event.remove(engine, "before_execute", count)


def test_import_composite_key_upsert_stays_under_parameter_limit_and_applies_all(
    stock_world, parameter_counts
):
    """GIVEN 1,200 upsert rows keyed by three columns, half of them existing, for a
    caller with a row filter
    WHEN the file is reviewed and applied
    THEN no statement binds 2,100 parameters or more, and every row is written."""
    lines = ["warehouse;bin;sku;quantity"] + [
        f"W1;B{n % 7};S{n};{n + 5}" for n in range(ROWS)
    ]
    data = ("\r\n".join(lines) + "\r\n").encode()
    client = stock_world.test_client()
    client.environ_base.update({"REMOTE_USER": DANA, "AUTH_TYPE": "Negotiate"})
    review = client.post(
        URL,
        data={"file": (io.BytesIO(data), "stock.csv"), "mode": "upsert"},
        content_type="multipart/form-data",
    )
    assert review.status_code == 200, text_of(review, "import-problems")
    form = by_testid(review, "import-apply").find_parent("form")
    fields = {el["name"]: el.get("value", "") for el in form.select("input[name]")}
    done = client.post(form["action"], data=fields)
    assert "600 rows inserted" in text_of(done, "import-summary")
    worst = max(parameter_counts)
    assert worst[0] < SQL_SERVER_LIMIT, worst
    with stock_world.app_context():
        quantities = db.session.execute(select(stock.c.quantity)).scalars().all()
    assert sorted(quantities) == [n + 5 for n in range(ROWS)]


def test_keys_per_statement_filter_values_leave_room_for_fewer_keys():
    """GIVEN a row filter that binds an IN list of 300 values
    WHEN sizing chunks of four-column keys for a statement that carries it
    THEN the chunk leaves room for those 300 values (425 keys, not 500)."""
    row_filter = stock.c.warehouse.in_([f"W{n}" for n in range(300)])
    assert keys_per_statement(4, row_filter) == (MAX_PARAMETERS - 300) // 4
