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

Between the steps the upload is kept as a file under the import folder (on a share
when there are several web servers), named by a random id; the browser only holds a
token signed with SECRET_KEY that binds the id to the table and the user, and files
older than ``UPLOAD_TTL`` are deleted on the next upload. No server memory is used.
"""

from __future__ import annotations

import csv
import datetime as dt
import decimal
import io
import logging
import re
import secrets
import time
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Column, Table, and_, bindparam, insert, or_, select, update
from sqlalchemy.exc import DBAPIError

from app.access import TableAccess
from app.catalog import TableInfo
from app.data import writes
from app.extensions import db

log = logging.getLogger(__name__)

DELIMITERS = ",;\t|"
PREVIEW_ROWS = 10
MAX_PROBLEMS = 500
UPLOAD_TTL = 3600  # seconds
CHUNK = 1000  # keys per IN (...) check, well under SQL Server's 2,100 parameters
TRUE_WORDS = frozenset({"1", "true", "yes", "y", "on", "t", "x"})
FALSE_WORDS = frozenset({"0", "false", "no", "n", "off", "f", ""})
DATE_FORMATS = ("%Y-%m-%d", "%d.%m.%Y", "%d/%m/%Y")
DATETIME_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d",
)


class UnreadableFile(ValueError):
    """The file cannot be read at all (encoding, empty, no header)."""


@dataclass(frozen=True)
class Problem:
    """One problem: 1-based data row (0 = the file itself), column, message."""

    row: int
    column: str
    message: str


@dataclass
class ParsedFile:
    """A decoded CSV: encoding, delimiter, header and data rows (as text)."""

    encoding: str
    delimiter: str
    headers: list[str]
    rows: list[list[str]]


@dataclass
class Checked:
    """The outcome of validation: typed rows ready to write, or problems."""

    inserts: list[dict[str, Any]] = field(default_factory=list)
    updates: list[dict[str, Any]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    preview: list[dict[str, Any]] = field(default_factory=list)
    total_problems: int = 0

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
    sample = "\n".join(text.splitlines()[:20])
    try:
        return csv.Sniffer().sniff(sample, delimiters=DELIMITERS).delimiter
    except csv.Error:
        first = text.splitlines()[0] if text else ""
        return max(DELIMITERS, key=first.count) if first else ","


def parse(data: bytes) -> ParsedFile:
    """Decode and split an uploaded CSV; UnreadableFile when it has no header row."""
    text, encoding = decode(data)
    if not text.strip():
        raise UnreadableFile("The file is empty.")
    delimiter = sniff_delimiter(text)
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        rows = [r for r in reader if any(cell.strip() for cell in r)]
    except csv.Error as exc:
        raise UnreadableFile(f"The file is not valid CSV: {exc}.") from None
    if not rows:
        raise UnreadableFile("The file has no header row.")
    headers = [h.strip() for h in rows[0]]
    if len(set(headers)) != len(headers) or any(not h for h in headers):
        raise UnreadableFile("Every column of the header row needs a distinct name.")
    return ParsedFile(encoding, delimiter, headers, rows[1:])


# --- mapping -----------------------------------------------------------------------


def _norm(text: str) -> str:
    return re.sub(r"[\s_\-]+", "", text).lower()


def importable_columns(
    info: TableInfo, hidden: Iterable[str], mode: str = "insert"
) -> list[str]:
    """Columns an import may set: not hidden, not server-managed; in upsert mode
    also generated key columns (to find the rows to update, never inserted)."""
    hidden = set(hidden)
    names = [c.name for c in writes.editable_columns(info.table, hidden, creating=True)]
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


# --- one value ---------------------------------------------------------------------


class BadCell(ValueError):
    """A cell that is not a valid value for its column; the message says why."""


def converter(info: TableInfo, name: str) -> Callable[[str], Any]:
    """A function turning a cell into the column's value (None for empty), or
    raising BadCell with the same rules as the forms."""
    col_info = info.columns[name]
    col: Column = col_info.column
    kind = col_info.kind
    required = not col.nullable
    label = col_info.label

    def empty() -> None:
        if required and not writes.has_default(col):
            raise BadCell("a value is required")
        return None

    if kind == "int":
        low, high = writes.int_range(col) or (None, None)

        def to_int(text: str) -> Any:
            text = text.strip()
            if not text:
                return empty()
            try:
                value = int(text)
            except ValueError:
                raise BadCell(f"{text!r} is not a whole number") from None
            if low is not None and not low <= value <= high:
                raise BadCell(f"{value} is outside {low}..{high}")
            return value

        return to_int
    if kind in {"decimal", "money", "float"}:
        bounds = writes.decimal_range(col)

        def to_number(text: str) -> Any:
            text = text.strip().replace(" ", "")
            if not text:
                return empty()
            if "," in text and "." not in text:
                text = text.replace(",", ".")  # decimal comma (European Excel)
            try:
                value = decimal.Decimal(text)
            except decimal.InvalidOperation:
                raise BadCell(f"{text!r} is not a number") from None
            if not value.is_finite():
                raise BadCell(f"{text!r} is not a number")
            if kind == "float":
                return float(value)
            if bounds:
                low, high, scale = bounds
                if -value.as_tuple().exponent > scale:
                    raise BadCell(f"{text} has more than {scale} decimal places")
                if not low <= value <= high:
                    raise BadCell(f"{text} is out of range for {label}")
            return value

        return to_number
    if kind == "bool":

        def to_bool(text: str) -> Any:
            word = text.strip().lower()
            if not word:
                return empty()
            if word in TRUE_WORDS:
                return True
            if word in FALSE_WORDS:
                return False
            raise BadCell(f"{text!r} is not yes/no")

        return to_bool
    if kind in {"date", "datetime"}:
        formats = DATE_FORMATS if kind == "date" else DATETIME_FORMATS

        def to_date(text: str) -> Any:
            text = text.strip()
            if not text:
                return empty()
            try:  # ISO first: fromisoformat is C code, ~20x faster than strptime
                parsed = dt.datetime.fromisoformat(text)
            except ValueError:
                pass
            else:
                return parsed.date() if kind == "date" else parsed
            for fmt in formats:
                try:
                    parsed = dt.datetime.strptime(text, fmt)
                except ValueError:
                    continue
                return parsed.date() if kind == "date" else parsed
            raise BadCell(f"{text!r} is not a date (YYYY-MM-DD)")

        return to_date
    if kind == "guid":

        def to_guid(text: str) -> Any:
            text = text.strip()
            if not text:
                return empty()
            try:
                return uuid.UUID(text)
            except ValueError:
                raise BadCell(f"{text!r} is not a GUID") from None

        return to_guid
    length = getattr(col.type, "length", None)

    def to_text(text: str) -> Any:
        if text == "":
            return empty()
        if length and len(text) > length:
            raise BadCell(f"is {len(text)} characters long; at most {length} fit")
        return text

    return to_text


# --- validation --------------------------------------------------------------------


def _chunks(items: Sequence[Any], size: int = CHUNK) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _keys_where(table: Table, names: Sequence[str], keys: Sequence[tuple]):
    cols = [table.c[n] for n in names]
    if len(cols) == 1:
        return cols[0].in_([k[0] for k in keys])
    return or_(*(and_(*(c == v for c, v in zip(cols, k, strict=True))) for k in keys))


def _existing(
    table: Table,
    names: Sequence[str],
    keys: Sequence[tuple],
    *where: Any,
    extra: Sequence[str] = (),
) -> set[tuple]:
    """Which ``keys`` (values of ``names``) exist, with ``extra`` columns appended."""
    found: set[tuple] = set()
    cols = [table.c[n] for n in (*names, *extra)]
    for chunk in _chunks(list(keys)):
        stmt = select(*cols).where(_keys_where(table, names, chunk), *where)
        found |= {tuple(r) for r in db.session.execute(stmt)}
    return found


def validate(
    info: TableInfo,
    access: TableAccess,
    hidden: Iterable[str],
    parsed: ParsedFile,
    mapping: Mapping[str, str],
    mode: str,
    access_for: Callable[[Table], TableAccess],
) -> Checked:
    """Check every row; return typed inserts/updates or every problem found."""
    table = info.table
    checked = Checked()
    hidden = set(hidden)
    allowed = set(importable_columns(info, hidden, mode))
    generated_pk = [n for n in info.primary_key if writes.server_managed(table.c[n])]
    used: dict[int, str] = {}
    for index, header in enumerate(parsed.headers):
        target = mapping.get(header, "")
        if not target:
            continue
        if target not in allowed:
            why = (
                "is not a column of this table"
                if target in hidden or target not in table.c
                else "is set by the database and cannot be imported"
            )
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
        if not writes.has_default(table.c[n]) and n not in generated_pk
    ]
    for name in required:
        if name not in used.values() and mode == "insert":
            checked.add(0, info.columns[name].label, "a required column is missing")
    if checked.total_problems:
        return checked
    convert = {i: converter(info, n) for i, n in used.items()}
    rows: list[dict[str, Any]] = []
    width = len(parsed.headers)
    for number, cells in enumerate(parsed.rows, start=1):
        if len(cells) != width:
            checked.add(number, "", f"has {len(cells)} fields; the header has {width}")
            continue
        values: dict[str, Any] = {}
        for index, func in convert.items():
            try:
                values[used[index]] = func(cells[index])
            except BadCell as exc:
                checked.add(number, parsed.headers[index], str(exc))
        rows.append(values)
        if len(checked.preview) < PREVIEW_ROWS:
            checked.preview.append(values)
    if checked.total_problems:
        return checked
    _check_keys(info, access, rows, mode, checked)
    _check_uniques(info, rows, mode, checked)
    _check_references(info, rows, access_for, checked)
    return checked


def _check_keys(
    info: TableInfo, access: TableAccess, rows: list[dict], mode: str, checked: Checked
) -> None:
    table = info.table
    pk = list(info.primary_key)
    if not all(n in (rows[0] if rows else {}) for n in pk):
        checked.inserts = rows
        return
    seen: dict[tuple, int] = {}
    keys = []
    for number, values in enumerate(rows, start=1):
        key = tuple(values[n] for n in pk)
        if key in seen:
            checked.add(number, ", ".join(pk), f"same key as row {seen[key]}")
        seen[key] = number
        keys.append(key)
    existing = _existing(table, pk, keys)
    mine = existing
    write_filter = writes._visible(access, "import")  # noqa: SLF001
    if write_filter and existing:
        mine = _existing(table, pk, sorted(existing, key=repr), *write_filter)
    for number, (key, values) in enumerate(zip(keys, rows, strict=True), start=1):
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
                checked.updates.append(values)
        elif any(writes.server_managed(table.c[n]) for n in pk):
            checked.add(number, ", ".join(pk), "no row with this key to update")
        else:
            checked.inserts.append(values)


def _check_uniques(
    info: TableInfo, rows: list[dict], mode: str, checked: Checked
) -> None:
    table = info.table
    pk = tuple(info.primary_key)
    for cols in writes.unique_sets(table):
        if cols == pk or not rows or not all(c in rows[0] for c in cols):
            continue
        seen: dict[tuple, int] = {}
        keys = []
        for number, values in enumerate(rows, start=1):
            key = tuple(values[c] for c in cols)
            if any(v is None for v in key):
                continue
            if key in seen:
                checked.add(number, ", ".join(cols), f"same value as row {seen[key]}")
            seen[key] = number
            keys.append(key)
        clash = _existing(table, list(cols), keys, extra=pk) if keys else set()
        if not clash:
            continue
        own = {
            tuple(values[c] for c in cols): tuple(values.get(c) for c in pk)
            for values in rows
        }
        width = len(cols)
        for found in clash:
            value, found_pk = found[:width], found[width:]
            if own.get(value) != found_pk:  # another row holds it (upsert: not itself)
                checked.add(
                    seen.get(value, 0),
                    ", ".join(cols),
                    f"another row already has {', '.join(map(str, value))}",
                )


def _check_references(
    info: TableInfo,
    rows: list[dict],
    access_for: Callable[[Table], TableAccess],
    checked: Checked,
) -> None:
    for cons in info.table.foreign_key_constraints:
        names = list(cons.column_keys)
        if not rows or not all(n in rows[0] for n in names):
            continue
        ref = cons.referred_table
        ref_names = [el.column.name for el in cons.elements]
        wanted = {
            tuple(values[n] for n in names)
            for values in rows
            if all(values[n] is not None for n in names)
        }
        ref_access = access_for(ref)
        visible = set()
        if ref_access.allows("read") and wanted:
            visible = _existing(
                ref, ref_names, sorted(wanted, key=repr), *writes._visible(ref_access)
            )  # noqa: SLF001
        for number, values in enumerate(rows, start=1):
            key = tuple(values[n] for n in names)
            if all(v is not None for v in key) and key not in visible:
                checked.add(
                    number,
                    ", ".join(names),
                    f"no row {', '.join(map(str, key))} in {writes.table_key(ref)} "
                    "(or you may not see it)",
                )


# --- applying ----------------------------------------------------------------------


@dataclass(frozen=True)
class Summary:
    inserted: int
    updated: int
    seconds: float


def apply(
    info: TableInfo, access: TableAccess, checked: Checked, actor: str
) -> Summary:
    """Write every checked row in one transaction, audited; all or nothing."""
    if checked.total_problems:
        raise writes.FieldErrors({None: ["The file still has problems."]})
    table = info.table
    started = time.perf_counter()
    pk = list(info.primary_key)
    try:
        written: list[tuple] = []
        for chunk in _chunks(checked.inserts, 5000):
            stored = _insert_many(table, pk, list(chunk))
            writes.write_audit(
                [
                    writes.audit_entry(
                        table,
                        {n: row[n] for n in pk},
                        "import",
                        actor,
                        None,
                        {k: v for k, v in row.items() if v is not None},
                    )
                    for row in stored
                ]
            )
            written += [tuple(row[n] for n in pk) for row in stored]
        if checked.updates:
            _update_many(table, pk, checked.updates, actor)
            written += [tuple(r[n] for n in pk) for r in checked.updates]
        _after_check(table, access, pk, written)
        db.session.commit()
    except writes.WriteError:
        db.session.rollback()
        raise
    except DBAPIError as exc:
        db.session.rollback()
        if exc.connection_invalidated:
            raise
        raise writes.field_errors_from(table, exc) from None
    except BaseException:
        db.session.rollback()
        raise
    seconds = time.perf_counter() - started
    log.info(
        "import into %s by %s: %d inserted, %d updated",
        info.key,
        actor,
        len(checked.inserts),
        len(checked.updates),
    )
    return Summary(len(checked.inserts), len(checked.updates), seconds)


def _insert_many(table: Table, pk: list[str], rows: list[dict]) -> list[dict]:
    """executemany INSERT; returns each stored row (key + inserted values).

    With generated keys the rows come back through RETURNING / OUTPUT, batched by
    SQLAlchemy's insertmanyvalues. Rows are matched by what the database returns,
    not by position, so no ordering guarantee is needed (asking for one makes
    SQLite fall back to one statement per row).
    """
    if not rows:
        return []
    columns = list(dict.fromkeys(n for r in rows for n in r))
    params = [{n: r.get(n) for n in columns} for r in rows]
    generated = [n for n in pk if n not in columns]
    if not generated:
        db.session.execute(insert(table), params)
        return params
    if table.implicit_returning:
        returned = [*(table.c[n] for n in pk), *(table.c[n] for n in columns)]
        stmt = insert(table).returning(*returned)
        return [dict(r) for r in db.session.execute(stmt, params).mappings()]
    stored = []
    for row in params:  # tables with triggers: no OUTPUT, one by one
        result = db.session.execute(insert(table).values(row))
        stored.append(
            {**dict(zip(pk, result.inserted_primary_key, strict=True)), **row}
        )
    return stored


def _update_many(table: Table, pk: list[str], rows: list[dict], actor: str) -> None:
    before = {}
    keys = [tuple(r[n] for n in pk) for r in rows]
    cols = [table.c[n] for n in pk]
    for chunk in _chunks(keys):
        stmt = select(table).where(_keys_where(table, pk, chunk))
        for r in db.session.execute(stmt).mappings():
            before[tuple(r[n] for n in pk)] = dict(r)
    names = [n for n in rows[0] if n not in pk]
    if names:
        stmt = (
            update(table)
            .where(*(c == bindparam(f"k_{c.name}") for c in cols))
            .values({n: bindparam(f"v_{i}") for i, n in enumerate(names)})
        )
        params = [
            {
                **{f"k_{n}": r[n] for n in pk},
                **{f"v_{i}": r.get(n) for i, n in enumerate(names)},
            }
            for r in rows
        ]
        db.session.execute(stmt, params)
    audit = []
    for key, values in zip(keys, rows, strict=True):
        old, new = {}, {}
        for n in names:
            if before[key].get(n) != values.get(n):
                old[n], new[n] = before[key].get(n), values.get(n)
        if new:
            pk_values = dict(zip(pk, key, strict=True))
            audit.append(
                writes.audit_entry(table, pk_values, "import", actor, old, new)
            )
    writes.write_audit(audit)


def _after_check(
    table: Table, access: TableAccess, pk: list[str], keys: list[tuple]
) -> None:
    """Every written row must be inside the caller's import filter."""
    where = writes._visible(access, "import")  # noqa: SLF001
    if not where or not keys:
        return
    inside = _existing(table, pk, keys, *where)
    if len(inside) != len(set(keys)):
        raise writes.OutsideFilter(
            "Some rows would end up outside the rows you may change; nothing was "
            "imported."
        )


# --- keeping the upload between steps -----------------------------------------------


def save_upload(folder: Path, data: bytes) -> str:
    """Store the upload under a random id; delete uploads older than UPLOAD_TTL."""
    folder.mkdir(parents=True, exist_ok=True)
    now = time.time()
    for old in folder.glob("*.csv"):
        try:
            if now - old.stat().st_mtime > UPLOAD_TTL:
                old.unlink()
        except OSError:
            pass
    upload_id = secrets.token_hex(16)
    (folder / f"{upload_id}.csv").write_bytes(data)
    return upload_id


def load_upload(folder: Path, upload_id: str) -> bytes | None:
    """The stored upload, or None when it expired or the id is malformed."""
    if not re.fullmatch(r"[0-9a-f]{32}", upload_id or ""):
        return None
    path = folder / f"{upload_id}.csv"
    try:
        if time.time() - path.stat().st_mtime > UPLOAD_TTL:
            return None
        return path.read_bytes()
    except OSError:
        return None


def discard_upload(folder: Path, upload_id: str) -> None:
    """Delete a stored upload after it was applied."""
    if re.fullmatch(r"[0-9a-f]{32}", upload_id or ""):
        (folder / f"{upload_id}.csv").unlink(missing_ok=True)
