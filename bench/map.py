"""Township phone map: our patrol-member page vs a plain folium map, in the same run.

    .venv/bin/python bench/map.py [--homes 5000 --hazards 500] [--no-browser] [--repeat 3]

Baseline: the project's earlier phone map (commit 0ee6794), a plain folium page: the
same layers for the same patrol member, read from the same read model in the same run
(privacy cells, hazards, danger zones, patrol points), each a folium GeoJson layer with
a layer switch, Leaflet linked rather than from folium's CDN set; timed as a request
would be (read the layers, render, gzip), median of --repeat. Ours: the gateway's /map
for a patrol member (homes as aggregated cells; every hazard with its 100 m danger zone,
as the hazards service sends them), served from the read model (SQLite) through the
Flask app.

Reported: page size raw and gzipped (as sent); server time, gzip included, for the very
first request (a render), for a request right after an event, for one made after the
page warmer had its poll interval and a render's time, and from the page cache; the
first render in headless Chromium at 360×740 with 4× CPU throttling and a Fast-3G
profile (until the map script has run): a first visit (Leaflet inline), a visit whose
assets are linked but not cached (the round trips of a linked page; cache disabled),
and a repeat visit (assets from the cache).
"""

from __future__ import annotations

import argparse
import gzip
import itertools
import logging
import os
import statistics
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import folium
import numpy as np
import shapely
from shapely.geometry import mapping

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "integration" / "gateway"))

from gw_helpers import KEYS, TOWNSHIP, apply, event, gateway  # noqa: E402

from services.gateway.entrypoints.api import create_app  # noqa: E402
from services.gateway.entrypoints.map_page import ASSETS, ASSETS_COOKIE  # noqa: E402
from services.gateway.read_model.adapters.read_model_store import ReadModelStore  # noqa: E402
from services.gateway.read_model.domain.read_model import ChildHome, HazardShape, PatrolPoint  # noqa: E402
from services.gateway.read_model.service_layer.map_views import map_layers  # noqa: E402
from shared.auth import Principal, Role  # noqa: E402

LON0, LAT0 = 106.65, 28.95
FAST_3G = {"offline": False, "latency": 562.5, "downloadThroughput": 180 * 1024,
           "uploadThroughput": 84 * 1024}


def township(n_homes: int, n_hazards: int):
    rng = np.random.default_rng(3)
    homes = [ChildHome(f"child-{i:05d}", f"500110120{200 + i % 12:03d}",
                       float(LON0 + rng.normal(0, 0.02)), float(LAT0 + rng.normal(0, 0.02)),
                       "6-11", ["high", "medium", "low"][i % 3]) for i in range(n_homes)]
    hazards, points = [], []
    for i in range(n_hazards):
        x, y = LON0 + rng.uniform(-0.06, 0.06), LAT0 + rng.uniform(-0.06, 0.06)
        geom = (shapely.Point(x, y).buffer(0.0004, quad_segs=4) if i % 5 else
                shapely.LineString(np.cumsum(rng.normal(0, 0.002, (10, 2)), axis=0) + [x, y]))
        kind = "pond" if i % 5 else "river"
        # the 100 m danger zone the hazards service sends (quad_segs=4 as it buffers)
        zone = shapely.buffer(geom, 0.0009, quad_segs=4)
        hazards.append(HazardShape(f"hz-{i:04d}", kind, f"Pond {i}", mapping(geom),
                                   protections={"barrier": "missing"}, zone=mapping(zone),
                                   buffer_m=100.0))
        points.append(PatrolPoint(f"pt-{i:04d}", f"hz-{i:04d}", x, y, "swimming_spot", "", True))
    return homes, hazards, points


