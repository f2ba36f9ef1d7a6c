"""Conditions and values as Chinese text: 「会员入会率 ≥ 95%」, 「工会类型为企业、联合工会之一」, 「73.8%」.

A `Phrasing` belongs to one ruleset (`phrasing_of(ruleset)`) and works over the expression trees
of engine/language/expr_parse.py: every node type reads as Chinese, a name by its label (a derived value
without one by its definition), a value in its fact's unit (ratios and "%" as percentages) or by
its enum label, a literal as a threshold in the unit of what it is compared with. A part it
cannot phrase reads as its source text. Texts that are the same for every union are cached per
node, so reasons for thousands of unions phrase each condition once; texts naming a used
ruleset's results (`results.bayou.level`, `passed(…)`) take those names from the union's results.
engine/language/evidence.py uses it to cite one union's figures.
"""
from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from ..values import Fraction, Null, fmt_number, fmt_percent, fmt_value
from .by_ruleset import ByRuleset
from .expr_eval import Env, to_closure
from .expr_parse import Binary, BoolOp, Call, Compare, ListLit, Literal, Name, Node, Unary, children
from .expressions import Expression
from .model import Ruleset
from .vocabulary import HEADER_LABELS, OUTCOME_TEXT, UNION_TYPES

SYMBOLS = {">=": "≥", ">": ">", "<=": "≤", "<": "<", "==": "=", "!=": "≠"}
FLIPPED = {">=": "<=", ">": "<", "<=": ">=", "<": ">", "==": "==", "!=": "!="}
ARITHMETIC = {"+": "+", "-": "−", "*": "×", "/": "÷"}
RANK = {"+": 1, "-": 1, "*": 2, "/": 2}
CALLS = {
    "ratio": "{0} ÷ {1}", "exists": "{0}已填报", "len": "{0}的项数", "sum": "{0}之和", "min": "{0}中的最小值",
    "max": "{0}中的最大值", "all": "{0}全部成立", "any": "{0}至少一项成立", "abs": "{0}的绝对值",
    "ceil": "{0}向上取整", "floor": "{0}向下取整", "round": "{0}四舍五入", "pct": "{0}的百分数",
    "years_since": "{0}至今年数", "days_since": "{0}至今天数",
}
CALL_UNITS = {"ratio": "%", "years_since": "年", "days_since": "天"}
KEEPS_UNIT = ("sum", "min", "max", "abs", "ceil", "floor", "round")
RESULT_FIELDS = {"score": "得分", "level": "等级", "eligible": "参与定级"}
LONGEST_DEFINITION = 200  # characters: a derived value without a label whose definition phrases longer reads as its name
PERIODIC = re.compile(r"各(季度|月)(.+?)(?:次数)?")  # a list kept per quarter or month


_PHRASINGS: ByRuleset[Phrasing] = ByRuleset(lambda ruleset: Phrasing(ruleset))


def phrasing_of(ruleset: Ruleset) -> Phrasing:
    """The ruleset's phrasing, built once and kept as long as the ruleset is."""
    return _PHRASINGS.of(ruleset)


def with_unit(number: str, unit: str) -> str:
    return f"{number} {unit}" if unit else number


def number_text(value: Any, unit: str) -> str:
    """A threshold in a unit: 0.95 in % is 95%, 3000 in 册 is 3000 册."""
    return fmt_number(value * 100) + "%" if unit == "%" else with_unit(fmt_number(value), unit)


