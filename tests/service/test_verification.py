"""Verification and reconciliation: the assessor enters only what the inspection found different, and the
pages and the API show 自评分 against 核定分 item by item, with the county's over-reporting figures.

QS-016 (青山镇鑫源食品厂工会) reports its committee elected and a 牌子 on the wall; the inspection finds
neither. Hand-checked with `unionscore assess` on the two changed facts (facts/qingshan/QS-016.yaml with
committee.elected and sign.board false): 八有 loses banzi.elected, banzi.term (4 each: the term is counted
from an election) and paizi.board (4), 50.55 → 38.55; 职工之家 and 星级 lose zuzhi.election (5 and 4);
机关职工之家 does not apply to an enterprise and lists nothing. No other item moves.
"""
from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import pytest
from clients import assessed, signed_in
from django.test import Client
from django.utils import timezone

from service import records, tokens
from service.grading import grade
from service.models import AuditEvent, Entry, Round, User, Version

CHANGED = {("bayou", "banzi.elected"): (4, 0), ("bayou", "banzi.term"): (4, 0), ("bayou", "paizi.board"): (4, 0),
           ("zhijia", "zuzhi.election"): (5, 0), ("xingji", "zuzhi.election"): (4, 0)}
NOTES = {"committee.elected": {"method": "查阅资料", "note": "未见选举会议记录和选票"},
         "sign.board": {"method": "实地查看", "note": "办公场所未挂工会牌子"}}


def text_of(response: Any) -> str:
    """The page as a person reads it: tags dropped, spaces collapsed."""
    body = re.sub(r"<[^>]+>", " ", response.content.decode())
    return " ".join(body.replace("&amp;", "&").replace("&quot;", '"').replace("&#x27;", "'").split())


def form_data(response: Any) -> dict[str, Any]:
    """What the verify form posts back unchanged: every field's value (lists as one value per input)."""
    return {f.name: [p.value for p in f.parts] if f.parts else f.value
            for group, rows in response.context["rows"] for _, f, _ in rows}


def verify_url(round_: Round, code: str = "QS-016") -> str:
    return f"/rounds/{round_.pk}/{code}/verify/"


def posted_inspection(client: Client, round_: Round, code: str = "QS-016", notes: dict[str, dict[str, str]] | None = None,
                      **changes: str) -> Any:
    """The verify form posted back as shown, with `changes` (fact name with __ for dots) and their notes."""
    data = form_data(client.get(verify_url(round_, code)))
    for name, value in changes.items():
        data[name.replace("__", ".")] = value
    for name, note in (NOTES if notes is None else notes).items():
        data[f"method.{name}"], data[f"note.{name}"] = note["method"], note["note"]
    return client.post(verify_url(round_, code), data)


def api_client(username: str) -> Client:
    return Client(headers={"Authorization": f"Bearer {tokens.issue(User.objects.get(username=username))[0]}"})


def listed(reconciliation: dict[str, Any]) -> dict[tuple[str, str], tuple[float, float]]:
    return {(s["ruleset"], i["id"]): (i["self_points"], i["verified_points"]) for s in reconciliation["rulesets"] for i in s["items"]}


