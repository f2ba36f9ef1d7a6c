"""`unionscore explain`: the whole evaluation of one item for one union, every sub-expression with its value."""
from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ..diagnostics import UsageError
from ..evaluate.assessment import assess
from ..evaluate.evaluators import Evaluator
from ..evaluate.result import ItemScore, RulesetResult
from ..facts.fact_file import FactFile, load_fact_file
from ..language.expr_eval import Env, to_closure
from ..language.expr_parse import Call, Literal, Name, Node, children
from ..language.expressions import Expression
from ..language.model import Item, Ruleset
from ..language.phrasing import phrasing_of
from ..language.vocabulary import HEADER_LABELS, OUTCOME_TEXT
from ..load.rulesets import requested
from ..values import Fraction, Null, fmt_number, fmt_percent


def find_item(rulesets: Iterable[Ruleset], item_id: str) -> list[tuple[Ruleset, Item]]:
    """Every chosen ruleset that has the item; none is a usage error naming close matches."""
    rulesets = list(rulesets)
    found = [(r, r.item_index[item_id]) for r in rulesets if item_id in r.item_index]
    if found:
        return found
    known = sorted({i for r in rulesets for i in r.item_index})
    close = difflib.get_close_matches(item_id, known, n=5, cutoff=0.6)
    hint = f"，是否指：{'、'.join(close)}" if close else "（可用 --ruleset 选择规则集）"
    names = "、".join(r.id for r in rulesets)
    raise UsageError(f"所选规则集（{names}）中没有指标 “{item_id}”{hint}")


def explain(rulesets: list[Ruleset], facts: FactFile | str | Path, item_id: str, evaluator: Evaluator, as_of: dt.date | None = None,
            specs: Iterable[str] = ()) -> str:
    """The explanation text for one item of one union (every requested ruleset that has the item).

    `rulesets` is the resolved run (used rulesets included); `specs`, the `--ruleset` options, narrow
    the item search to the rulesets asked for, so a used ruleset is assessed but not explained.
    """
    targets = find_item(requested(rulesets, list(specs)), item_id)
    assessment = assess(rulesets, facts if isinstance(facts, FactFile) else load_fact_file(facts), evaluator, as_of)
    union = assessment.fact_file.union
    blocks = [f"工会：{union.get('name', '')}（{union.get('id', '')}）　评估日期：{assessment.as_of.isoformat()}"]
    for ruleset, item in targets:
        explainer = Explainer(ruleset, assessment.envs[ruleset.id])
        blocks.append(explainer.item(item, item_score(assessment.results[ruleset.id], item.id)))
    return "\n\n".join(blocks) + "\n"


def item_score(result: RulesetResult, item_id: str) -> ItemScore:
    return next(s for s in result.items + result.bonus_items if s.id == item_id)


class Explainer:
    """Renders one item's expressions as trees over one union's environment."""

    def __init__(self, ruleset: Ruleset, env: Env) -> None:
        self.ruleset, self.env = ruleset, env
        self.derived: dict[str, Expression] = dict(ruleset.derive)

    def item(self, item: Item, score: ItemScore) -> str:
        lines = [
            f"指标 {item.id}：{item.name}（{self.ruleset.name}，{self.ruleset.id}）",
            f"分值：{fmt_number(item.points)} 分　结果：{OUTCOME_TEXT.get(score.outcome, score.outcome)}　"
            f"得分：{fmt_number(score.points)} 分",
            f"理由：{score.reason}",
        ]
        for title, expression in self.parts(item):
            lines.append("")
            lines += self.tree(title, expression)
        return "\n".join(lines)

    def parts(self, item: Item) -> list[tuple[str, Expression]]:
        """Each expression of the item with what it is for, in evaluation order."""
        found: list[tuple[str, Expression]] = []
        if item.applies_if:
            found.append(("适用条件", item.applies_if.expr))
        if item.zero_if:
            found.append(("不得分条件", item.zero_if.expr))
        found += item.kind.explain(item.points)
        for deduction in item.deduct:
            if deduction.when:
                found.append((f"扣分项“{deduction.name}”（扣 {fmt_number(deduction.points)} 分）", deduction.when.expr))
            if deduction.count:
                found.append((f"扣分项“{deduction.name}”计数（每个扣 {fmt_number(deduction.each)} 分）", deduction.count))
        return found

    def tree(self, title: str, expression: Expression) -> list[str]:
        lines = self.node(expression.node, expression.text, 0, set())
        head, arrow, rest = lines[0].partition("→")
        return [f"{title}：{head.rstrip()}  {arrow}{rest}"] + lines[1:]

    def node(self, node: Node, text: str, depth: int, shown: set[str]) -> list[str]:
        """The lines of `node` and its parts; a derived value is written out where it is first read in the tree
        (`shown`: those already written out), so a chain such as `d2: d1 * d1` takes a line per value, not 2^n."""
        source = text[node.offset : node.offset + node.length]
        value = to_closure(node)(self.env)
        indent = "  " * depth
        if isinstance(node, Name):
            label = self.label(node.path)
            head = f"{indent}{source}（{label}）" if label else f"{indent}{source} "
            definition = self.derived.get(node.path)
            if definition is None:
                return [f"{head}→ {self.value_text(node, value)}"]
            if node.path in shown:
                return [f"{head}→ {self.value_text(definition.node, value)}（见上）"]
            shown.add(node.path)
            lines = [f"{head}→ {self.value_text(definition.node, value)}（= {definition.text.strip()}）"]
            below = children(definition.node) if not isinstance(definition.node, Name) else (definition.node,)
            for child in below:
                lines += self.node(child, definition.text, depth + 1, shown)
            return lines
        lines = [f"{indent}{source} → {self.value_text(node, value)}"]
        for child in children(node):
            if not isinstance(child, Literal):  # a constant says itself: no 「500 → 500」
                lines += self.node(child, text, depth + 1, shown)
        return lines

    def label(self, path: str) -> str:
        return self.ruleset.label(path) or HEADER_LABELS.get(path, "")

    def value_text(self, node: Node, value: Any) -> str:
        """A value as people read it: 是/否, exact numbers, ratios also as percent, null with its cause."""
        if isinstance(value, Null):
            return self.null_text(value)
        if isinstance(value, bool):
            return "是" if value else "否"
        if isinstance(value, (int, Fraction)):
            text = fmt_number(value)
            return f"{text}（{fmt_percent(value)}）" if self.is_ratio(node) else text
        if isinstance(value, str):
            shown = phrasing_of(self.ruleset).text_value(value, node.path, self.env.results) if isinstance(node, Name) else value
            return f"“{shown}”" if shown == value else f"“{value}”（{shown}）"
        if isinstance(value, dt.date):
            return value.isoformat()
        if isinstance(value, (list, tuple)):
            return "[" + "，".join(self.value_text(node, v) if not isinstance(v, (list, tuple)) else str(v) for v in value) + "]"
        return str(value)

    def is_ratio(self, node: Node) -> bool:
        if isinstance(node, Call):
            return node.func == "ratio"
        if isinstance(node, Name):
            if self.ruleset.label(node.path):
                return self.ruleset.unit(node.path) == "%"
            definition = self.derived.get(node.path)
            return definition is not None and self.is_ratio(definition.node)
        return False

    def null_text(self, null: Null) -> str:
        causes = []
        if null.missing:
            names = [f"{n}（{self.label(n)}）" if self.label(n) else n for n in sorted(null.missing)]
            causes.append("缺少 " + "、".join(names))
        causes += list(null.why)
        return f"（无数据：{'；'.join(causes) or '空值'}）"
