"""What a ruleset's solvers make from expression nodes is made once and shared by every union's solver."""
from __future__ import annotations

import datetime as dt

from engine.language.expr_eval import Env
from engine.language.expr_parse import parse
from engine.plan.by_node import ByNode
from engine.plan.inversion import Solver


def test_made_once_per_node_and_detail():
    made = ByNode()
    calls = []

    def make(node):
        calls.append(node)
        return len(calls)

    node, twin = parse("members >= 3"), parse("members >= 3")
    assert made.made("kind", node, make) == made.made("kind", node, make) == 1
    assert made.made("kind", twin, make) == 2  # an equal node made elsewhere is another node
    assert made.made("kind", node, make, ">=", 4) == 3 and made.made("kind", node, make, "<=", 4) == 4
    assert made.made("other", node, make) == 5


def test_a_closure_is_made_once_per_node_and_evaluates_it():
    made = ByNode()
    node, twin = parse("members >= 3"), parse("members >= 3")
    day = dt.date(2025, 12, 31)
    assert made.closure(node) is made.closure(node)
    assert made.closure(twin) is not made.closure(node)  # an equal node made elsewhere is another node
    assert [made.closure(node)(Env({"members": n}, day)) for n in (2, 3)] == [False, True]
    assert all(entry[0] is node or entry[0] is twin for entry in made.closures.values())  # each entry keeps its node


def test_a_kind_is_emptied_at_its_limit_and_keeps_its_nodes():
    made = ByNode()
    nodes = [parse(f"members >= {n}") for n in range(ByNode.LIMIT + 3)]
    for node in nodes:
        made.made("kind", node, lambda n: n.right.value)
    entries = made.kinds["kind"]
    assert len(entries) == 3
    assert all(node is nodes[ByNode.LIMIT + i] for i, (node, _) in enumerate(entries.values()))


def test_every_union_of_a_ruleset_shares_them(bundled):
    bayou = next(r for r in bundled if r.id == "bayou")
    day = dt.date(2025, 12, 31)
    first, second = Solver(bayou, Env({"members": 3}, day)), Solver(bayou, Env({"members": 9}, day))
    node = parse("members >= 5")
    assert first.shared is second.shared
    assert first.value(node, {}) is False
    closures = dict(first.shared.closures)
    assert second.value(node, {}) is True
    assert first.shared.closures == closures  # compiled for the first union, used by the second
