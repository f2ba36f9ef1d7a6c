"""The 整改工作方案: sections, schedule, Markdown and Word (.docx), and the Word file in LibreOffice.

Plans are built by hand here, so these tests do not depend on the planner.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import re
import shutil
import subprocess
from pathlib import Path

import docx
import pytest
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn

from engine import UsageError
from engine.plan.records import Change, Left, Plan, SideChange, Standing, Step
from engine.report.workplan.blocks import book, cn_numeral
from engine.report.workplan.document import markdown
from engine.report.workplan.schedule import Month, months, priority, schedule
from engine.report.workplan.word import BODY_FONT, HEADING1_FONT, HEADING2_FONT, PAGE_NUMBER_FONT, TITLE_FONT, _title_lines, write
from engine.values import Fraction

ZHIJIA = "“职工之家”建设考核评价标准"
BAYOU = '基层工会规范化建设"八有"标准'
AS_OF = dt.date(2025, 12, 31)
DEADLINE = dt.date(2026, 4, 30)
HEADINGS = ["一、指导思想", "二、工作目标", "三、主要措施", "四、时间安排", "五、保障措施"]


def step(kind: str, name: str, section_name: str = "", effort: str = "medium", weight: int = 3, before=0, after=0,
         required: bool = False, owner: str = "", changes: tuple[str, ...] = (), target: str = "", **extra) -> Step:
    return Step(kind=kind, ruleset="zhijia", ruleset_name=ZHIJIA, id=name, name=name, section=section_name,
                section_name=section_name, effort=effort, weight=weight, points_before=before, points_after=after,
                changes=tuple(Change("fact", "事实", 0, 1, text) for text in changes), target=target or f"完成{name}",
                owner=owner, required=required, **extra)


STEPS = (
    step("item", "建立女职工委员会", "组织建设", "low", 1, 0, 3, owner="工会主席", changes=("建立女职工委员会",),
         target="建立女职工委员会，得 3 分（+3 分）", advice="召开女职工大会选举产生女职工委员会。"),
    step("veto", "拖欠职工工资引发群体性事件", weight=0, owner="工会主席、劳动法律监督委员会",
         changes=("拖欠工资事件由 1 起减为 0 起",), target="结清拖欠工资，消除否决情形"),
    step("item", "会员入会率", "组织建设", "medium", 3, 5, 8, required=True, owner="工会主席",
         changes=("会员人数再增加 12 人（38 → 50 人）",), evidence=("会员名册", "入会申请书"),
         target="会员人数再增加 12 人（会员入会率 76.0% → 95.0%），达到“95% 以上”档，得 8 分（+3 分）"),
    step("item", "每年召开职代会", "民主管理", "high", 8, 0, 6, owner="工会委员会",
         changes=("召开一次职工代表大会",), evidence=("会议通知", "会议记录", "决议")),
    step("item", "经审委员会审查经费", "经费管理", "low", 1, Fraction(3, 2), 3, owner="经费审查委员会、工会财务人员",
         changes=("经费审查再开展 1 次（1 → 2 次）",)),
    step("gate", "依法建会满一年", weight=0, owner="工会主席"),
)


def standing(ruleset: str, name: str, score, level: str) -> Standing:
    return Standing(ruleset, name, score, ruleset, level, name)


def make_plan(steps: tuple[Step, ...] = STEPS, reachable: bool = True, why_not: str = "", **extra) -> Plan:
    plan = Plan(union={"id": "QS-016", "name": "青山镇鑫源食品厂工会"}, as_of=AS_OF, ruleset="zhijia",
                ruleset_name=ZHIJIA, target="qualified", target_name="合格职工之家", reachable=reachable,
                why_not=why_not, steps=steps,
                before=(standing("zhijia", ZHIJIA, Fraction(287, 5), "不合格"), standing("bayou", BAYOU, 58, "不达标")),
                after=(standing("zhijia", ZHIJIA, Fraction(709, 10), "合格职工之家"), standing("bayou", BAYOU, 66, "基本达标")))
    return dataclasses.replace(plan, **extra)


def section(text: str, heading: str) -> str:
    """The Markdown under one `## ` heading, up to the next."""
    return text.split(f"## {heading}\n", 1)[1].split("\n## ", 1)[0]


def table_rows(text: str) -> list[list[str]]:
    """The schedule's rows as cells, the month carried down where it is left blank."""
    rows, month = [], ""
    for line in section(text, "四、时间安排").splitlines():
        if line.startswith("| ") and not line.startswith(("| 月份", "| ---")):
            cells = [cell.strip() for cell in line.strip("|").split(" | ")]
            month = cells[0] or month
            rows.append([month, *cells[1:]])
    return rows


