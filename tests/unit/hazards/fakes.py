"""In-memory implementations of the hazards ports (services/hazards/domain/ports.py).

They subclass the abstract ports, so mypy holds them to the SQL adapters' signatures,
and keep the adapters' promises that the handlers rely on: a stored record is a copy,
a retired hazard reads as absent, a client id or an alarm is stored once, a fix task's
save refuses a lost update, frames are EPSG:4326 and ordered as the SQL ones.
"""

from __future__ import annotations

import copy
from dataclasses import fields
from datetime import UTC, date, datetime
from typing import Any

import geopandas as gpd
import shapely

from services.hazards.domain import ports
from services.hazards.domain.checkins import CheckIn, Finding
from services.hazards.domain.exceptions import NotFound
from services.hazards.domain.fix_tasks import FixTask
from services.hazards.domain.kinds import PROTECTIONS
from services.hazards.domain.model import Hazard
from services.hazards.domain.ports import HazardFilter
from shared.geo import WGS84
from tests.unit.recording_unit_of_work import RecordingUnitOfWork

ATTRIBUTES = [f.name for f in fields(Hazard) if f.name != "geometry"]


def _in_box(geometry: Any, flt: HazardFilter) -> bool:
    if flt.bbox is None:
        return True
    minx, miny, maxx, maxy = flt.bbox
    b = shapely.bounds(geometry)
    return bool(b[2] >= minx and b[0] <= maxx and b[3] >= miny and b[1] <= maxy)


class FakeHazards(ports.HazardRepository):
    def __init__(self) -> None:
        self.rows: dict[str, Hazard] = {}
        self.retired: set[str] = set()
        self.version_rows: list[dict[str, Any]] = []

    def add(self, hazard: Hazard) -> None:
        assert hazard.id not in self.rows, "the primary key"
        self.rows[hazard.id] = copy.deepcopy(hazard)

    def add_many(self, frame: gpd.GeoDataFrame) -> None:
        for record, geometry in zip(frame.drop(columns="geometry").to_dict("records"),
                                    frame.geometry.values, strict=True):
            self.add(Hazard(geometry=geometry,
                            **{k: v for k, v in record.items() if k in ATTRIBUTES}))

    def get(self, hazard_id: str) -> Hazard | None:
        if hazard_id in self.retired:
            return None
        return copy.deepcopy(self.rows.get(hazard_id))

    def save(self, hazard: Hazard) -> None:
        self.rows[hazard.id] = copy.deepcopy(hazard)

    def retire(self, hazard_id: str) -> None:
        self.retired.add(hazard_id)

    def frame(self, flt: HazardFilter = HazardFilter()) -> gpd.GeoDataFrame:
        names = PROTECTIONS if flt.missing == "any" else (str(flt.missing),)
        found = sorted((h for i, h in self.rows.items() if i not in self.retired
                        and _in_box(h.geometry, flt)
                        and (not flt.kinds or h.kind in flt.kinds)
                        and (not flt.village_code or h.village_code == flt.village_code)
                        and (not flt.missing or any(getattr(h, p) != "present"
                                                    for p in names))),
                       key=lambda h: (h.kind, h.id))
        return gpd.GeoDataFrame({c: [getattr(h, c) for h in found] for c in ATTRIBUTES},
                                geometry=[h.geometry for h in found], crs=WGS84)

    def record_versions(self, rows: list[dict[str, Any]], changed_by: str) -> None:
        now = datetime.now(UTC)
        self.version_rows += [{**copy.deepcopy(r), "changed_by": changed_by,
                               "changed_at": now} for r in rows]

    def versions(self, hazard_id: str) -> list[dict[str, Any]]:
        return [{k: r[k] for k in ("version", "action", "changed_by", "changed_at", "changes")}
                for r in self.version_rows if r["hazard_id"] == hazard_id]


