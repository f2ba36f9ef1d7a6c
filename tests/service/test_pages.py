"""The union's pages: the self-check form generated from the round's declarations, drafts and
submissions graded by the engine, the result page and its Word plan, read-only views, passwords."""
from __future__ import annotations

import datetime as dt
import io
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any
from unittest import mock
from urllib.parse import unquote

import docx
import pytest
from click.testing import CliRunner
from clients import assessed, signed_in
from django.conf import settings
from django.contrib.sessions.models import Session
from django.http import QueryDict
from django.test import Client
from django.utils import timezone

from cli import cli
from engine import load_ruleset
from engine.diagnostics import Mark
from engine.language.model import FactDecl
from service import grader, records
from service.grading import grade
from service.models import Entry, Round, User, Version
from service.result_page import level_text, number
from service.selfcheck_form import OTHERS, Group, bind, document, fold_idle, layout

REPO = Path(__file__).resolve().parents[2]


def form_url(round_: Round, code: str = "QS-016") -> str:
    return f"/rounds/{round_.pk}/{code}/"


def text_of(response: Any) -> str:
    """The page as a person reads it: tags dropped, spaces collapsed."""
    body = re.sub(r"<[^>]+>", " ", response.content.decode())
    return " ".join(body.replace("&amp;", "&").replace("&quot;", '"').replace("&#x27;", "'").split())


TICKED = {"blank": "survey.satisfaction"}  # QS-016 has no 满意率测评: the tick a submission of its form asks for (see below)


def form_data(response: Any) -> dict[str, Any]:
    """What the form posts back unchanged: every field's value (lists as one value per input)."""
    return {f.name: [p.value for p in f.parts] if f.parts else f.value
            for group in response.context["groups"] for f in group.fields}


# the form ----------------------------------------------------------------------------------------
def test_a_union_goes_straight_to_its_self_check(county: Round, union_client: Client) -> None:
    response = union_client.get("/")
    assert response.status_code == 302 and response["Location"] == form_url(county)


def test_the_form_follows_the_standards_sections_each_fact_once(county: Round, union_client: Client) -> None:
    response = union_client.get(form_url(county))
    groups = response.context["groups"]
    titles = [(g.title, g.standard) for g in groups]
    assert titles[:3] == [("有班子", "八有"), ("有牌子", "八有"), ("有活动场所", "八有")]
    assert ("组织健全", "职工之家") in titles and ("加分项", "星级") in titles and titles[-1] == (OTHERS, "")
    names = [f.name for g in groups for f in g.fields]
    assert len(names) == len(set(names)) == 92
    first = {f.name: g.title for g in groups for f in g.fields}
    assert first["members"] == "有班子" and first["employees"] == "组织健全" and first["meetings.by_quarter"] == "有记录"
    assert [f.name for f in groups[-1].fields] == ["founded", "incidents.major_safety", "incidents.wage_arrears_protest",
                                                    "incidents.funds_violation"]
    assert [f.name for f in groups[0].fields][:2] == ["committee.elected", "chair.elected"]  # declaration order within an item
    legends = re.findall(r"<legend>([^<]+)<", response.content.decode())
    assert legends[:2] == ["有班子", "有牌子"] and legends[-1] == OTHERS


@pytest.mark.parametrize(("code", "folded"), [("QS-011", {"职工之家", "星级", "职工之家（机关）"}),  # a 工会小组: 八有 alone
                                              ("QS-016", {"职工之家（机关）"}),  # an enterprise
                                              ("QS-018", set())])  # a 机关 takes every standard
def test_the_parts_only_standards_that_do_not_apply_read_are_folded_away(county: Round, code: str, folded: set[str]) -> None:
    client = signed_in(code.lower())
    response = client.get(form_url(county, code))
    groups = response.context["groups"]
    assert {g.standard for g in groups if g.idle} == folded and not groups[-1].idle  # 其他事项 decides what applies
    assert {g.standard for g in groups if not g.idle} >= {"八有", ""}
    html = response.content.decode()
    assert html.count('<details class="idle">') == sum(g.idle for g in groups)
    if folded:
        assert f"<summary>{sorted(folded)[0]}不适用于本单位，这一部分可以不填（" in html
    # still in the form, and posted back as they were
    again = client.post(form_url(county, code), form_data(response) | {"action": "draft"})
    entry = Entry.objects.get(round=county, union__code=code)
    assert again.status_code == 302 and entry.latest().result == entry.versions.get(number=1).result


TWO_STANDARDS = """\
ruleset: {{id: {id}, name: {id}标准, version: "1", max_score: 10}}
facts:
  accident: {{type: integer, label: 重大事故, unit: 起, change: none}}
  x: {{type: boolean, label: 乙}}
sections:
  - id: s
    name: {section}
    max: 10
    items:
      - {{id: s.a, name: 甲, points: 10, when: {when}, fix: 整改。, evidence: [台账]}}
levels:
  - {{id: ok, name: 合格, min: 6}}
{vetoes}"""