# --- Markdown ----------------------------------------------------------------------------------------

def test_markdown_has_the_title_the_five_parts_in_order_and_the_signature():
    text = markdown(make_plan(), DEADLINE)
    assert text.startswith("# 青山镇鑫源食品厂工会关于《“职工之家”建设考核评价标准》的整改工作方案\n")
    assert re.findall(r"^## (.+)$", text, re.MULTILINE) == HEADINGS
    assert text.rstrip().endswith("青山镇鑫源食品厂工会\n\n2025年12月31日")
    assert "以习近平新时代中国特色社会主义思想为指导" in section(text, "一、指导思想")


def test_goals_give_the_figures_before_and_after_and_the_number_of_fixes():
    goals = section(markdown(make_plan(), DEADLINE), "二、工作目标")
    assert "《“职工之家”建设考核评价标准》现得分 57.4 分（不合格）" in goals
    assert "《基层工会规范化建设“八有”标准》现得分 58 分（不达标）" in goals
    assert "达到“合格职工之家”标准" in goals and "由 57.4 分提高到 70.9 分（合格职工之家）" in goals
    assert "共需整改 6 项，其中消除否决情形 1 项、落实申报条件 1 项、必备项 1 项" in goals
    assert "2026年4月30日前全部完成" in goals


def test_goals_say_what_the_plan_leaves_out_and_how_a_rescaled_standard_adds_up():
    scale = "各项“+ 分”按该项分值计（本标准对本单位合计 96 分），总分按 96 分折算为 100 分。"
    judged = "“特色工作”待考核组评定（满分 5 分），本规划未计入"
    goals = section(markdown(make_plan(notes=(judged,), scale=scale), DEADLINE), "二、工作目标")
    assert goals.index("共需整改 6 项") < goals.index(judged + "。") < goals.index(scale)  # a note is a sentence in a document
    assert judged not in section(markdown(make_plan(), DEADLINE), "二、工作目标")


def test_goals_name_what_the_steps_move_without_a_step_of_their_own():
    side = (SideChange("星级", "基层工会规范化建设“八有”达标", 0, 3),)
    goals = section(markdown(make_plan(side=side), DEADLINE), "二、工作目标")
    assert "本轮整改还使 1 项得分随之变化（不另列为整改事项）：基层工会规范化建设“八有”达标（星级）0 → 3 分（+3 分）。" in goals
    assert "随之变化" not in section(markdown(make_plan(), DEADLINE), "二、工作目标")


def test_a_change_the_steps_make_unnamed_is_told_as_its_two_figures_print():  # QS-005's 职工之家建设成效 in 星级
    change = SideChange("星级", "职工之家建设成效", Fraction(15632, 10000), Fraction(37471, 10000))
    assert change.text() == "职工之家建设成效（星级）1.56 → 3.75 分（+2.19 分）"  # not +2.18, the exact difference
    assert SideChange("星级", "工会积极分子", 4, 3).text() == "工会积极分子（星级）4 → 3 分（−1 分）"



def test_measures_put_the_veto_and_the_gate_first_then_sections_in_plan_order():
    measures = section(markdown(make_plan(), DEADLINE), "三、主要措施")
    assert re.findall(r"^### (.+)$", measures, re.MULTILINE) == [
        "（一）消除否决情形", "（二）落实申报条件", "（三）组织建设", "（四）民主管理", "（五）经费管理"]


