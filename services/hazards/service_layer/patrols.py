"""Patrol points (generated and manual) and check-ins with their findings."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import geopandas as gpd
import numpy as np
import shapely

from services.hazards.adapters.photos import clean_photo
from services.hazards.domain.checkins import CheckIn
from services.hazards.domain.exceptions import HazardsError, InvalidCheckIn, NotFound
from services.hazards.domain.kinds import ROAD_KINDS, WATER_KINDS
from services.hazards.domain.patrol import Schedule, plan_points
from services.hazards.service_layer.unit_of_work import HazardsUnitOfWork
from shared.config import Region
from shared.geo import WGS84, CoordinateError, check_in_region, to_wgs84

log = logging.getLogger(__name__)


def point_event(p: dict[str, Any]) -> dict[str, Any]:
    return {"point_id": p["id"], "hazard_id": p["hazard_id"],
            "location": {"lon": p["lon"], "lat": p["lat"]}, "reason": p["reason"],
            "schedule": p["schedule"], "active": bool(p["active"])}


def _check_location(lon: float, lat: float, region: Region, what: str) -> None:
    try:
        check_in_region(lon, lat, region, what)
    except CoordinateError as exc:
        raise InvalidCheckIn(what, str(exc)) from exc


def add_point(uow: HazardsUnitOfWork, hazard_id: str, lon: float, lat: float,
              schedule: str, note: str, region: Region) -> dict[str, Any]:
    _check_location(lon, lat, region, "location")
    point = {"id": str(uuid.uuid4()), "hazard_id": hazard_id, "lon": lon,
             "lat": lat, "reason": "manual", "schedule": str(Schedule.parse(schedule)),
             "active": True, "origin_key": None, "note": note}
    with uow:
        if uow.hazards.get(hazard_id) is None:
            raise NotFound(f"no hazard {hazard_id}")
        uow.points.add(point)
        uow.publish("hazards.patrol_point.changed.v1", point_event(point))
    return point


def update_point(uow: HazardsUnitOfWork, point_id: str, changes: dict[str, Any],
                 region: Region) -> dict[str, Any]:
    """Edit by hand: schedule, active, note, location (WGS 84)."""
    if "schedule" in changes:
        changes["schedule"] = str(Schedule.parse(changes["schedule"]))
    if "lon" in changes:
        _check_location(changes["lon"], changes["lat"], region, "location")
    with uow:
        point = uow.points.get(point_id)
        if point is None:
            raise NotFound(f"no patrol point {point_id}")
        point.update(changes)
        uow.points.update(point_id, changes)
        uow.publish("hazards.patrol_point.changed.v1", point_event(point))
    return point


def regenerate_points(uow: HazardsUnitOfWork, cluster_m: float,
                      max_distance_m: float) -> dict[str, int]:
    """Recompute generated points; new ones appear, moved ones move, stale ones deactivate.
    Manual points are never touched. ``homes`` says how many homes the points were drawn
    from: homes arrive as registry events, so a caller can tell whether all have."""
    counts = {"created": 0, "moved": 0, "deactivated": 0, "unchanged": 0, "homes": 0}
    with uow:
        frame = uow.hazards.frame()
        lonlat = np.asarray(uow.homes.locations(), dtype=float).reshape(-1, 2)  # (0, 2) if none
        homes = gpd.GeoSeries(shapely.points(lonlat), crs=WGS84)
        counts["homes"] = len(homes)
        water = frame[frame["kind"].isin(WATER_KINDS)]
        roads = frame[frame["kind"].isin(ROAD_KINDS)]
        planned = {p.key: p for p in plan_points(homes, water, roads, cluster_m, max_distance_m)}
        stored = uow.points.generated()
        for key, p in planned.items():
            old = stored.get(key)
            if old is None:
                new = {"id": str(uuid.uuid4()), "hazard_id": p.hazard_id,
                       "lon": p.lon, "lat": p.lat, "reason": p.reason,
                       "schedule": str(Schedule()), "active": True, "origin_key": key, "note": ""}
                uow.points.add(new)
                uow.publish("hazards.patrol_point.changed.v1", point_event(new))
                counts["created"] += 1
            elif (old["lon"], old["lat"]) != (p.lon, p.lat) or not old["active"]:
                old.update(lon=p.lon, lat=p.lat, active=True)
                uow.points.update(old["id"], {"lon": p.lon, "lat": p.lat, "active": True})
                uow.publish("hazards.patrol_point.changed.v1", point_event(old))
                counts["moved"] += 1
            else:
                counts["unchanged"] += 1
        for key, old in stored.items():
            if key not in planned and old["active"]:
                old["active"] = False
                uow.points.update(old["id"], {"active": False})
                uow.publish("hazards.patrol_point.changed.v1", point_event(old))
                counts["deactivated"] += 1
    log.info("patrol points regenerated: %s", counts)
    return counts


def list_points(uow: HazardsUnitOfWork, hazard_id: str | None, due_only: bool,
                now: datetime) -> list[dict[str, Any]]:
    with uow:
        points = uow.points.list(hazard_id)
    for p in points:
        p["due"] = Schedule.parse(p["schedule"]).is_due(p["last_checked_at"], now)
    return [p for p in points if p["due"]] if due_only else points


@dataclass(frozen=True)
class CheckInPolicy:
    region: Region
    max_distance_m: float
    may_act_as: Callable[[str], bool]  # may the caller check in as this member?


def record_checkins(uow: HazardsUnitOfWork, batch: list[tuple[CheckIn, str]],
                    policy: CheckInPolicy) -> list[dict[str, Any]]:
    """Record a phone's queued check-ins (each with its datum), one transaction each, so
    one bad item does not lose the others. A client id seen before is a retry: nothing
    new is written and the first check-in's id is returned."""
    return [_record_one(uow, ci, datum, policy) for ci, datum in batch]