def test_a_part_a_standard_that_applies_reads_only_in_a_veto_stays_open(tmp_path: Path) -> None:
    """Its facts fall in another standard's part, which the veto's standard still reads: not 「可以不填」."""
    (tmp_path / "a.yaml").write_text(TWO_STANDARDS.format(id="a", section="安全", when="accident == 0", vetoes=""), encoding="utf-8")
    (tmp_path / "b.yaml").write_text(TWO_STANDARDS.format(id="b", section="工作", when="x", vetoes=(
        "vetoes:\n  - {id: v, name: 事故, when: accident > 0, effect: cap, cap_level: ok, fix: 整改。}\n")), encoding="utf-8")
    rulesets = (load_ruleset(tmp_path / "a.yaml"), load_ruleset(tmp_path / "b.yaml"))
    groups, _ = bind(layout(rulesets), {}, [])
    result = {"results": [{"ruleset": {"id": "a"}, "applies": False}, {"ruleset": {"id": "b"}, "applies": True}]}
    assert [(g.title, [f.name for f in g.fields], g.idle) for g in fold_idle(groups, rulesets, result)] == [
        ("安全", ["accident"], False), ("工作", ["x"], False)]
    neither = {"results": [{"ruleset": {"id": "a"}, "applies": False}, {"ruleset": {"id": "b"}, "applies": False}]}
    assert [g.idle for g in fold_idle(groups, rulesets, neither)] == [True, True]


def test_each_type_has_its_widget_and_the_imported_values(county: Round, union_client: Client) -> None:
    html = union_client.get(form_url(county)).content.decode()
    boolean = re.search(r'<select id="f-committee-elected" name="committee.elected">(.*?)</select>', html, re.S)
    assert boolean and re.findall(r">([^<]+)</option>", boolean.group(1)) == ["未填/无资料", "是", "否"]
    assert '<option value="true" selected>是</option>' in boolean.group(1)
    enum = re.search(r'name="rules.audit">(.*?)</select>', html, re.S)
    assert enum and re.findall(r">([^<]+)</option>", enum.group(1)) == ["未填/无资料", "未建立", "已建立未上墙", "已建立并上墙"]
    assert '<option value="none" selected>未建立</option>' in enum.group(1)
    assert '<input id="f-founded" name="founded" type="date" value="2017-09-12"' in html
    quarters = re.findall(r'<span>(第.季度)</span><input id="f-meetings-by_quarter-\d" name="meetings.by_quarter" type="text" '
                          r'inputmode="numeric" value="(\d)"', html)
    assert quarters == [("第一季度", "1"), ("第二季度", "0"), ("第三季度", "1"), ("第四季度", "0")]
    assert re.search(r'name="members" type="text" inputmode="numeric" value="31"[^>]*>\s*<span class="unit">人</span>', html)
    assert 'name="funds.service_share" type="text" inputmode="decimal" value="45%"' in html
    assert "填百分比，如 95%（也可填 0.95）" in html and "按《工会法》为 3 年或 5 年" in html
    assert "none 未建立" not in html  # an enum's code legend is not repeated under its drop-down


def test_a_new_round_is_prefilled_from_last_years_record(county: Round) -> None:
    later = Round.objects.create(federation=county.federation, year=2026, title="青山县2026年度基层工会考核评价",
                                 rulesets=county.rulesets)
    entry = Entry.objects.create(round=later, union=county.entries.get(union__code="QS-016").union)
    client = signed_in("qs-016")
    assert client.get("/")["Location"] == form_url(later)
    response = client.get(form_url(later))
    assert "本年度尚未填报。以下数据取自 2025 年度的记录（第 1 版）" in text_of(response)
    assert form_data(response)["members"] == "31"
    assert entry.versions.count() == 0



def test_a_year_imported_from_results_alone_is_not_the_prefill(county: Round) -> None:
    """2026 came from a past batch's results.jsonl (no facts): 2027's form starts from 2025's facts."""
    union = county.entries.get(union__code="QS-016").union
    archived = Round.objects.create(federation=county.federation, year=2026, title="2026", rulesets=county.rulesets)
    Version.objects.create(entry=Entry.objects.create(round=archived, union=union), number=1, kind=Version.Kind.ARCHIVED,
                           facts={}, result={"results": []})
    later = Round.objects.create(federation=county.federation, year=2027, title="2027", rulesets=county.rulesets)
    Entry.objects.create(round=later, union=union)
    response = signed_in("qs-016").get(form_url(later))
    assert "以下数据取自 2025 年度的记录（第 1 版）" in text_of(response)
    assert form_data(response)["members"] == "31"


def decl(name: str, type_: str, label: str, **more: Any) -> FactDecl:
    return FactDecl(name, type_, label, Mark("rules.yaml"), **more)


QUARTERLY = decl("meetings.by_quarter", "list", "各季度会议次数", items="integer", unit="次")
NAMES = decl("honours", "list", "获得的荣誉", items="string")
ELECTED = decl("chair.elected", "boolean", "主席经选举产生")
SHARE = decl("funds.share", "number", "经费用于服务职工的比例", unit="%", min=0, max=1)
MEMBERS = decl("members", "integer", "会员人数", unit="人")
DUES = decl("dues.due", "number", "应拨缴工会经费", unit="元")


