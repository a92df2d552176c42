"""The road network layer over HTTP on SQLite and PostgreSQL: a real OSM extract, a
zipped Shapefile with node ids and one-way flags, refusals, versions, plans that use it
(issue 15 pts 1, 4). The OSM file is pyrosm's ``test.osm.pbf`` (a small real extract)."""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import replace
from datetime import date
from pathlib import Path

import geopandas as gpd
import pyrosm
from gw_helpers import LAT0, LON0, apply, settings, token, township_events
from shapely.geometry import LineString

from services.gateway.bootstrap import bootstrap
from services.gateway.entrypoints.api import create_app
from services.gateway.planning.domain.planner import Member, PlanRequest, Team
from services.gateway.planning.service_layer import plans
from services.gateway.planning.service_layer.unit_of_work import GatewayUnitOfWork
from services.gateway.read_model.adapters.read_model_store import ReadModelStore
from shared.auth import Role
from shared.config import Region

HELSINKI = Region(26.5, 60.0, 27.5, 61.0)  # where pyrosm's test extract lies


def _client(database_url: str, region: Region | None = None):
    s = settings(database_url)
    if region:
        s = replace(s, common=replace(s.common, region=region))
    gw = bootstrap(s)
    return gw, create_app(gw, object(), object(), object()).test_client()


def _post(client, name: str, data: bytes, role: Role = Role.STATION_ADMIN, **query):
    return client.post("/api/road-network", headers=token(role), query_string=query,
                       data={"file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def test_a_real_osm_extract_is_imported_as_roads_not_hazards(database_url):
    gw, client = _client(database_url, HELSINKI)
    data = Path(pyrosm.get_data("test_pbf")).read_bytes()
    resp = _post(client, "test.osm.pbf", data)
    assert resp.status_code == 201, resp.get_json()
    body = resp.get_json()
    assert body["version"] == 1
    assert body["accepted"] > 250 and body["skipped_not_roads"] > 0
    assert body["one_way"] > 0
    assert body["components"] >= 1 and body["km"] > 10
    assert abs(sum(body["component_km"]) - body["km"]) < 0.05
    assert client.get("/api/road-network", headers=token(Role.PLANNER)).get_json()[
        "version"] == 1
    with gw.engine.connect() as conn:
        assert ReadModelStore(conn).hazards() == []  # no road became a hazard


def _links(*lines, **cols) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(cols, geometry=[LineString(c) for c in lines], crs="EPSG:4326")


def _shapefile_zip(frame: gpd.GeoDataFrame, tmp_path: Path) -> bytes:
    frame.to_file(tmp_path / "roads.shp")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for f in tmp_path.glob("roads.*"):
            z.write(f, f.name)
    return buf.getvalue()


def test_a_navigation_shapefile_with_node_ids_one_way_and_a_gap(database_url, tmp_path):
    gw, client = _client(database_url)
    x, y = LON0, LAT0
    frame = _links([(x, y), (x + 0.01, y)], [(x + 0.010001, y), (x + 0.02, y)],
                   [(x + 0.0201, y), (x + 0.03, y)],  # 9.7 m beyond 102, no shared node
                   LINK_ID=["101", "102", "103"], SNODEID=["1", "2", "5"],
                   ENODEID=["2", "3", "4"], ONEWAY=["B", "FT", "TF"])
    body = _post(client, "roads.zip", _shapefile_zip(frame, tmp_path), join_m=5).get_json()
    assert body["accepted"] == 3 and body["one_way"] == 2
    assert body["joined"] == [] and body["components"] == 2, "node 2 joins 101 and 102"
    again = _post(client, "roads.zip", _shapefile_zip(frame, tmp_path), join_m=10)
    assert again.get_json()["version"] == 2
    assert [(j["from_link"], j["to_link"]) for j in again.get_json()["joined"]] == \
        [("102", "103")]
    assert again.get_json()["components"] == 1


def test_refusals_name_the_feature_and_the_setting_and_store_nothing(database_url, tmp_path):
    gw, client = _client(database_url)
    far = _links([(LON0, LAT0), (LON0 + 0.01, LAT0)], [(110.0, 35.0), (110.01, 35.0)])
    path = tmp_path / "far.geojson"
    far.to_file(path, driver="GeoJSON")
    resp = _post(client, "far.geojson", path.read_bytes())
    assert resp.status_code == 422
    msg = json.dumps(resp.get_json(), ensure_ascii=False)
    assert "feature 1" in msg and "SHOUHU_REGION_BBOX" in msg
    assert client.get("/api/road-network", headers=token()).status_code == 404
    bad = _post(client, "roads.txt", b"x")
    assert bad.status_code == 422 and ".pbf" in bad.get_json()["message"]
    assert _post(client, "far.geojson", path.read_bytes(), Role.PLANNER).status_code == 403


def test_plans_follow_the_newest_road_network_version(database_url, tmp_path):
    gw, client = _client(database_url)
    apply(gw, township_events())
    req = PlanRequest(date(2026, 7, 20), date(2026, 7, 21),
                      (Team("A", (Member("m1", date(2026, 3, 1), "clear"),), (LON0, LAT0)),))
    uow = lambda: GatewayUnitOfWork(gw.engine, gw.catalogue, "gateway")  # noqa: E731
    with gw.engine.connect() as conn:
        before = plans.get_plan(conn, plans.create_plan(uow(), gw.crs, req, "p1"))
    road = _links([(LON0 - 0.001 + k * 0.001, LAT0 + 0.003 * (k % 2)) for k in range(14)])
    path = tmp_path / "road.geojson"
    road.to_file(path, driver="GeoJSON")
    assert _post(client, "road.geojson", path.read_bytes()).status_code == 201
    with gw.engine.connect() as conn:
        after = plans.get_plan(conn, plans.create_plan(uow(), gw.crs, req, "p1"))
    assert (before["metric"], before["road_network_version"]) == ("straight_line", None)
    assert (after["metric"], after["road_network_version"]) == ("road_network", 1)
    assert after["road_share"] > 0.5
    assert all(sh["track"] for sh in after["teams"][0]["shifts"] if sh["stops"])


def test_osm_xml_ways_with_one_way_bridge_and_a_fence(database_url, tmp_path):
    import osmium

    gw, client = _client(database_url)
    path = tmp_path / "town.osm"
    writer = osmium.SimpleWriter(str(path))
    for i, (x, y) in enumerate([(0, 0), (0.01, 0), (0.005, -0.005), (0.005, 0.005),
                                (0.002, 0.002), (0.003, 0.003)], start=1):
        writer.add_node(osmium.osm.mutable.Node(id=i, location=(LON0 + x, LAT0 + y), tags={}))
    writer.add_way(osmium.osm.mutable.Way(id=10, nodes=[1, 2], tags={
        "highway": "tertiary", "oneway": "yes"}))
    writer.add_way(osmium.osm.mutable.Way(id=11, nodes=[3, 4], tags={
        "highway": "unclassified", "bridge": "yes", "layer": "1"}))
    writer.add_way(osmium.osm.mutable.Way(id=12, nodes=[5, 6], tags={"barrier": "fence"}))
    writer.close()
    body = _post(client, "town.osm", path.read_bytes()).get_json()
    assert (body["accepted"], body["one_way"], body["skipped_not_roads"]) == (2, 1, 1)
    assert body["components"] == 2, "the bridge crosses the tertiary road without a junction"
