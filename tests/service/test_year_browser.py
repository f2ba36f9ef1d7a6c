"""One union's whole year in a real browser (issue 14): QS-016 (青山镇鑫源食品厂工会) of the demo county, the
union, the assessor and the county admin signing in and out of headless Chromium in turn.

The union submits its self-report (the form lists the 满意率 it left blank, keeps a draft, and it ticks to submit
anyway); the assessor verifies it on site and finds two facts different (no
election of the committee on record, no 工会牌子 on the wall); the reconciliation lists exactly the items
those two facts touch, as `unionscore assess` of the changed facts says; the admin publishes with a
deadline and the 整改通知书 downloads and opens; the union uploads evidence for two tasks and marks them
done; the assessor returns one with a note and accepts (销号) the other, whose fact changes re-score the
union (its 复核 score and level, as assess says); the admin opens next year's round from this one, the
union's form there is prefilled from this year's record, its history shows both years; the audit page
lists every step, and the published result is what it was.

Screenshots at desktop and phone width go to /tmp/service-shots/year-*.png for people to look at.
"""
from __future__ import annotations

import copy
import datetime as dt
import io
import zlib
from pathlib import Path
from typing import Any

import docx
from clients import assessed, shots, sign_in, sign_out, wait_for_download
from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.select import Select
from selenium.webdriver.support.wait import WebDriverWait

from engine.values import cn_date
from service.models import AuditEvent, Entry, PublishedResult, Round, Task, Version
from service.result_page import level_text, number

UNION, NAME = "QS-016", "青山镇鑫源食品厂工会"
WHO = f"{NAME}（{UNION}）"  # as the audit summaries name it
DEADLINE = dt.date.today() + dt.timedelta(days=120)
INSPECTION = {"committee.elected": ("false", False, "查阅资料", "未见委员会选举会议记录和选票"),
              "sign.board": ("false", False, "实地查看", "办公场所和大门均未悬挂工会牌子")}
# hand-checked with `unionscore assess` of facts/qingshan/QS-016.yaml with the two facts false (as test_verification):
TOUCHED = {"bayou": ["banzi.elected", "banzi.term", "paizi.board"], "zhijia": ["zuzhi.election"], "xingji": ["zuzhi.election"],
           "zhijia-jiguan": []}
RETURNED, ACCEPTED = ("bayou", "paizi.board"), ("bayou", "changsuo.library")
RETURN_NOTE, ACCEPT_NOTE = "照片看不出是本单位大门，请补拍带单位名称的全景照片", "图书登记册与现场一致"


def png(path: Path) -> Path:
    """A real (tiny, 8×8 grey) PNG photo."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return len(data).to_bytes(4, "big") + kind + data + zlib.crc32(kind + data).to_bytes(4, "big")
    rows = b"".join(b"\x00" + b"\x80" * 8 for _ in range(8))
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", (8).to_bytes(4, "big") * 2 + b"\x08\x00\x00\x00\x00")
                     + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))
    return path


def pdf(path: Path) -> Path:
    path.write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")
    return path


def wait_text(driver: WebDriver, css: str, text: str) -> WebElement:
    """The element at `css` once it says `text` (elements of the page being left go stale meanwhile: looked for again).
    `text` must be new with the page waited for: the page being left may still be there."""
    def found(d: WebDriver) -> WebElement | bool:
        try:
            return next((e for e in d.find_elements(By.CSS_SELECTOR, css) if text in e.text), False)
        except WebDriverException as error:  # a stale element, as Chromium sometimes words it mid-navigation
            if "does not belong to the document" in str(error.msg):
                return False
            raise

    element: WebElement = WebDriverWait(driver, 30, ignored_exceptions=(StaleElementReferenceException,)).until(found)
    return element


def message(driver: WebDriver) -> str:
    return driver.find_element(By.CSS_SELECTOR, ".messages").text


def by_ruleset(result: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {r["ruleset"]["id"]: r for r in result["results"]}


def moved_items(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[tuple[str, str]]]:
    """Per standard, the (id, name) of the items whose points or outcome differ between two assess results."""
    moved: dict[str, list[tuple[str, str]]] = {}
    for rid, mine in by_ruleset(before).items():
        theirs = {i["id"]: i for i in [*by_ruleset(after)[rid].get("items", []), *by_ruleset(after)[rid].get("bonus_items", [])]}
        moved[rid] = [(i["id"], i["name"]) for i in [*mine.get("items", []), *mine.get("bonus_items", [])]
                      if mine.get("applies", True) and (i["points"], i["outcome"]) != (theirs[i["id"]]["points"], theirs[i["id"]]["outcome"])]
    return moved


def standing(result: dict[str, Any]) -> str:
    """A standard's score and level as the task and history pages say them: 「44.55 分 不达标」."""
    return f"{number(result['score'])} 分 {level_text(result)}"


