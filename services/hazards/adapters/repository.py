"""Storing and loading hazards (geometry as WKT, EPSG:4326)."""

from __future__ import annotations

from shapely import wkt
from sqlalchemy import Connection, insert, select

from services.hazards.adapters.tables import hazards
from services.hazards.domain.model import Hazard


class HazardRepository:
    def __init__(self, conn: Connection):
        self.conn = conn

    def add(self, hazard: Hazard) -> None:
        self.conn.execute(insert(hazards).values(
            id=hazard.id, kind=hazard.kind, name=hazard.name,
            geometry_wkt=hazard.geometry.wkt,
        ))

    def get(self, hazard_id: str) -> Hazard | None:
        row = self.conn.execute(select(hazards).where(hazards.c.id == hazard_id)).first()
        if row is None:
            return None
        return Hazard(kind=row.kind, name=row.name, geometry=wkt.loads(row.geometry_wkt),
                      id=row.id)
