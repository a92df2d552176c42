"""The gateway on the running stack: real events in, privacy by role out, and a patrol
check-in forwarded to the hazards service coming back as an event."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import requests

from shared.auth import Role
from shared.testing.fixtures import eventually

NAME = "测试隐私儿童"
LON, LAT = 106.7003, 28.9903


def _h(tok: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {tok}"}


def test_names_never_reach_patrols_and_checkins_flow_back(stack):
    admin = _h(stack.token())
    child = requests.post(stack.url("registry") + "/children", json={
        "name": NAME, "gender": "male", "birth_date": "2017-03-01",
        "village_code": "500110120203", "home": {"lon": LON, "lat": LAT}},
        headers=admin, timeout=10)
    assert child.status_code == 201, child.text
    child_id = child.json()["id"]
    hazard = requests.post(stack.url("hazards") + "/hazards", json={
        "kind": "pond", "name": "Stack pond", "geometry": {"type": "Polygon", "coordinates": [[
            [LON - 0.0005, LAT - 0.0005], [LON + 0.0005, LAT - 0.0005],
            [LON + 0.0005, LAT + 0.0005], [LON - 0.0005, LAT - 0.0005]]]}},
        headers=admin, timeout=10)
    assert hazard.status_code == 201, hazard.text
    hazard_id = hazard.json()["id"]
    gw = stack.url("gateway")

    def staff_layers():  # type: ignore[no-untyped-def]
        body = requests.get(gw + "/api/map/layers", headers=admin, timeout=10).json()
        return body if child_id in {f["id"] for f in body["homes"]["features"]} else None

    eventually(staff_layers, 60, message="child in the gateway read model")
    patrol = _h(stack.token(Role.PATROL_MEMBER, user_id="member-e2e"))
    for path in ("/api/map/layers", "/map", "/api/overlay/hazards"):
        text = requests.get(gw + path, headers=patrol, timeout=10).text
        assert NAME not in text and child_id not in text, path
    near = requests.get(gw + "/api/overlay/children", headers=admin, timeout=10).json()
    mine = eventually(lambda: next((c for c in requests.get(
        gw + "/api/overlay/children", headers=admin, timeout=10).json()["children"]
        if c["child_id"] == child_id and c["water"]), None), 60,
        message=f"overlay for the child (last {near})")
    assert mine["water"]["hazard_id"] == hazard_id and mine["water"]["distance_m"] == 0.0

    point = requests.post(stack.url("hazards") + "/patrol-points", json={
        "hazard_id": hazard_id, "location": {"lon": LON, "lat": LAT}}, headers=admin,
        timeout=10)
    assert point.status_code == 201, point.text
    point_id = point.json()["id"]
    client_id = str(uuid.uuid4())
    sent = requests.post(gw + "/api/checkins", headers=patrol, timeout=10, json={"checkins": [{
        "client_id": client_id, "point_id": point_id,
        "checked_at": datetime.now(UTC).isoformat(), "location": {"lon": LON, "lat": LAT}}]})
    assert sent.status_code == 200, sent.text
    assert sent.json()["results"][0]["status"] == "created"

    def checked():  # type: ignore[no-untyped-def]
        body = requests.get(gw + "/api/map/layers", headers=patrol, timeout=10).json()
        return next((f for f in body["points"]["features"] if f["id"] == point_id
                     and f["properties"]["last_checkin"]), None)

    eventually(checked, 60, message="check-in back in the gateway as an event")