def test_each_measure_has_its_target_changes_evidence_owner_and_gain():
    measures = section(markdown(make_plan(), DEADLINE), "三、主要措施")
    membership = measures.split("**2.会员入会率（必备）。**", 1)[1].split("\n### ", 1)[0]
    assert membership.startswith("会员人数再增加 12 人（会员入会率 76.0% → 95.0%）")
    assert "**具体事项：**会员人数再增加 12 人（38 → 50 人）。" in membership
    assert "**佐证资料：**会员名册、入会申请书。" in membership
    assert "**责任人：**工会主席；完成后预计加 3 分。" in membership
    assert "**工作要求：**召开女职工大会选举产生女职工委员会。" in measures
    assert "具体事项：**建立女职工委员会" not in measures  # the target already says it
    assert "**责任人：**经费审查委员会、工会财务人员；完成后预计加 1.5 分。" in measures


def test_safeguards_name_every_owner_once():
    safeguards = section(markdown(make_plan(), DEADLINE), "五、保障措施")
    assert re.findall(r"^### (.+)$", safeguards, re.MULTILINE) == ["（一）加强组织领导", "（二）落实工作责任", "（三）强化督促检查"]
    assert "工会主席、劳动法律监督委员会、工会委员会、经费审查委员会、工会财务人员分别牵头负责" in safeguards


def test_an_unreachable_plan_says_why_and_still_lists_what_can_be_done():
    plan = make_plan(STEPS[:2], reachable=False, why_not="会员人数已达全部职工，入会率无法再提高。")
    text = markdown(plan, DEADLINE)
    goals = section(text, "二、工作目标")
    assert "经测算，本轮整改尚不能达到“合格职工之家”标准：会员人数已达全部职工，入会率无法再提高。" in goals
    assert "本方案列出现阶段能够落实的 2 项措施" in goals
    assert "**1.建立女职工委员会。**" in section(text, "三、主要措施")


def test_a_plan_without_steps_is_a_whole_document_without_a_timetable_of_nothing():
    plan = make_plan((), reachable=False, why_not="不具备申报条件：建会未满一年", after=())
    text = markdown(plan, DEADLINE)
    assert re.findall(r"^## (.+)$", text, re.MULTILINE) == ["一、指导思想", "二、工作目标", "三、主要措施", "四、保障措施"]
    assert "不具备申报条件：建会未满一年。目前没有能够通过整改提高得分的事项" in text
    assert "本轮没有可以落实的整改事项" in section(text, "三、主要措施")
    assert "共需整改" not in text and "时间安排" not in text and "|" not in text


def test_a_plan_at_the_top_level_is_a_short_consolidation_plan():
    top = (standing("zhijia", ZHIJIA, 96, "模范职工之家"),)
    plan = make_plan((), target=None, target_name="", why_not="已达到最高等级，以巩固提升为主", before=top, after=top)
    text = markdown(plan, DEADLINE)
    assert text.startswith("# 青山镇鑫源食品厂工会关于《“职工之家”建设考核评价标准》的巩固提升工作方案\n")
    assert "本会已达到“模范职工之家”标准。本轮以巩固提升为主" in text and "“”" not in text
    assert "时间安排" not in text and "整改事项" not in text and "逐项整改" not in text and "巩固提升工作领导小组" in text


def test_a_veto_that_holds_makes_a_plan_for_the_next_period():
    plan = make_plan((), reachable=False, target=None, target_name="", after=(), measures=("落实事故整改，经上级工会认定",),
                     why_not="本年度发生重大劳动安全责任事故 1 起，按标准本年度不能评为合格职工之家及以上等级。整改重点：落实事故整改，经上级工会认定")
    text = markdown(plan, DEADLINE)
    measures = section(text, "三、主要措施")
    assert "**1.**落实事故整改，经上级工会认定。" in measures and "**2.**对照《“职工之家”建设考核评价标准》逐项查找失分原因" in measures
    goals = section(text, "二、工作目标")
    assert "按标准本年度不能评为合格职工之家及以上等级。本轮整改以消除否决情形为重点" in goals and "时间安排" not in text
    assert "落实事故整改" not in goals  # the measure is told once, under 主要措施, not also as the goal


