"""The patrol map in headless Chromium on a 360×740 phone screen: it loads with no tile
server (first visit with the assets inline, later visits linked, the CSP blocking
nothing), the zoom buttons leave the toolbar free, layers toggle, and a check-in made
offline is delivered once when the signal returns. The gateway runs in-process on a
real HTTP port; the hazards service is a small fake that records what it receives."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import requests
from flask import Flask, request
from selenium.webdriver.common.by import By

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "integration" / "gateway"))

from gw_helpers import KEYS, TOWNSHIP, apply, gateway, township_events  # noqa: E402
from peers import Served  # noqa: E402

from services.gateway.adapters.forwarding import Forwarder  # noqa: E402
from services.gateway.entrypoints.api import create_app  # noqa: E402
from services.gateway.entrypoints.map_page import ASSETS, ASSETS_COOKIE  # noqa: E402
from shared.auth import Principal, Role  # noqa: E402
from shared.testing.fixtures import eventually  # noqa: E402
from tests.e2e.phone import chromium_phone  # noqa: E402

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def services(tmp_path_factory):
    received: list[dict] = []
    fake = Flask("fake_hazards")

    @fake.post("/checkins")
    def checkins():  # type: ignore[no-untyped-def]
        batch = request.get_json()["checkins"]
        received.extend(batch)
        return {"results": [{"client_id": c["client_id"], "status": "created"} for c in batch]}

    hazards = Served(fake)
    gw = gateway(f"sqlite:///{tmp_path_factory.mktemp('gw') / 'gw.db'}")
    apply(gw, township_events())
    served = Served(create_app(gw, Forwarder("hazards", hazards.url)))
    yield served, received
    served.server.shutdown()
    hazards.server.shutdown()


@pytest.fixture(scope="module")
def phone(services):
    driver = chromium_phone()
    served, _ = services
    driver.get(served.url + "/healthz")
    tok = KEYS.issue(Principal("member-9", Role.PATROL_MEMBER, TOWNSHIP, frozenset()))
    driver.add_cookie({"name": "shouhu_token", "value": tok, "path": "/"})
    yield driver
    driver.quit()


def _network(driver, offline: bool) -> None:  # type: ignore[no-untyped-def]
    driver.execute_cdp_cmd("Network.enable", {})
    driver.execute_cdp_cmd("Network.emulateNetworkConditions", {
        "offline": offline, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1})


def _js(driver, script):  # type: ignore[no-untyped-def]
    return driver.execute_script(script)


def _rect(driver, css):  # type: ignore[no-untyped-def]
    return _js(driver, f"var r = document.querySelector('{css}').getBoundingClientRect();"
                       "return {top: r.top, bottom: r.bottom, left: r.left, right: r.right};")


def test_first_and_later_visits_draw_the_map_with_nothing_blocked(services, phone):
    served, _ = services
    phone.delete_cookie(ASSETS_COOKIE)
    phone.get_log("browser")  # drop what earlier pages logged
    for visit in ("first", "later"):
        phone.get(served.url + "/map?lang=en")
        eventually(lambda: _js(phone, "return !!window.shouhuReadyAt"), 15,
                   message=f"map script ran on the {visit} visit")
        inline = _js(phone, "return !!document.getElementById('shouhu-assets')")
        assert inline is (visit == "first")
        assert phone.get_cookie(ASSETS_COOKIE)["value"] == ASSETS.version
        blocked = [e["message"] for e in phone.get_log("browser")
                   if "Content Security Policy" in e["message"] or "404" in e["message"]]
        assert not blocked, (visit, blocked)
        zoom, bar = _rect(phone, ".leaflet-control-zoom"), _rect(phone, "#shouhu-bar")
        assert zoom["top"] >= bar["bottom"], (zoom, bar)  # below the toolbar, locate-me free
        drawn = _js(phone, "return window.shouhuMap.overlays.Hazards.getLayers()"
                           ".map(function (l) { return l.feature.geometry; })")
        tok = phone.get_cookie("shouhu_token")["value"]
        sent = requests.get(served.url + "/api/map/layers", timeout=10,
                            headers={"Authorization": f"Bearer {tok}"}).json()["hazards"]
        assert len(drawn) == 5 and drawn == [f["geometry"] for f in sent["features"]]
        assert _js(phone, "return !!document.querySelector('.leaflet-pane canvas')")
        zones = "window.shouhuMap.overlays['Danger zones']"
        assert _js(phone, f"return {zones}.getLayers().length") == 0  # read when shown
        _js(phone, f"window.shouhuMap.map.addLayer({zones})")
        assert _js(phone, f"return {zones}.getLayers().length") == 1


def test_the_map_loads_on_a_phone_and_layers_toggle(services, phone):
    served, _ = services
    phone.get(served.url + "/map?lang=en")
    eventually(lambda: _js(phone, "return !!window.shouhuMap"), 15, message="map script ran")
    assert phone.execute_script("return window.innerWidth") == 360
    assert "child-" not in phone.page_source  # a patrol member sees no child ids
    names = _js(phone, "return Object.keys(window.shouhuMap.overlays)")
    assert {"Hazards", "Patrol points", "Children (aggregated)"} <= set(names)
    has = "return window.shouhuMap.map.hasLayer(window.shouhuMap.overlays['Patrol points'])"
    assert _js(phone, has) is True
    phone.find_element(By.CSS_SELECTOR, ".leaflet-control-layers-toggle").click()
    boxes = phone.find_elements(By.CSS_SELECTOR, ".leaflet-control-layers-overlays label")
    box = next(b for b in boxes if "Patrol points" in b.text)
    box.find_element(By.TAG_NAME, "input").click()
    assert _js(phone, has) is False
    box.find_element(By.TAG_NAME, "input").click()
    assert _js(phone, has) is True
    assert phone.find_element(By.ID, "locate-me").text == "Locate me"


def test_an_offline_checkin_is_queued_then_delivered_once(services, phone):
    served, received = services
    phone.get(served.url + "/map?lang=en")
    eventually(lambda: _js(phone, "return !!window.shouhuMap"), 15, message="map script ran")
    _network(phone, offline=True)
    _js(phone, "var m = window.shouhuMap.markers['pt-0'];"
               "window.shouhuMap.map.setView(m.getLatLng(), 17, {animate: false}); m.openPopup();")
    for css in (".checkin-form input[value=sign_missing]", ".checkin-button"):
        # the popup may still be panning into view: click through the DOM
        phone.execute_script("arguments[0].click()",
                             eventually(lambda c=css: phone.find_elements(By.CSS_SELECTOR, c),
                                        5)[0])
    badge = phone.find_element(By.ID, "sync-badge")
    eventually(lambda: badge.get_attribute("data-state") == "pending", 10,
               message="badge shows the queued check-in")
    queued = _js(phone, "return window.shouhuQueue.load()")
    assert len(queued) == 1 and not received
    _network(phone, offline=False)
    eventually(lambda: received, 20, message="check-in delivered after reconnecting")
    eventually(lambda: badge.get_attribute("data-state") == "synced", 10)
    _js(phone, "window.shouhuQueue.flush()")
    eventually(lambda: _js(phone, "return window.shouhuQueue.load().length === 0"), 5)
    assert [c["client_id"] for c in received] == [queued[0]["client_id"]]
    assert received[0]["member_id"] == "member-9"
    assert received[0]["findings"][0]["kind"] == "sign_missing"
