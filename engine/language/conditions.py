"""Conditions compiled to rules: a logic tree (and/or/not) over atoms, per condition of a ruleset.

Python computes each atom's operand exactly (ratios, dates, nulls); what is left is a plain
comparison against 0, a string or a truth value, and the logic that joins them. That part is
what durable-rules evaluates (two rules per condition: "holds" and "fails"; neither firing
means null), and what `oracle_truths` evaluates in pure Python as the test oracle.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from ..diagnostics import Mark, blamed
from ..values import Null, merge_nulls
from .expr_eval import Closure, Env, compare_values, kleene, kleene_not, to_closure
from .expr_parse import Binary, BoolOp, Call, Compare, ListLit, Literal, Node, Unary, children, names_in
from .expressions import Expression
from .functions import READ_RESULTS

# What one durable-rules rule holds (engine/evaluate/durable_adapter.py measures the real limits: 63 alpha
# stack slots, 15 groups): a condition beyond this is one atom computed in Python, with the same value.
MAX_RULE_ATOMS, MAX_RULE_GROUPS = 48, 15
NEGATED = {"<": ">=", ">=": "<", ">": "<=", "<=": ">", "==": "!=", "!=": "=="}
DURABLE_OP = {"<": "$lt", "<=": "$lte", ">": "$gt", ">=": "$gte", "!=": "$neq"}
MIN_MAGNITUDE, MAX_MAGNITUDE = 0.0001, 1e15


@dataclass(frozen=True, slots=True)
class Cond:
    """A boolean expression, and its index in the ruleset's compiled `ConditionSet`."""

    index: int
    expr: Expression


@dataclass(frozen=True, slots=True)
class Atom:
    """One leaf: `key(env)` compared by `op` with `target` (0 for numbers, a text, or true). `reads`: the
    values `key` reads besides the assessment date (None: it reads a used ruleset's results too)."""

    field: str
    kind: str  # "num" | "str" | "bool"
    op: str
    target: Any
    key: Closure
    reads: frozenset[str] | None


@dataclass(frozen=True, slots=True)
class Logic:
    op: str  # "and" | "or" | "not"
    parts: tuple[Tree, ...]


Tree = Atom | Logic


@dataclass(frozen=True)
class ConditionSet:
    """Every condition of a ruleset, in a fixed order, over one shared list of atoms."""

    keys: tuple[str, ...]
    trees: tuple[Tree, ...]
    atoms: tuple[Atom, ...]
    marks: tuple[Mark, ...] = ()  # where each condition is written

    def atom_values(self, env: Env) -> list[Any]:
        try:
            return [atom.key(env) for atom in self.atoms]
        except Exception:
            self.blame(env)
            raise

    def atom_values_after(self, env: Env, before: list[Any], changed: set[str]) -> tuple[list[Any], list[int]]:
        """The atoms' values in `env`, which holds the values of `before`'s environment but the `changed` names
        and the same date: an atom reading none of those keeps its value. Also the conditions whose atoms
        were computed again: the others keep their truths."""
        values, again = list(before), []
        try:
            for index, atom in enumerate(self.atoms):
                if atom.reads is None or not atom.reads.isdisjoint(changed):
                    values[index] = atom.key(env)
                    again.append(index)
        except Exception:
            self.blame(env)
            raise
        return values, sorted({self.condition_of[index] for index in again})

    @cached_property
    def condition_of(self) -> dict[int, int]:
        """The condition each atom is part of (one: every condition has atoms of its own), by atom index."""
        return {field: index for index, fields in enumerate(self.atoms_of) for field in fields}

    def blame(self, env: Env) -> None:
        """Compute the atoms again, one by one, to name the condition whose atom fails (error path only)."""
        for number, atom in enumerate(self.atoms):
            index = self.condition_of.get(number)
            mark = self.marks[index] if index is not None and index < len(self.marks) else None
            with blamed(f"条件 “{self.keys[index]}”" if index is not None else "条件", mark):
                atom.key(env)

    def rules(self) -> dict[str, dict]:
        """The durable-rules conditions: `<n>:t` holds when condition n is true, `<n>:f` when false."""
        rules = {}
        for index, tree in enumerate(self.trees):
            rules[f"{index}:t"] = durable_condition(tree, True)
            rules[f"{index}:f"] = durable_condition(tree, False)
        return rules

    def rule_names(self, conditions: Iterable[int]) -> set[str]:
        """The names `rules` gives the durable-rules rules of the `conditions` (by index)."""
        return {f"{index}:{way}" for index in conditions for way in "tf"}

    def durable_fact(self, values: list[Any], conditions: Iterable[int] | None = None) -> dict[str, Any]:
        """The fact durable-rules sees: one field per known atom (of the atoms of `conditions` only, by index,
        when given: a rule reads the atoms of its own condition and no others); an unknown atom is left out."""
        if conditions is None:
            return {atom.field: encode(atom, value) for atom, value in zip(self.atoms, values) if not isinstance(value, Null)}
        picked = ((self.atoms[index], values[index]) for condition in conditions for index in self.atoms_of[condition])
        return {atom.field: encode(atom, value) for atom, value in picked if not isinstance(value, Null)}

    @cached_property
    def atoms_of(self) -> tuple[list[int], ...]:
        """The indexes of each condition's atoms, by condition index."""
        return tuple(atom_fields(tree) for tree in self.trees)

    def truths_from_fired(self, fired: set[str], values: list[Any], conditions: Sequence[int] | None = None) -> list[Any]:
        """Per condition (of `conditions` only, when given): True, False, or a null carrying the causes that
        leave it undecided."""
        truths: list[Any] = []
        for index in range(len(self.trees)) if conditions is None else conditions:
            holds, fails = f"{index}:t" in fired, f"{index}:f" in fired
            if holds and fails:
                raise RuntimeError(f"condition {self.keys[index]} both held and failed")
            truths.append(True if holds else False if fails else self.null_causes(index, values))
        return truths

    def null_causes(self, index: int, values: list[Any]) -> Null:
        """Why condition `index` neither held nor failed: only the nulls that leave it undecided.

        `a or (b and c)` with `c` false is null because of `a` alone, not `b`; a three-valued walk
        over the atoms finds that, and checks that it agrees with durable-rules.
        """
        tree = self.trees[index]
        truth = evaluate_tree(tree, {f"a{f}": values[f] for f in atom_fields(tree)})
        if not isinstance(truth, Null):
            raise RuntimeError(f"condition {self.keys[index]} neither held nor failed in durable-rules, but is {truth}")
        return truth


