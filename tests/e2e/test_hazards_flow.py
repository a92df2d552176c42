"""Hazards over real HTTP with the real broker: import a file, learn homes from the
registry, generate patrol points, check in twice (once recorded), export."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

import requests

from shared.auth import Role
from shared.testing.fixtures import eventually


def _auth(stack, role=Role.STATION_ADMIN, user="e2e-staff"):  # type: ignore[no-untyped-def]
    return {"Authorization": f"Bearer {stack.token(role, user_id=user)}"}


def _pond(lon: float, lat: float, size: float = 0.001) -> dict:
    return {"type": "Polygon", "coordinates": [[[lon, lat], [lon + size, lat],
                                                [lon + size, lat + size], [lon, lat + size],
                                                [lon, lat]]]}


def test_import_homes_points_checkin_export(stack):
    hz = stack.url("hazards")
    doc = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": _pond(106.60, 28.90),
         "properties": {"name": "E2E塘", "kind": "pond", "village_code": "500110120201",
                        "barrier": "missing", "warning_sign": "present",
                        "rescue_equipment": "damaged", "depth_m": 2.0}}]}
    resp = requests.post(hz + "/hazards/import", headers=_auth(stack), timeout=30,
                         files={"file": ("e2e.geojson", json.dumps(doc).encode())})
    assert resp.status_code == 200 and resp.json()["imported"] == 1, resp.text

    child = requests.post(stack.url("registry") + "/children", headers=_auth(stack), json={
        "name": "测试儿童", "gender": "female", "birth_date": "2018-05-01",
        "village_code": "500110120201", "home": {"lon": 106.6035, "lat": 28.9005},
    }, timeout=10)
    assert child.status_code == 201, child.text

    def generated():  # type: ignore[no-untyped-def]
        r = requests.post(hz + "/patrol-points/generate", headers=_auth(stack), timeout=30)
        points = requests.get(hz + "/patrol-points", headers=_auth(stack), timeout=10).json()
        return [p for p in points if p["reason"] == "home_cluster"] if r.ok else None

    point = eventually(generated, 60, interval_s=1.0,
                       message="home learned from registry events")[0]
    member = _auth(stack, Role.PATROL_MEMBER, "member-e2e")
    body = {"checkins": [{"client_id": uuid.uuid4().hex, "point_id": point["id"],
                          "member_id": "member-e2e", "checked_at": datetime.now(UTC).isoformat(),
                          "location": {"lon": point["lon"], "lat": point["lat"],
                                       "accuracy_m": 5},
                          "findings": [{"kind": "children_at_water", "action": "stopped"}]}]}
    statuses = [requests.post(hz + "/checkins", json=body, headers=member,
                              timeout=10).json()["results"][0]["status"] for _ in range(2)]
    assert statuses == ["created", "duplicate"]

    export = requests.get(hz + "/hazards/export?format=geojson&missing=barrier",
                          headers=member, timeout=10)
    assert export.status_code == 200
    assert [f["properties"]["name"] for f in export.json()["features"]] == ["E2E塘"]
