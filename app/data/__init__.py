"""The only code that builds SQL and touches ``db.session`` for browsing.

Every entry point takes the caller's identity and applies ``app.access`` (row filter,
hidden columns, actions) to every query it issues. It never reads ``request``.
"""

from app.data.counts import RowCount, capped_count, exact_count
from app.data.export import (
    FORMATS,
    csv_chunks,
    export_size,
    prepare_export,
    xlsx_chunks,
)
from app.data.listing import MAX_PAGE_SIZE, PAGE_SIZES, ListPage, list_page
from app.data.query import OP_LABELS, VALUELESS_OPS, FilterSpec, ListQuery, ops_for
from app.data.rows import RowDetail, get_row
from app.data.scope import Scope, open_scope, peek_scope
from app.data.summaries import TableSummary, table_summaries

__all__ = [
    "FORMATS",
    "MAX_PAGE_SIZE",
    "OP_LABELS",
    "PAGE_SIZES",
    "VALUELESS_OPS",
    "FilterSpec",
    "ListPage",
    "ListQuery",
    "RowCount",
    "RowDetail",
    "Scope",
    "TableSummary",
    "capped_count",
    "csv_chunks",
    "exact_count",
    "export_size",
    "get_row",
    "list_page",
    "open_scope",
    "ops_for",
    "peek_scope",
    "prepare_export",
    "table_summaries",
    "xlsx_chunks",
]
