"""The single authority on permission: who may do which action on which table,
which columns they may not see, and which rows they may touch.

Everything else asks here (``table_access``) and never decides on its own. The data
layer applies the answer to every query it builds, so pages, API, export and import
cannot disagree.
"""

from app.access.policy import ACTIONS, TableAccess, require, table_access

__all__ = ["ACTIONS", "TableAccess", "require", "table_access"]
