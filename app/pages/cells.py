"""Values formatted for display by column kind, once per column per page.

Formatting happens here, in Python, so templates only loop and print: a formatter
is chosen once per column and applied to every value of that column on the page.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, NamedTuple
from urllib.parse import quote

from app.catalog import ColumnInfo
from app.data.labels import LabelSet

TRUNCATE_AT = 80
TITLE_MAX = 1000


class Cell(NamedTuple):
    """One formatted value: text, CSS classes, tooltip, optional link."""

    text: str
    css: str = ""
    title: str = ""
    href: str = ""


# NULL has no text: the templates print a muted dash with "empty" for screen readers.
NULL_CSS = "tf-null"
NULL_CELL = Cell("", NULL_CSS)
EMPTY_CELL = Cell("", "tf-empty", "empty text")


def _text(value: Any) -> Cell:
    text = str(value)
    if text == "":
        return EMPTY_CELL
    if len(text) > TRUNCATE_AT:
        return Cell(text[:TRUNCATE_AT].rstrip() + "…", "tf-long", text[:TITLE_MAX])
    return Cell(text)


def _full_text(value: Any) -> Cell:
    text = str(value)
    return EMPTY_CELL if text == "" else Cell(text, "tf-pre")


def _bool(value: Any) -> Cell:
    return (
        Cell("✓", "tf-bool tf-yes", "yes")
        if value
        else Cell("✗", "tf-bool tf-no", "no")
    )


def _int(value: Any) -> Cell:
    return Cell(str(value), "tf-num")


MONEY_SCALE = 4  # SQL Server money and smallmoney keep four decimal places


def _scale(column: ColumnInfo) -> int | None:
    """The decimal places a column's values are shown with (its declared scale)."""
    if column.kind == "money":
        return MONEY_SCALE
    scale = getattr(column.column.type, "scale", None)
    return scale if isinstance(scale, int) else None


def _decimal_at(scale: int | None) -> Callable[[Any], Cell]:
    """Decimals with thousands separators and the column's scale, never fewer."""

    def show(value: Any) -> Cell:
        try:
            shown = f"{value:,.{scale}f}" if scale is not None else f"{value:,}"
        except (TypeError, ValueError):  # SQLite may hand back text
            return _text(value)
        return Cell(shown, "tf-num", str(value))

    return show


def _float(value: Any) -> Cell:
    return Cell(f"{value:,.6g}", "tf-num", repr(value))


def _date(value: Any) -> Cell:
    return Cell(
        value.isoformat() if hasattr(value, "isoformat") else str(value), "tf-date"
    )


def _datetime(value: Any) -> Cell:
    if not isinstance(value, dt.datetime):
        return Cell(str(value), "tf-date")
    shown = value.strftime(
        "%Y-%m-%d %H:%M" if not value.second else "%Y-%m-%d %H:%M:%S"
    )
    return Cell(shown, "tf-date", value.isoformat(sep=" "))


GUID_SHOWN = 8


def _guid(value: Any) -> Cell:
    """Lists show a GUID's first 8 characters; the tooltip has all of it."""
    text = str(value).upper()
    if len(text) <= GUID_SHOWN + 1:
        return Cell(text, "tf-mono")
    return Cell(text[:GUID_SHOWN] + "…", "tf-mono", text)


def _full_guid(value: Any) -> Cell:
    return Cell(str(value).upper(), "tf-mono")


def _binary(value: Any) -> Cell:
    data = bytes(value)
    preview = "0x" + data[:32].hex().upper() + ("…" if len(data) > 32 else "")
    return Cell(f"binary, {len(data):,} bytes", "tf-binary", preview)


_BY_KIND: dict[str, Callable[[Any], Cell]] = {
    "bool": _bool,
    "int": _int,
    "float": _float,
    "date": _date,
    "datetime": _datetime,
    "time": _date,
    "guid": _guid,
    "binary": _binary,
    "text": _text,
    "longtext": _text,
    "other": _text,
}


def formatter(
    column: ColumnInfo,
    labels: LabelSet | None = None,
    link_base: str = "",
    *,
    full: bool = False,
) -> Callable[[Any], Cell]:
    """The function that formats ``column``'s values (FK values as linked labels)."""
    plain = _BY_KIND.get(column.kind, _text)
    if column.kind in {"decimal", "money"}:
        plain = _decimal_at(_scale(column))
    if full and column.is_string:
        plain = _full_text
    elif full and column.kind == "guid":
        plain = _full_guid
    if labels is None:

        def format_plain(value: Any) -> Cell:
            return NULL_CELL if value is None else plain(value)

        return format_plain
    found = labels.labels
    prefix = f"{link_base}/t/{quote(labels.ref_schema)}/{quote(labels.ref_table)}/"

    def format_fk(value: Any) -> Cell:
        if value is None:
            return NULL_CELL
        label = found.get(value)
        if label is None:
            return plain(value)
        href = prefix + label.row_key if label.row_key else ""
        return Cell(label.text, "tf-fk", f"{column.name} = {value}", href)

    return format_fk
