"""What a ruleset's planners make from its expression nodes, made once and shared by every union:
each node's closure, its negation, its comparison without rounding, the facts behind it, and the
goal nodes its kinds ask for (`count >= 4`)."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..evaluate.item_memo import made_once
from ..language.by_ruleset import ByRuleset
from ..language.expr_eval import Closure, to_closure
from ..language.expr_parse import Node
from ..language.model import Ruleset


class ByNode:
    """What one ruleset's solvers make from expression nodes (closures, negations, the facts behind a
    comparison, a plan's goals), kept across unions. An entry holds its node, so no other node can take
    its address while it is kept; a kind of entry is emptied when it reaches LIMIT."""

    LIMIT = 4096

    def __init__(self) -> None:
        self.kinds: dict[str, dict[tuple, tuple[Node, Any]]] = {}
        self.closures: dict[int, tuple[Node, Closure]] = {}

    def closure(self, node: Node) -> Closure:
        """The node's compiled closure, made once: a solver asks for one with every value it computes, so the
        lookup skips `made`'s general key."""
        try:
            return self.closures[id(node)][1]
        except KeyError:
            return made_once(self.closures, id(node), lambda: (node, to_closure(node)), self.LIMIT)[1]

    def made(self, kind: str, node: Node, make: Callable[[Any], Any], *detail: Any) -> Any:
        """`make(node)`, made once for the node (and `detail`, what else it depends on)."""
        entries = self.kinds.setdefault(kind, {})
        return made_once(entries, (id(node), *detail), lambda: (node, make(node)), self.LIMIT)[1]


_BY_NODE: ByRuleset[ByNode] = ByRuleset(lambda ruleset: ByNode())


def shared_by_node(ruleset: Ruleset) -> ByNode:
    """The ruleset's shared node results, kept as long as the ruleset is."""
    return _BY_NODE.of(ruleset)