class FakeZones(ports.ZoneRepository):
    def __init__(self) -> None:
        self.rows: dict[str, dict[str, Any]] = {}

    def put_many(self, hazard_ids: list[str], kinds: list[str], buffers_m: list[float],
                 geoms: Any) -> None:
        for h, k, m, g in zip(hazard_ids, kinds, buffers_m, geoms, strict=True):
            self.rows[h] = {"hazard_id": h, "kind": k, "buffer_m": float(m), "geometry": g}

    def remove(self, hazard_id: str) -> None:
        self.rows.pop(hazard_id, None)

    def frame(self, flt: HazardFilter = HazardFilter()) -> gpd.GeoDataFrame:
        assert not flt.village_code, "the fake does not join zones to their hazards"
        found = sorted((z for z in self.rows.values() if _in_box(z["geometry"], flt)
                        and (not flt.kinds or z["kind"] in flt.kinds)),
                       key=lambda z: z["hazard_id"])
        return gpd.GeoDataFrame({c: [z[c] for z in found]
                                 for c in ("hazard_id", "kind", "buffer_m")},
                                geometry=[z["geometry"] for z in found], crs=WGS84)


class FakeHomes(ports.HomeRepository):
    def __init__(self) -> None:
        self.rows: dict[str, tuple[str, float, float]] = {}

    def put(self, child_id: str, village_code: str, lon: float, lat: float) -> None:
        self.rows[child_id] = (village_code, lon, lat)

    def remove(self, child_id: str) -> None:
        self.rows.pop(child_id, None)

    def locations(self) -> list[tuple[float, float]]:
        return [(lon, lat) for _, lon, lat in self.rows.values()]


class FakePoints(ports.PatrolPointRepository):
    def __init__(self) -> None:
        self.rows: dict[str, dict[str, Any]] = {}

    def add(self, point: dict[str, Any]) -> None:
        self.rows[point["id"]] = {"last_checked_at": None, **copy.deepcopy(point)}

    def get(self, point_id: str) -> dict[str, Any] | None:
        return copy.deepcopy(self.rows.get(point_id))

    def update(self, point_id: str, values: dict[str, Any]) -> None:
        if point_id in self.rows:
            self.rows[point_id].update(copy.deepcopy(values))

    def generated(self) -> dict[str, dict[str, Any]]:
        return {p["origin_key"]: dict(p) for p in self.rows.values()
                if p["origin_key"] is not None}

    def list(self, hazard_id: str | None = None,
             active_only: bool = True) -> list[dict[str, Any]]:
        return [dict(p) for _, p in sorted(self.rows.items())
                if (not hazard_id or p["hazard_id"] == hazard_id)
                and (p["active"] or not active_only)]


class FakeCheckIns(ports.CheckInRepository):
    def __init__(self) -> None:
        self.rows: dict[str, dict[str, Any]] = {}  # by client id

    def add(self, ci: CheckIn, hazard_id: str, distance_m: float, track_wkt: str | None) -> bool:
        if ci.client_id in self.rows:
            return False
        self.rows[ci.client_id] = {
            "id": ci.id, "client_id": ci.client_id, "point_id": ci.point_id,
            "hazard_id": hazard_id, "member_id": ci.member_id, "checked_at": ci.checked_at,
            "lon": ci.lon, "lat": ci.lat, "distance_m": distance_m, "track_wkt": track_wkt,
            "off_point_reason": ci.off_point_reason, "photo": None, "photo_type": None}
        return True

    def by_client_id(self, client_id: str) -> dict[str, Any] | None:
        row = self.rows.get(client_id)
        return None if row is None else {k: row[k] for k in ("id", "client_id", "point_id",
                                                             "member_id")}

    def attach_photo(self, checkin_id: str, photo: bytes, content_type: str) -> None:
        for row in self.rows.values():
            if row["id"] == checkin_id:
                row["photo"], row["photo_type"] = photo, content_type

    def photo(self, checkin_id: str) -> tuple[bytes, str] | None:
        row = next((r for r in self.rows.values() if r["id"] == checkin_id), None)
        return (row["photo"], row["photo_type"]) if row and row["photo"] else None


