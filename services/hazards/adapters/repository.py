"""Storing and loading hazards, their versions and zones (geometry as WKT, EPSG:4326)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import geopandas as gpd
import shapely
from shapely import wkt
from sqlalchemy import Connection, Select, and_, delete, insert, or_, select, update

from services.hazards.adapters.tables import hazard_versions, hazards, zones
from services.hazards.domain import ports
from services.hazards.domain.kinds import PROTECTIONS
from services.hazards.domain.model import Hazard
from services.hazards.domain.ports import HazardFilter
from shared.geo import WGS84

WKT_DIGITS = 7  # about 1 cm at these latitudes
_ATTRS = [c.name for c in hazards.columns
          if c.name not in ("geometry_wkt", "retired_at", "min_lon", "min_lat", "max_lon",
                            "max_lat")]


def _where(flt: HazardFilter, query: Select, table: Any) -> Select:
    """``flt``'s box and kinds as conditions on ``table`` (hazards or zones)."""
    if flt.bbox is not None:
        minx, miny, maxx, maxy = flt.bbox
        query = query.where(table.c.max_lon >= minx, table.c.min_lon <= maxx,
                            table.c.max_lat >= miny, table.c.min_lat <= maxy)
    if flt.kinds:
        query = query.where(table.c.kind.in_(flt.kinds))
    return query


def _bounds(geoms: Any) -> dict[str, Any]:
    b = shapely.bounds(geoms)
    return {"min_lon": b[..., 0], "min_lat": b[..., 1], "max_lon": b[..., 2],
            "max_lat": b[..., 3]}


def _wkt(geoms: Any) -> Any:
    return shapely.to_wkt(geoms, rounding_precision=WKT_DIGITS, trim=True)


class HazardRepository(ports.HazardRepository):
    def __init__(self, conn: Connection):
        self.conn = conn

    def add(self, hazard: Hazard) -> None:
        self.add_many(gpd.GeoDataFrame([{**hazard.attributes(), "geometry": hazard.geometry}],
                                       geometry="geometry", crs=WGS84))

    def add_many(self, frame: gpd.GeoDataFrame) -> None:
        """Bulk insert; ``frame`` has our attribute columns and EPSG:4326 geometry."""
        geoms = frame.geometry.values
        cols = {c: frame[c].tolist() for c in _ATTRS if c in frame}
        cols.update(geometry_wkt=_wkt(geoms).tolist(),
                    **{k: v.tolist() for k, v in _bounds(geoms).items()})
        rows = [dict(zip(cols, values, strict=True)) for values in zip(*cols.values(),
                                                                      strict=True)]
        for row in rows:
            for key in ("depth_m", "width_m"):
                if key in row and row[key] != row[key]:  # NaN from pandas → NULL
                    row[key] = None
        self.conn.execute(insert(hazards), rows)

    def get(self, hazard_id: str) -> Hazard | None:
        row = self.conn.execute(select(hazards).where(
            hazards.c.id == hazard_id, hazards.c.retired_at.is_(None))).first()
        if row is None:
            return None
        attrs = {c: getattr(row, c) for c in _ATTRS}
        return Hazard(geometry=wkt.loads(row.geometry_wkt), **attrs)

    def save(self, hazard: Hazard) -> None:
        values = {c: getattr(hazard, c) for c in _ATTRS if c != "id"}
        b = hazard.geometry.bounds
        self.conn.execute(update(hazards).where(hazards.c.id == hazard.id).values(
            geometry_wkt=_wkt(hazard.geometry), min_lon=b[0], min_lat=b[1], max_lon=b[2],
            max_lat=b[3], **values))

    def retire(self, hazard_id: str) -> None:
        self.conn.execute(update(hazards).where(hazards.c.id == hazard_id)
                          .values(retired_at=datetime.now(UTC)))

    def frame(self, flt: HazardFilter = HazardFilter()) -> gpd.GeoDataFrame:
        """Active hazards matching ``flt`` as a GeoDataFrame (EPSG:4326)."""
        query = _where(flt, select(hazards).where(hazards.c.retired_at.is_(None)), hazards)
        if flt.village_code:
            query = query.where(hazards.c.village_code == flt.village_code)
        if flt.missing:
            names = PROTECTIONS if flt.missing == "any" else (flt.missing,)
            query = query.where(or_(*(hazards.c[p] != "present" for p in names)))
        rows = self.conn.execute(query.order_by(hazards.c.kind, hazards.c.id)).all()
        data = {c: [getattr(r, c) for r in rows] for c in _ATTRS}
        geoms = shapely.from_wkt([r.geometry_wkt for r in rows])
        return gpd.GeoDataFrame(data, geometry=list(geoms), crs=WGS84)

    def record_versions(self, rows: list[dict[str, Any]], changed_by: str) -> None:
        """One version row per change: dicts with hazard_id, version, action, changes."""
        now = datetime.now(UTC)
        self.conn.execute(insert(hazard_versions), [
            {**r, "changes": json.dumps(r["changes"], ensure_ascii=False, default=str),
             "changed_by": changed_by, "changed_at": now} for r in rows])

    def versions(self, hazard_id: str) -> list[dict[str, Any]]:
        rows = self.conn.execute(select(hazard_versions)
                                 .where(hazard_versions.c.hazard_id == hazard_id)
                                 .order_by(hazard_versions.c.seq)).all()
        return [{"version": r.version, "action": r.action, "changed_by": r.changed_by,
                 "changed_at": r.changed_at, "changes": json.loads(r.changes)} for r in rows]


class ZoneRepository(ports.ZoneRepository):
    def __init__(self, conn: Connection):
        self.conn = conn

    def put_many(self, hazard_ids: list[str], kinds: list[str], buffers_m: list[float],
                 geoms: Any) -> None:
        """Replace the zones of these hazards (EPSG:4326 polygons, buffers in metres)."""
        self.conn.execute(delete(zones).where(zones.c.hazard_id.in_(hazard_ids)))
        b = _bounds(geoms)
        text = _wkt(geoms)
        self.conn.execute(insert(zones), [
            {"hazard_id": h, "kind": k, "buffer_m": float(m), "zone_wkt": text[i],
             **{key: float(v[i]) for key, v in b.items()}}
            for i, (h, k, m) in enumerate(zip(hazard_ids, kinds, buffers_m, strict=True))])

    def remove(self, hazard_id: str) -> None:
        self.conn.execute(delete(zones).where(zones.c.hazard_id == hazard_id))

    def frame(self, flt: HazardFilter = HazardFilter()) -> gpd.GeoDataFrame:
        query = _where(flt, select(zones), zones)
        if flt.village_code:
            query = query.join(hazards, and_(hazards.c.id == zones.c.hazard_id)).where(
                hazards.c.village_code == flt.village_code)
        rows = self.conn.execute(query.order_by(zones.c.hazard_id)).all()
        return gpd.GeoDataFrame(
            {"hazard_id": [r.hazard_id for r in rows], "kind": [r.kind for r in rows],
             "buffer_m": [r.buffer_m for r in rows]},
            geometry=list(shapely.from_wkt([r.zone_wkt for r in rows])), crs=WGS84)
