"""The hazards unit of work: its repositories plus the outbox."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection

from services.hazards.adapters.patrol_repository import (
    CheckInRepository,
    DeviceRepository,
    FindingRepository,
    HomeRepository,
    PatrolPointRepository,
)
from services.hazards.adapters.repository import HazardRepository, ZoneRepository
from shared.events.envelope import CloudEvent
from shared.messaging import outbox
from shared.unit_of_work import SqlUnitOfWork


class HazardsUnitOfWork(SqlUnitOfWork):
    hazards: HazardRepository
    zones: ZoneRepository
    homes: HomeRepository
    points: PatrolPointRepository
    checkins: CheckInRepository
    findings: FindingRepository
    devices: DeviceRepository

    def _bind(self, conn: Connection) -> None:
        self.hazards = HazardRepository(conn)
        self.zones = ZoneRepository(conn)
        self.homes = HomeRepository(conn)
        self.points = PatrolPointRepository(conn)
        self.checkins = CheckInRepository(conn)
        self.findings = FindingRepository(conn)
        self.devices = DeviceRepository(conn)

    def publish_many(self, event_type: str, datas: list[dict[str, Any]]) -> list[CloudEvent]:
        """Outbox rows for a bulk change, in one insert, in this transaction."""
        assert self.conn is not None, "publish_many inside 'with uow:'"
        events = outbox.record_many(self.conn, self.catalogue, event_type, datas,
                                    source=self.source)
        self.published.extend(events)
        return events
