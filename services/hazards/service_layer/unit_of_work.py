"""The hazards unit of work: its repositories plus the outbox."""

from __future__ import annotations

from sqlalchemy import Connection

from services.hazards.adapters.fix_task_repository import FixTaskRepository
from services.hazards.adapters.patrol_repository import (
    CheckInRepository,
    DeviceRepository,
    FindingRepository,
    HomeRepository,
    PatrolPointRepository,
)
from services.hazards.adapters.repository import HazardRepository, ZoneRepository
from services.hazards.domain.ports import UnitOfWork
from shared.unit_of_work import SqlUnitOfWork


class HazardsUnitOfWork(SqlUnitOfWork, UnitOfWork):
    """The SQL unit of work (the abstract one is ``domain.ports.UnitOfWork``)."""

    def __enter__(self) -> HazardsUnitOfWork:
        super().__enter__()
        return self

    def _bind(self, conn: Connection) -> None:
        self.hazards = HazardRepository(conn)
        self.zones = ZoneRepository(conn)
        self.homes = HomeRepository(conn)
        self.points = PatrolPointRepository(conn)
        self.checkins = CheckInRepository(conn)
        self.findings = FindingRepository(conn)
        self.devices = DeviceRepository(conn)
        self.fix_tasks = FixTaskRepository(conn)
