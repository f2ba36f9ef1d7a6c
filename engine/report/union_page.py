"""A union's own report, as a printable HTML page (linking back to ../report.html) and as Markdown
to send to the union: sections, level, gaps with their reasons, and the plan to the next level."""
from __future__ import annotations

import hashlib
import re
from typing import Any

from ..evaluate.assessment import Assessment
from ..evaluate.result import ItemScore, RulesetResult, SectionScore
from ..language.vocabulary import union_type_text
from ..plan.records import Plan
from ..values import Fraction, Number, fmt_number, json_score, normal
from .county import not_applicable_line
from .templating import ENV

PLAIN_ID = re.compile(r"[A-Z0-9][A-Z0-9_-]{0,63}")
RESERVED_STEMS = frozenset({"CON", "PRN", "AUX", "NUL", *(f"{p}{n}" for p in ("COM", "LPT") for n in range(10))})
READABLE = re.compile(r"[^A-Za-z0-9_-]+")
READABLE_LENGTH, HASH_LENGTH = 32, 16


def union_file_stem(union_id: object) -> str:
    """The file name stem of a union's pages: short, safe and distinct for every id, on every system.

    A plain id (upper-case ASCII letters, digits, - and _, at most 64 characters, not a Windows
    device name) is its own stem: QS-001 → QS-001.html. Any other id keeps its ASCII letters,
    digits, - and _ (at most 32) and gets ~ and 16 hex digits of its SHA-256: qs-001 →
    qs-001~<hash>, 青山镇第一中学工会 → union~<hash>. Plain stems have no ~ and no lower-case
    letters, so stems differ even where the file system ignores case; every stem is ASCII, at
    most 64 characters, and depends on the id alone (not on --jobs or on the other unions).
    """
    text = str(union_id)
    if PLAIN_ID.fullmatch(text) and text not in RESERVED_STEMS:
        return text
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:HASH_LENGTH]
    readable = READABLE.sub("", text).lstrip("-_")[:READABLE_LENGTH] or "union"
    return f"{readable}~{digest}"


def union_view(assessment: Assessment, plans: dict[str, Plan]) -> dict[str, Any]:
    """What a union's page shows. A standard that does not apply to the union (its gate failed) is left
    out, with one line saying why (`not_applicable`); a union a veto disqualifies still gets the standard."""
    union = assessment.fact_file.union
    results = list(assessment.results.items())
    return {
        "name": union.get("name") or union["id"], "id": union["id"], "type": union_type_text(union.get("type")),
        "township": union.get("township") or "—", "period": assessment.fact_file.period, "as_of": assessment.as_of.isoformat(),
        "results": [result_view(result, plans.get(rid)) for rid, result in results if result.applies],
        "not_applicable": [{"name": result.ruleset.name, "line": not_applicable_line(result)} for _, result in results if not result.applies],
    }


def result_view(result: RulesetResult, plan: Plan | None) -> dict[str, Any]:
    """The sections add up to 合计 (item points, as the gaps and the plan count them); when items were
    dropped (na: drop) a row rescales 合计 to the standard's maximum, and the rescaling note stands by the
    total; the bonus, when there is one, is added last. Not-applicable items are named, without points."""
    reasons = {item.id: item.reason for item in result.items}
    not_applicable: dict[str, list[ItemScore]] = {}
    for item in result.items:
        if item.outcome == "na":
            not_applicable.setdefault(item.section, []).append(item)
    top = [s for s in result.sections if s.depth == 0]
    earned: Number = sum((s.points for s in top), 0)
    possible, scaled = result.possible, result.scaled
    base = normal(Fraction(earned) * result.max_score / possible) if scaled else earned
    return {
        "name": result.ruleset.name, "version": result.ruleset.version,
        "score": result.score, "max_score": result.max_score, "bonus": result.bonus,
        "level": result.level_text, "eligible": result.eligible,
        "scale": [result.rescaled] if result.rescaled else [],
        "notes": result.remarks,
        "vetoes": [veto.name for veto in result.vetoes], "required_failed": result.required_failed_names,
        "sections": [section_view(s.name, s.points, s.max_points, s.depth, section_note(s, not_applicable.get(s.id, []))) for s in result.sections],
        "sum": section_view("合计", earned, possible, 0), "scaled": scaled, "base": base,
        "total_row": scaled or bool(result.bonus) or result.score != earned,
        "gaps": [{"name": gap.name, "points_lost": gap.points_lost, "fix": gap.fix, "evidence": "、".join(gap.evidence),
                  "reason": reasons.get(gap.item, "")} for gap in result.gaps],
        "lost": sum((gap.points_lost for gap in result.gaps), 0), "plan": plan,
        "plan_notes": [sentence(note) for note in plan.notes] if plan else [],
        "pending": "、".join(item.name for item in result.items if item.outcome == "pending"),
    }


