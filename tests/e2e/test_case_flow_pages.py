"""A case through the five steps on its pages, in headless Chromium: a child director
on a phone (360×740) opens an urgent case, is offered no way past emergency handling,
cannot leave it before its checklist is ticked, then asks for approval to move on; a
supervisor at a PC (1366×900) finds the request in the inbox, returns it with a note,
and approves the next request; the director reads the return in the inbox and on the
case. The registry, notifier and gateway are their real apps on real HTTP ports; the
registry's CloudEvents reach the notifier by hand (``relay``: the Kafka hop is the
stack tests' part). Every page fits its screen and shows no raw code."""

from __future__ import annotations

import re
import sys
import threading
from pathlib import Path

import pytest
import requests
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select
from werkzeug.serving import make_server

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "integration" / "gateway"))

from gw_helpers import KEYS, TOWNSHIP, gateway  # noqa: E402
from peers import DIRECTOR_ID, Served, notifier, registry, relay  # noqa: E402

from infra.broker import free_port  # noqa: E402
from services.gateway.adapters.forwarding import Forwarder  # noqa: E402
from services.gateway.entrypoints.api import create_app  # noqa: E402
from shared.auth import Principal, Role  # noqa: E402
from shared.auth.flask import COOKIE  # noqa: E402
from shared.testing.fixtures import eventually  # noqa: E402
from tests.e2e.phone import chromium_phone  # noqa: E402
from tests.integration.registry.reg_helpers import VILLAGE, child_body  # noqa: E402

pytestmark = pytest.mark.browser
SUPERVISOR_ID = "supervisor-1"
DIRECTORY = f"""people:
  - {{person_id: village-director, role: child_director, scope_code: "{VILLAGE}",
     user_id: {DIRECTOR_ID}, contacts: {{}}}}
  - {{person_id: township-supervisor, role: child_supervisor, scope_code: "{TOWNSHIP}",
     user_id: {SUPERVISOR_ID}, contacts: {{}}}}
"""
RAW = re.compile(r"\b[a-z]+_[a-z_]+\b|\b(?:assessment|assistance|emergency|monitoring)\b")


@pytest.fixture(scope="module")
def apps(tmp_path_factory, request):
    tmp = tmp_path_factory.mktemp("flow")
    monkeypatch = pytest.MonkeyPatch()
    request.addfinalizer(monkeypatch.undo)
    reg, ntf = registry(f"sqlite:///{tmp / 'registry.db'}"), notifier(tmp, monkeypatch,
                                                                      DIRECTORY, awake=True)
    from services.notifier.entrypoints.api import create_app as notifier_app
    from services.registry.entrypoints.api import create_app as registry_app

    peers = Served(registry_app(reg)), Served(notifier_app(ntf))
    app = create_app(gateway(f"sqlite:///{tmp / 'gw.db'}"),
                     registry=Forwarder("registry", peers[0].url),
                     notifier=Forwarder("notifier", peers[1].url))
    port = free_port()
    server = make_server("127.0.0.1", port, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    admin = {"Authorization": "Bearer " + KEYS.issue(Principal("a", Role.STATION_ADMIN,
                                                               TOWNSHIP))}
    made = requests.post(peers[0].url + "/children", json=child_body(), headers=admin,
                         timeout=10)
    made.raise_for_status()
    yield f"http://127.0.0.1:{port}", made.json()["id"], reg, ntf
    server.shutdown()
    for peer in peers:
        peer.stop()


def _pc() -> webdriver.Chrome:
    opts = webdriver.ChromeOptions()
    opts.binary_location = "/usr/bin/chromium"
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu",
                "--disable-background-networking", "--window-size=1366,900"):
        opts.add_argument(arg)
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=opts)
    driver.set_page_load_timeout(30)
    return driver


@pytest.fixture(scope="module")
def browsers(apps):
    base = apps[0]
    phone, pc = chromium_phone(), _pc()
    for driver, principal in (
            (phone, Principal(DIRECTOR_ID, Role.CHILD_DIRECTOR, TOWNSHIP, frozenset({VILLAGE}))),
            (pc, Principal(SUPERVISOR_ID, Role.CHILD_SUPERVISOR, TOWNSHIP))):
        driver.get(base + "/healthz")
        driver.add_cookie({"name": COOKIE, "value": KEYS.issue(principal), "path": "/"})
    yield phone, pc
    phone.quit()
    pc.quit()


def _fits(driver) -> None:  # type: ignore[no-untyped-def]
    """Nothing runs off the screen sideways, and no code shows instead of a word."""
    width = driver.execute_script("return document.documentElement.clientWidth")
    assert driver.execute_script("return document.documentElement.scrollWidth") <= width
    text = driver.find_element(By.TAG_NAME, "main").text
    assert not RAW.findall(text), RAW.findall(text)