def folium_page(layers: dict[str, Any]) -> str:
    """The earlier page's folium part (0ee6794 map_page.render_map), with the patrol
    points as a folium layer too: a plain page has no script of ours to draw them."""
    fmap = folium.Map(location=(LAT0, LON0), zoom_start=15, tiles=None, prefer_canvas=True,
                      control_scale=True)
    fmap.default_js = [("leaflet", "/static/leaflet/leaflet.js")]
    fmap.default_css = [("leaflet_css", "/static/leaflet/leaflet.css")]
    for name, key, style, tooltip in (
            ("危险区域", "zones", {"weight": 1, "fillOpacity": 0.12}, None),
            ("危险点", "hazards", {"weight": 3, "fillOpacity": 0.35}, ["name", "kind"]),
            ("儿童分布（聚合）", "home_cells", {"color": "#ff7f00", "weight": 1,
                                          "fillOpacity": 0.3}, ["count"]),
            ("巡查点", "points", {"color": "#33a02c"}, None)):
        data = layers[key]
        folium.GeoJson(data, name=name, style_function=lambda f, s=style: s,
                       marker=folium.CircleMarker(radius=6),
                       tooltip=folium.GeoJsonTooltip(fields=tooltip)
                       if tooltip and data["features"] else None).add_to(fmap)
    folium.LayerControl().add_to(fmap)
    return str(fmap.get_root().render())


def baseline(gw, principal: Principal) -> tuple[bytes, float]:  # type: ignore[no-untyped-def]
    """The folium page as sent (gzipped) and the time to read, render and gzip it."""
    t = time.perf_counter()
    with gw.reader.connect() as conn:
        layers = map_layers(ReadModelStore(conn), principal, gw.settings, gw.crs)
    wire = gzip.compress(folium_page(layers).encode())
    return wire, time.perf_counter() - t


def serve(app):  # type: ignore[no-untyped-def]
    from werkzeug.serving import make_server

    from infra.broker import free_port

    port = free_port()
    server = make_server("127.0.0.1", port, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{port}"


def phone():  # type: ignore[no-untyped-def]
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = "/usr/bin/chromium"
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu",
                "--disable-background-networking"):
        opts.add_argument(arg)
    opts.add_experimental_option("mobileEmulation", {
        "deviceMetrics": {"width": 360, "height": 740, "pixelRatio": 2}})
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=opts)
    driver.set_page_load_timeout(120)
    return driver


def ready_at(driver) -> float:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        ready = driver.execute_script("return window.shouhuReadyAt || null")
        if ready:
            return float(ready) / 1000
        time.sleep(0.05)
    raise TimeoutError("map did not render")


def first_render(url: str, tok: str, visit: str) -> float:
    """visit: 'first' (no cookie, cache disabled), 'linked' (the assets cookie, cache
    disabled) or 'repeat' (a first visit, its assets fetched into the cache, again)."""
    driver = phone()
    try:
        driver.get(url + "/healthz")
        driver.add_cookie({"name": "shouhu_token", "value": tok, "path": "/"})
        if visit == "linked":
            driver.add_cookie({"name": ASSETS_COOKIE, "value": ASSETS.version, "path": "/"})
        driver.execute_cdp_cmd("Network.enable", {})
        driver.execute_cdp_cmd("Network.setCacheDisabled", {"cacheDisabled": visit != "repeat"})
        driver.execute_cdp_cmd("Network.emulateNetworkConditions", FAST_3G)
        driver.execute_cdp_cmd("Emulation.setCPUThrottlingRate", {"rate": 4})
        driver.get(url + "/map")
        if visit == "repeat":
            ready_at(driver)
            fetched = ("return performance.getEntriesByType('resource').filter(function (e) {"
                       " return e.name.indexOf('?v=') > 0 && e.responseEnd > 0; }).length")
            deadline = time.monotonic() + 60
            while driver.execute_script(fetched) < 4 and time.monotonic() < deadline:
                time.sleep(0.1)
            driver.get(url + "/map")
        return ready_at(driver)
    finally:
        driver.quit()


CHECKINS = itertools.count()


