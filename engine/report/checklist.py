"""The 自查自评 checklist (issue 5 part 4): every item of the chosen rulesets, how it is checked
and what to prepare, and — given a union's facts — whether it is already met and how to fix it.

Markdown for e-mail and printing as text; HTML self-contained (inline CSS, no network), printable.
The checklist is for unions: it names items, never their ids. Given facts, a standard that does not
apply to the union (its gate failed) is one line saying why.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..evaluate.result import ItemScore, RulesetResult, SectionScore
from ..language.model import Bonus, Item, Ruleset, Section
from ..language.vocabulary import OUTCOME_TEXT
from ..values import fmt_number
from .county import not_applicable_line
from .templating import ENV

FORMATS = ("markdown", "html")
DROPPED = "不计分"  # the points of an item dropped as not applicable (na: drop)


@dataclass(frozen=True, slots=True)
class Row:
    """One item of the checklist, with its state when facts were given."""

    id: str
    name: str
    points: str
    method: str
    evidence: tuple[str, ...]
    required: bool
    outcome: str | None = None  # pass / partial / fail / missing / na; None without facts
    status: str = ""
    fix: str = ""
    reason: str = ""

    @property
    def met(self) -> bool:
        return self.outcome in ("pass", "na")


@dataclass(frozen=True, slots=True)
class Group:
    name: str
    max: str
    depth: int
    rows: list[Row] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Sheet:
    """One ruleset's checklist."""

    id: str
    name: str
    version: str
    max_score: str
    groups: list[Group]
    score: str | None = None
    level: str | None = None
    scale: tuple[str, ...] = ()  # how dropped items rescale the score: 「不适用 1 项（4 分）不计分，按 96 分折算为 100 分」
    not_applicable: str | None = None  # why the standard does not apply to the union (its gate failed)


def status_text(score: ItemScore, points: str) -> str:
    """The item's result for this union; an item that does not apply as the union's pages and `assess` say it, and
    one dropped from the count with the points it would have had (`points`)."""
    if score.outcome == "na":
        return "不适用（按满分计）" if score.max_points else f"不适用（不计分，本项 {points} 分）"
    text = OUTCOME_TEXT.get(score.outcome, score.outcome)
    if score.outcome == "partial":
        text += f" {fmt_number(score.points)}/{fmt_number(score.max_points)}"
    return text


def dropped(score: ItemScore | None) -> bool:
    """An item left out of the count as not applicable (na: drop): the standard is rescaled without it."""
    return score is not None and score.outcome == "na" and not score.max_points


def row(item: Item, score: ItemScore | None) -> Row:
    """An item dropped as not applicable shows 「不计分」 for its points, so a section's items add up to its maximum."""
    points = "上不封顶" if item.uncapped else fmt_number(item.points)
    base: dict[str, Any] = {"id": item.id, "name": item.name, "points": DROPPED if dropped(score) else points, "method": item.method,
                            "evidence": tuple(item.evidence), "required": item.required}
    if score is None:
        return Row(**base)
    unmet = score.outcome not in ("pass", "na")
    return Row(**base, outcome=score.outcome, status=status_text(score, points), fix=(score.fix or "") if unmet else "",
               reason=score.reason if unmet else "")


def groups(section: Section, depth: int, scores: dict[str, ItemScore], possible: dict[str, SectionScore]) -> list[Group]:
    """The section and its subsections, each a group. Given a union's results, a section's maximum is what it can
    give this union (`SectionScore.max_points`, as the score counts it): less the items dropped as not applicable."""
    found = [Group(section.name, section_max(section, scores, possible.get(section.id)), depth,
                   [row(i, scores.get(i.id)) for i in section.items])]
    for sub in section.sections:
        found += groups(sub, depth + 1, scores, possible)
    return found


def section_max(section: Section, scores: dict[str, ItemScore], scored: SectionScore | None) -> str:
    """「15 分」; 「10 分，不适用 2 项不计分」 when items were dropped (na: drop) for this union."""
    if scored is None:
        return f"{fmt_number(section.max)} 分"
    left_out = [item for item in section.all_items() if dropped(scores.get(item.id))]
    return f"{fmt_number(scored.max_points)} 分" + (f"，不适用 {len(left_out)} 项不计分" if left_out else "")


def bonus_cap(bonus: Bonus) -> str:
    """The bonus line's points: its cap, or 「上不封顶」."""
    return "上不封顶" if bonus.max is None else f"{fmt_number(bonus.max)} 分"