def test_posted_values_become_a_fact_document_blanks_left_out() -> None:
    groups = [Group("有记录", "八有", (QUARTERLY, NAMES, ELECTED, SHARE))]
    posted = QueryDict("meetings.by_quarter=1&meetings.by_quarter=&meetings.by_quarter=2&meetings.by_quarter=0"
                       "&honours=&honours=%E5%85%88%E8%BF%9B%E9%9B%86%E4%BD%93&honours=&chair.elected=false&funds.share=+")
    assert document(groups, posted) == {"facts": {"meetings.by_quarter": ["1", "", "2", "0"], "honours": ["先进集体"],
                                                  "chair.elected": False}}
    blank = QueryDict("meetings.by_quarter=&meetings.by_quarter=&meetings.by_quarter=&meetings.by_quarter=&chair.elected=")
    assert document(groups, blank) == {"facts": {}}


def test_values_are_shown_as_people_write_them() -> None:
    groups = [Group("有记录", "八有", (QUARTERLY, NAMES, ELECTED, SHARE))]
    facts = {"meetings.by_quarter": [1, 0, 1], "honours": ["先进集体"], "chair.elected": "maybe", "funds.share": "0.955"}
    [bound], general = bind(groups, facts, [{"field": "chair.elected", "message": "主席经选举产生（chair.elected）：无法识别 “maybe”"},
                                            {"field": "facts", "message": "应为事实文件的内容"}])
    quarters, names, elected, share = bound.fields
    assert [(p.label, p.value) for p in quarters.parts] == [("第一季度", "1"), ("第二季度", "0"), ("第三季度", "1"), ("第四季度", "")]
    assert [(p.label, p.value) for p in names.parts] == [("第 1 项", "先进集体"), ("第 2 项", ""), ("第 3 项", "")]
    assert elected.choices[-1] == ("maybe", "maybe（无法识别）") and elected.value == "maybe"
    assert elected.problems == ("无法识别 “maybe”",) and general == ["应为事实文件的内容"]
    assert share.value == "95.5%" and share.suffix == "" and share.shown == "95.5%"
    assert quarters.shown == "第一季度 1 次；第二季度 0 次；第三季度 1 次"
    typed = bind([Group("有班子", "八有", (MEMBERS, DUES))], {"members": "40人", "dues.due": "1.5万"}, [])[0][0].fields
    assert [f.shown for f in typed] == ["40 人", "15000 元"]  # as read, each with its unit, however it was typed


# saving -------------------------------------------------------------------------------------------
def test_a_draft_keeps_an_invalid_value_and_shows_the_problem(county: Round, union_client: Client) -> None:
    data = form_data(union_client.get(form_url(county))) | {"members": "三十一", "action": "draft"}
    response = union_client.post(form_url(county), data)
    assert response.status_code == 302 and response["Location"] == form_url(county)
    entry = Entry.objects.get(round=county, union__code="QS-016")
    latest = entry.latest()
    assert entry.status == Entry.Status.DRAFT and latest and latest.kind == Version.Kind.DRAFT and latest.result is None
    assert latest.facts["facts"]["members"] == "三十一"
    shown = union_client.get(form_url(county))
    html, text = shown.content.decode(), text_of(shown)
    assert re.search(r'name="members" type="text" inputmode="numeric" value="三十一" autocomplete="off" aria-invalid="true"', html)
    assert "无法识别 “三十一”，应为不小于 0 的整数" in text and "members（" not in text
    assert "有 1 处需要修改" in text and '<a href="#f-members-row">会员人数</a>' in html


@pytest.mark.parametrize(("field", "typed", "problem"), [
    ("contract.coverage", "120%", "应为不小于 0%、不大于 100% 的百分比，实际为 “120%”"),  # not 「不大于 1 的数值，实际为 1.2」
    ("committee.size", "95%", "“95%” 是百分比，本项应为不小于 0 的整数，请填写实际数目"),  # a form has no columns
    ("female_members", "-3", "应为不小于 0 的整数，实际为 “-3”"),
])
def test_a_bad_value_is_told_in_the_words_of_the_form(county: Round, union_client: Client, field: str, typed: str,
                                                      problem: str) -> None:
    union_client.post(form_url(county), form_data(union_client.get(form_url(county))) | {field: typed, "action": "draft"})
    shown = union_client.get(form_url(county))
    [found] = [f for g in shown.context["groups"] for f in g.fields if f.problems]
    assert (found.name, found.problems) == (field, (problem,))


def test_the_number_of_problems_said_is_the_number_listed(county: Round, union_client: Client) -> None:
    """「有 10 处需要修改」 above 13 lines: a problem across two facts is listed at each, and the count now counts the lines."""
    data = form_data(union_client.get(form_url(county))) | {"members": "300"}  # above 职工人数 42: one problem, at two facts
    draft = union_client.post(form_url(county), data | {"action": "draft"}, follow=True)
    assert "草稿已保存（第 2 版），还有 2 处需要修改后才能提交" in text_of(draft)
    listed = draft.content.decode().split('<div class="problems" role="alert">')[1].split("</div>")[0]
    assert "有 2 处需要修改" in text_of(draft) and listed.count("<li>") == 2
    assert "未提交：有 2 处需要修改" in text_of(union_client.post(form_url(county), data | TICKED | {"action": "submit"}))
    assert "这一版数据有 2 处需要修改" in text_of(union_client.get(form_url(county) + "result/"))


