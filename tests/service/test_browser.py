"""A union's self-check in a real browser: headless Chromium (Debian's chromium + chromium-driver) via Selenium,
against the service running in a thread of this test on the test database (the demo county).

The server and the browser are conftest.py's `server` and `browser`: the server shares the test's database
connection, so the browser sees the demo data and everything it saves is rolled back with the test.
Screenshots of the form and the result at desktop and phone widths go to /tmp/service-shots/ (outside the
repository) for people to look at.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import docx
import yaml
from click.testing import CliRunner
from clients import DESKTOP, PHONE, scroll_to, shot, sign_in, type_into, wait_for_download
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.select import Select
from selenium.webdriver.support.wait import WebDriverWait

from cli import cli
from service.models import Entry, Round
from service.result_page import level_text, number

REPO = Path(__file__).resolve().parents[2]
EDITS = {"survey.satisfaction": "92%", "rules.audit": "adopted", "publicity.updates_by_quarter": [1, 1, 0, 1]}


def flat(facts: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    found: dict[str, Any] = {}
    for key, value in facts.items():
        found |= flat(value, f"{prefix}{key}.") if isinstance(value, dict) else {f"{prefix}{key}": value}
    return found


def expected_results(tmp_path: Path, members: str) -> list[dict[str, Any]]:
    """`unionscore assess --format json` of QS-016's fact file with the browser's edits."""
    raw = yaml.safe_load((REPO / "facts" / "qingshan" / "QS-016.yaml").read_text(encoding="utf-8"))
    facts = flat(raw["facts"]) | EDITS | {"members": members}
    path = tmp_path / "QS-016.yaml"
    path.write_text(yaml.safe_dump(raw | {"facts": facts}, allow_unicode=True), encoding="utf-8")
    done = CliRunner().invoke(cli, ["assess", "--format", "json", str(path)])
    return json.loads(done.output)["results"]


def test_a_union_fills_in_saves_submits_and_downloads_its_plan(server: str, browser: WebDriver, county: Round, tmp_path: Path) -> None:
    sign_in(browser, server, "qs-016")
    WebDriverWait(browser, 10).until(lambda d: d.find_elements(By.CSS_SELECTOR, "form.selfcheck"))
    assert browser.current_url == f"{server}/rounds/{county.pk}/QS-016/"
    shot(browser, "form-desktop", DESKTOP[0])
    shot(browser, "form-phone", PHONE[0], mobile=True)
    shot(browser, "form-desktop", DESKTOP[0])

    type_into(browser, "members", "三十一")  # not a number the engine reads
    type_into(browser, "survey.satisfaction", EDITS["survey.satisfaction"])
    Select(browser.find_element(By.NAME, "rules.audit")).select_by_visible_text("已建立未上墙")
    type_into(browser, "publicity.updates_by_quarter", "1", index=1)
    browser.find_element(By.CSS_SELECTOR, "button[value=draft]").click()
    error = WebDriverWait(browser, 10).until(lambda d: d.find_element(By.CSS_SELECTOR, "#f-members-row .error"))
    assert error.text == "无法识别 “三十一”，应为不小于 0 的整数" and error.is_displayed()
    assert "草稿已保存（第 2 版），还有 1 处需要修改后才能提交" in browser.find_element(By.CSS_SELECTOR, ".messages").text
    assert browser.find_element(By.NAME, "members").get_attribute("value") == "三十一"
    assert browser.find_element(By.NAME, "survey.satisfaction").get_attribute("value") == "92%"
    shot(browser, "form-draft-phone", PHONE[0], mobile=True)
    scroll_to(browser, "#f-members-row")
    shot(browser, "form-error-desktop", DESKTOP[0])
    shot(browser, "form-error-phone", PHONE[0], mobile=True)

    type_into(browser, "members", "40人")
    browser.find_element(By.CSS_SELECTOR, "button[value=submit]").click()
    WebDriverWait(browser, 10).until(lambda d: d.find_elements(By.CSS_SELECTOR, "section.standard"))
    assert "已提交（第 3 版）" in browser.find_element(By.CSS_SELECTOR, ".messages").text
    assert Entry.objects.get(round=county, union__code="QS-016").status == Entry.Status.SUBMITTED

    for result in expected_results(tmp_path, "40人"):
        section = browser.find_element(By.ID, f"std-{result['ruleset']['id']}")
        if result["applies"]:
            assert section.find_element(By.CSS_SELECTOR, ".score").text == number(result["score"])
            assert section.find_element(By.CSS_SELECTOR, ".level").text == level_text(result)
        else:
            assert "本标准不适用于本单位" in section.find_element(By.CSS_SELECTOR, ".na-line").text
    shot(browser, "result-desktop", DESKTOP[0])
    shot(browser, "result-phone", PHONE[0], mobile=True)
    scroll_to(browser, "#std-bayou h3 + ul.bars")
    shot(browser, "result-sections-phone", PHONE[0], mobile=True)
    scroll_to(browser, "#std-bayou ol.plan")
    shot(browser, "result-plan-phone", PHONE[0], mobile=True)

    browser.find_element(By.LINK_TEXT, "下载八有整改工作方案（Word）").click()
    plan = wait_for_download(browser.downloads)  # type: ignore[attr-defined]
    assert plan.name == "青山镇鑫源食品厂工会八有整改工作方案.docx"
    text = "\n".join(p.text for p in docx.Document(str(plan)).paragraphs)
    assert "整改工作方案" in text and "青山镇鑫源食品厂工会" in text
