"""The dashboard's folium map in headless Chromium on a desktop screen: it draws with
nothing in the console (the CSP blocks none of its scripts, Leaflet loads from the
gateway) and its layer control lists every layer the caller's role may see. The gateway
runs in-process on a real HTTP port."""

from __future__ import annotations

import sys
import threading
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from werkzeug.serving import make_server

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "integration" / "gateway"))

from gw_helpers import KEYS, TOWNSHIP, apply, gateway, township_events  # noqa: E402

from infra.broker import free_port  # noqa: E402
from services.gateway.entrypoints.api import create_app  # noqa: E402
from services.gateway.planning.entrypoints.dashboard_map import LABELS  # noqa: E402
from shared.auth import Principal, Role  # noqa: E402
from shared.testing.fixtures import eventually  # noqa: E402

pytestmark = pytest.mark.browser
LAYERS = [LABELS["en"][k] for k in ("zones", "cells", "hazards", "lacking", "top", "points")]


@pytest.fixture(scope="module")
def base_url(tmp_path_factory):
    gw = gateway(f"sqlite:///{tmp_path_factory.mktemp('gw') / 'gw.db'}")
    apply(gw, township_events())
    port = free_port()
    server = make_server("127.0.0.1", port, create_app(gw), threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{port}"
    server.shutdown()


@pytest.fixture(scope="module")
def desktop(base_url):
    opts = webdriver.ChromeOptions()
    opts.binary_location = "/usr/bin/chromium"
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu",
                "--disable-background-networking", "--window-size=1280,900"):
        opts.add_argument(arg)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=opts)
    driver.set_page_load_timeout(30)
    driver.get(base_url + "/healthz")
    yield driver
    driver.quit()


def _sign_in(driver, base_url, role):  # type: ignore[no-untyped-def]
    driver.get(base_url + "/healthz")
    driver.delete_all_cookies()
    tok = KEYS.issue(Principal("staff-1", role, TOWNSHIP, frozenset()))
    driver.add_cookie({"name": "shouhu_token", "value": tok, "path": "/"})


@pytest.mark.parametrize("role", [Role.STATION_ADMIN, Role.PLANNER])
def test_the_dashboard_map_draws_its_layers_with_no_console_errors(base_url, desktop, role):
    _sign_in(desktop, base_url, role)
    desktop.get_log("browser")  # drop what earlier pages logged
    desktop.get(base_url + "/dashboard?lang=en")
    desktop.switch_to.frame(desktop.find_element(By.ID, "dashboard-map"))
    try:
        labels = eventually(lambda: [
            e.get_attribute("textContent").strip() for e in desktop.find_elements(
                By.CSS_SELECTOR, ".leaflet-control-layers-overlays label")], 15,
            message="the layer control is drawn")
        assert labels == LAYERS
        box = desktop.find_element(By.CSS_SELECTOR, ".leaflet-control-layers")
        whole = desktop.find_element(By.CSS_SELECTOR, ".folium-map")
        assert box.size["width"] * box.size["height"] < 0.02 * (
            whole.size["width"] * whole.size["height"]), "the layer box opens on a click"
        ticks = desktop.find_elements(By.CSS_SELECTOR, ".leaflet-control-layers-overlays input")
        shown = dict(zip(labels, (t.is_selected() for t in ticks), strict=True))
        assert not shown[LABELS["en"]["cells"]], "children's cells do not bury the hazards"
        drawn = desktop.find_elements(By.CSS_SELECTOR, ".leaflet-overlay-pane path")
        assert len(drawn) > 10, "hazards and points drawn as vectors"
        assert "child-" not in desktop.page_source
    finally:
        desktop.switch_to.default_content()
    logged = [e["message"] for e in desktop.get_log("browser")
              if e["level"] in ("SEVERE", "WARNING") and "favicon" not in e["message"]]
    assert not logged, logged
