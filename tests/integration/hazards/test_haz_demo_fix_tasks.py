"""The demo's fix tasks told through the hazards service layer (``shouhu demo
fix-tasks``) on SQLite and PostgreSQL: every state, one overdue, each step an event, the
confirmed fix's protection present, and the same script replayed changes nothing."""

from __future__ import annotations

from datetime import date

from haz_helpers import VILLAGE, auth, outbox_events, pond

from infra.demo_fix_tasks import replay
from infra.demogen.fix_tasks import STORY, fix_task_script
from shared.clock import township_today, township_zone

USERS = {"station": "staff-1", "village": "director-1", "patrol": "patrol-1"}


def _gaps(client) -> list[dict]:  # type: ignore[no-untyped-def]
    gaps = []
    for k in range(len(STORY) + 1):
        resp = client.post("/hazards", headers=auth(), json={
            "kind": "pond", "name": f"演示塘{k}", "geometry": pond(106.65 + 0.002 * k),
            "village_code": VILLAGE, "barrier": "missing", "warning_sign": "present",
            "rescue_equipment": "present"})
        assert resp.status_code == 201, resp.json
        gaps.append({"hazard_id": resp.json["id"], "protection": "barrier"})
    return gaps


def test_the_demo_tells_fix_tasks_in_every_state_once(client, hazards):
    today = township_today()
    script = fix_task_script(_gaps(client), today, township_zone())
    assert replay(hazards, script, USERS) == {"fix_tasks": len(STORY), "overdue": 1}
    tasks = client.get("/fix-tasks", headers=auth(), query_string={"page_size": 50}).json
    states = sorted(t["status"] for t in tasks["items"])
    assert states == ["assigned"] * 3 + ["confirmed"] + ["reported_fixed"] * 2
    late = [t for t in tasks["items"] if t["status"] == "assigned"
            and date.fromisoformat(t["due_on"]) < today]
    assert len(late) == 1
    [overdue] = outbox_events(hazards, "hazards.fix_task.overdue.v1")
    assert overdue["data"]["task_id"] == late[0]["id"]
    [done] = [t for t in tasks["items"] if t["status"] == "confirmed"]
    assert client.get(f"/hazards/{done['hazard_id']}", headers=auth()
                      ).json["protections"]["barrier"] == "present"
    assert len(outbox_events(hazards, "hazards.fix_task.reported_fixed.v1")) == 3
    assert replay(hazards, script, USERS) == {"fix_tasks": 0, "overdue": 0}
    assert client.get("/fix-tasks", headers=auth()).json["total"] == len(STORY)
