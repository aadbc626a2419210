"""YAML from untrusted files, with its work bounded (Kubernetes manifests, compose files).

A file is composed into PyYAML's node tree with the safe loader (no constructor runs, so no tag
builds an object), and composing stops after a budget of nodes (``compose``/``compose_all``:
``TooManyNodes``), which bounds memory. A node tree is small but what it stands for need not
be: an alias (``*a``) and a merge key (``<<: *a``) reach a node again each time they are
written, and a few hundred bytes of nested aliases stand for billions of nodes (a "billion
laughs", or a merge-key bomb). ``count`` walks the documents as a reader sees them, every alias
and merge key followed each time it is reached, and stops at a budget of visits
(``TooBig``): a reader counts before it expands anything.

PyYAML is imported only when a file is read.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from typing import Any

_Node = Any  # a yaml.Node


class TooManyNodes(Exception):
    """The file holds more YAML nodes than the composing budget."""


class TooBig(Exception):
    """The documents expand (aliases and merge keys followed) to more nodes than the budget."""


@cache
def _loader() -> type[Any]:
    """PyYAML's safe loader that stops composing after ``limit`` nodes (aliases included)."""
    import yaml  # type: ignore[import-untyped, unused-ignore]

    class Loader(yaml.SafeLoader):  # type: ignore[misc, unused-ignore]
        composed = 0
        limit = 0

        def compose_node(self, parent: Any, index: Any) -> Any:
            self.composed += 1
            if self.composed > self.limit:
                raise TooManyNodes
            return super().compose_node(parent, index)

    return Loader


def compose_all(text: str, limit: int) -> list[_Node]:
    """The node tree of each document, as ``yaml.compose_all``; over ``limit`` nodes:
    ``TooManyNodes``. PyYAML's errors (``yaml.YAMLError``, ``RecursionError`` on deep nesting)
    pass through."""
    loader = _loader()(text)
    loader.limit = limit
    try:
        documents: list[_Node] = []
        while loader.check_node():
            documents.append(loader.get_node())
        return documents
    finally:
        loader.dispose()


def compose(text: str, limit: int) -> _Node | None:
    """The node tree of a file of one document (None: empty), as ``yaml.compose``; over
    ``limit`` nodes: ``TooManyNodes``."""
    loader = _loader()(text)
    loader.limit = limit
    try:
        return loader.get_single_node()
    finally:
        loader.dispose()


def count(roots: Iterable[_Node], budget: int, max_depth: int, visits: int = 0) -> int:
    """``visits`` plus the nodes under ``roots``, each alias and merge key counted every time it
    is reached (an explicit stack, no recursion; below ``max_depth`` nothing is followed, so a
    node that holds itself ends); over ``budget``: ``TooBig``. Every walk a reader makes that
    follows no deeper reaches a subset of what is counted here."""
    stack: list[tuple[_Node, int]] = [(root, 0) for root in roots]
    while stack:
        node, depth = stack.pop()
        visits += 1
        if visits > budget:
            raise TooBig
        if depth >= max_depth:
            continue
        kind = getattr(node, "id", None)
        if kind == "mapping":
            for key, value in node.value:
                stack.append((key, depth + 1))
                stack.append((value, depth + 1))
        elif kind == "sequence":
            stack.extend((item, depth + 1) for item in node.value)
    return visits