def test_reconciliation_lists_exactly_the_items_two_changed_facts_touch(county: Round, tmp_path: Path) -> None:
    assessor = signed_in("assessor")
    response = posted_inspection(assessor, county, committee__elected="false", sign__board="false")
    assert response.status_code == 302 and response["Location"] == f"/rounds/{county.pk}/QS-016/reconciliation/"
    entry = Entry.objects.get(round=county, union__code="QS-016")
    version = entry.latest()
    assert version is not None and version.kind == Version.Kind.VERIFIED and entry.status == Entry.Status.VERIFIED
    assert version.notes == NOTES and version.based_on is not None and version.based_on.kind == Version.Kind.IMPORTED
    own = version.based_on.facts["facts"]
    assert {k: v for k, v in version.facts["facts"].items() if own.get(k) != v} == {"committee.elected": False, "sign.board": False}
    assert version.result == assessed(entry, version.facts["facts"], tmp_path)  # graded as `assess` grades the changed facts

    found = json.loads(api_client("assessor").get(f"/api/v1/rounds/{county.pk}/unions/QS-016/reconciliation").content)
    assert listed(found) == CHANGED
    bayou = next(s for s in found["rulesets"] if s["ruleset"] == "bayou")
    assert (bayou["self"]["score"], bayou["verified"]["score"]) == (50.55, 38.55)
    assert bayou["self"]["level_name"] == bayou["verified"]["level_name"] == "不达标"
    elected = next(i for i in bayou["items"] if i["id"] == "banzi.elected")
    assert {"fact": "committee.elected", "self": True, "verified": False} in elected["facts"]
    assert found["notes"] == NOTES and found["verified_version"] == version.number

    page = text_of(assessor.get(f"/rounds/{county.pk}/QS-016/reconciliation/"))
    assert "八有 50.55 不达标 38.55 不达标 -12 3" in page
    assert "工会委员会和主席经会员（代表）大会民主选举产生" in page and "查阅资料 未见选举会议记录和选票" in page
    assert AuditEvent.objects.filter(action="version.verified", union=entry.union).exists()


def test_a_derived_value_is_named_and_written_as_the_reasons_write_it(county: Round) -> None:
    """31 members of 42 found to be 28: the items on 入会率 moved, and the rate behind them reads as a rate."""
    assessor = signed_in("assessor")
    notes = {"members": {"method": "查阅资料", "note": "会员名册只有 28 人"}}
    assert posted_inspection(assessor, county, notes=notes, members="28").status_code == 302
    page = text_of(assessor.get(f"/rounds/{county.pk}/QS-016/reconciliation/"))
    assert "会员人数：31 人 → 28 人；会员入会率：73.8% → 66.7%" in page and "membership_rate" not in page
    # 机关职工之家 applies to neither version: no sections of points to compare, and it says why
    jiguan = page.split("机关事业单位“职工之家”（教职工之家）建设考核评价标准")[-1]
    assert "本标准不适用于本单位，不比较得分" in jiguan and "各部分得分" not in jiguan


def test_the_verify_form_shows_the_self_report_and_changes_nothing_unasked(county: Round) -> None:
    assessor = signed_in("assessor")
    page = text_of(assessor.get(verify_url(county)))
    assert "自评： 42 人" in page or "自评：42 人" in page.replace("： ", "：")
    response = posted_inspection(assessor, county, notes={})  # nothing changed: 核查无误
    assert response.status_code == 302
    version = Entry.objects.get(round=county, union__code="QS-016").latest()
    assert version is not None and version.kind == Version.Kind.VERIFIED and version.notes == {}
    assert version.based_on is not None and version.facts["facts"] == version.based_on.facts["facts"]


def test_a_change_without_its_method_is_refused_and_nothing_is_stored(county: Round) -> None:
    before = Version.objects.count()
    response = posted_inspection(signed_in("assessor"), county, notes={}, sign__board="false")
    assert response.status_code == 200
    assert "请注明核查方式（查阅资料、实地查看、座谈）" in text_of(response)
    assert Version.objects.count() == before


def test_unions_and_townships_cannot_verify(county: Round) -> None:
    assert signed_in("qs-016").get(verify_url(county)).status_code == 403
    assert signed_in("t-qingshan").post(verify_url(county), {}).status_code == 403
    assert signed_in("qs-017").get(verify_url(county)).status_code == 404


def test_the_api_takes_a_partial_fact_document(county: Round) -> None:
    client = api_client("assessor")
    url = f"/api/v1/rounds/{county.pk}/unions/QS-016/verified"
    body = {"facts": {"committee": {"elected": False}, "sign.board": False}, "notes": NOTES}
    response = client.put(url, json.dumps(body), content_type="application/json")
    assert response.status_code == 200, response.content
    answer = json.loads(response.content)
    assert listed(answer["reconciliation"]) == CHANGED
    assert answer["result"]["results"][0]["score"] == 38.55
    assert Version.objects.get(entry__round=county, entry__union__code="QS-016", number=answer["version"]).kind == Version.Kind.VERIFIED


