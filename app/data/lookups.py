"""Foreign-key lookups for forms: find the referenced row by its label or key.

"sofia wil" finds Sofia Williams: every word typed must start a word of the label
(any label column), case-insensitive; "8" also finds the row whose key is 8. The
matches are capped and read under the referenced table's access (row filter,
hidden columns), like every other read.

``caller_defaults`` gives the caller's own row key for required foreign keys to the
``[caller]`` table (``ops.tickets.opened_by``), for a new-row form to start with.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Column, Integer, String, Table, and_, or_, select

from app.access import TableAccess
from app.access.policy import current_policy
from app.catalog import Catalog, TableInfo
from app.catalog.parse import BadValue, parse_typed
from app.data.query import text_word_starts
from app.extensions import db
from app.identity import Identity

log = logging.getLogger(__name__)

LOOKUP_LIMIT = 20
MAX_WORDS = 5  # more words than this narrow nothing a person would type
MAX_TEXT = 100


def _visible(access: TableAccess) -> list[Any]:
    return [] if access.row_filter is None else [access.row_filter]


def label_parts(ref: Table, label_columns: Sequence[str], key: Column) -> list[Any]:
    """The label's columns (the key when the table has none the caller may see)."""
    return [ref.c[name] for name in label_columns if name in ref.c] or [key]


def label_text(parts: Sequence[Any], key: Any) -> str:
    """``Sofia Williams (8)``: the label with its key, or the key alone."""
    text = " ".join(str(p) for p in parts if p is not None and str(p) != "")
    return f"{text} ({key})" if text and text != str(key) else str(key)


def lookup_condition(
    key: Column, label_cols: Sequence[Any], text: str, dialect: str
) -> Any | None:
    """Every word starts a word of some label column, or the key equals the text."""
    words = text.split()[:MAX_WORDS]
    strings = [c for c in label_cols if isinstance(c.type, String)]
    matches = []
    if words and strings:
        matches.append(
            and_(
                *(
                    or_(*(text_word_starts(c, word, dialect) for c in strings))
                    for word in words
                )
            )
        )
    if isinstance(key.type, Integer):
        # text the key cannot hold ('²', past 64 bits) matches labels only
        with contextlib.suppress(BadValue):
            matches.append(key == parse_typed(key, "int", text))
    elif isinstance(key.type, String) and text:
        matches.append(key == text)
    return or_(*matches) if matches else None


def reference_lookup(
    ref: Table,
    key_column: str,
    label_columns: Sequence[str],
    access: TableAccess,
    text: str,
    limit: int = LOOKUP_LIMIT,
) -> list[tuple[Any, str]]:
    """Up to ``limit`` visible rows of ``ref`` matching ``text`` (see module doc):
    (key, "label (key)"), ordered by label."""
    if not access.allows("read"):
        return []
    key = ref.c[key_column]
    hidden = set(access.hidden_columns)
    label_cols = label_parts(ref, [c for c in label_columns if c not in hidden], key)
    text = text.strip()[:MAX_TEXT]
    if not text:
        return []
    dialect = db.session.get_bind().dialect.name
    condition = lookup_condition(key, label_cols, text, dialect)
    if condition is None:
        return []
    stmt = (
        select(key, *label_cols)
        .where(condition, *_visible(access))
        .order_by(*label_cols, key)
        .limit(limit)
    )
    rows = db.session.execute(stmt).all()
    return [(r[0], label_text(r[1:], r[0])) for r in rows]


def caller_table_key() -> str | None:
    """The ``[caller]`` table of the access file, if it names one."""
    caller = _caller_lookup()
    return caller.table if caller is not None else None


def _caller_lookup() -> Any:
    # Policies without an access file behind them (tests' stand-ins) have no
    # [caller] section: no defaults then.
    settings = getattr(current_policy(), "settings", None)
    return getattr(settings, "caller", None)


def caller_row_key(identity: Identity | None, catalog: Catalog, column: str) -> Any:
    """The caller's own value of ``column`` in the ``[caller]`` table (None when
    there is no such table, no row for the login, or more than one)."""
    table_key = caller_table_key()
    info = catalog.get(table_key) if table_key else None
    if identity is None or info is None:
        return None
    login_column = _caller_lookup().login_column
    table = info.table
    stmt = (
        select(table.c[column]).where(table.c[login_column] == identity.login).limit(2)
    )
    rows = db.session.execute(stmt).all()
    return rows[0][0] if len(rows) == 1 else None


def caller_defaults(
    identity: Identity | None, catalog: Catalog, info: TableInfo
) -> dict[str, Any]:
    """Column -> the caller's own row key, for each required (NOT NULL) foreign key
    of ``info`` to the ``[caller]`` table: what a new-row form starts with."""
    table_key = caller_table_key()
    if not table_key:
        return {}
    folded = table_key.casefold()
    defaults: dict[str, Any] = {}
    for name, col in info.columns.items():
        fk = col.fk
        if fk is None or col.nullable or fk.ref_key.casefold() != folded:
            continue
        value = caller_row_key(identity, catalog, fk.ref_columns[0])
        if value is not None:
            defaults[name] = value
    return defaults
