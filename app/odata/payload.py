"""OData JSON (minimal metadata) of a feed page, written row by row."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from app.data.odata_feed import FeedPage
from app.odata.edm import _string, encode, feed_columns

ROWS_PER_CHUNK = 500


def _object(names: list[str], row: tuple[Any, ...]) -> str:
    return "{" + ",".join(n + encode(v) for n, v in zip(names, row, strict=True)) + "}"


def _prefixes(columns: list) -> tuple[list[int], list[str]]:
    served = feed_columns(columns)
    keep = [columns.index(c) for c in served]
    return keep, [_string(c.name) + ":" for c in served]


def _expanded(page: FeedPage, index: int) -> str:
    parts = []
    for name, (_scope, columns, rows) in page.expanded.items():
        keep, names = _prefixes(columns)
        row = rows[index]
        text = "null" if row is None else _object(names, tuple(row[i] for i in keep))
        parts.append(_string(name) + ":" + text)
    return ("," + ",".join(parts)) if parts else ""


def page_chunks(page: FeedPage, context: str, next_link: str | None) -> Iterator[str]:
    """The collection response: context, count, value rows, nextLink."""
    head = '{"@odata.context":' + _string(context)
    if page.count is not None:
        head += ',"@odata.count":' + str(page.count)
    yield head + ',"value":['
    keep, names = _prefixes(page.columns)
    buffer = []
    for index, row in enumerate(page.rows):
        text = _object(names, tuple(row[i] for i in keep))
        if page.expanded:
            text = text[:-1] + _expanded(page, index) + "}"
        buffer.append(text)
        if len(buffer) >= ROWS_PER_CHUNK:
            yield ("," if index >= ROWS_PER_CHUNK else "") + ",".join(buffer)
            buffer = []
    if buffer:
        yield ("," if len(page.rows) > len(buffer) else "") + ",".join(buffer)
    tail = "]"
    if next_link:
        tail += ',"@odata.nextLink":' + _string(next_link)
    yield tail + "}"


def entity_text(page: FeedPage, context: str) -> str:
    """A single entity response."""
    keep, names = _prefixes(page.columns)
    text = _object(names, tuple(page.rows[0][i] for i in keep))
    if page.expanded:
        text = text[:-1] + _expanded(page, 0) + "}"
    return '{"@odata.context":' + _string(context) + "," + text[1:]
