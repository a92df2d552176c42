"""The walking skeleton over real HTTP and the real broker:
child registered → outbox → Kafka → gateway read model → phone map."""

import requests

from shared.auth import Role
from shared.testing.fixtures import eventually


def _auth(stack):
    return {"Authorization": f"Bearer {stack.token()}"}


def _layers(stack):
    return requests.get(stack.url("gateway") + "/api/map/layers", headers=_auth(stack),
                        timeout=5).json()


def test_registered_child_and_hazard_appear_on_the_map(stack):
    child = requests.post(stack.url("registry") + "/children", json={
        "name": "测试儿童", "gender": "female", "birth_date": "2016-05-01",
        "village_code": "500110120201", "home": {"lon": 106.651, "lat": 28.951},
    }, headers=_auth(stack), timeout=10)
    assert child.status_code == 201, child.text
    child_id = child.json()["id"]
    hazard = requests.post(stack.url("hazards") + "/hazards", json={
        "kind": "pond", "name": "Skeleton pond",
        "geometry": {"type": "Polygon", "coordinates": [[[106.65, 28.95], [106.652, 28.95],
                                                         [106.652, 28.952], [106.65, 28.95]]]},
    }, headers=_auth(stack), timeout=10)
    assert hazard.status_code == 201, hazard.text

    layers = eventually(
        lambda: (lambda d: d if any(f["id"] == child_id for f in d["homes"]["features"])
                 and d["hazards"]["features"] else None)(_layers(stack)),
        60, message="child and hazard in the gateway read model")
    home = next(f for f in layers["homes"]["features"] if f["id"] == child_id)
    assert home["geometry"]["coordinates"] == [106.651, 28.951]
    assert layers["hazards"]["features"][0]["properties"]["kind"] == "pond"
    page = requests.get(stack.url("gateway") + "/map", headers=_auth(stack), timeout=10).text
    assert f"home-{child_id}" in page and "Skeleton pond" in page


def test_bad_input_names_the_field(stack):
    resp = requests.post(stack.url("registry") + "/children", json={
        "name": "测试", "gender": "female", "birth_date": "2016-05-01",
        "village_code": "500110120201", "home": {"lon": 28.95, "lat": 106.65},
    }, headers=_auth(stack), timeout=10)
    assert resp.status_code == 422
    body = resp.json()
    assert set(body) >= {"code", "status", "message"}
    assert "swapped" in body["errors"]["json"]["home"][0]


def test_anonymous_and_out_of_scope_callers_are_refused(stack):
    url = stack.url("registry") + "/children"
    body = {"name": "测试", "gender": "male", "birth_date": "2015-01-01",
            "village_code": "500110120202", "home": {"lon": 106.65, "lat": 28.95}}
    assert requests.post(url, json=body, timeout=10).status_code == 401
    director = stack.token(Role.CHILD_DIRECTOR, villages=frozenset({"500110120201"}))
    other = requests.post(url, json=body, headers={"Authorization": f"Bearer {director}"},
                          timeout=10)
    assert other.status_code == 404


def test_status_reports_each_consumer_group_lag(stack):
    from infra.status import group_lag

    lags = eventually(lambda: (lambda g: g if "gateway" in g else None)(
        group_lag(stack.broker.bootstrap)), 60, message="gateway group listed")
    assert lags["gateway"] >= 0
    eventually(lambda: group_lag(stack.broker.bootstrap)["gateway"] == 0, 60,
               message="gateway caught up")
