"""The notifier's HTTP API: route rules, the rule-test tool, reload, the directory."""

from __future__ import annotations

import os
from dataclasses import replace

import pytest

from services.notifier.bootstrap import bootstrap
from services.notifier.config import Settings
from services.notifier.entrypoints.api import create_app
from shared.auth import Role
from shared.auth.flask import PUBLIC_ENDPOINTS, RULE_ATTR
from tests.integration.notifier.helpers import bearer, case_opened, notifier_env


@pytest.fixture
def app(tmp_path, monkeypatch):
    env = notifier_env(tmp_path, f"sqlite:///{tmp_path / 'n.db'}", "127.0.0.1:1", "x.", 25,
                       "http://127.0.0.1:1", tmp_path / "ca.pem")
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    notifier = bootstrap(replace(Settings.from_env()), rules_check_s=0)
    return create_app(notifier), notifier


def test_every_view_declares_who_may_call_it(app):
    flask_app, _ = app
    for rule in flask_app.url_map.iter_rules():
        if rule.endpoint in PUBLIC_ENDPOINTS:
            continue
        view = flask_app.view_functions[rule.endpoint]
        cls = getattr(view, "view_class", None)
        methods = [getattr(cls, m.lower()) for m in rule.methods - {"HEAD", "OPTIONS"}] \
            if cls else [view]
        for fn in methods:
            assert hasattr(fn, RULE_ATTR), f"{rule} has no @allow/@public"


def test_rule_test_tool_previews_without_sending(app):
    flask_app, notifier = app
    client = flask_app.test_client()
    ev = case_opened("case-9")
    resp = client.post("/rules/test", json={"type": ev.type, "data": ev.data},
                       headers=bearer(Role.CHILD_SUPERVISOR))
    assert resp.status_code == 200, resp.get_json()
    [alert] = resp.get_json()
    assert alert["rule"] == "mandatory-report" and alert["urgent"]
    assert {(d["recipient_id"], d["channel"]) for d in alert["deliveries"]} == {
        ("police", "email"), ("police", "webhook"), ("police", "inbox"),
        ("director-0", "email"), ("director-0", "inbox")}
    bad = client.post("/rules/test", json={"type": ev.type, "data": {"case_id": "x"}},
                      headers=bearer(Role.STATION_ADMIN))
    assert bad.status_code == 422
    assert client.post("/rules/test", json={"type": ev.type, "data": ev.data}).status_code == 401


def test_a_malformed_rules_file_is_refused_and_the_old_rules_stay(app):
    flask_app, notifier = app
    client = flask_app.test_client()
    admin = bearer(Role.STATION_ADMIN)
    path = notifier.settings.rules_path
    good = path.read_text()
    path.write_text(good.replace("level: village}", "level: hamlet}"))
    os.utime(path, (1, 1))
    status = client.post("/rules/reload", headers=admin).get_json()
    assert status["rules"] == 2
    assert "rules.yaml:12:" in status["error"] and "level must be one of" in status["error"]
    ev = case_opened("case-9")
    still = client.post("/rules/test", json={"type": ev.type, "data": ev.data}, headers=admin)
    assert still.get_json()[0]["rule"] == "mandatory-report"


def test_directory_is_managed_by_station_admins_only(app):
    flask_app, notifier = app
    client = flask_app.test_client()
    admin = bearer(Role.STATION_ADMIN)
    body = {"role": "school", "scope_code": "500110120", "label": "扶欢中学",
            "contacts": {"email": "school@test.example"}}
    assert client.put("/directory/school-1", json=body, headers=admin).status_code == 200
    listed = client.get("/directory", headers=admin).get_json()
    assert "school-1" in {p["person_id"] for p in listed}
    director = bearer(Role.CHILD_DIRECTOR)
    assert client.get("/directory", headers=director).status_code == 403
    bad = client.put("/directory/x", json={**body, "scope_code": "12"}, headers=admin)
    assert bad.status_code == 422
    assert client.delete("/directory/school-1", headers=admin).status_code == 204
    assert client.delete("/directory/school-1", headers=admin).status_code == 404
    assert client.get("/ack/nonsense.token").status_code == 410
    assert client.post("/ack/d-1.%E7%AD%BE").status_code == 410
    assert client.post("/ack/d-1.99999999999.%E7%AD%BE").status_code == 410
