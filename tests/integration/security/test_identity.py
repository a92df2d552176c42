"""Sign-in, lockout, refresh rotation, sign-out and user management over HTTP,
on SQLite and PostgreSQL."""

from datetime import date, timedelta

import pytest
from argon2.profiles import CHEAPEST

from services.gateway.adapters import tables as gateway_tables
from services.gateway.identity.adapters import users as user_tables
from services.gateway.identity.adapters.users import Argon2Hasher
from services.gateway.identity.entrypoints.identity import register_identity
from services.gateway.identity.service_layer.identity import IdentityService
from shared.auth import Principal, Role, TokenKeys
from shared.auth.flask import CSRF_COOKIE, allow, current_principal
from shared.db import make_engine
from shared.web import create_flask

KEYS = TokenKeys({"k1": "s" * 40}, "k1", ttl_s=300)
TOWNSHIP = "500110120"
ADMIN = Principal("admin-1", Role.STATION_ADMIN, TOWNSHIP)
PASSWORD = "correct horse battery"


@pytest.fixture
def client(database_url):
    engine = make_engine(database_url)
    tables = [user_tables.users, user_tables.background_checks, user_tables.refresh_tokens,
              user_tables.revoked_tokens, gateway_tables.outbox]
    user_tables.metadata.create_all(engine, tables=tables)
    app, api = create_flask("gw_test", "gateway", KEYS)

    @app.get("/probe")
    @allow(*Role)
    def probe():  # type: ignore[no-untyped-def]
        return {"user": current_principal().user_id}

    # the rules, not the cost, are under test
    service = IdentityService(engine, KEYS, Argon2Hasher(CHEAPEST), "/shouhu/gateway")
    register_identity(app, api, service)
    client = app.test_client()
    client.service = service
    yield client
    engine.dispose()


def _admin():
    return {"Authorization": f"Bearer {KEYS.issue(ADMIN)}"}


def _add_user(client, username="director.a", role="child_director", villages=("500110120201",)):
    resp = client.post("/api/users", headers=_admin(), json={
        "username": username, "password": PASSWORD, "role": role, "township_code": TOWNSHIP,
        "village_codes": list(villages)})
    assert resp.status_code == 201, resp.json
    return resp.json


def _login(client, username="director.a", password=PASSWORD):
    return client.post("/login", json={"username": username, "password": password})


def test_json_login_gives_scoped_tokens_and_never_returns_the_hash(client):
    user = _add_user(client)
    assert "password" not in str(user) and user["background_check"]["reason"] == "missing"
    resp = _login(client)
    assert resp.status_code == 200
    principal = KEYS.verify(resp.json["access_token"])
    assert principal.role is Role.CHILD_DIRECTOR
    assert principal.village_codes == {"500110120201"}
    assert _login(client, password="wrong password!").status_code == 401
    assert _login(client, username="nobody").json["message"] == \
        _login(client, password="wrong password!").json["message"]


def test_repeated_failures_lock_the_account_then_back_off(client):
    _add_user(client)
    codes = [_login(client, password=f"wrong-{i}").status_code for i in range(6)]
    assert codes[:5] == [401] * 5 and codes[5] == 429
    assert _login(client).status_code == 429  # even the right password waits


def test_refresh_rotates_and_reuse_ends_the_family(client):
    _add_user(client)
    first = _login(client).json["refresh_token"]
    second = client.post("/auth/refresh", json={"refresh_token": first})
    assert second.status_code == 200
    assert client.post("/auth/refresh", json={"refresh_token": first}).status_code == 401
    # the thief's replay ended the legitimate holder's chain too
    latest = second.json["refresh_token"]
    assert client.post("/auth/refresh", json={"refresh_token": latest}).status_code == 401


def test_logout_revokes_the_access_token_and_admin_can_end_all_sessions(client):
    user = _add_user(client)
    token = _login(client).json["access_token"]
    auth = {"Authorization": f"Bearer {token}"}
    assert client.get("/probe", headers=auth).status_code == 200
    assert client.post("/logout", headers=auth).status_code == 204
    assert client.get("/probe", headers=auth).status_code == 401
    other = {"Authorization": f"Bearer {_login(client).json['access_token']}"}
    assert client.delete(f"/api/users/{user['user_id']}/sessions",
                         headers=_admin()).status_code == 204
    assert client.get("/probe", headers=other).status_code == 401


def test_form_login_needs_csrf_sets_httponly_cookie_and_refuses_open_redirects(client):
    _add_user(client)
    page = client.get("/login")
    assert page.status_code == 200 and "csrf_token" in page.text
    csrf = client.get_cookie(CSRF_COOKIE).value
    form = {"username": "director.a", "password": PASSWORD, "next": "https://evil.example/"}
    assert client.post("/login", data=form).status_code == 403
    resp = client.post("/login", data={**form, "csrf_token": csrf})
    assert resp.status_code == 303 and resp.headers["Location"] == "/map"
    cookie = next(h for h in resp.headers.getlist("Set-Cookie") if h.startswith("shouhu_token"))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert client.get("/probe").json == {"user": KEYS.verify(
        client.get_cookie("shouhu_token").value).user_id}


