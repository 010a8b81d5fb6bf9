"""MS_Description extended properties in T-SQL scripts: table and column comments.

SSMS stores the "Description" a DBA types into table or column properties as an
``MS_Description`` extended property, scripted as ``EXEC sys.sp_addextendedproperty``.
Reflection reads them as comments; this reads the scripted form the same way, so
models generated with ``--from-ddl`` carry them too (and starter settings use them).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import MetaData

PROCEDURE = re.compile(r"\bsp_addextendedproperty\b", re.IGNORECASE)
ARGUMENT = re.compile(
    r"@(?P<name>\w+)\s*=\s*(?:N?'(?P<text>(?:[^']|'')*)'|(?P<bare>[\w.]+))",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Description:
    """One MS_Description: on a table (column None) or on one of its columns."""

    schema: str
    table: str
    column: str | None
    text: str


def description_in(batch: str) -> Description | None:
    """The MS_Description a ``sp_addextendedproperty`` batch sets, if it sets one."""
    if not PROCEDURE.search(batch):
        return None
    args = {
        m.group("name").lower(): (
            m.group("text").replace("''", "'")
            if m.group("text") is not None
            else m.group("bare")
        )
        for m in ARGUMENT.finditer(batch)
    }
    if (args.get("name") or "").lower() != "ms_description":
        return None
    if (args.get("level0type") or "").upper() != "SCHEMA":
        return None
    if (args.get("level1type") or "").upper() not in {"TABLE", "VIEW"}:
        return None
    column = None
    if args.get("level2type"):
        if args["level2type"].upper() != "COLUMN":
            return None
        column = args.get("level2name")
    value = args.get("value")
    if not value or not args.get("level0name") or not args.get("level1name"):
        return None
    return Description(args["level0name"], args["level1name"], column, value)


def apply_descriptions(metadata: MetaData, descriptions: list[Description]) -> None:
    """Set ``comment`` on the tables and columns the descriptions name."""
    by_name = {t.fullname.casefold(): t for t in metadata.tables.values()}
    for item in descriptions:
        table = by_name.get(f"{item.schema}.{item.table}".casefold())
        if table is None:
            continue
        if item.column is None:
            table.comment = item.text
            continue
        folded = item.column.casefold()
        column = next((c for c in table.columns if c.name.casefold() == folded), None)
        if column is not None:
            column.comment = item.text
