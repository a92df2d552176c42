"""Patrol points and their schedules: where patrols matter and how often to check.

Points go where children meet water: the water edge nearest each cluster of homes
(homes come from registry events as bare locations), road crossings over water, and
known swimming spots. Drowning peaks in June–August and between 13:00 and 18:00, so
the default schedule is daily in summer, weekly otherwise, afternoons first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import geopandas as gpd
import numpy as np
import shapely

from services.hazards.domain.exceptions import InvalidHazard
from shared.geo import WGS84, utm_crs

FREQUENCIES = {"daily": timedelta(days=1), "weekly": timedelta(days=7),
               "monthly": timedelta(days=30)}
SNAP_M = 25.0  # generated points keep their identity while homes move less than this


@dataclass(frozen=True)
class Schedule:
    """How often a point is checked, in and out of the summer months; preferred hours."""

    summer_months: tuple[int, int] = (6, 8)
    summer: str = "daily"
    other: str = "weekly"
    window: str = "13:00-18:00"

    def __str__(self) -> str:
        a, b = self.summer_months
        return f"months={a}-{b};summer={self.summer};other={self.other};window={self.window}"

    @classmethod
    def parse(cls, text: str) -> Schedule:
        """Read ``months=6-8;summer=daily;other=weekly;window=13:00-18:00`` (parts optional)."""
        pieces = [p.strip() for p in text.split(";") if p.strip()]
        parts = dict(p.split("=", 1) for p in pieces if "=" in p)
        unknown = (set(parts) - {"months", "summer", "other", "window"}) or len(parts) < len(pieces)
        try:
            a, b = (int(x) for x in parts.get("months", "6-8").split("-"))
            start, end = parts.get("window", "13:00-18:00").split("-")
            datetime.strptime(start, "%H:%M")
            datetime.strptime(end, "%H:%M")
        except ValueError as exc:
            raise InvalidHazard("schedule", f"cannot read {text!r}: {exc}") from exc
        sched = cls((a, b), parts.get("summer", "daily"), parts.get("other", "weekly"),
                    f"{start}-{end}")
        if unknown or not (1 <= a <= 12 and 1 <= b <= 12) \
                or {sched.summer, sched.other} - set(FREQUENCIES):
            raise InvalidHazard("schedule", f"cannot read {text!r}: use months=6-8;"
                                f"summer=daily|weekly|monthly;other=…;window=HH:MM-HH:MM")
        return sched

    def interval(self, when: datetime) -> timedelta:
        a, b = self.summer_months
        summer = a <= when.month <= b if a <= b else (when.month >= a or when.month <= b)
        return FREQUENCIES[self.summer if summer else self.other]

    def is_due(self, last_checked: datetime | None, now: datetime) -> bool:
        """Due when never checked or the last check is older than the season's interval."""
        return last_checked is None or now - last_checked >= self.interval(now)


@dataclass(frozen=True)
class PlannedPoint:
    key: str  # stable identity of a generated point, so regeneration updates in place
    hazard_id: str
    lon: float
    lat: float
    reason: str


def plan_points(homes: gpd.GeoSeries, water: gpd.GeoDataFrame, roads: gpd.GeoDataFrame,
                cluster_m: float = 150.0, max_distance_m: float = 1000.0) -> list[PlannedPoint]:
    """Patrol points for the township.

    Parameters
    ----------
    homes : home locations, EPSG:4326 points (no other facts about the children).
    water : water hazards (columns id, kind), EPSG:4326.
    roads : road hazards (column id), EPSG:4326.
    cluster_m : homes closer than this, in metres, form one cluster.
    max_distance_m : a cluster farther than this from any water gets no point.
    """
    every = [g for g in (homes, water.geometry, roads.geometry) if len(g)]
    if not len(water) or not every:
        return []
    minx, miny, maxx, maxy = gpd.GeoSeries(np.concatenate([g.values for g in every]),
                                           crs=WGS84).total_bounds
    crs = utm_crs((minx + maxx) / 2, (miny + maxy) / 2)
    w = water.to_crs(crs)
    out = _home_points(homes.to_crs(crs).values, w, cluster_m, max_distance_m)
    out += _crossings(w, roads.to_crs(crs))
    out += [(f"swimming_spot:{h}", h, shapely.point_on_surface(g), "swimming_spot")
            for h, k, g in zip(w["id"], w["kind"], w.geometry, strict=True)
            if k == "swimming_spot"]
    if not out:
        return []
    pts = gpd.GeoSeries([p for *_, p, _ in out], crs=crs).to_crs(WGS84)
    return [PlannedPoint(key, hid, round(p.x, 7), round(p.y, 7), reason)
            for (key, hid, _, reason), p in zip(out, pts, strict=True)]


def _home_points(homes_m: np.ndarray, water_m: gpd.GeoDataFrame, cluster_m: float,
                 max_distance_m: float) -> list[tuple[str, str, shapely.Point, str]]:
    if not len(homes_m):
        return []
    blobs = shapely.get_parts(shapely.union_all(shapely.buffer(homes_m, cluster_m / 2)))
    member = shapely.STRtree(blobs).query(homes_m, predicate="within")
    edges = np.array([shapely.boundary(g) if shapely.get_dimensions(g) == 2 else g
                      for g in water_m.geometry.values], dtype=object)
    tree = shapely.STRtree(edges)
    out = []
    for blob in range(len(blobs)):
        pts = homes_m[member[0][member[1] == blob]]
        if not len(pts):
            continue
        centre = shapely.Point(shapely.get_coordinates(pts).mean(axis=0))
        near = tree.query_nearest(centre, max_distance=max_distance_m)
        if not len(near):
            continue
        j = int(near[0])
        edge_point = shapely.shortest_line(edges[j], centre).coords[0]
        x, y = edge_point
        key = f"home_cluster:{water_m['id'].iloc[j]}:{round(x / SNAP_M)}:{round(y / SNAP_M)}"
        out.append((key, water_m["id"].iloc[j], shapely.Point(x, y), "home_cluster"))
    return out


def _crossings(water_m: gpd.GeoDataFrame, roads_m: gpd.GeoDataFrame
               ) -> list[tuple[str, str, shapely.Point, str]]:
    if not len(roads_m):
        return []
    edges = np.array([shapely.boundary(g) if shapely.get_dimensions(g) == 2 else g
                      for g in water_m.geometry.values], dtype=object)
    road_idx, water_idx = shapely.STRtree(edges).query(roads_m.geometry.values,
                                                       predicate="intersects")
    out = []
    for r, w in zip(road_idx.tolist(), water_idx.tolist(), strict=True):
        cross = shapely.intersection(roads_m.geometry.values[r], edges[w])
        for n, p in enumerate(shapely.get_parts(cross)):
            if shapely.get_type_id(p) == 0:  # a point where the road meets the water
                key = f"crossing:{water_m['id'].iloc[w]}:{roads_m['id'].iloc[r]}:{n}"
                out.append((key, water_m["id"].iloc[w], p, "crossing"))
    return out
