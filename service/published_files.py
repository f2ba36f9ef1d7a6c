"""The files a publication leaves: the county report and summary workbook, and the 整改通知书.

`county_files` runs in a grading worker (service.grader: the engine never runs in the server's
threads). It assesses the published facts again, exactly as `batch` does (levels held by rank in a
cohort decided first, over the whole round), and hands the results to the renderers `batch` uses:
engine.report.county_report (report.html) and engine.report.summary_workbook (summary.xlsx).

`notice` writes one union's 整改通知书 from its published result: the figures the inspection changed,
the items to rectify (the steps of each standard's plan to the next level, or its lost items where
the plan has no step), the deadline and the evidence to submit, laid out as the 整改工作方案 is (engine.report.workplan: the same
document model and the same Word renderer, GB/T 9704). This module is imported by the workers, so it
does not touch Django.
"""
from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from engine.batch.run import county_stats
from engine.diagnostics import InvalidInput, Mark
from engine.evaluate.assessment import assess
from engine.evaluate.evaluators import DurableEvaluator
from engine.evaluate.rounds import apply_cohort_levels
from engine.facts.fact_file import FactFile
from engine.plan.planner import next_level_plans
from engine.report.county_report import write_county_report
from engine.report.record import as_json
from engine.report.summary_workbook import ItemSheets
from engine.report.union_page import sentence
from engine.report.workplan.blocks import Block, Document, Heading, Paragraph, book, cn_numeral
from engine.report.workplan.word import render, xml_text
from engine.values import cn_date, fmt_number

from . import grader

Unit = tuple[dict[str, Any], int, dict[str, Any]]  # a union's header, the period, its facts by dotted path
Changed = tuple[str, str, str, str, str]  # a fact the inspection changed: label, 自评, 核定, 核查方式, note
STEP_TAGS = {"veto": "（否决项）", "gate": "（申报条件）"}
ASK_FOR_REVIEW = "整改完成，提请复查"  # the button of a task the union has done (the tasks page's, views_loop.MOVES)


def county_files(ids: tuple[str, ...], units: list[Unit], folder: str, title: str) -> dict[str, dict[str, Any]]:
    """In a worker: report.html and summary.xlsx of the units in `folder`. When levels held by rank in a cohort
    were decided, each union's result with them (as `assess --format json`, by union id): what is published."""
    evaluator = grader._WORKER.setdefault("evaluator", DurableEvaluator())
    rulesets = grader.rulesets_named(ids)
    fact_files = [FactFile("发布", header, year, facts, {name: Mark(name) for name in facts}) for header, year, facts in units]
    decisions = apply_cohort_levels(rulesets, fact_files, evaluator)
    stats = county_stats(rulesets, ())
    target = Path(folder)
    ranked: dict[str, dict[str, Any]] = {}
    with ItemSheets(target / "summary.xlsx", [r.id for r in rulesets], {r.id: r.name for r in rulesets}) as sheets:
        for fact_file in fact_files:
            try:
                assessment = assess(rulesets, fact_file, evaluator, cohort=decisions)
            except InvalidInput as exc:
                stats.add_failure(fact_file.path, fact_file.union.get("id"), [d.message for d in exc.diagnostics])
                continue
            if decisions:
                ranked[str(fact_file.union.get("id"))] = json.loads(as_json(assessment, next_level_plans(rulesets, assessment, evaluator)))
            results = list(assessment.results.values())
            stats.add(fact_file.union, assessment.as_of.isoformat(), results)
            sheets.add(fact_file.union, results)
        sheets.save(stats, title)
    write_county_report(target / "report.html", stats, title)
    return ranked


# the 整改通知书 ------------------------------------------------------------------------------------
def has_gaps(result: dict[str, Any]) -> bool:
    """Whether a published result leaves something to rectify in a standard that applies."""
    return any(r.get("applies", True) and (r.get("gaps") or r.get("vetoes") or (r.get("plan") or {}).get("steps"))
               for r in result.get("results", []))


def notice(result: dict[str, Any], union: str, issuer: str, year: int, published: dt.date, deadline: dt.date, verified: bool,
           changes: Sequence[Changed] = ()) -> bytes:
    """The .docx of one union's 整改通知书 (`verified`: the published result is the inspection's, not the self-report's;
    `changes`: what the inspection found otherwise, as verification.changes_shown lists it)."""
    document = notice_document(result, union, issuer, year, published, deadline, verified, changes)
    word = render(document)
    properties = word.core_properties
    properties.title, properties.author, properties.comments, properties.language = xml_text(document.title), xml_text(issuer), "", "zh-CN"
    properties.created = properties.modified = dt.datetime.combine(published, dt.time())
    buffer = io.BytesIO()
    word.save(buffer)
    return buffer.getvalue()


