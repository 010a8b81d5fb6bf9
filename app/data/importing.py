"""CSV import: decode, sniff, map, validate every row, preview, apply all-or-nothing.

- Encoding: UTF-8 with or without BOM, else Windows-1252 (what Excel on Windows
  writes); anything else is refused with a plain message.
- Delimiter: ``csv.Sniffer`` over the first lines among ``, ; TAB |``, falling back
  to the candidate that splits the header line most.
- Mapping: CSV headers are matched to columns by name or label (case, spaces and
  underscores ignored); the user can change it. Columns hidden from the caller and
  server-managed columns cannot be targets: a header naming one is an error.
- Validation uses the same rules as the forms (required, length, integer ranges,
  decimal precision/scale, dates, booleans, GUIDs), plus duplicate keys within the
  file, existing keys (insert mode), unique values, foreign keys the caller may see,
  and rows outside the caller's filter. ALL problems are collected, with row and
  column; nothing is written while any remains.
- Apply: one transaction; executemany for inserts and updates (``fast_executemany``
  on SQL Server), one audit row per imported row, the row filter re-checked after
  writing. Any failure rolls everything back.

Between the steps the upload is kept as a file by ``app.data.upload_store`` (capped,
expiring by mtime, on a share when there are several web servers); the browser only
holds a token signed with SECRET_KEY that binds its id to the table and the user.
"""

from __future__ import annotations

import csv
import io
import itertools
import logging
import operator
import re
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Table, and_, bindparam, insert, or_, select, update
from sqlalchemy.exc import DBAPIError

from app.access import TableAccess
from app.catalog import TableInfo
from app.catalog.columns import BadInput, column_rule
from app.data import writes
from app.data.parameters import chunked, keys_per_statement
from app.data.xlsx_rows import XLSX_MAGIC, BadWorkbook, XlsxRows, read_header
from app.extensions import db

log = logging.getLogger(__name__)

DELIMITERS = ",;\t|"
PREVIEW_ROWS = 10
MAX_PROBLEMS = 500


class UnreadableFile(ValueError):
    """The file cannot be read at all (encoding, empty, no header)."""


@dataclass(frozen=True)
class Problem:
    """One problem: 1-based data row (0 = the file itself), column, message."""

    row: int
    column: str
    message: str


_LINE_END = re.compile(r"\r\n?|\n")
LINE_BLOCK = 1 << 16  # characters of text handed to one StringIO


def _lines(text: str) -> Iterator[str]:
    """The lines of ``text`` as ``io.StringIO(text, newline="")`` gives them (ending
    at \\r\\n, \\r or \\n, ends kept), read through blocks of about LINE_BLOCK
    characters cut at a line end: a StringIO over the whole text would hold a
    4-byte-per-character copy of it (~34 MB for 100,000 rows)."""
    start, end = 0, len(text)
    while start < end:
        found = _LINE_END.search(text, start + LINE_BLOCK)
        stop = found.end() if found else end
        yield from io.StringIO(text[start:stop], newline="")
        start = stop


class CsvRows(Sequence[list[str]]):
    """The data rows of a CSV text, read on demand (never all held as lists).

    Iterating parses the text again (the csv module is C: ~0.1 s per 100,000 rows);
    ``len`` is counted once (or set by the pass that validates); indexing is meant
    for the first few rows of a preview."""

    def __init__(self, text: str, delimiter: str, skip: int) -> None:
        self.text = text
        self.delimiter = delimiter
        self.skip = skip  # the header row (after blank lines, if any)
        self.count: int | None = None
        self._head: list[list[str]] = []

    def __iter__(self) -> Iterator[list[str]]:
        reader = csv.reader(_lines(self.text), delimiter=self.delimiter)
        rows = (r for r in reader if any(map(str.strip, r)))  # skip blank rows
        for _ in range(self.skip):
            next(rows, None)
        return rows

    def __len__(self) -> int:
        if self.count is None:
            self.count = sum(1 for _ in self)
        return self.count

    def __getitem__(self, index):  # type: ignore[override]
        if isinstance(index, slice) or index < 0:
            return list(self)[index]
        if index >= len(self._head):
            self._head = list(
                itertools.islice(iter(self), max(index + 1, PREVIEW_ROWS))
            )
        return self._head[index]


