"""The gateway's HTTP edge: privacy by role on JSON and HTML, forwarded check-ins,
plans and their files, the dashboard and its CSV."""

from __future__ import annotations

import gzip
import json
import re
import uuid
from datetime import date

import pytest
from gw_helpers import TOWNSHIP, apply, gateway, token, township_events

from services.gateway.entrypoints.api import create_app
from shared.auth import Role

NAME0 = json.dumps("测试塘0")[1:-1]  # the page writes names \u-escaped


class FakeService:
    def __init__(self):
        self.calls: list[tuple[str, str, dict]] = []

    def post(self, path, tok, body):
        self.calls.append((path, tok, body))
        return 201, {"ok": True}


@pytest.fixture
def client_and_hazards(tmp_path):
    gw = gateway(f"sqlite:///{tmp_path / 'gw.db'}")
    apply(gw, township_events())
    hazards, registry = FakeService(), FakeService()
    app = create_app(gw, hazards, registry)
    return app.test_client(), hazards, registry


def _ids(layers):
    return {f["id"] for f in layers["homes"]["features"]}


def test_station_staff_see_exact_homes_directors_their_village_patrols_only_cells(
        client_and_hazards):
    client, _, _ = client_and_hazards
    staff = client.get("/api/map/layers", headers=token()).get_json()
    assert len(_ids(staff)) == 39 and staff["view"] == "exact"
    director = client.get("/api/map/layers", headers=token(
        Role.CHILD_DIRECTOR, frozenset({"500110120202"}))).get_json()
    assert _ids(director) and all(f["properties"]["village_code"] == "500110120202"
                                  for f in director["homes"]["features"])
    patrol = client.get("/api/map/layers", headers=token(Role.PATROL_MEMBER))
    body = patrol.get_json()
    assert body["view"] == "cells" and not body["homes"]["features"]
    assert body["home_cells"]["features"], "some cell has at least 5 children"
    assert all(f["properties"]["count"] >= 5 for f in body["home_cells"]["features"])
    assert "child-" not in patrol.get_data(as_text=True)
    page = client.get("/map", headers=token(Role.PATROL_MEMBER)).get_data(as_text=True)
    assert "child-" not in page and NAME0 in page
    assert client.get("/api/map/layers", headers=token(Role.PATROL_MEMBER)).get_json() == body


def test_the_staff_page_carries_home_ids_and_hazard_names_and_needs_a_token(
        client_and_hazards):
    client, _, _ = client_and_hazards
    page = client.get("/map?lang=en", headers=token()).get_data(as_text=True)
    assert "home-child-000" in page and NAME0 in page and "Patrol points" in page
    assert "cdn.jsdelivr" not in page and "/static/leaflet/leaflet.js" in page
    assert client.get("/map").status_code == 401
    assert client.get("/api/overlay/children", headers=token(Role.PATROL_MEMBER)).status_code == 403


def test_a_township_with_nothing_known_yet_gets_an_empty_map_not_an_error(tmp_path):
    gw = gateway(f"sqlite:///{tmp_path / 'empty.db'}")
    client = create_app(gw, FakeService(), FakeService()).test_client()
    response = client.get("/map", headers=token())
    assert response.status_code == 200
    assert "shouhu-config" in response.get_data(as_text=True)


def test_overlay_rankings(client_and_hazards):
    client, _, _ = client_and_hazards
    hz = client.get("/api/overlay/hazards", headers=token(Role.PLANNER)).get_json()["hazards"]
    assert [h["exposure"] for h in hz] == sorted((h["exposure"] for h in hz), reverse=True)
    near = client.get("/api/overlay/children", headers=token()).get_json()["children"]
    assert any(c["water"] and c["water"]["distance_m"] >= 0 for c in near)


def test_checkins_are_forwarded_with_the_callers_token_and_member_id(client_and_hazards):
    client, hazards, registry = client_and_hazards
    headers = token(Role.PATROL_MEMBER, user_id="member-7")
    cid = str(uuid.uuid4())
    resp = client.post("/api/checkins", headers=headers, json={"checkins": [{
        "client_id": cid, "point_id": "pt-0", "checked_at": "2026-07-20T15:00:00+08:00",
        "location": {"lon": 106.65, "lat": 28.95, "accuracy_m": 12},
        "member_id": "someone-else", "severity": "urgent",
        "findings": [{"kind": "sign_missing"}]}]})
    assert resp.status_code == 201, resp.get_data(as_text=True)
    path, tok, body = hazards.calls[0]
    assert path == "/checkins"
    assert tok == headers["Authorization"][7:]
    assert body["checkins"][0]["member_id"] == "member-7"
    assert "severity" not in body["checkins"][0]  # only what the hazards API takes
    assert body["checkins"][0]["client_id"] == cid
    bad = client.post("/api/checkins", headers=headers, json={"checkins": [{"point_id": "x"}]})
    assert bad.status_code == 422 and len(hazards.calls) == 1
    director = token(Role.CHILD_DIRECTOR, frozenset({"500110120201"}), user_id="d1")
    visit = client.post("/api/children/child-003/visits", headers=director,
                        json={"visited_at": "2026-07-20T10:00:00+08:00", "notes": "ok"})
    assert visit.status_code == 201
    assert registry.calls == [("/children/child-003/visits", director["Authorization"][7:],
                               {"visited_at": "2026-07-20T10:00:00+08:00", "notes": "ok"})]
    assert client.post("/api/children/child-003/visits", headers=headers,
                       json={}).status_code == 403