def sheet(ruleset: Ruleset, result: RulesetResult | None) -> Sheet:
    scores = {s.id: s for s in (result.items + result.bonus_items)} if result else {}
    possible = {s.id: s for s in result.sections} if result else {}
    found = [g for section in ruleset.sections for g in groups(section, 0, scores, possible)]
    if ruleset.bonus and ruleset.bonus.items:
        found.append(Group("加分项", bonus_cap(ruleset.bonus), 0, [row(i, scores.get(i.id)) for i in ruleset.bonus.items]))
    if result is not None and not result.applies:
        return Sheet(ruleset.id, ruleset.name, ruleset.version, fmt_number(ruleset.max_score), [],
                     not_applicable=not_applicable_line(result))
    return Sheet(ruleset.id, ruleset.name, ruleset.version, fmt_number(ruleset.max_score), found,
                 fmt_number(result.score) if result else None, result.level_text if result else None,
                 (result.rescaled,) if result and result.rescaled else ())


def build_checklist(rulesets: list[Ruleset], results: list[RulesetResult] | None = None) -> list[Sheet]:
    by_id = {r.ruleset.id: r for r in results or []}
    return [sheet(ruleset, by_id.get(ruleset.id)) for ruleset in rulesets]


def one_line(text: Any) -> str:
    return " ".join(str(text).split())


def union_title(union: dict[str, Any] | None, period: int | None) -> str:
    if not union:
        return "基层工会考核评价 自查自评清单"
    name = union.get("name") or union.get("id") or ""
    return f"{name} 自查自评清单" + (f"（{period} 年度）" if period else "")


def as_markdown(sheets: list[Sheet], union: dict[str, Any] | None = None, period: int | None = None) -> str:
    lines = [f"# {one_line(union_title(union, period))}", ""]
    if union:
        lines += [f"- 编号：{one_line(union.get('id') or '—')}", f"- 所在乡镇（街道）：{one_line(union.get('township') or '—')}", ""]
    lines += ["说明：★ 为必备项；[x] 为按所填事实已达标（或不适用）的指标。", ""]
    for s in sheets:
        lines.append(f"## {one_line(s.name)}（{one_line(s.version)}，满分 {s.max_score} 分）")
        if s.not_applicable:
            lines += ["", f"{one_line(s.not_applicable)}。", ""]
            continue
        if s.score is not None:
            scale = "".join(f"（{one_line(note)}）" for note in s.scale)
            lines.append(f"\n当前得分：{s.score} / {s.max_score}{scale}，等级：{one_line(s.level)}")
        for group in s.groups:
            indent = "  " * group.depth
            lines.append("")
            if group.depth == 0:
                lines.append(f"### {one_line(group.name)}（{group.max}）")
                lines.append("")
            else:
                lines.append(f"{'  ' * (group.depth - 1)}- **{one_line(group.name)}**（小计 {group.max}）")  # not an item
            for r in group.rows:
                box = "" if r.outcome is None else ("[x] " if r.met else "[ ] ")
                star = " ★ 必备" if r.required else ""
                lines.append(f"{indent}- {box}**{one_line(r.name)}**（{r.points}{'' if r.points in ('上不封顶', DROPPED) else ' 分'}）{star}")
                sub = indent + "  "
                lines.append(f"{sub}- 查验方式：{one_line(r.method or '—')}")
                lines.append(f"{sub}- 准备资料：{one_line('；'.join(r.evidence) or '—')}")
                if r.outcome is not None:
                    lines.append(f"{sub}- 自评结果：{r.status}")
                if r.reason:
                    lines.append(f"{sub}- 原因：{one_line(r.reason)}")
                if r.fix:
                    lines.append(f"{sub}- 整改：{one_line(r.fix)}")
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


def as_html(sheets: list[Sheet], union: dict[str, Any] | None = None, period: int | None = None) -> str:
    shown = {key: (union or {}).get(key) for key in ("id", "township")}  # a fact file need not name its township
    return ENV.get_template("checklist.html").render(sheets=sheets, title=union_title(union, period), union=shown,
                                                     with_facts=union is not None)


def render(fmt: str, sheets: list[Sheet], union: dict[str, Any] | None = None, period: int | None = None) -> str:
    return as_html(sheets, union, period) if fmt == "html" else as_markdown(sheets, union, period)
