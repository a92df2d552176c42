"""Each person's latest background-check standing, as the gateway's events gave it."""

from __future__ import annotations

from dataclasses import asdict

from sqlalchemy import Connection, insert, select, update

from services.registry.adapters.tables import staff_checks
from services.registry.domain.staff_checks import StaffCheck


class StaffCheckRepository:
    def __init__(self, conn: Connection):
        self.conn = conn

    def record(self, check: StaffCheck) -> None:
        """Keep ``check`` as the person's standing: the events of one person arrive in
        order (keyed by user id), so the last one is the current one."""
        values = asdict(check)
        done = self.conn.execute(update(staff_checks).where(
            staff_checks.c.user_id == check.user_id).values(**values))
        if done.rowcount == 0:
            self.conn.execute(insert(staff_checks).values(**values))

    def get(self, user_id: str) -> StaffCheck | None:
        row = self.conn.execute(select(staff_checks).where(
            staff_checks.c.user_id == user_id)).first()
        return None if row is None else StaffCheck(**row._mapping)
