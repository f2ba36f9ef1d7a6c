"""The 整改工作方案: the document a union submits to its superior union, built from a Plan.

Follows the work plans unions write (一、指导思想 … 五、保障措施, （一）（二） sub-headings,
1. 2. items) and builds one `blocks.Document`, rendered as Markdown by `markdown` and as Word
by `engine.report.workplan.word`.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from ...plan.held import MEASURES_LEAD
from ...plan.records import Plan, Standing, Step
from ...values import cn_date, fmt_number
from ..union_page import sentence
from . import blocks
from .blocks import Block, Document, Heading, Paragraph, Table, book, cn_numeral
from .schedule import Task, owner, schedule

Section = tuple[str, list[Block]]  # a heading without its number, and what follows it
STEP_TAGS = {"veto": "（否决项）", "gate": "（申报条件）"}
CONSOLIDATE = (
    "保持组织健全、制度上墙、台账规范，按时召开委员会会议和会员（代表）大会，及时做好换届和补选。",
    "持续开展职工喜闻乐见的文体活动、劳动竞赛和技能比武，落实送温暖、“五必访”和困难职工帮扶。",
    "坚持每季度对照标准自查一次，发现薄弱环节及时整改，巩固和扩大已有成果，发挥示范带动作用。",
)


def markdown(plan: Plan, deadline: dt.date) -> str:
    """The 整改工作方案 as Markdown."""
    return blocks.markdown(document(plan, deadline))


def document(plan: Plan, deadline: dt.date) -> Document:
    """The 整改工作方案 of `plan`, to be finished by `deadline` (after the assessment date)."""
    tasks = schedule(plan, deadline)  # first: it rejects a deadline that is not after the assessment
    sections = [("指导思想", _guidance(plan)), ("工作目标", _goals(plan, deadline)), ("主要措施", _measures(plan))]
    if plan.steps:  # a timetable only when there is something to schedule
        sections.append(("时间安排", _timeline(plan, deadline, tasks)))
    sections.append(("保障措施", _safeguards(plan, deadline)))
    # Dated the assessment day, not today: the plan answers that assessment, and a document
    # must not change with the day it is generated (the same facts give the same file).
    return Document(f"{union_name(plan)}关于{book(plan.ruleset_name)}的{_work(plan)}工作方案",
                    (Paragraph(_opening(plan)), *_numbered(sections, 1)), (union_name(plan), cn_date(plan.as_of)))


def union_name(plan: Plan) -> str:
    return plan.union.get("name") or plan.union.get("id") or "本单位工会"


def _numbered(sections: Iterable[Section], level: int) -> list[Block]:
    """「一、」 headings at level 1, 「（一）」 at level 2, each followed by its blocks."""
    blocks: list[Block] = []
    for index, (title, body) in enumerate(sections, 1):
        number = f"{cn_numeral(index)}、" if level == 1 else f"（{cn_numeral(index)}）"
        blocks += [Heading(number + title, level), *body]
    return blocks


# --- 开头、指导思想 ------------------------------------------------------------------------------

def _opening(plan: Plan) -> str:
    return f"根据{book(plan.ruleset_name)}，本会于{cn_date(plan.as_of)}对照标准开展了自查评估。为{_aim(plan)}，结合本会实际，特制定本方案。"


def _aim(plan: Plan) -> str:
    if plan.target is None:
        return "巩固现有成果、持续提升工作水平" if plan.reachable else "切实落实整改、消除隐患，为下一年度评定打好基础"
    return f"切实抓好问题整改，确保达到“{plan.target_name}”标准" if plan.reachable else "切实抓好问题整改，补齐短板、缩小差距"


def _work(plan: Plan) -> str:
    """What the document organises: 整改, or 巩固提升 for a union with nothing to fix."""
    return "整改" if plan.steps or not plan.reachable else "巩固提升"


def _guidance(plan: Plan) -> list[Block]:
    areas = _distinct(step.section_name for step in plan.steps if step.scored and step.section_name and step.ruleset == plan.ruleset)
    focus = f"着力补齐{'、'.join(areas)}等方面的短板" if areas else "着力巩固和提升各项工作成果"
    return [Paragraph(
        "以习近平新时代中国特色社会主义思想为指导，深入贯彻党的二十大精神和中国工会十八大精神，"
        f"坚持“组织起来、切实维权”的工作方针，以{book(plan.ruleset_name)}为标准，坚持问题导向和目标导向，"
        f"{'对照本次考核评估查找出的问题逐项整改、立行立改' if _work(plan) == '整改' else '对照标准查找薄弱环节、持续改进'}，"
        f"{focus}，推动本会工作规范化、制度化建设，"
        "努力把工会建设成为职工群众信赖的“职工之家”。")]


# --- 工作目标 -----------------------------------------------------------------------------------

def _goals(plan: Plan, deadline: dt.date) -> list[Block]:
    now = "；".join(f"{book(s.title)}现得分 {fmt_number(s.score)} 分（{s.level_name}）" for s in plan.before)
    blocks: list[Block] = [Paragraph(f"在{cn_date(plan.as_of)}的自查评估中，{now}。")] if now else []
    blocks.append(Paragraph(_outlook(plan)))
    if plan.steps:
        blocks.append(Paragraph(f"本轮共需整改 {len(plan.steps)} 项{_breakdown(plan.steps)}，"
                                f"力争于{cn_date(deadline)}前全部完成，并通过上级工会验收。{_yearly(plan)}"))
    # what the plan leaves to others (items the assessors judge, a level held by rank), and how its points add up
    return blocks + [Paragraph(sentence(note)) for note in (*plan.notes, plan.scale, plan.side_text("本轮整改")) if note]


def _outlook(plan: Plan) -> str:
    """Where the plan leads, or plainly why it cannot reach the target."""
    after = _changes(plan.before, plan.after) if plan.after else "得分将相应提高"
    if plan.reachable and plan.steps:
        return f"通过整改，达到“{plan.target_name}”标准：各项措施全部落实后，{after}。"
    if plan.reachable:
        level = plan.before[0].level_name if plan.before else plan.target_name
        return f"本会已达到“{level}”标准。本轮以巩固提升为主，保持各项工作制度化、规范化，查找薄弱环节，巩固和扩大已有成果。"
    if plan.measures:  # a veto holds this period: what it holds; what to do about it is listed under 主要措施
        held = plan.why_not.partition(MEASURES_LEAD)[0]
        return f"{held}本轮整改以消除否决情形为重点，落实下列措施，为下一年度评定打好基础。"
    why = plan.why_not.rstrip("。") + "。"
    if plan.target is not None:
        why = f"经测算，本轮整改尚不能达到“{plan.target_name}”标准：{why}"
    if not plan.steps:
        return why + "目前没有能够通过整改提高得分的事项，本会将对照标准巩固现有工作，待条件具备后再行申报。"
    return why + f"本方案列出现阶段能够落实的 {len(plan.steps)} 项措施，全部落实后，{after}。"


def _changes(before: tuple[Standing, ...], after: tuple[Standing, ...]) -> str:
    """「《甲》得分由 57.4 分提高到 72.9 分（合格职工之家）；《乙》…」, the planned ruleset first; a score
    that does not move says its level: 「《甲》得分 95 分，等级由不合格变为先进职工之家」."""
    was = {s.ruleset: s for s in before}
    parts = []
    for s in after:
        old = was.get(s.ruleset)
        if old is not None and old.score == s.score:
            parts.append(f"{book(s.title)}得分 {fmt_number(s.score)} 分，等级由{old.level_name}变为{s.level_name}")
        else:
            start = f"由 {fmt_number(old.score)} 分" if old is not None else ""
            parts.append(f"{book(s.title)}得分{start}提高到 {fmt_number(s.score)} 分（{s.level_name}）")
    return "；".join(parts)


def _yearly(plan: Plan) -> str:
    """The steps counted over the next year, which the deadline cannot see finished: 「“职工文体活动”等 2 项按年度
    计数，整改开始即全年开展，以下一考核年度的实际数为准。」"""
    yearly = [step for step in plan.steps if step.yearly]
    if not yearly:
        return ""
    names = f"“{yearly[0].name}”" + (f"等 {len(yearly)} 项" if len(yearly) > 1 else "")
    return f"{names}按年度计数，整改开始即全年开展，以下一考核年度的实际数为准。"


def _breakdown(steps: tuple[Step, ...]) -> str:
    counts = [("消除否决情形", sum(s.kind == "veto" for s in steps)), ("落实申报条件", sum(s.kind == "gate" for s in steps)),
              ("必备项", sum(s.kind == "item" and s.required for s in steps))]
    parts = [f"{name} {count} 项" for name, count in counts if count]
    return "，其中" + "、".join(parts) if parts else ""


# --- 主要措施 -----------------------------------------------------------------------------------

def _measures(plan: Plan) -> list[Block]:
    if plan.steps:
        return _numbered(_groups(plan), 2)
    if plan.measures:
        texts = [*plan.measures, f"对照{book(plan.ruleset_name)}逐项查找失分原因，补齐台账资料和工作短板，为下一年度评定打好基础"]
        return [Paragraph(sentence(text), f"{index}.") for index, text in enumerate(texts, 1)]
    if plan.reachable:
        return [Paragraph(text, f"{index}.") for index, text in enumerate(CONSOLIDATE, 1)]
    return [Paragraph(f"本轮没有可以落实的整改事项。本会将对照{book(plan.ruleset_name)}坚持经常性自查，巩固现有工作成果。")]


def _groups(plan: Plan) -> list[Section]:
    """Vetoes, then the gate, then the items by section in plan order."""
    steps = plan.steps
    vetoes = [s for s in steps if s.kind == "veto"]
    gate = [s for s in steps if s.kind == "gate"]
    items = [s for s in steps if s.scored]
    groups: list[Section] = []
    if vetoes:
        groups.append(("消除否决情形", [Paragraph("否决情形直接影响评定结果，须立即整改、优先消除。"), *_steps(plan, vetoes)]))
    if gate:
        groups.append(("落实申报条件", [Paragraph("申报条件不具备则不能参加评定，须先行落实。"), *_steps(plan, gate)]))
    several = len({s.ruleset for s in items}) > 1
    for key in _distinct((s.ruleset_name, s.section_name) for s in items):
        title = (key[1] or "其他事项") + (f"（“{key[0]}”）" if several else "")
        groups.append((title, _steps(plan, [s for s in items if (s.ruleset_name, s.section_name) == key])))
    return groups


def _steps(plan: Plan, steps: list[Step]) -> list[Block]:
    return [block for index, step in enumerate(steps, 1) for block in _step(plan, index, step)]


def _step(plan: Plan, index: int, step: Step) -> list[Block]:
    """One fix: its quantified target, then what to do, the evidence, who and what it gains."""
    blocks: list[Block] = [Paragraph(sentence(step.target), f"{index}.{step.name}{STEP_TAGS.get(step.kind, '（必备）' if step.required else '')}。")]
    if any(change.text not in step.target for change in step.changes):  # unless the target already says it
        blocks.append(Paragraph(sentence("；".join(change.text for change in step.changes)), "具体事项："))
    if step.advice:
        blocks.append(Paragraph(sentence(step.advice), "工作要求："))
    if step.evidence:
        blocks.append(Paragraph(sentence("、".join(step.evidence)), "佐证资料："))
    blocks.append(Paragraph(sentence(owner(step) + _gain(plan, step)), "责任人："))
    return blocks


def _gain(plan: Plan, step: Step) -> str:
    """「；完成后预计加 3 分」; a step of a standard the plan's standard uses says whose points: 「；完成后“八有”预计加 2 分」."""
    if step.gain <= 0:
        return ""
    whose = "" if step.ruleset == plan.ruleset else f"“{step.ruleset_name}”"
    return f"；完成后{whose}预计加 {fmt_number(step.gain)} 分"


