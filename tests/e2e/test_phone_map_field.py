"""The patrol map in the field, in headless Chromium on a 360×740 phone: every point is
named in its popup and in a list sorted by distance from the phone, points cluster
and open on tap with 44 px targets, a legend, children's cells that leave the water
blue, Chinese times; and the cold start with the network cut (the service worker),
a check-in made then and delivered once when the gateway is back."""

from __future__ import annotations

import base64
import io
import re
import sys
import threading
from pathlib import Path

import pytest
from flask import Flask, request
from PIL import Image
from selenium.webdriver.common.by import By
from werkzeug.serving import make_server

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "integration" / "gateway"))

from gw_helpers import KEYS, LAT0, LON0, TOWNSHIP, apply, gateway, township_events  # noqa: E402
from peers import Served  # noqa: E402

from services.gateway.adapters.forwarding import Forwarder  # noqa: E402
from services.gateway.entrypoints.api import create_app  # noqa: E402
from shared.auth import Principal, Role  # noqa: E402
from shared.testing.fixtures import eventually  # noqa: E402
from tests.e2e.phone import chromium_phone  # noqa: E402

pytestmark = pytest.mark.browser
KEPT_PAGES = """var done = arguments[arguments.length - 1];
caches.open('shouhu-pages').then(function (c) { return c.keys(); })
  .then(function (k) { done(k.length); });"""


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
    app = create_app(gw, Forwarder("hazards", hazards.url))
    served = Served(app)
    yield served, app, received
    served.server.shutdown()
    hazards.server.shutdown()


@pytest.fixture
def phone(services):
    driver = chromium_phone()
    served = services[0]
    driver.get(served.url + "/healthz")
    tok = KEYS.issue(Principal("member-7", Role.PATROL_MEMBER, TOWNSHIP, frozenset()))
    driver.add_cookie({"name": "shouhu_token", "value": tok, "path": "/"})
    yield driver
    driver.quit()


def _js(driver, script, *args):  # type: ignore[no-untyped-def]
    return driver.execute_script(script, *args)


def _popup(driver, css: str) -> str:  # type: ignore[no-untyped-def]
    """The open popup's text (once it has faded in, as a person reads it)."""
    found = driver.find_elements(By.CSS_SELECTOR, f".leaflet-popup {css}".strip())
    return found[0].text if found else ""


def _open_map(driver, url: str) -> None:  # type: ignore[no-untyped-def]
    driver.get(url + "/map")
    eventually(lambda: _js(driver, "return !!window.shouhuReadyAt"), 15, message="map drawn")


def _place_phone(driver, lon: float, lat: float) -> None:  # type: ignore[no-untyped-def]
    driver.execute_cdp_cmd("Browser.grantPermissions", {"permissions": ["geolocation"]})
    driver.execute_cdp_cmd("Emulation.setGeolocationOverride",
                           {"latitude": lat, "longitude": lon, "accuracy": 10})


def test_the_list_sorts_points_by_distance_and_a_tap_opens_the_named_popup(services, phone):
    served = services[0]
    _place_phone(phone, LON0 + 0.0061, LAT0 + 0.0019)  # beside 测试塘3's point
    _open_map(phone, served.url)
    phone.find_element(By.ID, "list-points").click()
    eventually(lambda: "按离您的距离" in phone.find_element(By.ID, "point-list").text, 10,
               message="the list re-sorted from the phone's position")
    rows = phone.find_elements(By.CSS_SELECTOR, "#point-list li")
    names = [r.find_element(By.TAG_NAME, "b").text for r in rows]
    assert names[0] == "测试塘3" and "巡查点" in names, names  # pt-4's pond was retired
    assert "池塘 · 崇恩村" in rows[0].text and "米" in rows[0].text
    assert all(r.size["height"] >= 44 for r in rows)
    rows[0].find_element(By.TAG_NAME, "button").click()
    eventually(lambda: _popup(phone, ".point-name") == "测试塘3", 10, message="popup named")
    text = _popup(phone, "")
    assert "池塘 · 崇恩村" in text and "巡查原因: 野泳点" in text
    assert "检查: 护栏缺失或损坏、警示牌缺失或损坏、水边有无儿童" in text
    assert "上次签到: 未签到" in text
    assert not re.search("[A-Za-z_]{3,}", text), text  # no code left untranslated


def test_times_are_chinese_and_in_china_time(services, phone):
    served = services[0]
    _open_map(phone, served.url)
    # the check-in at pt-0 was 2026-07-19 15:00 UTC: 23:00 in China
    _js(phone, "var m = window.shouhuMap.markers['pt-0'];"
               "window.shouhuMap.map.setView(m.getLatLng(), 18, {animate: false});"
               "m.openPopup();")
    eventually(lambda: _popup(phone, ".last-checkin"), 10, message="popup open")
    assert _popup(phone, ".last-checkin") == "上次签到: 7月19日 23:00"


