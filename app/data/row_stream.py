"""Rows of an uploaded file, read on demand: CSV text and XLSX sheets alike."""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence

HEAD_ROWS = 20  # rows read and kept by the first indexing (previews ask for fewer)


class RowStream(Sequence[list[str]]):
    """A file's data rows, parsed again on each pass (never all held as lists).

    Subclasses give ``__iter__``. ``len`` is counted once (or set by the pass that
    validates); indexing is meant for the first few rows of a preview."""

    count: int | None = None
    _head: list[list[str]]

    def __iter__(self) -> Iterator[list[str]]:
        raise NotImplementedError

    def __len__(self) -> int:
        if self.count is None:
            self.count = sum(1 for _ in self)
        return self.count

    def __getitem__(self, index):  # type: ignore[override]
        if isinstance(index, slice) or index < 0:
            return list(self)[index]
        head = getattr(self, "_head", [])
        if index >= len(head):
            head = self._head = list(
                itertools.islice(iter(self), max(index + 1, HEAD_ROWS))
            )
        return head[index]
