"""Storing homes (locations only, encrypted), patrol points, check-ins, findings and
devices."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from services.hazards.adapters.tables import checkins, devices, findings, homes, patrol_points
from services.hazards.domain import ports
from services.hazards.domain.checkins import CheckIn, Finding


class HomeRepository(ports.HomeRepository):
    def __init__(self, conn: Connection):
        self.conn = conn

    def put(self, child_id: str, village_code: str, lon: float, lat: float) -> None:
        self.remove(child_id)
        self.conn.execute(insert(homes).values(child_id=child_id, village_code=village_code,
                                               location=(lon, lat)))

    def remove(self, child_id: str) -> None:
        self.conn.execute(delete(homes).where(homes.c.child_id == child_id))

    def locations(self) -> list[tuple[float, float]]:
        """Every home's ``(lon, lat)``, decrypted: patrol planning works on them in memory."""
        return list(self.conn.execute(select(homes.c.location)).scalars())


class PatrolPointRepository(ports.PatrolPointRepository):
    def __init__(self, conn: Connection):
        self.conn = conn

    def add(self, point: dict[str, Any]) -> None:
        self.conn.execute(insert(patrol_points).values(**point))

    def get(self, point_id: str) -> dict[str, Any] | None:
        row = self.conn.execute(select(patrol_points)
                                .where(patrol_points.c.id == point_id)).first()
        return dict(row._mapping) if row else None

    def update(self, point_id: str, values: dict[str, Any]) -> None:
        self.conn.execute(update(patrol_points).where(patrol_points.c.id == point_id)
                          .values(**values))

    def generated(self) -> dict[str, dict[str, Any]]:
        """Generated points by origin key (manual points have none)."""
        rows = self.conn.execute(select(patrol_points)
                                 .where(patrol_points.c.origin_key.is_not(None))).all()
        return {r.origin_key: dict(r._mapping) for r in rows}

    def list(self, hazard_id: str | None = None, active_only: bool = True) -> list[dict[str, Any]]:
        query = select(patrol_points).order_by(patrol_points.c.id)
        if hazard_id:
            query = query.where(patrol_points.c.hazard_id == hazard_id)
        if active_only:
            query = query.where(patrol_points.c.active.is_(True))
        return [dict(r._mapping) for r in self.conn.execute(query)]


class CheckInRepository(ports.CheckInRepository):
    def __init__(self, conn: Connection):
        self.conn = conn

    def add(self, ci: CheckIn, hazard_id: str, distance_m: float, track_wkt: str | None) -> bool:
        """Insert; False when the client id is already stored (a retry). Uses a savepoint so
        the unique constraint, not a prior read, decides between concurrent retries."""
        try:
            with self.conn.begin_nested():
                self.conn.execute(insert(checkins).values(
                    id=ci.id, client_id=ci.client_id, point_id=ci.point_id,
                    hazard_id=hazard_id, member_id=ci.member_id, checked_at=ci.checked_at,
                    lon=ci.lon, lat=ci.lat, accuracy_m=ci.accuracy_m, distance_m=distance_m,
                    duration_s=ci.duration_s, track_m=ci.track_m(), track_wkt=track_wkt,
                    off_point_reason=ci.off_point_reason))
        except IntegrityError:
            return False
        return True

    def by_client_id(self, client_id: str) -> dict[str, Any] | None:
        row = self.conn.execute(select(checkins.c.id, checkins.c.client_id, checkins.c.point_id,
                                       checkins.c.member_id)
                                .where(checkins.c.client_id == client_id)).first()
        return dict(row._mapping) if row else None

    def attach_photo(self, checkin_id: str, photo: bytes, content_type: str) -> None:
        self.conn.execute(update(checkins).where(checkins.c.id == checkin_id)
                          .values(photo=photo, photo_type=content_type))

    def photo(self, checkin_id: str) -> tuple[bytes, str] | None:
        row = self.conn.execute(select(checkins.c.photo, checkins.c.photo_type)
                                .where(checkins.c.id == checkin_id)).first()
        return (row.photo, row.photo_type) if row and row.photo else None


class FindingRepository(ports.FindingRepository):
    def __init__(self, conn: Connection):
        self.conn = conn

    def add(self, finding: Finding, *, hazard_id: str, point_id: str, village_code: str,
            reported_at: datetime, checkin_id: str | None = None,
            alarm_key: str | None = None) -> bool:
        """Insert; False when this alarm was already recorded (a device retry)."""
        try:
            with self.conn.begin_nested():
                self.conn.execute(insert(findings).values(
                    id=finding.id, checkin_id=checkin_id, alarm_key=alarm_key,
                    point_id=point_id, hazard_id=hazard_id, village_code=village_code,
                    kind=finding.kind, action=finding.action, severity=finding.severity,
                    note=finding.note[:500], reported_at=reported_at))
        except IntegrityError:
            return False
        return True

    def get(self, finding_id: str) -> dict[str, Any] | None:
        row = self.conn.execute(select(findings).where(findings.c.id == finding_id)).first()
        return None if row is None else dict(row._mapping)


class DeviceRepository(ports.DeviceRepository):
    def __init__(self, conn: Connection):
        self.conn = conn

    def put(self, device: dict[str, Any]) -> None:
        self.conn.execute(delete(devices).where(devices.c.id == device["id"]))
        self.conn.execute(insert(devices).values(**device))

    def get(self, device_id: str) -> dict[str, Any] | None:
        row = self.conn.execute(select(devices).where(devices.c.id == device_id)).first()
        return dict(row._mapping) if row else None

    def list(self) -> list[dict[str, Any]]:
        return [dict(r._mapping) for r in self.conn.execute(select(devices)
                                                            .order_by(devices.c.id))]

    def seen(self, device_id: str, when: datetime) -> None:
        """A heartbeat: the device is alive again, so a later silence is a new one."""
        self.conn.execute(update(devices).where(devices.c.id == device_id)
                          .values(last_seen=when, silence_reported=False))

    def claim_silence(self, device_id: str, last_seen: datetime | None) -> bool:
        """Mark this silence reported; True for exactly one caller per silence, even when
        scans overlap (the conditional UPDATE is the arbiter)."""
        cond = (devices.c.last_seen.is_(None) if last_seen is None
                else devices.c.last_seen == last_seen)
        res = self.conn.execute(update(devices).where(
            devices.c.id == device_id, devices.c.silence_reported.is_(False), cond)
            .values(silence_reported=True))
        return res.rowcount == 1
