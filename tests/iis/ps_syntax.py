"""PowerShell syntax trees from tree-sitter-powershell, for checking setup.ps1 on Linux.

No PowerShell runs on these machines; the grammar is enough to check that the script
parses, to list the commands it runs and to see which ``if`` conditions guard each.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import tree_sitter_powershell
from tree_sitter import Language, Node, Parser, Tree

PARSER = Parser(Language(tree_sitter_powershell.language()))


def parse(source: str) -> Tree:
    """Parse PowerShell source text."""
    return PARSER.parse(source.encode("utf-8"))


def walk(node: Node) -> Iterator[Node]:
    """Every node under ``node`` (itself included), depth first."""
    yield node
    for child in node.children:
        yield from walk(child)


def text(node: Node) -> str:
    """The source text a node covers."""
    return node.text.decode("utf-8")


def syntax_errors(tree: Tree) -> list[str]:
    """ERROR and MISSING nodes, as 'line:column text' strings."""
    return [
        f"{n.start_point[0] + 1}:{n.start_point[1] + 1} {n.type} {text(n)[:80]!r}"
        for n in walk(tree.root_node)
        if n.type == "ERROR" or n.is_missing
    ]


@dataclass(frozen=True)
class Invocation:
    """A command or static method call and the ``if`` conditions around it."""

    name: str
    source: str
    line: int
    guards: tuple[str, ...]  # conditions of enclosing if blocks; "else:" if negated


def _guards(node: Node) -> tuple[str, ...]:
    conditions = []
    current = node
    while current.parent is not None:
        parent = current.parent
        if current.type == "statement_block" and parent.type == "if_statement":
            condition = _cond(parent)
            conditions.append(text(condition) if condition else "")
        elif current.type == "statement_block" and parent.type in {
            "else_clause",
            "elseif_clause",
        }:
            condition = _cond(parent.parent)
            conditions.append("else: " + (text(condition) if condition else ""))
        current = parent
    return tuple(conditions)


def _cond(if_node: Node) -> Node | None:
    for child in if_node.children:
        if child.type == "pipeline":
            return child
    return None


def _command_name(node: Node) -> str:
    for child in node.children:
        if child.type in {"command_name", "command_name_expr"}:
            return text(child)
    return ""


def invocations(tree: Tree) -> list[Invocation]:
    """Commands (``New-Item``, ``& robocopy``) and ``[Type]::Method(...)`` calls."""
    found = []
    for node in walk(tree.root_node):
        if node.type == "command":
            name = _command_name(node)
        elif node.type == "invokation_expression" and text(node).startswith("["):
            name = text(node).split("(", 1)[0]
        else:
            continue
        found.append(
            Invocation(name, text(node), node.start_point[0] + 1, _guards(node))
        )
    return found


def function_bodies(tree: Tree) -> dict[str, str]:
    """Function name -> source text of its definition."""
    bodies = {}
    for node in walk(tree.root_node):
        if node.type == "function_statement":
            name = next(c for c in node.children if c.type == "function_name")
            bodies[text(name)] = text(node)
    return bodies


def script_parameters(tree: Tree) -> dict[str, str | None]:
    """The script's own param() block: name -> default value source (None if none)."""
    block = next(c for c in tree.root_node.children if c.type == "param_block")
    params: dict[str, str | None] = {}
    for node in walk(block):
        if node.type == "script_parameter":
            name = next(c for c in node.children if c.type == "variable")
            default = next(
                (c for c in node.children if c.type == "script_parameter_default"),
                None,
            )
            value = text(default).lstrip("=").strip() if default else None
            params[text(name).lstrip("$")] = value
    return params


def script_attributes(tree: Tree) -> str:
    """Source text of the attributes on the script's param() block."""
    block = next(c for c in tree.root_node.children if c.type == "param_block")
    return " ".join(text(c) for c in block.children if c.type == "attribute_list")
