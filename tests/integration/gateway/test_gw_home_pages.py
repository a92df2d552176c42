"""Children without coordinates on the director's pages, against the real registry app on
its own HTTP port (SQLite and PostgreSQL): the list holds the caller's villages' children
whose ledger row had no home, and nobody else; the form takes the home as a phone's map
gives it (GCJ-02), the registry converts it, grades the child again with the distance to
water and publishes the home, which puts the child on the gateway's map."""

from __future__ import annotations

import json
import re
from datetime import date
from html import unescape

import pytest
from gw_helpers import KEYS, TOWNSHIP, apply, gateway
from peers import DIRECTOR_ID, Served, published, registry
from sqlalchemy import select

from services.gateway.adapters.forwarding import Forwarder
from services.gateway.entrypoints.api import create_app
from services.gateway.read_model.adapters.read_model_store import ReadModelStore
from services.registry.adapters.tables import audit_log
from services.registry.entrypoints.api import create_app as registry_app
from services.registry.service_layer import children
from services.registry.service_layer.commands import RegisterChild
from services.registry.service_layer.context import Actor
from shared.auth import Principal, Role
from shared.auth.flask import COOKIE, CSRF_COOKIE, session_csrf
from shared.geo import wgs84_to_gcj02
from tests.integration.registry.reg_helpers import OTHER_VILLAGE, VILLAGE, child_body

CSRF = session_csrf({"sid": "homes"})
POND = {"type": "Polygon", "coordinates": [[[106.6500, 28.9500], [106.6510, 28.9500],
                                            [106.6510, 28.9510], [106.6500, 28.9500]]]}
BY_THE_POND = (106.6512, 28.9505)  # WGS 84, some 20 m east of the pond


@pytest.fixture
def stack(database_url, tmp_path):
    """(gateway app, gateway, registry, registry's test client)."""
    reg = registry(database_url)
    peer = Served(registry_app(reg))
    gw = gateway(f"sqlite:///{tmp_path / 'gw.db'}")
    yield (create_app(gw, registry=Forwarder("registry", peer.url)), gw, reg,
           registry_app(reg).test_client())
    peer.stop()
    reg.engine.dispose()


def phone(app, role=Role.CHILD_DIRECTOR, villages=frozenset({VILLAGE}), user=DIRECTOR_ID):
    client = app.test_client()
    client.set_cookie(COOKIE, KEYS.issue(Principal(user, role, TOWNSHIP, villages),
                                         sid="homes", check_until=date.max))
    client.set_cookie(CSRF_COOKIE, CSRF)
    return client


def unplaced(reg, name: str, village: str = VILLAGE) -> str:
    """A child as a ledger row without coordinates leaves it (home unknown)."""
    admin = Actor(Principal("admin", Role.STATION_ADMIN, TOWNSHIP))
    cmd = RegisterChild(name=name, gender="female", birth_date=date(2022, 1, 1),
                        village_code=village, home_lon=None, home_lat=None)
    return children.register_child(reg.uow(), cmd, admin, reg.policy).id


def text(resp) -> str:
    return unescape(resp.get_data(as_text=True))