@pytest.mark.parametrize(("typed", "problems"), [
    ({"members": "40", "female_members": "60"}, {"female_members": ("60 大于会员人数 40",), "members": ("女会员人数 60 大于会员人数 40",)}),
    ({"members": "300"}, {"members": ("300 大于职工人数 42",), "employees": ("会员人数 300 大于职工人数 42",)}),
])
def test_a_count_above_another_is_told_at_both_in_the_words_of_the_form(county: Round, union_client: Client, typed: dict,
                                                                        problems: dict) -> None:
    """女会员人数 above 会员人数 (`at_most`), 会员人数 above 职工人数: told at each fact, named by labels, not fact paths."""
    union_client.post(form_url(county), form_data(union_client.get(form_url(county))) | typed | {"action": "draft"})
    shown = union_client.get(form_url(county))
    assert {f.name: f.problems for g in shown.context["groups"] for f in g.fields if f.problems} == problems
    assert not re.search(r"（[a-z_.]+）", text_of(shown))


def test_a_submission_with_problems_is_refused_and_nothing_is_stored(county: Round, union_client: Client) -> None:
    entry = Entry.objects.get(round=county, union__code="QS-016")
    before = entry.versions.count()
    data = form_data(union_client.get(form_url(county))) | {"founded": "2017-13-40", "action": "submit"}
    response = union_client.post(form_url(county), data)
    assert response.status_code == 200 and entry.versions.count() == before
    text = text_of(response)
    assert "未提交：有 1 处需要修改，本次填写的内容尚未保存" in text and "“2017-13-40” 不是有效的日期" in text
    assert 'name="founded" type="text" inputmode="text" value="2017-13-40"' in response.content.decode()  # shown as typed


def test_a_corrected_submission_is_graded_as_assess_grades_the_facts(county: Round, union_client: Client, tmp_path: Path) -> None:
    data = form_data(union_client.get(form_url(county))) | {"members": "40人", "survey.satisfaction": "92%", "action": "submit"}
    response = union_client.post(form_url(county), data)
    assert response.status_code == 302 and response["Location"] == form_url(county) + "result/"
    entry = Entry.objects.get(round=county, union__code="QS-016")
    latest = entry.latest()
    assert latest and latest.kind == Version.Kind.SUBMITTED and entry.status == Entry.Status.SUBMITTED
    assert latest.facts["facts"]["members"] == "40人" and latest.facts["facts"]["funds.service_share"] == "45%"
    assert latest.result == assessed(entry, latest.facts["facts"], tmp_path)
    assert "已提交（第 2 版）" in text_of(union_client.get(response["Location"]))


def test_a_submission_leaving_facts_blank_lists_them_keeps_a_draft_and_asks_for_a_tick(county: Round, union_client: Client) -> None:
    """A chair left 工会主席经选举产生 on 未填/无资料 and was told 「已提交」; the result page then showed 缺少资料、无资料不得分
    and a 必备项 failed. The blank facts the result lacks are now listed by the form's parts before anything is submitted,
    the typing kept as a draft; the tick names what it listed, so a fact left blank since is asked about again."""
    entry = Entry.objects.get(round=county, union__code="QS-016")
    data = form_data(union_client.get(form_url(county))) | {"chair.elected": "", "activists": "12", "action": "submit"}
    held = union_client.post(form_url(county), data)
    latest = entry.latest()
    assert held.status_code == 200 and latest is not None and latest.number == 2 and latest.kind == Version.Kind.DRAFT
    assert latest.facts["facts"]["activists"] == "12" and "chair.elected" not in latest.facts["facts"]
    text = text_of(held)
    assert ("未提交：有 2 项没有填写（见下），提交后按“无资料不得分”计分。本次填写的内容已保存为草稿（第 2 版）。"
            "有资料的请补填后再提交；确实没有资料的，请勾选确认后再提交。") in text
    assert ("以下 2 项没有填写，提交后按“无资料不得分”计分 （已保存为草稿，尚未提交）： 有班子（八有）： 工会主席经选举产生 "
            "职工信赖（职工之家）： 职工对工会工作满意率（测评） 以上各项确实没有资料，按“无资料不得分”提交") in text
    assert '<a href="#f-chair-elected-row">工会主席经选举产生</a>' in held.content.decode()
    assert "藏书" not in text.split("以上各项确实没有资料")[0]  # blank, but the result does not need it: there is no 书屋
    ticked = form_data(held) | {"base": held.context["base"], "blank": held.context["blank_names"], "action": "submit"}
    again = union_client.post(form_url(county), ticked | {"committee.elected": ""})  # one more left blank since: asked again
    assert again.status_code == 200 and "以下 3 项没有填写" in text_of(again) and entry.latest().kind == Version.Kind.DRAFT  # type: ignore[union-attr]
    done = union_client.post(form_url(county), ticked | {"base": again.context["base"]})
    submitted = entry.latest()
    assert done.status_code == 302 and submitted is not None and submitted.kind == Version.Kind.SUBMITTED and submitted.number == 4
    assert "工会主席经选举产生（无资料不得分）" in json.dumps(submitted.result, ensure_ascii=False)


