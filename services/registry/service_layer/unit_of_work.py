"""The registry's unit of work: its repositories and audit log plus the outbox."""

from __future__ import annotations

from sqlalchemy import Connection

from services.registry.adapters.audit_log import AuditLog
from services.registry.adapters.case_repository import (
    ApprovalRepository,
    CaseRepository,
    LedgerRepository,
    VisitRepository,
    WaterRepository,
)
from services.registry.adapters.repository import ChildRepository
from services.registry.adapters.staff_checks import StaffCheckRepository
from services.registry.domain.ports import UnitOfWork
from shared.unit_of_work import SqlUnitOfWork


class RegistryUnitOfWork(SqlUnitOfWork, UnitOfWork):
    """The SQL unit of work (the abstract one is ``domain.ports.UnitOfWork``)."""

    def __enter__(self) -> RegistryUnitOfWork:
        super().__enter__()
        return self

    def _bind(self, conn: Connection) -> None:
        self.children = ChildRepository(conn)
        self.cases = CaseRepository(conn)
        self.visits = VisitRepository(conn)
        self.water = WaterRepository(conn)
        self.ledgers = LedgerRepository(conn)
        self.approvals = ApprovalRepository(conn)
        self.audit = AuditLog(conn)
        self.staff_checks = StaffCheckRepository(conn)
