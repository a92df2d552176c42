"""A case through the five-step response over HTTP, with its events."""

from __future__ import annotations

import json

from reg_helpers import OTHER_VILLAGE, VILLAGE, child_body, register_many
from sqlalchemy import select

from services.registry.adapters.tables import outbox
from shared.access import CASE_FIELDS
from shared.auth import Role


def types(registry):
    with registry.engine.connect() as conn:
        return [r.type for r in conn.execute(select(outbox.c.type).order_by(outbox.c.seq))
                if r.type.startswith("registry.case.")]


def test_case_flow_with_approval_checklist_and_referral(client, auth, registry):
    director = auth(Role.CHILD_DIRECTOR, frozenset({VILLAGE}), "u-director")
    supervisor = auth(Role.CHILD_SUPERVISOR, user="u-supervisor")
    child = client.post("/children", json=child_body(), headers=director).json
    opened = client.post("/cases", json={"child_id": child["id"], "situation": "missing",
                                         "report": {"duty_holder": "school"}}, headers=director)
    assert opened.status_code == 201, opened.json
    case = opened.json
    assert case["step"] == "report" and case["mandatory_report"] is True
    assert case["report"]["reporter"] == "u-director"
    url = f"/cases/{case['id']}"

    def move(to, headers=director, **extra):
        return client.post(url + "/transitions", json={"to_step": to, **extra}, headers=headers)

    assert move("guardianship_intervention").status_code == 409  # not from report
    assert move("emergency").status_code == 200
    refused = move("assessment")
    assert refused.status_code == 409 and "checklist" in refused.json["message"]
    done = move("assessment", checklist_done=["start_fast_missing_child_search",
                                              "inform_township"],
                report={"police_handover_at": "2026-11-25T10:00:00+08:00"})
    assert done.status_code == 200 and done.json["report"]["police_handover_at"]
    assert move("assistance").status_code == 403  # a director cannot close assessment
    assert move("assistance", supervisor).status_code == 200
    referral = client.post(url + "/referrals", json={"unit": "police"}, headers=director)
    assert referral.status_code == 201 and referral.json["open"] is True
    blocked = move("closed", supervisor, outcome="found safe")
    assert blocked.status_code == 409 and "referrals" in blocked.json["message"]
    police = auth(Role.POLICE_LIAISON, user="u-police")
    fb = client.post(f"{url}/referrals/{referral.json['id']}/feedback",
                     json={"feedback": "已找到"}, headers=police)
    assert fb.status_code == 200 and fb.json["referrals"][0]["open"] is False
    closed = move("closed", supervisor, outcome="found safe")
    assert closed.status_code == 200 and closed.json["outcome"] == "found safe"
    assert [h["step"] for h in closed.json["history"]] == [
        "report", "emergency", "assessment", "assistance", "closed"]
    assert types(registry) == ["registry.case.opened.v1"] + ["registry.case.transitioned.v1"] * 3 \
        + ["registry.case.referred.v1", "registry.case.transitioned.v1",
           "registry.case.closed.v1"]
    assert move("monitoring", supervisor).status_code == 409


def test_cases_are_scoped_and_unknown_fields_refused(client, auth, registry):
    child = client.post("/children", json=child_body(), headers=auth()).json
    case = client.post("/cases", json={"child_id": child["id"], "situation": "none"},
                       headers=auth()).json
    other = auth(Role.CHILD_DIRECTOR, frozenset({"500110120202"}), "u-other")
    assert client.get(f"/cases/{case['id']}", headers=other).status_code == 404
    assert client.get("/cases", headers=other).json["items"] == []
    assert client.get("/cases", headers=other).json["total"] == 0
    assert client.post("/cases", json={"child_id": child["id"], "situation": "none",
                                       "urgent": True}, headers=auth()).status_code == 422
    with registry.engine.connect() as conn:
        payload = json.loads(conn.execute(select(outbox.c.payload).where(
            outbox.c.type == "registry.case.opened.v1")).scalar_one())
    assert payload["subject"] == case["id"] and "name" not in json.dumps(payload["data"])


def test_the_note_of_an_opened_case_stays_with_its_first_step_and_out_of_events(
        client, auth, registry):
    director = auth(Role.CHILD_DIRECTOR, frozenset({VILLAGE}), "u-director")
    child = client.post("/children", json=child_body(), headers=director).json
    body = {"child_id": child["id"], "situation": "guardian_incapable"}
    too_long = client.post("/cases", json={**body, "note": "x" * 2001}, headers=director)
    assert too_long.status_code == 422 and "note" in too_long.json["errors"]["json"]
    opened = client.post("/cases", json={**body, "note": "祖母卧病在床"}, headers=director)
    assert opened.status_code == 201, opened.json
    assert opened.json["history"][0]["note"] == "祖母卧病在床"
    with registry.engine.connect() as conn:
        events = [r.payload for r in conn.execute(select(outbox.c.payload))]
    assert any("guardian_incapable" in p for p in events)  # read in clear here
    assert not any("祖母" in p for p in events)


