"""A row's name in titles, breadcrumbs and flash messages: "Ticket 39995 · Laptop
screen flickering", never "This row" or a bare "1, 38"."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from app.catalog import TableInfo

# Plural endings of English table labels and their singular: checked in order.
SINGULAR_ENDINGS = (("ies", "y"), ("sses", "ss"), ("xes", "x"), ("ches", "ch"))


def singular(label: str) -> str:
    """'Tickets' -> 'Ticket', 'Categories' -> 'Category', 'Order lines' ->
    'Order line'; a label that is not a plain plural stays as it is."""
    for ending, replacement in SINGULAR_ENDINGS:
        if label.endswith(ending):
            return label[: -len(ending)] + replacement
    if label.endswith("s") and not label.endswith("ss"):
        return label[:-1]
    return label


def key_text(key_values: Sequence[Any]) -> str:
    """The key as shown: '39995', or '1, 38' for a composite key."""
    return ", ".join(str(v) for v in key_values)


def row_name(info: TableInfo, key_values: Sequence[Any], label: str = "") -> str:
    """'Ticket 39995 · Laptop screen flickering' ('Ticket 39995' without a label)."""
    name = f"{singular(info.label)} {key_text(key_values)}"
    if label and label != key_text(key_values):
        name += f" · {label}"
    return name


def row_label(info: TableInfo, row: Mapping[str, Any]) -> str:
    """The row's label text from its label columns (empty when it has none)."""
    parts = [row.get(n) for n in info.label_columns]
    return " ".join(str(v) for v in parts if v is not None and str(v) != "")