def test_a_draft_after_a_submission_says_the_submission_is_now_a_draft(county: Round, union_client: Client) -> None:
    assert union_client.post(form_url(county), form_data(union_client.get(form_url(county))) | TICKED | {"action": "submit"}).status_code == 302
    response = union_client.post(form_url(county), form_data(union_client.get(form_url(county))) | {"action": "draft"}, follow=True)
    assert "注意：本单位已提交的自评现在改为草稿，乡镇和县总工会看到的状态是“草稿”，改好后请再次提交。" in text_of(response)
    again = union_client.post(form_url(county), form_data(union_client.get(form_url(county))) | {"action": "draft"}, follow=True)
    assert "草稿已保存" in text_of(again) and "注意：" not in text_of(again)


@pytest.mark.parametrize(("action", "kind"), [("draft", Version.Kind.DRAFT), ("submit", Version.Kind.SUBMITTED)])
def test_two_open_copies_of_the_form_do_not_overwrite_each_other(county: Round, union_client: Client, action: str, kind: str) -> None:
    """The reviewer's QS-037: tab B saved 积极分子 30, then tab A saved 面积 120 from the older form, and 积极分子 went back
    unseen. Tab A's save is refused; the form comes back with B's version and A's change, and saving it keeps both."""
    def sent(page: Any) -> dict[str, Any]:
        return form_data(page) | TICKED | {"base": page.context["base"]}

    first, second = union_client.get(form_url(county)), union_client.get(form_url(county))
    assert union_client.post(form_url(county), sent(second) | {"activists": "30", "action": "draft"}).status_code == 302
    entry = Entry.objects.get(round=county, union__code="QS-016")
    newer = entry.latest()
    assert newer is not None and newer.number == 2
    stale = union_client.post(form_url(county), sent(first) | {"venue.area": "120", "action": action})
    assert stale.status_code == 200 and entry.versions.count() == 2
    assert (f"未保存：打开本页之后，账号 qs-016 于 {timezone.localtime(newer.created_at):%Y-%m-%d %H:%M} 保存了第 2 版草稿数据。"
            "输入框中现为第 2 版的数据，你改动的 1 项已保留在上面；请核对后再保存。") in text_of(stale)
    assert (form_data(stale)["activists"], form_data(stale)["venue.area"], stale.context["base"]) == ("30", "120", 2)
    assert union_client.post(form_url(county), sent(stale) | {"action": action}).status_code == 302
    latest = entry.latest()
    assert latest is not None and latest.number == 3 and latest.kind == kind
    assert (latest.facts["facts"]["activists"], latest.facts["facts"]["venue.area"]) == ("30", "120")


def test_a_form_on_a_version_that_does_not_exist_is_not_stored_and_keeps_the_typing(county: Round, union_client: Client) -> None:
    page = union_client.get(form_url(county))
    answer = union_client.post(form_url(county), form_data(page) | {"base": "99", "activists": "30", "action": "draft"})
    assert answer.status_code == 200 and Entry.objects.get(round=county, union__code="QS-016").versions.count() == 1
    assert "未保存：本页所依据的第 99 版不存在，最新为第 1 版。输入框中是你填写的数据，请核对后再保存。" in text_of(answer)
    assert (form_data(answer)["activists"], answer.context["base"]) == ("30", 1)


def test_a_self_report_whose_form_was_followed_while_it_graded_is_not_stored(county: Round) -> None:
    """The check is made again under the entry's lock: a save between reading the form's base and storing is not taken back."""
    entry, union = Entry.objects.get(round=county, union__code="QS-016"), User.objects.get(username="qs-016")
    first = entry.versions.get(number=1)
    graded = grade(entry, first.facts)
    records.save(entry, union, first.facts, Version.Kind.DRAFT, follows=1)  # another tab's, meanwhile
    with pytest.raises(records.Stale, match="期间已有第 2 版草稿数据保存，本次未保存：第 2 版由账号 qs-016 于"):
        records.store(entry, union, graded, Version.Kind.SUBMITTED, follows=1)
    assert entry.versions.count() == 2