def _open_cases(client, headers, n):  # type: ignore[no-untyped-def]
    """``n`` cases, one per new child, in the order they were opened."""
    return [client.post("/cases", json={"child_id": child_id, "situation": "none"},
                        headers=headers).json["id"]
            for child_id in register_many(client, headers, n)]


def test_cases_are_paged_newest_first_at_most_50_a_page(client, auth):
    opened = _open_cases(client, auth(), 51)
    first = client.get("/cases", headers=auth()).json
    assert (first["page"], first["page_size"], first["total"]) == (1, 50, 51)
    last = client.get("/cases?page=2", headers=auth()).json
    assert [c["id"] for c in first["items"] + last["items"]] == opened[::-1]
    small = client.get("/cases?page=3&page_size=2", headers=auth()).json
    assert [c["id"] for c in small["items"]] == opened[::-1][4:6]
    assert client.get("/cases?page_size=51", headers=auth()).status_code == 422
    assert client.get("/cases?page=0", headers=auth()).status_code == 422


def test_a_page_of_cases_is_scoped_and_each_case_shown_is_an_audited_read(client, auth):
    mine = _open_cases(client, auth(), 3)
    other_village = auth(Role.STATION_ADMIN, user="u-admin-2")
    elsewhere = client.post("/children", json=child_body(village_code=OTHER_VILLAGE),
                            headers=other_village).json["id"]
    client.post("/cases", json={"child_id": elsewhere, "situation": "none"},
                headers=other_village)
    director = auth(Role.CHILD_DIRECTOR, frozenset({VILLAGE}), "u-director")
    page = client.get("/cases?page_size=2&step=monitoring", headers=director).json
    assert page["total"] == 3 and [c["id"] for c in page["items"]] == mine[:0:-1]
    by_child = client.get(f"/cases?child_id={elsewhere}", headers=director).json
    assert by_child == {"items": [], "page": 1, "page_size": 50, "total": 0}
    reads = client.get("/audit?action=read&object_type=case", headers=auth()).json["items"]
    assert sorted(r["object_id"] for r in reads) == sorted(mine[1:])
    assert {(r["user_id"], tuple(r["fields"])) for r in reads} == {
        ("u-director", tuple(sorted(CASE_FIELDS)))}  # every field the page sent


def test_a_director_asks_for_approval_and_a_supervisor_returns_then_approves(
        client, auth, registry):
    director = auth(Role.CHILD_DIRECTOR, frozenset({VILLAGE}), "u-director")
    supervisor = auth(Role.CHILD_SUPERVISOR, user="u-supervisor")
    child = client.post("/children", json=child_body(), headers=director).json
    case = client.post("/cases", json={"child_id": child["id"], "situation": "living_alone"},
                       headers=director).json
    url = f"/cases/{case['id']}"
    skipped = client.post(url + "/transitions", json={"to_step": "assessment"},
                          headers=supervisor)
    assert skipped.status_code == 409 and "emergency handling" in skipped.json["message"]
    client.post(url + "/transitions", json={"to_step": "emergency"}, headers=director)
    done = client.post(url + "/transitions", headers=director, json={
        "to_step": "assessment", "checklist_done": [
            "order_parents_back_or_name_caregiver", "admonish_parents", "inform_township"]})
    assert done.status_code == 200, done.json
    ask = client.post(url + "/approval-requests", headers=director,
                      json={"to_step": "assistance", "note": "评估完成，建议帮扶"})
    assert ask.status_code == 200 and ask.json["awaiting_approval"]["to_step"] == "assistance"
    assert client.post(url + "/approval-requests/decision", headers=director,
                       json={"decision": "approve"}).status_code == 403
    waiting = client.get("/cases?awaiting_approval=true", headers=supervisor).json
    assert [c["id"] for c in waiting["items"]] == [case["id"]]
    no_note = client.post(url + "/approval-requests/decision", headers=supervisor,
                          json={"decision": "return"})
    assert no_note.status_code == 409 and "note" in no_note.json["message"]
    returned = client.post(url + "/approval-requests/decision", headers=supervisor,
                           json={"decision": "return", "note": "请补充家访记录"})
    assert returned.status_code == 200 and returned.json["step"] == "assessment"
    assert returned.json["approvals"][0]["decision_note"] == "请补充家访记录"
    assert client.get("/cases?awaiting_approval=true", headers=supervisor).json["total"] == 0
    client.post(url + "/approval-requests", headers=director, json={"to_step": "assistance"})
    approved = client.post(url + "/approval-requests/decision", headers=supervisor,
                           json={"decision": "approve"})
    assert approved.status_code == 200 and approved.json["step"] == "assistance"
    assert approved.json["history"][-1]["approved_by"] == "u-supervisor"
    assert approved.json["owner_id"] == "u-director"
    assert types(registry)[-5:] == [
        "registry.case.approval_requested.v1", "registry.case.approval_decided.v1",
        "registry.case.approval_requested.v1", "registry.case.approval_decided.v1",
        "registry.case.transitioned.v1"]
