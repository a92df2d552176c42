"""The registry's unit of work: its repositories plus the outbox."""

from __future__ import annotations

from sqlalchemy import Connection

from services.registry.adapters.case_repository import (
    ApprovalRepository,
    CaseRepository,
    LedgerRepository,
    VisitRepository,
    WaterRepository,
)
from services.registry.adapters.repository import ChildRepository
from services.registry.adapters.staff_checks import StaffCheckRepository
from shared.unit_of_work import SqlUnitOfWork


class RegistryUnitOfWork(SqlUnitOfWork):
    children: ChildRepository
    cases: CaseRepository
    visits: VisitRepository
    water: WaterRepository
    ledgers: LedgerRepository
    approvals: ApprovalRepository
    staff_checks: StaffCheckRepository

    def _bind(self, conn: Connection) -> None:
        self.children = ChildRepository(conn)
        self.cases = CaseRepository(conn)
        self.visits = VisitRepository(conn)
        self.water = WaterRepository(conn)
        self.ledgers = LedgerRepository(conn)
        self.approvals = ApprovalRepository(conn)
        self.staff_checks = StaffCheckRepository(conn)
