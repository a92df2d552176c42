"""The station administrator's audit view over HTTP: query, export, verify, and the
report of people reading many children outside their caseload."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

from reg_helpers import OTHER_VILLAGE, VILLAGE, register_many, staff_check
from sqlalchemy import update

from services.registry.adapters.tables import audit_log
from shared.auth import Role

ENDPOINTS = ("/audit", "/audit/export", "/audit/verify", "/audit/unusual-readers")


def test_only_station_admins_see_the_trail(client, auth):
    for path in ENDPOINTS:
        assert client.get(path, headers=auth()).status_code == 200, path
        for role in Role:
            if role is not Role.STATION_ADMIN:
                assert client.get(path, headers=auth(role)).status_code == 403, (role, path)


def test_query_filters_and_pages_the_trail(client, auth):
    ids = register_many(client, auth(), 3)
    director = auth(Role.CHILD_DIRECTOR, frozenset({VILLAGE}), "dir-a")
    client.get(f"/children/{ids[0]}", headers=director)

    everything = client.get("/audit", headers=auth()).json
    assert everything["total"] == 4 and [r["action"] for r in everything["items"]] == [
        "read", "create", "create", "create"]
    read = everything["items"][0]
    assert (read["user_id"], read["role"], read["object_id"]) == ("dir-a", "child_director",
                                                                  ids[0])
    assert "name" in read["fields"] and "测试" not in str(read)  # field names, never values

    by_user = client.get("/audit?user=u-admin&action=create", headers=auth()).json
    assert by_user["total"] == 3 and {r["user_id"] for r in by_user["items"]} == {"u-admin"}
    by_child = client.get(f"/audit?object_type=child&object_id={ids[0]}", headers=auth()).json
    assert [r["action"] for r in by_child["items"]] == ["read", "create"]
    page2 = client.get("/audit?page=2&page_size=3", headers=auth()).json
    assert (page2["total"], len(page2["items"])) == (4, 1)
    assert page2["items"][0]["seq"] == min(r["seq"] for r in everything["items"])

    hour_ago = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
    assert client.get("/audit", query_string={"from": hour_ago},
                      headers=auth()).json["total"] == 4
    assert client.get("/audit", query_string={"to": hour_ago},
                      headers=auth()).json["total"] == 0
    assert client.get("/audit?page_size=201", headers=auth()).status_code == 422
    assert client.get("/audit?colour=red", headers=auth()).status_code == 422


def test_export_is_csv_and_is_itself_audited(client, auth):
    register_many(client, auth(), 2)
    resp = client.get("/audit/export?action=create", headers={**auth(),
                                                              "X-Purpose": "county inspection"})
    assert resp.status_code == 200 and resp.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(resp.data.decode("utf-8"))))
    assert [r["action"] for r in rows] == ["create", "create"]
    exports = client.get("/audit?object_type=audit_log", headers=auth()).json["items"]
    assert len(exports) == 1
    assert (exports[0]["action"], exports[0]["purpose"], exports[0]["fields"]) == (
        "export", "county inspection", ["filter:action"])
    assert exports[0]["object_id"] == f"{rows[-1]['seq']}-{rows[0]['seq']}"


def test_verify_names_a_tampered_row(client, auth, registry):
    register_many(client, auth(), 4)
    intact = client.get("/audit/verify", headers=auth()).json
    assert intact["intact"] and intact["breaks"] == [] and intact["head"]["seq"] == 4
    with registry.engine.begin() as conn:  # someone edits the trail behind the service
        conn.execute(update(audit_log).where(audit_log.c.seq == 2).values(user_id="nobody"))
    tampered = client.get("/audit/verify", headers=auth()).json
    assert not tampered["intact"]
    assert tampered["breaks"] == [{"seq": 2, "reason": "row content was altered"}]


def test_verify_with_an_anchor_catches_rows_removed_from_the_end(client, auth, registry):
    register_many(client, auth(), 3)
    head = client.get("/audit/verify", headers=auth()).json["head"]
    anchor = {"anchor_seq": head["seq"], "anchor_hash": head["row_hash"]}
    assert client.get("/audit/verify", query_string=anchor, headers=auth()).json["intact"]
    with registry.engine.begin() as conn:
        conn.execute(audit_log.delete().where(audit_log.c.seq == head["seq"]))
    assert client.get("/audit/verify", headers=auth()).json["intact"]  # shorter, still linked
    found = client.get("/audit/verify", query_string=anchor, headers=auth()).json
    assert [b["seq"] for b in found["breaks"]] == [head["seq"]]
    assert client.get("/audit/verify?anchor_seq=3", headers=auth()).status_code == 422


def test_unusual_readers_flags_a_director_reading_another_village(client, auth, registry):
    for director_id in ("dir-a", "dir-b"):  # a child's director has a valid check
        staff_check(registry, director_id)
    own = register_many(client, auth(), 2, child_director_id="dir-a")
    theirs = register_many(client, auth(), 22, village_code=OTHER_VILLAGE,
                           child_director_id="dir-b")
    roaming = auth(Role.CHILD_DIRECTOR, frozenset({VILLAGE, OTHER_VILLAGE}), "dir-a")
    neighbour = auth(Role.CHILD_DIRECTOR, frozenset({OTHER_VILLAGE}), "dir-b")
    for child_id in own + theirs:
        assert client.get(f"/children/{child_id}", headers=roaming).status_code == 200
    for child_id in theirs:
        client.get(f"/children/{child_id}", headers=neighbour)  # her own caseload

    found = client.get("/audit/unusual-readers?threshold=20", headers=auth()).json
    assert found == [{"user_id": "dir-a", "role": "child_director", "outside": 22,
                      "total": 24}]
    assert client.get("/audit/unusual-readers?threshold=22", headers=auth()).json == []
    assert client.get("/audit/unusual-readers?threshold=20&role=child_supervisor",
                      headers=auth()).json == []
    later = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    assert client.get("/audit/unusual-readers", query_string={"since": later},
                      headers=auth()).json == []
