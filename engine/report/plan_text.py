"""A plan as an ordered checklist for the terminal: `unionscore plan`, and each ruleset's block of `assess`."""
from __future__ import annotations

from ..plan.records import Plan, Step
from ..values import fmt_number


def step_lines(number: int, step: Step) -> list[str]:
    """One checklist entry: the fix, its points, the evidence to prepare and who does it."""
    gain = f"　+{fmt_number(step.gain)} 分" if step.kind == "item" else ""
    head = f"{number}. [ ] {step.name}（{step.tags}）{gain}"
    lines = [head, f"目标：{step.target}", f"原因：{step.why}"]
    if step.evidence:
        lines.append("准备资料：" + "、".join(step.evidence))
    if step.advice:
        lines.append("做法：" + step.advice)
    lines.append("责任：" + step.owner)
    return [lines[0]] + ["      " + line for line in lines[1:]]


def plan_lines(plan: Plan) -> list[str]:
    """Where the union stands and the target, each step, and where the steps lead."""
    lines = [plan.headline]
    for number, step in enumerate(plan.steps, 1):
        lines += step_lines(number, step)
    return lines + ([plan.after_text] if plan.after_text else [])


def render(plan: Plan) -> str:
    """The plan as printed by `unionscore plan`."""
    union = plan.union
    head = f"工会：{union.get('name', '')}（{union.get('id', '')}）　评估日期：{plan.as_of.isoformat()}"
    return "\n".join([head, *plan_lines(plan)]) + "\n"
