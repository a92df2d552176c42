"""The hazard inventory API on SQLite and PostgreSQL: events, zones, filters, versions."""

from __future__ import annotations

import json

from haz_helpers import VILLAGE, auth, outbox_events, pond
from shapely.geometry import shape

from shared.auth import Role


def test_minimal_body_creates_hazard_with_events_and_metric_zone(client, hazards):
    resp = client.post("/hazards", json={"kind": "pond", "name": "塘",
                                         "geometry": pond()}, headers=auth())
    assert resp.status_code == 201, resp.json
    hazard_id = resp.json["id"]
    assert resp.json["missing"] == ["barrier", "warning_sign", "rescue_equipment"]
    created = outbox_events(hazards, "hazards.hazard.created.v1")
    assert [e["data"]["hazard_id"] for e in created] == [hazard_id]
    assert created[0]["data"]["protections"]["barrier"] == "missing"
    assert created[0]["data"]["village_code"] == ""
    zone = outbox_events(hazards, "hazards.zone.changed.v1")[0]["data"]
    assert zone["buffer_m"] == 100.0
    poly = shape(zone["zone"])
    # ~100 m beyond a ~97 x 111 m square: the zone spans ~0.001° + 2 x 100 m in latitude
    height_m = (poly.bounds[3] - poly.bounds[1]) * 111_320
    assert 300 < height_m < 320
    assert poly.exterior.is_ccw  # RFC 7946 right-hand rule


def test_refusals_name_the_field(client):
    swapped = {"type": "Point", "coordinates": [28.95, 106.65]}
    resp = client.post("/hazards", json={"kind": "pond", "geometry": swapped}, headers=auth())
    assert resp.status_code == 422
    assert "swapped" in resp.json["errors"]["json"]["geometry"][0]
    bowtie = {"type": "Polygon", "coordinates": [[[106.65, 28.95], [106.66, 28.96],
                                                  [106.66, 28.95], [106.65, 28.96],
                                                  [106.65, 28.95]]]}
    resp = client.post("/hazards", json={"kind": "pond", "geometry": bowtie}, headers=auth())
    assert resp.status_code == 422 and "geometry" in resp.json["errors"]["json"]
    assert client.post("/hazards", json={"kind": "pond", "geometry": pond()}).status_code == 401
    patrol = auth(Role.PATROL_MEMBER)
    assert client.post("/hazards", json={"kind": "pond", "geometry": pond()},
                       headers=patrol).status_code == 403


def test_patch_is_versioned_and_publishes_update_and_zone(client, hazards):
    hazard_id = client.post("/hazards", json={"kind": "pond", "geometry": pond(),
                                              "village_code": VILLAGE},
                            headers=auth()).json["id"]
    resp = client.patch(f"/hazards/{hazard_id}", json={"barrier": "present"}, headers=auth())
    assert resp.status_code == 200 and resp.json["version"] == 2
    assert len(outbox_events(hazards, "hazards.zone.changed.v1")) == 1  # outline unchanged
    resp = client.patch(f"/hazards/{hazard_id}", json={"kind": "reservoir"}, headers=auth())
    zones = outbox_events(hazards, "hazards.zone.changed.v1")
    assert [z["data"]["buffer_m"] for z in zones] == [100.0, 200.0]
    updated = outbox_events(hazards, "hazards.hazard.updated.v1")
    assert updated[-1]["data"]["protections"]["barrier"] == "present"
    versions = client.get(f"/hazards/{hazard_id}/versions", headers=auth()).json
    assert [v["action"] for v in versions] == ["created", "updated", "updated"]
    assert versions[1]["changes"] == {"barrier": ["missing", "present"]}
    assert versions[1]["changed_by"] == "staff-1"
    other = auth(Role.CHILD_DIRECTOR, frozenset({"500110120999"}))
    assert client.patch(f"/hazards/{hazard_id}", json={"name": "x"},
                        headers=other).status_code == 404
    assert client.delete(f"/hazards/{hazard_id}", headers=auth()).status_code == 204
    assert outbox_events(hazards, "hazards.hazard.retired.v1")[0]["data"]["hazard_id"] == hazard_id
    assert client.get(f"/hazards/{hazard_id}", headers=auth()).status_code == 404


def test_filters_bbox_kind_village_missing(client):
    def add(kind, lon, **extra):
        body = {"kind": kind, "geometry": pond(lon), "village_code": VILLAGE, **extra}
        return client.post("/hazards", json=body, headers=auth()).json["id"]

    a = add("pond", 106.60, barrier="present", warning_sign="present",
            rescue_equipment="present")
    b = add("pond", 106.70)
    c = add("river", 106.80, barrier="present")

    def ids(query):
        resp = client.get("/hazards?" + query, headers=auth(Role.PATROL_MEMBER))
        assert resp.status_code == 200, resp.json
        assert "crs" not in resp.json
        return {f["id"] for f in resp.json["features"]}

    assert ids("") == {a, b, c}
    assert ids("bbox=106.65,28.9,106.75,29.0") == {b}
    assert ids("kind=river") == {c}
    assert ids("kind=pond,river&missing=barrier") == {b}
    assert ids("missing=any") == {b, c}
    assert ids(f"village={VILLAGE}&missing=rescue_equipment") == {b, c}
    assert client.get("/hazards?bbox=1,2", headers=auth()).status_code == 422
    zones = client.get("/zones?kind=river", headers=auth()).json["features"]
    assert [z["properties"]["buffer_m"] for z in zones] == [200.0]
    assert json.dumps(zones)  # plain JSON
