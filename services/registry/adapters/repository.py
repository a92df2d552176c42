"""Storing and loading children."""

from __future__ import annotations

from sqlalchemy import Connection, insert, select

from services.registry.adapters.tables import children
from services.registry.domain.model import Child


class ChildRepository:
    def __init__(self, conn: Connection):
        self.conn = conn

    def add(self, child: Child) -> None:
        self.conn.execute(insert(children).values(
            id=child.id, name=child.name, gender=child.gender, birth_date=child.birth_date,
            village_code=child.village_code, home_lon=child.home_lon, home_lat=child.home_lat,
            categories=child.categories, risk_grade=child.risk_grade,
        ))

    def get(self, child_id: str) -> Child | None:
        row = self.conn.execute(select(children).where(children.c.id == child_id)).first()
        if row is None:
            return None
        return Child(name=row.name, gender=row.gender, birth_date=row.birth_date,
                     village_code=row.village_code, home_lon=row.home_lon,
                     home_lat=row.home_lat, categories=list(row.categories),
                     risk_grade=row.risk_grade, id=row.id)
