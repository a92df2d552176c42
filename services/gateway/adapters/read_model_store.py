"""Reading and writing the gateway's read model."""

from __future__ import annotations

from sqlalchemy import Connection, delete, insert, select

from services.gateway.adapters.tables import child_homes, hazard_shapes
from services.gateway.domain.read_model import ChildHome, HazardShape


class ReadModelStore:
    def __init__(self, conn: Connection):
        self.conn = conn

    def put_child(self, home: ChildHome) -> None:
        self.conn.execute(delete(child_homes).where(child_homes.c.child_id == home.child_id))
        self.conn.execute(insert(child_homes).values(**home.__dict__))

    def put_hazard(self, hazard: HazardShape) -> None:
        self.conn.execute(
            delete(hazard_shapes).where(hazard_shapes.c.hazard_id == hazard.hazard_id))
        self.conn.execute(insert(hazard_shapes).values(**hazard.__dict__))

    def children(self) -> list[ChildHome]:
        rows = self.conn.execute(select(child_homes).order_by(child_homes.c.child_id)).all()
        return [ChildHome(**r._mapping) for r in rows]

    def hazards(self) -> list[HazardShape]:
        rows = self.conn.execute(select(hazard_shapes).order_by(hazard_shapes.c.hazard_id)).all()
        return [HazardShape(**r._mapping) for r in rows]
