"""What the terminal shows: one union's assessment (`assess`), a plan as a checklist (`plan`), a county's ranking (`batch`)."""
from __future__ import annotations

from typing import Any

import tabulate as tabulate_module
from tabulate import tabulate

from ..evaluate.assessment import Assessment
from ..evaluate.result import ItemScore, RulesetResult
from ..language.vocabulary import OUTCOME_TEXT, union_type_text
from ..plan.records import Plan, Step
from ..values import fmt_number
from .county import CountyStats, SummaryRow, fmt_score, not_applicable_line
from .union_page import sentence

tabulate_module.WIDE_CHARS_MODE = True


def score_text(result: RulesetResult) -> str:
    text = f"{fmt_number(result.score)} / {fmt_number(result.max_score)}"
    return text + (f"（含加分 {fmt_number(result.bonus)}）" if result.bonus else "")


def union_title(union: dict[str, Any], period: int | None) -> str:
    kind = union_type_text(union.get("type"))
    where = "，".join(filter(None, [union.get("id"), kind, union.get("township")]))
    return f"{union.get('name') or union.get('id')}（{where}）" + (f"  {period} 年度" if period else "")


def item_rows(result: RulesetResult) -> list[list[str]]:
    """Sections and their items, each with points earned / possible and outcome."""
    rows = []
    by_section: dict[str, list] = {}
    for item in result.items:
        by_section.setdefault(item.section, []).append(item)
    for section in result.sections:
        indent = "  " * section.depth
        rows.append([f"{indent}【{section.name}】", f"{fmt_number(section.points)}/{fmt_number(section.max_points)}", section.reason])
        for item in by_section.get(section.id, []):
            mark = "★" if item.required else ""
            dropped = item.outcome == "na" and not item.max_points  # na: drop, out of the total
            points = "" if dropped else f"{fmt_number(item.points)}/{fmt_number(item.max_points)}"
            rows.append([f"{indent}  {mark}{item.name}", points, na_text(item) if item.outcome == "na" else OUTCOME_TEXT[item.outcome]])
    for item in result.bonus_items:
        rows.append([f"【加分】{item.name}", f"{fmt_number(item.points)}", OUTCOME_TEXT[item.outcome]])
    return rows


def na_text(item: ItemScore) -> str:
    """How an item that does not apply counts: 「不适用（按满分计）」 or 「不适用（不计分）」, as on the pages."""
    return "不适用（按满分计）" if item.max_points else "不适用（不计分）"


def summary_lines(result: RulesetResult) -> list[str]:
    lines = [f"总分：{score_text(result)}    等级：{result.level_text}"]
    lines.append("否决项：" + ("；".join(veto.text() for veto in result.vetoes) or "无"))
    lines.append("必备项未达标：" + ("、".join(result.required_failed_names) or "无"))
    lines.extend(result.all_notes)
    return lines


def gap_lines(result: RulesetResult) -> list[str]:
    return [f"{number}. {gap.name}（失 {fmt_number(gap.points_lost)} 分）：{gap.fix}" for number, gap in enumerate(result.gaps, 1)]


def ruleset_block(result: RulesetResult, plan: Plan | None) -> str:
    meta = result.ruleset
    block = [f"\n━━ {meta.name}{f'（{meta.version}）' if meta.version else ''}━━"]  # the name, never the id
    if not result.applies:  # as on the union's page: one line saying why
        return "\n".join([*block, not_applicable_line(result)])
    block.append(tabulate(item_rows(result), headers=["评价指标", "得分", "结果"], tablefmt="simple",
                          colalign=("left", "right", "left"), preserve_whitespace=True))  # keeps the indents
    block.extend(summary_lines(result))
    gaps = gap_lines(result)
    block.append("整改事项（按失分从多到少）：" if gaps else "整改事项：无")
    block.extend("  " + line for line in gaps)
    if plan is not None:
        block.append("晋级整改规划" + (f"（目标：{plan.target_name}）" if plan.target_name else "") + "：")
        block.extend("  " + line for line in plan_lines(plan))
    return "\n".join(block)


def as_table(assessment: Assessment, plans: dict[str, Plan]) -> str:
    """The terminal report: one block per ruleset, each with its plan to the next level."""
    fact_file = assessment.fact_file
    blocks = [union_title(fact_file.union, fact_file.period)]
    blocks += [ruleset_block(result, plans.get(rid)) for rid, result in assessment.results.items()]
    return "\n".join(blocks)


def step_lines(number: int, step: Step) -> list[str]:
    """One checklist entry: the fix, its points, the evidence to prepare and who does it."""
    gain = f"　+{fmt_number(step.gain)} 分" if step.scored else ""
    head = f"{number}. [ ] {step.name}（{step.tags}）{gain}"
    lines = [head, f"目标：{step.target}", f"原因：{step.why}"] + ([f"另：{step.elsewhere}"] if step.elsewhere else [])
    if step.evidence:
        lines.append("准备资料：" + "、".join(step.evidence))
    if step.advice:
        lines.append("做法：" + step.advice)
    lines.append("责任：" + step.owner)
    return [lines[0]] + ["      " + line for line in lines[1:]]


def plan_lines(plan: Plan) -> list[str]:
    """Where the union stands and the target, each step, and where the steps lead."""
    lines = [plan.headline, *map(sentence, plan.notes)]
    for number, step in enumerate(plan.steps, 1):
        lines += step_lines(number, step)
    return lines + ([plan.after_text] if plan.after_text else [])


def plan_text(plan: Plan) -> str:
    """The plan as printed by `unionscore plan`."""
    union = plan.union
    head = f"工会：{union.get('name', '')}（{union.get('id', '')}）　评估日期：{plan.as_of.isoformat()}"
    return "\n".join([head, *plan_lines(plan)]) + "\n"


def county_summary(stats: CountyStats, labels: dict[str, str], shown: int = 30) -> str:
    """The terminal view of a batch: the ranked table (the top `shown` of a large county) and level
    counts; `labels` are the rulesets' short names."""
    ids = stats.ruleset_ids
    headers = ["名次", "编号", "名称", "类型", "乡镇"] + [labels[r] for r in ids]
    ranking = stats.ranking()
    rows = [[place, row.id, row.name, row.type, row.township] + [ruleset_cell(row, r) for r in ids]
            for place, row in (ranking if len(ranking) <= shown * 2 else ranking[:shown])]
    parts = [tabulate(rows, headers=headers, tablefmt="simple", disable_numparse=True)]
    if len(rows) < len(ranking):
        parts.append(f"……共 {len(ranking)} 个工会，这里列出前 {shown} 名，完整排名见 summary.xlsx / summary.csv。")
    counts = [[labels[r]] + [f"{level} {stats.level_counts[r][level]}" for level in stats.levels(r)] for r in ids]
    parts += ["", "等级分布：", tabulate(counts, tablefmt="plain")]
    return "\n".join(parts)


def ruleset_cell(row: SummaryRow, ruleset_id: str) -> str:
    """「92 先进职工之家」; 不参与定级 or 不适用 without a score."""
    cell = row.cells.get(ruleset_id)
    if cell is None:
        return "—"
    return cell.level if not cell.eligible else f"{fmt_score(cell.score)} {cell.level}"