def _plan_body(*members, **kw):
    return {"starts_on": "2026-07-20", "ends_on": "2026-07-22", "shift_hours": 2,
            "teams": [{"team_id": "A", "start": {"lon": 106.65, "lat": 28.95},
                       "members": [{"member_id": m} for m in members or ("m1",)]}], **kw}


def _patrol_members(client):
    """m1 checked clear; m2 never checked; m3 with a match; m4 of another township."""
    from services.gateway.identity.adapters.users import UserStore
    from services.gateway.identity.domain.identity import BackgroundCheck, User

    with client.application.extensions["shouhu_identity"].engine.begin() as conn:
        store = UserStore(conn)
        for uid, township, checks in (
                ("m1", TOWNSHIP, [BackgroundCheck(date(2026, 3, 1), "clear")]),
                ("m2", TOWNSHIP, []),
                ("m3", TOWNSHIP, [BackgroundCheck(date(2026, 3, 1), "clear"),
                                  BackgroundCheck(date(2026, 5, 1), "match")]),
                ("m4", "500110109", [BackgroundCheck(date(2026, 3, 1), "clear")])):
            store.add(User(uid, f"patrol.{uid}", Role.PATROL_MEMBER, township))
            for check in checks:
                store.add_check(uid, check, "test")


def test_a_plan_with_gpx_csv_sheet_phone_map_and_coverage(client_and_hazards):
    client, _, _ = client_and_hazards
    _patrol_members(client)
    refused = client.post("/api/plans", headers=token(Role.PLANNER), json=_plan_body())
    assert refused.status_code == 403  # planners change nothing (docs/security.md)
    resp = client.post("/api/plans", headers=token(Role.CHILD_SUPERVISOR), json=_plan_body())
    assert resp.status_code == 201, resp.get_data(as_text=True)
    plan = resp.get_json()
    team = plan["teams"][0]
    assert team["members"] == ["m1"] and plan["excluded"] == []
    assert plan["metric"] in {"road_network", "straight_line"}
    top = client.get("/api/overlay/hazards", headers=token()).get_json()["hazards"][0]
    first = [s["point_id"] for s in team["shifts"][0]["stops"]]
    assert "pt-" + top["hazard_id"][3:] in first  # the most exposed hazard first
    base = f"/plans/{plan['plan_id']}/teams/A"
    patrol = token(Role.PATROL_MEMBER)
    gpx = client.get(base + "/route.gpx", headers=patrol).get_data(as_text=True)
    assert "<rtept" in gpx and "<trkpt" in gpx and "测试塘" in gpx and "pt-" not in gpx
    csv = client.get(base + "/route.csv", headers=patrol).get_data(as_text=True)
    assert csv.splitlines()[0].startswith("\ufeff日期 day,") and "测试塘" in csv
    page = client.get(base + "/sheet", headers=patrol)
    assert "'unsafe-inline'" not in page.headers["Content-Security-Policy"]
    assert "style-src 'self' 'sha256-" in page.headers["Content-Security-Policy"]
    sheet = page.get_data(as_text=True)
    assert "@media print" in sheet and "测试塘" in sheet and "pt-0" not in sheet
    assert "<svg" in sheet and "签字" in sheet
    layers = client.get(f"/api/map/layers?plan={plan['plan_id']}&team=A",
                        headers=patrol).get_json()
    assert layers["route"]["features"][0]["geometry"]["type"] == "LineString"
    cov = client.get(f"/api/plans/{plan['plan_id']}/coverage", headers=token()).get_json()
    assert cov["planned_points"] >= 1 and cov["checked_points"] == 0
    assert client.get(base.replace("/A", "/Z") + "/route.csv", headers=patrol).status_code == 404