def test_the_api_refuses_bad_facts_and_changes_without_method_storing_nothing(county: Round) -> None:
    client, before = api_client("assessor"), Version.objects.count()
    url = f"/api/v1/rounds/{county.pk}/unions/QS-016/verified"
    bad = client.put(url, json.dumps({"facts": {"employees": "很多"}, "notes": {"employees": {"method": "座谈"}}}),
                     content_type="application/json")
    assert bad.status_code == 422 and json.loads(bad.content)[0]["field"] == "employees"
    silent = client.put(url, json.dumps({"facts": {"sign.board": False}}), content_type="application/json")
    assert silent.status_code == 422
    assert json.loads(silent.content) == [{"field": "sign.board", "message": "请注明核查方式（查阅资料、实地查看、座谈）"}]
    assert Version.objects.count() == before
    union = api_client("qs-016").put(url, json.dumps({"facts": {}}), content_type="application/json")
    assert union.status_code == 403


def test_before_an_inspection_the_reconciliation_is_the_self_report(county: Round) -> None:
    found = json.loads(api_client("admin").get(f"/api/v1/rounds/{county.pk}/unions/QS-016/reconciliation").content)
    assert found["verified_version"] is None and all(not s["items"] for s in found["rulesets"])
    assert all(s["self"] == s["verified"] for s in found["rulesets"])


def test_the_county_figures_count_over_reporting(county: Round) -> None:
    assessor = signed_in("assessor")
    posted_inspection(assessor, county, committee__elected="false", sign__board="false")
    posted_inspection(assessor, county, "QS-017", notes={"committee.elected": NOTES["committee.elected"]}, committee__elected="false")
    response = assessor.get(f"/county/{county.pk}/verification/")
    figures = {f.ruleset: f for f, _, _ in response.context["figures"]}
    assert figures["bayou"].verified == 2
    assert [(item, count) for item, _, count in figures["bayou"].most_often()][0] == ("banzi.elected", 2)
    assert ("zuzhi.election", 2) in [(item, count) for item, _, count in figures["zhijia"].most_often()]
    page = response.content.decode()
    assert "<svg" in page and "多报该指标的工会数" in page and "http" not in page.split("<svg", 1)[1].split("</svg>")[0].replace(
        'xmlns="http://www.w3.org/2000/svg"', "")
    assert figures["bayou"].over == sum(1 for code in ("QS-016", "QS-017") if over(county, code))


def over(county: Round, code: str) -> bool:
    found = json.loads(api_client("assessor").get(f"/api/v1/rounds/{county.pk}/unions/{code}/reconciliation").content)
    bayou = next(s for s in found["rulesets"] if s["ruleset"] == "bayou")
    return bool(bayou["self"]["score"] > bayou["verified"]["score"])


def test_an_inspection_on_a_version_another_has_followed_is_not_saved_and_keeps_its_changes(county: Round) -> None:
    """Two assessors open QS-016; one records 未经选举, then the other saves 未挂牌 from the older form. Saving it would
    put 已选举 back unseen; it is refused, the newer figures are shown with the change kept, and a second save keeps both."""
    first, second = signed_in("assessor"), signed_in("assessor")
    page = first.get(verify_url(county))
    board = {"sign.board": "false", "method.sign.board": "实地查看", "note.sign.board": "未挂牌"}
    stale = form_data(page) | {"base": page.context["base"].number} | board
    elected = {"committee.elected": NOTES["committee.elected"]}
    assert posted_inspection(second, county, notes=elected, committee__elected="false").status_code == 302
    entry = Entry.objects.get(round=county, union__code="QS-016")
    newer = entry.versions.count()
    response = first.post(verify_url(county), stale)
    assert response.status_code == 200 and entry.versions.count() == newer
    text = text_of(response)
    assert "未保存：打开本页之后，账号 assessor 于" in text and f"保存了第 {newer} 版核定数据" in text and "你改动的 1 项已保留" in text
    again = form_data(response) | {"base": response.context["base"].number} | {k: v for k, v in board.items() if k != "sign.board"}
    assert first.post(verify_url(county), again).status_code == 302
    latest = entry.latest()
    assert latest is not None and latest.number == newer + 1
    assert (latest.facts["facts"]["committee.elected"], latest.facts["facts"]["sign.board"]) == (False, False)


