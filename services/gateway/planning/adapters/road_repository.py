"""Stored road network versions (the gateway's own data, not rebuilt from events)."""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, insert, select

from services.gateway.adapters.tables import road_networks
from services.gateway.planning.domain.road_import import RoadLink, RoadReport


class RoadRepository:
    def __init__(self, conn: Connection):
        self.conn = conn

    def add(self, imported_by: str, source: str, report: RoadReport,
            links: list[RoadLink]) -> int:
        """Store a new version; returns its number."""
        result = self.conn.execute(insert(road_networks).values(
            imported_at=datetime.now(UTC), imported_by=imported_by, source=source[:200],
            report=asdict(report), links=[
                {"id": k.link_id, "oneway": k.oneway, "class": k.road_class,
                 "layer": k.layer, "coords": [list(c) for c in k.coords]} for k in links]))
        key = result.inserted_primary_key
        assert key is not None  # an insert into a table with a primary key
        return int(key[0])

    def latest_version(self) -> dict[str, Any] | None:
        """The newest version's number, source, time and report (no links)."""
        row = self.conn.execute(
            select(road_networks.c.version, road_networks.c.imported_at,
                   road_networks.c.imported_by, road_networks.c.source,
                   road_networks.c.report).order_by(road_networks.c.version.desc()).limit(1)
        ).first()
        return dict(row._mapping) if row else None

    def links(self, version: int) -> list[RoadLink]:
        row = self.conn.execute(select(road_networks.c.links)
                                .where(road_networks.c.version == version)).first()
        return [RoadLink(k["id"], tuple((float(x), float(y)) for x, y in k["coords"]),
                         k["oneway"], k["class"], int(k["layer"])) for k in (row.links
                                                                              if row else [])]
