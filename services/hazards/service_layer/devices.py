"""Cameras and sensors: registration, heartbeats, alarms, and the silence scan."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

import geopandas as gpd
import numpy as np
import shapely

from services.hazards.domain.checkins import Finding
from services.hazards.domain.devices import silent_since
from services.hazards.domain.exceptions import InvalidHazard, NotFound
from services.hazards.domain.ports import HazardFilter, UnitOfWork
from shared.geo import WGS84, utm_crs

log = logging.getLogger(__name__)
NEAREST_MAX_M = 1000.0
_DEG = 0.015  # search box half-width, degrees (> 1 km at these latitudes)


def _nearest_hazard(uow: UnitOfWork, lon: float, lat: float) -> tuple[str, str]:
    """(hazard id, village code) of the nearest hazard within NEAREST_MAX_M metres."""
    frame = uow.hazards.frame(HazardFilter(bbox=(lon - _DEG, lat - _DEG, lon + _DEG,
                                                 lat + _DEG)))
    if frame.empty:
        raise InvalidHazard("location", f"no hazard within {NEAREST_MAX_M:.0f} m")
    crs = utm_crs(lon, lat)
    here = gpd.GeoSeries([shapely.Point(lon, lat)], crs=WGS84).to_crs(crs).iloc[0]
    dist = shapely.distance(frame.geometry.to_crs(crs).values, here)
    i = int(np.argmin(dist))
    if dist[i] > NEAREST_MAX_M:
        raise InvalidHazard("location", f"no hazard within {NEAREST_MAX_M:.0f} m")
    return str(frame["id"].iloc[i]), str(frame["village_code"].iloc[i])


def register_device(uow: UnitOfWork, device_id: str, lon: float, lat: float,
                    interval_s: int, hazard_id: str | None,
                    configured: dict[str, str]) -> dict[str, Any]:
    """A device needs a secret in configuration before it is registered here."""
    if device_id not in configured:
        raise InvalidHazard("device_id", "no secret configured for this device "
                            "(SHOUHU_HAZARDS_DEVICE_KEYS)")
    with uow:
        if hazard_id is None:
            hazard_id, _ = _nearest_hazard(uow, lon, lat)
        elif uow.hazards.get(hazard_id) is None:
            raise NotFound(f"no hazard {hazard_id}")
        device = {"id": device_id, "hazard_id": hazard_id, "lon": lon, "lat": lat,
                  "interval_s": interval_s, "registered_at": datetime.now(UTC),
                  "last_seen": None, "silence_reported": False}
        uow.devices.put(device)
    return device


def heartbeat(uow: UnitOfWork, device_id: str, now: datetime) -> None:
    with uow:
        if uow.devices.get(device_id) is None:
            raise NotFound(f"device {device_id} is not registered")
        uow.devices.seen(device_id, now)


def alarm(uow: UnitOfWork, device_id: str, alarm_id: str, kind: str,
          location: tuple[float, float] | None, sent_at: datetime, now: datetime) -> str:
    """An alarm becomes an urgent camera_alarm finding at the nearest hazard (the device's
    own when the alarm carries no position); a retried alarm id is recorded once."""
    with uow:
        device = uow.devices.get(device_id)
        if device is None:
            raise NotFound(f"device {device_id} is not registered")
        uow.devices.seen(device_id, now)
        if location is None:
            hazard_id = device["hazard_id"]
            hazard = uow.hazards.get(hazard_id)
            village = hazard.village_code if hazard else ""
        else:
            hazard_id, village = _nearest_hazard(uow, *location)
        finding = Finding(kind="camera_alarm", action="none", note=kind)
        if not uow.findings.add(finding, hazard_id=hazard_id, point_id="",
                                village_code=village, reported_at=sent_at,
                                alarm_key=f"{device_id}:{alarm_id}"):
            return "duplicate"
        uow.publish("hazards.finding.reported.v1", {
            "finding_id": finding.id, "point_id": "", "hazard_id": hazard_id,
            "village_code": village, "kind": finding.kind, "action": finding.action,
            "severity": finding.severity, "reported_at": sent_at.isoformat()})
    log.info("camera alarm from device %s recorded as finding %s", device_id, finding.id)
    return finding.id


def scan_silent(uow: UnitOfWork, now: datetime, factor: float) -> list[str]:
    """Publish ``hazards.device.silent.v1`` once per silence; return the devices reported."""
    reported = []
    with uow:
        for d in uow.devices.list():
            since = d["last_seen"] or d["registered_at"]
            if d["silence_reported"] or silent_since(since, d["interval_s"], factor) > now:
                continue
            if uow.devices.claim_silence(d["id"], d["last_seen"]):
                uow.publish("hazards.device.silent.v1", {
                    "device_id": d["id"], "hazard_id": d["hazard_id"],
                    "last_seen": d["last_seen"].isoformat() if d["last_seen"] else None,
                    "interval_s": d["interval_s"]})
                reported.append(d["id"])
    if reported:
        log.warning("%d device(s) went silent", len(reported))
    return reported
