"""Publishing a round: each entry's verified result (else its self-report) frozen, the county report and
summary workbook written by the batch's renderers, one 整改通知书 per union with gaps, one task per plan step.
Published results never change: a later verification makes a new version and leaves them as they were."""
from __future__ import annotations

import datetime as dt
import io
import json
import re
from pathlib import Path
from typing import Any

import docx
import pytest
import yaml
from clients import signed_in
from django.db import connection
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from engine.values import cn_date
from service import publishing, records, tokens, views
from service.models import AuditEvent, Entry, Publication, PublishedResult, Round, Task, Union, User, Version

DEADLINE = dt.date.today() + dt.timedelta(days=180)
CHANGES = {"committee.elected": False, "sign.board": False}
NOTES = {"committee.elected": {"method": "查阅资料", "note": "未见选举记录"}, "sign.board": {"method": "实地查看", "note": "未挂牌"}}


@pytest.fixture
def data_folder(settings: Any, tmp_path: Path) -> Path:
    settings.DATA = tmp_path
    return tmp_path


def verified(county: Round, code: str = "QS-016") -> Version:
    entry = Entry.objects.get(round=county, union__code=code)
    _, version = records.verify(entry, User.objects.get(username="assessor"), CHANGES, NOTES)
    assert version is not None
    return version


def published_by_page(county: Round) -> Publication:
    response = signed_in("admin").post(f"/county/{county.pk}/publish/", {"deadline": DEADLINE.isoformat(), "confirm": "yes"})
    assert response.status_code == 302, response.content.decode()[:2000]
    return Publication.objects.get(round=county)


def test_publishing_freezes_the_verified_results_and_writes_the_batch_files(county: Round, data_folder: Path) -> None:
    checked = verified(county)
    publication = published_by_page(county)
    county.refresh_from_db()
    assert county.status == Round.Status.PUBLISHED
    rows = {r.entry.union.code: r.version for r in PublishedResult.objects.filter(publication=publication).select_related("entry__union")}
    assert rows["QS-016"] == checked  # the verified version, not the self-report
    assert rows["QS-017"].kind == Version.Kind.IMPORTED
    assert set(Entry.objects.filter(round=county).values_list("status", flat=True)) == {Entry.Status.PUBLISHED}
    steps = sum(len((r.get("plan") or {}).get("steps") or []) for v in rows.values() for r in v.result["results"] if r.get("applies", True))
    tasks = Task.objects.filter(publication=publication)
    assert tasks.count() == steps > 0 and {t.deadline for t in tasks} == {DEADLINE}
    first = tasks.filter(entry__union__code="QS-016").order_by("pk").first()
    assert first is not None and first.step in [s for r in checked.result["results"] for s in (r.get("plan") or {}).get("steps") or []]
    folder = data_folder / "published" / str(county.pk) / str(publication.pk)
    assert (folder / "report.html").is_file() and (folder / "summary.xlsx").is_file()

    report = signed_in("assessor").get(f"/county/{county.pk}/report.html")
    assert report.status_code == 200 and "青山县" in report.content.decode()
    book = load_workbook(io.BytesIO(signed_in("admin").get(f"/county/{county.pk}/summary.xlsx").content), read_only=True)
    summary = [list(row) for row in book.worksheets[0].iter_rows(values_only=True)]
    line = next(row for row in summary if "QS-016" in row)
    assert checked.result["results"][0]["score"] in line  # 38.55: the verified score, as the batch's workbook shows it
    assert len([row for row in summary if row and isinstance(row[0], int)]) == len(rows)
    event = AuditEvent.objects.get(action="round.publish", round=county)
    assert event.detail["results"] == len(rows) and event.detail["tasks"] == steps


