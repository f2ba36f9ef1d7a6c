"""What the rectification planner produces: fact changes, quantified targets, steps and the plan.

Built by `engine.plan.targets` (per item: the smallest fact changes that reach each better tier)
and `engine.plan.planner` (the least-effort set of fixes that reaches a level). Rendered by
`engine.report.terminal` (a checklist), `engine.report.union_page` and `engine.report.workplan` (整改工作方案).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from ..evaluate.result import NOT_APPLICABLE, RulesetResult
from ..language.model import CHAIR, DEFAULT_OWNER
from ..values import Number, fmt_number, json_score, round_half_up, to_json_value

EFFORT_TEXT = {"low": "低", "medium": "中", "high": "高"}
FORCED_TEXT = {"veto": "否决项", "gate": "申报条件"}
SCORED = ("item", "deduction")  # steps that raise a score: an item, or a section's deduction cleared


@dataclass(frozen=True, slots=True)
class Change:
    """One fact changed by a fix, with the sentence that says so in the fact's own unit."""

    fact: str
    label: str
    before: Any  # the current value; a Null when the fact is absent
    after: Any
    text: str  # 「会员人数再增加 12 人（38 → 50 人）」
    yearly: bool = False  # the next year's count (a `per: year` fact once the year is over): it takes the year

    def to_json(self) -> dict:
        return {"fact": self.fact, "label": self.label, "before": to_json_value(self.before),
                "after": to_json_value(self.after), "text": self.text}


@dataclass(frozen=True, slots=True)
class Target:
    """One better result of one item: the changes that reach it and the points it gives."""

    points: Number  # the item's points once reached
    gain: Number  # points over the current ones
    changes: tuple[Change, ...]
    text: str  # 「会员人数再增加 12 人（会员入会率 76.0% → 95.0%），达到“95% 以上”档，得 8 分（+3 分）」
    tier: str = ""  # the tier's name, or what is reached (满分, 第 2 档 …)


@dataclass(frozen=True, slots=True)
class Step:
    """One fix in a plan: an item to improve, a veto to clear or the gate to meet."""

    kind: str  # "veto" | "gate" | "item" | "deduction" (a section's deduction cleared)
    ruleset: str  # ruleset id
    ruleset_name: str  # the short name (Plan.ruleset_name is the full one)
    id: str  # item, veto or "gate"
    name: str
    section: str  # section id ("" for vetoes and the gate)
    section_name: str
    effort: str  # low | medium | high
    weight: int  # the effort weight counted by the planner (0 for vetoes: they are forced)
    points_before: Number
    points_after: Number
    changes: tuple[Change, ...]
    target: str  # the quantified target in one sentence
    evidence: tuple[str, ...] = ()
    advice: str = ""  # the ruleset's fix text rendered with the union's figures
    owner: str = ""
    required: bool = False  # a 必备 item, or an item a level requires
    why: str = ""  # why it is in the plan: 「否决项，须先消除」「必备项」「提高得分」 …
    elsewhere: str = ""  # another standard's plan asking more of a fact this step changes (engine/plan/across.py)

    @property
    def gain(self) -> Number:
        return self.points_after - self.points_before

    @property
    def scored(self) -> bool:
        """A fix that raises the score (an item, a section's deduction), not a forced one (a veto, the gate)."""
        return self.kind in SCORED

    @property
    def yearly(self) -> bool:
        """A fix counted over the next year (a change of a `per: year` fact once the year is over)."""
        return any(change.yearly for change in self.changes)

    @property
    def tags(self) -> str:
        """What kind of fix it is, in a few words: 「职工之家，组织健全，必备，难度中」."""
        if not self.scored:
            return f"{self.ruleset_name}，{FORCED_TEXT[self.kind]}"
        return "，".join(filter(None, [self.ruleset_name, self.section_name, "必备" if self.required else "", f"难度{EFFORT_TEXT[self.effort]}"]))

    def to_json(self) -> dict:
        return {
            "kind": self.kind, "tags": self.tags, "ruleset": self.ruleset, "id": self.id, "name": self.name, "section": self.section_name,
            "effort": self.effort, "weight": self.weight, "gain": json_score(self.gain), "target": self.target,
            "changes": [c.to_json() for c in self.changes], "evidence": list(self.evidence), "advice": self.advice,
            "owner": self.owner, "required": self.required, "why": self.why, "elsewhere": self.elsewhere,
        }


@dataclass(frozen=True, slots=True)
class Left:
    """A 必备项 the plan leaves failed (its target does not require it), still to be put right: what does it,
    told from the union's figures ("" when no change found does), and who."""

    name: str
    todo: str
    owner: str


@dataclass(frozen=True, slots=True)
class SideChange:
    """An item whose points a plan moves without a step of its own: 「“八有”达标」 when the 八有 fixes that
    星级's steps make raise the 八有 level it reads."""

    ruleset_name: str  # the short name
    name: str
    points_before: Number
    points_after: Number
    why: str = ""  # a used standard it reads, moved: 「八有随之评为基本达标」

    def text(self) -> str:
        """「基层工会规范化建设“八有”达标（星级）0 → 3 分（+3 分，八有随之评为基本达标）」."""
        gain: Number = round_half_up(self.points_after, 2) - round_half_up(self.points_before, 2)  # as the two figures print
        change = f"+{fmt_number(gain)}" if gain > 0 else f"−{fmt_number(-gain)}"
        why = f"，{self.why}" if self.why else ""
        return f"{self.name}（{self.ruleset_name}）{fmt_number(self.points_before)} → {fmt_number(self.points_after)} 分（{change} 分{why}）"


