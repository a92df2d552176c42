"""The overlay engine: which at-risk homes lie near which hazards, and how exposed each
hazard is.

All metric work happens in one metric CRS (the township's UTM zone): homes and hazards
arrive as WGS 84 lon/lat and are projected once. Nearest hazards come from shapely
STRtrees queried in bulk with a ``max_distance``; zone membership from a tree query with
the ``dwithin`` predicate and a 1 mm tolerance, so a home exactly on a zone's edge is in.

Exposure is kept in integer tenths (grade weight × age weight), so updating it one
event at a time gives exactly the same sums as computing it from scratch.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import shapely
from pyproj import CRS, Transformer
from shapely.geometry import shape

from services.gateway.domain.read_model import ChildHome, HazardShape, hazard_class

GRADE_WEIGHT = {"high": 3, "medium": 2, "low": 1}
# Tenths: toddlers and small children drown near home; teenagers swim further away.
AGE_WEIGHT_TENTHS = {"0-2": 15, "3-5": 15, "6-11": 12, "12-15": 10, "16-17": 6}
NEAREST_CLASSES = ("water", "road")
EDGE_TOLERANCE_M = 0.001
LINESTRING, MULTILINESTRING = 1, 5  # shapely geometry type ids


def child_weight_tenths(risk_grade: str, age_band: str) -> int:
    """A child's weight in a hazard's exposure, in tenths (exact integer arithmetic)."""
    return GRADE_WEIGHT.get(risk_grade, 1) * AGE_WEIGHT_TENTHS.get(age_band, 10)


@dataclass(frozen=True)
class Nearest:
    hazard_id: str
    distance_m: float  # metres in the engine's UTM CRS, rounded to the millimetre


@dataclass(frozen=True)
class ChildOverlay:
    child_id: str
    village_code: str
    water: Nearest | None
    road: Nearest | None


@dataclass(frozen=True)
class HazardExposure:
    hazard_id: str
    children: int
    weight_tenths: int

    @property
    def exposure(self) -> float:
        return self.weight_tenths / 10


@dataclass
class OverlayDelta:
    """What one change recomputed; ``None`` means the row is gone."""

    children: dict[str, ChildOverlay | None] = field(default_factory=dict)
    hazards: dict[str, HazardExposure | None] = field(default_factory=dict)

    def merge(self, other: OverlayDelta) -> OverlayDelta:
        self.children.update(other.children)
        self.hazards.update(other.hazards)
        return self


@dataclass
class _Home:
    village_code: str
    point: shapely.Point  # UTM metres
    weight: int


@dataclass
class _Hazard:
    cls: str
    geom: shapely.Geometry  # UTM metres
    zone: shapely.Geometry  # UTM metres


class _Index:
    """One STRtree over hazard geometries, with the hazard id of every tree item.

    Lines are split into their segments first: a river's bounding box covers half a
    county, its segments' boxes do not, so the tree prunes far better. The distance
    to a line is the least distance to its segments, so results do not change.
    """

    def __init__(self, ids: list[str], geoms: list[shapely.Geometry]):
        arr = np.array(geoms, dtype=object)
        lines = shapely.get_type_id(arr) == LINESTRING
        multi = shapely.get_type_id(arr) == MULTILINESTRING
        parts, part_of = shapely.get_parts(arr[multi], return_index=True)
        line_geoms = np.concatenate([arr[lines], parts])
        line_owner = np.concatenate([np.flatnonzero(lines), np.flatnonzero(multi)[part_of]])
        coords, which = shapely.get_coordinates(line_geoms, return_index=True)
        same = which[:-1] == which[1:]
        segments = shapely.linestrings(np.stack([coords[:-1][same], coords[1:][same]], axis=1))
        owner = np.concatenate([np.flatnonzero(~(lines | multi)), line_owner[which[:-1][same]]])
        items = np.concatenate([arr[~(lines | multi)], segments])
        self.ids = np.array(ids, dtype=object)[owner]
        self.rank = owner  # ids come sorted: a smaller owner index is a smaller id
        self.first_item = np.zeros(len(ids), dtype=np.int64)  # hazard → one tree item
        self.first_item[owner[::-1]] = np.arange(len(owner))[::-1]
        self.tree = shapely.STRtree(items)


class OverlayEngine:
    """Keeps homes, hazards and their overlay in memory and updates it per event.

    Parameters
    ----------
    crs : pyproj.CRS
        The metric CRS (township UTM zone) for every distance and buffer.
    max_distance_m : float
        Nearest hazards farther than this (metres) are not reported.
    default_buffer_m : float
        Zone used for exposure (metres around the geometry) until a zone event arrives.
    """

    def __init__(self, crs: CRS, max_distance_m: float = 500.0, default_buffer_m: float = 100.0):
        if not crs.is_projected:
            raise ValueError(f"overlay CRS must be metric, got {crs.to_string()}")
        self.crs = crs
        self.max_distance_m = max_distance_m
        self.default_buffer_m = default_buffer_m
        self._to_m = Transformer.from_crs("EPSG:4326", crs, always_xy=True)
        self._reset()

    def _reset(self) -> None:
        self._homes: dict[str, _Home] = {}
        self._hazards: dict[str, _Hazard] = {}
        self._nearest: dict[str, ChildOverlay] = {}
        self._members: dict[str, set[str]] = {}  # hazard_id → children in its zone
        self._weights: dict[str, int] = {}  # hazard_id → sum of its members' weights
        self._zones_of: dict[str, set[str]] = {}  # child_id → hazards whose zone holds it
        self._index: dict[str, _Index | None] = {}
        self._zone_index: _Index | None = None
        self._home_arrays: tuple[np.ndarray, np.ndarray] | None = None

    # -- projection ---------------------------------------------------------------
    def _project(self, geoms: np.ndarray) -> np.ndarray:
        return shapely.transform(geoms, lambda c: np.column_stack(
            self._to_m.transform(c[:, 0], c[:, 1])))

    def _project_hazards(self, hazards: list[HazardShape]) -> list[_Hazard]:
        """Project geometries and zones in one go; buffer the zones still missing."""
        n = len(hazards)
        raw = np.array([shape(h.geometry) for h in hazards]
                       + [shape(h.zone) if h.zone else None for h in hazards], dtype=object)
        projected = self._project(raw) if n else raw
        geoms, zones = projected[:n], projected[n:]
        missing = np.array([z is None for z in zones], dtype=bool)
        zones[missing] = shapely.buffer(geoms[missing], self.default_buffer_m)
        return [_Hazard(hazard_class(h.kind), g, z)
                for h, g, z in zip(hazards, geoms, zones, strict=True)]

    # -- bulk ---------------------------------------------------------------------
    def load(self, homes: Iterable[ChildHome], hazards: Iterable[HazardShape]) -> OverlayDelta:
        """Replace everything and compute the full overlay, vectorised."""
        self._reset()
        hazards = list(hazards)
        for hz, projected in zip(hazards, self._project_hazards(hazards), strict=True):
            self._hazards[hz.hazard_id] = projected
        homes = list(homes)
        x, y = self._to_m.transform(np.array([h.lon for h in homes], dtype=float),
                                    np.array([h.lat for h in homes], dtype=float))
        pts = shapely.points(x, y) if homes else []
        for h, p in zip(homes, pts, strict=True):
            self._homes[h.child_id] = _Home(h.village_code, p,
                                            child_weight_tenths(h.risk_grade, h.age_band))
        for hid in self._hazards:
            self._members[hid], self._weights[hid] = set(), 0
        delta = self._recompute_children([h.child_id for h in homes])
        delta.hazards = {hid: self.exposure(hid) for hid in self._hazards}
        return delta

    # -- one event ----------------------------------------------------------------
    def put_child(self, home: ChildHome) -> OverlayDelta:
        delta = self.remove_child(home.child_id, forget=False)
        pt = self._project(np.array([shapely.Point(home.lon, home.lat)], dtype=object))[0]
        self._homes[home.child_id] = _Home(home.village_code, pt,
                                           child_weight_tenths(home.risk_grade, home.age_band))
        self._home_arrays = None
        return delta.merge(self._recompute_children([home.child_id]))

    def remove_child(self, child_id: str, forget: bool = True) -> OverlayDelta:
        delta = OverlayDelta()
        if child_id not in self._homes:
            return delta
        for hid in self._zones_of.pop(child_id, set()):
            self._leave(hid, child_id)
            delta.hazards[hid] = self.exposure(hid)
        self._nearest.pop(child_id, None)
        del self._homes[child_id]
        self._home_arrays = None
        if forget:
            delta.children[child_id] = None
        return delta

    def put_hazard(self, hazard: HazardShape) -> OverlayDelta:
        was_nearest = self._children_nearest_to(hazard.hazard_id)
        self._drop_hazard(hazard.hazard_id)
        hz = self._hazards[hazard.hazard_id] = self._project_hazards([hazard])[0]
        self._invalidate(hz.cls)
        ids, pts = self._arrays()
        self._members[hazard.hazard_id], self._weights[hazard.hazard_id] = set(), 0
        for cid in ids[shapely.dwithin(pts, hz.zone, EDGE_TOLERANCE_M)].tolist():
            self._join(hazard.hazard_id, cid)
        near = ids[shapely.dwithin(pts, hz.geom, self.max_distance_m)].tolist()
        delta = self._recompute_children(sorted(was_nearest | set(near)))
        delta.hazards[hazard.hazard_id] = self.exposure(hazard.hazard_id)
        return delta

    def remove_hazard(self, hazard_id: str) -> OverlayDelta:
        if hazard_id not in self._hazards:
            return OverlayDelta()
        was_nearest = self._children_nearest_to(hazard_id)
        self._drop_hazard(hazard_id)
        delta = self._recompute_children(sorted(was_nearest))
        delta.hazards[hazard_id] = None
        return delta

    # -- reading ------------------------------------------------------------------
    def child(self, child_id: str) -> ChildOverlay | None:
        return self._nearest.get(child_id)

    def exposure(self, hazard_id: str) -> HazardExposure:
        return HazardExposure(hazard_id, len(self._members.get(hazard_id, ())),
                              self._weights.get(hazard_id, 0))

    def exposures(self) -> list[HazardExposure]:
        """Every hazard, most exposed first (ties by id, so the order is stable)."""
        ranked = [self.exposure(h) for h in self._hazards]
        return sorted(ranked, key=lambda e: (-e.weight_tenths, e.hazard_id))

    # -- internals ----------------------------------------------------------------
    def _children_nearest_to(self, hazard_id: str) -> set[str]:
        return {cid for cid, ov in self._nearest.items()
                if (ov.water and ov.water.hazard_id == hazard_id)
                or (ov.road and ov.road.hazard_id == hazard_id)}

    def _drop_hazard(self, hazard_id: str) -> None:
        old = self._hazards.pop(hazard_id, None)
        if old is not None:
            self._invalidate(old.cls)
        for cid in self._members.pop(hazard_id, set()):
            self._zones_of[cid].discard(hazard_id)
        self._weights.pop(hazard_id, None)

    def _join(self, hazard_id: str, child_id: str) -> None:
        self._members[hazard_id].add(child_id)
        self._weights[hazard_id] += self._homes[child_id].weight
        self._zones_of.setdefault(child_id, set()).add(hazard_id)

    def _leave(self, hazard_id: str, child_id: str) -> None:
        self._members[hazard_id].discard(child_id)
        self._weights[hazard_id] -= self._homes[child_id].weight

    def _invalidate(self, cls: str) -> None:
        self._index[cls] = None
        self._zone_index = None

    def _arrays(self) -> tuple[np.ndarray, np.ndarray]:
        if self._home_arrays is None:
            ids = list(self._homes)
            self._home_arrays = (np.array(ids, dtype=object),
                                 np.array([self._homes[c].point for c in ids], dtype=object))
        return self._home_arrays

    def _tree(self, cls: str) -> _Index | None:
        if self._index.get(cls) is None:
            ids = sorted(h for h, hz in self._hazards.items() if hz.cls == cls)
            self._index[cls] = _Index(ids, [self._hazards[h].geom for h in ids]) if ids else None
        return self._index[cls]

    def _zones(self) -> _Index | None:
        if self._zone_index is None and self._hazards:
            ids = sorted(self._hazards)
            self._zone_index = _Index(ids, [self._hazards[h].zone for h in ids])
        return self._zone_index

    def _recompute_children(self, child_ids: list[str]) -> OverlayDelta:
        delta = OverlayDelta()
        if not child_ids:
            return delta
        pts = np.array([self._homes[c].point for c in child_ids], dtype=object)
        found = {cls: self._nearest_bulk(cls, pts) for cls in NEAREST_CLASSES}
        zones = self._zones()
        if zones is not None:
            idx, zone_idx = zones.tree.query(pts, predicate="dwithin", distance=EDGE_TOLERANCE_M)
            for i, z in zip(idx.tolist(), zone_idx.tolist(), strict=True):
                cid, hid = child_ids[i], zones.ids[z]
                if cid not in self._members[hid]:
                    self._join(hid, cid)
                    delta.hazards[hid] = None  # placeholder, filled below
        for i, cid in enumerate(child_ids):
            ov = ChildOverlay(cid, self._homes[cid].village_code, found["water"][i],
                              found["road"][i])
            self._nearest[cid] = ov
            delta.children[cid] = ov
        delta.hazards = {hid: self.exposure(hid) for hid in delta.hazards}
        return delta

    def _nearest_bulk(self, cls: str, pts: np.ndarray) -> list[Nearest | None]:
        """Nearest hazard of a class for each point.

        One nearest match per point is half the work of all equidistant matches; the
        one tie that happens in practice — a home inside two overlapping hazards, at
        distance 0 — goes to the smaller id by a containment query on those homes only.
        """
        out: list[Nearest | None] = [None] * len(pts)
        index = self._tree(cls)
        if index is None:
            return out
        (src, tgt), dist = index.tree.query_nearest(
            pts, max_distance=self.max_distance_m, return_distance=True, all_matches=False)
        zero = np.flatnonzero(dist == 0.0)
        if len(zero):
            at, item = index.tree.query(pts[src[zero]], predicate="intersects")
            best = np.full(len(zero), np.iinfo(np.int64).max)
            np.minimum.at(best, at, index.rank[item])
            found = best < np.iinfo(np.int64).max
            tgt = tgt.copy()
            tgt[zero[found]] = index.first_item[best[found]]
        for i, hid, d in zip(src.tolist(), index.ids[tgt].tolist(), dist.tolist(), strict=True):
            out[i] = Nearest(hid, round(d, 3))
        return out
