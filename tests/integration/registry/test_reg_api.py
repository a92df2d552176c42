"""The registry API on SQLite and PostgreSQL: validation, scope, masking, audit, ETag."""

from __future__ import annotations

from datetime import date, timedelta

from reg_helpers import OTHER_VILLAGE, VILLAGE, child_body, events
from sqlalchemy import select

from services.registry.adapters.tables import audit_log, child_revisions
from services.registry.domain.identity import check_character
from shared.audit import verify_chain
from shared.auth import Role

ID_FIRST17 = "50011020160501002"
ID_NUMBER = ID_FIRST17 + check_character(ID_FIRST17)


def test_register_minimal_child_publishes_registered_and_risk(client, auth, registry):
    resp = client.post("/children", json=child_body(), headers=auth())
    assert resp.status_code == 201, resp.json
    body = resp.json
    assert resp.headers["ETag"] == '"1"' and body["age_band"] == "6-11"
    assert body["risk_grade"] in ("low", "medium", "high") and body["next_visit_due"]
    [registered] = events(registry, "registry.child.registered.v1")
    assert registered["child_id"] == body["id"] and registered["living_alone"] is False
    [risk] = events(registry, "registry.child.risk_changed.v1")
    assert risk["previous_grade"] is None and risk["risk_grade"] == body["risk_grade"]


def test_gcj02_home_is_stored_as_wgs84(client, auth):
    body = child_body(home={"lon": 106.655, "lat": 28.948, "datum": "gcj02"})
    home = client.post("/children", json=body, headers=auth()).json["home"]
    assert 0.002 < 106.655 - home["lon"] < 0.01 and home["lat"] != 28.948


def test_bad_input_is_a_422_naming_the_field(client, auth):
    cases = [
        (child_body(home={"lon": 28.95, "lat": 106.65}), "home", "swapped"),
        (child_body(id_number=ID_FIRST17 + "0" if ID_NUMBER[-1] != "0" else ID_FIRST17 + "1"),
         "id_number", "check digit"),
        (child_body(shoe_size=32), "shoe_size", "Unknown"),
        (child_body(birth_date="2016-02-30"), "birth_date", "date"),
        (child_body(categories=["left_behind"], parents={"father": "away", "mother": "home"}),
         "categories", "rule 1"),
    ]
    for body, field, words in cases:
        resp = client.post("/children", json=body, headers=auth())
        assert resp.status_code == 422, (field, resp.json)
        assert set(resp.json) >= {"code", "status", "errors"}
        assert words in " ".join(resp.json["errors"]["json"][field]), resp.json


def test_duplicates_are_refused_with_a_pointer_or_merged_on_request(client, auth, registry):
    first = client.post("/children", json=child_body(id_number=ID_NUMBER), headers=auth()).json
    again = client.post("/children", json=child_body(name="另一个名字", id_number=ID_NUMBER),
                        headers=auth())
    assert again.status_code == 409 and again.json["errors"]["existing_id"] == first["id"]
    merged = client.post("/children?on_duplicate=merge",
                         json=child_body(school="扶欢小学", categories=["disabled"]),
                         headers=auth())
    assert merged.status_code == 201 and merged.json["id"] == first["id"]
    assert merged.json["school"] == "扶欢小学" and merged.json["version"] == 2
    with registry.engine.connect() as conn:
        kept = conn.execute(select(child_revisions.c.action, child_revisions.c.before)).all()
    assert [k.action for k in kept] == ["merge"] and kept[0].before["school"] == ""
    history = client.get(f"/children/{first['id']}/history", headers=auth()).json
    assert [(h["version"], h["action"]) for h in history] == [(1, "merge")]


def test_scope_masking_and_audit(client, auth, registry):
    child = client.post("/children", json=child_body(id_number=ID_NUMBER, phone="13800001234"),
                        headers=auth()).json
    other = auth(Role.CHILD_DIRECTOR, frozenset({OTHER_VILLAGE}), "u-other")
    assert client.get(f"/children/{child['id']}", headers=other).status_code == 404
    assert client.get("/children", headers=other).json["total"] == 0
    mine = auth(Role.CHILD_DIRECTOR, frozenset({VILLAGE}), "u-mine")
    assert client.get(f"/children/{child['id']}", headers=mine).json["id_number"] == ID_NUMBER
    planner = client.get(f"/children/{child['id']}", headers=auth(Role.PLANNER, user="u-p"))
    assert planner.status_code == 403  # planners see counts and cells, never a child
    assert client.get("/children", headers=auth(Role.PATROL_MEMBER)).status_code == 403
    assert client.get("/children").status_code == 401
    with registry.engine.connect() as conn:
        trail = conn.execute(select(audit_log.c.user_id, audit_log.c.action)).all()
        assert verify_chain(conn) == []
    assert ("u-admin", "create") in trail and ("u-mine", "read") in trail
    assert ("u-p", "read") not in trail and ("u-other", "read") not in trail


def test_if_match_guards_updates(client, auth):
    child = client.post("/children", json=child_body(), headers=auth())
    url = f"/children/{child.json['id']}"
    assert client.patch(url, json={"school": "甲"}, headers=auth()).status_code == 428
    ok = client.patch(url, json={"school": "甲"}, headers={**auth(), "If-Match": '"1"'})
    assert ok.status_code == 200 and ok.headers["ETag"] == '"2"'
    stale = client.patch(url, json={"school": "乙"}, headers={**auth(), "If-Match": '"1"'})
    assert stale.status_code == 412
    for bad in ({"id": "x"}, {"home": {"lon": 106.66}}, {"guardians": [{"name": "x"}]}):
        resp = client.patch(url, json=bad, headers={**auth(), "If-Match": '"2"'})
        assert resp.status_code == 422, (bad, resp.json)
    moved = client.patch(url, json={"home": {"lon": 106.66, "lat": 28.96}},
                         headers={**auth(), "If-Match": '"2"'})
    assert moved.status_code == 200 and moved.json["home"] == {"lon": 106.66, "lat": 28.96}