def _record_one(uow: HazardsUnitOfWork, ci: CheckIn, datum: str,
                policy: CheckInPolicy) -> dict[str, Any]:
    result: dict[str, Any] = {"client_id": ci.client_id}
    try:
        with uow:
            seen = uow.checkins.by_client_id(ci.client_id)
            if seen is not None:
                return {**result, "status": "duplicate", "checkin_id": seen["id"]}
            _prepare(ci, datum, policy)
            point = uow.points.get(ci.point_id)
            if point is None:
                raise NotFound(f"no patrol point {ci.point_id}")
            dist = ci.check_position(point["lon"], point["lat"], policy.max_distance_m)
            track = shapely.LineString(ci.track).wkt if len(ci.track) >= 2 else None
            if not uow.checkins.add(ci, point["hazard_id"], dist, track):
                seen = uow.checkins.by_client_id(ci.client_id)
                return {**result, "status": "duplicate", "checkin_id": seen["id"] if seen else ""}
            _publish(uow, ci, point)
    except HazardsError as exc:
        field = getattr(exc, "field", "checkin")
        return {**result, "status": "refused", "errors": {field: [getattr(exc, "message",
                                                                           str(exc))]}}
    return {**result, "status": "created", "checkin_id": ci.id}


def _prepare(ci: CheckIn, datum: str, policy: CheckInPolicy) -> None:
    if not policy.may_act_as(ci.member_id):
        raise InvalidCheckIn("member_id", "you may only check in as yourself")
    ci.lon, ci.lat = to_wgs84(ci.lon, ci.lat, datum)
    ci.track = [to_wgs84(x, y, datum) for x, y in ci.track]
    _check_location(ci.lon, ci.lat, policy.region, "location")


def _publish(uow: HazardsUnitOfWork, ci: CheckIn, point: dict[str, Any]) -> None:
    last = point["last_checked_at"]
    if last is None or last < ci.checked_at:
        uow.points.update(ci.point_id, {"last_checked_at": ci.checked_at})
    uow.publish("hazards.patrol.checked_in.v1", {
        "checkin_id": ci.id, "point_id": ci.point_id, "hazard_id": point["hazard_id"],
        "member_id": ci.member_id, "checked_at": ci.checked_at.isoformat(),
        "location": {"lon": ci.lon, "lat": ci.lat}, "duration_s": ci.duration_s,
        "track_m": round(ci.track_m(), 1)})
    hazard = uow.hazards.get(point["hazard_id"])
    village = hazard.village_code if hazard else ""
    for f in ci.findings:
        uow.findings.add(f, hazard_id=point["hazard_id"], point_id=ci.point_id,
                         village_code=village, reported_at=ci.checked_at, checkin_id=ci.id)
        uow.publish("hazards.finding.reported.v1", {
            "finding_id": f.id, "point_id": ci.point_id, "hazard_id": point["hazard_id"],
            "village_code": village, "kind": f.kind, "action": f.action,
            "severity": f.severity, "reported_at": ci.checked_at.isoformat()})


def attach_photo(uow: HazardsUnitOfWork, client_id: str, data: bytes, max_bytes: int,
                 may_act_as: Callable[[str], bool]) -> str:
    """Attach (or replace) a check-in's photo; only as one who may act as its member:
    another's check-in reads as absent."""
    photo, content_type = clean_photo(data, max_bytes)
    with uow:
        seen = uow.checkins.by_client_id(client_id)
        if seen is None or not may_act_as(seen["member_id"]):
            raise NotFound(f"no check-in {client_id}")
        uow.checkins.attach_photo(seen["id"], photo, content_type)
    return seen["id"]

