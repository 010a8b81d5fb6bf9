"""OData JSON (minimal metadata) of a feed page, written column by column."""

from __future__ import annotations

import datetime as dt
import decimal
import math
import uuid
from collections.abc import Iterable
from itertools import chain, repeat
from typing import Any
from urllib.parse import urlencode

from app.catalog.entity_sets import property_name, set_name
from app.data.odata_expand import Expansion
from app.data.odata_feed import FeedPage
from app.odata.edm import _string, encode, feed_columns


def _object(names: list[str], row: tuple[Any, ...]) -> str:
    return "{" + ",".join(n + encode(v) for n, v in zip(names, row, strict=True)) + "}"


def _prefixes(columns: list) -> tuple[list[int], list[str]]:
    served = feed_columns(columns)
    keep = [columns.index(c) for c in served]
    return keep, [_string(property_name(c.name)) + ":" for c in served]


_TRUE_FALSE = {True: "true", False: "false"}.__getitem__
_QUOTED = '"{}"'.format
_QUOTED_Z = '"{}Z"'.format


def _raw_texts(values: list[Any], kind: str, types: set[type]) -> list[str] | None:
    """JSON texts of SQLite's own values (REAL or INTEGER decimals, 0/1 Booleans),
    or None when the column holds anything else (its ISO date text goes through
    the plain ``str`` path)."""
    if kind == "bool" and types == {int}:
        return list(map(_TRUE_FALSE, map(bool, values)))
    if kind in ("decimal", "money") and types <= {int, float}:
        if float in types and not all(map(math.isfinite, values)):
            return None
        return list(map(repr, values))
    return None


def _column_texts(values: list[Any], kind: str) -> list[str]:
    """JSON texts of one column's values: by C-level ``map`` when every value has
    one plain type (most columns), else value by value."""
    if not values:
        return []
    types = set(map(type, values))
    if type(None) in types:
        texts = iter(_column_texts([v for v in values if v is not None], kind))
        return ["null" if v is None else next(texts) for v in values]
    raw = _raw_texts(values, kind, types)
    if raw is not None:
        return raw
    if len(types) != 1:
        return [encode(v) for v in values]
    first = types.pop()
    if first is int:
        return list(map(str, values))
    if first is str:
        return list(map(_string, values))
    if first is bool:
        return list(map(_TRUE_FALSE, values))
    if first is decimal.Decimal and all(v.is_finite() for v in values):
        return list(map(format, values, repeat("f")))
    if first is dt.date:
        return list(map(_QUOTED, map(dt.date.isoformat, values)))
    if first is dt.datetime and not any(v.tzinfo for v in values):
        return list(map(_QUOTED_Z, map(dt.datetime.isoformat, values)))
    if first is uuid.UUID:
        return list(map(_QUOTED, values))
    return [encode(v) for v in values]


def _value_columns(page: FeedPage, keep: list[int]) -> list[list[str]]:
    values = list(zip(*page.rows, strict=True))
    kinds = [c.kind for c in page.columns]
    return [_column_texts(list(values[i]), kinds[i]) for i in keep]


def _row_texts(page: FeedPage, keep: list[int], names: list[str]) -> list[str]:
    """Every row's JSON object, built column by column."""
    if not page.rows or not keep:
        return ["{}"] * len(page.rows)
    template = "{" + ",".join(n.replace("%", "%%") + "%s" for n in names) + "}"
    columns = _value_columns(page, keep)
    return [template % texts for texts in zip(*columns, strict=True)]


def _rows_text(page: FeedPage, keep: list[int], names: list[str]) -> str:
    """Every row's JSON object, comma-separated, in one C-level join: the names
    and value texts are interleaved by ``zip`` (no Python call per row)."""
    if not page.rows or not keep:
        return ",".join(["{}"] * len(page.rows))
    parts: list[Iterable[str]] = []
    for n, (name, texts) in enumerate(
        zip(names, _value_columns(page, keep), strict=True)
    ):
        parts += [repeat(("{" if n == 0 else ",") + name), texts]
    parts.append(repeat("},"))
    # The repeats are endless: zip stops at the value columns' common length.
    return "".join(chain.from_iterable(zip(*parts, strict=False)))[:-1]


def _more_link(expansion: Expansion, index: int, root: str) -> str | None:
    """The child entity set filtered to this parent, past the rows shown (the
    collection's order is the child set's own key order)."""
    key = expansion.keys[index]
    if isinstance(key, bool) or not isinstance(key, int | str):
        return None
    literal = str(key) if isinstance(key, int) else "'" + key.replace("'", "''") + "'"
    nav = expansion.navigation
    query = urlencode(
        {
            "$filter": f"{property_name(nav.remote)} eq {literal}",
            "$skip": str(len(expansion.rows[index])),
        }
    )
    return root + set_name(nav.target.info.key) + "?" + query


def _expanded(page: FeedPage, index: int, root: str) -> str:
    parts = []
    for name, expansion in page.expanded.items():
        keep, names = _prefixes(expansion.columns)
        found = expansion.rows[index]
        if not expansion.navigation.many:
            text = "null" if found is None else _object(names, _kept(found, keep))
            parts.append(_string(name) + ":" + text)
            continue
        link = _more_link(expansion, index, root) if expansion.more[index] else None
        if link:  # annotations come before their property (odata.streaming)
            parts.append(_string(name + "@odata.nextLink") + ":" + _string(link))
        objects = ",".join(_object(names, _kept(row, keep)) for row in found)
        parts.append(_string(name) + ":[" + objects + "]")
    return ("," + ",".join(parts)) if parts else ""


def _kept(row: tuple[Any, ...], keep: list[int]) -> tuple[Any, ...]:
    return tuple(row[i] for i in keep)


def _with_expanded(text: str, page: FeedPage, index: int, root: str) -> str:
    extra = _expanded(page, index, root)
    if not extra:
        return text
    return text[:-1] + (extra[1:] if text == "{}" else extra) + "}"


def page_body(page: FeedPage, context: str, next_link: str | None, root: str) -> bytes:
    """The collection response (context, count, value rows, nextLink) as one body.

    One page is at most ODATA_PAGE_SIZE rows already fetched, so memory is bounded
    by a page however many pages a client reads; a single body with a
    Content-Length costs the server and the client far less than chunked writes.
    """
    head = '{"@odata.context":' + _string(context)
    if page.count is not None:
        head += ',"@odata.count":' + str(page.count)
    keep, names = _prefixes(page.columns)
    if page.objects is not None:
        rows = ",".join(page.objects)
    elif page.expanded:
        texts = _row_texts(page, keep, names)
        rows = ",".join(_with_expanded(t, page, n, root) for n, t in enumerate(texts))
    else:
        rows = _rows_text(page, keep, names)
    tail = "]"
    if next_link:
        tail += ',"@odata.nextLink":' + _string(next_link)
    # The database's texts may hold any character (the Python writer's are ASCII);
    # a lone surrogate from SQL Server's UCS-2 becomes its JSON escape, as the
    # Python writer writes it.
    return (head + ',"value":[' + rows + tail + "}").encode("utf-8", "backslashreplace")


def entity_text(page: FeedPage, context: str, root: str) -> str:
    """A single entity response."""
    keep, names = _prefixes(page.columns)
    text = _with_expanded(_object(names, _kept(page.rows[0], keep)), page, 0, root)
    return '{"@odata.context":' + _string(context) + "," + text[1:]