def test_points_cluster_open_on_tap_and_are_44_px_targets(services, phone):
    served = services[0]
    _open_map(phone, served.url)
    _js(phone, "window.shouhuMap.map.setZoom(13, {animate: false})")
    clusters = eventually(lambda: phone.find_elements(By.CSS_SELECTOR, ".point-cluster"), 10,
                          message="points merge into a cluster at a township's zoom")
    before = _js(phone, "return window.shouhuMap.map.getZoom()")
    clusters[0].click()
    eventually(lambda: _js(phone, "return window.shouhuMap.map.getZoom()") > before, 10,
               message="a tap on a cluster zooms in")
    _js(phone, "var m = window.shouhuMap.markers['pt-0'];"
               "window.shouhuMap.map.setView(m.getLatLng(), 17, {animate: false});")
    eventually(lambda: not phone.find_elements(By.CSS_SELECTOR, ".point-cluster"), 10,
               message="every point stands alone from zoom 16")
    targets = phone.find_elements(By.CSS_SELECTOR, ".patrol-point")
    assert targets
    for t in targets:
        assert t.size["width"] >= 44 and t.size["height"] >= 44, t.size


def test_the_legend_names_what_the_map_shows(services, phone):
    served = services[0]
    _open_map(phone, served.url)
    toggle = phone.find_element(By.ID, "legend-toggle")
    assert toggle.text == "图例" and toggle.size["height"] >= 44
    toggle.click()
    items = phone.find_element(By.ID, "legend-items").text
    for words in ("水域危险点", "道路危险点", "巡查点（7 天内已签到）", "儿童分布"):
        assert words in items


def test_the_childrens_cells_leave_the_water_blue(services, phone):
    """A pond under a cell of children keeps its blue: the cells lie beneath."""
    served = services[0]
    _open_map(phone, served.url)
    cells = "window.shouhuMap.overlays['儿童分布（聚合）']"
    assert _js(phone, f"return !!{cells} && window.shouhuMap.map.hasLayer({cells})")
    # hz-0's pond: is it inside a drawn cell? pick a pond pixel that a cell covers
    point = _js(phone, """
        var map = window.shouhuMap.map, cells = [];
        window.shouhuMap.overlays['儿童分布（聚合）'].eachLayer(function (l) { cells.push(l); });
        var ponds = [];
        window.shouhuMap.overlays['危险点'].eachLayer(function (l) {
          if (l.feature.properties.class === 'water' && l.getBounds) { ponds.push(l); }
        });
        for (var i = 0; i < ponds.length; i++) {
          var c = ponds[i].getBounds().getCenter();
          for (var j = 0; j < cells.length; j++) {
            if (cells[j].getBounds().contains(c)) {
              map.setView(c, 18, {animate: false});
              var p = map.latLngToContainerPoint(c), r = map.getContainer().getBoundingClientRect();
              return [p.x + r.left, p.y + r.top];
            }
          }
        }
        return null;""")
    assert point, "the fixture has a pond under a cell of children"
    _js(phone, "document.querySelector('.leaflet-control-layers').style.display = 'none'")
    png = Image.open(io.BytesIO(base64.b64decode(phone.get_screenshot_as_base64())))
    r, g, b = png.convert("RGB").getpixel((int(point[0] * 2), int(point[1] * 2)))
    assert b > r + 40, ("the pond is drawn blue over the cell", (r, g, b))


def test_a_cold_start_with_the_network_cut_opens_the_map_and_queues_a_checkin(services, phone):
    served, app, received = services
    _open_map(phone, served.url)  # one visit with signal is enough
    eventually(lambda: phone.execute_async_script(KEPT_PAGES), 20, message="the page is kept")
    port = served.port
    served.server.shutdown()
    served.server.server_close()
    try:
        phone.get(served.url + "/map")  # the gateway is gone: no network at all
        eventually(lambda: _js(phone, "return !!window.shouhuReadyAt"), 20,
                   message="the map opened from the phone's copy")
        assert _js(phone, "return Object.keys(window.shouhuMap.markers).length") == 6
        age = phone.find_element(By.CSS_SELECTOR, ".data-age").text
        assert age.startswith("数据") or age.startswith("离线"), age
        _js(phone, "var m = window.shouhuMap.markers['pt-1'];"
                   "window.shouhuMap.map.setView(m.getLatLng(), 18, {animate: false});"
                   "m.openPopup();")
        button = eventually(lambda: phone.find_elements(By.CSS_SELECTOR, ".checkin-button"), 10)
        _js(phone, "arguments[0].click()", button[0])
        eventually(lambda: len(_js(phone, "return window.shouhuQueue.load()")) == 1, 10)
        assert not received
    finally:
        server = make_server("127.0.0.1", port, app, threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        served.server = server
    eventually(lambda: received, 30, message="the check-in went out when the gateway was back")
    eventually(lambda: _js(phone, "return window.shouhuQueue.load().length") == 0, 10)
    _js(phone, "window.shouhuQueue.flush()")
    assert [c["point_id"] for c in received] == ["pt-1"] and received[0]["member_id"] == "member-7"
    phone.get(served.url + "/login")  # the next person signs in: the kept map goes
    eventually(lambda: phone.execute_async_script(KEPT_PAGES) == 0, 10,
               message="a sign-in page clears the kept pages")
