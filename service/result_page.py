"""A stored result (exactly `unionscore assess --format json`) as the pages show it.

Per standard: the score and level, the sections as bars, each lost item with its reason and fix,
and the plan to the next level; a standard that does not apply is one line saying why. The numbers
are the engine's own, only formatted (85, 85.5, 85.33).
"""
from __future__ import annotations

from typing import Any

from engine.evaluate.result import NO_LEVEL, NOT_APPLICABLE, NOT_GRADED
from engine.language.model import Ruleset
from engine.plan.planner import required_note
from engine.plan.records import gains_note
from engine.values import Fraction, normal

GATE_NOTE = "，" + NOT_GRADED  # the engine's note on a failed gate: 「未满足申报条件：…，不参与定级」


def number(value: Any) -> str:
    """A JSON score for people: 85, 85.5, 85.33."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "—" if value is None else str(value)


def level_text(result: dict[str, Any]) -> str:
    """As RulesetResult.level_text: the level's name, 未达到任何等级, 不参与定级 or 不适用."""
    if not result.get("applies", True):
        return NOT_APPLICABLE
    if not result.get("eligible", True):
        return NOT_GRADED
    return (result.get("level") or {}).get("name") or NO_LEVEL


def not_applicable_line(result: dict[str, Any]) -> str:
    """Why a standard does not apply, as engine.report.county.not_applicable_line says it."""
    gate = next((note for note in reversed(result.get("notes", [])) if note.endswith(GATE_NOTE)), "")
    reason = gate.removesuffix(GATE_NOTE) or "未满足申报条件"
    if "缺少资料" in reason:
        return f"{reason}，补齐资料后才能确定本标准是否适用于本单位"
    return f"{reason}，本标准不适用于本单位"


def standard(result: dict[str, Any], short_names: dict[str, str], ruleset: Ruleset | None) -> dict[str, Any]:
    ref = result["ruleset"]
    base = {"id": ref["id"], "name": ref["name"], "short": short_names.get(ref["id"], ref["name"]),
            "version": ref.get("version", ""), "applies": result.get("applies", True), "level": level_text(result)}
    if not base["applies"]:
        return base | {"na_line": not_applicable_line(result)}
    reasons = {item["id"]: item.get("reason", "") for item in result.get("items", [])}
    names = {item["id"]: item["name"] for item in result.get("items", [])}
    gaps = [gap_view(gap, reasons) for gap in result.get("gaps", [])]
    return base | {
        "score": number(result["score"]), "max_score": number(result["max_score"]), "eligible": result.get("eligible", True),
        "bonus": number(result["bonus"]) if result.get("bonus") else "",
        "notes": [note for note in result.get("notes", []) if not note.endswith(GATE_NOTE)],
        "vetoes": result.get("veto_details", []),
        "required": required_text(result, names, ruleset),
        "sections": [section_view(section) for section in result.get("sections", [])],
        "gaps": gaps, "lost": number(round(sum(gap["points_lost"] for gap in result.get("gaps", [])), 2)),
        "plan": result.get("plan"), "plan_writable": writable(result.get("plan")), "gains_note": rescaled_gains(result),
    }


def required_text(result: dict[str, Any], names: dict[str, str], ruleset: Ruleset | None) -> list[str]:
    """The 必备项 the result fails and what that means for the standard, as the Word plan says it. Those the plan to the
    next level takes up are among its steps, which say why. For the others, the planner's own note
    (engine.plan.planner.required_note) for the level the plan reaches, else (at the top) the level held: 「必备项“按期
    换届”未达标：不影响评为五星，本规划未列入，但仍须整改」, naming the better level that needs every 必备项 where there is
    one. Where no level speaks for them (none held, the lowest, not graded) their names alone."""
    failed = result.get("required_failed") or []
    plan = result.get("plan") or {}
    planned = [step["id"] for step in plan.get("steps") or [] if step["id"] in failed and step.get("ruleset") == result["ruleset"]["id"]]
    left = [item for item in failed if item not in planned]
    lines = [f"必备项{quoted(planned, names)}未达标：已列入下方晋级整改规划，原因见该项"] if planned else []
    if not left:
        return lines
    aim = (plan.get("target") if plan.get("reachable") else None) or (result.get("level") or {}).get("id")
    level = ruleset.level(aim) if ruleset and aim else None
    if ruleset is None or level is None or level == ruleset.levels[-1] or not result.get("eligible", True):
        return [*lines, f"必备项未达标：{'、'.join(names.get(item, item) for item in left)}"]
    return [*lines, *required_note(ruleset, level, left)]


def quoted(items: list[str], names: dict[str, str]) -> str:
    return "“" + "”“".join(names.get(item, item) for item in items) + "”"


def rescaled_gains(result: dict[str, Any]) -> str:
    """As the union's page says beside the plan of a standard whose items that do not apply were dropped:
    a step's 「+ 分」 are the item's points, the totals are rescaled to the standard's maximum."""
    possible = normal(sum((Fraction(str(s["max_points"])) for s in result.get("sections", []) if s.get("depth", 0) == 0), Fraction(0)))
    most = normal(Fraction(str(result["max_score"])))
    return gains_note(possible, most) if possible and possible != most else ""


def section_view(section: dict[str, Any]) -> dict[str, Any]:
    points, most = section["points"], section["max_points"]
    share = 100 * points / most if most else 100
    return {"name": section["name"], "points": number(points), "max_points": number(most), "depth": section.get("depth", 0),
            "share": f"{max(0.0, min(100.0, share)):.0f}"}


def gap_view(gap: dict[str, Any], reasons: dict[str, str]) -> dict[str, Any]:
    return {"name": gap["name"], "lost": number(gap["points_lost"]), "reason": reasons.get(gap["item"], ""),
            "fix": gap.get("fix") or "", "evidence": "、".join(gap.get("evidence", []))}


def writable(plan: dict[str, Any] | None) -> bool:
    """Whether `unionscore plan --format docx` writes a 整改工作方案 for this plan (it refuses a standard
    that does not apply, and a level no change reaches with no measures to take)."""
    return plan is not None and not (plan.get("target") is None and not plan.get("reachable") and not plan.get("measures"))


def standards(result: dict[str, Any] | None, short_names: dict[str, str], rulesets: tuple[Ruleset, ...]) -> list[dict[str, Any]]:
    by_id = {ruleset.id: ruleset for ruleset in rulesets}
    return [standard(r, short_names, by_id.get(r["ruleset"]["id"])) for r in (result or {}).get("results", [])]


def score_cells(result: dict[str, Any] | None, ids: list[str]) -> list[str]:
    """One cell per standard for a table: 「50.55 不达标」, 「不适用」, or 「—」 without a result."""
    by_id = {r["ruleset"]["id"]: r for r in (result or {}).get("results", [])}
    return [cell(by_id[i]) if i in by_id else "—" for i in ids]


def cell(result: dict[str, Any]) -> str:
    level = level_text(result)
    return level if level == NOT_APPLICABLE else f"{number(result['score'])} {level}"