def test_the_same_plan_gives_the_same_text():
    assert markdown(make_plan(), DEADLINE) == markdown(make_plan(), DEADLINE)


# --- schedule ----------------------------------------------------------------------------------------

def test_months_run_from_the_day_after_the_assessment_to_the_deadline():
    assert [m.label for m in months(AS_OF, DEADLINE)] == ["2026年1月", "2026年2月", "2026年3月", "2026年4月"]
    assert months(dt.date(2025, 6, 15), dt.date(2025, 8, 3)) == [Month(2025, 6), Month(2025, 7), Month(2025, 8)]
    assert months(dt.date(2025, 11, 30), dt.date(2026, 1, 5)) == [Month(2025, 12), Month(2026, 1)]


@pytest.mark.parametrize("deadline", [AS_OF, dt.date(2025, 10, 1)])
def test_a_deadline_not_after_the_assessment_is_a_usage_error(deadline):
    with pytest.raises(UsageError, match="整改期限 .* 应晚于评估日期 2025年12月31日"):
        markdown(make_plan(), deadline)


def test_the_markdown_table_is_the_schedule_month_by_month():
    text = markdown(make_plan(), DEADLINE)
    assert "| 月份 | 工作内容 | 责任人 |" in text
    tasks = schedule(make_plan(), DEADLINE)
    assert table_rows(text) == [[task.month.label, task.text, task.owner] for task in tasks]
    assert [row[0] for row in table_rows(text)][::-1][0] == "2026年4月"


def test_vetoes_and_the_gate_come_at_once_and_the_last_month_is_the_inspection():
    tasks = schedule(make_plan(), DEADLINE)
    first = [t.text for t in tasks if t.month == Month(2026, 1)]
    assert first[:3] == ["召开工会委员会会议，学习《“职工之家”建设考核评价标准》，研究部署整改工作，明确责任分工",
                         "立即消除否决情形：拖欠职工工资引发群体性事件", "落实申报条件：依法建会满一年"]
    last = [t.text for t in tasks if t.month == Month(2026, 4)]
    assert last == ["对照《“职工之家”建设考核评价标准》逐项开展自查自评，补齐完善台账资料",
                    "形成整改情况报告，报上级工会申请验收，迎接检查"]


def test_required_and_high_effort_items_come_before_medium_and_low_ones():
    tasks = schedule(make_plan(), DEADLINE)
    month_of = {s.name: next(t.month for t in tasks if t.text.startswith(s.name)) for s in STEPS if s.kind == "item"}
    assert month_of["会员入会率"] == month_of["每年召开职代会"] == Month(2026, 1)
    assert month_of["建立女职工委员会"] == month_of["经审委员会审查经费"] == Month(2026, 3)
    names = [s.name for s in STEPS if s.kind == "item"]
    items = [t.text for t in tasks if t.text.startswith(tuple(names))]
    assert [next(n for n in names if text.startswith(n)) for text in items] == ["会员入会率", "每年召开职代会", "建立女职工委员会", "经审委员会审查经费"]
    assert items[0] == "会员入会率（必备）：会员人数再增加 12 人（38 → 50 人）"
    assert items[2] == "建立女职工委员会"  # the change says no more than the name
    assert items[1].endswith("，3月底前完成")  # eight of the thirteen effort points: it runs into March
    assert [(t.month.month, t.text) for t in tasks if t.text.startswith("继续推进")] == [
        (2, "继续推进：每年召开职代会"), (3, "继续推进：每年召开职代会")]


def test_priority_orders_vetoes_required_high_medium_low():
    ranks = [priority(s) for s in (STEPS[1], STEPS[2], STEPS[3], step("item", "x"), STEPS[0])]
    assert ranks == [0, 1, 1, 2, 3]


def test_months_without_work_get_a_progress_check():
    tasks = schedule(make_plan(STEPS[1:2]), DEADLINE)
    assert [(t.month.month, t.text) for t in tasks if t.month in (Month(2026, 2), Month(2026, 3))] == [
        (2, "督促检查整改进度，巩固已完成事项的成果"), (3, "督促检查整改进度，巩固已完成事项的成果")]