def oracle_truths(compiled: ConditionSet, values: list[Any], conditions: Sequence[int] | None = None) -> list[Any]:
    """The pure-Python evaluation of the same compiled conditions (three-valued); of `conditions` only
    (by index), when given."""
    index = {atom.field: value for atom, value in zip(compiled.atoms, values)}
    trees = compiled.trees if conditions is None else [compiled.trees[i] for i in conditions]
    return [evaluate_tree(tree, index) for tree in trees]


def evaluate_tree(tree: Tree, values: dict[str, Any]) -> Any:
    if isinstance(tree, Atom):
        return atom_truth(tree, values[tree.field])
    parts = [evaluate_tree(part, values) for part in tree.parts]
    return kleene_not(parts[0]) if tree.op == "not" else kleene(tree.op, parts)


def atom_truth(atom: Atom, value: Any) -> Any:
    if isinstance(value, Null) or atom.kind == "bool":
        return value
    return compare_values(atom.op, value, atom.target)


def atom_fields(tree: Tree) -> list[int]:
    if isinstance(tree, Atom):
        return [int(tree.field[1:])]
    return [f for part in tree.parts for f in atom_fields(part)]


def encode(atom: Atom, value: Any) -> Any:
    """Numbers keep their sign exactly, as a float in plain decimal range; truth values as 1/0."""
    if atom.kind == "bool":
        return 1 if value else 0
    if atom.kind == "str":
        return value
    if value == 0:
        return 0
    return magnitude(abs(value)) if value > 0 else -magnitude(abs(value))


def magnitude(value: Any) -> float:
    """A positive exact number as a float in durable's plain range, compared before converting
    (a 400-digit integer has no float)."""
    if value >= MAX_MAGNITUDE:
        return MAX_MAGNITUDE
    return MIN_MAGNITUDE if value <= MIN_MAGNITUDE else float(value)


def durable_condition(tree: Tree, positive: bool) -> dict:
    """The durable JSON for "tree holds" (or "tree fails"), negation pushed down to the atoms."""
    if isinstance(tree, Atom):
        return atom_condition(tree, positive)
    if tree.op == "not":
        return durable_condition(tree.parts[0], not positive)
    joins_with_and = (tree.op == "and") == positive
    parts = [durable_condition(part, positive) for part in tree.parts]
    return parts[0] if len(parts) == 1 else {"$and" if joins_with_and else "$or": parts}


def atom_condition(atom: Atom, positive: bool) -> dict:
    if atom.kind == "bool":
        return {atom.field: 1 if positive else 0}
    op = atom.op if positive else NEGATED[atom.op]
    if op == "==":
        return {atom.field: atom.target}
    return {DURABLE_OP[op]: {atom.field: atom.target}}