def test_published_results_never_change(county: Round, data_folder: Path) -> None:
    verified(county)
    publication = published_by_page(county)
    frozen = PublishedResult.objects.get(publication=publication, entry__union__code="QS-016")
    before = (frozen.version.pk, frozen.version.facts, frozen.version.result)
    manifest = (data_folder / "published" / str(county.pk) / str(publication.pk) / "publication.json").read_text(encoding="utf-8")
    entry = frozen.entry
    _, later = records.verify(entry, User.objects.get(username="assessor"), {"committee.elected": True},
                              {"committee.elected": {"method": "座谈", "note": "补充了选举材料"}})
    assert later is not None and later.number > frozen.version.number
    assert Entry.objects.get(pk=entry.pk).status == Entry.Status.PUBLISHED  # a later inspection adds to the published record
    frozen.refresh_from_db()
    again = Version.objects.get(pk=frozen.version.pk)
    assert (again.pk, again.facts, again.result) == before
    assert (data_folder / "published" / str(county.pk) / str(publication.pk) / "publication.json").read_text(encoding="utf-8") == manifest
    assert json.loads(manifest)["results"]["QS-016"] == frozen.version.number
    refused = signed_in("admin").post(f"/county/{county.pk}/publish/", {"deadline": DEADLINE.isoformat(), "confirm": "yes"})
    assert refused.status_code == 200 and "不能重复发布" in refused.content.decode()
    assert Publication.objects.filter(round=county).count() == 1


def test_each_union_with_gaps_gets_a_notice_that_opens_in_word(county: Round, data_folder: Path) -> None:
    checked = verified(county)
    publication = published_by_page(county)
    url = f"/rounds/{county.pk}/QS-016/notice.docx"
    response = signed_in("qs-016").get(url)
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxmlformats")
    word = docx.Document(io.BytesIO(response.content))
    text = "\n".join(p.text for p in word.paragraphs)
    assert word.paragraphs[0].text.replace("\n", "") == "关于青山镇鑫源食品厂工会限期整改的通知书"
    assert word.core_properties.title == "关于青山镇鑫源食品厂工会限期整改的通知书"
    for heading in ("一、核定结果", "二、整改事项", "三、整改期限", "四、佐证资料"):
        assert heading in text
    assert f"请于{cn_date(DEADLINE)}前完成全部整改事项" in text
    assert "核定得分 38.55 分" in text  # the verified score, not the self-reported 50.55
    steps = [s for r in checked.result["results"] if r.get("applies", True) for s in (r.get("plan") or {}).get("steps") or []]
    assert all(step["name"] in text for step in steps)
    assert all(name in text for step in steps for name in step.get("evidence", []))
    assert text.rstrip().endswith(cn_date(timezone.localdate(publication.created_at)))  # Beijing's date, as published
    outcomes = {user: signed_in(user).get(url).status_code for user in ("qs-017", "t-qingshan", "t-chengguan", "assessor", "admin")}
    assert outcomes == {"qs-017": 404, "t-qingshan": 200, "t-chengguan": 404, "assessor": 200, "admin": 200}


def test_a_notice_says_what_the_inspection_changed_names_the_button_and_each_evidence_once(county: Round, data_folder: Path) -> None:
    """The notice asked to 「上传并标记完成」, a button the tasks page does not have (it says 「整改完成，提请复查」); its list
    of evidence named 培训通知 twice (培训通知 and 培训通知和签到); the union's own figures the inspection changed were not in it."""
    verified(county)
    published_by_page(county)
    word = docx.Document(io.BytesIO(signed_in("qs-016").get(f"/rounds/{county.pk}/QS-016/notice.docx").content))
    text = "\n".join(p.text for p in word.paragraphs)
    assert ("经核查，以下数据与你会自评不一致，按核定的数据计分：工会委员会经会员（代表）大会选举产生：自评 是，核定 否（查阅资料：未见选举记录）；"
            "办公场所悬挂工会牌子：自评 是，核定 否（实地查看：未挂牌）。") in text
    assert "再点击“整改完成，提请复查”，由青山县总工会复查" in text and "标记完成" not in text
    assert "整改完成，提请复查" in signed_in("qs-016").get(f"/rounds/{county.pk}/QS-016/tasks/").content.decode()  # the button named
    listed = next(p.text for p in word.paragraphs if p.text.startswith("需报送的佐证资料："))
    names = listed.removeprefix("需报送的佐证资料：").rstrip("。").split("；")
    assert "培训通知和签到" in names and "培训通知" not in names and len(names) == len(set(names))
    assert not [name for name in names if any(name != other and name in other for other in names)]
    assert "工作职责、会议、财务、经审、档案、培训、民主管理制度文本" in names  # one piece of evidence, itself a list