def test_a_director_adds_a_missing_home_and_the_child_is_graded_with_water_and_mapped(stack):
    app, gw, reg, registry_client = stack
    with reg.uow() as uow:
        uow.water.upsert("h-pond", "pond", POND)
    child_id = unplaced(reg, "无坐标甲")
    unplaced(reg, "别村无坐标", OTHER_VILLAGE)
    admin = {"Authorization": "Bearer " + KEYS.issue(Principal("a", Role.STATION_ADMIN,
                                                               TOWNSHIP))}
    assert registry_client.post("/children", json=child_body(name="有坐标"),
                                headers=admin).status_code == 201
    director = phone(app)

    listed = text(director.get("/children/without-home"))
    assert "无坐标甲" in listed and "崇恩村" in listed
    assert "别村无坐标" not in listed and "有坐标</b>" not in listed  # scope; placed ones
    assert f'href="/children/{child_id}/home?lang=zh"' in listed
    assert 'href="/children/without-home?lang=zh"' in text(director.get("/visits?days=90"))

    form = text(director.get(f"/children/{child_id}/home"))
    version = re.search(r'name="version" value="(\d+)"', form).group(1)
    assert '<option value="gcj02" selected>' in form  # what phones' map apps give
    lon, lat = wgs84_to_gcj02(*BY_THE_POND)
    saved = director.post(f"/children/{child_id}/home", data={
        "csrf_token": CSRF, "version": version, "datum": "gcj02",
        "lon": f"{lon:.7f}", "lat": f" {lat:.7f} "})
    assert saved.status_code == 303, text(saved)
    assert saved.location == f"/children/{child_id}/home?lang=zh&saved=1"

    child = registry_client.get(f"/children/{child_id}", headers=admin).json
    assert child["home"]["lon"] == pytest.approx(BY_THE_POND[0], abs=1e-5)  # converted
    assert child["home"]["lat"] == pytest.approx(BY_THE_POND[1], abs=1e-5)
    assert 0 < child["water_distance_m"] < 60
    assert "water_within_near_m" in child["risk_reasons"]  # graded with the water factor
    shown = text(director.get(saved.location))
    assert f"离最近水域 {round(child['water_distance_m'])} 米" in shown
    assert str(BY_THE_POND[0]) not in shown and f"{lon:.4f}" not in shown  # no exact home
    assert "无坐标甲" not in text(director.get("/children/without-home"))

    [moved] = [e for e in published(reg) if e.type == "registry.child.updated.v1"
               and e.data["child_id"] == child_id]
    assert moved.data["home"] is not None
    apply(gw, [e for e in published(reg) if e.type.startswith("registry.child.")])
    with gw.engine.connect() as conn:
        assert child_id in {c.child_id for c in ReadModelStore(conn).children()}  # mapped
    with reg.engine.connect() as conn:
        rows = conn.execute(select(audit_log).where(audit_log.c.object_id == child_id,
                                                    audit_log.c.action == "update")).all()
    [row] = rows  # the change is audited as the director's, naming the fields changed
    assert row.user_id == DIRECTOR_ID and {"home_lon", "home_lat"} <= set(json.loads(row.fields))


def test_the_home_form_says_what_the_registry_refused_and_keeps_what_was_typed(stack):
    app, _, reg, registry_client = stack
    child_id = unplaced(reg, "无坐标乙")
    director = phone(app)
    form = text(director.get(f"/children/{child_id}/home?lang=en"))
    version = re.search(r'name="version" value="(\d+)"', form).group(1)
    typed = {"csrf_token": CSRF, "version": version, "datum": "wgs84"}
    bad = director.post(f"/children/{child_id}/home?lang=en",
                        data={**typed, "lon": "106.651", "lat": "北纬"})
    assert bad.status_code == 422
    assert re.search(r'<span class="error" id="lat-error">[^<]*number', text(bad))
    assert 'value="北纬"' in text(bad) and 'id="lon-error"' not in text(bad)
    far = director.post(f"/children/{child_id}/home?lang=en",
                        data={**typed, "lon": "116.4", "lat": "39.9"})  # Beijing
    assert far.status_code == 422 and "region" in text(far)
    stale = director.post(f"/children/{child_id}/home?lang=en", data={
        **typed, "version": str(int(version) + 5), "lon": "106.651", "lat": "28.951"})
    assert stale.status_code == 409 and "Someone changed this record" in text(stale)
    assert f'name="version" value="{version}"' in text(stale)  # the record as it is now
    assert director.post(f"/children/{child_id}/home", data={
        **typed, "version": "9" * 30, "lon": "106.651", "lat": "28.951"}).status_code == 409
    child = registry_client.get(f"/children/{child_id}", headers={
        "Authorization": "Bearer " + KEYS.issue(Principal("a", Role.STATION_ADMIN,
                                                          TOWNSHIP))}).json
    assert child["home"] is None and child["version"] == int(version)


def test_only_staff_reach_the_list_and_the_form(stack):
    app, _, reg, _ = stack
    child_id = unplaced(reg, "无坐标丙")
    for role in (Role.PATROL_MEMBER, Role.PLANNER, Role.POLICE_LIAISON):
        other = phone(app, role, frozenset(), "someone")
        for path in ("/children/without-home", f"/children/{child_id}/home"):
            assert other.get(path).status_code == 403, (role, path)
        assert other.post(f"/children/{child_id}/home", data={
            "csrf_token": CSRF, "version": "1", "lon": "106.651", "lat": "28.951",
            "datum": "wgs84"}).status_code == 403
    elsewhere = phone(app, villages=frozenset({OTHER_VILLAGE}))
    assert elsewhere.get(f"/children/{child_id}/home").status_code == 404
    assert "无坐标丙" not in text(elsewhere.get("/children/without-home"))
    assert "无坐标丙" in text(phone(app, Role.CHILD_SUPERVISOR, frozenset()).get(
        "/children/without-home"))
