"""The edit, new-row and conflict pages' views: the row's name, the breadcrumbs,
every problem with a link to its field, and the URLs, as plain values. The fields
themselves stay WTForms' (``form``): CSRF, parsing and widgets are its job."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from app.catalog import TableInfo
from app.pages.listing import TableHeading
from app.pages.row_names import row_label, row_name, singular
from app.urls import fixed_url


@dataclass(frozen=True)
class Crumb:
    """One breadcrumb: its text and link (none for the current page)."""

    text: str
    href: str = ""
    testid: str = ""


@dataclass(frozen=True)
class Problem:
    """One reason nothing was saved: the field it is about and its link."""

    label: str  # the field's label, empty for the whole row
    message: str
    href: str = ""  # "#<field id>", empty for the whole row


@dataclass(frozen=True)
class FormPage:
    """Everything the edit and new-row pages show besides the fields."""

    table: TableHeading
    creating: bool
    row_name: str  # "Ticket 39995 · Laptop screen flickering"; "" on a new row
    title: str  # "Edit Ticket 39995 · ...", "New Ticket"
    crumbs: list[Crumb]
    problems: list[Problem] = field(default_factory=list)
    cancel_url: str = ""
    delete_url: str = ""


def crumbs(info: TableInfo, last: str, row: str = "", row_url: str = "") -> list[Crumb]:
    """Home > schema > Table > Row > ``last`` (no Row crumb on a new row)."""
    table_url = fixed_url("browse.index", schema=info.schema, table=info.name)
    found = [
        Crumb("Home", fixed_url("home.index"), "crumb-home"),
        # the schema, as on the list and detail pages' breadcrumbs
        Crumb(
            info.schema,
            fixed_url("home.index") + f"#schema-{info.schema}",
            "crumb-schema",
        ),
        Crumb(info.label, table_url, "crumb-table"),
    ]
    if row:
        found.append(Crumb(row, row_url, "crumb-row"))
    found.append(Crumb(last, "", "crumb-current"))
    return found


def name_of(info: TableInfo, pk: Mapping[str, Any], row: Mapping[str, Any]) -> str:
    """The row's name from its key and label columns."""
    return row_name(info, list(pk.values()), row_label(info, row))


def problems_of(
    fields: Sequence[tuple[str, str, Sequence[str]]], top: Sequence[str]
) -> list[Problem]:
    """The summary: whole-row problems first, then each field's, in form order.
    ``fields`` holds (field id, label, messages)."""
    found = [Problem("", message) for message in top]
    for field_id, label, messages in fields:
        found += [Problem(label, m, f"#{field_id}") for m in messages]
    return found


def form_page(
    info: TableInfo,
    *,
    creating: bool,
    pk: Mapping[str, Any] | None,
    row: Mapping[str, Any] | None,
    problems: list[Problem],
    cancel_url: str,
    delete_url: str = "",
) -> FormPage:
    """The view of a new-row form, or of the edit form of ``row``."""
    table = TableHeading.of(info)
    if creating or pk is None or row is None:
        return FormPage(
            table,
            True,
            "",
            f"New {singular(info.label)}",
            crumbs(info, "New row"),
            problems,
            cancel_url,
        )
    name = name_of(info, pk, row)
    return FormPage(
        table,
        False,
        name,
        f"Edit {name}",
        crumbs(info, "Edit", name, cancel_url),
        problems,
        cancel_url,
        delete_url,
    )


@dataclass(frozen=True)
class ConflictRow:
    """One field on the conflict page: theirs, yours and what applying saves."""

    column: str
    label: str
    theirs: Any  # app.pages.cells.Cell
    yours: Any
    applied: Any
    change: str  # "" | "theirs" | "yours" | "both"
    differs: bool


@dataclass(frozen=True)
class ConflictPage:
    """The conflict page: whose change is where, and the way on."""

    table: TableHeading
    row_name: str
    title: str
    crumbs: list[Crumb]
    rows: list[ConflictRow]
    counts: dict[str, int]
    discard_url: str
    action_url: str


def conflict_page(
    info: TableInfo,
    pk: Mapping[str, Any],
    current: Mapping[str, Any],
    rows: list[ConflictRow],
    counts: dict[str, int],
    discard_url: str,
    action_url: str,
) -> ConflictPage:
    """The view of a conflict on the row ``pk`` (``current``: their version)."""
    name = name_of(info, pk, current)
    return ConflictPage(
        TableHeading.of(info),
        name,
        f"Conflict on {name}",
        crumbs(info, "Edit: conflict", name, discard_url),
        rows,
        counts,
        discard_url,
        action_url,
    )
