"""POST /hazards/import and GET /hazards/export end to end; exports read back by GDAL's ogrinfo."""

from __future__ import annotations

import io
import json
import re
import subprocess
import zipfile
from pathlib import Path

import geopandas as gpd
from haz_helpers import auth, outbox_events
from shapely.geometry import LineString, Point

from shared.auth import Role


def _upload(frame: gpd.GeoDataFrame) -> bytes:
    return frame.to_json().encode()


def _ponds(n: int = 3) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"name": [f"塘{i}" for i in range(n)], "kind": ["pond"] * n,
         "village_code": ["500110120201"] * n, "barrier": ["present"] + ["missing"] * (n - 1)},
        geometry=[Point(106.6 + 0.01 * i, 28.9).buffer(0.0005) for i in range(n)], crs=4326)


def _post(client, data: bytes, name: str, query: str = "", **form):  # type: ignore[no-untyped-def]
    return client.post("/hazards/import" + query, headers=auth(),
                       data={"file": (io.BytesIO(data), name), **form},
                       content_type="multipart/form-data")


def test_dry_run_writes_nothing_then_import_publishes(client, hazards):
    frame = _ponds()
    dry = _post(client, _upload(frame), "ponds.geojson", "?dry_run=true")
    assert dry.status_code == 200, dry.json
    assert dry.json["dry_run"] and dry.json["accepted"] == 3 and dry.json["imported"] == 0
    assert outbox_events(hazards, "hazards.hazard.created.v1") == []
    real = _post(client, _upload(frame), "ponds.geojson", datum="wgs84")
    assert real.json["imported"] == 3, real.json
    created = outbox_events(hazards, "hazards.hazard.created.v1")
    assert sorted(e["data"]["name"] for e in created) == ["塘0", "塘1", "塘2"]
    assert {e["data"]["village_code"] for e in created} == {"500110120201"}
    assert len(outbox_events(hazards, "hazards.zone.changed.v1")) == 3
    again = _post(client, _upload(frame), "ponds.geojson")
    assert again.json["imported"] == 0 and len(again.json["duplicates"]) == 3


def test_hostile_and_oversized_uploads_are_refused_clearly(client):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("../evil.shp", b"x")
    resp = _post(client, buf.getvalue(), "evil.zip")
    assert resp.status_code == 422 and "outside the archive" in resp.json["message"]
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("a.geojson", b" " * (20 * 1024 * 1024))
    resp = _post(client, bomb.getvalue(), "bomb.zip")
    assert resp.status_code == 413 and "zip bomb" in resp.json["message"]
    resp = _post(client, b"x" * (6 * 1024 * 1024), "huge.geojson")
    assert resp.status_code == 413 and "limit of 5 MB" in resp.json["message"]
    director = auth(Role.CHILD_DIRECTOR, frozenset({"500110120999"}))
    resp = client.post("/hazards/import", headers=director, content_type="multipart/form-data",
                       data={"file": (io.BytesIO(_upload(_ponds())), "p.geojson")})
    assert resp.status_code == 404  # villages outside the caller's scope
    resp = _post(client, _upload(_ponds()), "p.geojson", datum="bogus")  # a form option
    assert resp.status_code == 422 and "datum" in resp.json["errors"]["form"]


def _ogr_count(path: Path) -> int:
    out = subprocess.run(["ogrinfo", "-ro", "-al", "-so", str(path)], check=True,
                         capture_output=True, text=True).stdout
    return sum(int(n) for n in re.findall(r"Feature Count: (\d+)", out))


def test_exports_are_read_by_ogrinfo(client, tmp_path):
    frame = _ponds()
    river = gpd.GeoDataFrame({"kind": ["river"], "name": ["河"]},
                             geometry=[LineString([(106.5, 28.8), (106.55, 28.85)])], crs=4326)
    assert _post(client, _upload(frame), "p.geojson").json["imported"] == 3
    assert _post(client, _upload(river), "r.geojson").json["imported"] == 1
    for fmt, suffix in (("geojson", ".geojson"), ("gpkg", ".gpkg"), ("kml", ".kml")):
        resp = client.get(f"/hazards/export?format={fmt}", headers=auth(Role.PLANNER))
        assert resp.status_code == 200, resp.data[:200]
        path = tmp_path / f"export{suffix}"
        path.write_bytes(resp.data)
        assert _ogr_count(path) == 4, fmt
    doc = json.loads(client.get("/hazards/export?format=geojson&kind=pond",
                                headers=auth()).data)
    assert "crs" not in doc and len(doc["features"]) == 3
    ring = doc["features"][0]["geometry"]["coordinates"][0]
    area2 = sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(ring, ring[1:], strict=False))
    assert area2 > 0  # counter-clockwise exterior (right-hand rule)
    csv = client.get("/hazards/export?format=csv&missing=barrier", headers=auth()).data
    lines = csv.decode("utf-8-sig").strip().splitlines()
    assert len(lines) == 1 + 3 and "wkt" in lines[0]
