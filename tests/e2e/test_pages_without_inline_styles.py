"""The map and the dashboard under a CSP without 'unsafe-inline' for styles, in headless
Chromium at 360 px and 1366 px: nothing blocked in the console and the maps still draw
(first visit with the stylesheets inline by hash, later visits linked). The gateway runs
in-process on a real HTTP port."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import requests
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "integration" / "gateway"))

from gw_helpers import KEYS, TOWNSHIP, apply, gateway, township_events  # noqa: E402
from peers import Served  # noqa: E402

from services.gateway.entrypoints.api import create_app  # noqa: E402
from services.gateway.entrypoints.map_page import ASSETS_COOKIE  # noqa: E402
from shared.auth import Principal, Role  # noqa: E402
from shared.testing.fixtures import eventually  # noqa: E402

pytestmark = pytest.mark.browser
# pixels the phone map's canvas renderer painted (hazards, points, homes)
PAINTED = """var n = 0; document.querySelectorAll('.leaflet-overlay-pane canvas').forEach(c => {
  var d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  for (var i = 3; i < d.length; i += 4) if (d[i]) n++; }); return n;"""
TOKEN = KEYS.issue(Principal("staff-1", Role.STATION_ADMIN, TOWNSHIP, frozenset()))


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    gw = gateway(f"sqlite:///{tmp_path_factory.mktemp('gw') / 'gw.db'}")
    apply(gw, township_events())
    app = Served(create_app(gw))
    yield app
    app.server.shutdown()


@pytest.fixture(scope="module", params=[360, 1366], ids=["360px", "1366px"])
def browser(request, served):
    opts = webdriver.ChromeOptions()
    opts.binary_location = "/usr/bin/chromium"
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu",
                "--disable-background-networking", f"--window-size={request.param},900"):
        opts.add_argument(arg)
    if request.param == 360:
        opts.add_experimental_option("mobileEmulation", {
            "deviceMetrics": {"width": 360, "height": 740, "pixelRatio": 2}})
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=opts)
    driver.set_page_load_timeout(30)
    driver.get(served.url + "/healthz")
    driver.add_cookie({"name": "shouhu_token", "value": TOKEN, "path": "/"})
    yield driver
    driver.quit()


def _blocked(driver) -> list[str]:  # type: ignore[no-untyped-def]
    return [e["message"] for e in driver.get_log("browser")
            if "Content Security Policy" in e["message"] or "inline style" in e["message"]]


@pytest.mark.parametrize("path", ["/map?lang=en", "/dashboard?lang=en"])
def test_the_policy_allows_no_inline_style(served, path):
    resp = requests.get(served.url + path, cookies={"shouhu_token": TOKEN}, timeout=60)
    policy = resp.headers["Content-Security-Policy"]
    assert resp.ok and "'unsafe-inline'" not in policy
    assert "style-src 'self'" in policy
    assert 'style="' not in resp.text.split("srcdoc=")[0]  # the page's own markup


def test_the_map_draws_with_nothing_blocked_first_and_later(served, browser):
    browser.delete_cookie(ASSETS_COOKIE)
    browser.get_log("browser")  # drop what earlier pages logged
    for visit in ("first", "later"):
        browser.get(served.url + "/map?lang=en")
        eventually(lambda: browser.execute_script("return !!window.shouhuReadyAt"), 15,
                   message=f"the map script ran on the {visit} visit")
        assert browser.execute_script(PAINTED) > 100, "the layers are painted on the canvas"
        position = browser.execute_script(  # Leaflet's stylesheet was applied
            "return getComputedStyle(document.querySelector('.leaflet-pane')).position")
        assert position == "absolute", visit
        assert not _blocked(browser), visit


def test_the_dashboard_and_its_map_draw_with_nothing_blocked(served, browser):
    browser.get_log("browser")
    browser.get(served.url + "/dashboard?lang=en")
    bars = browser.find_elements(By.CSS_SELECTOR, "svg.bar")
    assert bars and max(b.size["width"] for b in bars) > 20, "bars drawn to size"
    swatch = browser.find_element(By.CSS_SELECTOR, ".legend svg")
    assert 8 <= swatch.size["width"] <= 20, "the legend's swatches are sized by the CSS file"
    font = browser.execute_script("return getComputedStyle(document.body).maxWidth")
    assert font != "none", "dashboard.css applied"
    browser.switch_to.frame(browser.find_element(By.ID, "dashboard-map"))
    try:
        eventually(lambda: len(browser.find_elements(
            By.CSS_SELECTOR, ".leaflet-overlay-pane path")) > 10, 15,
            message="the dashboard's map drew its layers")
        height = browser.execute_script(
            "return document.querySelector('.folium-map').getBoundingClientRect().height")
        assert height > 100, "folium's stylesheets (allowed by hash) sized the map"
    finally:
        browser.switch_to.default_content()
    assert not _blocked(browser)
