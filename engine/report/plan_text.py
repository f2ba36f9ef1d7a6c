"""A plan as an ordered checklist for the terminal."""
from __future__ import annotations

from ..plan.records import Plan, Step
from ..values import fmt_number


def step_lines(number: int, step: Step) -> list[str]:
    """One checklist entry: the fix, its points, the evidence to prepare and who does it."""
    gain = f"　+{fmt_number(step.gain)} 分" if step.kind == "item" else ""
    head = f"{number}. [ ] {step.name}（{step.tags()}）{gain}"
    lines = [head, f"目标：{step.target}", f"原因：{step.why}"]
    if step.evidence:
        lines.append("准备资料：" + "、".join(step.evidence))
    if step.advice:
        lines.append("做法：" + step.advice)
    lines.append("责任：" + step.owner)
    return [lines[0]] + ["      " + line for line in lines[1:]]


def render(plan: Plan) -> str:
    """The plan as printed by `unionscore plan`."""
    union = plan.union
    lines = [f"工会：{union.get('name', '')}（{union.get('id', '')}）　评估日期：{plan.as_of.isoformat()}", plan.headline()]
    for number, step in enumerate(plan.steps, 1):
        lines += step_lines(number, step)
    if plan.reachable and plan.steps:
        lines.append(plan.after_text())
    return "\n".join(lines) + "\n"
