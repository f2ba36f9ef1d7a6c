"""What the service's tests share besides fixtures: a signed-in test client, `assess` of the same facts, and
the helpers of the browser tests (conftest.py's `server` and `browser`): signing in and out, screenshots
at desktop and phone width, typing into the form, waiting for a download."""
from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import yaml
from click.testing import CliRunner
from django.test import Client
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.wait import WebDriverWait

from cli import cli
from service.demo import DEMO_PASSWORD
from service.models import Entry, User

CHROMIUM, CHROMEDRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")
SHOTS = Path("/tmp/service-shots")
DESKTOP, PHONE = (1280, 900), (390, 844)


def signed_in(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def assessed(entry: Entry, facts: dict[str, Any], tmp_path: Path) -> dict[str, Any]:
    """`unionscore assess --format json` of the same facts, as a fact file."""
    path = tmp_path / f"{entry.union.code}.yaml"
    document = {"union": entry.union.header(), "period": entry.round.year, "facts": facts}
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    done = CliRunner().invoke(cli, ["assess", "--format", "json", str(path)])
    assert done.exit_code == 0, done.output
    return json.loads(done.output)


# the browser ------------------------------------------------------------------------------------------
def sign_in(driver: WebDriver, server: str, username: str) -> None:
    """Sign in on the login page with the demo password (the page then goes where home sends the account)."""
    driver.get(f"{server}/login/")
    driver.find_element(By.NAME, "username").send_keys(username)
    driver.find_element(By.NAME, "password").send_keys(DEMO_PASSWORD)
    driver.find_element(By.CSS_SELECTOR, "main button[type=submit]").click()
    WebDriverWait(driver, 10).until(lambda d: d.find_elements(By.CSS_SELECTOR, "header .who small"))
    assert driver.find_element(By.CSS_SELECTOR, "header .who small").text == username


def sign_out(driver: WebDriver) -> None:
    """The top bar's 退出, back to no account."""
    driver.find_element(By.CSS_SELECTOR, "header form.inline button.link").click()
    WebDriverWait(driver, 10).until(lambda d: not d.find_elements(By.CSS_SELECTOR, "header .who"))


def at_width(driver: WebDriver, width: int, mobile: bool = False) -> None:
    """The viewport `width` CSS pixels wide (a phone: 390 wide, twice as dense, as WeChat shows it)."""
    height = PHONE[1] if mobile else DESKTOP[1]
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": width, "height": height, "deviceScaleFactor": 2 if mobile else 1, "mobile": mobile})


def shot(driver: WebDriver, name: str, width: int, mobile: bool = False) -> None:
    """A screenshot of the viewport at `width` CSS pixels, in SHOTS as name.png."""
    at_width(driver, width, mobile)
    SHOTS.mkdir(exist_ok=True)
    driver.save_screenshot(str(SHOTS / f"{name}.png"))


def shots(driver: WebDriver, name: str, css: str | None = None) -> None:
    """The page (scrolled to `css` if given) at desktop and phone width, as name-desktop.png and name-phone.png;
    left at desktop width."""
    for width, mobile, tail in ((DESKTOP[0], False, "desktop"), (PHONE[0], True, "phone")):
        at_width(driver, width, mobile)
        if css:
            scroll_to(driver, css)
        shot(driver, f"{name}-{tail}", width, mobile)
    at_width(driver, DESKTOP[0])


def scroll_to(driver: WebDriver, css: str) -> None:
    driver.execute_script("document.querySelector(arguments[0]).scrollIntoView({block: 'start'}); window.scrollBy(0, -8);", css)


def type_into(driver: WebDriver, name: str, text: str, index: int = 0) -> None:
    field = driver.find_elements(By.NAME, name)[index]
    field.clear()
    field.send_keys(text)


def wait_for_download(folder: Path, suffix: str = ".docx") -> Path:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        done = [p for p in folder.iterdir() if p.suffix == suffix]
        if done:
            return done[0]
        time.sleep(0.1)
    raise AssertionError(f"没有下载到文件：{[p.name for p in folder.iterdir()]}")