class TreeBuilder:
    """Splits boolean expressions into atoms, numbering them across a whole ruleset."""

    def __init__(self) -> None:
        self.atoms: list[Atom] = []

    def condition(self, node: Node, kinds: dict[int, str]) -> Tree:
        """A whole condition's tree; one too large for a durable-rules rule becomes a single atom."""
        start = len(self.atoms)
        tree = self.build(node, kinds)
        if fits_rule(tree):
            return tree
        del self.atoms[start:]
        return self.atom("bool", "==", True, to_closure(node), node)

    def atom(self, kind: str, op: str, target: Any, key: Closure, node: Node) -> Atom:
        """A new atom: `key` evaluates `node`, or a part of it (a comparison's two sides)."""
        atom = Atom(f"a{len(self.atoms)}", kind, op, target, key, reads_of(node))
        self.atoms.append(atom)
        return atom

    def build(self, node: Node, kinds: dict[int, str]) -> Tree:
        if isinstance(node, BoolOp):
            return Logic(node.op, tuple(self.build(v, kinds) for v in node.values))
        if isinstance(node, Unary) and node.op == "not":
            return Logic("not", (self.build(node.operand, kinds),))
        if isinstance(node, Compare):
            return self.comparison(node, kinds.get(id(node), "null"))
        return self.atom("bool", "==", True, to_closure(node), node)

    def comparison(self, node: Compare, kind: str) -> Tree:
        if node.op in ("in", "not in") and literal_list(node.right):
            return self.membership(node, kind)
        if kind in ("number", "date") and node.op in NEGATED:
            return self.atom("num", node.op, 0, difference(node, kind), node)
        literal_side = literal_text(node.right) if kind == "string" else None
        if literal_side is not None and node.op in ("==", "!="):
            return self.atom("str", node.op, literal_side, to_closure(node.left), node.left)
        return self.atom("bool", "==", True, to_closure(node), node)

    def membership(self, node: Compare, kind: str) -> Tree:
        """`x in [a, b]` as `x == a or x == b`; a null element stays, so a miss is null as in evaluation."""
        assert isinstance(node.right, ListLit)  # the type checker allows `in` with a list literal only
        equal = [self.comparison(Compare(node.offset, node.length, "==", node.left, item), kind) for item in node.right.items]
        tree: Tree = Logic("or", tuple(equal))
        return Logic("not", (tree,)) if node.op == "not in" else tree


def reads_of(node: Node) -> frozenset[str] | None:
    """The values an atom over `node` reads; None when it calls a function that reads used results."""
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, Call) and current.func in READ_RESULTS:
            return None
        stack.extend(children(current))
    return frozenset(names_in(node))


def fits_rule(tree: Tree) -> bool:
    """Whether a tree stays within `MAX_RULE_ATOMS` and `MAX_RULE_GROUPS` in both polarities."""
    atoms = groups = 0
    stack = [tree]
    while stack:
        current = stack.pop()
        if isinstance(current, Atom):
            atoms += 1
        else:
            groups += current.op != "not"
            stack.extend(current.parts)
    return atoms <= MAX_RULE_ATOMS and groups <= MAX_RULE_GROUPS


def literal_list(node: Node) -> bool:
    """A non-empty list of literals (`x in []` stays one atom: it is null when x is)."""
    return isinstance(node, ListLit) and bool(node.items) and all(isinstance(i, Literal) for i in node.items)


def literal_text(node: Node) -> str | None:
    return node.value if isinstance(node, Literal) and isinstance(node.value, str) else None


def difference(node: Compare, kind: str) -> Closure:
    """left − right, exactly (days for dates): its sign decides the comparison."""
    minus = to_closure(Binary(node.offset, node.length, "-", node.left, node.right))
    if kind == "number":
        return minus
    left, right = to_closure(node.left), to_closure(node.right)

    def days(env: Env) -> Any:
        a, b = left(env), right(env)
        return merge_nulls((a, b)) if isinstance(a, Null) or isinstance(b, Null) else (a - b).days

    return days


def comparison_kinds(node: Node, infer_kind: Any) -> dict[int, str]:
    """The operand type of every comparison in a tree, keyed by node identity."""
    kinds: dict[int, str] = {}
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, Compare):
            left, right = infer_kind(current.left), infer_kind(current.right)
            if current.op in ("in", "not in"):
                right = right[5:-1]
            kinds[id(current)] = left if left != "null" else right
        stack.extend(children(current))
    return kinds


def compile_conditions(entries: list[tuple[str, Expression]], infer_kind: Any) -> ConditionSet:
    """One `ConditionSet` for the (key, boolean expression) pairs of a ruleset."""
    builder = TreeBuilder()
    trees = []
    for _, expression in entries:
        kinds = comparison_kinds(expression.node, infer_kind)
        trees.append(builder.condition(expression.node, kinds))
    return ConditionSet(tuple(k for k, _ in entries), tuple(trees), tuple(builder.atoms), tuple(e.mark for _, e in entries))
