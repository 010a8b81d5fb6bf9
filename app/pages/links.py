"""Every URL a page links to: list, detail, row actions; and row keys read back.

One neutral module so that blueprints never import each other for a link: the
browse, edit, imports and audit pages all build their links here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from flask import g, url_for
from werkzeug.routing import BuildError

from app.access import table_access
from app.catalog import TableInfo
from app.data import ListQuery
from app.data.scope import Scope
from app.data.values import BadValue, decode_row_key, encode_row_key
from app.errors import AppError
from app.urls import fixed_url


@dataclass(frozen=True)
class Action:
    """A button: what it says, where it goes, its test id and its style."""

    label: str
    url: str
    testid: str
    kind: str = "primary"  # "danger" for delete


def list_url(info: TableInfo) -> str:
    """The table's list page (home when the browse pages are not served)."""
    try:
        return fixed_url("browse.index", schema=info.schema, table=info.name)
    except BuildError:
        return fixed_url("home.index")


def row_base(info: TableInfo) -> str:
    """The prefix of the table's detail URLs; a row key is appended to it."""
    return fixed_url("browse.index", schema=info.schema, table=info.name) + "/"


def detail_url(info: TableInfo, pk: dict[str, Any]) -> str:
    """The row's detail page (the browse blueprint), else its edit page."""
    key = encode_row_key(list(pk.values()))
    try:
        return url_for(
            "browse.detail", schema=info.schema, table=info.name, row_key=key
        )
    except BuildError:
        return url_for("edit.edit", schema=info.schema, table=info.name, row_key=key)


def parse_key(scope: Scope, row_key: str) -> dict[str, Any]:
    """The primary key from the URL form; 404 when it cannot be a key."""
    columns = [scope.info.columns[n] for n in scope.info.primary_key]
    try:
        values = decode_row_key(columns, row_key)
    except BadValue:
        raise AppError(404, detail="There is no such row here.") from None
    return dict(zip(scope.info.primary_key, values, strict=True))


def read_only_reason(info: TableInfo) -> str | None:
    """Why rows of ``info`` cannot be changed here, or None."""
    if info.history_of:
        return (
            f"{info.label} is the history of {info.history_of}, kept by SQL Server "
            "(system-versioned): it is read-only."
        )
    if not info.primary_key:
        return (
            f"{info.label} has no primary key (or is a view), so a row cannot be "
            "identified safely; it is read-only here."
        )
    if info.read_only:
        return f"{info.label} is marked read-only in the table settings."
    return None


def row_actions(info: TableInfo, row_key: str | None = None) -> list[Action]:
    """The edit actions the caller may take on a table or a row (for buttons)."""
    if read_only_reason(info):
        return []
    access = table_access(g.identity, info.table)
    args = {"schema": info.schema, "table": info.name}
    actions = []
    if row_key is None:
        if access.allows("create"):
            url = fixed_url("edit.create", **args)
            actions.append(Action("New row", url, "action-new"))
        if access.allows("import"):
            url = fixed_url("imports.import_upload", **args)
            actions.append(Action("Import CSV", url, "action-import"))
        return actions
    if access.allows("update"):
        url = url_for("edit.edit", row_key=row_key, **args)
        actions.append(Action("Edit", url, "action-edit"))
    if access.allows("delete"):
        url = url_for("edit.delete", row_key=row_key, **args)
        actions.append(Action("Delete", url, "action-delete", "danger"))
    url = url_for("audit.history", row_key=row_key, **args)
    actions.append(Action("History", url, "action-history"))
    return actions


def state_pairs(
    query: ListQuery, *, sort: str | None = None, page: str = "", size: bool = True
) -> list[tuple[str, str]]:
    """URL parameters for the same row set, with another sort and/or page."""
    pairs: list[tuple[str, str]] = []
    if query.q:
        pairs.append(("q", query.q))
        if query.search_mode:  # "": the table's own search_mode
            pairs.append(("mode", query.search_mode))
    for spec in query.filters:
        pairs += [("fc", spec.column), ("fo", spec.op), ("fv", spec.value)]
    chosen = query.sort if sort is None else sort
    if chosen:
        pairs.append(("sort", chosen))
    if size and query.size:
        pairs.append(("size", str(query.size)))
    if page:
        pairs.append(("page", page))
    return pairs


def with_query(base: str, pairs: list[tuple[str, str]]) -> str:
    """``base`` plus the encoded parameters (if any)."""
    return f"{base}?{urlencode(pairs)}" if pairs else base
