"""Reading a list request's URL into plain data (app.pages.links writes it back).

URL parameters (all state lives in the URL, so every view is bookmarkable):
``q`` search text, ``mode`` prefix|contains, ``sort`` column or -column, ``page``
signed token or ``last``, ``size`` rows per page, ``count=exact``, and filters as
parallel lists ``fc`` (column), ``fo`` (operator), ``fv`` (value).
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import zip_longest

from werkzeug.datastructures import MultiDict

from app.catalog.parse import BadValue, parse_whole
from app.data import MAX_PAGE_SIZE, VALUELESS_OPS, FilterSpec, ListQuery
from app.errors import AppError

MAX_TEXT = 200


@dataclass(frozen=True)
class FilterRow:
    """A filter row of the form, complete or not (incomplete ones are not applied)."""

    column: str
    op: str
    value: str
    complete: bool


def _text(args: MultiDict, name: str) -> str:
    value = args.get(name, "")
    if len(value) > MAX_TEXT:
        raise AppError(
            400, "Input too long", f"{name!r} is limited to {MAX_TEXT} characters."
        )
    return value


def parse_list_args(args: MultiDict) -> tuple[ListQuery, list[FilterRow]]:
    """The ListQuery of a request and the filter rows to show in the form."""
    size_text = args.get("size", "").strip()
    size = None
    if size_text:
        try:
            size = parse_whole(size_text, 1, MAX_PAGE_SIZE)
        except BadValue:
            raise AppError(
                400,
                "Page size not allowed",
                f"Page size must be a whole number from 1 to {MAX_PAGE_SIZE}.",
            ) from None
    rows: list[FilterRow] = []
    specs: list[FilterSpec] = []
    for column, op, value in zip_longest(
        args.getlist("fc"), args.getlist("fo"), args.getlist("fv"), fillvalue=""
    ):
        if not column:
            continue
        if len(value) > MAX_TEXT:
            raise AppError(400, "Input too long", "A filter value is too long.")
        op = op or "eq"
        complete = op in VALUELESS_OPS or value.strip() != ""
        rows.append(FilterRow(column, op, value, complete))
        if complete:
            specs.append(FilterSpec(column, op, "" if op in VALUELESS_OPS else value))
    query = ListQuery(
        sort=_text(args, "sort").strip(),
        filters=tuple(specs),
        q=_text(args, "q"),
        search_mode=args.get("mode", "").strip(),  # "": the table's search_mode
        page=args.get("page", "").strip(),
        size=size,
        exact_count=args.get("count") == "exact",
    )
    return query, rows
