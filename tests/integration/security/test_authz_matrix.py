"""The authorisation matrix, generated from every service's URL map.

1. Every route carries a rule (``@allow``/``@public``) or is a library route listed in
   ``PUBLIC_ENDPOINTS``: a new endpoint without a rule fails here.
2. For every ruled endpoint × method: anonymous → 401; every role outside the rule →
   403 (decided before the body is even read); every role inside it → neither.
3. Every rule is a role group of the one access policy (shared/access.py).
4. Object scope: a child director of another village gets 404 for a child.
5. For every role, the fields of a related child and case sent (one and in lists) are
   exactly that role's row of the policy, masked where it says, or the role gets 403.
"""

from __future__ import annotations

import re
import uuid

import pytest

from shared.access import POLICY, masked_fields, may, roles, visible_fields
from shared.auth.flask import PUBLIC_ENDPOINTS, RULE_ATTR
from shared.auth.principal import Principal, Role
from tests.integration.security.conftest import (
    KEYS,
    OTHER_VILLAGE,
    OWN_VILLAGE,
    SERVICES,
    TOWNSHIP,
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


def test_every_rule_is_a_group_of_the_access_policy(service_apps):
    """No view keeps a hand-made role list: each rule is some resource × action of
    shared/access.py, so the policy (and docs/security.md, made from it) is the rule."""
    groups = {frozenset(roles(resource, action)) for resource, grants in POLICY.items()
              for action in set().union(*(g.actions for g in grants.values()))}
    stray = [f"{svc}: {method} {path} {sorted(rule)}"
             for svc, app in service_apps.items()
             for _endpoint, method, path, rule in routes(app)
             if rule is not None and "*" not in rule and frozenset(rule) not in groups]
    assert not stray, "rules that are no group of the access policy:\n" + "\n".join(stray)


SCHOOL = "矩阵小学"
ID_NUMBER, PHONE = "500110201605011229", "13912345678"


def _bearer(role: Role) -> dict[str, str]:
    villages = frozenset({OWN_VILLAGE}) if role is Role.CHILD_DIRECTOR else frozenset()
    return {"Authorization": "Bearer " + KEYS.issue(
        Principal(f"fields-{role.value}", role, TOWNSHIP, villages, SCHOOL))}


@pytest.fixture(scope="module")
def related_records(service_apps):
    """A pupil of the liaison's school with a case referred to the police and schools."""
    client = service_apps["registry"].test_client()
    admin = _bearer(Role.STATION_ADMIN)
    child = client.post("/children", headers=admin, json={
        "name": "字段测试", "gender": "female", "birth_date": "2016-05-01",
        "village_code": OWN_VILLAGE, "home": {"lon": 106.651, "lat": 28.951},
        "id_number": ID_NUMBER, "phone": PHONE, "school": SCHOOL,
        "guardians": [{"name": "监护人", "relation": "grandmother", "phone": "13800001111"}]})
    assert child.status_code == 201, child.json
    case = client.post("/cases", headers=admin, json={
        "child_id": child.json["id"], "situation": "domestic_violence"}).json
    for unit in ("police", "school"):
        client.post(f"/cases/{case['id']}/referrals", headers=admin, json={"unit": unit})
    return child.json["id"], case["id"]


@pytest.mark.parametrize("role", list(Role))
def test_fields_sent_are_the_policys_for_every_role(service_apps, related_records, role):
    """Every role reads the related child and case, one by one and in lists: the
    fields sent are exactly its row of the policy, masked ones masked, or it is 403."""
    client = service_apps["registry"].test_client()
    child_id, case_id = related_records
    for resource, one, many in (("child", f"/children/{child_id}", "/children"),
                                ("case", f"/cases/{case_id}", "/cases")):
        fields = set(visible_fields(role, resource))
        got, listed = (client.get(url, headers=_bearer(role)) for url in (one, many))
        if not fields:
            assert (got.status_code, listed.status_code) == (403, 403), (role, resource)
            continue
        assert got.status_code == 200, (role, resource, got.json)
        assert set(got.json) == fields, (role, resource)
        items = listed.json["items"]
        assert {i["id"] for i in items} >= {got.json["id"]}, (role, resource)
        assert all(set(i) == fields for i in items), (role, resource)
        text = str(got.json)
        if "id_number" in masked_fields(role, resource):
            assert ID_NUMBER[6:] not in text and PHONE not in text, role


@pytest.mark.parametrize("role", [r for r in Role if may(r, "cells", "read")])
def test_the_map_shows_exact_homes_only_to_the_policys_home_readers(service_apps, role):
    layers = service_apps["gateway"].test_client().get("/api/map/layers",
                                                       headers=_bearer(role))
    assert layers.status_code == 200, (role, layers.json)
    assert layers.json["view"] == ("exact" if may(role, "home", "read") else "cells"), role