def after_event(gw, client, headers, wait_s: float) -> float:  # type: ignore[no-untyped-def]
    """Server time of a request made wait_s after an event (a newer check-in at a point)."""
    n = next(CHECKINS)
    at = datetime(2026, 7, 20, tzinfo=UTC) + timedelta(minutes=n)
    apply(gw, [event("hazards.patrol.checked_in.v1", {
        "checkin_id": f"ci-{n}", "point_id": "pt-0000", "hazard_id": "hz-0000",
        "member_id": "m1", "checked_at": at.isoformat(),
        "location": {"lon": LON0, "lat": LAT0}, "duration_s": 60, "track_m": 10.0})])
    time.sleep(wait_s)
    t = time.perf_counter()
    wire = client.get("/map", headers=headers).get_data()
    took = time.perf_counter() - t
    page = gzip.decompress(wire).decode()
    assert at.isoformat()[:16] in page, "the page shows the new check-in"
    return took


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--homes", type=int, default=5000)
    p.add_argument("--hazards", type=int, default=500)
    p.add_argument("--no-browser", action="store_true")
    p.add_argument("--repeat", type=int, default=3)
    args = p.parse_args()
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request
    print(f"load average before the run: {os.getloadavg()[0]:.1f} (2 cores shared)")
    homes, hazards, points = township(args.homes, args.hazards)
    gw = gateway(f"sqlite:///{tempfile.mkdtemp()}/bench.db")
    with gw.engine.begin() as conn:
        store = ReadModelStore(conn)
        for h in homes:
            store.put_child(h)
        for z in hazards:
            store.put_hazard(z)
        for pt in points:
            store.put_point(pt)
        store.replace_overlay(gw.make_overlay().load(homes, hazards))
    app = create_app(gw)
    member = Principal("bench", Role.PATROL_MEMBER, TOWNSHIP, frozenset())
    tok = KEYS.issue(member, 3600)
    base = [baseline(gw, member) for _ in range(args.repeat)]
    base_page, base_s = base[0][0], statistics.median(b for _, b in base)
    client = app.test_client()
    headers = {"Authorization": f"Bearer {tok}", "Accept-Encoding": "gzip"}  # as phones ask
    t = time.perf_counter()
    page = client.get("/map", headers=headers).get_data()  # as sent: gzipped
    cold = time.perf_counter() - t
    cached = []
    for _ in range(19):
        t = time.perf_counter()
        client.get("/map", headers=headers).get_data()
        cached.append(time.perf_counter() - t)
    warmed = [after_event(gw, client, headers, 2 + 2 * cold) for _ in range(args.repeat)]
    unwarmed = [after_event(gw, client, headers, 0) for _ in range(args.repeat)]
    client.set_cookie(ASSETS_COOKIE, ASSETS.version)
    linked = client.get("/map", headers=headers).get_data()
    assets = sum(len(gzip.compress(client.get(f"/static/{a}").get_data())) for a in
                 ("leaflet/leaflet.js", "leaflet/leaflet.css", "phone_map.js", "phone_map.css"))
    kb = 1024
    ms = [f"{x * 1000:.0f}" for x in (cold, statistics.median(unwarmed),
                                      statistics.median(warmed), statistics.median(cached))]
    print(f"township: {args.homes} homes, {args.hazards} hazards, {len(points)} patrol points")
    print(f"baseline: plain folium page (0ee6794's) with the same cells, hazards, zones and "
          f"points: {len(gzip.decompress(base_page)) / kb:.0f} KB raw "
          f"{len(base_page) / kb:.0f} KB gzipped (+ Leaflet), read + render + gzip "
          f"{base_s * 1000:.0f} ms (median of {args.repeat})")
    for name, body in (("first visit (Leaflet inline)", page), ("assets linked", linked)):
        print(f"gateway /map, patrol member, {name:29s} "
              f"{len(gzip.decompress(body)) / kb:5.0f} KB raw {len(body) / kb:4.0f} KB gzipped")
    print(f"  + the linked assets, gzipped, cacheable: {assets / kb:.0f} KB")
    print(f"serve: first request {ms[0]} ms; right after an event {ms[1]} ms; after an event, "
          f"warmed {ms[2]} ms (medians of {args.repeat}); cached {ms[3]} ms (median of 19)")
    if not args.no_browser:
        server, url = serve(app)
        try:
            for visit in ("first", "linked", "repeat"):
                runs = [first_render(url, tok, visit) for _ in range(args.repeat)]
                print(f"first render, headless Chromium 360×740, 4× CPU, Fast 3G, {visit} visit: "
                      f"median {statistics.median(runs):.2f} s "
                      f"({', '.join(f'{r:.2f}' for r in runs)})")
        finally:
            server.shutdown()
    print(f"load average after the run: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