def test_a_single_month_holds_the_work_then_the_inspection_before_a_mid_month_deadline():
    tasks = schedule(make_plan(), dt.date(2026, 1, 20))
    assert {t.month for t in tasks} == {Month(2026, 1)}
    assert tasks[-1].text == "1月20日前形成整改情况报告，报上级工会申请验收，迎接检查"
    assert "自查自评" in tasks[-2].text and "经审委员会审查经费" in tasks[-3].text


# --- helpers -------------------------------------------------------------------------------------------

def test_chinese_numerals_and_book_titles():
    assert [cn_numeral(n) for n in (1, 5, 10, 11, 20, 23)] == ["一", "五", "十", "十一", "二十", "二十三"]
    assert book(BAYOU) == "《基层工会规范化建设“八有”标准》"
    assert book('不成对的"引号') == '《不成对的"引号》'


# --- Word ----------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def docx_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("workplan") / "方案" / "整改工作方案.docx"
    write(make_plan(), DEADLINE, path)
    return path


def east_asian_font(style) -> str:
    fonts = style.element.rPr.rFonts
    assert fonts.get(qn("w:eastAsiaTheme")) is None and fonts.get(qn("w:asciiTheme")) is None
    return fonts.get(qn("w:eastAsia"))


def test_docx_is_written_atomically(docx_path: Path):
    assert [p.name for p in docx_path.parent.iterdir()] == ["整改工作方案.docx"]


def test_a_union_name_with_a_control_character_is_written_without_it(tmp_path: Path):
    """XML has no vertical tab or backspace; python-docx refused the name and `plan --format docx` stopped."""
    path = tmp_path / "整改工作方案.docx"
    write(make_plan(union={"id": "QS-016", "name": "青山镇鑫源\x0b食品厂工会\x08"}), DEADLINE, path)
    word = docx.Document(str(path))
    assert word.core_properties.author == "青山镇鑫源食品厂工会"
    assert "青山镇鑫源食品厂工会" in word.paragraphs[0].text.replace("\n", "")


def test_docx_uses_title_and_heading_styles(docx_path: Path):
    word = docx.Document(str(docx_path))
    styled = [(p.style.name, p.text) for p in word.paragraphs if p.style.name in ("Title", "Heading 1", "Heading 2")]
    assert styled[0] == ("Title", "青山镇鑫源食品厂工会关于《“职工之家”\n建设考核评价标准》的整改工作方案")
    assert [text for name, text in styled if name == "Heading 1"] == HEADINGS
    assert ("Heading 2", "（一）消除否决情形") in styled and ("Heading 2", "（三）强化督促检查") in styled
    assert [p.text for p in word.paragraphs[-2:]] == ["青山镇鑫源食品厂工会", "2025年12月31日"]
    title = styled[0][1].replace("\n", "")
    assert (word.core_properties.title, word.core_properties.author) == (title, "青山镇鑫源食品厂工会")


@pytest.mark.parametrize("title, lines", [
    ("本单位工会关于《八有》的整改工作方案", ["本单位工会关于《八有》的整改工作方案"]),
    ("青山镇鑫源食品厂工会关于《“职工之家”建设考核评价标准》的整改工作方案",
     ["青山镇鑫源食品厂工会关于《“职工之家”", "建设考核评价标准》的整改工作方案"]),
    ("青山县金泰化工有限公司工会关于《基层工会规范化建设“八有”标准》的整改工作方案",  # not 19, 19 and 「案」 alone
     ["青山县金泰化工有限公司工会", "关于《基层工会规范化建设", "“八有”标准》的整改工作方案"]),
    ("青山镇鑫源食品厂工会关于《“活力基层工会”星级评定标准（六好）》的整改工作方案",
     ["青山镇鑫源食品厂工会关于", "《“活力基层工会”星级评定标准", "（六好）》的整改工作方案"]),
    ("一二三四五六七八九十" * 4, ["一二三四五六七八九十" * 4]),  # no phrase to break at: left to Word
])
def test_a_long_title_is_broken_into_even_lines_where_phrases_end(title, lines):
    assert _title_lines(title) == lines


