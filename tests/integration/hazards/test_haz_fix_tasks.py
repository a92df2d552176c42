"""隐患整改 in the hazards service on SQLite and PostgreSQL: a missing protection is
assigned to the village with a due date, reported fixed with a photo (EXIF removed),
found still broken by a patrol, reported again and confirmed; the hazard's protection is
then present, every step an event; an overdue task is announced once per due date."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta

from haz_helpers import VILLAGE, auth, outbox_events, pond
from PIL import Image

from services.hazards.adapters.patrol_repository import FindingRepository
from services.hazards.domain.checkins import Finding
from services.hazards.service_layer.fix_tasks import scan_overdue
from shared.auth import Role
from shared.clock import township_today

DIRECTOR = auth(Role.CHILD_DIRECTOR, frozenset({VILLAGE}), "director-1")
PATROL = auth(Role.PATROL_MEMBER, user_id="patrol-1")


def _photo() -> bytes:
    raw = io.BytesIO()
    exif = Image.Exif()
    exif[0x0110] = "PhoneModel"
    Image.new("RGB", (32, 24), "green").save(raw, "JPEG", exif=exif)
    return raw.getvalue()


def _hazard(client) -> str:  # type: ignore[no-untyped-def]
    resp = client.post("/hazards", headers=auth(), json={
        "kind": "pond", "name": "整改塘", "geometry": pond(), "village_code": VILLAGE,
        "barrier": "missing", "warning_sign": "damaged", "rescue_equipment": "present"})
    assert resp.status_code == 201, resp.json
    return resp.json["id"]


def _fixed(client, task_id: str, photo: bytes | None = None):  # type: ignore[no-untyped-def]
    data = {"note": "已加装护栏"}
    if photo is not None:
        data["photo"] = (io.BytesIO(photo), "fix.jpg")  # type: ignore[assignment]
    return client.post(f"/fix-tasks/{task_id}/fixed", headers=DIRECTOR, data=data,
                       content_type="multipart/form-data")


def _statuses(hazards) -> list[str]:  # type: ignore[no-untyped-def]
    return [e["data"]["status"] for e in outbox_events(
        hazards, "hazards.fix_task.reported_fixed.v1") + outbox_events(
        hazards, "hazards.fix_task.confirmed.v1")]


def test_a_missing_barrier_is_assigned_reported_checked_and_confirmed(client, hazards):
    hazard_id = _hazard(client)
    due = (date.today() + timedelta(days=7)).isoformat()
    body = {"hazard_id": hazard_id, "protection": "barrier", "due_on": due}
    assert client.post("/fix-tasks", headers=DIRECTOR, json=body).status_code == 403
    made = client.post("/fix-tasks", headers=auth(), json=body)
    assert made.status_code == 201, made.json
    task = made.json
    assert (task["status"], task["problem"], task["assigned_to"]) == (
        "assigned", "missing", "village_committee")
    again = client.post("/fix-tasks", headers=auth(), json=body)
    assert again.status_code == 409 and again.json["errors"] == {"task_id": task["id"]}
    in_place = client.post("/fix-tasks", headers=auth(), json={
        **body, "protection": "rescue_equipment"})
    assert in_place.status_code == 409 and "protection" in in_place.json["errors"]["json"]
    [assigned] = outbox_events(hazards, "hazards.fix_task.assigned.v1")
    assert assigned["data"]["due_on"] == due and assigned["subject"] == task["id"]

    no_photo = _fixed(client, task["id"])
    assert no_photo.status_code == 409 and "photo" in no_photo.json["errors"]["json"]
    assert _fixed(client, task["id"], _photo()).json["status"] == "reported_fixed"
    shot = client.get(f"/fix-tasks/{task['id']}/photo", headers=PATROL)
    assert shot.status_code == 200 and not Image.open(io.BytesIO(shot.data)).getexif()
    url = f"/fix-tasks/{task['id']}/confirmation"
    vague = client.post(url, headers=PATROL, json={"fixed": False})
    assert vague.status_code == 409 and "note" in vague.json["errors"]["json"]
    still = client.post(url, headers=PATROL, json={"fixed": False, "note": "护栏缺一段"})
    assert still.json["status"] == "assigned" and still.json["confirm_note"] == "护栏缺一段"
    _fixed(client, task["id"], _photo())
    done = client.post(url, headers=PATROL, json={"fixed": True})
    assert done.status_code == 200 and done.json["status"] == "confirmed"
    hazard = client.get(f"/hazards/{hazard_id}", headers=auth()).json
    assert hazard["protections"]["barrier"] == "present"
    assert hazard["missing"] == ["warning_sign"]
    assert _statuses(hazards) == ["reported_fixed", "reported_fixed", "assigned", "confirmed"]
    updated = outbox_events(hazards, "hazards.hazard.updated.v1")
    assert updated[-1]["data"]["protections"]["barrier"] == "present"
    listed = client.get("/fix-tasks?status=confirmed", headers=DIRECTOR).json
    assert [t["id"] for t in listed["items"]] == [task["id"]] and listed["total"] == 1
    other = auth(Role.CHILD_DIRECTOR, frozenset({"500110120202"}), "director-2")
    assert client.get("/fix-tasks", headers=other).json["total"] == 0
    assert client.post(url, headers=other, json={"fixed": True}).status_code == 404


def test_a_finding_becomes_a_task_and_an_overdue_task_is_announced_once(client, hazards):
    hazard_id = _hazard(client)
    finding = Finding(kind="sign_missing")
    with hazards.engine.begin() as conn:  # as a patrol's check-in records it
        FindingRepository(conn).add(finding, hazard_id=hazard_id, point_id="",
                                    village_code=VILLAGE, reported_at=datetime.now(UTC))
    today = township_today()  # the due date is the township's, not UTC's
    made = client.post("/fix-tasks", headers=auth(), json={
        "finding_id": finding.id, "due_on": today.isoformat()})
    assert made.status_code == 201, made.json
    assert (made.json["protection"], made.json["problem"]) == ("warning_sign", "damaged")
    assert scan_overdue(hazards.uow(), today) == []  # due today: not late yet
    assert scan_overdue(hazards.uow(), today + timedelta(days=1)) == [made.json["id"]]
    assert scan_overdue(hazards.uow(), today + timedelta(days=2)) == []  # once
    [late] = outbox_events(hazards, "hazards.fix_task.overdue.v1")
    assert late["data"]["protection"] == "warning_sign"