class Phrasing:
    """One ruleset's conditions and values in Chinese."""

    def __init__(self, ruleset: Ruleset) -> None:
        self.ruleset = ruleset
        self.derived: dict[str, Expression] = dict(ruleset.derive)
        self.memos: defaultdict[str, dict[int, tuple[Any, Any]]] = defaultdict(dict)
        self.definitions: dict[str, tuple[dict, str]] = {}  # derived value → (the results it was phrased with, its text)
        # Each derived value's names and unit, found once and in the order declared (a derived value reads only
        # those before it): a chain such as `d2: d1 * d1` reads each value twice, and no walk recurses through it.
        self.behind: dict[str, list[str]] = {}
        self.units: dict[str, str] = {}
        for name, expr in ruleset.derive:
            self.behind[name], self.units[name] = self.reads(expr.node), self.unit(expr.node)

    def remember(self, kind: str, key: Any, make: Callable[[], Any], keep: bool = True) -> Any:
        """`make()` once per object (checked by identity, so a reused id is never mistaken)."""
        memo = self.memos[kind]
        hit = memo.get(id(key))
        if hit is not None and hit[0] is key:
            return hit[1]
        made = make()
        if keep:
            memo[id(key)] = (key, made)
        return made

    # names and units -----------------------------------------------------------------------
    def label(self, name: str, results: dict) -> str:
        """A name as people read it; a derived value without a label reads as its definition."""
        found = self.ruleset.label(name) or HEADER_LABELS.get(name)
        if found:
            return found
        if name.startswith("results."):
            return self.result_label(name.split("."), results)
        return self.definition(name, results) if name in self.derived else name

    def definition(self, name: str, results: dict) -> str:
        """A derived value by its definition, phrased once per ruleset (per union's results when it reads
        them), after the derived values it reads, in the order declared: a chain such as `d2: d1 * d1`
        phrases each value once, and phrasing recurses through one definition at a time. A definition
        longer than LONGEST_DEFINITION characters (it doubles with each such step) reads as the name."""
        expr = self.derived[name]
        kept = self.definitions.get(name)
        if kept is not None and (kept[0] is results or self.steady(expr)):
            return kept[1]
        for earlier in [n for n in self.derived if n in self.behind[name]]:
            self.definition(earlier, results)
        text = self.phrase(expr.node, expr.text, results)
        self.definitions[name] = (results, text if len(text) <= LONGEST_DEFINITION else name)
        return self.definitions[name][1]

    def result_label(self, parts: list[str], results: dict) -> str:
        """`results.bayou.level` → 「“八有”等级」, `results.bayou.items.x.outcome` → 「“八有”“…”的结果」."""
        used = find_used(results, parts[1])
        short = f"“{short_name(used, parts[1])}”"
        if len(parts) == 3:
            return short + RESULT_FIELDS.get(parts[2], parts[2])
        return f"{short}“{item_name(used, '.'.join(parts[3:-1]))}”的结果"

    def unit(self, node: Node) -> str:
        """The unit a node's value is shown in: its fact's or label's, or the one its operation keeps."""
        if isinstance(node, Name):
            return self.name_unit(node.path)
        if isinstance(node, Call) and node.args:
            if node.func == "count" and self.periodic(node.args[0]):
                return "个"
            return CALL_UNITS.get(node.func) or (self.unit(node.args[0]) if node.func in KEEPS_UNIT else "")
        if isinstance(node, (Unary, ListLit)):
            return next((self.unit(child) for child in children(node)), "")
        return self.binary_unit(node) if isinstance(node, Binary) else ""

    def binary_unit(self, node: Binary) -> str:
        """a + b keeps a unit, so do a × 0.95 and a ÷ 500; a ÷ b has none."""
        left, right = self.unit(node.left), self.unit(node.right)
        if node.op in "+-":
            return left or right
        if isinstance(node.right, Literal):
            return left
        return right if node.op == "*" and isinstance(node.left, Literal) else ""

    def name_unit(self, path: str) -> str:
        if path in self.ruleset.facts or path in self.ruleset.captions:
            return self.ruleset.unit(path)
        if path in self.derived:
            return self.units[path]
        return "分" if path.startswith("results.") and path.endswith(".score") else ""

    # values --------------------------------------------------------------------------------
    def shown(self, value: Any, node: Node, results: dict) -> str:
        """A value as people read it, in the unit (or with the value labels) of `node`."""
        return self.display(value, self.unit(node), node.path if isinstance(node, Name) else "", results)

    def display(self, value: Any, unit: str, path: str, results: dict) -> str:
        """A value in a unit (0.738 in % is 73.8%); a text value of the name `path` by its Chinese name."""
        if isinstance(value, Null):
            return "未填报" if value.missing else f"无法计算（{'；'.join(value.why) or '数据不足'}）"
        if isinstance(value, str):
            return self.text_value(value, path, results)
        if isinstance(value, (int, Fraction)) and not isinstance(value, bool):
            return fmt_percent(value) if unit == "%" else with_unit(fmt_number(value), unit)
        if isinstance(value, (list, tuple)) and value:
            return with_unit("、".join(fmt_value(v, "%" if unit == "%" else "") for v in value), "" if unit == "%" else unit)
        return fmt_value(value)

    def text_value(self, value: str, path: str, results: dict) -> str:
        """An enum value, union type, level id or outcome by its Chinese name."""
        decl = self.ruleset.facts.get(path)
        if decl is not None and decl.type == "enum":
            return decl.shown(value)
        if path == "union.type":
            return UNION_TYPES.get(value, value)
        if path.startswith("results.") and path.endswith(".level"):
            return level_name(find_used(results, path.split(".")[1]), value)
        return OUTCOME_TEXT.get(value, value) if path.endswith(".outcome") else value

    def amount(self, node: Node, subject: Node, text: str, results: dict) -> str:
        """A literal as a threshold for `subject`: 0.95 of a ratio is 95%, 'posted' is 已建立并上墙."""
        if isinstance(node, ListLit):
            return "、".join(self.amount(item, subject, text, results) for item in node.items)
        if not isinstance(node, Literal):
            return self.phrase(node, text, results)
        value = node.value
        if value is None or isinstance(value, (bool, str)):
            return "空值" if value is None else self.shown(value, subject, results)
        return number_text(value, self.unit(subject))

    def amount_of(self, value: Any, expr: Expression) -> str:
        """A number of a scoring rule (a target, a step) in the unit of the value it scores: 0.05 → 5%."""
        return number_text(value, self.unit(expr.node))

    def evaluate(self, node: Node, env: Env) -> Any:
        if isinstance(node, Name):
            return env.get(node.path)
        return self.remember("closure", node, lambda: to_closure(node))(env)

    # conditions as requirements ------------------------------------------------------------
    def requirement(self, expr: Expression, results: dict) -> str:
        """A condition as the requirement it states: 「集体合同职工覆盖率 ≥ 95% 且 集体合同履约率 ≥ 95%」."""
        return self.text(expr.node, expr, results)

    def text(self, node: Node, expr: Expression, results: dict) -> str:
        """The phrase of one node of `expr`, cached unless it names a used ruleset's results."""
        return self.remember("text", node, lambda: self.phrase(node, expr.text, results), self.steady(expr))

    def steady(self, expr: Expression) -> bool:
        """Whether the texts of `expr` are the same for every union (it reads no used ruleset's results)."""
        def check() -> bool:
            texts = [expr.text] + [self.derived[n].text for n in self.reads(expr.node) if n in self.derived]
            return not any("results." in t or "passed" in t for t in texts)

        return self.remember("steady", expr, check)

    def reads(self, node: Node) -> list[str]:
        """Every name a node reads, derived values and the names behind them included, in order of use."""
        found: list[str] = []
        for name in ordered_names(node):
            inner = [name] + self.behind.get(name, [])
            found += [n for n in inner if n not in found]
        return found

    def figure_parts(self, node: Node, expr: Expression, results: dict) -> tuple[str, str, str, tuple]:
        """What a figure of `node` shows besides values: its name, unit and path, and the (label, unit,
        name) of each declared fact behind it when it is a derived or computed value."""
        def make() -> tuple[str, str, str, tuple]:
            derived = not isinstance(node, Name) or node.path in self.derived
            behind = [n for n in self.reads(node) if n in self.ruleset.facts] if derived else []
            facts = tuple((self.ruleset.label(n), self.ruleset.unit(n), n) for n in behind)
            return self.phrase(node, expr.text, results), self.unit(node), getattr(node, "path", ""), facts

        return self.remember("figure", node, make, self.steady(expr))

    def phrase(self, node: Node, text: str, results: dict) -> str:
        method = getattr(self, "phrase_" + type(node).__name__, None)
        return method(node, text, results) if method else source(node, text)

    def phrase_Literal(self, node: Literal, text: str, results: dict) -> str:
        return self.amount(node, node, text, results)

    def phrase_Name(self, node: Name, text: str, results: dict) -> str:
        return self.label(node.path, results)

    def phrase_ListLit(self, node: ListLit, text: str, results: dict) -> str:
        return "、".join(self.phrase(item, text, results) for item in node.items)

    def phrase_Unary(self, node: Unary, text: str, results: dict) -> str:
        inner = self.phrase(node.operand, text, results)  # once: phrasing it twice doubles per level of nesting
        if node.op != "not":
            return f"−{bracketed(node.operand, inner, 3)}" if node.op == "-" else inner
        return f"{inner}为否" if isinstance(node.operand, (Name, Call)) else f"并非（{inner}）"

    def phrase_Binary(self, node: Binary, text: str, results: dict) -> str:
        rank = RANK[node.op]
        right_rank = rank + 1 if node.op in "-/" else rank
        left, right = self.wrapped(node.left, rank, text, results), self.wrapped(node.right, right_rank, text, results)
        return f"{left} {ARITHMETIC[node.op]} {right}"

    def wrapped(self, node: Node, rank: int, text: str, results: dict) -> str:
        return bracketed(node, self.phrase(node, text, results), rank)

    def phrase_BoolOp(self, node: BoolOp, text: str, results: dict) -> str:
        parts = [self.phrase(v, text, results) for v in node.values]
        parts = [f"（{p}）" if isinstance(v, BoolOp) else p for v, p in zip(node.values, parts)]
        return (" 且 " if node.op == "and" else " 或 ").join(parts)

    def phrase_Compare(self, node: Compare, text: str, results: dict) -> str:
        split = self.split(node, text, results)
        if split is None:
            if node.op in ("in", "not in"):
                word = "包含" if node.op == "in" else "不包含"
                return f"{self.phrase(node.right, text, results)}{word}{self.phrase(node.left, text, results)}"
            return f"{self.phrase(node.left, text, results)} {SYMBOLS[node.op]} {self.phrase(node.right, text, results)}"
        subject, word, amount = split
        joined = f"{word}{amount}" if word in ("为", "不为") else f" {word} {amount}"
        return self.phrase(subject, text, results) + joined

    def split(self, node: Node, text: str, results: dict) -> tuple[Node, str, str] | None:
        """(subject, word, amount) of `subject op literal`, either way round: (会员入会率, ≥, 95%)."""
        if not isinstance(node, Compare):
            return None
        literal = (Literal, ListLit)
        if isinstance(node.right, literal) and not isinstance(node.left, literal):
            subject, value, op = node.left, node.right, node.op
        elif isinstance(node.left, literal) and not isinstance(node.right, literal) and node.op in FLIPPED:
            subject, value, op = node.right, node.left, FLIPPED[node.op]
        else:
            return None
        amount = self.amount(value, subject, text, results)
        if op in ("in", "not in"):
            several = not isinstance(value, ListLit) or len(value.items) > 1
            return subject, "为" if op == "in" else "不为", f"{amount}之一" if several else amount
        textual = not isinstance(value, Literal) or value.value is None or isinstance(value.value, (bool, str))
        return subject, ({"==": "为", "!=": "不为"}.get(op, SYMBOLS[op]) if textual else SYMBOLS[op]), amount

    def threshold(self, expr: Expression, results: dict) -> tuple[Node, str] | None:
        """(subject, 「≥ 95%」) of a tier condition `subject op literal`; 「已建立并上墙」 for equality with a text."""
        def make() -> tuple[Node, str] | None:
            split = self.split(expr.node, expr.text, results)
            if split is None:
                return None
            subject, word, amount = split
            return subject, relation(word, amount)

        return self.remember("threshold", expr, make, self.steady(expr))

    def phrase_Call(self, node: Call, text: str, results: dict) -> str:
        if node.func == "passed":
            return self.passed_subject(node, text, results) + "达标"
        args = [self.wrapped(arg, 3, text, results) for arg in node.args]
        if node.func == "count" and node.args:
            return self.periodic(node.args[0]) or args[0] + self.counted(node.args[0])
        template = CALLS.get(node.func)
        if template is None or not args:
            return source(node, text)
        return template.format("、".join(args), *args[1:]) if node.func in ("min", "max") else template.format(*args)

    def periodic(self, node: Node) -> str:
        """A list fact kept per period, counted: 「各季度工会委员会会议次数」 → 「有工会委员会会议的季度数」."""
        label = self.ruleset.label(node.path) if isinstance(node, Name) else ""
        found = PERIODIC.fullmatch(label)
        return f"有{found[2]}的{found[1]}数" if found else ""

    def counted(self, node: Node) -> str:
        if isinstance(node, Name):
            decl = self.ruleset.facts.get(node.path)
            return "中为“是”的项数" if decl is not None and decl.items == "boolean" else "中大于 0 的项数"
        return "中成立的项数"

    def passed_subject(self, node: Call, text: str, results: dict) -> str:
        """`passed('bayou', 'banzi.elected')` → 「“八有”“工会委员会和主席经…选举产生”」."""
        names = [a.value for a in node.args if isinstance(a, Literal)]
        if len(names) != 2 or len(node.args) != 2:
            return source(node, text)
        ruleset, item = str(names[0]), str(names[1])
        used = find_used(results, ruleset)
        return f"“{short_name(used, ruleset)}”“{item_name(used, item)}”"


