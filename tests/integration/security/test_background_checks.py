"""Background checks gate close contact with children in every service: the gateway is
the one source (tokens carry until when a check is valid), the registry refuses a home
visit and the hazards service a check-in without one; a match ends the person's
sessions and tells the station; the station's page records and shows checks."""

from datetime import date, timedelta

from sqlalchemy import select

from services.gateway.adapters.tables import outbox
from services.gateway.identity.domain.identity import BackgroundCheck
from shared.auth import Principal, Role
from shared.auth.flask import CSRF_COOKIE
from shared.events.envelope import CloudEvent
from tests.integration.security.conftest import GATEWAY_KEYS as KEYS
from tests.integration.security.conftest import KEYS as SERVICE_KEYS
from tests.integration.security.conftest import OWN_VILLAGE, PASSWORD, TOWNSHIP

ADMIN = Principal("admin-1", Role.STATION_ADMIN, TOWNSHIP)
SUPERVISOR = Principal("sup-1", Role.CHILD_SUPERVISOR, TOWNSHIP)


def _login(client, username="patrol.a"):
    resp = client.post("/login", json={"username": username, "password": PASSWORD})
    assert resp.status_code == 200, resp.json
    return KEYS.claims(resp.json["access_token"]), resp.json["access_token"]


def _events(client, event_type):
    with client.engine.connect() as conn:
        rows = conn.execute(select(outbox.c.payload).where(outbox.c.type == event_type)).all()
    return [CloudEvent.from_json(r.payload).data for r in rows]


def test_tokens_carry_the_check_and_a_match_ends_sessions_and_tells_the_station(
        identity_gateway):
    gateway = identity_gateway
    user = gateway.service.create_user(ADMIN, "patrol.a", PASSWORD, Role.PATROL_MEMBER,
                                       TOWNSHIP, frozenset())
    assert _login(gateway)[0]["chk"] == ""  # no check yet: no close contact
    today = date.today()
    gateway.service.record_check(ADMIN, user.user_id, BackgroundCheck(today, "clear"))
    claims, token = _login(gateway)
    assert claims["chk"] == (today + timedelta(days=365)).isoformat()
    bearer = {"Authorization": f"Bearer {token}"}
    admin = {"Authorization": f"Bearer {KEYS.issue(ADMIN)}"}
    resp = gateway.post(f"/api/users/{user.user_id}/background-checks", headers=admin,
                        json={"checked_on": today.isoformat(), "result": "match"})
    assert resp.status_code == 201 and resp.json["reason"] == "match"
    assert gateway.get("/api/users/me", headers=bearer).status_code == 401  # sessions ended
    assert _login(gateway)[0]["chk"] == ""
    standing = _events(gateway, "gateway.staff_check.recorded.v1")
    assert [s["result"] for s in standing] == ["clear", "match"]
    assert standing[1]["valid_until"] is None and standing[1]["end_by"] > today.isoformat()
    assert _events(gateway, "gateway.session.revoked.v1")[-1]["user_id"] == user.user_id


def test_the_check_page_lists_blocked_people_first_and_records_a_check(identity_gateway):
    gateway = identity_gateway
    clear = gateway.service.create_user(ADMIN, "director.b", PASSWORD, Role.CHILD_DIRECTOR,
                                        TOWNSHIP, frozenset({OWN_VILLAGE}))
    gateway.service.create_user(ADMIN, "patrol.z", PASSWORD, Role.PATROL_MEMBER, TOWNSHIP,
                                frozenset())
    gateway.service.create_user(ADMIN, "planner.c", PASSWORD, Role.PLANNER, TOWNSHIP,
                                frozenset())
    gateway.set_cookie("shouhu_token", KEYS.issue(ADMIN))
    page = gateway.get("/checks")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "从业查询" in html and 'lang="zh"' in html
    assert html.index("patrol.z") > html.index("director.b")  # both blocked: by name
    assert "planner.c" not in html  # planners meet no children
    assert "无查询记录" in html and "'unsafe-inline'" not in page.headers[
        "Content-Security-Policy"]
    csrf = gateway.get_cookie(CSRF_COOKIE).value
    form = {"csrf_token": csrf, "checked_on": date.today().isoformat(), "result": "clear"}
    assert gateway.post(f"/checks/{clear.user_id}", data={**form, "csrf_token": ""}
                        ).status_code == 403  # CSRF
    bad = gateway.post(f"/checks/{clear.user_id}", data={**form, "result": "maybe"})
    assert bad.status_code == 422 and "result" in bad.get_data(as_text=True)
    done = gateway.post(f"/checks/{clear.user_id}?lang=zh", data=form)
    assert done.status_code == 303 and done.headers["Location"].startswith("/checks")
    html = gateway.get(done.headers["Location"]).get_data(as_text=True)
    assert "已登记" in html and html.index("director.b") > html.index("patrol.z")  # now valid
    gateway.set_cookie("shouhu_token", KEYS.issue(SUPERVISOR))
    assert gateway.get("/checks").status_code == 200
    assert gateway.post(f"/checks/{clear.user_id}", data=form).status_code == 403


def _bearer(role, check_until=None):
    return {"Authorization": "Bearer " + SERVICE_KEYS.issue(
        Principal(f"test-{role.value}", role, TOWNSHIP, frozenset({OWN_VILLAGE})),
        check_until=check_until)}


def test_registry_and_hazards_refuse_close_contact_without_a_valid_check(service_apps):
    registry = service_apps["registry"].test_client()
    hazards = service_apps["hazards"].test_client()
    visit = {"visited_at": "2026-07-20T10:00:00+08:00", "findings": {}}
    checkin = {"checkins": [{"client_id": "c-1", "point_id": "p-1", "lon": 106.6,
                             "lat": 28.9, "checked_at": "2026-07-20T10:00:00+08:00"}]}
    yesterday = date.today() - timedelta(days=1)
    for check_until in (None, yesterday):
        refused = registry.post("/children/c-404/visits", json=visit,
                                headers=_bearer(Role.CHILD_DIRECTOR, check_until))
        assert refused.status_code == 403 and "从业查询" in refused.json["message"]
        refused = hazards.post("/checkins", json=checkin,
                               headers=_bearer(Role.PATROL_MEMBER, check_until))
        assert refused.status_code == 403 and "background check" in refused.json["message"]
    valid = date.today()
    assert registry.post("/children/c-404/visits", json=visit, headers=_bearer(
        Role.CHILD_DIRECTOR, valid)).status_code == 404  # past the check: no such child
    assert hazards.post("/checkins", json=checkin, headers=_bearer(
        Role.PATROL_MEMBER, valid)).status_code == 422  # past the check: the body's fields
