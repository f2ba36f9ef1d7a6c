"""What one union's figures say about a condition: the values a reason cites, with their names.

Built on a ruleset's `Phrasing` (engine/language/phrasing.py). A figure is a value with its label and
unit, and the facts behind it when it is derived or computed: 「会员入会率 73.8%（会员人数 31 人，
职工人数 42 人）」. The evidence of a condition is the parts that decided it: of a false `and`
the parts that fail, of a true `or` the parts that hold.
"""
from __future__ import annotations

from ..values import Null
from .expr_eval import Env
from .expr_parse import Binary, BoolOp, Call, Compare, ListLit, Literal, Name, Node, Unary
from .expressions import Expression
from .phrasing import Phrasing, relation

Leaf = tuple[Node, bool]  # a part of a condition and the truth it had


def figure(p: Phrasing, node: Node, expr: Expression, env: Env) -> str:
    """A value with its name: 「会员入会率 73.8%（会员人数 31 人，职工人数 42 人）」."""
    value = p.evaluate(node, env)
    if isinstance(node, Call) and node.func == "passed":
        done = "未评估" if isinstance(value, Null) else "达标" if value else "未达标"
        return f"{p.passed_subject(node, expr.text, env.results)} {done}"
    name, unit, path, behind = p.figure_parts(node, expr, env.results)
    joint = "：" if isinstance(value, (bool, str)) else " 为 " if isinstance(node, Binary) else " "  # 「每届任期 + 1 为 4 年」
    shown = f"{name}{joint}{p.display(value, unit, path, env.results)}"
    if not behind:
        return shown
    return shown + "（" + "，".join(f"{label} {p.display(env.get(n), u, n, env.results)}" for label, u, n in behind) + "）"


def figures(p: Phrasing, parts: list[tuple[Node, Expression]], env: Env) -> str:
    """The figures of values, each given with the expression it is part of; a figure shown twice is shown once."""
    return "，".join(dict.fromkeys(figure(p, node, expr, env) for node, expr in parts))


def evidence(p: Phrasing, node: Node, env: Env, want: bool) -> list[Leaf]:
    """The parts of a condition that make it come out `want`."""
    if isinstance(node, Unary) and node.op == "not":
        return evidence(p, node.operand, env, not want)
    if not isinstance(node, BoolOp):
        return [(node, want)]
    if (node.op == "and") == want:  # a true `and`, a false `or`: every part
        return [leaf for v in node.values for leaf in evidence(p, v, env, want)]
    values = [p.evaluate(v, env) for v in node.values]  # else the parts that decide it,
    chosen = [v for v, x in zip(node.values, values) if x is want]
    chosen = chosen or [v for v, x in zip(node.values, values) if x is not True]  # or, for a null `and`, the unknown ones
    return [leaf for v in chosen for leaf in evidence(p, v, env, want)]


def leaves(node: Node) -> list[Node]:
    """The parts of a condition below its `and`, `or` and `not`."""
    if isinstance(node, BoolOp):
        return [leaf for value in node.values for leaf in leaves(value)]
    return leaves(node.operand) if isinstance(node, Unary) and node.op == "not" else [node]


def operands(node: Node) -> list[Node]:
    """The values a condition part reads: both sides of a comparison but its literals; else the part."""
    if isinstance(node, Compare):
        return [side for side in (node.left, node.right) if not isinstance(side, (Literal, ListLit))]
    return [node]


def state(p: Phrasing, expr: Expression, env: Env, want: bool = False) -> str:
    """The figures behind a condition's outcome: 「建有职工书屋 否」."""
    return figures(p, [(o, expr) for leaf, _ in evidence(p, expr.node, env, want) for o in operands(leaf)], env)


def unmet(p: Phrasing, expr: Expression, env: Env) -> str:
    """A condition that does not hold, figures first: 「本年度召开职代会次数 0 次，要求 ≥ 1 次」,
    「建立劳动争议调解委员会：否」, else the failing parts and the whole condition."""
    split = p.threshold(expr, env.results)
    if split is not None:
        return f"{figure(p, split[0], expr, env)}，要求 {split[1]}"
    node = expr.node
    bare = node.operand if isinstance(node, Unary) and node.op == "not" else node
    if isinstance(bare, Name):  # a yes/no fact: 「建有职工书屋：否」 says what is missing
        return figure(p, bare, expr, env)
    return f"{state(p, expr, env)}，要求 {p.requirement(expr, env.results)}"


def fired(p: Phrasing, expr: Expression, env: Env) -> str:
    """A condition that holds, with its figures and thresholds: 「本年度发生重大劳动安全责任事故 1 起（> 0 起）」."""
    return "，".join(dict.fromkeys(observed(p, leaf, truth, expr, env) for leaf, truth in evidence(p, expr.node, env, True)))


def observed(p: Phrasing, leaf: Node, truth: bool, expr: Expression, env: Env) -> str:
    """One part that holds: its figure, and the threshold it passed unless the figure says it (「会员人数 0 人」)."""
    split = p.split(leaf, expr.text, env.results) if truth else None
    if split is None:
        return figures(p, [(o, expr) for o in operands(leaf)], env)
    subject, word, amount = split
    shown = figure(p, subject, expr, env)
    return shown if word in ("为", "=") else f"{shown}（{relation(word, amount)}）"


def cited(p: Phrasing, expr: Expression, env: Env) -> str:
    """The figures behind a condition that holds, but for yes/no facts (a deduction's name says those)."""
    decided = [leaf for leaf, _ in evidence(p, expr.node, env, True) if not isinstance(leaf, Name)]
    return figures(p, [(o, expr) for leaf in decided for o in operands(leaf)], env)


def tiers(p: Phrasing, exprs: list[Expression], env: Env) -> tuple[str, list[str]]:
    """What tier conditions read and what each asks: one subject and its thresholds (「会员入会率 82.0%」,
    [「≥ 95%」, 「≥ 85%」]) when every tier compares it with a literal, else the figures and the conditions."""
    def make() -> tuple[list[tuple[Node, Expression]], list[str]]:
        splits = [p.threshold(e, env.results) for e in exprs]
        subjects = {p.text(s[0], e, env.results) if s else None for s, e in zip(splits, exprs)}
        if len(subjects) == 1 and None not in subjects:
            first = [s for s in splits if s]
            return [(first[0][0], exprs[0])], [s[1] for s in first]
        parts = [(o, e) for e in exprs for leaf in leaves(e.node) for o in operands(leaf)]
        return parts, [p.requirement(e, env.results) for e in exprs]

    parts, wants = p.remember("tiers", exprs[0], make, all(map(p.steady, exprs)))
    return figures(p, parts, env), wants
