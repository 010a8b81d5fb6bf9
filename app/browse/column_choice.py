"""Which list columns a person chose for a table, kept in a signed cookie.

Why a cookie and not localStorage: the choice must reach the server on the first,
plain GET of a list (no JavaScript, no flash of the default columns, and the JSON
view and bookmarks stay the same URL). One cookie per table, ``Path`` = the table's
list URL, so tables never read each other's choice and requests elsewhere carry
none. The value is signed (app.signing) with the login and table key inside: a
cookie copied from another person or table, or edited, is ignored. The names are
what the person sent; which of them may be shown is decided per request by the data
layer (hidden and unknown names are dropped), so a cookie can never reveal a column.
"""

from __future__ import annotations

from werkzeug.datastructures import MultiDict

from app import signing
from app.identity import Identity

COOKIE = "tf_cols"
PURPOSE = "columns"
MAX_COLUMNS = 100  # keeps the cookie well under the browsers' 4 KB
MAX_NAME = 128
MAX_AGE = 400 * 24 * 3600  # Chrome's upper limit for a cookie's lifetime


def _login(identity: Identity | None) -> str:
    return identity.login.lower() if identity is not None else ""


def sent_choice(args: MultiDict) -> tuple[str, ...] | None:
    """The columns the Columns menu sent (``cols_set``), () for "default", or None
    when the request is not a choice."""
    if "cols_set" not in args and "cols_reset" not in args:
        return None
    if "cols_reset" in args:
        return ()
    names = [n for n in args.getlist("cols") if n and len(n) <= MAX_NAME]
    return tuple(dict.fromkeys(names))[:MAX_COLUMNS]


def cookie_value(
    identity: Identity | None, table_key: str, names: tuple[str, ...]
) -> str:
    """The signed cookie for a choice of ``names`` on ``table_key``."""
    return signing.sign(
        PURPOSE, {"l": _login(identity), "t": table_key, "c": list(names)}
    )


def saved_choice(
    cookie: str | None, identity: Identity | None, table_key: str
) -> tuple[str, ...]:
    """The choice in ``cookie`` if it is this person's for this table, else ()."""
    if not cookie:
        return ()
    try:
        payload = signing.unsign(PURPOSE, cookie)
    except signing.BadToken:
        return ()
    if (
        not isinstance(payload, dict)
        or payload.get("l") != _login(identity)
        or payload.get("t") != table_key
        or not isinstance(payload.get("c"), list)
    ):
        return ()
    names = [n for n in payload["c"] if isinstance(n, str) and len(n) <= MAX_NAME]
    return tuple(names[:MAX_COLUMNS])