def test_the_union_sees_on_its_result_page_what_the_inspection_changed(county: Round) -> None:
    """After the inspection the union's own result page showed 会员人数 30 人 with no sign of its own 31 nor of the assessor's
    note 「会员名册实有30人」. It now lists each fact the inspection changed: 自评 → 核定, 核查方式 and note; not on the page
    of its own self-report, which is its figures."""
    notes = {"members": {"method": "查阅资料", "note": "会员名册实有30人"}}
    assert posted_inspection(signed_in("assessor"), county, notes=notes, members="30").status_code == 302
    union = signed_in("qs-016")
    text = text_of(union.get(f"/rounds/{county.pk}/QS-016/result/"))
    assert ("考核组核查改动的数据（1 项） 以下得分按考核组核查后核定的数据（第 2 版）计算，与本单位提交的自评（第 1 版）不同的是： "
            "项目 自评 核定 核查方式 说明 会员人数 31 人 30 人 查阅资料 会员名册实有30人") in text
    assert "考核组核查改动的数据" not in text_of(union.get(f"/rounds/{county.pk}/QS-016/result/?version=1"))


def test_a_union_cannot_change_its_self_report_once_verified(county: Round) -> None:
    """A submission after the inspection would become the next inspection's base in place of the inspection's figures."""
    assert posted_inspection(signed_in("assessor"), county, committee__elected="false", sign__board="false").status_code == 302
    union = signed_in("qs-016")
    page = union.get(f"/rounds/{county.pk}/QS-016/")
    text = text_of(page)
    assert "考核组已核查本单位的数据，自评数据不能再修改" in text and "以下是考核组核查后核定的数据（第" in text
    before = Version.objects.count()
    data = {f.name: [p.value for p in f.parts] if f.parts else f.value for g in page.context["groups"] for f in g.fields}
    assert union.post(f"/rounds/{county.pk}/QS-016/", data | {"action": "submit"}).status_code == 403
    assert union.post(f"/rounds/{county.pk}/QS-016/", data | {"action": "draft"}).status_code == 403
    assert Version.objects.count() == before and Entry.objects.get(round=county, union__code="QS-016").status == Entry.Status.VERIFIED


def test_an_inspection_whose_base_was_followed_while_it_graded_is_not_stored(county: Round) -> None:
    """The check is made again under the entry's lock: a save between reading the base and storing is not taken back."""
    entry = Entry.objects.get(round=county, union__code="QS-016")
    base = records.verification_base(entry)
    assert base is not None
    assert posted_inspection(signed_in("assessor"), county, notes={}).status_code == 302  # a colleague's, meanwhile
    before = entry.versions.count()
    with pytest.raises(records.Stale, match=f"期间已有第 {before} 版核定数据保存，本次未保存"):
        records.store(entry, User.objects.get(username="assessor"), grade(entry, base.facts), Version.Kind.VERIFIED, based_on=base)
    assert entry.versions.count() == before


# once published, and while the union revises: no inspection ---------------------------------------------------
def verified_api(county: Round, code: str = "QS-016") -> str:
    return f"/api/v1/rounds/{county.pk}/unions/{code}/verified"


def inspections_refused(county: Round, reason: str) -> None:
    """The verify page shows the figures read-only with `reason`; a post and the API's PUT are 409, nothing stored."""
    assessor, before = signed_in("assessor"), Version.objects.count()
    page = assessor.get(verify_url(county))
    text = text_of(page)
    assert page.status_code == 200 and reason in text and "只能查看" in text
    assert 'name="base"' not in page.content.decode() and "保存核查结果" not in text  # no form to post
    data = {"incidents.major_safety": "0", "method.incidents.major_safety": "实地查看", "note.incidents.major_safety": "无事故"}
    posted = assessor.post(verify_url(county), data | {"committee.elected": "false"})
    assert posted.status_code == 409 and f"未保存：{reason}" in text_of(posted)
    body = {"facts": {"committee.elected": False}, "notes": {"committee.elected": NOTES["committee.elected"]}}
    answer = api_client("assessor").put(verified_api(county), json.dumps(body), content_type="application/json")
    assert answer.status_code == 409 and reason in json.loads(answer.content)["detail"]
    assert Version.objects.count() == before


