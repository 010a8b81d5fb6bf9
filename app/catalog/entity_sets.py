"""OData names: stable identifiers derived from ``schema.table`` and column names.

``hr.employees`` becomes the entity set ``hr_employees``; a column ``Order Date``
becomes the property ``Order_Date``, ``2nd Phone`` becomes ``_2nd_Phone`` and
``Größe`` becomes ``Gr__e``: any character an OData identifier does not allow
(anything but ASCII letters, digits and ``_``) becomes ``_``, and a name that would
not start with a letter or ``_`` gets a leading ``_``. Two tables (or two columns of
one table) with one name would make the feed ambiguous, so the app refuses to start
(``check_names``, called at registration).
"""

from __future__ import annotations

import re
from functools import lru_cache

from app.catalog import Catalog

_NOT_IDENTIFIER = re.compile(r"[^A-Za-z0-9_]")


def identifier(text: str) -> str:
    """``text`` as an OData identifier, by the rule above."""
    name = _NOT_IDENTIFIER.sub("_", text)
    return name if re.match(r"[A-Za-z_]", name) else f"_{name}"


def set_name(key: str) -> str:
    """The entity-set name of logical table ``key`` (``schema.table``)."""
    return identifier(key.replace(".", "_"))


def set_names(catalog: Catalog) -> dict[str, str]:
    """Entity-set name -> table key, for every table of the catalog."""
    return {set_name(key): key for key in catalog.tables}


def property_name(column: str) -> str:
    """The OData property name of SQL column ``column``."""
    return identifier(column)


@lru_cache(maxsize=4096)
def property_columns(columns: tuple[str, ...]) -> dict[str, str]:
    """Property name -> column name for a table's ``columns`` (cached: the feed
    looks names up on every request)."""
    return {property_name(c): c for c in columns}


def _collision(columns: tuple[str, ...]) -> tuple[str, str, str] | None:
    seen: dict[str, str] = {}
    for column in columns:
        name = property_name(column)
        if name in seen:
            return name, seen[name], column
        seen[name] = column
    return None


def check_names(catalog: Catalog) -> None:
    """Raise RuntimeError naming the tables (or columns) whose OData names collide."""
    seen: dict[str, str] = {}
    for key, info in catalog.tables.items():
        name = set_name(key)
        if name in seen:
            raise RuntimeError(
                f"OData entity-set name {name!r} is shared by {seen[name]!r} and "
                f"{key!r}; rename one in the models or exclude it."
            )
        seen[name] = key
        clash = _collision(tuple(info.columns))
        if clash is not None:
            prop, first, second = clash
            raise RuntimeError(
                f"OData property name {prop!r} of {key!r} is shared by columns "
                f"{first!r} and {second!r}; rename one in the models or exclude it."
            )