@dataclass
class ParsedFile:
    """A decoded CSV: encoding, delimiter, header and data rows (as text)."""

    encoding: str
    delimiter: str
    headers: list[str]
    rows: CsvRows | XlsxRows


@dataclass
class Checked:
    """The outcome of validation: counts of rows to insert/update (row numbers),
    a preview of typed rows, or problems."""

    inserts: Sequence[int] = field(default_factory=list)
    updates: Sequence[int] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    preview: list[dict[str, Any]] = field(default_factory=list)
    preview_rows: list[int] = field(default_factory=list)  # row numbers of preview
    total_problems: int = 0
    ignored: list[Problem] = field(default_factory=list)  # skipped read-only columns

    def add(self, row: int, column: str, message: str) -> None:
        self.total_problems += 1
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(Problem(row, column, message))


# --- reading the file --------------------------------------------------------------


def _text(data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        raise UnreadableFile(
            f"The file is not valid {encoding.upper()} text."
        ) from None


def decode(data: bytes) -> tuple[str, str]:
    """(text, encoding): UTF-8 (BOM or not), else Windows-1252."""
    if data.startswith(b"\xef\xbb\xbf"):
        return _text(data[3:], "utf-8"), "UTF-8 with BOM"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # Excel's "Unicode Text"
        return _text(data, "utf-16"), "UTF-16"
    if b"\x00" in data[:4096]:
        raise UnreadableFile("This looks like a binary file (an .xlsx?), not CSV text.")
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "Windows-1252"
    except UnicodeDecodeError:
        raise UnreadableFile(
            "The file is neither UTF-8 nor Windows-1252 text. Save it from Excel as "
            "'CSV UTF-8 (Comma delimited)' and upload it again."
        ) from None


def sniff_delimiter(text: str) -> str:
    """The delimiter of ``text``: csv.Sniffer, else the best splitter of line one."""
    size = 1 << 16  # split only the head of the text (not 100,000 lines for 20)
    lines = text[:size].splitlines()
    while len(lines) <= 20 and size < len(text):
        size *= 4
        lines = text[:size].splitlines()
    sample = "\n".join(lines[:20])
    try:
        return csv.Sniffer().sniff(sample, delimiters=DELIMITERS).delimiter
    except csv.Error:
        first = lines[0] if lines else ""
        return max(DELIMITERS, key=first.count) if first else ","


def parse(data: bytes, *, count: bool = True) -> ParsedFile:
    """Decode and split an uploaded CSV; UnreadableFile when it has no header row.

    ``count`` reads every row once now, so that a malformed file is refused at
    upload; ``apply`` leaves it out (it reads every row anyway and reports a
    malformed one as ReviewAgain)."""
    if data.startswith(XLSX_MAGIC):  # a workbook: the same rows, read by openpyxl
        return _parse_xlsx(data, count)
    text, encoding = decode(data)
    if not text.strip():
        raise UnreadableFile("The file is empty.")
    delimiter = sniff_delimiter(text)
    try:
        reader = csv.reader(_lines(text), delimiter=delimiter)
        header = next((r for r in reader if any(map(str.strip, r))), None)
        rows = CsvRows(text, delimiter, skip=1)
        if count:
            len(rows)
    except csv.Error as exc:
        raise UnreadableFile(f"The file is not valid CSV: {exc}.") from None
    if header is None:
        raise UnreadableFile("The file has no header row.")
    headers = [h.strip() for h in header]
    if len(set(headers)) != len(headers) or any(not h for h in headers):
        raise UnreadableFile("Every column of the header row needs a distinct name.")
    return ParsedFile(encoding, delimiter, headers, rows)


def _parse_xlsx(data: bytes, count: bool) -> ParsedFile:
    try:
        headers = [h.strip() for h in read_header(data)]
        rows = XlsxRows(data, len(headers))
        if count and headers:
            len(rows)
    except BadWorkbook:
        raise UnreadableFile(
            "The file is not a readable Excel workbook (.xlsx)."
        ) from None
    if not headers:
        raise UnreadableFile("The workbook's first sheet has no header row.")
    if len(set(headers)) != len(headers) or any(not h for h in headers):
        raise UnreadableFile("Every column of the header row needs a distinct name.")
    return ParsedFile("Excel workbook", "none", headers, rows)


# --- mapping -----------------------------------------------------------------------


def _norm(text: str) -> str:
    return re.sub(r"[\s_\-]+", "", text).lower()


def importable_columns(
    info: TableInfo, hidden: Iterable[str], mode: str = "insert"
) -> list[str]:
    """Columns an import may set: not hidden, not server-managed; in upsert mode
    also generated key columns (to find the rows to update, never inserted)."""
    hidden = set(hidden)
    names = [
        name
        for name, col_info in info.columns.items()
        if name not in hidden and column_rule(col_info).editable(creating=True)
    ]
    if mode == "upsert":
        keys = [n for n in info.primary_key if n not in names and n not in hidden]
        names = keys + names
    return names


def auto_mapping(
    headers: Sequence[str], info: TableInfo, hidden: Iterable[str], mode: str = "insert"
) -> dict[str, str]:
    """header -> column for headers that match a column name or label ("" = skip)."""
    targets = {}
    for name in importable_columns(info, hidden, mode):
        targets.setdefault(_norm(name), name)
        targets.setdefault(_norm(info.columns[name].label), name)
    return {h: targets.get(_norm(h), "") for h in headers}


def ignored_headers(
    info: TableInfo,
    hidden: Iterable[str],
    headers: Sequence[str],
    mapping: Mapping[str, str],
    mode: str = "insert",
) -> list[Problem]:
    """Skipped headers that name a column the form shows read-only (identity,
    computed, rowversion, binary...), with the reason: said, not silently dropped
    (an exported file carries them)."""
    hidden = set(hidden)
    allowed = set(importable_columns(info, hidden, mode))
    names: dict[str, str] = {}
    for name, col_info in info.columns.items():
        if name not in hidden and name not in allowed:
            names.setdefault(_norm(name), name)
            names.setdefault(_norm(col_info.label), name)
    ignored = []
    for header in headers:
        target = names.get(_norm(header))
        if target is not None and not mapping.get(header):
            reason = column_rule(info.columns[target]).read_only_reason(True)
            label = info.columns[target].label
            ignored.append(Problem(0, header, f"not imported: {label} {reason}"))
    return ignored


# --- one value ---------------------------------------------------------------------


BadCell = BadInput  # a cell that is not a valid value for its column


def converter(info: TableInfo, name: str) -> Callable[[str], Any]:
    """A function turning a cell into the column's value (None for empty), or
    raising BadCell: the column rule the forms use (app.catalog.columns)."""
    return column_rule(info.columns[name]).converter(creating=True)


# --- validation --------------------------------------------------------------------


def _chunks(items: Sequence[Any], width: int, *where: Any) -> Iterable[Sequence[Any]]:
    """Keys of ``width`` columns in lists that keep a statement also binding
    ``where`` under SQL Server's 2,100 parameters."""
    return chunked(items, keys_per_statement(width, *where))


def _keys_where(table: Table, names: Sequence[str], keys: Sequence[tuple]):
    cols = [table.c[n] for n in names]
    if len(cols) == 1:
        return cols[0].in_([k[0] for k in keys])
    return or_(*(and_(*(c == v for c, v in zip(cols, k, strict=True))) for k in keys))


def _existing(
    table: Table,
    names: Sequence[str],
    keys: Iterable[tuple],
    *where: Any,
    extra: Sequence[str] = (),
) -> set[tuple]:
    """Which ``keys`` (values of ``names``) exist, with ``extra`` columns appended."""
    found: set[tuple] = set()
    cols = [table.c[n] for n in (*names, *extra)]
    if len(names) == 1:  # one statement, the chunk of values as an expanding bind
        stmt = select(*cols).where(
            cols[0].in_(bindparam("import_keys", expanding=True)), *where
        )
        for chunk in _chunks(list(keys), 1, *where):
            values = {"import_keys": [k[0] for k in chunk]}
            found.update(map(tuple, db.session.execute(stmt, values)))
        return found
    for chunk in _chunks(list(keys), len(names), *where):
        stmt = select(*cols).where(_keys_where(table, names, chunk), *where)
        found |= {tuple(r) for r in db.session.execute(stmt)}
    return found


@dataclass
class Plan:
    """What the header and mapping decide: target columns, converters, and which
    key, unique and foreign-key column sets the rows carry."""

    columns: list[str]  # target column of each used cell, in file order
    indexes: list[int]  # the cell index feeding each target
    converters: list[Callable[[str], Any]]
    width: int
    pk: list[str]
    pk_at: list[int] | None  # positions of the key columns in a typed row
    uniques: list[tuple[tuple[str, ...], list[int]]]
    references: list[tuple[Any, list[str], list[int]]]


def plan(
    info: TableInfo,
    hidden: Iterable[str],
    headers: Sequence[str],
    mapping: Mapping[str, str],
    mode: str,
    checked: Checked,
) -> Plan | None:
    """Check the mapping (problems go to ``checked``); the Plan, or None if refused."""
    table = info.table
    hidden = set(hidden)
    allowed = set(importable_columns(info, hidden, mode))
    generated_pk = [n for n in info.primary_key if writes.server_managed(table.c[n])]
    used: dict[int, str] = {}
    for index, header in enumerate(headers):
        target = mapping.get(header, "")
        if not target:
            continue
        if target not in allowed:
            if target in hidden or target not in info.columns:
                why = "is not a column of this table"
            else:  # as the form shows it read-only (app.catalog.columns)
                reason = column_rule(info.columns[target]).read_only_reason(True)
                why = f"{reason or 'is not editable'}, so it cannot be imported"
            checked.add(0, header, f"{target!r} {why}")
            continue
        if target in used.values():
            checked.add(0, header, f"{target!r} is mapped twice")
            continue
        used[index] = target
    pk = list(info.primary_key)
    if mode == "upsert" and not all(n in used.values() for n in pk):
        checked.add(0, ", ".join(pk), "upsert needs every key column in the file")
    required = [
        n
        for n in allowed
        if column_rule(info.columns[n]).required(creating=True)
        and n not in generated_pk
    ]
    checked.ignored = ignored_headers(info, hidden, headers, mapping, mode)
    for name in required:
        if name not in used.values() and mode == "insert":
            checked.add(0, info.columns[name].label, "a required column is missing")
    if checked.total_problems:
        return None
    columns = list(used.values())
    at = {name: i for i, name in enumerate(columns)}
    uniques = [
        (cols, [at[c] for c in cols])
        for cols in writes.unique_sets(table)
        if cols != tuple(pk) and all(c in at for c in cols)
    ]
    references = []
    for cons in table.foreign_key_constraints:
        names = list(cons.column_keys)
        if all(n in at for n in names):
            references.append((cons, names, [at[n] for n in names]))
    return Plan(
        columns=columns,
        indexes=list(used),
        converters=[converter(info, n) for n in columns],
        width=len(headers),
        pk=pk,
        pk_at=[at[n] for n in pk] if all(n in at for n in pk) else None,
        uniques=uniques,
        references=references,
    )


def typed_rows(
    parsed: ParsedFile, the_plan: Plan, checked: Checked | None = None
) -> Iterator[tuple[int, tuple | None]]:
    """(row number, typed values in ``plan.columns`` order) for every data row; None
    for a row with problems (reported to ``checked``, or BadCell when it is None)."""
    pairs = list(zip(the_plan.indexes, the_plan.converters, strict=True))
    width = the_plan.width
    headers = parsed.headers
    converters = the_plan.converters
    # The used cells in one C call, each through its converter (operator.call)
    # (itemgetter of one index gives a bare cell: ask for it twice, map stops at
    # the shorter list of converters)
    pick = operator.itemgetter(*the_plan.indexes, *the_plan.indexes[:1])
    call = operator.call
    for number, cells in enumerate(parsed.rows, start=1):
        if len(cells) != width:
            if checked is None:
                raise BadCell(f"row {number} has {len(cells)} fields")
            checked.add(number, "", f"has {len(cells)} fields; the header has {width}")
            yield number, None
            continue
        try:
            yield number, tuple(map(call, converters, pick(cells)))
        except BadCell:
            if checked is None:
                raise
            for index, func in pairs:  # the slow path: name every bad cell
                try:
                    func(cells[index])
                except BadCell as exc:
                    checked.add(number, headers[index], str(exc))
            yield number, None


def validate(
    info: TableInfo,
    access: TableAccess,
    hidden: Iterable[str],
    parsed: ParsedFile,
    mapping: Mapping[str, str],
    mode: str,
    access_for: Callable[[Table], TableAccess],
) -> Checked:
    """Check every row in one streaming pass (typed rows are not kept: only the
    keys the database checks need); return the counts and preview, or every
    problem found."""
    checked = Checked()
    the_plan = plan(info, hidden, parsed.headers, mapping, mode, checked)
    if the_plan is None:
        return checked
    columns = the_plan.columns
    pk_at = the_plan.pk_at
    keys: dict[tuple, int] = {}
    # Single-column values are kept bare (not in 1-tuples): 100,000 rows x two
    # unique columns is ~11 MB less.
    unique_seen: list[dict[Any, int]] = [{} for _ in the_plan.uniques]
    wanted: list[dict[Any, list[int]]] = [{} for _ in the_plan.references]
    unique_of = [_picker(at) for _cols, at in the_plan.uniques]
    reference_of = [_picker(at) for _cons, _names, at in the_plan.references]
    count = 0
    for number, row in typed_rows(parsed, the_plan, checked):
        count = number
        if row is None:
            continue
        if len(checked.preview) < PREVIEW_ROWS:
            checked.preview.append(dict(zip(columns, row, strict=True)))
            checked.preview_rows.append(number)
        if pk_at is not None:
            key = tuple([row[i] for i in pk_at])
            first = keys.setdefault(key, number)
            if first != number:
                checked.add(number, ", ".join(the_plan.pk), f"same key as row {first}")
        for (cols, _at), pick, seen in zip(
            the_plan.uniques, unique_of, unique_seen, strict=True
        ):
            value = pick(row)
            if value is None or (type(value) is tuple and None in value):
                continue
            first = seen.setdefault(value, number)
            if first != number:
                checked.add(number, ", ".join(cols), f"same value as row {first}")
        for pick, refs in zip(reference_of, wanted, strict=True):
            value = pick(row)
            if value is not None and not (type(value) is tuple and None in value):
                refs.setdefault(value, []).append(number)
    parsed.rows.count = count
    if checked.total_problems:
        return checked
    _check_keys(info, access, the_plan, keys, count, mode, checked)
    _check_uniques(info, access, the_plan, unique_seen, keys, checked)
    _check_references(the_plan, wanted, access_for, checked)
    return checked


def _picker(at: Sequence[int]) -> Callable[[tuple], Any]:
    """A row's value at one position, or its tuple at several."""
    if len(at) == 1:
        index = at[0]
        return lambda row: row[index]
    return lambda row: tuple([row[i] for i in at])


def _as_tuples(keys: Iterable[Any], width: int) -> list[tuple]:
    return [(k,) for k in keys] if width == 1 else list(keys)


def _check_keys(
    info: TableInfo,
    access: TableAccess,
    the_plan: Plan,
    keys: dict[tuple, int],
    count: int,
    mode: str,
    checked: Checked,
) -> None:
    table = info.table
    pk = the_plan.pk
    if the_plan.pk_at is None:
        checked.inserts = range(1, count + 1)
        return
    existing = _existing(table, pk, keys)
    mine = existing
    write_filter = writes._visible(access, "import")  # noqa: SLF001
    if write_filter and existing:
        mine = _existing(table, pk, sorted(existing, key=repr), *write_filter)
    generated = any(writes.server_managed(table.c[n]) for n in pk)
    inserts, updates = [], []
    for key, number in keys.items():
        if key in existing:
            if mode == "insert":
                checked.add(number, ", ".join(pk), "a row with this key already exists")
            elif key not in mine:
                checked.add(
                    number,
                    ", ".join(pk),
                    "this key is not among the rows you may change",
                )
            else:
                updates.append(number)
        elif generated:
            checked.add(number, ", ".join(pk), "no row with this key to update")
        else:
            inserts.append(number)
    checked.inserts, checked.updates = inserts, updates


def _check_uniques(
    info: TableInfo,
    access: TableAccess,
    the_plan: Plan,
    unique_seen: list[dict[Any, int]],
    keys: dict[tuple, int],
    checked: Checked,
) -> None:
    table = info.table
    pk = tuple(the_plan.pk)
    own_key = {number: key for key, number in keys.items()}
    read_filter = writes._visible(access)  # noqa: SLF001
    for (cols, _at), seen in zip(the_plan.uniques, unique_seen, strict=True):
        if not seen:
            continue
        width = len(cols)
        wanted = _as_tuples(seen, width)
        clashes = _existing(table, list(cols), wanted, extra=pk)
        # As the forms do (writes.check_unique): a clash outside the caller's row
        # filter is refused without repeating the value.
        visible = (
            _existing(table, list(cols), wanted, *read_filter, extra=pk)
            if read_filter and clashes
            else clashes
        )
        for found in clashes:
            value, found_pk = found[:width], found[width:]
            number = seen.get(value[0] if width == 1 else value, 0)
            if own_key.get(number) != found_pk:  # upsert: a row may keep its value
                checked.add(
                    number,
                    ", ".join(cols),
                    f"another row already has {', '.join(map(str, value))}"
                    if found in visible
                    else "another row already has this value",
                )


def _check_references(
    the_plan: Plan,
    wanted: list[dict[Any, list[int]]],
    access_for: Callable[[Table], TableAccess],
    checked: Checked,
) -> None:
    for (cons, names, _at), refs in zip(the_plan.references, wanted, strict=True):
        width = len(names)
        missing = _missing_references(cons, _as_tuples(refs, width), access_for)
        for key in sorted(missing, key=lambda k: refs[k[0] if width == 1 else k][0]):
            for number in refs[key[0] if width == 1 else key]:
                checked.add(
                    number,
                    ", ".join(names),
                    f"no row {', '.join(map(str, key))} in "
                    f"{writes.table_key(cons.referred_table)} (or you may not see it)",
                )


def _missing_references(
    cons: Any, keys: Iterable[tuple], access_for: Callable[[Table], TableAccess]
) -> set[tuple]:
    """The keys with no row the caller may see in the referenced table."""
    keys = set(keys)
    ref = cons.referred_table
    ref_access = access_for(ref)
    if not keys or not ref_access.allows("read"):
        return keys
    ref_names = [el.column.name for el in cons.elements]
    visible = _existing(
        ref,
        ref_names,
        sorted(keys, key=repr),
        *writes._visible(ref_access),  # noqa: SLF001
    )
    return keys - visible


# --- applying ----------------------------------------------------------------------


class ReviewAgain(writes.WriteError):
    """The file or the database changed since the review: nothing was written;
    validate again to list the problems."""


@dataclass(frozen=True)
class Summary:
    inserted: int
    updated: int
    seconds: float


def apply(
    info: TableInfo,
    access: TableAccess,
    hidden: Iterable[str],
    parsed: ParsedFile,
    mapping: Mapping[str, str],
    mode: str,
    actor: str,
    access_for: Callable[[Table], TableAccess],
) -> Summary:
    """Write a reviewed file in one streaming pass and one transaction, audited;
    all or nothing.

    The review listed every problem; this pass re-converts each row (cheap), checks
    on the way what the caller may do (foreign keys they may see, keys they may
    change, rows left inside their filter) and lets the database enforce unique and
    key constraints. Any refusal rolls everything back and raises ReviewAgain (or
    OutsideFilter), so the caller can show the problems again.
    """
    table = info.table
    started = time.perf_counter()
    checked = Checked()
    the_plan = plan(info, hidden, parsed.headers, mapping, mode, checked)
    if the_plan is None:
        raise ReviewAgain("The mapping has problems.")
    batch = Batch(info, access, the_plan, mode, actor, access_for)
    try:
        rows: list[tuple] = []
        for _number, row in typed_rows(parsed, the_plan):
            rows.append(row)
            if len(rows) == APPLY_BATCH:
                batch.write(rows)
                rows = []
        if rows:
            batch.write(rows)
        db.session.commit()
    except (writes.WriteError, BadCell) as exc:
        db.session.rollback()
        if isinstance(exc, writes.OutsideFilter):
            raise
        raise ReviewAgain(str(exc)) from None
    except csv.Error as exc:
        db.session.rollback()
        raise ReviewAgain(f"The file is not valid CSV: {exc}.") from None
    except DBAPIError as exc:
        db.session.rollback()
        if exc.connection_invalidated:
            raise
        raise ReviewAgain(str(writes.field_errors_from(table, exc))) from None
    except BaseException:
        db.session.rollback()
        raise
    writes.forget_choices(table)
    seconds = time.perf_counter() - started
    log.info(
        "import into %s by %s: %d inserted, %d updated",
        info.key,
        actor,
        batch.inserted,
        batch.updated,
    )
    return Summary(batch.inserted, batch.updated, seconds)


APPLY_BATCH = 2000


class Batch:
    """Writes typed rows batch by batch inside the caller's transaction."""

    def __init__(
        self,
        info: TableInfo,
        access: TableAccess,
        the_plan: Plan,
        mode: str,
        actor: str,
        access_for: Callable[[Table], TableAccess],
    ) -> None:
        self.table = info.table
        self.plan = the_plan
        self.mode = mode
        self.actor = actor
        self.access_for = access_for
        self.write_filter = writes._visible(access, "import")  # noqa: SLF001
        self.visible_refs: list[set[tuple]] = [set() for _ in the_plan.references]
        self.inserted = 0
        self.updated = 0
        pk = the_plan.pk
        self.generated = [n for n in pk if n not in the_plan.columns]
        table = self.table
        self.table_name = writes.table_key(table)
        self.request_id = writes.current_request_id()
        self.pk_cols = [table.c[n] for n in pk]

    def write(self, rows: list[tuple]) -> None:
        """Check and write one batch (inserts and, in upsert mode, updates)."""
        self._check_references(rows)
        inserts, updates = rows, []
        before: dict[tuple, dict] = {}
        if self.plan.pk_at is not None:
            inserts, updates, before = self._split(rows)
        keys = self._insert(inserts)
        if updates:
            self._update(updates, before)
            keys += [tuple([r[i] for i in self.plan.pk_at]) for r in updates]
        self._after_check(keys)

    def _check_references(self, rows: list[tuple]) -> None:
        for n, (cons, names, at) in enumerate(self.plan.references):
            known = self.visible_refs[n]
            wanted = {tuple([r[i] for i in at]) for r in rows} - known
            wanted = {k for k in wanted if None not in k}
            if not wanted:
                continue
            missing = _missing_references(cons, wanted, self.access_for)
            if missing:
                key = next(iter(missing))
                raise ReviewAgain(
                    f"{', '.join(names)}: no row {', '.join(map(str, key))} in "
                    f"{writes.table_key(cons.referred_table)} (or you may not see it)"
                )
            known |= wanted

    def _split(self, rows: list[tuple]) -> tuple[list, list, dict]:
        pk, at = self.plan.pk, self.plan.pk_at
        keys = [tuple([r[i] for i in at]) for r in rows]
        before: dict[tuple, dict] = {}
        for chunk in _chunks(keys, len(pk)):
            stmt = select(self.table).where(_keys_where(self.table, pk, chunk))
            for r in db.session.execute(stmt).mappings():
                before[tuple(r[n] for n in pk)] = dict(r)
        if not before:
            return rows, [], before
        if self.mode == "insert":
            raise ReviewAgain("a row with the same key was added meanwhile")
        if self.write_filter:
            mine = _existing(self.table, pk, list(before), *self.write_filter)
            if len(mine) != len(before):
                raise writes.OutsideFilter(
                    "Some rows are not among the rows you may change; nothing was "
                    "imported."
                )
        inserts = [r for r, k in zip(rows, keys, strict=True) if k not in before]
        updates = [r for r, k in zip(rows, keys, strict=True) if k in before]
        return inserts, updates, before

    def _audit(self, key_json: str, old: str | None, new: str | None) -> tuple:
        """One audit row in writes.AUDIT_FIELDS order."""
        return (
            self.actor,
            self.request_id,
            self.table_name,
            key_json,
            "import",
            old,
            new,
        )

    def _insert(self, rows: list[tuple]) -> list[tuple]:
        """executemany INSERT plus one audit row each; returns the written keys.

        Generated keys come back through RETURNING / OUTPUT (batched by SQLAlchemy's
        insertmanyvalues) together with the inserted values, so rows are matched
        by what the database returns, not by position (asking for an ordering makes
        SQLite fall back to one statement per row)."""
        if not rows:
            return []
        table, columns, pk = self.table, self.plan.columns, self.plan.pk
        if not self.generated:
            writes.insert_rows(table, columns, rows)
            key_of = operator.itemgetter(*self.plan.pk_at, *self.plan.pk_at[:1])
            width = len(pk)
            stored = [(key_of(r)[:width], r) for r in rows]
        elif table.implicit_returning:
            params = [dict(zip(columns, r, strict=True)) for r in rows]
            stmt = insert(table).returning(
                *self.pk_cols, *(table.c[n] for n in columns)
            )
            width = len(pk)
            stored = [
                (tuple(r[:width]), tuple(r[width:]))
                for r in db.session.execute(stmt, params)
            ]
            del params
        else:  # tables with triggers: no OUTPUT; SCOPE_IDENTITY() row by row
            stored = []
            for row in rows:
                values = dict(zip(columns, row, strict=True))
                result = db.session.execute(insert(table).values(values))
                stored.append((tuple(result.inserted_primary_key), row))
        dumps = writes.bulk_dumps
        audit = self._audit
        entries = []
        for key, row in stored:
            key_values = dict(zip(pk, key, strict=True))
            new = key_values.copy()
            for name, value in zip(columns, row, strict=True):
                if value is not None:
                    new[name] = value
            entries.append(audit(dumps(key_values), None, dumps(new)))
        writes.write_audit_rows(entries)
        self.inserted += len(stored)
        return [key for key, _row in stored]

    def _update(self, rows: list[tuple], before: dict[tuple, dict]) -> None:
        table, pk, at = self.table, self.plan.pk, self.plan.pk_at
        names = [n for n in self.plan.columns if n not in pk]
        positions = [self.plan.columns.index(n) for n in names]
        audit = []
        params = []
        for row in rows:
            key = tuple([row[i] for i in at])
            old, new = {}, {}
            for name, i in zip(names, positions, strict=True):
                if before[key].get(name) != row[i]:
                    old[name], new[name] = before[key].get(name), row[i]
            params.append(
                {
                    **{f"k_{n}": v for n, v in zip(pk, key, strict=True)},
                    **{f"v_{j}": row[i] for j, i in enumerate(positions)},
                }
            )
            if new:
                key_json = writes.bulk_dumps(dict(zip(pk, key, strict=True)))
                audit.append(
                    self._audit(
                        key_json, writes.bulk_dumps(old), writes.bulk_dumps(new)
                    )
                )
        if names:
            stmt = (
                update(table)
                .where(*(c == bindparam(f"k_{c.name}") for c in self.pk_cols))
                .values({n: bindparam(f"v_{j}") for j, n in enumerate(names)})
            )
            db.session.execute(stmt, params)
        writes.write_audit_rows(audit)
        self.updated += len(rows)

    def _after_check(self, keys: list[tuple]) -> None:
        """Every written row must be inside the caller's import filter."""
        if not self.write_filter or not keys:
            return
        inside = _existing(self.table, self.plan.pk, keys, *self.write_filter)
        if len(inside) != len(set(keys)):
            raise writes.OutsideFilter(
                "Some rows would end up outside the rows you may change; nothing was "
                "imported."
            )
