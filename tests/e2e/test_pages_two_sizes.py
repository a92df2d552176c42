"""Every page of the phone and office, for every role that opens it, in headless Chromium
at 360×740 (a phone) and 1366×900 (a station PC), on the whole stack as ``shouhu up``
runs it: nothing runs off the screen, no text is cut off, no code (``living_alone``,
``pond``, ``high``) or English-only words show on a Chinese page, and nothing the page
loads answers 404 (the icon included). The sign-in page also says why in Chinese first."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

MISSING = [p for p in ("/usr/bin/chromium", "/usr/bin/chromedriver") if not Path(p).exists()]
pytestmark = [
    pytest.mark.browser, pytest.mark.slow,
    pytest.mark.skipif(bool(MISSING), reason=f"{' and '.join(MISSING)} missing"),
]
VILLAGE = "500110120201"
SIZES = {"phone": (360, 740, 2, True), "pc": (1366, 900, 1, False)}
# codes as the services speak them: never on a page in place of words
CODES = re.compile(r"\b([a-z]+_[a-z_]+|pond|river|ditch|barrier|warning_sign|high|medium|"
                   r"low|urgent|normal|emergency|assessment|monitoring|report)\b")
ALLOWED_LATIN = {"English", "Leaflet", "Shouhu", "m", "km", "ft", "mi", "OpenStreetMap"}
PAGES = {  # role → the pages it opens ({child} and {case}: seeded below)
    "patrol_member": ["/map", "/inbox"],
    "child_director": ["/map", "/visits?days=90", "/children/{child}",
                       "/children/{child}/cases/new", "/cases/{case}",
                       "/children/without-home", "/children/{child}/home", "/inbox"],
    "child_supervisor": ["/map", "/visits?days=90", "/children/without-home", "/inbox"],
    "station_admin": ["/map", "/visits?days=90", "/children/without-home", "/inbox"],
    "police_liaison": ["/map", "/inbox"],
    "planner": ["/map", "/inbox"],
}

# Visible text cut off: an element whose own text overflows a box that hides it, or
# that ends beyond the right edge of the screen; the page wider than the screen.
PROBLEMS = """
var out = [], W = document.documentElement.clientWidth;
if (document.documentElement.scrollWidth > W + 1) {
  out.push('page wider than the screen: ' + document.documentElement.scrollWidth + ' > ' + W);
}
var walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
while (walker.nextNode()) {
  var node = walker.currentNode, el = node.parentElement, text = node.textContent.trim();
  if (!text || !el || el.closest('script,style,.leaflet-tile-pane,[hidden]')) { continue; }
  var box = el.getBoundingClientRect(), css = getComputedStyle(el);
  if (!box.width || css.visibility === 'hidden' || css.display === 'none') { continue; }
  var range = document.createRange(); range.selectNodeContents(node);
  var r = range.getBoundingClientRect();
  if (r.width && r.right > W + 1) { out.push('runs off the screen: ' + text.slice(0, 40)); }
  if (css.overflowX !== 'visible' && el.scrollWidth > el.clientWidth + 1 &&
      css.textOverflow !== 'ellipsis') {
    out.push('cut off: ' + text.slice(0, 40));
  }
}
return out;"""
TEXTS = """
var out = [], walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
while (walker.nextNode()) {
  var el = walker.currentNode.parentElement, t = walker.currentNode.textContent.trim();
  if (t && el && !el.closest('script,style,[hidden]') && el.getClientRects().length) {
    out.push(t);
  }
}
return out;"""


@pytest.fixture(scope="module")
def accounts(stack) -> dict[str, tuple[str, str]]:
    out = subprocess.run([sys.executable, "-m", "infra.cli", "users", "demo"],
                         env=stack.env(), check=True, capture_output=True, text=True,
                         timeout=120).stdout
    return {p[1]: (p[0], p[2]) for p in (line.split() for line in out.splitlines())
            if len(p) >= 3}


@pytest.fixture(scope="module")
def seeded(stack) -> dict[str, str]:
    """A pond with its patrol point, a child in the directors' village and a case."""
    admin = {"Authorization": f"Bearer {stack.token()}"}
    reg, haz = stack.url("registry"), stack.url("hazards")
    requests.post(haz + "/hazards", headers=admin, timeout=10, json={
        "kind": "pond", "name": "页面塘", "village_code": VILLAGE,
        "geometry": {"type": "Polygon", "coordinates": [[[106.65, 28.95], [106.652, 28.95],
                                                         [106.652, 28.952], [106.65, 28.95]]]},
    }).raise_for_status()
    child = requests.post(reg + "/children", headers=admin, timeout=10, json={
        "name": "两屏测试", "gender": "male", "birth_date": "2015-03-01",
        "village_code": VILLAGE, "home": {"lon": 106.651, "lat": 28.951}}).json()["id"]
    case = requests.post(reg + "/cases", headers=admin, timeout=10, json={
        "child_id": child, "situation": "guardian_incapable", "note": "测试"}).json()
    return {"child": child, "case": case.get("id", "")}


