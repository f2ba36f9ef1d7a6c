"""What a ruleset's planners make from its expression nodes, made once and shared by every union:
each node's closure, its negation, its comparison without rounding, the facts behind it, and the
goal nodes its kinds ask for (`count >= 4`)."""
from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import Any

from ..evaluate.item_memo import made_once
from ..language.expr_parse import Node
from ..language.model import Ruleset


class ByNode:
    """What one ruleset's solvers make from expression nodes (closures, negations, the facts behind a
    comparison, a plan's goals), kept across unions. An entry holds its node, so no other node can take
    its address while it is kept; a kind of entry is emptied when it reaches LIMIT."""

    LIMIT = 4096

    def __init__(self) -> None:
        self.kinds: dict[str, dict[tuple, tuple[Node, Any]]] = {}

    def made(self, kind: str, node: Node, make: Callable[[Any], Any], *detail: Any) -> Any:
        """`make(node)`, made once for the node (and `detail`, what else it depends on)."""
        entries = self.kinds.setdefault(kind, {})
        return made_once(entries, (id(node), *detail), lambda: (node, make(node)), self.LIMIT)[1]


_BY_NODE: weakref.WeakKeyDictionary[Ruleset, ByNode] = weakref.WeakKeyDictionary()


def shared_by_node(ruleset: Ruleset) -> ByNode:
    """The ruleset's shared node results, kept as long as the ruleset is."""
    found = _BY_NODE.get(ruleset)
    if found is None:
        found = _BY_NODE[ruleset] = ByNode()
    return found
