"""Stored patrol plans (the gateway's own data, not part of the rebuildable read model)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Connection, insert, select

from services.gateway.adapters.tables import plans


class PlanRepository:
    def __init__(self, conn: Connection):
        self.conn = conn

    def add(self, plan_id: str, created_by: str, starts_on: date, ends_on: date,
            body: dict[str, Any]) -> None:
        self.conn.execute(insert(plans).values(
            plan_id=plan_id, created_at=datetime.now(UTC), created_by=created_by,
            starts_on=starts_on, ends_on=ends_on, body=body))

    def get(self, plan_id: str) -> dict[str, Any] | None:
        row = self.conn.execute(select(plans.c.body).where(plans.c.plan_id == plan_id)).first()
        return row.body if row else None

    def latest(self, limit: int = 20) -> list[dict[str, Any]]:
        q = select(plans.c.plan_id, plans.c.starts_on, plans.c.ends_on, plans.c.created_at) \
            .order_by(plans.c.created_at.desc()).limit(limit)
        return [dict(r._mapping) for r in self.conn.execute(q).all()]
