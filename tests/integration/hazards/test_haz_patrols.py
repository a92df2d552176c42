"""Patrol points, check-ins (idempotent under concurrent retries) and photos."""

from __future__ import annotations

import io
import threading
import uuid
from datetime import UTC, datetime

from haz_helpers import VILLAGE, auth, outbox_events, pond
from PIL import Image
from sqlalchemy import func, select

from services.hazards.adapters.tables import checkins, homes
from services.hazards.entrypoints.api import create_app
from shared.auth import Role
from shared.events.envelope import CloudEvent

PATROL = auth(Role.PATROL_MEMBER, user_id="member-7")


def _home(hazards, child_id: str, lon: float, lat: float) -> None:  # type: ignore[no-untyped-def]
    event = CloudEvent(type="registry.child.registered.v1", source="/t", subject=child_id,
                       data={"child_id": child_id, "village_code": VILLAGE,
                             "home": {"lon": lon, "lat": lat}, "age_band": "3-5",
                             "risk_grade": "high", "categories": [], "living_alone": False})
    with hazards.engine.begin() as conn:
        hazards.handlers()[event.type](conn, event)


def _setup_points(client, hazards) -> dict[str, dict]:  # type: ignore[no-untyped-def]
    pond_id = client.post("/hazards", json={"kind": "pond", "geometry": pond(106.65, 28.95),
                                            "village_code": VILLAGE}, headers=auth()).json["id"]
    road = {"type": "LineString", "coordinates": [[106.649, 28.9505], [106.652, 28.9505]]}
    client.post("/hazards", json={"kind": "road_no_barrier", "geometry": road}, headers=auth())
    spot = {"type": "Point", "coordinates": [106.70, 28.90]}
    client.post("/hazards", json={"kind": "swimming_spot", "geometry": spot}, headers=auth())
    for i in range(3):  # a cluster of homes ~300 m east of the pond
        _home(hazards, f"child-{i}", 106.6545 + 0.0003 * i, 28.9505)
    resp = client.post("/patrol-points/generate", headers=auth())
    assert resp.status_code == 200, resp.json
    assert resp.json["created"] == 4  # 1 home cluster + 2 crossings + 1 swimming spot
    assert resp.json["homes"] == 3  # what the demo waits for: every home has arrived
    points = client.get("/patrol-points", headers=PATROL).json
    return {p["reason"] + str(i): p for i, p in enumerate(points)} | {"pond": {"id": pond_id}}


def test_generating_before_any_home_is_known_plans_only_crossings_and_spots(client):
    spot = {"type": "Point", "coordinates": [106.70, 28.90]}
    client.post("/hazards", json={"kind": "swimming_spot", "geometry": spot}, headers=auth())
    resp = client.post("/patrol-points/generate", headers=auth())
    assert resp.status_code == 200, resp.json
    assert resp.json["created"] == 1
    assert resp.json["homes"] == 0


def test_points_generated_from_homes_crossings_and_spots(client, hazards):
    points = _setup_points(client, hazards)
    home = next(p for k, p in points.items() if k.startswith("home_cluster"))
    assert home["hazard_id"] == points["pond"]["id"]
    assert abs(home["lon"] - 106.651) < 1e-5  # on the pond's east edge, nearest the homes
    assert home["schedule"] == "months=6-8;summer=daily;other=weekly;window=13:00-18:00"
    assert home["due"] is True
    with hazards.engine.connect() as conn:
        assert set(homes.c.keys()) == {"child_id", "village_code", "location"}
        assert conn.execute(select(func.count()).select_from(homes)).scalar() == 3
    again = client.post("/patrol-points/generate", headers=auth()).json
    assert again == {"created": 0, "moved": 0, "deactivated": 0, "unchanged": 4, "homes": 3}
    events = outbox_events(hazards, "hazards.patrol_point.changed.v1")
    assert len(events) == 4 and {e["data"]["reason"] for e in events} == {
        "home_cluster", "crossing", "swimming_spot"}
    resp = client.patch(f"/patrol-points/{home['id']}", headers=auth(),
                        json={"schedule": "months=5-9;summer=daily;other=monthly"})
    assert resp.status_code == 200 and resp.json["schedule"].startswith("months=5-9")
    bad = client.patch(f"/patrol-points/{home['id']}", headers=auth(),
                       json={"schedule": "every full moon"})
    assert bad.status_code == 422 and "schedule" in bad.json["errors"]["json"]


def _item(point: dict, client_id: str, **over) -> dict:
    return {"client_id": client_id, "point_id": point["id"], "member_id": "member-7",
            "checked_at": datetime.now(UTC).isoformat(),
            "location": {"lon": point["lon"] + 0.0002, "lat": point["lat"], "accuracy_m": 8},
            "duration_s": 300, "track": [[point["lon"], point["lat"]],
                                         [point["lon"] + 0.001, point["lat"]]],
            "findings": [{"kind": "children_at_water", "action": "reminded"},
                         {"kind": "sign_missing"}], **over}


