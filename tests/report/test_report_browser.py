"""report.html in a real browser: headless Chromium (Debian's chromium + chromium-driver) via Selenium.

Needs /usr/bin/chromium and /usr/bin/chromedriver; never downloads a browser. Without them the
test fails: install with `apt-get install -y chromium chromium-driver`.
"""
from __future__ import annotations

import base64
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.print_page_options import PrintOptions
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



A4_CONTENT_WIDTH = 710  # CSS px: 210 mm less the page's 11 mm side margins (@page in _style.css)


def pages_printed(driver: WebDriver, url: str) -> int:
    """Pages of the PDF Chromium prints the page to, on A4."""
    driver.get(url)
    options = PrintOptions()
    options.page_width, options.page_height, options.background = 21.0, 29.7, True
    pdf = base64.b64decode(driver.print_page(options))
    return len(re.findall(rb"/Type\s*/Page[^s]", pdf))


def test_the_ranking_fits_the_width_of_a_printed_a4_page(browser, report):
    """Printed, the ranking kept its last column (失分项) and repeats its header on every page."""
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {"width": A4_CONTENT_WIDTH, "height": 1000, "deviceScaleFactor": 1, "mobile": False})
    try:
        browser.get(report.as_uri())
        last = browser.find_element(By.CSS_SELECTOR, "table.ranking thead tr:first-child th:last-child")
        assert last.text == "失分项"
        width = browser.execute_script("return document.documentElement.clientWidth")
        assert browser.execute_script("return arguments[0].getBoundingClientRect().right", last) <= width + 0.5
        assert browser.execute_script("return document.documentElement.scrollWidth") <= width
        assert browser.execute_script("return getComputedStyle(document.querySelector('table.ranking thead')).display") == "table-header-group"
        assert not browser.find_element(By.CSS_SELECTOR, "nav").is_displayed()
    finally:
        browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
        browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})


def test_pages_print_on_few_a4_pages(browser, report):
    """QS-016's page printed to 23 pages (every gap in full width, the 机关 standard that does not apply to it
    with its 18 steps); the county page keeps each standard to one page."""
    assert pages_printed(browser, (report.parent / "unions" / "QS-016.html").as_uri()) <= 11
    assert pages_printed(browser, report.as_uri()) <= 7
