"""The single authority on permission: who may do which action on which table,
which columns they may not see, and which rows they may touch.

Everything else asks here (``table_access``) and never decides on its own. The data
layer applies the answer to every query it builds, so pages, API, export and import
cannot disagree. Settings: app/settings/access.toml (TABLEFRONT_ACCESS_FILE).
"""

from app.access.policy import (
    ACTIONS,
    TableAccess,
    caller_groups,
    caller_roles,
    is_admin,
    require,
    table_access,
)
from app.access.startup import register_access

__all__ = [
    "ACTIONS",
    "TableAccess",
    "caller_groups",
    "caller_roles",
    "is_admin",
    "register_access",
    "require",
    "table_access",
]
