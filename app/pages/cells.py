"""Values formatted for display by column kind, once per column per page.

Formatting happens here, in Python, so templates only loop and print: a formatter
is chosen once per column and applied to every value of that column on the page.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from app.catalog import ColumnInfo
from app.data.labels import LabelSet

TRUNCATE_AT = 80
TITLE_MAX = 1000


@dataclass(slots=True)  # hundreds a page; not frozen: frozen init is slower
class Cell:
    """One formatted value of ``column``: text, CSS classes, tooltip, optional link
    and the link's test id (``fk-link``, ``row-link`` or "")."""

    column: str
    text: str
    css: str = ""
    title: str = ""
    href: str = ""
    link: str = ""


# What the kind formatters return: (text, CSS classes, tooltip).
Shown = tuple[str, str, str]

# NULL has no text: the templates print a muted dash with "empty" for screen readers.
NULL_CSS = "tf-null"
EMPTY: Shown = ("", "tf-empty", "empty text")


def _text(value: Any) -> Shown:
    text = str(value)
    if text == "":
        return EMPTY
    if len(text) > TRUNCATE_AT:
        return text[:TRUNCATE_AT].rstrip() + "…", "tf-long", text[:TITLE_MAX]
    return text, "", ""


def _full_text(value: Any) -> Shown:
    text = str(value)
    return EMPTY if text == "" else (text, "tf-pre", "")


YES: Shown = ("✓", "tf-bool tf-yes", "yes")
NO: Shown = ("✗", "tf-bool tf-no", "no")


def _bool(value: Any) -> Shown:
    return YES if value else NO


def _int(value: Any) -> Shown:
    return str(value), "tf-num", ""


MONEY_SCALE = 4  # SQL Server money and smallmoney keep four decimal places


def _scale(column: ColumnInfo) -> int | None:
    """The decimal places a column's values are shown with (its declared scale)."""
    if column.kind == "money":
        return MONEY_SCALE
    scale = getattr(column.column.type, "scale", None)
    return scale if isinstance(scale, int) else None


def _decimal_at(scale: int | None) -> Callable[[Any], Shown]:
    """Decimals with thousands separators and the column's scale, never fewer."""

    def show(value: Any) -> Shown:
        try:
            shown = f"{value:,.{scale}f}" if scale is not None else f"{value:,}"
        except (TypeError, ValueError):  # SQLite may hand back text
            return _text(value)
        return shown, "tf-num", str(value)

    return show


def _float(value: Any) -> Shown:
    return f"{value:,.6g}", "tf-num", repr(value)


def _date(value: Any) -> Shown:
    text = value.isoformat() if hasattr(value, "isoformat") else str(value)
    return text, "tf-date", ""


def _datetime(value: Any) -> Shown:
    if not isinstance(value, dt.datetime):
        return str(value), "tf-date", ""
    shown = value.strftime(
        "%Y-%m-%d %H:%M" if not value.second else "%Y-%m-%d %H:%M:%S"
    )
    return shown, "tf-date", value.isoformat(sep=" ")


GUID_SHOWN = 8


def _guid(value: Any) -> Shown:
    """Lists show a GUID's first 8 characters; the tooltip has all of it."""
    text = str(value).upper()
    if len(text) <= GUID_SHOWN + 1:
        return text, "tf-mono", ""
    return text[:GUID_SHOWN] + "…", "tf-mono", text


def _full_guid(value: Any) -> Shown:
    return str(value).upper(), "tf-mono", ""


def _binary(value: Any) -> Shown:
    data = bytes(value)
    preview = "0x" + data[:32].hex().upper() + ("…" if len(data) > 32 else "")
    return f"binary, {len(data):,} bytes", "tf-binary", preview


_BY_KIND: dict[str, Callable[[Any], Shown]] = {
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
    name = column.name
    if labels is None:

        def format_plain(value: Any) -> Cell:
            if value is None:
                return Cell(name, "", NULL_CSS)
            text, css, title = plain(value)
            return Cell(name, text, css, title)

        return format_plain
    found = labels.labels
    prefix = f"{link_base}/t/{quote(labels.ref_schema)}/{quote(labels.ref_table)}/"

    def format_fk(value: Any) -> Cell:
        if value is None:
            return Cell(name, "", NULL_CSS)
        label = found.get(value)
        if label is None:
            text, css, title = plain(value)
            return Cell(name, text, css, title)
        if not label.row_key:
            return Cell(name, label.text, "tf-fk", f"{name} = {value}")
        href = prefix + label.row_key
        return Cell(name, label.text, "tf-fk", f"{name} = {value}", href, "fk-link")

    return format_fk