def test_docx_headings_keep_with_their_text_and_the_text_with_the_signature(docx_path: Path):
    word = docx.Document(str(docx_path))
    for name in ("Heading 1", "Heading 2"):
        assert word.styles[name].paragraph_format.keep_with_next is True
    assert word.styles["Normal"].paragraph_format.widow_control is True
    *text, issuer, date = word.paragraphs
    assert text[-1].style.name == "Normal" and text[-1].paragraph_format.keep_with_next  # the last lines go along
    assert issuer.paragraph_format.keep_with_next and issuer.paragraph_format.keep_together
    assert not date.paragraph_format.keep_with_next
    steps = [p for p in text if re.match(r"\d+\.", p.text)]
    kept = [len(p.text) for p in steps if p.paragraph_format.keep_with_next]
    # a step's numbered paragraph as short as a heading, not a long one (LibreOffice would move it whole)
    assert kept and max(kept) <= 2 * 28 and any(len(p.text) > 2 * 28 for p in steps)


def test_docx_footer_numbers_pages_like_an_official_document(docx_path: Path):
    word = docx.Document(str(docx_path))
    [paragraph] = word.sections[0].footer.paragraphs
    assert paragraph.alignment == WD_ALIGN_PARAGRAPH.CENTER
    [field] = paragraph._p.findall(qn("w:fldSimple"))
    assert field.get(qn("w:instr")) == "PAGE"
    assert [run.text for run in paragraph.runs] == ["— ", " —"]
    footer = word.styles["Footer"]
    assert east_asian_font(footer) == PAGE_NUMBER_FONT == "宋体" and footer.font.size.pt == 14


def test_docx_short_table_rows_do_not_split_and_tall_ones_may(tmp_path: Path):
    changes = tuple(f"补充第 {n} 项制度并上墙公布，形成台账" for n in range(1, 9))
    tall = step("item", "核心制度健全并上墙", "组织建设", "high", 8, 0, 4, changes=changes)
    path = tmp_path / "整改工作方案.docx"
    write(make_plan((*STEPS, tall)), DEADLINE, path)
    [table] = docx.Document(str(path)).tables
    whole = {row.cells[1].text[:9]: row._tr.trPr.find(qn("w:cantSplit")) is not None for row in table.rows}
    assert whole["工作内容"] and whole["会员入会率（必备）"] and whole["形成整改情况报告，"]
    assert not whole["核心制度健全并上墙"]


def test_docx_fonts_are_chinese_official_ones_with_a_latin_font_too(docx_path: Path):
    word = docx.Document(str(docx_path))
    styles = word.styles
    assert east_asian_font(styles["Normal"]) == BODY_FONT == "仿宋"
    assert east_asian_font(styles["Title"]) == TITLE_FONT
    assert east_asian_font(styles["Heading 1"]) == HEADING1_FONT and east_asian_font(styles["Heading 2"]) == HEADING2_FONT
    assert styles["Normal"].font.name == "Times New Roman" and styles["Normal"].font.size.pt == 16
    assert styles["Title"].font.size.pt == 22
    language = styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr")).find(qn("w:lang"))
    assert language.get(qn("w:eastAsia")) == "zh-CN"


def test_docx_page_is_a4_with_official_margins(docx_path: Path):
    section = docx.Document(str(docx_path)).sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    margins = (section.top_margin, section.bottom_margin, section.left_margin, section.right_margin)
    assert [round(margin.mm) for margin in margins] == [37, 35, 28, 26]


def test_docx_schedule_is_a_table_with_a_header_row_and_merged_months(docx_path: Path):
    [table] = docx.Document(str(docx_path)).tables
    rows = [[cell.text for cell in row.cells] for row in table.rows]
    assert rows[0] == ["月份", "工作内容", "责任人"]
    assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    tasks = schedule(make_plan(), DEADLINE)
    assert rows[1:] == [[task.month.label, task.text, task.owner] for task in tasks]
    first_column = [row.cells[0]._tc for row in table.rows[1:]]
    assert len(set(first_column)) == 4  # one merged cell a month


