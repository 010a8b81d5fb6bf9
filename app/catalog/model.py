"""What the catalog knows about one table and its columns (plain, immutable data)."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Column, Table

# Display/filter kinds, decided once from the column type.
KINDS = (
    "bool",
    "int",
    "decimal",
    "money",
    "float",
    "date",
    "datetime",
    "time",
    "guid",
    "binary",
    "text",
    "longtext",
    "other",
)
STRING_KINDS = frozenset({"text", "longtext"})
NUMBER_KINDS = frozenset({"int", "decimal", "money", "float"})
DATE_KINDS = frozenset({"date", "datetime"})
# How the search box matches: "prefix" (the field starts with the text: an index
# seek on SQL Server), "words" (a word in the field starts with it: "wil" finds
# "Sofia Williams"; a scan), "contains" (anywhere; a scan).
SEARCH_MODES = ("prefix", "words", "contains")
DEFAULT_SEARCH_MODE = "words"


@dataclass(frozen=True)
class ForeignKeyInfo:
    """A foreign key from this table's ``columns`` to ``ref_columns`` of ``ref_key``."""

    columns: tuple[str, ...]
    ref_key: str
    ref_columns: tuple[str, ...]


@dataclass(frozen=True)
class ReferenceInfo:
    """Another table (``child_key``) whose ``child_columns`` point at this table."""

    child_key: str
    child_columns: tuple[str, ...]
    columns: tuple[str, ...]  # the referenced columns here


@dataclass
class ColumnInfo:
    """One column: how it is named, shown and filtered."""

    name: str
    label: str
    kind: str
    column: Column
    primary_key: bool = False
    nullable: bool = True
    unique: bool = False
    hidden: bool = False  # hidden by the settings file (everyone)
    fk: ForeignKeyInfo | None = None  # single-column foreign key, if any
    help: str = ""  # help text under the form field (settings: [..help])
    # What SQL Server allows on the type (xml/text/ntext/image, CLR types refuse
    # some: Msg 305/306/402/8116), and the reason shown when it refuses.
    sortable: bool = True
    comparable: bool = True
    matchable: bool = True
    limit_note: str = ""

    @property
    def is_string(self) -> bool:
        return self.kind in STRING_KINDS


@dataclass
class TableInfo:
    """One browsable table or view and its display settings."""

    key: str  # logical "schema.table"
    schema: str
    name: str
    table: Table
    label: str
    description: str = ""
    columns: dict[str, ColumnInfo] = field(default_factory=dict)
    primary_key: tuple[str, ...] = ()
    # Unique ordering tie-breaker: the primary key, else a unique constraint, else
    # every orderable column (documented: identical duplicate rows may then collapse
    # at a page boundary).
    order_key: tuple[str, ...] = ()
    label_columns: tuple[str, ...] = ()
    list_columns: tuple[str, ...] = ()  # the list page's columns in order; () = all
    searchable: tuple[str, ...] = ()
    search_mode: str = DEFAULT_SEARCH_MODE  # the search box's default (SEARCH_MODES)
    default_sort: str = ""  # column name, "-" prefix for descending
    page_size: int = 50
    read_only: bool = False
    foreign_keys: tuple[ForeignKeyInfo, ...] = ()
    referenced_by: tuple[ReferenceInfo, ...] = ()
    # Temporal tables (SYSTEM_VERSIONING): the history table's key, or for a history
    # table the key of the table it keeps the past rows of (always read-only).
    history_key: str = ""
    history_of: str = ""

    @property
    def has_primary_key(self) -> bool:
        return bool(self.primary_key)

    @property
    def is_view_like(self) -> bool:
        """True for views and tables without a primary key: no detail pages."""
        return not self.primary_key

    def column(self, name: str) -> ColumnInfo | None:
        return self.columns.get(name)