def test_a_vetoed_union_s_notice_says_why_and_that_it_has_no_task(county: Round, data_folder: Path) -> None:
    """QS-017 had a 重大劳动安全责任事故: 职工之家 and 星级 are vetoed and its plans have no step, so no task is made.
    The notice says why the level, lists the lost items as not tracked, and asks for no upload; the county signs it."""
    published_by_page(county)
    assert not Task.objects.filter(entry__union__code="QS-017").exists()
    word = docx.Document(io.BytesIO(signed_in("qs-017").get(f"/rounds/{county.pk}/QS-017/notice.docx").content))
    text = "\n".join(p.text for p in word.paragraphs)
    assert "不合格。本年度发生重大劳动安全责任事故 1 起，按标准本年度不能评为合格职工之家及以上等级。" in text
    assert "以下失分项不设整改任务，请对照整改：" in text and "在考核评价系统中对应的整改任务下上传" not in text
    assert "本次发布没有需要复查销号的整改任务，无需在系统中上传佐证材料" in text and "青山县总工会将在下一年度考核时一并核查" in text
    assert "你会提交的自评数据经青山县总工会审核认定" in text and "核查评估" not in text  # never inspected
    assert "青山县总工会" in word.paragraphs[-2].text + word.paragraphs[-1].text
    tasks = signed_in("qs-017").get(f"/rounds/{county.pk}/QS-017/tasks/").content.decode()
    assert "本年度发布的结果没有需要复查销号的整改任务" in tasks and "结果发布后，整改规划中的每一步" not in tasks


def test_only_the_county_admin_publishes(county: Round, data_folder: Path) -> None:
    for user in ("assessor", "qs-016", "t-qingshan"):
        assert signed_in(user).post(f"/county/{county.pk}/publish/", {"deadline": DEADLINE.isoformat(), "confirm": "yes"}).status_code == 403
    assert signed_in("qs-016").get(f"/county/{county.pk}/report.html").status_code == 403
    assert signed_in("admin").get(f"/county/{county.pk}/report.html").status_code == 404  # not yet published
    unconfirmed = signed_in("admin").post(f"/county/{county.pk}/publish/", {"deadline": DEADLINE.isoformat()})
    assert unconfirmed.status_code == 200 and "未发布：请勾选“已核对各工会的核定结果”后再发布" in unconfirmed.content.decode()
    assert 'name="confirm" type="checkbox" value="yes" required' in unconfirmed.content.decode()
    for deadline, problem in (("2020-01-01", "整改期限应晚于今天"), ("", "请填写整改期限")):
        refused = signed_in("admin").post(f"/county/{county.pk}/publish/", {"deadline": deadline, "confirm": "yes"})
        # said under 结果发布, just above the date, and the page opens there (#publish), not at the top
        page = refused.content.decode()
        assert f'action="/county/{county.pk}/publish/#publish"' in page
        told = page.split('<h2 id="publish">结果发布</h2>')[1]
        assert refused.status_code == 200 and told.index(f"未发布：{problem}") < told.index('name="deadline"')
    assert not Publication.objects.exists()


