"""A testing app over the demo database (small scale), signed in as an admin."""

from __future__ import annotations

import pytest
from sqlalchemy import (
    Column,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    event,
    insert,
)

from app.access import policy as access_policy
from app.catalog import build_catalog, set_catalog
from app.embedded import schema_file
from app.extensions import db
from tests.edit.world import ALEX, SCHEMA, Policy, _attach

ADMIN = "CONTOSO\\amorgan"  # Tablefront-Admins in app/settings/access.toml: every table


@pytest.fixture
def demo_app(make_app):
    """The demo database built once at a small scale; CSRF off for form posts."""
    app = make_app()
    result = app.test_cli_runner().invoke(
        args=["tablefront", "demo", "init", "--scale", "0.02"]
    )
    assert result.exit_code == 0, result.output
    app.config["WTF_CSRF_ENABLED"] = False
    return app


@pytest.fixture
def admin(demo_app):
    """A client signed in as the demo's administrator."""
    client = demo_app.test_client()
    client.environ_base.update({"REMOTE_USER": ADMIN})
    return client


# --- a system-versioned table and its history table on the embedded database ----------
# The period columns carry only the info mark (no FetchedValue), so the pages depend on
# the mark itself.

temporal_metadata = MetaData()
pay_rates = Table(
    "pay_rates",
    temporal_metadata,
    Column("pay_rate_id", Integer, primary_key=True, autoincrement=False),
    Column("grade", String(10), nullable=False),
    Column(
        "valid_from",
        DateTime,
        nullable=False,
        info={"generated_always": "row_start"},
    ),
    Column(
        "valid_to",
        DateTime,
        nullable=False,
        info={"generated_always": "row_end"},
    ),
    schema=SCHEMA,
    info={"history_table": "corp.pay_rates_history"},
)
pay_rates_history = Table(
    "pay_rates_history",
    temporal_metadata,
    Column("pay_rate_id", Integer, nullable=False),
    Column("grade", String(10), nullable=False),
    Column("valid_from", DateTime, nullable=False),
    Column("valid_to", DateTime, nullable=False),
    schema=SCHEMA,
    info={"history_of": "corp.pay_rates"},
)


@pytest.fixture
def temporal_app(make_app, tmp_path):
    """An app over corp.pay_rates (temporal) and its history; ALEX may do anything."""
    app = make_app(TABLEFRONT_SECRET_KEY="x" * 40)
    app.config["WTF_CSRF_ENABLED"] = False
    path = str(schema_file(tmp_path / "db", SCHEMA))
    with app.app_context():
        engine = db.engine
        event.listen(engine, "connect", lambda c, r: _attach(c, r, path))
        engine.dispose()
        temporal_metadata.create_all(engine)
        db.metadata.create_all(
            engine,
            tables=[t for t in db.metadata.sorted_tables if t.schema == "tablefront"],
        )
        db.session.execute(insert(pay_rates).values(pay_rate_id=1, grade="B1"))
        db.session.commit()
    set_catalog(app, build_catalog(temporal_metadata.sorted_tables, None))
    policy = Policy(admins={ALEX.upper()})
    policy.give(ALEX, pay_rates)
    policy.give(ALEX, pay_rates_history)
    app.extensions[access_policy.EXTENSION_KEY] = policy
    return app


@pytest.fixture
def alex(temporal_app):
    """A client signed in as ALEX on the temporal app."""
    client = temporal_app.test_client()
    client.environ_base.update({"REMOTE_USER": ALEX})
    return client