# --- 时间安排、保障措施 ---------------------------------------------------------------------------

def _timeline(plan: Plan, deadline: dt.date, tasks: list[Task]) -> list[Block]:
    start = cn_date(plan.as_of + dt.timedelta(days=1))
    intro = (f"整改工作自{start}起至{cn_date(deadline)}止。否决情形立即整改，必备项和工作量大的事项优先安排，"
             "其余事项按工作量依次推进；最后阶段开展自查自评，迎接上级工会验收。具体安排如下：")
    rows = tuple((task.month.label, task.text, task.owner) for task in tasks)
    return [Paragraph(intro), Table(("月份", "工作内容", "责任人"), rows)]


def _safeguards(plan: Plan, deadline: dt.date) -> list[Block]:
    work = _work(plan)
    owners = sorted(_distinct(name for step in plan.steps for name in owner(step).split("、")), key=lambda name: name != plan.chair)
    who = (f"{'、'.join(owners)}分别牵头负责相应整改事项" if len(owners) > 1 else f"{owners[0]}牵头负责各项整改事项" if owners
           else f"{plan.committee}委员按照分工负责相应工作" if plan.has_committee else f"{plan.chair}负责相应工作")
    pace = "逐项推进，按时间安排完成" if plan.steps else "按季度推进"
    basis = "按照本方案明确的分工，" if plan.steps else ""
    check = "每月对照时间安排检查一次整改进度" if plan.steps else f"每季度检查一次{work}工作落实情况"
    report = f"形成{work}情况报告，报上级工会验收" if plan.steps else f"形成{work}情况报告，报上级工会"
    return _numbered([
        ("加强组织领导", [Paragraph(_leadership(plan, work) + f"定期研究解决{work}中的困难和问题。"
                                    "主动向同级党组织汇报工作进展，争取行政方面在场地、经费、人员等方面的支持。")]),
        ("落实工作责任", [Paragraph(
            f"{basis}{who}，做到任务、责任、时限“三落实”。"
            f"各责任人要对照工作目标{pace}，确保落实到位、不走过场。")]),
        ("强化督促检查", [Paragraph(
            f"{plan.committee}{check}，对进度滞后的事项及时督促、限期完成。"
            f"{work}中形成的会议记录、制度文本、活动记录、经费凭证等资料要及时整理归档，做到有据可查。"
            f"{cn_date(deadline)}前完成自查自评，{report}。")]),
    ], 2)


def _leadership(plan: Plan, work: str) -> str:
    """Who leads the work: a committee's leading group, or the 工会小组长 of a group that has no committee."""
    if plan.has_committee:
        return (f"成立由{plan.chair}任组长、{plan.committee}委员为成员的{work}工作领导小组，"
                f"把{work}工作列入{plan.committee}重要议事日程，")
    return f"由{plan.chair}牵头负责{work}工作，"


def _distinct(values: Iterable) -> list:
    """The values in first-seen order, without repeats."""
    return list(dict.fromkeys(values))