@dataclass(frozen=True, slots=True)
class Standing:
    """A union's score and level in one ruleset, now or after the plan."""

    ruleset: str
    ruleset_name: str  # the short name (Plan.ruleset_name is the full one)
    score: Number
    level: str | None  # level id
    level_name: str  # RulesetResult.level_text: the level, 未达到任何等级 or 不参与定级
    title: str = ""  # the ruleset's full name, for documents (《“职工之家”建设考核评价标准》)

    def text(self) -> str:
        """「职工之家 31 分（不合格）」; a standard that does not apply has no score to show: 「星级（不适用）」."""
        if self.level_name == NOT_APPLICABLE:
            return f"{self.ruleset_name}（{NOT_APPLICABLE}）"
        return f"{self.ruleset_name} {fmt_number(self.score)} 分（{self.level_name}）"

    def to_json(self) -> dict:
        return {"ruleset": self.ruleset, "score": json_score(self.score), "level": self.level, "level_name": self.level_name}


@dataclass(frozen=True)
class Plan:
    """The least-effort way for one union to reach a level in one ruleset (and the rulesets it uses)."""

    union: dict[str, Any]
    as_of: dt.date
    ruleset: str
    ruleset_name: str  # the short name (Plan.ruleset_name is the full one)
    target: str | None  # level id; None when there is no higher level, or none open this period (reachable False)
    target_name: str
    reachable: bool
    why_not: str  # plainly, when unreachable (or when already at the top)
    steps: tuple[Step, ...] = ()
    before: tuple[Standing, ...] = ()  # the planned ruleset first, then the used ones that change
    after: tuple[Standing, ...] = ()  # re-assessed with every change applied
    patch: dict[str, Any] = field(default_factory=dict)  # fact → value after the plan
    measures: tuple[str, ...] = ()  # what to do about vetoes that hold this period (their `fix`)
    notes: tuple[str, ...] = ()  # what the plan leaves to others: items the assessors judge, a level held by rank
    scale: str = ""  # a rescaled standard's: the steps' gains are item points (`scale_note`; not in the JSON form)
    side: tuple[SideChange, ...] = ()  # items the steps move without naming them, so the points add up
    left: tuple[Left, ...] = ()  # the 必备项 it leaves failed (said in `notes`), for a 整改工作方案's timetable
    chair: str = CHAIR  # who leads the union's work, as the union has it (the ruleset's `owners`: 工会小组长 for a group)
    committee: str = DEFAULT_OWNER  # the union's committee, or who stands for it where it has none

    @property
    def has_committee(self) -> bool:
        return self.committee == DEFAULT_OWNER

    @property
    def effort(self) -> int:
        return sum(step.weight for step in self.steps)

    @property
    def headline(self) -> str:
        """Where the union stands, the target, and how much work: one sentence."""
        now = self.before[0].text() if self.before else self.ruleset_name
        if self.target is None or (self.reachable and not self.steps):
            return f"{now}：{self.why_not}。"
        if not self.reachable:
            return f"{now} → 目标{self.target_name}：无法达到。{self.why_not}。"
        return f"{now} → 目标{self.target_name}：整改 {len(self.steps)} 项{self.difficulty()}。"

    def difficulty(self) -> str:
        """「（难度低 2 项、中 1 项）」: how hard the steps are, in words a chair reads."""
        counts = [(EFFORT_TEXT[effort], sum(s.effort == effort and s.scored for s in self.steps)) for effort in ("low", "medium", "high")]
        return "（难度" + "、".join(f"{text} {count} 项" for text, count in counts if count) + "）" if any(c for _, c in counts) else ""

    def side_text(self, steps: str = "以上整改") -> str:
        """「以上整改还使 1 项得分随之变化（不另列为整改事项）：…。」; "" when every moved item is a step.
        `steps`: how the text refers to the steps (a document that lists them later says 「本轮整改」)."""
        if not self.side:
            return ""
        return f"{steps}还使 {len(self.side)} 项得分随之变化（不另列为整改事项）：" + "；".join(c.text() for c in self.side) + "。"

    @property
    def after_text(self) -> str:
        """Where the steps lead, re-assessed, after what else they move; "" when there is nothing to do or it
        cannot be reached."""
        if not (self.reachable and self.steps):
            return ""
        return self.side_text() + "完成以上整改后复核：" + "；".join(s.text() for s in self.after) + "。"

    def to_json(self) -> dict:
        return {
            "headline": self.headline, "after_text": self.after_text,
            "target": self.target, "target_name": self.target_name, "reachable": self.reachable, "why_not": self.why_not,
            "effort": self.effort, "steps": [s.to_json() for s in self.steps], "measures": list(self.measures),
            "before": [s.to_json() for s in self.before], "after": [s.to_json() for s in self.after],
        } | ({"notes": list(self.notes)} if self.notes else {})


def gains_note(possible: Number, max_score: Number) -> str:
    """Beside a plan of a rescaled standard: its steps' gains are item points, its totals rescaled."""
    return f"各项“+ 分”按该项分值计（本标准对本单位合计 {fmt_number(possible)} 分），总分按 {fmt_number(possible)} 分折算为 {fmt_number(max_score)} 分。"


def scale_note(result: RulesetResult) -> str:
    """`gains_note` for a standard whose items that do not apply were dropped; "" for any other."""
    return gains_note(result.possible, result.max_score) if result.scaled else ""
