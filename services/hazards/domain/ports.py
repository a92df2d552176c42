"""The ports the hazards service layer depends on: its repositories and unit of work.

The SQL adapters (services/hazards/adapters/) subclass these, and so do the in-memory
fakes of the unit tests (tests/unit/hazards/fakes.py), so the handlers can be tested
fast without a database while mypy holds both to one signature. Stored points,
check-ins, findings and devices are plain dicts by column name, on both sides.
"""

from __future__ import annotations

import abc
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import geopandas as gpd

from services.hazards.domain.checkins import CheckIn, Finding
from services.hazards.domain.fix_tasks import FixTask
from services.hazards.domain.model import Hazard
from shared.ports import AbstractUnitOfWork


@dataclass(frozen=True)
class HazardFilter:
    """List filters; bbox is (min_lon, min_lat, max_lon, max_lat) in WGS 84 degrees."""

    bbox: tuple[float, float, float, float] | None = None
    kinds: tuple[str, ...] = ()
    village_code: str | None = None
    missing: str | None = None  # a protection name, or "any"


class HazardRepository(abc.ABC):
    """Active hazards (a retired one reads as absent) and every version of each."""

    @abc.abstractmethod
    def add(self, hazard: Hazard) -> None: ...

    @abc.abstractmethod
    def add_many(self, frame: gpd.GeoDataFrame) -> None:
        """``frame`` has the hazard attribute columns and EPSG:4326 geometry."""

    @abc.abstractmethod
    def get(self, hazard_id: str) -> Hazard | None: ...

    @abc.abstractmethod
    def save(self, hazard: Hazard) -> None: ...

    @abc.abstractmethod
    def retire(self, hazard_id: str) -> None: ...

    @abc.abstractmethod
    def frame(self, flt: HazardFilter = HazardFilter()) -> gpd.GeoDataFrame:
        """Active hazards matching ``flt`` (EPSG:4326), ordered by kind and id."""

    @abc.abstractmethod
    def record_versions(self, rows: list[dict[str, Any]], changed_by: str) -> None:
        """One version row per change: dicts with hazard_id, version, action, changes."""

    @abc.abstractmethod
    def versions(self, hazard_id: str) -> list[dict[str, Any]]: ...


class ZoneRepository(abc.ABC):
    @abc.abstractmethod
    def put_many(self, hazard_ids: list[str], kinds: list[str], buffers_m: list[float],
                 geoms: Any) -> None:
        """Replace the zones of these hazards (EPSG:4326 polygons, buffers in metres)."""

    @abc.abstractmethod
    def remove(self, hazard_id: str) -> None: ...

    @abc.abstractmethod
    def frame(self, flt: HazardFilter = HazardFilter()) -> gpd.GeoDataFrame: ...


class HomeRepository(abc.ABC):
    """Children's homes as points only (from registry events), for patrol planning."""

    @abc.abstractmethod
    def put(self, child_id: str, village_code: str, lon: float, lat: float) -> None: ...

    @abc.abstractmethod
    def remove(self, child_id: str) -> None: ...

    @abc.abstractmethod
    def locations(self) -> list[tuple[float, float]]: ...


class PatrolPointRepository(abc.ABC):
    @abc.abstractmethod
    def add(self, point: dict[str, Any]) -> None: ...

    @abc.abstractmethod
    def get(self, point_id: str) -> dict[str, Any] | None: ...

    @abc.abstractmethod
    def update(self, point_id: str, values: dict[str, Any]) -> None: ...

    @abc.abstractmethod
    def generated(self) -> dict[str, dict[str, Any]]:
        """Generated points by origin key (manual points have none)."""

    @abc.abstractmethod
    def list(self, hazard_id: str | None = None,
             active_only: bool = True) -> list[dict[str, Any]]: ...


class CheckInRepository(abc.ABC):
    @abc.abstractmethod
    def add(self, ci: CheckIn, hazard_id: str, distance_m: float, track_wkt: str | None) -> bool:
        """Insert; False when the client id is already stored (a retry)."""

    @abc.abstractmethod
    def by_client_id(self, client_id: str) -> dict[str, Any] | None: ...

    @abc.abstractmethod
    def attach_photo(self, checkin_id: str, photo: bytes, content_type: str) -> None: ...

    @abc.abstractmethod
    def photo(self, checkin_id: str) -> tuple[bytes, str] | None: ...


class FindingRepository(abc.ABC):
    @abc.abstractmethod
    def add(self, finding: Finding, *, hazard_id: str, point_id: str, village_code: str,
            reported_at: datetime, checkin_id: str | None = None,
            alarm_key: str | None = None) -> bool:
        """Insert; False when this alarm was already recorded (a device retry)."""

    @abc.abstractmethod
    def get(self, finding_id: str) -> dict[str, Any] | None: ...


class DeviceRepository(abc.ABC):
    @abc.abstractmethod
    def put(self, device: dict[str, Any]) -> None: ...

    @abc.abstractmethod
    def get(self, device_id: str) -> dict[str, Any] | None: ...

    @abc.abstractmethod
    def list(self) -> list[dict[str, Any]]: ...

    @abc.abstractmethod
    def seen(self, device_id: str, when: datetime) -> None: ...

    @abc.abstractmethod
    def claim_silence(self, device_id: str, last_seen: datetime | None) -> bool:
        """True for exactly one caller per silence."""


class FixTaskRepository(abc.ABC):
    @abc.abstractmethod
    def add(self, task: FixTask) -> None: ...

    @abc.abstractmethod
    def get(self, task_id: str) -> FixTask | None: ...

    @abc.abstractmethod
    def save(self, task: FixTask, photo: tuple[bytes, str] | None = None) -> None:
        """Store the new state (and a photo); NotFound when someone saved it meanwhile."""

    @abc.abstractmethod
    def open_for(self, hazard_id: str, protection: str) -> FixTask | None: ...

    @abc.abstractmethod
    def past_due(self, today: date) -> list[FixTask]: ...

    @abc.abstractmethod
    def page(self, villages: frozenset[str] | None, status: str, page: int,
             page_size: int) -> tuple[list[FixTask], int]: ...

    @abc.abstractmethod
    def photo(self, task_id: str) -> tuple[bytes, str] | None: ...


class UnitOfWork(AbstractUnitOfWork):
    """One transaction over the repositories; ``publish`` records events in it."""

    hazards: HazardRepository
    zones: ZoneRepository
    homes: HomeRepository
    points: PatrolPointRepository
    checkins: CheckInRepository
    findings: FindingRepository
    devices: DeviceRepository
    fix_tasks: FixTaskRepository
