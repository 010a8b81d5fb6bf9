"""Settings in any case work on a schema spelled SalesLT; [caller] is optional."""

from __future__ import annotations

import pytest
from sqlalchemy import (
    Column,
    Integer,
    MetaData,
    String,
    Table,
    create_engine,
    event,
    insert,
    select,
)
from sqlalchemy.pool import StaticPool

from app.access.groups import StaticGroups
from app.access.policy import AccessPolicy
from app.access.settings import AccessSettingsError, load_settings
from app.catalog.registry import catalog_from_metadata
from app.identity import Identity


def saleslt_metadata() -> MetaData:
    """SalesLT.Customer and SalesLT.SalesOrderHeader, spelled as AdventureWorksLT."""
    md = MetaData()
    Table(
        "Customer",
        md,
        Column("CustomerID", Integer, primary_key=True),
        Column("EmailAddress", String(50), nullable=False),
        Column("CompanyName", String(128)),
        Column("SalesPerson", String(256)),
        schema="SalesLT",
    )
    Table(
        "SalesOrderHeader",
        md,
        Column("SalesOrderID", Integer, primary_key=True),
        Column("CustomerID", Integer, nullable=False),
        Column("Comment", String(200)),
        schema="SalesLT",
    )
    return md


def caller(login: str) -> Identity:
    """An Identity for ``DOMAIN\\user``."""
    domain, _, user = login.partition("\\")
    return Identity(domain=domain, name=user)


ACCESS_LOWER = """
[caller]
table = "saleslt.customer"
login_column = "emailaddress"

[roles.clerk]
users = ["*"]
[[roles.clerk.grants]]
tables = ["saleslt.customer", "SalesLT.SalesOrderHeader"]
actions = ["read"]
hidden_columns = ["salesperson"]
[[roles.clerk.grants]]
tables = ["saleslt.salesorderheader"]
actions = ["update"]
rows = [{ column = "customerid", equals = "caller.customerid" }]
"""


def test_load_settings_names_in_any_case_match_the_database(tmp_path):
    """GIVEN tables spelled SalesLT.Customer and an access file in lower case
    WHEN it is loaded
    THEN it is accepted, and the caller lookup and hidden column use the
    database's spelling."""
    path = tmp_path / "access.toml"
    path.write_text(ACCESS_LOWER, encoding="utf-8")
    settings = load_settings(path, saleslt_metadata())
    assert settings.caller.login_column == "EmailAddress"
    assert "SalesPerson" in settings.roles["clerk"].grants[0].hidden_columns


def test_row_filter_written_in_lower_case_runs_on_the_real_columns(tmp_path):
    """GIVEN the lower-case access file and two customers in SQLite
    WHEN the update filter of customer 2's login is compiled and run
    THEN only customer 2's orders match."""
    metadata = saleslt_metadata()
    path = tmp_path / "access.toml"
    path.write_text(ACCESS_LOWER, encoding="utf-8")
    settings = load_settings(path, metadata)
    policy = AccessPolicy(settings, StaticGroups({}), metadata)
    engine = create_engine("sqlite://", poolclass=StaticPool)

    @event.listens_for(engine, "connect")
    def _attach(dbapi_connection, _record) -> None:
        dbapi_connection.execute("ATTACH DATABASE ':memory:' AS SalesLT")

    customer = metadata.tables["SalesLT.Customer"]
    orders = metadata.tables["SalesLT.SalesOrderHeader"]
    who = caller("CONTOSO\\kim")
    with engine.begin() as conn:
        metadata.create_all(conn)
        conn.execute(
            insert(customer),
            [
                {"CustomerID": 1, "EmailAddress": "CONTOSO\\lee"},
                {"CustomerID": 2, "EmailAddress": "CONTOSO\\kim"},
            ],
        )
        conn.execute(
            insert(orders),
            [
                {"SalesOrderID": 10, "CustomerID": 1},
                {"SalesOrderID": 20, "CustomerID": 2},
            ],
        )
        access = policy.table_access(who, orders, policy.roles_for(who, []))
        found = conn.scalars(
            select(orders.c.SalesOrderID).where(access.filter_for("update"))
        ).all()
    assert found == [20]


def test_catalog_settings_in_other_case_apply_to_the_table(tmp_path):
    """GIVEN tables.toml naming "saleslt.customer" and columns in lower case
    WHEN the catalog is built
    THEN the SalesLT.Customer entry gets the label, search and sort, spelled as the
    database spells them."""
    path = tmp_path / "tables.toml"
    path.write_text(
        '[tables."saleslt.customer"]\nlabel = "Customers"\n'
        'search = ["companyname"]\nsort = "-customerid"\nhidden = ["salesperson"]\n',
        encoding="utf-8",
    )
    info = catalog_from_metadata(saleslt_metadata(), path).get("SalesLT.Customer")
    assert info.label == "Customers"
    assert info.searchable == ("CompanyName",)
    assert info.default_sort == "-CustomerID"
    assert info.columns["SalesPerson"].hidden


def test_load_settings_without_caller_section_accepts_login_filters(tmp_path):
    """GIVEN an access file with no [caller] and a filter on caller.login only
    WHEN it is loaded
    THEN it is accepted."""
    path = tmp_path / "access.toml"
    path.write_text(
        '[roles.clerk]\nusers = ["*"]\n[[roles.clerk.grants]]\n'
        'tables = ["saleslt.customer"]\nactions = ["read"]\n'
        'rows = [{ column = "EmailAddress", equals = "caller.login" }]\n',
        encoding="utf-8",
    )
    settings = load_settings(path, saleslt_metadata())
    assert settings.caller.table is None


def test_load_settings_without_caller_section_refuses_caller_columns(tmp_path):
    """GIVEN an access file with no [caller] and a filter on caller.customerid
    WHEN it is loaded
    THEN start-up fails naming the line and saying to add a [caller] section."""
    path = tmp_path / "access.toml"
    path.write_text(
        '[roles.clerk]\nusers = ["*"]\n[[roles.clerk.grants]]\n'
        'tables = ["saleslt.salesorderheader"]\nactions = ["read"]\n'
        'rows = [{ column = "CustomerID", equals = "caller.customerid" }]\n',
        encoding="utf-8",
    )
    with pytest.raises(AccessSettingsError) as info:
        load_settings(path, saleslt_metadata())
    assert "access.toml:3:" in str(info.value)
    assert "has no [caller] section" in str(info.value)