def test_filters_and_pages(client, auth):
    for i in range(5):
        client.post("/children", json=child_body(name=f"儿童{i}", categories=(
            ["disabled"] if i % 2 else [])), headers=auth())
    client.post("/children", json=child_body(name="他村", village_code=OTHER_VILLAGE),
                headers=auth())
    page = client.get(f"/children?village={VILLAGE}&page=2&page_size=2", headers=auth()).json
    assert page["total"] == 5 and len(page["items"]) == 2 and page["page"] == 2
    assert client.get("/children?category=disabled", headers=auth()).json["total"] == 2
    assert client.get("/children?page_size=101", headers=auth()).status_code == 422
    assert client.get("/children?grade=extreme", headers=auth()).status_code == 422


def test_children_without_a_home_are_listed_apart_until_one_is_added(client, auth, registry):
    from services.registry.service_layer.children import register_child
    from services.registry.service_layer.commands import RegisterChild
    from services.registry.service_layer.context import Actor
    from shared.auth import Principal

    placed = client.post("/children", json=child_body(name="有家"), headers=auth()).json
    admin = Actor(Principal("u-admin", Role.STATION_ADMIN, "500110120"))
    homeless = [register_child(registry.uow(), RegisterChild(
        name=name, gender="male", birth_date=date(2015, 1, 1), village_code=village,
        home_lon=None, home_lat=None), admin, registry.policy).id
        for name, village in (("无家甲", VILLAGE), ("无家乙", OTHER_VILLAGE))]
    missing = client.get("/children?has_home=false", headers=auth()).json
    assert sorted(c["id"] for c in missing["items"]) == sorted(homeless)
    assert missing["total"] == 2 and all(c["home"] is None for c in missing["items"])
    assert [c["id"] for c in client.get("/children?has_home=true",
                                        headers=auth()).json["items"]] == [placed["id"]]
    director = auth(Role.CHILD_DIRECTOR, frozenset({VILLAGE}), "u-dir")
    mine = client.get("/children?has_home=false", headers=director).json["items"]
    assert [c["name"] for c in mine] == ["无家甲"]  # the caller's villages only
    client.patch(f"/children/{homeless[0]}", json={"home": {"lon": 106.66, "lat": 28.96}},
                 headers={**director, "If-Match": '"1"'})
    assert client.get("/children?has_home=false", headers=director).json["total"] == 0


def test_living_alone_opens_a_mandatory_report_case(client, auth, registry):
    body = child_body(guardians=[{"name": "测试祖母", "relation": "祖母", "age": 70,
                                  "present": False}])
    child = client.post("/children", json=body, headers=auth()).json
    assert child["living_alone"] is True and child["risk_grade"] == "high"
    [opened] = events(registry, "registry.case.opened.v1")
    assert opened["situation"] == "living_alone" and opened["mandatory_report"] is True
    assert opened["severity"] == "urgent" and opened["child_id"] == child["id"]
    patched = client.patch(f"/children/{child['id']}", json={"school": "x"},
                           headers={**auth(), "If-Match": '"1"'})
    assert patched.status_code == 200
    assert len(events(registry, "registry.case.opened.v1")) == 1  # one open case, not two


def test_visits_set_the_next_due_date(client, auth, registry):
    child = client.post("/children", json=child_body(), headers=auth()).json
    visit = client.post(f"/children/{child['id']}/visits", json={
        "visited_at": "2026-11-20T10:00:00+08:00", "location": {"lon": 106.651, "lat": 28.951},
        "findings": {"home_safety": "井口无盖"}, "next_steps": "加盖"}, headers=auth())
    assert visit.status_code == 201, visit.json
    interval = {"high": 7, "medium": 30, "low": 90}[child["risk_grade"]]
    [recorded] = events(registry, "registry.visit.recorded.v1")
    assert recorded["next_due"] == visit.json["next_due"]
    assert visit.json["next_due"] == (date(2026, 11, 20) + timedelta(days=interval)).isoformat()
    [listed] = client.get(f"/children/{child['id']}/visits", headers=auth()).json
    assert listed["findings"] == {"home_safety": "井口无盖"} and listed["visitor_id"] == "u-admin"
    other = auth(Role.CHILD_DIRECTOR, frozenset({OTHER_VILLAGE}), "u-other")
    assert client.get(f"/children/{child['id']}/visits", headers=other).status_code == 404
    due = client.get("/visits/due?until=2030-01-01", headers=auth()).json
    assert [d["child_id"] for d in due["items"]] == [child["id"]] and due["total"] == 1
    for bad in ({"visited_at": "2026-11-20T10:00:00+08:00", "findings": {"weather": "sunny"}},
                {"visited_at": "2099-01-01T10:00:00+08:00"}):
        resp = client.post(f"/children/{child['id']}/visits", json=bad, headers=auth())
        assert resp.status_code == 422, resp.json


def test_every_route_declares_who_may_call_it(registry):
    from services.registry.entrypoints.api import create_app
    from shared.auth.flask import PUBLIC_ENDPOINTS, RULE_ATTR

    app = create_app(registry)
    for rule in app.url_map.iter_rules():
        if rule.endpoint in PUBLIC_ENDPOINTS:
            continue
        view = app.view_functions[rule.endpoint]
        cls = getattr(view, "view_class", None)
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            fn = getattr(cls, method.lower()) if cls else view
            assert hasattr(fn, RULE_ATTR), f"{method} {rule.rule} has no @allow/@public"