def test_one_union_through_a_whole_year(server: str, browser: WebDriver, county: Round, tmp_path: Path) -> None:
    entry = Entry.objects.select_related("union", "round").get(round=county, union__code=UNION)
    first_event = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0

    # 1. the union submits its self-report -------------------------------------------------------------------
    sign_in(browser, server, "qs-016")
    WebDriverWait(browser, 10).until(lambda d: d.find_elements(By.CSS_SELECTOR, "form.selfcheck"))
    assert browser.current_url == f"{server}/rounds/{county.pk}/{UNION}/"
    submit_confirming_blanks(browser, "year-blank")
    assert "已提交（第 3 版）" in wait_text(browser, ".messages", "已提交").text
    own = entry.versions.get(number=3)
    assert own.kind == Version.Kind.SUBMITTED and Entry.objects.get(pk=entry.pk).status == Entry.Status.SUBMITTED
    sign_out(browser)

    # 2. the assessor verifies on site: two facts found different, each with its method and note ---------------
    sign_in(browser, server, "assessor")
    browser.find_element(By.LINK_TEXT, "填报进度、核查与发布").click()
    board = wait_text(browser, "table.board", "合计")
    assert board.find_elements(By.CSS_SELECTOR, "tbody tr")[-1].text.split() == ["合计", "0", "0", "44", "0", "0", "44"]
    shots(browser, "year-board")
    browser.find_element(By.XPATH, f"//tr[td/small[text()='{UNION}']]//a[text()='核查']").click()
    WebDriverWait(browser, 10).until(lambda d: d.find_elements(By.CSS_SELECTOR, "form.selfcheck"))
    for fact, (value, _, method, note) in INSPECTION.items():
        Select(browser.find_element(By.NAME, fact)).select_by_value(value)
        Select(browser.find_element(By.NAME, f"method.{fact}")).select_by_visible_text(method)
        browser.find_element(By.NAME, f"note.{fact}").send_keys(note)
    shots(browser, "year-verify", "#f-committee-elected-row")
    browser.find_element(By.CSS_SELECTOR, "form.selfcheck button.primary").click()
    assert wait_text(browser, ".messages", "核查结果已保存").text == "核查结果已保存（第 4 版），改动 2 项事实。"
    assert browser.current_url == f"{server}/rounds/{county.pk}/{UNION}/reconciliation/"
    checked = entry.versions.get(number=4)
    assert checked.kind == Version.Kind.VERIFIED and checked.based_on == own
    assert {f: checked.facts["facts"][f] for f in INSPECTION} == {f: v[1] for f, v in INSPECTION.items()}

    # 3. the reconciliation shows exactly the items the two facts touch, and assess's verified scores -----------
    self_result = assessed(entry, own.facts["facts"], tmp_path)
    verified_result = assessed(entry, own.facts["facts"] | {f: v[1] for f, v in INSPECTION.items()}, tmp_path)
    assert verified_result["results"] == checked.result["results"]
    moved = moved_items(self_result, verified_result)
    assert {rid: [i for i, _ in items] for rid, items in moved.items()} == TOUCHED
    for rid, items in moved.items():
        section = browser.find_element(By.ID, f"std-{rid}")
        rows = section.find_elements(By.CSS_SELECTOR, "h3:first-of-type + .table-wrap tbody tr")
        assert [r.find_element(By.CSS_SELECTOR, "td").text for r in rows] == [name for _, name in items]  # by name, no id
    summary = {r.find_element(By.CSS_SELECTOR, "td a").get_attribute("href").rsplit("#std-", 1)[1]: [c.text for c in r.find_elements(By.TAG_NAME, "td")]
               for r in browser.find_elements(By.CSS_SELECTOR, "table.pair")[0].find_elements(By.CSS_SELECTOR, "tbody tr")}
    for rid, result in by_ruleset(verified_result).items():
        mine = by_ruleset(self_result)[rid]
        if result["applies"]:
            assert summary[rid][1:5] == [number(mine["score"]), level_text(mine), number(result["score"]), level_text(result)]
        assert summary[rid][6] == str(len(TOUCHED[rid]))
    changes = browser.find_elements(By.CSS_SELECTOR, "table.pair")[1].find_elements(By.CSS_SELECTOR, "tbody tr")
    assert [[c.text for c in r.find_elements(By.TAG_NAME, "td")][1:] for r in changes] == [
        ["是", "否", "查阅资料", INSPECTION["committee.elected"][3]], ["是", "否", "实地查看", INSPECTION["sign.board"][3]]]
    shots(browser, "year-reconciliation")
    shots(browser, "year-reconciliation-bayou", "#std-bayou")

    # the county's over-report figures: one union verified, over-reported on every standard it touched
    browser.find_element(By.LINK_TEXT, "返回全县").click()
    browser.find_element(By.LINK_TEXT, "核查对照统计").click()
    figures = wait_text(browser, "table.pair", "已核查")
    first = [c.text for c in figures.find_elements(By.CSS_SELECTOR, "tbody tr")[0].find_elements(By.TAG_NAME, "td")]
    lost = by_ruleset(self_result)["bayou"]["score"] - by_ruleset(verified_result)["bayou"]["score"]
    assert first[1:5] == ["1", "1", "0", number(round(lost, 2))]
    often = browser.find_element(By.ID, "std-bayou").find_elements(By.CSS_SELECTOR, "tbody tr td:first-child")
    assert sorted(c.text for c in often) == sorted(name for _, name in moved["bayou"])
    shots(browser, "year-figures")
    sign_out(browser)

    # 4. the admin publishes with a deadline; the 整改通知书 downloads and opens ---------------------------------
    sign_in(browser, server, "admin")
    browser.find_element(By.LINK_TEXT, "填报进度、核查与发布").click()
    deadline = browser.find_element(By.NAME, "deadline")
    browser.execute_script("arguments[0].value = arguments[1];", deadline, DEADLINE.isoformat())
    browser.find_element(By.NAME, "confirm").click()
    browser.find_element(By.XPATH, "//button[text()='发布本年度结果']").click()
    published_message = wait_text(browser, ".messages", "已发布").text
    assert published_message.startswith("已发布 44 个工会的结果，")
    publication = county.publications.get()
    frozen = PublishedResult.objects.select_related("version").get(publication=publication, entry=entry)
    assert frozen.version == checked
    frozen_result = copy.deepcopy(frozen.version.result)
    shots(browser, "year-board-published")
    browser.find_element(By.XPATH, f"//tr[td/small[text()='{UNION}']]//a[text()='整改通知书']").click()
    notice = wait_for_download(browser.downloads)  # type: ignore[attr-defined]
    assert notice.name == f"{NAME}整改通知书.docx"
    document = docx.Document(io.BytesIO(notice.read_bytes()))
    text = "\n".join(p.text for p in document.paragraphs)
    assert text.startswith(f"关于{NAME}\n限期整改的通知书\n{NAME}：")  # the title in two lines, as official documents set it
    assert f"请于{cn_date(DEADLINE)}前完成全部整改事项" in text
    assert "工会组织亮牌子" in text and "建有职工书屋" in text
    sign_out(browser)

    # 5. the union uploads evidence for two tasks and marks them done ----------------------------------------------
    tasks = {key: Task.objects.get(entry=entry, ruleset=key[0], item=key[1]) for key in (RETURNED, ACCEPTED)}
    files = {RETURNED: png(tmp_path / "工会牌子照片.png"), ACCEPTED: pdf(tmp_path / "职工书屋图书登记册.pdf")}
    sign_in(browser, server, "qs-016")
    browser.get(f"{server}/rounds/{county.pk}/{UNION}/tasks/")
    for key, task in tasks.items():
        item = browser.find_element(By.ID, f"task-{task.pk}")
        assert "整改中" in item.find_element(By.CSS_SELECTOR, ".head").text
        item.find_element(By.CSS_SELECTOR, "input[type=file]").send_keys(str(files[key]))
        item.find_element(By.CSS_SELECTOR, "form.upload button").click()
        assert wait_text(browser, ".messages", "已上传").text.startswith(f"已上传“{files[key].name}”")
        browser.find_element(By.ID, f"task-{task.pk}").find_element(By.CSS_SELECTOR, "button[value=done]").click()
        assert wait_text(browser, ".messages", "已改为“待复查”").text == f"整改任务“{task.name}”已改为“待复查”。"
    sign_out(browser)

    # 6. the assessor returns one with a note and accepts (销号) the other -------------------------------------------
    sign_in(browser, server, "assessor")
    browser.get(f"{server}/rounds/{county.pk}/{UNION}/tasks/")
    item = browser.find_element(By.ID, f"task-{tasks[RETURNED].pk}")
    assert files[RETURNED].name in item.text
    item.find_element(By.NAME, "note").send_keys(RETURN_NOTE)
    item.find_element(By.CSS_SELECTOR, "button[value=returned]").click()
    assert wait_text(browser, ".messages", "已改为“已退回”").text == f"整改任务“{tasks[RETURNED].name}”已改为“已退回”。"
    item = browser.find_element(By.ID, f"task-{tasks[ACCEPTED].pk}")
    item.find_element(By.NAME, "note").send_keys(ACCEPT_NOTE)
    item.find_element(By.CSS_SELECTOR, "button[value=accepted]").click()
    assert wait_text(browser, ".messages", "已改为“已销号”").text == (
        f"整改任务“{tasks[ACCEPTED].name}”已改为“已销号”，已按整改目标生成第 5 版核定数据并重新评分。")
    sign_out(browser)

    # 7. the union sees the returned note and its 复核 score and level, as assess says -----------------------------
    rescored = entry.versions.get(number=5)
    changes = {c["fact"]: c["after"] for c in tasks[ACCEPTED].step["changes"]}
    assert changes == {"library.exists": True, "library.books": 3000}
    expected = assessed(entry, checked.facts["facts"] | changes, tmp_path)
    assert expected["results"] == rescored.result["results"]
    sign_in(browser, server, "qs-016")
    browser.get(f"{server}/rounds/{county.pk}/{UNION}/tasks/")
    returned = browser.find_element(By.ID, f"task-{tasks[RETURNED].pk}")
    assert "已退回" in returned.find_element(By.CSS_SELECTOR, ".head").text and RETURN_NOTE in returned.text
    assert returned.find_elements(By.CSS_SELECTOR, "input[type=file]")  # to upload again
    assert "已销号" in browser.find_element(By.ID, f"task-{tasks[ACCEPTED].pk}").find_element(By.CSS_SELECTOR, ".head").text
    rows = [[c.text for c in r.find_elements(By.TAG_NAME, "td")] for r in browser.find_elements(By.CSS_SELECTOR, "table.scores tbody tr")]
    graded = [r for r in expected["results"] if r["applies"]]
    published_then = [r for r in frozen_result["results"] if r["applies"]]
    assert [row[1:] for row in rows] == [[standing(then), standing(now)] for then, now in zip(published_then, graded)]
    assert standing(by_ruleset(expected)["bayou"]) != standing(by_ruleset(frozen_result)["bayou"])  # the 销号 moved it
    shots(browser, "year-tasks")
    shots(browser, "year-tasks-returned", f"#task-{tasks[RETURNED].pk}")
    sign_out(browser)

    # 8. the admin opens next year's round from this one ---------------------------------------------------------------
    sign_in(browser, server, "admin")
    browser.find_element(By.LINK_TEXT, "开启新的考核年度").click()
    assert browser.find_element(By.NAME, "year").get_attribute("value") == str(county.year + 1)
    assert Select(browser.find_element(By.NAME, "source")).first_selected_option.get_attribute("value") == str(county.pk)
    browser.find_element(By.XPATH, "//button[text()='开启']").click()
    opened = f"{county.federation.name}{county.year + 1}年度基层工会考核评价"
    assert wait_text(browser, ".messages", "已开启").text == f"已开启{opened}，44 个参评工会。"
    following = Round.objects.get(federation=county.federation, year=county.year + 1)
    sign_out(browser)

    # 9. the union's next-year form is prefilled from this year's record (the 复核 one), and it submits it ------------
    sign_in(browser, server, "qs-016")
    WebDriverWait(browser, 10).until(lambda d: d.find_elements(By.CSS_SELECTOR, "form.selfcheck"))
    assert browser.current_url == f"{server}/rounds/{following.pk}/{UNION}/"
    assert f"以下数据取自 {county.year} 年度的记录（第 5 版）" in browser.find_element(By.CSS_SELECTOR, "main").text
    assert browser.find_element(By.NAME, "library.books").get_attribute("value") == "3000"
    for fact in ("library.exists", "committee.elected", "sign.board"):
        value = rescored.facts["facts"][fact]
        assert Select(browser.find_element(By.NAME, fact)).first_selected_option.get_attribute("value") == str(value).lower()
    submit_confirming_blanks(browser)
    assert "已提交（第 2 版）" in wait_text(browser, ".messages", "已提交").text
    next_year = Entry.objects.get(round=following, union=entry.union).versions.get(number=2)
    assert {k: str(v) for k, v in next_year.facts["facts"].items()} == {k: str(v) for k, v in rescored.facts["facts"].items()}

    # 10. the union's history shows both years -------------------------------------------------------------------------
    browser.find_element(By.LINK_TEXT, "历年记录").click()
    table = wait_text(browser, "main table", "年度")
    years = [[c.text for c in r.find_elements(By.TAG_NAME, "td")] for r in table.find_elements(By.CSS_SELECTOR, "tbody tr")]
    assert [row[0].split("\n")[0] for row in years] == [f"{county.year + 1} 年度", f"{county.year} 年度"]
    heads = [h.text for h in table.find_elements(By.CSS_SELECTOR, "thead th")]
    later = [standing(now) if standing(now) != standing(then) else "" for then, now in zip(published_then, graded)]
    assert years[1][1:len(graded) + 1] == [standing(then) + (f"\n整改复核后 {moved}" if moved else "")  # as published, and 复核
                                           for then, moved in zip(published_then, later)]
    assert years[0][1:len(graded) + 1] == [standing(r) for r in next_year.result["results"] if r["applies"]]
    task_count = Task.objects.filter(entry=entry).count()
    assert heads[-1] == "整改任务" and years[1][-1] == f"已销号 1 / {task_count}" and years[0][-1] == "—"
    shots(browser, "year-history")
    sign_out(browser)

    # 11. the admin compares the years and reads the audit trail: every step of this walk ------------------------------
    sign_in(browser, server, "admin")
    browser.get(f"{server}/county/{following.pk}/compare/")
    assert f"{county.year + 1} 年度与 {county.year} 年度相比" in browser.find_element(By.CSS_SELECTOR, "main").text
    shots(browser, "year-compare")
    browser.find_element(By.LINK_TEXT, "操作记录").click()
    audit = wait_text(browser, "table.audit", "摘要")
    seen = [[r.find_element(By.CSS_SELECTOR, "td.who").text, r.find_element(By.CSS_SELECTOR, "td.union").text,
             r.find_element(By.CSS_SELECTOR, "td.summary").text]
            for r in audit.find_elements(By.CSS_SELECTOR, "tbody tr")]
    labels = [r.find_element(By.CSS_SELECTOR, "td.what").text.split("\n")[0] for r in audit.find_elements(By.CSS_SELECTOR, "tbody tr")]
    done = f"→ {Task.Status.DONE.label}"
    steps = [
        ["qs-016", UNION, f"{WHO}：草稿，第 2 版"],
        ["qs-016", UNION, f"{WHO}：提交，第 3 版"],
        ["assessor", UNION, f"{WHO}：核定，第 4 版"],
        ["admin", "—", f"发布{county.title}：44 个工会的结果，{publication_counts(published_message)}"],
        ["qs-016", UNION, f"{WHO}：为整改任务“{tasks[RETURNED].name}”上传佐证材料“{files[RETURNED].name}”"],
        ["qs-016", UNION, f"{WHO}：整改任务“{tasks[RETURNED].name}”整改中 {done}"],
        ["qs-016", UNION, f"{WHO}：为整改任务“{tasks[ACCEPTED].name}”上传佐证材料“{files[ACCEPTED].name}”"],
        ["qs-016", UNION, f"{WHO}：整改任务“{tasks[ACCEPTED].name}”整改中 {done}"],
        ["assessor", UNION, f"{WHO}：整改任务“{tasks[RETURNED].name}”待复查 → 已退回（{RETURN_NOTE}）"],
        ["assessor", UNION, f"{WHO}：核定，第 5 版"],
        ["assessor", UNION, f"{WHO}：整改任务“{tasks[ACCEPTED].name}”待复查 → 已销号（{ACCEPT_NOTE}）"],
        ["admin", "—", f"开启{opened}：{len(county.ruleset_ids())} 个考核标准，44 个参评工会（取自{county.year}年度）"],
        ["qs-016", UNION, f"{WHO}：草稿，第 1 版"],
        ["qs-016", UNION, f"{WHO}：提交，第 2 版"],
    ]
    assert AuditEvent.objects.filter(id__gt=first_event).count() == len(steps)
    assert seen[:len(steps)] == list(reversed(steps))
    assert labels[:len(steps)] == list(reversed(["保存草稿", "提交自评", "核查核定", "发布结果", "上传佐证材料", "整改完成，提请复查", "上传佐证材料",
                                                 "整改完成，提请复查", "退回重新整改", "核查核定", "复查销号", "开启考核年度", "保存草稿", "提交自评"]))
    shots(browser, "year-audit")
    sign_out(browser)

    # published results never change ------------------------------------------------------------------------------------
    still = PublishedResult.objects.select_related("version").get(pk=frozen.pk)
    assert still.version_id == checked.pk and still.version.result == frozen_result
    assert Entry.objects.get(pk=entry.pk).latest() == rescored


def submit_confirming_blanks(browser: WebDriver, shot_name: str = "") -> None:
    """Submit the form: it lists the facts left blank that the result lacks (QS-016 has no 满意率测评 on record), keeps the
    typing as a draft and asks for a tick; ticked, submit again."""
    browser.find_element(By.CSS_SELECTOR, "button[value=submit]").click()
    listed = wait_text(browser, "#blank", "没有填写")
    assert "职工信赖（职工之家）：职工对工会工作满意率（测评）" in listed.text
    if shot_name:
        shots(browser, shot_name)
    browser.find_element(By.CSS_SELECTOR, "#blank input[name=blank]").click()
    browser.find_element(By.CSS_SELECTOR, "button[value=submit]").click()


def publication_counts(message: str) -> str:
    """「N 份整改通知书，M 项整改任务」 of the publish message, as the audit summary says them."""
    return message.split("的结果，", 1)[1].split("。", 1)[0]
