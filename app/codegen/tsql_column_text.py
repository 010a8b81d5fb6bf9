"""The text of column definitions in a CREATE TABLE, as SQL Server stores it.

sqlglot's tree re-spells what it parses, so each column's type name, DEFAULT and
computed expression are sliced from the batch's tokens as written, then normalised
the way SQL Server keeps them in its catalog: defaults as ``((1))``, ``(getdate())``,
``('open')``; computed expressions in one pair of parentheses without brackets around
plain names, CHECK conditions without their outer parentheses.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from sqlglot import exp
from sqlglot.dialects.tsql import TSQL
from sqlglot.tokens import Token, TokenType

NUMBER = re.compile(r"^-?\d+(\.\d*)?$")
SIMPLE_BRACKETED = re.compile(r"\[([A-Za-z_][A-Za-z0-9_]*)\]")
TABLE_CONSTRAINT_HEADS = {
    "CONSTRAINT",
    "PRIMARY",
    "UNIQUE",
    "FOREIGN",
    "CHECK",
    "INDEX",
}
# Where a DEFAULT or computed expression ends when not parenthesised.
EXPRESSION_STOPS = {
    "CONSTRAINT", "NOT", "NULL", "PRIMARY", "UNIQUE", "CHECK", "REFERENCES",
    "DEFAULT", "PERSISTED", "FOREIGN",
}  # fmt: skip


@dataclass
class ColumnSource:
    """Raw text of one column definition, sliced from the tokens (exact spelling)."""

    type_name: str | None = None
    default: str | None = None
    computed: str | None = None


def column_sources(batch: str) -> dict[str, ColumnSource]:
    """Column name -> raw type name, DEFAULT and computed text, for a CREATE TABLE."""
    tokens = TSQL().tokenize(batch)
    start = next(
        (i for i, t in enumerate(tokens) if t.token_type == TokenType.L_PAREN), None
    )
    if start is None:
        return {}
    sources: dict[str, ColumnSource] = {}
    for segment in _segments(tokens, start + 1):
        if not segment or _word(segment[0]) in TABLE_CONSTRAINT_HEADS:
            continue
        source = ColumnSource()
        if len(segment) > 1 and segment[1].token_type == TokenType.ALIAS:
            source.computed = _slice(batch, _expression(segment, 2))
        elif len(segment) > 1:
            source.type_name = segment[1].text
        for i, token in enumerate(segment):
            if token.token_type == TokenType.DEFAULT:
                source.default = _slice(batch, _expression(segment, i + 1))
        sources[segment[0].text] = source
    return sources


def _segments(tokens: list[Token], start: int) -> Iterator[list[Token]]:
    """Split the tokens of a parenthesised list on top-level commas."""
    depth, segment = 0, []
    for token in tokens[start:]:
        if token.token_type == TokenType.L_PAREN:
            depth += 1
        elif token.token_type == TokenType.R_PAREN:
            if depth == 0:
                break
            depth -= 1
        elif token.token_type == TokenType.COMMA and depth == 0:
            yield segment
            segment = []
            continue
        segment.append(token)
    yield segment


def _expression(segment: list[Token], start: int) -> list[Token]:
    """The tokens of one expression: a balanced run up to a keyword at depth 0."""
    depth, taken = 0, []
    for token in segment[start:]:
        if depth == 0 and taken and _word(token) in EXPRESSION_STOPS:
            break
        if token.token_type == TokenType.L_PAREN:
            depth += 1
        elif token.token_type == TokenType.R_PAREN:
            depth -= 1
        taken.append(token)
    return taken


def _word(token: Token) -> str:
    parts = token.text.upper().split()
    return parts[0] if parts and token.token_type != TokenType.IDENTIFIER else ""


def _slice(batch: str, tokens: list[Token]) -> str | None:
    return batch[tokens[0].start : tokens[-1].end + 1] if tokens else None


def _strip_parens(sql: str) -> str:
    sql = sql.strip()
    while sql.startswith("(") and sql.endswith(")") and _balanced(sql[1:-1]):
        sql = sql[1:-1].strip()
    return sql


def _balanced(sql: str) -> bool:
    depth = 0
    for char in sql:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth < 0:
            return False
    return depth == 0


def default_text(raw: str) -> str:
    """``1`` -> ``((1))``, ``NEWID()`` -> ``(newid())``, ``'x'`` -> ``('x')``."""
    inner = _strip_parens(raw)
    if NUMBER.match(inner):
        return f"(({inner}))"
    if not inner.startswith(("'", "N'")):
        inner = re.sub(r"\b(\w+)\s*\(", lambda m: m.group(1).lower() + "(", inner)
    return f"({inner})"


def computed_text(raw: str) -> str:
    """``([quantity]*[unit_price])`` -> ``(quantity*unit_price)`` (portable)."""
    unbracketed = SIMPLE_BRACKETED.sub(r"\1", _strip_parens(raw))
    return f"({unbracketed})"


def check_text(check: exp.Expression) -> str:
    return _strip_parens(check.this.sql())