def relation(word: str, amount: str) -> str:
    """A threshold as a tier or figure states it: 「≥ 95%」, 「不为工会小组」; equality with a text is the text alone."""
    if word == "为":
        return amount
    return f"{word}{amount}" if word == "不为" else f"{word} {amount}"


def ordered_names(node: Node) -> list[str]:
    """The names an expression reads, in order of appearance."""
    if isinstance(node, Name):
        return [node.path]
    found: list[str] = []
    for child in children(node):
        found += [n for n in ordered_names(child) if n not in found]
    return found


def bracketed(node: Node, inner: str, rank: int) -> str:
    """A phrased operand in brackets when its operator binds less tightly than `rank`."""
    return f"（{inner}）" if isinstance(node, Binary) and RANK[node.op] < rank else inner


def source(node: Node, text: str) -> str:
    """The source text of a part that has no phrasing."""
    return text[node.offset : node.offset + node.length].strip()


def find_used(results: dict, ruleset: str) -> Any:
    """The result of a used ruleset, by id or by its expression name (`zhijia_jiguan`)."""
    return results.get(ruleset) or next((r for key, r in results.items() if key.replace("-", "_") == ruleset), None)


def short_name(used: Any, ruleset: str) -> str:
    return (used.ruleset.short_name or used.ruleset.name) if used is not None else ruleset


def item_name(used: Any, item: str) -> str:
    scored = used.items + used.bonus_items if used is not None else []
    return next((i.name for i in scored if i.id == item), item)


def level_name(used: Any, level: str) -> str:
    return used.ruleset.level_name(level) if used is not None else level
