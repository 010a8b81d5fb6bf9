"""Database refusals are told apart by error number and constraint name, in any
language the SQL Server login speaks."""

from __future__ import annotations

import pytest
from sqlalchemy import (
    CheckConstraint,
    Column,
    ForeignKeyConstraint,
    Integer,
    MetaData,
    String,
    Table,
    UniqueConstraint,
)
from sqlalchemy.exc import IntegrityError

from app.data import db_errors, writes

metadata = MetaData()
customers = Table(
    "customers",
    metadata,
    Column("customer_id", Integer, primary_key=True),
    schema="sales",
)
orders = Table(
    "orders",
    metadata,
    Column("order_id", Integer, primary_key=True),
    Column("order_number", String(20), nullable=False),
    Column("customer_id", Integer, nullable=False),
    Column("quantity", Integer, nullable=False),
    ForeignKeyConstraint(
        ["customer_id"], ["sales.customers.customer_id"], name="FK_orders_customers"
    ),
    CheckConstraint("quantity > 0", name="CK_orders_quantity"),
    UniqueConstraint("order_number", name="UQ_orders_number"),
    schema="sales",
)


class PyodbcIntegrityError(Exception):
    """Shaped like pyodbc.IntegrityError: args are (SQLSTATE, message)."""


def _refused(message: str, sqlstate: str = "23000") -> IntegrityError:
    text = (
        f"[{sqlstate}] [Microsoft][ODBC Driver 18 for SQL Server][SQL Server]"
        f"{message} (SQLExecDirectW)"
    )
    return IntegrityError("INSERT ...", {}, PyodbcIntegrityError(sqlstate, text))


FRENCH_FK = (
    "L'instruction INSERT est en conflit avec la contrainte FOREIGN KEY "
    '"FK_orders_customers". Le conflit s\'est produit dans la base de données '
    '"Shop", table "sales.customers", column \'customer_id\'. (547); [01000] '
    "[Microsoft][ODBC Driver 18 for SQL Server][SQL Server]L'instruction a été "
    "arrêtée. (3621)"
)
FRENCH_CHECK = (
    "L'instruction INSERT est en conflit avec la contrainte CHECK "
    '"CK_orders_quantity". Le conflit s\'est produit dans la base de données '
    '"Shop", table "sales.orders", column \'quantity\'. (547)'
)
GERMAN_CHECK = (
    'Die INSERT-Anweisung steht in Konflikt mit der CHECK-Einschränkung "'
    'CK_orders_quantity". Der Konflikt trat in der Shop-Datenbank, Tabelle '
    "\"sales.orders\", column 'quantity' auf. (547)"
)
GERMAN_REFERENCE = (
    "Die DELETE-Anweisung steht in Konflikt mit der REFERENCE-Einschränkung "
    '"FK_orders_customers". Der Konflikt trat in der Shop-Datenbank, Tabelle '
    "\"sales.orders\", column 'customer_id' auf. (547)"
)
GERMAN_UNIQUE = (
    "Verletzung der UNIQUE KEY-Einschränkung 'UQ_orders_number'. Ein doppelter "
    "Schlüssel kann in das sales.orders-Objekt nicht eingefügt werden. Der doppelte "
    "Schlüsselwert ist (SO-1). (2627)"
)


@pytest.mark.parametrize(
    ("table", "message", "kind", "columns"),
    [
        (orders, FRENCH_FK, "foreign_key", ["customer_id"]),
        (orders, FRENCH_CHECK, "check", ["quantity"]),
        (orders, GERMAN_CHECK, "check", ["quantity"]),
        (customers, GERMAN_REFERENCE, "foreign_key", []),
        (orders, GERMAN_UNIQUE, "unique", ["order_number"]),
    ],
    ids=["fr-fk", "fr-check", "de-check", "de-reference", "de-unique"],
)
def test_classify_error_localized_message_is_told_by_constraint_name(
    table, message, kind, columns
):
    """GIVEN a Msg 547/2627 worded in French or German
    WHEN classified against the models
    THEN the constraint's kind and columns come from its name, not from the words."""
    assert writes.classify_error(table, _refused(message)) == (kind, columns)


def test_field_errors_from_check_refusal_names_its_column():
    """GIVEN a French CHECK refusal on orders.quantity
    WHEN turned into form errors
    THEN the message is attached to the quantity field in plain words that name
    the rule (a refusal the checks before the write could not predict)."""
    errors = writes.field_errors_from(orders, _refused(FRENCH_CHECK))
    assert errors.errors == {
        "quantity": [
            "This value is not allowed by a rule of the database "
            "(rule CK_orders_quantity)."
        ]
    }


def test_classify_error_unknown_constraint_547_is_neither_fk_nor_check():
    """GIVEN a Msg 547 naming a constraint the models do not know
    WHEN classified
    THEN it is a generic constraint refusal, not guessed from its wording."""
    message = (
        'The INSERT statement conflicted with the CHECK constraint "CK_elsewhere". '
        "(547)"
    )
    assert writes.classify_error(orders, _refused(message)) == ("constraint", [])


def test_error_codes_take_the_first_message_number_not_the_trailing_3621():
    """GIVEN a pyodbc error carrying Msg 547 then "the statement has been
    terminated" (3621)
    WHEN its codes are read
    THEN the SQLSTATE is 23000 and 547 comes first."""
    sqlstate, codes = db_errors.error_codes(_refused(FRENCH_FK))
    assert (sqlstate, codes[0]) == ("23000", 547)
