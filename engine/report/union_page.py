"""A union's own report, as a printable HTML page (linking back to ../report.html) and as Markdown
to send to the union: sections, level, gaps with their reasons, and the plan to the next level."""
from __future__ import annotations

from typing import Any

from ..evaluate.assessment import Assessment
from ..evaluate.result import RulesetResult
from ..language.vocabulary import union_type_text
from ..plan.records import Plan
from ..values import Number, json_score
from .templating import ENV

SAFE_CHARACTERS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
RESERVED_STEMS = frozenset({"CON", "PRN", "AUX", "NUL", *(f"{p}{n}" for p in ("COM", "LPT") for n in range(1, 10))})


def union_file_stem(union_id: str) -> str:
    """A file name stem for a union's page, safe in file names and URLs on every system.

    ASCII letters, digits, - and _ stay; every other UTF-8 byte becomes ~XX (so distinct ids
    give distinct stems); Windows device names get a trailing ~.
    """
    stem = "".join(c if c in SAFE_CHARACTERS else "".join(f"~{b:02X}" for b in c.encode()) for c in union_id)
    return stem + "~" if stem.upper() in RESERVED_STEMS or not stem else stem


def union_view(assessment: Assessment, plans: dict[str, Plan]) -> dict[str, Any]:
    union = assessment.fact_file.union
    return {
        "name": union.get("name") or union["id"], "id": union["id"], "type": union_type_text(union.get("type")),
        "township": union.get("township") or "—", "period": assessment.fact_file.period, "as_of": assessment.as_of.isoformat(),
        "results": [result_view(result, plans.get(rid)) for rid, result in assessment.results.items()],
    }


def result_view(result: RulesetResult, plan: Plan | None) -> dict[str, Any]:
    reasons = {item.id: item.reason for item in result.items}
    return {
        "name": result.ruleset.name, "version": result.ruleset.version,
        "score": result.score, "max_score": result.max_score, "bonus": result.bonus,
        "level": result.level_text, "eligible": result.eligible, "notes": result.notes,
        "vetoes": [veto.name for veto in result.vetoes], "required_failed": result.required_failed_names,
        "sections": [section_view(s.name, s.points, s.max_points, s.depth) for s in result.sections],
        "gaps": [{"name": gap.name, "points_lost": gap.points_lost, "fix": gap.fix, "evidence": gap.evidence,
                  "reason": reasons.get(gap.item, "")} for gap in result.gaps],
        "lost": sum((gap.points_lost for gap in result.gaps), 0), "plan": plan,
    }


def section_view(name: str, points: Number, max_points: Number, depth: int) -> dict[str, Any]:
    """A section's points and its share of the maximum, the share from the points as shown (3.55 of 10 is 36%)."""
    shown, most = json_score(points), json_score(max_points)
    return {"name": name, "points": points, "max_points": max_points, "depth": depth, "share": 100 * shown / most if most else 100}


def union_report_html(view: dict[str, Any]) -> str:
    """A union's own report as a self-contained, printable page linking back to ../report.html."""
    return ENV.get_template("union.html").render(u=view)


def union_report_markdown(view: dict[str, Any]) -> str:
    """A union's own report as Markdown, ready to send to the union."""
    return ENV.get_template("union.md").render(u=view, cell=markdown_cell)


def union_markdown(assessment: Assessment, plans: dict[str, Plan]) -> str:
    """`assess --format markdown`: the union's report as the batch writes it."""
    return union_report_markdown(union_view(assessment, plans))


def union_pages(assessment: Assessment, plans: dict[str, Plan]) -> dict[str, str]:
    """Both forms of a union's report, by file suffix."""
    view = union_view(assessment, plans)
    return {"html": union_report_html(view), "md": union_report_markdown(view)}


def markdown_cell(text: Any) -> str:
    """Text safe inside a Markdown table cell."""
    return str(text).replace("|", "\\|").replace("\n", " ")
