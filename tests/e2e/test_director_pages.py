"""A child director on a phone (headless Chromium, 360×740) with the whole stack as
``shouhu up`` runs it (the ``stack`` fixture): opens the list of children due signed out
and is sent through the login form back to it, records a home visit (reloading the
confirmation records nothing more), opens a case for the child, then sees the case's
alert arrive in the inbox (registry → Kafka → notifier) and acknowledges it. Each form
answers 303 to the page that shows its result. No script runs on these pages, and the
CSP blocks nothing they need."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from shared.testing.fixtures import eventually
from tests.e2e.phone import chromium_phone

VILLAGE = "500110120201"
PASSWORD = "visits every week 2026"
MISSING = [p for p in ("/usr/bin/chromium", "/usr/bin/chromedriver") if not Path(p).exists()]

pytestmark = [
    pytest.mark.browser, pytest.mark.slow,
    pytest.mark.skipif(bool(MISSING), reason=f"{' and '.join(MISSING)} missing"),
]


@pytest.fixture(scope="module")
def director(stack) -> str:
    """A child director's account, whose inbox the notifier's directory feeds."""
    out = subprocess.run(
        [sys.executable, "-m", "infra.cli", "users", "add", "director.pages", "--role",
         "child_director", "--township", "500110120", "--village", VILLAGE],
        env={**stack.env(), "SHOUHU_NEW_PASSWORD": PASSWORD}, check=True,
        capture_output=True, text=True, timeout=60).stdout
    user_id = re.search(r"id=(\S+)", out).group(1)
    admin = {"Authorization": f"Bearer {stack.token()}"}
    requests.post(f"{stack.url('gateway')}/api/users/{user_id}/background-checks",
                  headers=admin, timeout=10, json={  # a director meets children: checked
                      "checked_on": date.today().isoformat(), "result": "clear"}
                  ).raise_for_status()
    requests.put(stack.url("notifier") + "/directory/pages-director", headers=admin, timeout=10,
                 json={"role": "child_director", "scope_code": VILLAGE, "user_id": user_id,
                       "lang": "zh", "contacts": {}}).raise_for_status()
    requests.post(stack.url("registry") + "/children", headers=admin, timeout=10, json={
        "name": "页面测试", "gender": "female", "birth_date": "2016-05-01",
        "village_code": VILLAGE, "home": {"lon": 106.651, "lat": 28.951},
    }).raise_for_status()
    return user_id


@pytest.fixture(scope="module")
def phone():
    driver = chromium_phone()
    yield driver
    driver.quit()


def _h1(driver) -> str:  # type: ignore[no-untyped-def]
    return driver.find_element(By.TAG_NAME, "h1").text


def _click(driver, css: str) -> None:  # type: ignore[no-untyped-def]
    driver.find_element(By.CSS_SELECTOR, css).click()


def _address(driver) -> str:  # type: ignore[no-untyped-def]
    url = urlsplit(driver.current_url)
    return url.path + (f"?{url.query}" if url.query else "")


def _submit(driver, result: str) -> None:  # type: ignore[no-untyped-def]
    """Send the page's form and wait for the page its 303 leads to (``result``, a
    pattern of the path and query)."""
    _click(driver, "form button")
    eventually(lambda: re.fullmatch(result, _address(driver)), 20,
               message=f"the form's result at {result}")


def _visits(stack, child_id: str) -> list:  # type: ignore[no-untyped-def]
    resp = requests.get(f"{stack.url('registry')}/children/{child_id}/visits", timeout=10,
                        headers={"Authorization": f"Bearer {stack.token()}"})
    resp.raise_for_status()
    return resp.json()


def test_a_director_records_a_visit_opens_a_case_and_acknowledges_its_alert(
        stack, director, phone):
    gw = stack.url("gateway")
    phone.get(gw + "/visits?days=90")  # signed out: on to the login form, and back
    assert _address(phone) == "/login?next=%2Fvisits%3Fdays%3D90"
    phone.find_element(By.NAME, "username").send_keys("director.pages")
    phone.find_element(By.NAME, "password").send_keys(PASSWORD)
    _click(phone, "button[type=submit]")
    eventually(lambda: _address(phone) == "/visits?days=90", 20,
               message="signed in, back on the list")
    phone.find_element(By.LINK_TEXT, "页面测试").click()

    assert _h1(phone) == "记录家访"
    child_id = urlsplit(phone.current_url).path.rsplit("/", 1)[1]
    phone.find_element(By.ID, "guardianship").send_keys("祖母照料，身体尚可")
    phone.find_element(By.ID, "home_safety").send_keys("屋后池塘无护栏")
    phone.find_element(By.ID, "next_steps").send_keys("下周联系村委会加装护栏")
    _submit(phone, rf"/children/{child_id}\?lang=zh&recorded=1")
    recorded = r"走访已记录。下次走访应于 \d{4}-\d\d-\d\d 前。"
    assert re.fullmatch(recorded, _h1(phone))
    phone.refresh()  # weak signal: the phone reloads the answer
    assert re.fullmatch(recorded, _h1(phone))
    assert len(_visits(stack, child_id)) == 1

    phone.find_element(By.PARTIAL_LINK_TEXT, "开个案").click()
    Select(phone.find_element(By.ID, "situation")).select_by_value("guardian_incapable")
    phone.find_element(By.ID, "note").send_keys("祖母住院，无人照料")
    _submit(phone, r"/cases/[0-9a-f-]{36}\?lang=zh&opened=1")
    assert phone.find_element(By.CSS_SELECTOR, ".msg").text == "个案已开。"
    assert "监护人无力监护" in phone.page_source and "联系父母或亲属" in phone.page_source

    def alert_arrived() -> bool:
        phone.get(gw + "/inbox")
        return bool(phone.find_elements(By.CSS_SELECTOR, ".item form button"))

    eventually(alert_arrived, 120, interval_s=2, message="the case's alert in the inbox")
    item = phone.find_element(By.CSS_SELECTOR, ".item")
    assert "监护人无力监护" in item.text and "紧急" in item.text
    item_id = item.get_attribute("id")
    item.find_element(By.CSS_SELECTOR, "form button").click()
    eventually(lambda: not phone.find_elements(By.CSS_SELECTOR, f"#{item_id} form"), 20,
               message="acknowledged, back on the inbox")
    assert _address(phone) == "/inbox?lang=zh"
    acked = phone.find_element(By.ID, item_id)
    assert acked.find_element(By.CSS_SELECTOR, ".done").text.startswith("✓ 已确认")
    assert not acked.find_elements(By.TAG_NAME, "form")
    problems = [e["message"] for e in phone.get_log("browser")
                if e["level"] == "SEVERE" and "favicon.ico" not in e["message"]]
    assert not problems, problems
