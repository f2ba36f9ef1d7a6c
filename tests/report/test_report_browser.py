"""report.html in a real browser: headless Chromium (Debian's chromium + chromium-driver) via Selenium.

Needs /usr/bin/chromium and /usr/bin/chromedriver; never downloads a browser. Without them the
test fails: install with `apt-get install -y chromium chromium-driver`.
"""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver

from engine import assess, load_fact_file, resolve_rulesets
from engine.atomic import write_text
from engine.plan.planner import next_level_plans
from engine.report.county import CountyStats
from engine.report.county_report import county_report
from engine.report.union_page import union_file_stem, union_report_html, union_view

REPO = Path(__file__).resolve().parents[2]
CHROMIUM, CHROMEDRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")
UNIONS = ["QS-001", "QS-016", "QS-017", "QS-028"]


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory, durable) -> Path:
    """An output folder as a batch writes it: report.html and unions/<stem>.html, from real records."""
    folder = tmp_path_factory.mktemp("county")
    rulesets = resolve_rulesets()
    stats = CountyStats([r.id for r in rulesets], {r.id: r.name for r in rulesets}, ["bayou"],
                        {r.id: [level.name for level in r.levels] for r in rulesets})
    for union_id in UNIONS:
        assessment = assess(rulesets, load_fact_file(REPO / "facts" / "qingshan" / f"{union_id}.yaml"), durable)
        stats.add(assessment.fact_file.union, assessment.as_of.isoformat(), list(assessment.results.values()))
        page = union_report_html(union_view(assessment, next_level_plans(rulesets, assessment, durable)))
        write_text(folder / "unions" / f"{union_file_stem(union_id)}.html", page)
    write_text(folder / "report.html", county_report(stats, "青山县 2025 年度基层工会考核评价汇总"))
    return folder / "report.html"


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebDriver]:
    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not p.exists()]
    if missing:
        pytest.fail(f"缺少 {', '.join(missing)}：请安装 apt 包 chromium chromium-driver", pytrace=False)
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--disable-background-networking", "--disable-component-update", "--no-first-run",
                     "--window-size=1280,1000", f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    yield driver
    driver.quit()


def severe(driver: WebDriver) -> list[dict]:
    return [entry for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]


def test_report_opens_without_console_errors(browser, report):
    browser.get(report.as_uri())
    assert browser.title == "青山县 2025 年度基层工会考核评价汇总"
    assert severe(browser) == []


def test_report_shows_the_level_counts(browser, report):
    browser.get(report.as_uri())
    table = browser.find_element(By.CSS_SELECTOR, 'table.levels[data-ruleset="bayou"]')
    assert table.is_displayed()
    header = [cell.text for cell in table.find_elements(By.CSS_SELECTOR, "thead th")]
    assert header[:4] == ["乡镇（街道）", "达标", "基本达标", "不达标"]
    total = table.find_elements(By.CSS_SELECTOR, "tr.total td")
    assert total[0].text == "全县" and total[-1].text == str(len(UNIONS))
    assert sum(int(cell.text) for cell in total[1:-1]) == len(UNIONS)
    assert browser.find_element(By.ID, "assessed").text == str(len(UNIONS))


def test_clicking_a_union_opens_its_report(browser, report):
    browser.get(report.as_uri())
    link = browser.find_element(By.CSS_SELECTOR, 'a.union[href="unions/QS-016.html"]')
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", link)
    link.click()
    assert browser.current_url.endswith("/unions/QS-016.html")
    assert "青山镇鑫源食品厂工会" in browser.title
    assert browser.find_element(By.TAG_NAME, "h1").text.startswith("青山镇鑫源食品厂工会")
    assert severe(browser) == []
    browser.find_element(By.LINK_TEXT, "← 返回全县汇总").click()
    assert browser.current_url == report.as_uri()

