"""A union's self-check in a real browser: headless Chromium (Debian's chromium + chromium-driver) via Selenium,
against the service running in a thread of this test on the test database (the demo county).

The server shares the test's database connection, so the browser sees the demo data and everything it
saves is rolled back with the test. Screenshots of the form and the result at desktop and phone widths
go to /tmp/service-shots/ (outside the repository) for people to look at.
"""
from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import docx
import pytest
import yaml
from click.testing import CliRunner
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections, connections
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.select import Select
from selenium.webdriver.support.wait import WebDriverWait

from cli import cli
from service.demo import DEMO_PASSWORD
from service.models import Entry, Round
from service.result_page import level_text, number

REPO = Path(__file__).resolve().parents[2]
CHROMIUM, CHROMEDRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")
SHOTS = Path("/tmp/service-shots")
DESKTOP, PHONE = (1280, 900), (390, 844)
EDITS = {"survey.satisfaction": "92%", "rules.audit": "adopted", "publicity.updates_by_quarter": [1, 1, 0, 1]}


class Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def server(county: Round) -> Iterator[str]:
    """The service on a free port, one request at a time, on the test's own connection (so the test's
    transaction holds the demo county and rolls back whatever the browser saves)."""
    shared = connections["default"]
    shared.inc_thread_sharing()
    for signal in (signals.request_started, signals.request_finished):  # as Django's test client does
        signal.disconnect(close_old_connections)
    httpd = make_server("127.0.0.1", 0, WSGIHandler(), server_class=WSGIServer, handler_class=Quiet)

    def serve() -> None:
        connections["default"] = shared
        httpd.serve_forever(poll_interval=0.05)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()
    thread.join()
    httpd.server_close()
    for signal in (signals.request_started, signals.request_finished):
        signal.connect(close_old_connections)
    shared.dec_thread_sharing()


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[WebDriver]:
    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not p.exists()]
    if missing:
        pytest.fail(f"缺少 {', '.join(missing)}：请安装 apt 包 chromium chromium-driver", pytrace=False)
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--lang=zh-CN",
                     "--disable-background-networking", "--disable-component-update", "--no-first-run",
                     f"--window-size={DESKTOP[0]},{DESKTOP[1]}", f"--user-data-dir={tmp_path / 'profile'}"):
        options.add_argument(argument)
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    options.add_experimental_option("prefs", {"download.default_directory": str(downloads), "download.prompt_for_download": False})
    chinese = os.environ | {"LANGUAGE": "zh_CN:zh", "LANG": "C.UTF-8"}  # Chromium on Linux takes its locale (dates) from here
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER), env=chinese), options=options)
    driver.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)})
    driver.downloads = downloads  # type: ignore[attr-defined]
    yield driver
    driver.quit()


def shot(driver: WebDriver, name: str, width: int, mobile: bool = False) -> None:
    """A screenshot of the viewport at `width` CSS pixels (a phone: 390 wide, twice as dense, as WeChat shows it)."""
    height = PHONE[1] if mobile else DESKTOP[1]
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": width, "height": height, "deviceScaleFactor": 2 if mobile else 1, "mobile": mobile})
    SHOTS.mkdir(exist_ok=True)
    driver.save_screenshot(str(SHOTS / f"{name}.png"))


def scroll_to(driver: WebDriver, css: str) -> None:
    driver.execute_script("document.querySelector(arguments[0]).scrollIntoView({block: 'start'}); window.scrollBy(0, -8);", css)


def type_into(driver: WebDriver, name: str, text: str, index: int = 0) -> None:
    field = driver.find_elements(By.NAME, name)[index]
    field.clear()
    field.send_keys(text)


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


def wait_for_download(folder: Path) -> Path:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        done = [p for p in folder.iterdir() if p.suffix == ".docx"]
        if done:
            return done[0]
        time.sleep(0.1)
    raise AssertionError(f"没有下载到文件：{[p.name for p in folder.iterdir()]}")


def test_a_union_fills_in_saves_submits_and_downloads_its_plan(server: str, browser: WebDriver, county: Round, tmp_path: Path) -> None:
    browser.get(f"{server}/login/")
    browser.find_element(By.NAME, "username").send_keys("qs-016")
    browser.find_element(By.NAME, "password").send_keys(DEMO_PASSWORD)
    browser.find_element(By.CSS_SELECTOR, "main button[type=submit]").click()
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
