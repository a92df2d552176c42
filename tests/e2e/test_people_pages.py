"""What people missed on the pages, in headless Chromium on a 360×740 phone and a
1366×900 PC: the case page names its child and village (a short reference beside, never
a UUID alone), and a child director finds the children whose ledger row had no
coordinates and adds one's home from a phone map's GCJ-02 reading, then reads the new
distance to water. The registry and gateway are their real apps on real HTTP ports.
Every page fits its screen (no sideways scroll) and shows no raw code or bare id."""

from __future__ import annotations

import re
import sys
import threading
from datetime import date
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
from peers import DIRECTOR_ID, Served, registry  # noqa: E402

from infra.broker import free_port  # noqa: E402
from services.gateway.adapters.forwarding import Forwarder  # noqa: E402
from services.gateway.entrypoints.api import create_app  # noqa: E402
from services.gateway.field.entrypoints.case_pages import short_ref  # noqa: E402
from services.registry.service_layer.children import register_child  # noqa: E402
from services.registry.service_layer.commands import RegisterChild  # noqa: E402
from services.registry.service_layer.context import Actor  # noqa: E402
from shared.auth import Principal, Role  # noqa: E402
from shared.auth.flask import COOKIE  # noqa: E402
from shared.geo import wgs84_to_gcj02  # noqa: E402
from shared.testing.fixtures import eventually  # noqa: E402
from tests.e2e.phone import chromium_phone  # noqa: E402
from tests.integration.registry.reg_helpers import VILLAGE, child_body  # noqa: E402

MISSING = [p for p in ("/usr/bin/chromium", "/usr/bin/chromedriver") if not Path(p).exists()]
pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(bool(MISSING), reason=f"{' and '.join(MISSING)} missing")]
RAW = re.compile(r"\b[a-z]+_[a-z_]+\b|\b(?:gcj02|wgs84|high|medium|low)\b")
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


@pytest.fixture(scope="module")
def apps(tmp_path_factory):
    """(gateway address, case id, id of the child without a home)."""
    tmp = tmp_path_factory.mktemp("people")
    reg = registry(f"sqlite:///{tmp / 'registry.db'}")
    from services.registry.entrypoints.api import create_app as registry_app

    peer = Served(registry_app(reg))
    app = create_app(gateway(f"sqlite:///{tmp / 'gw.db'}"),
                     registry=Forwarder("registry", peer.url))
    port = free_port()
    server = make_server("127.0.0.1", port, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    admin = {"Authorization": "Bearer " + KEYS.issue(Principal("a", Role.STATION_ADMIN,
                                                               TOWNSHIP))}
    child = requests.post(peer.url + "/children", json=child_body(name="页面儿童"),
                          headers=admin, timeout=10).json()
    case = requests.post(peer.url + "/cases", headers=admin, timeout=10, json={
        "child_id": child["id"], "situation": "guardian_incapable"}).json()
    unplaced = register_child(reg.uow(), RegisterChild(
        name="缺坐标儿童", gender="male", birth_date=date(2015, 3, 1), village_code=VILLAGE,
        home_lon=None, home_lat=None), Actor(Principal("a", Role.STATION_ADMIN, TOWNSHIP)),
        reg.policy)
    yield f"http://127.0.0.1:{port}", case["id"], unplaced.id
    server.shutdown()
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
    phone, pc = chromium_phone(), _pc()
    for driver, principal in (
            (phone, Principal(DIRECTOR_ID, Role.CHILD_DIRECTOR, TOWNSHIP, frozenset({VILLAGE}))),
            (pc, Principal("supervisor-1", Role.CHILD_SUPERVISOR, TOWNSHIP))):
        driver.get(apps[0] + "/healthz")
        driver.add_cookie({"name": COOKIE, "value": KEYS.issue(principal), "path": "/"})
    yield phone, pc
    phone.quit()
    pc.quit()


def _fits(driver, shot: Path) -> str:  # type: ignore[no-untyped-def]
    """The page fits sideways, shows no code or bare id; its text (and a screenshot)."""
    width = driver.execute_script("return document.documentElement.clientWidth")
    assert driver.execute_script("return document.documentElement.scrollWidth") <= width
    text = driver.find_element(By.TAG_NAME, "main").text
    assert not RAW.findall(text), RAW.findall(text)
    assert not UUID.search(text), UUID.search(text)
    driver.save_screenshot(str(shot))
    return text


def test_the_case_page_names_its_child_on_both_screens(apps, browsers, tmp_path):
    base, case_id, _ = apps
    for driver, name in zip(browsers, ("phone", "pc"), strict=True):
        driver.get(f"{base}/cases/{case_id}")
        text = _fits(driver, tmp_path / f"case-{name}.png")
        assert driver.find_element(By.TAG_NAME, "h1").text == "页面儿童的个案"
        about = driver.find_element(By.ID, "about")
        assert "页面儿童" in about.text and "崇恩村" in about.text
        assert short_ref(case_id) in about.text
        link = about.find_element(By.LINK_TEXT, "页面儿童")
        assert link.is_displayed() and link.size["height"] > 0
        assert "监护人无力监护" in text


def test_a_director_adds_a_home_to_a_child_without_coordinates(apps, browsers, tmp_path):
    base, _, child_id = apps
    phone, pc = browsers
    pc.get(f"{base}/children/without-home")
    assert "缺坐标儿童" in _fits(pc, tmp_path / "without-home-pc.png")
    phone.get(f"{base}/visits?days=90")
    phone.find_element(By.PARTIAL_LINK_TEXT, "没有坐标的儿童").click()
    listed = _fits(phone, tmp_path / "without-home-phone.png")
    assert "缺坐标儿童 · 崇恩村" in listed and "离水距离未知" in listed
    phone.find_element(By.LINK_TEXT, "补充家庭位置").click()
    assert phone.current_url.startswith(f"{base}/children/{child_id}/home")
    _fits(phone, tmp_path / "home-form-phone.png")
    assert Select(phone.find_element(By.ID, "datum")).first_selected_option.text.startswith(
        "高德")
    lon, lat = wgs84_to_gcj02(106.6512, 28.9505)
    phone.find_element(By.ID, "lon").send_keys(f"{lon:.6f}")
    phone.find_element(By.ID, "lat").send_keys(f"{lat:.6f}")
    phone.find_element(By.CSS_SELECTOR, "#home button").click()
    eventually(lambda: "saved=1" in phone.current_url, 20, message="the home saved")
    said = _fits(phone, tmp_path / "home-saved-phone.png")
    assert phone.find_element(By.TAG_NAME, "h1").text.startswith("缺坐标儿童的家庭位置已保存：")
    assert "返回没有坐标的儿童" in said
    phone.find_element(By.LINK_TEXT, "返回没有坐标的儿童").click()
    assert "缺坐标儿童" not in _fits(phone, tmp_path / "without-home-empty.png")