def test_once_published_the_results_are_frozen_for_the_inspection(county: Round, publish_tasks: Any) -> None:
    """The reviewer's QS-017: after publication an inspection undid a veto and the published record. Refused now; a 销号
    (service.tasks.accept calls records.verify as no inspection) still records its version."""
    assert posted_inspection(signed_in("assessor"), county, committee__elected="false", sign__board="false").status_code == 302
    entry = Entry.objects.get(round=county, union__code="QS-016")
    publish_tasks(entry, dt.date(2026, 6, 30))
    inspections_refused(county, "该工会的结果已经发布，核定数据随之冻结，不能再核查修改。发布之后，事实只能通过整改任务的销号改变")
    assert "以下是核定的数据（第 2 版），只能查看；与工会自评（第 1 版）不同的项目，括号中是自评值" in text_of(signed_in("assessor").get(verify_url(county)))
    _, closing = records.verify(entry, User.objects.get(username="assessor"), {"sign.board": True},
                                {"sign.board": {"method": "查阅资料", "note": "整改销号：挂牌"}})
    assert closing is not None and closing.number == 3 and Entry.objects.get(pk=entry.pk).status == Entry.Status.PUBLISHED


def test_a_publication_while_an_inspection_grades_refuses_it_under_the_lock(county: Round, publish_tasks: Any) -> None:
    entry = Entry.objects.get(round=county, union__code="QS-016")
    base = records.verification_base(entry)
    assert base is not None
    graded = grade(entry, base.facts)
    publish_tasks(entry, dt.date(2026, 6, 30))  # published meanwhile
    with pytest.raises(records.Closed, match="该工会的结果已经发布"):
        records.store(entry, User.objects.get(username="assessor"), graded, Version.Kind.VERIFIED, based_on=base, inspection=True)
    assert entry.versions.count() == 1


def test_while_the_union_revises_its_submission_the_inspection_waits(county: Round) -> None:
    """The reviewer's QS-041: a draft after the submission was lost to an inspection of the submission. The inspection
    waits until the union submits again; once the round is no longer open the draft cannot be submitted, and it goes on."""
    entry = Entry.objects.get(round=county, union__code="QS-016")
    union = User.objects.get(username="qs-016")
    facts = dict(entry.versions.get(number=1).facts["facts"]) | {"activists": 9}
    _, draft = records.save(entry, union, {"facts": facts}, Version.Kind.DRAFT)
    assert draft is not None and draft.number == 2
    inspections_refused(county, f"该工会正在修改自评：提交之后，账号 qs-016 于 {timezone.localtime(draft.created_at):%Y-%m-%d %H:%M} "
                                "保存了第 2 版草稿，尚未再次提交。为免工会正在修改的数据丢失，请待工会再次提交后再核查。")
    assert "以下是工会的自评数据（第 1 版），只能查看。" in text_of(signed_in("assessor").get(verify_url(county)))
    own = signed_in("qs-016").get(f"/rounds/{county.pk}/QS-016/")
    assert own.context["editable"] and any(f.name == "activists" and f.value == "9" for g in own.context["groups"] for f in g.fields)

    records.save(entry, union, {"facts": facts}, Version.Kind.SUBMITTED)  # submitted again: the inspection takes it
    assert posted_inspection(signed_in("assessor"), county, notes={}).status_code == 302
    latest = entry.latest()
    assert latest is not None and latest.based_on is not None and latest.based_on.number == 3

    other = Entry.objects.get(round=county, union__code="QS-017")  # a draft left when the round closed cannot be submitted
    records.save(other, User.objects.get(username="qs-017"), other.versions.get(number=1).facts, Version.Kind.DRAFT)
    Round.objects.filter(pk=county.pk).update(status=Round.Status.CLOSED)
    assert posted_inspection(signed_in("assessor"), county, "QS-017", notes={}).status_code == 302
