"""The authorisation matrix, generated from every service's URL map.

1. Every route carries a rule (``@allow``/``@public``) or is a library route listed in
   ``PUBLIC_ENDPOINTS``: a new endpoint without a rule fails here.
2. For every ruled endpoint × method: anonymous → 401; every role outside the rule →
   403 (decided before the body is even read); every role inside it → neither.
3. Object scope: a child director of another village gets 404 for a child.
"""

from __future__ import annotations

import re
import uuid

import pytest

from shared.auth.flask import PUBLIC_ENDPOINTS, RULE_ATTR
from shared.auth.principal import Role
from tests.integration.security.conftest import (
    OTHER_VILLAGE,
    OWN_VILLAGE,
    SERVICES,
    token,
)

DUMMY = str(uuid.uuid4())
WRITE = {"POST", "PUT", "PATCH", "DELETE"}


def routes(app):
    """(endpoint, method, path, rule-or-None) for every route of an app."""
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        cls = getattr(view, "view_class", None)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            fn = getattr(cls, method.lower(), None) if cls else view
            yield rule.endpoint, method, _path(rule), getattr(fn, RULE_ATTR, None)


def _path(rule):
    """A concrete URL for the rule: converters' own values where they have a fixed set."""
    values = {}
    for name, conv in rule._converters.items():
        items = sorted(getattr(conv, "items", ()))
        values[name] = items[0] if items else (1 if "int" in type(conv).__name__.lower()
                                               else DUMMY)
    return re.sub(r"<(?:[^>]*:)?([^:>]+)>", lambda m: str(values[m.group(1)]), rule.rule)


def test_every_route_declares_who_may_call_it(service_apps):
    missing = [f"{svc}: {method} {path} ({endpoint})"
               for svc, app in service_apps.items()
               for endpoint, method, path, rule in routes(app)
               if rule is None and endpoint not in PUBLIC_ENDPOINTS]
    assert not missing, "routes without @allow/@public:\n" + "\n".join(missing)


def _call(client, method, path, headers):
    kwargs = {"json": {}} if method in WRITE else {}
    return client.open(path, method=method, headers=headers, **kwargs)


@pytest.mark.parametrize("svc", SERVICES)
def test_anonymous_callers_get_401_and_wrong_roles_403(service_apps, svc):
    app = service_apps[svc]
    client = app.test_client()
    failures = []
    for _endpoint, method, path, rule in routes(app):
        if rule is None or "*" in rule:
            continue
        anon = _call(client, method, path, {})
        if anon.status_code != 401:
            failures.append(f"anonymous {method} {path}: {anon.status_code}, expected 401")
        for role in Role:
            auth = {"Authorization": f"Bearer {token(role)}"}
            status = _call(client, method, path, auth).status_code
            if role not in rule and status != 403:
                failures.append(f"{role} {method} {path}: {status}, expected 403")
            if role in rule and status in (401, 403):
                failures.append(f"{role} {method} {path}: {status}, but the rule allows it")
    assert not failures, "\n".join(failures)


def test_a_forged_or_foreign_token_is_anonymous(service_apps):
    from shared.auth import Principal, TokenKeys

    foreign = TokenKeys({"k1": "another-deployment-" + "y" * 24}, "k1").issue(
        Principal("intruder", Role.STATION_ADMIN))
    for svc, app in service_apps.items():
        client = app.test_client()
        for _endpoint, method, path, rule in routes(app):
            if rule and "*" not in rule and method == "GET":
                got = client.get(path, headers={"Authorization": f"Bearer {foreign}"})
                assert got.status_code == 401, f"{svc} {path}: {got.status_code}"
                break


def test_child_of_another_village_is_absent_for_a_director(service_apps):
    client = service_apps["registry"].test_client()
    admin = {"Authorization": f"Bearer {token(Role.STATION_ADMIN, frozenset())}"}
    created = client.post("/children", headers=admin, json={
        "name": "矩阵测试", "gender": "female", "birth_date": "2016-05-01",
        "village_code": OWN_VILLAGE, "home": {"lon": 106.651, "lat": 28.951}})
    assert created.status_code == 201, created.json
    child_id = created.json["id"]
    own = {"Authorization": f"Bearer {token(Role.CHILD_DIRECTOR)}"}
    other = {"Authorization": "Bearer " + token(Role.CHILD_DIRECTOR, frozenset({OTHER_VILLAGE}))}
    assert client.get(f"/children/{child_id}", headers=own).status_code == 200
    assert client.get(f"/children/{child_id}", headers=other).status_code == 404
    assert client.get(f"/children/{uuid.uuid4()}", headers=own).status_code == 404


def test_identifiers_are_clear_only_for_roles_that_need_them(service_apps):
    client = service_apps["registry"].test_client()
    admin = {"Authorization": f"Bearer {token(Role.STATION_ADMIN, frozenset())}"}
    id_number, phone = "500110201605011229", "13912345678"
    created = client.post("/children", headers=admin, json={
        "name": "字段测试", "gender": "female", "birth_date": "2016-05-01",
        "village_code": OWN_VILLAGE, "home": {"lon": 106.651, "lat": 28.951},
        "id_number": id_number, "phone": phone})
    assert created.status_code == 201, created.json
    seen = {}
    for role in (Role.CHILD_DIRECTOR, Role.PLANNER, Role.SCHOOL_LIAISON):
        resp = client.get(f"/children/{created.json['id']}",
                          headers={"Authorization": f"Bearer {token(role)}"})
        assert resp.status_code == 200, (role, resp.json)
        seen[role] = (resp.json["id_number"], resp.json["phone"])
    assert seen[Role.CHILD_DIRECTOR] == (id_number, phone)
    for role in (Role.PLANNER, Role.SCHOOL_LIAISON):
        assert id_number not in str(seen[role]) and phone not in str(seen[role])
        assert seen[role][0].endswith(id_number[-4:]) and "*" in seen[role][0]