def notice_document(result: dict[str, Any], union: str, issuer: str, year: int, published: dt.date, deadline: dt.date,
                    verified: bool, changes: Sequence[Changed] = ()) -> Document:
    graded = [r for r in result.get("results", []) if r.get("applies", True)]
    tracked = any(steps_of(r) for r in graded)
    upload = (Paragraph("请逐项整理上述佐证资料（照片、PDF 或 Word 文件），在考核评价系统“整改任务”页对应的整改任务下上传，"
                        f"再点击“{ASK_FOR_REVIEW}”，由{issuer}复查，复查合格后予以销号；复查不合格的将退回并注明原因，请按要求继续整改。")
              if tracked else
              Paragraph(f"本次发布没有需要复查销号的整改任务，无需在系统中上传佐证材料；上述事项请对照标准整改，{issuer}将在下一年度考核时一并核查。"))
    sections: list[tuple[str, list[Block]]] = [
        ("核定结果", [*(Paragraph(standing(r)) for r in graded), *inspected(changes)]),
        ("整改事项", numbered([(r["ruleset"]["name"], items(r)) for r in graded if items(r)], 2)),
        ("整改期限", [Paragraph(f"请于{cn_date(deadline)}前完成全部整改事项。否决情形和必备项须立即整改、优先完成。")]),
        ("佐证资料", [*evidence(graded), upload]),
    ]
    checked = f"{issuer}对你会开展了核查评估，核查结果" if verified else f"你会提交的自评数据经{issuer}审核认定，考核结果"
    opening = (f"根据{year}年度基层工会考核评价工作安排，{checked}已于{cn_date(published)}发布。"
               "现将核定结果和需要整改的事项通知如下，请你会高度重视，对照标准逐项整改。")
    return Document(f"关于{union}限期整改的通知书", (Paragraph(f"{union}："), Paragraph(opening), *numbered(sections, 1)),
                    (issuer, cn_date(published)))


def inspected(changes: Sequence[Changed]) -> list[Block]:
    """The facts the inspection found otherwise than the union reported, with how and why (as its result page lists them)."""
    found = "；".join(f"{label}：自评 {was}，核定 {now}（{method}{f'：{note}' if note else ''}）" for label, was, now, method, note in changes)
    return [Paragraph(f"经核查，以下数据与你会自评不一致，按核定的数据计分：{found}。")] if found else []


def numbered(sections: list[tuple[str, list[Block]]], level: int) -> list[Block]:
    blocks: list[Block] = []
    for index, (title, body) in enumerate(sections, 1):
        blocks += [Heading(f"{cn_numeral(index)}、{title}" if level == 1 else f"（{cn_numeral(index)}）{title}", level), *body]
    return blocks


def standing(result: dict[str, Any]) -> str:
    level = (result.get("level") or {}).get("name") or "未达到任何等级"
    if not result.get("eligible", True):
        level = "不参与定级"
    plan = result.get("plan") or {}
    why = sentence(plan["why_not"]) if plan and not plan.get("reachable", True) and plan.get("why_not") else ""  # a veto, a level out of reach
    return f"{book(result['ruleset']['name'])}核定得分 {fmt_number(result['score'])} 分（满分 {fmt_number(result['max_score'])} 分），{level}。{why}"


def steps_of(result: dict[str, Any]) -> list[dict[str, Any]]:
    """The plan's steps: each becomes a task when the result is published (`publishing.tasks_of`)."""
    return (result.get("plan") or {}).get("steps") or []


def items(result: dict[str, Any]) -> list[Block]:
    """The plan's steps to the next level, or, where the plan has none (and so no task), the lost items, said to be so."""
    steps = steps_of(result)
    if steps:
        return [block for index, step in enumerate(steps, 1) for block in step_blocks(index, step)]
    lost = [Paragraph(sentence(gap.get("fix") or "按标准补齐"), f"{index}.{gap['name']}（失 {fmt_number(gap['points_lost'])} 分）。")
            for index, gap in enumerate(result.get("gaps", []), 1)]
    return [Paragraph("以下失分项不设整改任务，请对照整改："), *lost] if lost else []


def step_blocks(index: int, step: dict[str, Any]) -> list[Block]:
    tag = STEP_TAGS.get(step.get("kind", ""), "（必备）" if step.get("required") else "")
    blocks: list[Block] = [Paragraph(sentence(step.get("target", "")), f"{index}.{step['name']}{tag}。")]
    if step.get("elsewhere"):  # another standard's plan asks more of the same fact
        blocks.append(Paragraph(step["elsewhere"], "另："))
    if step.get("evidence"):
        blocks.append(Paragraph(sentence("、".join(step["evidence"])), "佐证资料："))
    return blocks


def evidence(results: list[dict[str, Any]]) -> list[Block]:
    """The evidence the tasks ask for, each once: a name another contains (培训通知, in 培训通知和签到) is left to that one.
    Separated by 「；」, since a name may itself be a list (「工作职责、会议、财务……制度文本」)."""
    wanted = list(dict.fromkeys(name for r in results for step in steps_of(r) for name in step.get("evidence", [])))
    named = [name for name in wanted if not any(name != other and name in other for other in wanted)]
    return [Paragraph(f"需报送的佐证资料：{'；'.join(named)}。")] if named else []