# the result ---------------------------------------------------------------------------------------
def test_the_result_page_shows_the_engines_numbers(county: Round, union_client: Client) -> None:
    done = CliRunner().invoke(cli, ["assess", "--format", "json", str(REPO / "facts" / "qingshan" / "QS-016.yaml")])
    expected = json.loads(done.output)["results"]
    response = union_client.get(form_url(county) + "result/")
    text, html = text_of(response), response.content.decode()
    for result in expected:
        if not result["applies"]:
            assert f"{result['ruleset']['name']} 未满足申报条件：" in text and "本标准不适用于本单位" in text
            continue
        assert f"{number(result['score'])} / {number(result['max_score'])} 分 等级 {level_text(result)}" in text
        for section in result["sections"]:
            assert f"{section['name']} {number(section['points'])} / {number(section['max_points'])}" in text
        for gap in result["gaps"]:
            assert f"{gap['name']} 失 {number(gap['points_lost'])} 分" in text and gap["fix"] in text
        assert result["plan"]["headline"] in text
    assert "基层工会规范化建设“八有”标准 50.55 / 100 分 等级 不达标" in text
    assert "失分项（23 项，共失 49.45 分）" in text
    assert re.findall(r'/workplan/([a-z-]+)\.docx\?version=1"', html) == ["bayou", "zhijia", "xingji"]
    assert "第 1 版 导入 — " in text  # the history
    # on a phone each version is a card (table.unions), each score labelled with its standard, none off the screen
    assert '<table class="unions versions">' in html and '<td class="score" data-label="职工之家">31 不合格</td>' in html
    # 星级 drops an item that does not apply (4 of 100): the plan's gains are item points, its totals rescaled, as the union's page says
    assert "星级 15.63 分（未评星） → 目标三星" in text
    assert "各项“+ 分”按该项分值计（本标准对本单位合计 96 分），总分按 96 分折算为 100 分。" in text
    assert text.count("各项“+ 分”按该项分值计") == 1  # not beside 八有's or 职工之家's plan, which are not rescaled


def test_a_failed_required_item_says_what_it_means_for_the_standard(county: Round) -> None:
    """QS-003 showed 五星, 已达到最高等级, and in red 「必备项未达标：工会委员会依法选举产生并按期换届」, nothing more. It now says
    what the Word plan says (the planner's note): not what keeps it from its level, but still to be put right; where a
    better level needs every 必备项, which; where the plan to the next level takes the item up, that it does."""
    client = signed_in("qs-003")
    data = form_data(client.get(form_url(county, "QS-003"))) | {"chair.elected": "", "blank": "chair.elected", "action": "submit"}
    assert client.post(form_url(county, "QS-003"), data).status_code == 302
    text = text_of(client.get(form_url(county, "QS-003") + "result/"))
    assert "星级 95.83 分（五星）：已达到最高等级，以巩固提升为主" in text
    assert "必备项“工会委员会依法选举产生并按期换届”未达标：不影响评为五星，本规划未列入，但仍须整改" in text
    assert "必备项未达标：" not in text
    assessor = signed_in("assessor")
    assert ("必备项“工会委员会依法选举产生并按期换届”“职工对工会工作满意率（90% 以上满分）”未达标：不影响评为先进职工之家，"
            "本规划未列入，但仍须整改（评模范职工之家须全部必备项达标）") in text_of(assessor.get(form_url(county, "QS-005") + "result/"))
    assert ("必备项“职工对工会工作满意率（90% 以上满分）”未达标：已列入下方晋级整改规划，原因见该项"
            in text_of(assessor.get(form_url(county, "QS-004") + "result/")))


def test_a_step_says_the_figure_another_standards_plan_asks_of_the_same_fact(county: Round, union_client: Client) -> None:
    """QS-016 was told 28 people in 医疗互助 by 职工之家 and 36 by 星级 (after its new members), with nothing to say which
    counts; the step asking less now names the other plan's figure (engine/plan/across.py)."""
    union_client.post(form_url(county), form_data(union_client.get(form_url(county))) | {"action": "draft"})
    text = text_of(union_client.get(form_url(county) + "result/"))
    assert text.count("另 “星级”的规划要求参加职工医疗互助保障人数再增加 20 人（16 → 36 人），两个规划都落实时按“星级”的目标完成。") == 1

def test_an_earlier_version_and_an_unknown_one(county: Round, union_client: Client) -> None:
    union_client.post(form_url(county), form_data(union_client.get(form_url(county))) | {"members": "x", "action": "draft"})
    latest = union_client.get(form_url(county) + "result/")
    assert "这一版数据有 1 处需要修改，还不能计算得分" in text_of(latest) and "查看第 1 版的评估结果" in text_of(latest)
    # named as the form names them, each a link to its field, and no result claimed for this version
    assert f'<a href="{form_url(county)}#f-members-row">会员人数</a>：无法识别 “x”' in latest.content.decode()
    assert "（members）" not in text_of(latest) and re.search(r"以下为 第 2 版 （草稿，qs-016，[-\d :]+） 查看", text_of(latest))
    assert "50.55 / 100 分" in text_of(union_client.get(form_url(county) + "result/?version=1"))
    assert union_client.get(form_url(county) + "result/?version=99").status_code == 404


def test_the_word_plan_downloads_as_a_docx_with_a_chinese_name(county: Round, union_client: Client) -> None:
    response = union_client.get(form_url(county) + "workplan/bayou.docx?version=1")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    disposition = response["Content-Disposition"]
    assert disposition.startswith('attachment; filename="workplan-QS-016-bayou.docx"; filename*=utf-8\'\'')
    assert unquote(disposition.split("''", 1)[1]) == "青山镇鑫源食品厂工会八有整改工作方案.docx"
    paragraphs = [p.text for p in docx.Document(io.BytesIO(response.content)).paragraphs]
    assert any("整改工作方案" in p for p in paragraphs) and any("青山镇鑫源食品厂工会" in p for p in paragraphs)