def test_the_api_publishes_once(county: Round, data_folder: Path) -> None:
    def client(username: str) -> Client:
        return Client(headers={"Authorization": f"Bearer {tokens.issue(User.objects.get(username=username))[0]}"})

    url = f"/api/v1/rounds/{county.pk}/publish"
    body = json.dumps({"deadline": DEADLINE.isoformat()})
    assert client("assessor").post(url, body, content_type="application/json").status_code == 403
    past = client("admin").post(url, json.dumps({"deadline": "2020-01-01"}), content_type="application/json")
    assert past.status_code == 422 and json.loads(past.content)[0]["field"] == "deadline"
    done = client("admin").post(url, body, content_type="application/json")
    assert done.status_code == 200, done.content
    answer = json.loads(done.content)
    assert answer["results"] == Entry.objects.filter(round=county).count() and answer["tasks"] == Task.objects.count()
    assert answer["notices"] == len(publishing.notice_codes(Publication.objects.get(pk=answer["publication"]), Union.objects.values_list("code", flat=True)))
    assert client("admin").post(url, body, content_type="application/json").status_code == 409


def test_levels_held_by_rank_are_decided_over_the_whole_round_when_published(county: Round, data_folder: Path) -> None:
    """docs/examples/mofan.yaml: 模范职工之家 goes to the top union of each township (from 27 分). 青山镇: MF-02
    33 分 and MF-01 29 分 both qualify, MF-04 has 25; 城关街道: MF-03 28 分 — as `batch` decides it."""
    examples = Path(__file__).resolve().parents[2] / "docs" / "examples"
    ranked_round = Round.objects.create(federation=county.federation, year=2030, title="模范职工之家验收",
                                        rulesets=[{"id": str(examples / "mofan.yaml")}])
    townships = {t.name: t for t in county.federation.townships.all()}
    for path in sorted((examples / "mofan").glob("MF-*.yaml")):
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
        header = document["union"]
        union = Union.objects.create(federation=county.federation, township=townships[header["township"]], code=header["id"],
                                     name=header["name"], type=header["type"])
        _, version = records.save(Entry.objects.create(round=ranked_round, union=union), None, document, Version.Kind.IMPORTED)
        assert version is not None and version.result["results"][0]["level"]["id"] != "model"  # alone, nobody is ranked yet
    publication = publishing.publish(ranked_round, User.objects.get(username="admin"), DEADLINE).publication
    levels = {row.entry.union.code: row.result["results"][0]["level"]["id"] for row in publication.results.select_related("entry__union")}
    assert levels == {"MF-01": "advanced", "MF-02": "model", "MF-03": "model", "MF-04": "advanced"}
    mf01 = publication.results.get(entry__union__code="MF-01").result["results"][0]
    assert mf01["notes"] == ["“模范职工之家”按乡镇（街道）内得分排名前 1 名评定（27 分以上方可参评，并列者全部入选）："
                             "青山镇符合条件的 2 个单位中本单位排第 2 名，未入选"]
    assert all(row.version.result["results"][0]["level"]["id"] != "model" for row in publication.results.all())  # versions unchanged


def test_the_county_is_assessed_again_before_the_database_is_locked(county: Round, data_folder: Path, monkeypatch: Any) -> None:
    """SQLite takes its write lock when a transaction begins: a county of thousands of unions assessed again inside it
    would make every other save wait for minutes, then fail."""
    depth = len(connection.atomic_blocks)  # the test's own transaction
    seen = []

    def spied(slow: Any) -> Any:
        def spy(*args: Any) -> Any:
            seen.append(len(connection.atomic_blocks) - depth)
            return slow(*args)
        return spy

    for name in ("write_county_files", "write_notices"):
        monkeypatch.setattr(publishing, name, spied(getattr(publishing, name)))
    published_by_page(county)
    assert seen == [0, 0]


def test_a_result_changed_while_publishing_stops_it_and_leaves_nothing(county: Round, data_folder: Path, monkeypatch: Any) -> None:
    slow = publishing.write_county_files

    def meanwhile(*args: Any) -> Any:
        verified(county)  # an assessor verifies QS-016 while the county is assessed again
        return slow(*args)

    monkeypatch.setattr(publishing, "write_county_files", meanwhile)
    refused = signed_in("admin").post(f"/county/{county.pk}/publish/", {"deadline": DEADLINE.isoformat(), "confirm": "yes"})
    assert refused.status_code == 200 and "发布过程中有单位提交或核查了新的结果，请重新发布" in refused.content.decode()
    county.refresh_from_db()
    assert county.status != Round.Status.PUBLISHED and not Publication.objects.exists() and not Task.objects.exists()
    assert list((data_folder / "published" / str(county.pk)).iterdir()) == []
    monkeypatch.undo()
    assert PublishedResult.objects.get(publication=published_by_page(county), entry__union__code="QS-016").version.kind == Version.Kind.VERIFIED