def test_a_plan_takes_its_visit_frequencies_from_the_request(client_and_hazards):
    client, _, _ = client_and_hazards
    _patrol_members(client)
    body = _plan_body(frequency={"in_season": {"none": 2}, "floor_days": 3})
    plan = client.post("/api/plans", headers=token(), json=body).get_json()
    assert plan["frequency"]["floor_days"] == 3
    assert dict(plan["frequency"]["in_season"]) == {"high": 2, "medium": 7, "none": 2}
    bad = client.post("/api/plans", headers=token(), json=_plan_body(
        frequency={"in_season": {"high": 0}}))
    assert bad.status_code == 422 and "frequency" in bad.get_json()["errors"]["json"]


def test_a_plan_refuses_members_without_a_valid_check_from_the_identity_store(
        client_and_hazards):
    client, _, _ = client_and_hazards
    _patrol_members(client)
    resp = client.post("/api/plans", headers=token(), json=_plan_body(
        "m1", "m2", "m3", "m4", "no-such-user"))
    assert resp.status_code == 422
    why = resp.get_json()["errors"]["json"]["members"][0]
    for expected in ("patrol.m2: 无从业查询记录", "patrol.m3: 从业查询发现违法犯罪记录",
                     "m4: 无此人员", "no-such-user: 无此人员"):
        assert expected in why
    assert "patrol.m1" not in why
    # the caller cannot vouch for a check or stretch its validity any more
    forged = _plan_body("m2")
    forged["teams"][0]["members"][0].update(check_date="2026-03-01", check_result="clear")
    assert client.post("/api/plans", headers=token(), json={
        **forged, "check_validity_days": 3650}).status_code == 422
    late = _plan_body("m1", starts_on="2027-07-20", ends_on="2027-07-22")  # expired by then
    assert "从业查询已过期" in client.post("/api/plans", headers=token(), json=late
                                          ).get_json()["errors"]["json"]["members"][0]


def test_dashboard_html_json_and_csv(client_and_hazards):
    client, _, _ = client_and_hazards
    figures = client.get("/api/dashboard", headers=token()).get_json()
    fix = figures["protections"]
    assert [r["exposure"] for r in fix] == sorted((r["exposure"] for r in fix), reverse=True)
    assert {r["protection"] for r in fix} == {"barrier", "warning_sign"}  # not cut by type
    top = figures["hazards"][0]
    assert (fix[0]["hazard_id"], fix[0]["protection"]) == (top["hazard_id"], "warning_sign")
    assert fix[0]["village_name"] == "崇恩村" and fix[0]["state"] == "damaged"
    assert figures["overdue"] == [{"village_code": "500110120201", "village_name": "崇恩村",
                                   "overdue_visits": 2}]
    assert figures["findings"][0]["kind"] == "children_at_water"
    page = client.get("/dashboard", headers=token()).get_data(as_text=True)
    assert "测试塘" in page and "child-" not in page
    outside_map = re.sub(r"<[^>]+>", " ", page.split("<iframe")[0] + page.split("</iframe>")[1])
    assert "警示牌" in outside_map and "损坏" in outside_map and "池塘" in outside_map
    assert "崇恩村" in outside_map and "儿童在水边" in outside_map
    assert "暴露度 = " in outside_map and "风险等级（高 3、中 2、低 1）" in outside_map
    for caption in ("每日签到与计划", "高暴露巡查点每周覆盖率", "各村整改任务",
                    "每周发现儿童在水边"):
        assert caption in outside_map, caption
    assert page.count('<svg class="chart"') == 4 and "派给村委会" in outside_map
    for code in ("warning_sign", "barrier", "rescue_equipment", "pond", "road_crossing",
                 "children_at_water", "damaged", "500110120201"):
        assert code not in outside_map, code
    english = client.get("/dashboard?lang=en", headers=token()).get_data(as_text=True)
    assert "warning sign" in english and "Exposure = the sum" in english
    csv = client.get("/dashboard/hazards.csv", headers=token()).get_data(as_text=True)
    assert csv.startswith("hazard_id,kind,name")
    assert client.get("/dashboard", headers=token(Role.PATROL_MEMBER)).status_code == 403


def test_text_answers_are_gzipped_for_clients_that_accept_it(client_and_hazards):
    client, _, _ = client_and_hazards
    headers = {**token(Role.PATROL_MEMBER), "Accept-Encoding": "gzip"}
    page = client.get("/map", headers=headers)
    assert page.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(page.get_data()).startswith(b"<!DOCTYPE html>")
    leaflet = client.get("/static/leaflet/leaflet.js", headers=headers)
    assert len(leaflet.get_data()) < 60_000 < len(gzip.decompress(leaflet.get_data()))
    assert "Content-Encoding" not in client.get("/map", headers=token()).headers
