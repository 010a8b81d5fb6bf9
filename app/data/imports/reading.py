"""Reading an uploaded CSV: decode (UTF-8, BOM, UTF-16, Windows-1252), sniff the
delimiter, split the header and stream the data rows."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass

from app.data.row_stream import RowStream
from app.data.xlsx_rows import XLSX_MAGIC, BadWorkbook, XlsxRows, read_header

DELIMITERS = ",;\t|"


class UnreadableFile(ValueError):
    """The file cannot be read at all (encoding, empty, no header)."""


_LINE_END = re.compile(r"\r\n?|\n")
LINE_BLOCK = 1 << 16  # characters of text handed to one StringIO


def text_lines(text: str) -> Iterator[str]:
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


class CsvRows(RowStream):
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
        reader = csv.reader(text_lines(self.text), delimiter=self.delimiter)
        rows = (r for r in reader if any(map(str.strip, r)))  # skip blank rows
        for _ in range(self.skip):
            next(rows, None)
        return rows


@dataclass
class ParsedFile:
    """A decoded CSV: encoding, delimiter, header and data rows (as text)."""

    encoding: str
    delimiter: str
    headers: list[str]
    rows: CsvRows | XlsxRows


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
        reader = csv.reader(text_lines(text), delimiter=delimiter)
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
