"""The delete page's view: the row named, its values, and why it cannot go."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from app.data.rows import filter_text
from app.data.scope import Scope, peek_scope
from app.data.values import encode_row_key
from app.data.writes import Referrer
from app.pages.cells import Cell
from app.pages.detail import FieldView
from app.pages.links import detail_url, list_url, with_query
from app.pages.listing import TableHeading
from app.pages.row_names import row_label, row_name


@dataclass(frozen=True)
class RefusalView:
    """One reason the row cannot be deleted, linked to the rows that point at it
    when the caller may read them."""

    text: str
    url: str = ""


@dataclass(frozen=True)
class DeleteView:
    """Everything the delete confirmation (or refusal) page shows."""

    table: TableHeading
    row_key: str
    name: str  # "Ticket 39995 · Laptop screen flickering"
    row_url: str
    list_url: str
    fields: list[FieldView]
    token: str
    refusals: list[RefusalView] = field(default_factory=list)
    changed: bool = False  # someone changed the row since the page was opened

    @property
    def refused(self) -> bool:
        return bool(self.refusals)


def row_name_of(scope: Scope, pk: Mapping[str, Any], row: Mapping[str, Any]) -> str:
    """The row's name from its key and the label columns the caller may see."""
    shown = {k: v for k, v in row.items() if k not in scope.hidden}
    return row_name(scope.info, list(pk.values()), row_label(scope.info, shown))


def refusal_view(scope: Scope, referrer: Referrer) -> RefusalView:
    """The reason, linked to the child table's list filtered to this row's key when
    the caller may read that table and its referencing columns (else no link)."""
    if not referrer.child_key or referrer.visible <= 0:
        return RefusalView(referrer.text)
    child = peek_scope(scope.identity, scope.catalog, referrer.child_key)
    if child is None or any(name in child.hidden for name, _ in referrer.match):
        return RefusalView(referrer.text)
    pairs: list[tuple[str, str]] = []
    for name, value in referrer.match:
        pairs += [("fc", name), ("fo", "eq"), ("fv", filter_text(value))]
    return RefusalView(referrer.text, with_query(list_url(child.info), pairs))


def delete_view(
    scope: Scope,
    pk: Mapping[str, Any],
    row: Mapping[str, Any],
    fields: Sequence[tuple[str, str, Cell]],
    token: str,
    *,
    referrers: Sequence[Referrer] = (),
    reasons: Sequence[str] = (),
    changed: bool = False,
) -> DeleteView:
    """The delete page of ``row``; ``fields`` are (column, label, shown cell);
    ``reasons`` are shown when no ``referrers`` explain them (the database's own
    refusal)."""
    refusals = [refusal_view(scope, r) for r in referrers] or [
        RefusalView(text) for text in reasons
    ]
    return DeleteView(
        table=TableHeading.of(scope.info),
        row_key=encode_row_key(list(pk.values())),
        name=row_name_of(scope, pk, row),
        row_url=detail_url(scope.info, dict(pk)),
        list_url=list_url(scope.info),
        fields=[
            FieldView(name, label, cell.text, cell.css, cell.title, cell.href)
            for name, label, cell in fields
        ],
        token=token,
        refusals=refusals,
        changed=changed,
    )