def test_a_notice_is_named_safely_whatever_the_unions_code(county: Round, data_folder: Path) -> None:
    """Codes come from the county's workbook: one that holds a / or .. is a label, never a path (it made publishing
    fail, or wrote a notice outside its publication's folder)."""
    source = Entry.objects.get(round=county, union__code="QS-016")
    codes = ["../../outside", "QS/099", "qs-016"]
    for code in codes:
        union = Union.objects.create(federation=county.federation, township=source.union.township, code=code, name=f"工会{code}",
                                     type="enterprise")
        records.save(Entry.objects.create(round=county, union=union), None, {"facts": source.latest().facts["facts"]}, "imported")  # type: ignore[union-attr]
    done = publishing.publish(county, User.objects.get(username="admin"), DEADLINE)
    folder = publishing.folder(done.publication)
    written = [path for path in (data_folder / "published").rglob("*") if path.is_file()]
    assert written and all(path.is_relative_to(folder) for path in written)
    assert publishing.notice_codes(done.publication, [*codes, "QS-016"]) == {*codes, "QS-016"}
    assert all(publishing.published_file(done.publication, publishing.notice_name(code)) for code in codes)
    assert publishing.notice_name("QS-016") == "notices/QS-016.docx"


def test_two_publishings_at_once_keep_one(county: Round, data_folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A double click on 发布: on PostgreSQL each transaction found the round unpublished before the other committed,
    and both publications were kept, each with its tasks. The database keeps one; the other is refused, nothing of it kept."""
    admin = User.objects.get(username="admin")
    first = publishing.publish(county, admin, DEADLINE)
    monkeypatch.setattr(publishing, "refuse_published", lambda round_: None)  # the second, as it sees the round
    with pytest.raises(publishing.PublishError, match="本年度结果已经发布，不能重复发布"):
        publishing.publish(county, admin, DEADLINE)
    assert Publication.objects.get(round=county) == first.publication and Task.objects.count() == first.tasks
    assert [path.name for path in (data_folder / "published" / str(county.pk)).iterdir()] == [str(first.publication.pk)]


def test_a_name_pasted_with_a_control_character_publishes(county: Round, data_folder: Path) -> None:
    """A vertical tab pasted with a union's name (XML has no such character) stopped every union's publication."""
    Union.objects.filter(code="QS-016").update(name="青山镇鑫源\x0b食品厂工会\x08")
    published_by_page(county)
    word = docx.Document(io.BytesIO(signed_in("qs-016").get(f"/rounds/{county.pk}/QS-016/notice.docx").content))
    assert word.paragraphs[0].text.replace("\n", "") == "关于青山镇鑫源食品厂工会限期整改的通知书"
    assert word.core_properties.title == "关于青山镇鑫源食品厂工会限期整改的通知书"


def test_a_deadline_more_than_two_years_away_is_refused(county: Round, data_folder: Path) -> None:
    """9999-12-31 was accepted and printed in every task and 整改通知书."""
    today = timezone.localdate()
    latest = today.replace(year=today.year + 2) if (today.month, today.day) != (2, 29) else today.replace(year=today.year + 2, day=28)
    told = f"整改期限 9999-12-31 太远：最晚为 {latest:%Y-%m-%d}（今天起两年内）"
    page = signed_in("admin").post(f"/county/{county.pk}/publish/", {"deadline": "9999-12-31", "confirm": "yes"})
    assert page.status_code == 200 and f"未发布：{told}" in page.content.decode()
    token = tokens.issue(User.objects.get(username="admin"))[0]
    api = Client(headers={"Authorization": f"Bearer {token}"}).post(
        f"/api/v1/rounds/{county.pk}/publish", json.dumps({"deadline": "9999-12-31"}), content_type="application/json")
    assert api.status_code == 422 and api.json() == [{"field": "deadline", "message": told}]
    assert not Publication.objects.exists() and not Task.objects.exists()
    publishing.check_deadline(latest, today)  # two years to the day is allowed
    with pytest.raises(publishing.PublishError, match="太远"):
        publishing.check_deadline(latest + dt.timedelta(days=1), today)
    with pytest.raises(publishing.PublishError, match="整改期限应晚于今天"):
        publishing.check_deadline(today, today)


def test_a_publish_refused_because_another_just_finished_shows_the_round_published(county: Round, data_folder: Path,
                                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """A double click on 发布: the second request read the round before the first was recorded, was refused, and its
    page headed the board with the round as it had read it, 「填报中」, above 44 unions 已发布."""
    def finished_meanwhile(round_: Round, *args: Any) -> None:
        Round.objects.filter(pk=round_.pk).update(status=Round.Status.PUBLISHED)
        raise publishing.PublishError(publishing.ALREADY)

    monkeypatch.setattr(publishing, "publish", finished_meanwhile)
    page = signed_in("admin").post(f"/county/{county.pk}/publish/", {"deadline": DEADLINE.isoformat(), "confirm": "yes"})
    head = page.content.decode().split("<h1>", 1)[1].split("</p>", 1)[0]
    assert "已发布" in head and "填报中" not in head


# a union revising its submission when the round is published ----------------------------------------------------
def revised(county: Round, code: str) -> Version:
    """The union saved a draft after its submission (imported: version 1), one that does not check yet, and has not
    submitted again."""
    entry = Entry.objects.get(round=county, union__code=code)
    facts = entry.versions.get(number=1).facts["facts"] | {"employees": "很多"}
    _, draft = records.save(entry, User.objects.get(username=code.lower()), {"facts": facts}, Version.Kind.DRAFT)
    assert draft is not None and draft.number == 2 and draft.result is None
    return draft


def page_text(response: Any) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


def test_the_board_names_the_unions_revising_and_publishing_asks_to_confirm_them(county: Round, data_folder: Path) -> None:
    """The reviewer's QS-015: a draft after its submission, left off the board, and publishing said nothing of it."""
    draft = revised(county, "QS-016")
    admin, url = signed_in("admin"), f"/county/{county.pk}/publish/"
    board = admin.get(f"/county/{county.pk}/")
    line = f"青山镇鑫源食品厂工会（QS-016）：第 2 版草稿，账号 qs-016 于 {timezone.localtime(draft.created_at):%Y-%m-%d %H:%M} 保存"
    assert line in page_text(board) and "1 个工会提交后又保存了草稿，尚未再次提交" in page_text(board)
    assert "（正在修改自评）。现在发布，这些工会发布的是其最近一次提交的结果，草稿不发布" in page_text(board)
    assert f'name="drafts" type="checkbox" value="{draft.pk}" required' in board.content.decode()
    assert line in page_text(signed_in("assessor").get(f"/county/{county.pk}/"))  # the assessor sees who is revising too

    unticked = admin.post(url, {"deadline": DEADLINE.isoformat(), "confirm": "yes"})
    assert unticked.status_code == 200 and "未发布：有 1 个工会提交后又保存了草稿、尚未再次提交（名单见下）" in page_text(unticked)
    other = revised(county, "QS-017")  # another starts revising after the board was read: what was ticked is not all
    late = admin.post(url, {"deadline": DEADLINE.isoformat(), "confirm": "yes", "drafts": str(draft.pk)})
    assert late.status_code == 200 and "未发布：有 2 个工会提交后又保存了草稿" in page_text(late)
    assert not Publication.objects.exists()

    done = admin.post(url, {"deadline": DEADLINE.isoformat(), "confirm": "yes", "drafts": f"{draft.pk},{other.pk}"}, follow=True)
    told = page_text(done)
    assert "2 个工会发布的是其提交的结果，提交后保存的草稿未发布：" in told and line in told
    rows = {r.entry.union.code: r.version.number for r in PublishedResult.objects.select_related("entry__union", "version")}
    assert rows["QS-016"] == rows["QS-017"] == 1
    assert len(AuditEvent.objects.get(action="round.publish", round=county).detail["drafts"]) == 2


def test_once_published_a_revising_union_is_told_its_results_are_published_not_inspected(county: Round, data_folder: Path) -> None:
    """After publication QS-015's form and API said 「考核组已核查」 (never inspected) and its result page showed the draft."""
    draft = revised(county, "QS-016")
    answer = Client(headers={"Authorization": f"Bearer {tokens.issue(User.objects.get(username='admin'))[0]}"}).post(
        f"/api/v1/rounds/{county.pk}/publish", json.dumps({"deadline": DEADLINE.isoformat()}), content_type="application/json")
    assert answer.status_code == 200 and [line.split("：")[0] for line in answer.json()["drafts"]] == ["青山镇鑫源食品厂工会（QS-016）"]
    union = signed_in("qs-016")
    left = (f"第 2 版草稿（账号 qs-016 于 {timezone.localtime(draft.created_at):%Y-%m-%d %H:%M} 保存）在本年度结果发布时尚未提交，"
            "没有发布，也不能再提交")
    form = page_text(union.get(f"/rounds/{county.pk}/QS-016/"))
    assert "本年度考核结果已经发布，自评数据不能再修改" in form and "考核组已核查" not in form
    assert left in form and "以下是发布的结果所依据的数据（第 1 版）" in form
    result = union.get(f"/rounds/{county.pk}/QS-016/result/")
    assert result.context["version"].number == 1 and left in page_text(result)
    shown = page_text(union.get(f"/rounds/{county.pk}/QS-016/result/?version=2"))  # the draft, asked for
    assert "这一版数据有 1 处需要修改" in shown and "返回填报修改" not in shown  # the form cannot take it now
    put = Client(headers={"Authorization": f"Bearer {tokens.issue(User.objects.get(username='qs-016'))[0]}"}).put(
        f"/api/v1/rounds/{county.pk}/unions/QS-016/self-report", json.dumps({"facts": {}}), content_type="application/json")
    assert put.status_code == 403 and put.json()["detail"].startswith("本年度考核结果已经发布，自评数据不能再修改")


def test_a_draft_left_unsubmitted_never_stands_for_a_published_union(county: Round, data_folder: Path) -> None:
    """The round's table and every page's head took a published union's score and version from a draft that checked."""
    entry = Entry.objects.get(round=county, union__code="QS-016")
    published = entry.versions.get(number=1)
    facts = published.facts["facts"] | {"venue.area": 1}
    _, draft = records.save(entry, User.objects.get(username="qs-016"), {"facts": facts}, Version.Kind.DRAFT)
    assert draft is not None and draft.result is not None and draft.result != published.result
    answer = Client(headers={"Authorization": f"Bearer {tokens.issue(User.objects.get(username='admin'))[0]}"}).post(
        f"/api/v1/rounds/{county.pk}/publish", json.dumps({"deadline": DEADLINE.isoformat()}), content_type="application/json")
    assert answer.status_code == 200
    entry.refresh_from_db()
    assert entry.standing_latest() == published and views.latest_results([entry]) == {entry.pk: published.result}
    head = page_text(signed_in("qs-016").get(f"/rounds/{county.pk}/QS-016/tasks/"))
    assert "第 1 版" in head and "第 2 版，" not in head


def test_the_board_after_publishing_says_only_a_closing_makes_new_versions(county: Round, data_folder: Path) -> None:
    published_by_page(county)
    text = page_text(signed_in("admin").get(f"/county/{county.pk}/"))
    assert "发布后结果冻结，不再核查；只有整改销号形成新的核定版本，已发布的结果不变" in text and "之后的核查" not in text