def sentence(text: str) -> str:
    """A text as a sentence: ending with 「。」 unless it ends a sentence already (a plan's notes are written without)."""
    text = text.strip()
    return text if not text or text[-1] in "。！？；" else text + "。"


def section_note(section: SectionScore, items: list[ItemScore]) -> str:
    """What a section's line says besides its points: its own deductions, its items that do not apply."""
    return "；".join(filter(None, [section.reason, na_note(items)]))


def na_note(items: list[ItemScore]) -> str:
    """A section's items that do not apply, in one line: those counted as full with their points (na: full),
    those left out of the count (na: drop) apart: 「不适用（按满分计）：A（1 分）；不适用（不计分）：B、C」."""
    full = [f"{item.name}（{fmt_number(item.max_points)} 分）" for item in items if item.max_points]
    dropped = [item.name for item in items if not item.max_points]
    parts = ([f"不适用（按满分计）：{'、'.join(full)}"] if full else []) + ([f"不适用（不计分）：{'、'.join(dropped)}"] if dropped else [])
    return "；".join(parts)


def section_view(name: str, points: Number, max_points: Number, depth: int, na: str = "") -> dict[str, Any]:
    """A section's points and its share of the maximum, the share from the points as shown (3.55 of 10 is 36%);
    the line naming its items that do not apply."""
    shown, most = json_score(points), json_score(max_points)
    return {"name": name, "points": points, "max_points": max_points, "depth": depth,
            "share": 100 * shown / most if most else 100, "na": na}


def union_report_html(view: dict[str, Any]) -> str:
    """A union's own report as a self-contained, printable page linking back to ../report.html."""
    return ENV.get_template("union.html").render(u=view)


def union_report_markdown(view: dict[str, Any]) -> str:
    """A union's own report as Markdown, ready to send to the union; every value is escaped (`markdown_text`)."""
    return MARKDOWN.get_template("union.md").render(u=view)


def union_markdown(assessment: Assessment, plans: dict[str, Plan]) -> str:
    """`assess --format markdown`: the union's report as the batch writes it."""
    return union_report_markdown(union_view(assessment, plans))


def union_pages(assessment: Assessment, plans: dict[str, Plan]) -> dict[str, str]:
    """Both forms of a union's report, by file suffix."""
    view = union_view(assessment, plans)
    return {"html": union_report_html(view), "md": union_report_markdown(view)}


def markdown_text(value: Any) -> str:
    """A value as literal Markdown text, wherever it stands, also in a table cell: characters that open HTML
    (`<`, `&`), links and images (`[`, `]`), code spans, block quotes and table cells are backslash-escaped,
    line breaks become spaces. A union named 「<img src=…>」 or 「![x](http://…)」 reads as written."""
    text = str(value)
    if SPECIAL_OR_BREAK.search(text) is None:  # most values: numbers, plain Chinese
        return text
    return MARKDOWN_SPECIAL.sub(r"\\\g<0>", LINE_BREAK.sub(" ", text))


MARKDOWN_SPECIAL = re.compile(r"[\\`<>\[\]&|]")
SPECIAL_OR_BREAK = re.compile(r"[\\`<>\[\]&|\r\n]")
LINE_BREAK = re.compile(r"\r\n?|\n")
# The Markdown page escapes every value it shows, as the HTML pages escape theirs.
MARKDOWN = ENV.overlay(finalize=markdown_text, cache_size=50)  # its own cache: templates compiled with finalize
