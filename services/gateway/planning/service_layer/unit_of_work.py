"""The gateway's unit of work: read model, plans and the outbox in one transaction."""

from __future__ import annotations

from sqlalchemy import Connection

from services.gateway.planning.adapters.plan_repository import PlanRepository
from services.gateway.planning.adapters.road_repository import RoadRepository
from services.gateway.read_model.adapters.read_model_store import ReadModelStore
from shared.unit_of_work import SqlUnitOfWork


class GatewayUnitOfWork(SqlUnitOfWork):
    store: ReadModelStore
    plans: PlanRepository
    roads: RoadRepository

    def _bind(self, conn: Connection) -> None:
        self.store = ReadModelStore(conn)
        self.plans = PlanRepository(conn)
        self.roads = RoadRepository(conn)
