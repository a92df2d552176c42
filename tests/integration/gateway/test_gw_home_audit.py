"""The gateway's exact-home reads are audited, with every field they send (issue 13):
the map (JSON and page) and the overlay's nearest hazards, on SQLite and PostgreSQL.
Cells identify no home and write nothing."""

from __future__ import annotations

import json

import pytest
from gw_helpers import apply, gateway, token, township_events
from sqlalchemy import select

from services.gateway.entrypoints.api import create_app
from services.gateway.field.service_layer.home_audit import MAP_HOME_FIELDS, NEAREST_FIELDS
from shared.audit import AUDIT, verify_chain
from shared.auth import Role

VILLAGE = "500110120202"


@pytest.fixture
def gw(database_url):  # type: ignore[no-untyped-def]
    gw = gateway(database_url)
    apply(gw, township_events())
    yield gw
    gw.engine.dispose()


def _rows(gw):  # type: ignore[no-untyped-def]
    with gw.engine.connect() as conn:
        assert verify_chain(conn) == []
        return [dict(r._mapping) for r in conn.execute(select(AUDIT).order_by(AUDIT.c.seq))]


def test_every_exact_home_answer_is_an_audit_row_listing_what_it_sent(gw):
    client = create_app(gw, object(), object()).test_client()
    director = token(Role.CHILD_DIRECTOR, frozenset({VILLAGE}), "u-director")
    layers = client.get("/api/map/layers", headers={**director, "X-Purpose": "summer visits"})
    feature = layers.get_json()["homes"]["features"][0]
    assert {"id", "home", *feature["properties"]} == set(MAP_HOME_FIELDS)
    nearest = client.get("/api/overlay/children", headers=token(user_id="u-admin"))
    assert set(nearest.get_json()["children"][0]) == set(NEAREST_FIELDS)
    assert client.get("/map", headers=token(user_id="u-admin")).status_code == 200
    rows = _rows(gw)
    assert [(r["user_id"], r["object_type"], r["object_id"]) for r in rows] == [
        ("u-director", "map_homes", VILLAGE), ("u-admin", "child_nearest", "500110120"),
        ("u-admin", "map_homes", "500110120")]
    assert json.loads(rows[0]["fields"]) == sorted(MAP_HOME_FIELDS)
    assert rows[0]["purpose"] == "summer visits" and rows[0]["action"] == "read"


def test_cells_write_nothing_and_only_admins_read_the_trail(gw):
    client = create_app(gw, object(), object()).test_client()
    client.get("/api/map/layers", headers=token(Role.PATROL_MEMBER, user_id="u-patrol"))
    client.get("/map", headers=token(Role.PLANNER, user_id="u-planner"))
    assert _rows(gw) == []
    client.get("/api/map/layers", headers=token(user_id="u-admin"))
    trail = client.get("/audit?object_type=map_homes", headers=token(user_id="u-admin"))
    assert trail.status_code == 200 and trail.get_json()["total"] == 1
    assert client.get("/audit", headers=token(Role.CHILD_SUPERVISOR)).status_code == 403
