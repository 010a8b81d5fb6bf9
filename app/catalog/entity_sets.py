"""Entity-set names: stable OData identifiers derived from ``schema.table``.

``hr.employees`` becomes ``hr_employees``; any character an OData identifier does
not allow becomes ``_``. Two tables with one name would make the feed ambiguous, so
the app refuses to start (``check_names``, called at registration).
"""

from __future__ import annotations

import re

from app.catalog import Catalog

_NOT_IDENTIFIER = re.compile(r"[^A-Za-z0-9_]")


def set_name(key: str) -> str:
    """The entity-set name of logical table ``key`` (``schema.table``)."""
    name = _NOT_IDENTIFIER.sub("_", key.replace(".", "_"))
    return name if re.match(r"[A-Za-z_]", name) else f"_{name}"


def set_names(catalog: Catalog) -> dict[str, str]:
    """Entity-set name -> table key, for every table of the catalog."""
    return {set_name(key): key for key in catalog.tables}


def check_names(catalog: Catalog) -> None:
    """Raise RuntimeError naming the tables whose entity-set names collide."""
    seen: dict[str, str] = {}
    for key in catalog.tables:
        name = set_name(key)
        if name in seen:
            raise RuntimeError(
                f"OData entity-set name {name!r} is shared by {seen[name]!r} and "
                f"{key!r}; rename one in the models or exclude it."
            )
        seen[name] = key
