"""Plans follow the roads once a road hazard drawn as a line reaches the read model."""

from __future__ import annotations

from datetime import date

from gw_helpers import LAT0, LON0, apply, event, gateway, township_events

from services.gateway.domain.planner import Member, PlanRequest, Team
from services.gateway.service_layer import plans
from services.gateway.service_layer.unit_of_work import GatewayUnitOfWork

REQUEST = PlanRequest(date(2026, 7, 20), date(2026, 7, 21),
                      (Team("A", (Member("m1", date(2026, 3, 1), "clear"),), (LON0, LAT0)),))


def _plan(gw) -> dict:
    plan_id = plans.create_plan(GatewayUnitOfWork(gw.engine, gw.catalogue, "gateway"),
                                gw.crs, REQUEST, "planner-1")
    with gw.engine.connect() as conn:
        return plans.get_plan(conn, plan_id)


def test_a_plan_uses_the_road_network_once_a_road_is_loaded(tmp_path):
    gw = gateway(f"sqlite:///{tmp_path / 'gw.db'}")
    apply(gw, township_events())
    before = _plan(gw)
    # A village road winding past the ponds (they lie every 0.002° east of the start).
    road = [[LON0 - 0.001 + k * 0.001, LAT0 + 0.003 * (k % 2)] for k in range(14)]
    apply(gw, [event("hazards.hazard.created.v1", {
        "hazard_id": "hz-road", "kind": "road_no_barrier", "name": "测试村道",
        "geometry": {"type": "LineString", "coordinates": road},
        "village_code": "500110120201", "protections": {}})])
    after = _plan(gw)
    assert before["metric"] == "straight_line"
    assert after["metric"] == "road_network"
    assert {s["point_id"] for sh in after["teams"][0]["shifts"] for s in sh["stops"]}
    first = [sh["distance_m"] for p in (before, after) for sh in p["teams"][0]["shifts"][:1]]
    assert first[0] != first[1]