def test_admin_scope_and_validation(client):
    other_admin = Principal("admin-2", Role.STATION_ADMIN, "500110109")
    resp = client.post("/api/users", headers={"Authorization": f"Bearer {KEYS.issue(other_admin)}"},
                       json={"username": "x.y.z", "password": PASSWORD, "role": "planner",
                             "township_code": TOWNSHIP})
    assert resp.status_code == 403
    weak = client.post("/api/users", headers=_admin(), json={
        "username": "weak.one", "password": "short", "role": "planner",
        "township_code": TOWNSHIP})
    assert weak.status_code == 422 and "password" in weak.json["errors"]["json"]
    user = _add_user(client, "planner.a", "planner", ())
    assert client.get(f"/api/users/{user['user_id']}", headers={
        "Authorization": f"Bearer {KEYS.issue(other_admin)}"}).status_code == 404
    director = {"Authorization": f"Bearer {_login(client, 'planner.a').json['access_token']}"}
    assert client.get("/api/users", headers=director).status_code == 403
    assert client.get("/api/users/me", headers=director).json["username"] == "planner.a"


def test_background_checks_block_assignment_until_clear_and_a_match_ends_it(client):
    user = _add_user(client, "patrol.a", "patrol_member", ())
    uid = user["user_id"]
    today = date.today()
    assert not client.service.check_status(uid, today)
    blocked = client.get("/api/users/background-checks/blocked", headers=_admin()).json
    assert [b["username"] for b in blocked] == ["patrol.a"]
    old = client.post(f"/api/users/{uid}/background-checks", headers=_admin(), json={
        "checked_on": str(today - timedelta(days=400)), "result": "clear"})
    assert old.status_code == 201 and old.json["reason"] == "expired"
    fresh = client.post(f"/api/users/{uid}/background-checks", headers=_admin(), json={
        "checked_on": str(today), "result": "clear"}).json
    assert fresh["valid"] and client.service.check_status(uid, today).reason == "ok"
    client.post(f"/api/users/{uid}/background-checks", headers=_admin(), json={
        "checked_on": str(today), "result": "match"})
    assert client.service.check_status(uid, today).reason == "match"


def test_bulk_export_needs_another_supervisors_approval_for_enough_rows(client):
    from flask import Flask

    from shared.auth.approvals import HEADER, require_export_approval

    planner_id = _add_user(client, "planner.nine", "planner", ())["user_id"]
    requester = Principal(planner_id, Role.PLANNER, TOWNSHIP)
    supervisor = {"Authorization": "Bearer " + KEYS.issue(
        Principal("sup-1", Role.CHILD_SUPERVISOR, TOWNSHIP))}
    body = {"requester_id": planner_id, "purpose": "summer campaign roster", "max_rows": 80,
            "export": "roster:left_behind"}
    assert client.post("/api/users/export-approvals", headers={
        "Authorization": f"Bearer {KEYS.issue(requester)}"}, json=body).status_code == 403
    for wrong in ({"requester_id": "nobody-by-that-id"}, {"max_rows": 10_001},
                  {"export": "roster:everything"}):
        refused = client.post("/api/users/export-approvals", headers=supervisor,
                              json={**body, **wrong})
        assert refused.status_code in (404, 422), (wrong, refused.json)
    approval = client.post("/api/users/export-approvals", headers=supervisor, json=body)
    assert approval.status_code == 201

    app = Flask("exporter")
    app.extensions["shouhu_auth"] = KEYS

    def attempt(n, token=None, who=requester):
        with app.test_request_context(headers={HEADER: token} if token else {}):
            return require_export_approval(n, who, "roster:left_behind")

    assert attempt(50) is None  # small exports need nobody
    with pytest.raises(Exception, match="403"):
        attempt(51)
    assert attempt(80, approval.json["approval"]).approver_id == "sup-1"
    with pytest.raises(Exception, match="403"):
        attempt(81, approval.json["approval"])  # more than approved
    with pytest.raises(Exception, match="403"):
        attempt(60, approval.json["approval"], Principal("other", Role.PLANNER, TOWNSHIP))


def test_a_school_liaisons_account_names_its_school_and_its_token_carries_it(client):
    resp = client.post("/api/users", headers=_admin(), json={
        "username": "teacher.a", "password": PASSWORD, "role": "school_liaison",
        "township_code": TOWNSHIP, "unit": "扶欢镇中心小学"})
    assert resp.status_code == 201 and resp.json["unit"] == "扶欢镇中心小学"
    token = _login(client, "teacher.a").json["access_token"]
    assert KEYS.verify(token).unit == "扶欢镇中心小学"  # the registry's pupil relation
    moved = client.patch(f"/api/users/{resp.json['user_id']}", headers=_admin(),
                         json={"unit": "扶欢镇中学"})
    assert moved.status_code == 200 and moved.json["unit"] == "扶欢镇中学"
    assert KEYS.verify(_login(client, "teacher.a").json["access_token"]).unit == "扶欢镇中学"
