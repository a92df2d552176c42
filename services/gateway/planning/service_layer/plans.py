"""Patrol plans: make one from the read model, publish it, read it back, measure it."""

from __future__ import annotations

import uuid
from dataclasses import asdict
from datetime import UTC, date, datetime, timedelta
from typing import Any

import numpy as np
from pyproj import CRS
from sqlalchemy import Connection

from services.gateway.domain.exceptions import NotFound
from services.gateway.planning.adapters.plan_repository import PlanRepository
from services.gateway.planning.domain.planner import Candidate, PlanRequest, plan_patrols
from services.gateway.planning.domain.road_graph import Link
from services.gateway.planning.service_layer.roads import links_for_planning
from services.gateway.planning.service_layer.unit_of_work import GatewayUnitOfWork
from services.gateway.read_model.adapters.read_model_store import ReadModelStore
from shared.clock import start_of, township_today

HIGH_EXPOSURE_SHARE = 0.2  # the top fifth of points by exposure counts as "high"


def candidates(store: ReadModelStore) -> list[Candidate]:
    """Active patrol points with the exposure, name, kind, village and missing
    protections of their hazard (what the field sheet shows)."""
    exposure = {e.hazard_id: e.weight_tenths for e in store.exposures()}
    hazards = {h.hazard_id: h for h in store.hazard_facts()}
    out = []
    for p in store.points():
        h = hazards.get(p.hazard_id)
        out.append(Candidate(p.point_id, p.hazard_id, p.lon, p.lat, exposure.get(p.hazard_id, 0),
                             h.name if h else "", h.kind if h else "",
                             h.village_code if h else "", tuple(h.lacking) if h else ()))
    return out


def high_exposure_points(points: list[Candidate]) -> set[str]:
    """The top fifth of active patrol points by exposure (those with any exposure)."""
    ranked = sorted(points, key=lambda c: (-c.exposure_tenths, c.point_id))
    return {c.point_id for c in ranked[:max(1, round(len(ranked) * HIGH_EXPOSURE_SHARE))]
            if c.exposure_tenths > 0}


def create_plan(uow: GatewayUnitOfWork, crs: CRS, req: PlanRequest, created_by: str) -> str:
    """Plan, store and publish (``gateway.plan.published.v1``) in one transaction.
    Routes follow the newest road network version, if any (the plan's ``metric``)."""
    with uow:
        version, links = links_for_planning(uow.roads)
        plan = plan_patrols(req, candidates(uow.store), crs, [k.coords for k in links],
                            [Link(np.zeros((0, 2)), k.link_id, k.oneway, k.road_class, k.layer)
                             for k in links])
        plan_id = str(uuid.uuid4())
        body = {"plan_id": plan_id, "road_network_version": version,
                "frequency": _jsonable(asdict(req.frequency)), **_jsonable(asdict(plan))}
        uow.plans.add(plan_id, created_by, req.starts_on, req.ends_on, body)
        uow.publish("gateway.plan.published.v1", {
            "plan_id": plan_id, "starts_on": req.starts_on.isoformat(),
            "ends_on": req.ends_on.isoformat(), "teams": len(plan.teams),
            "points": len({s["point_id"] for t in body["teams"] for sh in t["shifts"]
                           for s in sh["stops"]})})
    return plan_id


def get_plan(conn: Connection, plan_id: str) -> dict[str, Any]:
    body = PlanRepository(conn).get(plan_id)
    if body is None:
        raise NotFound(f"plan {plan_id}")
    return body


def get_team(conn: Connection, plan_id: str, team_id: str) -> dict[str, Any]:
    for team in get_plan(conn, plan_id)["teams"]:
        if team["team_id"] == team_id:
            return team
    raise NotFound(f"team {team_id} in plan {plan_id}")


def team_route(conn: Connection, plan_id: str, team_id: str | None,
               today: date | None = None) -> dict[str, Any]:
    """Today's (or the next) shift of a team as GeoJSON: from the start along the roads
    (the plan's track) past every stop and back to the start."""
    if team_id is None:
        raise NotFound("team")
    team = get_team(conn, plan_id, team_id)
    start = list(team["start"])
    day = (today or township_today()).isoformat()
    upcoming = [sh for sh in team["shifts"] if sh["day"] >= day and sh["stops"]] \
        or team["shifts"][-1:]
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "id": f"{team_id}:{sh['day']}",
         "geometry": {"type": "LineString", "coordinates":
                      [list(p) for p in sh.get("track") or []]
                      or [start, *[[s["lon"], s["lat"]] for s in sh["stops"]], start]},
         "properties": {"day": sh["day"], "stops": [s["point_id"] for s in sh["stops"]],
                        "names": [s.get("name") or s.get("kind", "") for s in sh["stops"]]}}
        for sh in upcoming[:1]]}


def coverage(conn: Connection, plan_id: str, now: datetime | None = None) -> dict[str, Any]:
    """Planned vs checked points, distance walked, and the share of high-exposure points
    checked in the last 7 days."""
    now = now or datetime.now(UTC)
    plan = get_plan(conn, plan_id)
    store = ReadModelStore(conn)
    planned = {s["point_id"] for t in plan["teams"] for sh in t["shifts"] for s in sh["stops"]}
    since = start_of(date.fromisoformat(plan["starts_on"]))
    done = [c for c in store.checkins(since) if c.point_id in planned]
    high = high_exposure_points(candidates(store))
    week = {c.point_id for c in store.checkins(now - timedelta(days=7))}
    return {"plan_id": plan_id, "planned_points": len(planned),
            "checked_points": len({c.point_id for c in done}),
            "distance_walked_m": round(sum(c.track_m for c in done), 1),
            "high_exposure_points": len(high),
            "high_exposure_checked_7d_share": round(len(high & week) / len(high), 3)
            if high else None}


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat(timespec="minutes") if hasattr(value, "hour") and \
            not hasattr(value, "year") else value.isoformat()
    return value