class FakeFindings(ports.FindingRepository):
    def __init__(self) -> None:
        self.rows: dict[str, dict[str, Any]] = {}

    def add(self, finding: Finding, *, hazard_id: str, point_id: str, village_code: str,
            reported_at: datetime, checkin_id: str | None = None,
            alarm_key: str | None = None) -> bool:
        if alarm_key and any(r["alarm_key"] == alarm_key for r in self.rows.values()):
            return False
        self.rows[finding.id] = {
            "id": finding.id, "checkin_id": checkin_id, "alarm_key": alarm_key,
            "point_id": point_id, "hazard_id": hazard_id, "village_code": village_code,
            "kind": finding.kind, "action": finding.action, "severity": finding.severity,
            "note": finding.note[:500], "reported_at": reported_at}
        return True

    def get(self, finding_id: str) -> dict[str, Any] | None:
        return copy.deepcopy(self.rows.get(finding_id))


class FakeDevices(ports.DeviceRepository):
    def __init__(self) -> None:
        self.rows: dict[str, dict[str, Any]] = {}

    def put(self, device: dict[str, Any]) -> None:
        self.rows[device["id"]] = dict(device)

    def get(self, device_id: str) -> dict[str, Any] | None:
        return copy.deepcopy(self.rows.get(device_id))

    def list(self) -> list[dict[str, Any]]:
        return [dict(d) for _, d in sorted(self.rows.items())]

    def seen(self, device_id: str, when: datetime) -> None:
        if device_id in self.rows:
            self.rows[device_id].update(last_seen=when, silence_reported=False)

    def claim_silence(self, device_id: str, last_seen: datetime | None) -> bool:
        d = self.rows.get(device_id)
        if d is None or d["silence_reported"] or d["last_seen"] != last_seen:
            return False
        d["silence_reported"] = True
        return True


class FakeFixTasks(ports.FixTaskRepository):
    def __init__(self) -> None:
        self.rows: dict[str, FixTask] = {}
        self.photos: dict[str, tuple[bytes, str]] = {}

    def add(self, task: FixTask) -> None:
        self.rows[task.id] = copy.deepcopy(task)

    def get(self, task_id: str) -> FixTask | None:
        task = copy.deepcopy(self.rows.get(task_id))
        if task is not None:
            task.has_photo = task_id in self.photos
        return task

    def save(self, task: FixTask, photo: tuple[bytes, str] | None = None) -> None:
        if self.rows[task.id].version != task.version:
            raise NotFound(f"fix task {task.id} changed meanwhile; reload it")
        if photo is not None:
            self.photos[task.id] = photo
        task.version += 1
        self.rows[task.id] = copy.deepcopy(task)

    def open_for(self, hazard_id: str, protection: str) -> FixTask | None:
        return next((copy.deepcopy(t) for t in self.rows.values() if t.hazard_id == hazard_id
                     and t.protection == protection and t.status != "confirmed"), None)

    def past_due(self, today: date) -> list[FixTask]:
        return [copy.deepcopy(t) for t in self.rows.values()
                if t.status == "assigned" and t.due_on < today]

    def page(self, villages: frozenset[str] | None, status: str, page: int,
             page_size: int) -> tuple[list[FixTask], int]:
        found = sorted((copy.deepcopy(t) for t in self.rows.values()
                        if (villages is None or t.village_code in villages)
                        and (not status or t.status == status)),
                       key=lambda t: (t.due_on, t.id))
        return found[(page - 1) * page_size: page * page_size], len(found)

    def photo(self, task_id: str) -> tuple[bytes, str] | None:
        return self.photos.get(task_id)


class FakeUnitOfWork(RecordingUnitOfWork, ports.UnitOfWork):
    """Repositories that outlive each ``with`` (so a factory can hand out this one)."""

    source = "/shouhu/hazards"

    def __init__(self) -> None:
        super().__init__()
        self.hazards = self.fake_hazards = FakeHazards()
        self.zones = self.fake_zones = FakeZones()
        self.homes = self.fake_homes = FakeHomes()
        self.points = self.fake_points = FakePoints()
        self.checkins = self.fake_checkins = FakeCheckIns()
        self.findings = self.fake_findings = FakeFindings()
        self.devices = self.fake_devices = FakeDevices()
        self.fix_tasks = self.fake_fix_tasks = FakeFixTasks()