def _offered(driver) -> list[str]:  # type: ignore[no-untyped-def]
    return [e.text.strip() for e in driver.find_elements(By.CSS_SELECTOR, "#move label")
            if e.find_elements(By.CSS_SELECTOR, "input[type=radio]")]


def _choose(driver, step: str) -> None:  # type: ignore[no-untyped-def]
    label = next(e for e in driver.find_elements(By.CSS_SELECTOR, "#move label")
                 if e.text.strip().startswith(step))
    label.click()


def _send(driver, form: str, result: str,  # type: ignore[no-untyped-def]
          button: str = "button") -> None:
    driver.find_element(By.CSS_SELECTOR, f"#{form} {button}").click()
    eventually(lambda: re.search(result, driver.current_url), 20, message=result)


def _msg(driver) -> str:  # type: ignore[no-untyped-def]
    return driver.find_element(By.CSS_SELECTOR, ".msg").text


def _inbox_link(driver, base: str, subject: str) -> str:  # type: ignore[no-untyped-def]
    driver.get(base + "/inbox")
    item = next((i for i in driver.find_elements(By.CSS_SELECTOR, ".item")
                 if subject in i.text), None)
    assert item is not None, driver.find_element(By.TAG_NAME, "main").text
    return item.find_element(By.PARTIAL_LINK_TEXT, "查看记录").get_attribute("href")


def test_a_case_moves_through_its_steps_with_a_supervisors_approval(apps, browsers):
    base, child_id, reg, ntf = apps
    phone, pc = browsers
    phone.get(f"{base}/children/{child_id}/cases/new")
    Select(phone.find_element(By.ID, "situation")).select_by_value("living_alone")
    phone.find_element(By.CSS_SELECTOR, "form button").click()
    eventually(lambda: "opened=1" in phone.current_url, 20, message="the case opened")
    case_url = phone.current_url.split("?")[0]
    assert phone.find_element(By.ID, "step").text == "发现报告"
    assert _offered(phone) == ["应急处置", "已结案（需督导审批）"]  # no way past emergency
    _fits(phone)

    _choose(phone, "应急处置")
    _send(phone, "move", r"done=moved")
    assert phone.find_element(By.ID, "step").text == "应急处置"
    _choose(phone, "评估")
    _send(phone, "move", r"/steps")  # the checklist is not ticked: the case says so
    assert _msg(phone) == "应急处置事项尚未全部完成，请勾选已完成的事项。"
    for box in phone.find_elements(By.CSS_SELECTOR, "#move input[type=checkbox]"):
        box.click()
    _choose(phone, "评估")
    _send(phone, "move", r"done=moved")
    assert phone.find_element(By.ID, "step").text == "评估"
    _fits(phone)

    _choose(phone, "帮扶")
    assert "帮扶（需督导审批）" in _offered(phone)
    phone.find_element(By.ID, "note").send_keys("评估完成，建议帮扶")
    _send(phone, "move", r"done=asked")
    assert _msg(phone) == "已提交审批，督导会在收件箱收到。"
    assert phone.find_element(By.ID, "waiting").text.startswith("等待督导审批：转入“帮扶”")
    assert not phone.find_elements(By.ID, "move")

    assert relay(reg, ntf) >= 1
    link = _inbox_link(pc, base, "个案待审批：帮扶")
    assert link.split("?")[0] == case_url
    pc.get(link)
    _fits(pc)
    _send(pc, "decide", r"/decision", "button[value=return]")
    assert _msg(pc) == "退回需填写说明。"
    pc.find_element(By.ID, "note").send_keys("请补充家访记录")
    _send(pc, "decide", r"done=returned", "button[value=return]")
    assert pc.find_element(By.ID, "step").text == "评估"

    relay(reg, ntf)
    phone.get(_inbox_link(phone, base, "个案审批已退回：帮扶"))
    assert phone.find_element(By.ID, "returned").text == "督导退回：请补充家访记录"
    _choose(phone, "帮扶")
    _send(phone, "move", r"done=asked")
    relay(reg, ntf)
    pc.get(_inbox_link(pc, base, "个案待审批：帮扶"))
    _send(pc, "decide", r"done=approved", "button[value=approve]")
    assert pc.find_element(By.ID, "step").text == "帮扶"
    history = pc.find_element(By.ID, "history").text
    assert "帮扶 · " in history and "督导已批准" in history
    _fits(pc)
    phone.get(case_url)
    assert phone.find_element(By.ID, "step").text == "帮扶"
    _fits(phone)