@pytest.fixture(scope="module")
def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = "/usr/bin/chromium"
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--lang=zh-CN",
                "--disable-background-networking"):
        opts.add_argument(arg)
    opts.set_capability("goog:loggingPrefs", {"performance": "ALL"})
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=opts)
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()


def _size(driver, size: str) -> None:  # type: ignore[no-untyped-def]
    w, h, dpr, mobile = SIZES[size]
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": w, "height": h, "deviceScaleFactor": dpr, "mobile": mobile})


def _sign_in(driver, base: str, user: str, password: str) -> None:  # type: ignore[no-untyped-def]
    driver.delete_all_cookies()
    driver.get(base + "/login?next=/healthz")
    driver.find_element(By.NAME, "username").send_keys(user)
    driver.find_element(By.NAME, "password").send_keys(password)
    driver.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    try:
        WebDriverWait(driver, 30).until(lambda d: urlsplit(d.current_url).path == "/healthz")
    except TimeoutException:
        raise AssertionError(f"sign-in as {user}: {driver.current_url} "
                             f"{driver.find_element(By.TAG_NAME, 'body').text[:300]}") from None


def _failed_loads(driver) -> list[str]:  # type: ignore[no-untyped-def]
    found = []
    for entry in driver.get_log("performance"):
        msg = json.loads(entry["message"])["message"]
        if msg["method"] == "Network.responseReceived":
            resp = msg["params"]["response"]
            if resp["status"] >= 400:
                found.append(f"HTTP {resp['status']} {urlsplit(resp['url']).path}")
    return found


def _check(driver, where: str) -> list[str]:  # type: ignore[no-untyped-def]
    WebDriverWait(driver, 30).until(lambda d: d.execute_script(
        "return document.readyState === 'complete' && (!document.getElementById("
        "'shouhu-map') || !!window.shouhuReadyAt)"))
    found = [f"{where}: {p}" for p in driver.execute_script(PROBLEMS)]
    for text in driver.execute_script(TEXTS):
        if CODES.search(text):
            found.append(f"{where}: a code on the page: {text[:60]!r}")
        latin = re.findall(r"[A-Za-z]{2,}", text)
        if latin and not re.search(r"[\u4e00-\u9fff]", text) and \
                not set(latin) <= ALLOWED_LATIN and not re.fullmatch(r"[\d\s.:/\-–·+]+", text):
            found.append(f"{where}: English-only on a Chinese page: {text[:60]!r}")
    return found + [f"{where}: {f}" for f in _failed_loads(driver)]


def test_every_page_of_every_role_fits_both_screens_in_chinese(stack, accounts, seeded,
                                                               browser):
    base, problems = stack.url("gateway"), []
    browser.delete_all_cookies()
    for size in SIZES:
        _size(browser, size)
        browser.get(base + "/login")
        problems += _check(browser, f"{size} signed out /login")
    for role, pages in PAGES.items():  # one sign-in a role: sign-ins are rate limited
        _sign_in(browser, base, *accounts[role])
        browser.get_log("performance")  # the sign-in's own requests
        for size in SIZES:
            _size(browser, size)
            for page in pages:
                browser.get(base + page.format(**seeded))
                problems += _check(browser, f"{size} {role} {page}")
    assert not problems, "\n".join(problems)


def test_a_wrong_password_is_told_in_chinese_first_on_a_phone(stack, accounts, browser):
    _size(browser, "phone")
    browser.delete_all_cookies()
    browser.get(stack.url("gateway") + "/login")
    for name in ("username", "password"):
        box = browser.find_element(By.NAME, name)
        assert box.rect["x"] >= 0 and box.rect["x"] + box.rect["width"] <= 360, box.rect
    browser.find_element(By.NAME, "username").send_keys(accounts["planner"][0])
    browser.find_element(By.NAME, "password").send_keys("not the password at all")
    browser.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    said = WebDriverWait(browser, 20).until(
        lambda d: d.find_element(By.CSS_SELECTOR, "[role=alert]").text)
    assert said.startswith("用户名或密码错误"), said