def test_the_word_plan_is_due_by_the_reporting_deadline_then_by_the_published_one(
        county: Round, union_client: Client, publish_tasks: Callable[..., list[Any]]) -> None:
    """After publication the plan still said 「力争于2026年6月30日前全部完成」 while the 整改通知书 and every task said the
    published 整改期限, 2027-06-30. Before publication a self-check's plan ends when its self-report is due."""
    def plan_text() -> str:
        response = union_client.get(form_url(county) + "workplan/bayou.docx?version=1")
        return "".join(p.text for p in docx.Document(io.BytesIO(response.content)).paragraphs)

    Round.objects.filter(pk=county.pk).update(deadline=dt.date(2026, 3, 31))
    assert "力争于2026年3月31日前全部完成" in plan_text()
    publish_tasks(Entry.objects.get(round=county, union__code="QS-016"), dt.date(2027, 6, 30))
    text = plan_text()
    assert "力争于2027年6月30日前全部完成" in text and "2026年3月31日" not in text


def test_no_word_plan_for_a_standard_that_does_not_apply(county: Round, union_client: Client) -> None:
    response = union_client.get(form_url(county) + "workplan/zhijia-jiguan.docx", follow=True)
    assert response.redirect_chain[-1][0] == form_url(county) + "result/?version=1"
    assert "不生成整改工作方案：未满足申报条件" in text_of(response)
    assert union_client.get(form_url(county) + "workplan/nothing.docx").status_code == 404


# who sees what ------------------------------------------------------------------------------------
@pytest.mark.parametrize("username", ["t-qingshan", "assessor", "admin"])
def test_others_see_the_record_read_only(county: Round, username: str) -> None:
    client = signed_in(username)
    response = client.get(form_url(county))
    text = text_of(response)
    assert response.status_code == 200 and 'class="selfcheck"' not in response.content.decode()
    assert "只读：只有本单位账号可以在填报期内修改自评数据" in text
    assert "会员人数 31 人" in text and "工会委员会经会员（代表）大会选举产生 是" in text and "经费审查制度 未建立" in text
    assert "各季度工会委员会会议次数 第一季度 1 次；第二季度 0 次；第三季度 1 次；第四季度 0 次" in text
    refused = client.post(form_url(county), {"members": "99", "action": "submit"})
    assert refused.status_code == 403 and "只有本单位账号可以在填报期内修改自评数据" in text_of(refused)
    assert client.get(form_url(county) + "result/").status_code == 200


@pytest.mark.parametrize("username", ["qs-001", "t-hekou"])
def test_a_union_outside_ones_scope_does_not_exist(county: Round, username: str) -> None:
    response = signed_in(username).get(form_url(county))
    assert response.status_code == 404 and "没有这个工会，或无权查看" in text_of(response)


def test_a_closed_round_is_read_only_for_the_union_too(county: Round, union_client: Client) -> None:
    Round.objects.filter(pk=county.pk).update(status=Round.Status.CLOSED)
    response = union_client.get(form_url(county))
    assert "本年度填报已截止，只能查看" in text_of(response) and 'class="selfcheck"' not in response.content.decode()
    assert union_client.post(form_url(county), {"action": "draft"}).status_code == 403
    assert union_client.get("/").status_code == 200  # no open round: the rounds, with its own union


def test_a_township_sees_its_unions_with_status_and_scores(county: Round) -> None:
    response = signed_in("t-qingshan").get("/")
    rows = response.context["rows"]
    assert rows and {entry.union.township.name for entry, _ in rows} == {"青山镇"}
    assert response.context["columns"] == ["八有", "职工之家", "星级", "职工之家（机关）"]
    cells = {entry.union.code: cells for entry, cells in rows}["QS-016"]
    assert cells == [("八有", "50.55 不达标", ""), ("职工之家", "31 不合格", ""), ("星级", "15.63 未评星", ""), ("职工之家（机关）", "不适用", "")]
    assert f"共 {len(rows)} 个工会：未填报 0，草稿 0，已提交 {len(rows)}" in text_of(response)
    assert len(signed_in("assessor").get("/").context["rows"]) == 44