# --- LibreOffice ---------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def pdf(docx_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The .docx converted once by LibreOffice, with a profile of its own (no clash with a running soffice)."""
    soffice = shutil.which("soffice")
    if soffice is None or shutil.which("pdftotext") is None:
        pytest.fail("转换和读取 PDF 需要 soffice 和 pdftotext：请先安装 Debian 软件包 "
                    "sudo apt-get install -y libreoffice-writer-nogui poppler-utils", pytrace=False)
    out = tmp_path_factory.mktemp("pdf")
    profile = (tmp_path_factory.mktemp("lo-profile")).as_uri()
    subprocess.run([soffice, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(out), str(docx_path)], check=True, capture_output=True, timeout=180)
    return out / "整改工作方案.pdf"


def test_libreoffice_renders_the_docx_as_a_pdf_with_the_chinese_headings(pdf: Path):
    assert pdf.is_file()
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout
    assert int(re.search(r"^Pages:\s+(\d+)", info, re.MULTILINE).group(1)) >= 1
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    for heading in [*HEADINGS, "（一）消除否决情形", "整改工作方案", "月份", "自查自评"]:
        assert heading in text


def test_a_union_without_a_committee_has_its_leader_run_the_work():  # a 工会小组: its 组长, no committee or chair
    plan = make_plan(tuple(dataclasses.replace(s, owner="工会小组长") for s in STEPS[:1]), chair="工会小组长", committee="工会小组长")
    text = markdown(plan, DEADLINE)
    rows = table_rows(text)
    assert rows[0][1:] == ["工会小组长召集会员，学习《“职工之家”建设考核评价标准》，研究部署整改工作，明确责任分工", "工会小组长"]
    assert {row[2] for row in rows} == {"工会小组长"}
    safeguards = section(text, "五、保障措施")
    assert "由工会小组长牵头负责整改工作，定期研究解决整改中的困难和问题。" in safeguards
    assert "工会小组长每月对照时间安排检查一次整改进度" in safeguards
    assert "工会主席" not in text and "工会委员会" not in text


def test_a_count_for_the_next_year_starts_at_once_and_takes_the_year():  # a `per: year` fact planned at year end
    change = Change("disclosure.times", "厂务公开次数", 6, 10, "2026年度厂务公开次数达到 10 次（2025年度 6 次）", yearly=True)
    disclosure = dataclasses.replace(STEPS[0], id="厂务公开", name="厂务公开", changes=(change,))
    text = markdown(make_plan((STEPS[2], disclosure)), DEADLINE)
    assert "“厂务公开”按年度计数，整改开始即全年开展，以下一考核年度的实际数为准。" in section(text, "二、工作目标")
    rows = table_rows(text)
    assert rows[1] == ["2026年1月", "厂务公开：2026年度厂务公开次数达到 10 次（2025年度 6 次），年内完成", "工会主席"]
    assert not [row for row in rows if row[1] == "继续推进：厂务公开"]
    assert any(row[1].startswith("会员入会率（必备）：") for row in rows)


def test_a_step_of_a_used_standard_says_whose_points_it_adds():  # a 星级 plan fixing a 八有 item
    bayou = dataclasses.replace(STEPS[0], ruleset="bayou", ruleset_name="八有")
    measures = section(markdown(make_plan((bayou, STEPS[2])), DEADLINE), "三、主要措施")
    assert "**责任人：**工会主席；完成后“八有”预计加 3 分。" in measures
    assert "**责任人：**工会主席；完成后预计加 3 分。" in measures  # the plan's own standard's step


def test_a_required_item_the_plan_leaves_is_still_in_the_timetable():  # QS-033's overdue 换届 under a 合格 target
    left = Left("工会委员会依法选举产生并按期换届", "召开会员（代表）大会进行换届选举（上次为2019年3月1日）", "工会主席")
    rows = table_rows(markdown(make_plan(STEPS[:1], left=(left,)), DEADLINE))
    assert ["2026年1月", "必备项“工会委员会依法选举产生并按期换届”（本轮目标不要求，但仍须整改）："
            "召开会员（代表）大会进行换届选举（上次为2019年3月1日）", "工会主席"] in rows
