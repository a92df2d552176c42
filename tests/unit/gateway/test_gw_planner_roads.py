"""The planner over road-network distances: switchbacks change the visiting order."""

from __future__ import annotations

from datetime import date

import pytest
from pyproj import Transformer

from services.gateway.planning.domain.planner import (
    Candidate,
    Member,
    PlanRequest,
    Team,
    plan_patrols,
)
from shared.geo import utm_crs

CRS = utm_crs(106.65, 28.95)
_TO_XY = Transformer.from_crs("EPSG:4326", CRS, always_xy=True)
_TO_LONLAT = Transformer.from_crs(CRS, "EPSG:4326", always_xy=True)
X0, Y0 = _TO_XY.transform(106.65, 28.95)
# A hillside road in three switchback legs 100 m apart, too steep to cut across, closed
# into a 5 km loop by a road round the east and south of the hill.
LOOP = [(0, 0), (1000, 0), (1000, 100), (0, 100), (0, 200), (1000, 200), (1200, 200),
        (1200, -100), (0, -100), (0, 0)]
START = (-5, -50)  # 5 m beside the loop
# One point on each leg: P1 and P2 face each other 200 m apart, 2.2 km apart by road.
POINTS = {"P1": (900, 0), "P2": (900, 200), "P3": (100, 100)}


def _lonlat(x: float, y: float) -> tuple[float, float]:
    return _TO_LONLAT.transform(X0 + x, Y0 + y)


def _plan(roads: list[list[tuple[float, float]]]):
    team = Team("A", (Member("m1", date(2026, 3, 1), "clear"),), _lonlat(*START))
    req = PlanRequest(date(2026, 7, 11), date(2026, 7, 11), (team,), shift_hours=4.0)
    points = [Candidate(pid, f"h{pid}", *_lonlat(*xy), 100) for pid, xy in POINTS.items()]
    return plan_patrols(req, points, CRS, roads)


def _legs(plan) -> set[frozenset[str]]:
    """The tour's legs, direction left out (a tour and its reverse are the same walk)."""
    path = ["start", *[s.point_id for s in plan.teams[0].shifts[0].stops], "start"]
    return {frozenset(leg) for leg in zip(path, path[1:], strict=False)}


def test_straight_lines_pair_the_facing_points():
    plan = _plan([])
    assert plan.metric == "straight_line"
    assert frozenset({"P1", "P2"}) in _legs(plan)


def test_roads_visit_the_points_in_the_order_of_the_road():
    plan = _plan([[_lonlat(*xy) for xy in LOOP]])
    assert plan.metric == "road_network"
    assert _legs(plan) == {frozenset(leg) for leg in
                           (("start", "P1"), ("P1", "P3"), ("P3", "P2"), ("P2", "start"))}
    # Once round the loop, plus the 5 m to the road and back off it.
    assert plan.teams[0].shifts[0].distance_m == pytest.approx(5000 + 2 * 5 * 1.3, abs=0.2)


def test_roads_far_from_every_point_leave_the_straight_lines():
    far = [[_lonlat(0, 5000), _lonlat(1000, 5000)]]
    assert _legs(_plan(far)) == _legs(_plan([]))