# accounts -----------------------------------------------------------------------------------------
def test_a_one_time_password_must_be_changed_first(county: Round) -> None:
    user = User.objects.get(username="qs-016")
    user.must_change_password = True
    user.set_password("unionscore-demo")  # hashed with the tests' hasher, so checking it does not rehash it
    user.save()
    client = Client()
    client.force_login(user)
    assert client.get("/")["Location"] == "/password/"
    assert client.get(form_url(county))["Location"] == "/password/"
    page = client.get("/password/")
    assert "这是首次登录：初始密码只能使用一次" in text_of(page)
    wrong = client.post("/password/", {"old_password": "x", "new_password1": "青山镇-工会-2025", "new_password2": "青山镇-工会-2025"})
    assert "初始密码不正确，请重新输入。" in text_of(wrong)  # the field is labelled 初始密码, not 当前密码
    weak = client.post("/password/", {"old_password": "unionscore-demo", "new_password1": "12345678", "new_password2": "12345678"})
    assert weak.status_code == 200 and "新密码太短：至少需要 10 个字符。 新密码太常见，容易被猜到，请换一个。 新密码不能全是数字。" in text_of(weak)
    done = client.post("/password/", {"old_password": "unionscore-demo", "new_password1": "青山镇-工会-2025", "new_password2": "青山镇-工会-2025"})
    assert done["Location"] == "/"
    user.refresh_from_db()
    assert not user.must_change_password and user.check_password("青山镇-工会-2025")
    assert client.get("/")["Location"] == form_url(county)  # still signed in


def test_the_new_password_is_neither_the_current_one_nor_the_account_name(county: Round) -> None:
    """The tester's forced change kept the one-time password from the account list (typed again as the new one), and
    qs-003qs-003 passed as a password of qs-003. Every refusal is said in Chinese, the first field's name included."""
    user = User.objects.get(username="qs-003")
    user.must_change_password = True
    user.set_password("qs-003qs-003")
    user.save()
    client = Client()
    client.force_login(user)

    def change(old: str, new: str) -> list[str]:
        errors: list[str] = client.post("/password/", {"old_password": old, "new_password1": new, "new_password2": new}).context["errors"]
        return errors

    assert change("qs-003qs-003", "qs-003qs-003") == ["新密码与账号名太相似，请换一个。", "新密码不能与初始密码相同，请换一个。"]
    assert change("qs-003qs-003", "qs-003-2025") == ["新密码与账号名太相似，请换一个。"]
    assert change("qs-003qs-003", "1234567890") == ["新密码太常见，容易被猜到，请换一个。", "新密码不能全是数字。"]
    user.refresh_from_db()
    assert user.must_change_password and user.check_password("qs-003qs-003")
    assert client.post("/password/", {"old_password": "qs-003qs-003", "new_password1": "青山镇-机关-2025",
                                      "new_password2": "青山镇-机关-2025"})["Location"] == "/"
    assert change("青山镇-机关-2025", "青山镇-机关-2025") == ["新密码不能与当前密码相同，请换一个。"]  # signed in as usual: 当前密码
    assert "不要与账号名相似，不能与当前密码相同" in text_of(client.get("/password/"))


def test_a_session_lasts_eight_hours_from_the_last_request(county: Round, union_client: Client) -> None:
    """Not from signing in: a chair filling the form through a working day lost what was typed at the eighth hour."""
    key = union_client.session.session_key
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() + dt.timedelta(minutes=1))
    response = union_client.get(form_url(county))
    assert response.status_code == 200
    assert Session.objects.get(session_key=key).expire_date > timezone.now() + dt.timedelta(hours=7, minutes=59)
    assert response.cookies[settings.SESSION_COOKIE_NAME]["max-age"] == 8 * 3600


def test_pages_need_signing_in_and_speak_chinese_when_missing(county: Round) -> None:
    anonymous = Client()
    assert anonymous.get(form_url(county))["Location"].startswith("/login/?next=")
    assert "账号和初始密码由县总工会发放" in text_of(anonymous.get("/login/"))  # where a first-time chair's account comes from
    missing = signed_in("assessor").get("/no/such/page/")
    assert missing.status_code == 404 and "找不到这个页面" in text_of(missing)


def test_a_request_too_big_and_a_server_error_speak_chinese(county: Round, union_client: Client) -> None:
    """Django's own 400 and 500 pages are English; ours say what happened, and that nothing was kept."""
    before = Version.objects.count()
    too_big = union_client.post(form_url(county), "members=" + "9" * 3 * 2**20, content_type="application/x-www-form-urlencoded")
    assert too_big.status_code == 400 and "请求有误，未保存" in text_of(too_big) and Version.objects.count() == before
    failing = Client(raise_request_exception=False)
    failing.force_login(User.objects.get(username="qs-016"))
    with mock.patch("service.views.prefill", side_effect=RuntimeError("secret-detail")):
        broken = failing.get(form_url(county))
    assert broken.status_code == 500 and "服务器出错" in text_of(broken) and "secret-detail" not in text_of(broken)


def test_a_workplan_whose_worker_takes_too_long_is_said_on_the_result_page(county: Round, monkeypatch: pytest.MonkeyPatch) -> None:
    """A worker that does not answer in time fails this download with a message, as a save does; it was a 500."""
    class Stuck:
        def submit(self, *arguments: Any) -> Stuck:
            return self

        def result(self, timeout: float) -> Any:
            raise TimeoutError

    monkeypatch.setattr(grader, "pool", Stuck)
    client = Client(raise_request_exception=False)
    client.force_login(User.objects.get(username="qs-016"))
    response = client.get(form_url(county) + "workplan/bayou.docx", follow=True)
    assert response.status_code == 200 and "评估超过 120 秒仍未完成，整改工作方案未生成" in text_of(response)