def test_checkin_batch_findings_and_refusals(client, hazards):
    point = next(p for k, p in _setup_points(client, hazards).items()
                 if k.startswith("home_cluster"))
    far = _item(point, "far-away-0001", location={"lon": point["lon"] + 0.01,
                                                  "lat": point["lat"]})
    flagged = {**far, "client_id": "far-flagged-01", "off_point_reason": "bank flooded"}
    other = _item(point, "someone-else-1", member_id="member-8")
    resp = client.post("/checkins", headers=PATROL, json={"checkins": [
        _item(point, "phone-0001"), far, flagged, other]})
    assert resp.status_code == 200, resp.json
    status = {r["client_id"]: r["status"] for r in resp.json["results"]}
    assert status == {"phone-0001": "created", "far-away-0001": "refused",
                      "far-flagged-01": "created", "someone-else-1": "refused"}
    refused = resp.json["results"][1]["errors"]["location"][0]
    assert "off_point_reason" in refused
    checked = outbox_events(hazards, "hazards.patrol.checked_in.v1")
    assert len(checked) == 2 and 95 < checked[0]["data"]["track_m"] < 100
    findings = outbox_events(hazards, "hazards.finding.reported.v1")
    assert sorted((f["data"]["kind"], f["data"]["severity"]) for f in findings)[:2] == [
        ("children_at_water", "urgent"), ("children_at_water", "urgent")]
    assert {f["data"]["village_code"] for f in findings} == {VILLAGE}
    due = client.get("/patrol-points?due=true", headers=PATROL).json
    assert point["id"] not in {p["id"] for p in due}  # checked today


def test_concurrent_retries_record_one_checkin(client, hazards):
    point = next(p for k, p in _setup_points(client, hazards).items()
                 if k.startswith("crossing"))
    body = {"checkins": [_item(point, "retry-" + uuid.uuid4().hex[:10])]}
    app = create_app(hazards)
    results: list[dict] = []
    barrier = threading.Barrier(6)

    def send() -> None:
        c = app.test_client()
        barrier.wait()
        results.append(c.post("/checkins", headers=PATROL, json=body).json["results"][0])

    threads = [threading.Thread(target=send) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(r["status"] for r in results) == ["created"] + ["duplicate"] * 5
    assert len({r["checkin_id"] for r in results}) == 1
    with hazards.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(checkins)).scalar() == 1
    assert len(outbox_events(hazards, "hazards.patrol.checked_in.v1")) == 1


def test_photo_is_stripped_of_exif(client, hazards):
    point = next(p for k, p in _setup_points(client, hazards).items()
                 if k.startswith("swimming"))
    client.post("/checkins", headers=PATROL, json={"checkins": [_item(point, "photo-00001",
                                                                      findings=[])]})
    img = Image.new("RGB", (64, 48), "blue")
    exif = Image.Exif()
    exif[0x8825] = {2: (28.0, 57.0, 0.0), 4: (106.0, 39.0, 0.0)}  # GPSInfo
    exif[0x0110] = "PhoneModel"
    raw = io.BytesIO()
    img.save(raw, "JPEG", exif=exif)
    assert Image.open(io.BytesIO(raw.getvalue())).getexif()
    resp = client.post("/checkins/photo-00001/photo", headers=PATROL,
                       data={"photo": (io.BytesIO(raw.getvalue()), "p.jpg")},
                       content_type="multipart/form-data")
    assert resp.status_code == 201, resp.json
    with hazards.engine.connect() as conn:
        stored = conn.execute(select(checkins.c.photo, checkins.c.photo_type)).one()
    assert stored.photo_type == "image/jpeg"
    assert not Image.open(io.BytesIO(stored.photo)).getexif()
    big = client.post("/checkins/photo-00001/photo", headers=PATROL,
                      data={"photo": (io.BytesIO(b"\xff" * 300 * 1024), "p.jpg")},
                      content_type="multipart/form-data")
    assert big.status_code == 413


def test_a_patrol_member_cannot_replace_anothers_check_in_photo(client, hazards):
    point = next(p for k, p in _setup_points(client, hazards).items()
                 if k.startswith("swimming"))
    client.post("/checkins", headers=PATROL, json={"checkins": [_item(point, "photo-00002",
                                                                      findings=[])]})
    raw = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(raw, "PNG")
    other = auth(Role.PATROL_MEMBER, user_id="member-8")
    resp = client.post("/checkins/photo-00002/photo", headers=other,
                       data={"photo": (io.BytesIO(raw.getvalue()), "p.png")},
                       content_type="multipart/form-data")
    assert resp.status_code == 404  # another's check-in reads as absent
    with hazards.engine.connect() as conn:
        assert conn.execute(select(checkins.c.photo)).scalar() is None
    staff = client.post("/checkins/photo-00002/photo", headers=auth(),
                        data={"photo": (io.BytesIO(raw.getvalue()), "p.png")},
                        content_type="multipart/form-data")
    assert staff.status_code == 201  # station staff record for their teams
