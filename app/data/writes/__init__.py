"""Insert, update and delete for any mapped table with a primary key.

The modules, along the write path: ``keys`` (keys, writable columns, the caller's
row filter as WHERE terms), ``concurrency`` (proof the row is unchanged),
``statements``, ``checks`` (allowed columns, unique values, foreign keys),
``errors`` (refusals in plain words), ``audit``, ``references`` (rows pointing at a
row; foreign-key choices) and ``operations`` (the writes themselves). Callers import
from here.

The entry points take the caller's ``Scope``: ``read``, ``insert``, ``update``,
``delete``.
"""

from app.data.db_errors import PLAIN_WORDS, classify_error
from app.data.writes.audit import (
    AUDIT_FIELDS,
    audit_entry,
    insert_rows,
    write_audit,
    write_audit_rows,
)
from app.data.writes.checks import (
    any_row,
    check_references,
    check_row,
    check_unique,
    check_values,
    clash_visible,
    unique_clash_hidden,
    unique_sets,
)
from app.data.writes.concurrency import UNCOMPARABLE, concurrency_predicate
from app.data.writes.errors import (
    Conflict,
    DeleteRefused,
    FieldErrors,
    OutsideFilter,
    RowGone,
    WriteError,
    field_errors_from,
)
from app.data.writes.json_values import (
    bulk_dumps,
    dumps,
    json_value,
    python_value,
    row_key,
)
from app.data.writes.keys import (
    editable_columns,
    pk_clause,
    pk_columns,
    pk_of,
    row_filter_terms,
    rowversion_column,
    server_managed,
    table_key,
)
from app.data.writes.operations import (
    AccessFor,
    delete,
    insert,
    read,
    update,
)
from app.data.writes.references import (
    REFERENCE_COUNT_CAP,
    Referrer,
    reference_choices,
    reference_lookup,
    references_to,
    referring_names,
)
from app.data.writes.statements import (
    delete_statement,
    exists_statement,
    insert_statement,
    read_row_statement,
    update_statement,
    update_template,
)
from app.logs import current_request_id

__all__ = [
    "AUDIT_FIELDS",
    "PLAIN_WORDS",
    "REFERENCE_COUNT_CAP",
    "Referrer",
    "UNCOMPARABLE",
    "AccessFor",
    "Conflict",
    "DeleteRefused",
    "FieldErrors",
    "OutsideFilter",
    "RowGone",
    "WriteError",
    "any_row",
    "audit_entry",
    "bulk_dumps",
    "check_references",
    "check_row",
    "check_unique",
    "check_values",
    "clash_visible",
    "classify_error",
    "concurrency_predicate",
    "current_request_id",
    "delete",
    "delete_statement",
    "dumps",
    "editable_columns",
    "exists_statement",
    "field_errors_from",
    "insert",
    "insert_rows",
    "insert_statement",
    "json_value",
    "pk_clause",
    "pk_columns",
    "pk_of",
    "python_value",
    "read",
    "read_row_statement",
    "reference_choices",
    "reference_lookup",
    "references_to",
    "referring_names",
    "row_filter_terms",
    "row_key",
    "rowversion_column",
    "server_managed",
    "table_key",
    "unique_clash_hidden",
    "unique_sets",
    "update",
    "update_statement",
    "update_template",
    "write_audit",
    "write_audit_rows",
]
