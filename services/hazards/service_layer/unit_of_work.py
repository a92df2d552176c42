"""The hazards unit of work: its repositories plus the outbox."""

from __future__ import annotations

from sqlalchemy import Connection

from services.hazards.adapters.repository import HazardRepository
from shared.unit_of_work import SqlUnitOfWork


class HazardsUnitOfWork(SqlUnitOfWork):
    hazards: HazardRepository

    def _bind(self, conn: Connection) -> None:
        self.hazards = HazardRepository(conn)
