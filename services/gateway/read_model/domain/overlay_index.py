"""The overlay's hazard index, kept up to date one hazard at a time.

Building the index costs time in proportion to all hazards (26 ms at 1,000, 562 ms at
8,000), so rebuilding it for every new hazard made a county import quadratic. Instead
the index has two layers, like a log-structured tree: a large ``base`` built now and
then, and a small ``recent`` layer holding the hazards added or changed since. A hazard
replaced or removed is retired in the base (it no longer counts as anyone's nearest and
has no members) instead of rebuilding it; once the recent and retired hazards reach a
share of the whole, the base is rebuilt. Answers equal those of one index over all
hazards (tests/unit/gateway/test_gw_overlay.py checks against a brute-force reference).

All geometry is in the engine's metric (UTM) CRS, distances in metres.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely

from services.gateway.read_model.domain.overlay_geometry import ShapeIndex, scan

NEAREST_CLASSES = ("water", "road")
EDGE_TOLERANCE_M = 0.001
REBUILD_SHARE = 0.05  # rebuild the base when recent + retired exceed 5 % of all hazards
MIN_RECENT = 64  # … and at least this many, so a small township is not rebuilt per event


@dataclass
class ProjectedHazard:
    cls: str
    geom: shapely.Geometry  # UTM metres
    zone: shapely.Geometry | None  # UTM metres; None: within the default buffer


@dataclass
class Scan:
    """What an index says about some points: per class (rows) and point (columns), the
    nearest hazard id (None if none within reach) and its distance in metres; and every
    (point, hazard number) pair of zone membership, ``ids`` naming the numbers."""

    nearest: np.ndarray
    distance_m: np.ndarray
    member_point: np.ndarray
    member_number: np.ndarray
    ids: np.ndarray


class HazardIndex:
    """Hazard geometries (nearest, default-buffer membership) and zones (membership),
    numbered in hazard id order, so the lowest number is the smallest id."""

    def __init__(self, hazards: dict[str, ProjectedHazard], max_distance_m: float,
                 buffer_m: float):
        self.ids = np.array(sorted(hazards), dtype=object)
        self.number = {h: k for k, h in enumerate(self.ids.tolist())}
        hz = [hazards[h] for h in self.ids]
        self.max_distance_m = max_distance_m
        self.group = np.array([NEAREST_CLASSES.index(h.cls) if h.cls in NEAREST_CLASSES
                               else -1 for h in hz], dtype=np.int64)
        zoned = np.array([h.zone is not None for h in hz], dtype=bool)
        self.buffer = np.where(zoned, -np.inf, buffer_m)
        self.geoms = ShapeIndex(np.array([h.geom for h in hz], dtype=object),
                                max(max_distance_m, buffer_m))
        self.zone_of = np.flatnonzero(zoned)  # zone number → hazard number
        self.zone_reach = np.full(len(self.zone_of), EDGE_TOLERANCE_M)
        self.zones = ShapeIndex(np.array([h.zone for h in hz if h.zone is not None],
                                         dtype=object), EDGE_TOLERANCE_M)
        self.retired = 0

    def retire(self, hazard_id: str) -> None:
        """From now on the hazard is nobody's nearest and has no members here."""
        k = self.number.pop(hazard_id, None)
        if k is None:
            return
        self.group[k], self.buffer[k] = -1, -np.inf
        self.zone_reach[self.zone_of == k] = -np.inf
        self.retired += 1

    def scan(self, x: np.ndarray, y: np.ndarray) -> Scan:
        best, best_d, pt, num = scan(self.geoms, x, y, self.group, self.max_distance_m,
                                     self.buffer, len(NEAREST_CLASSES))
        no_group = np.full(len(self.zone_of), -1)
        _, _, zpt, znum = scan(self.zones, x, y, no_group, 0.0, self.zone_reach, 0)
        return Scan(np.append(self.ids, [None])[best], best_d, np.concatenate([pt, zpt]),
                    np.concatenate([num, self.zone_of[znum]]).astype(np.int64), self.ids)


class SmallIndex:
    """A few hazards (the recent layer, one new hazard): an STRtree and GEOS distances
    per candidate pair, cheap enough to build for every event. Same answers as
    ``HazardIndex`` (GEOS distances; among equally near hazards the smallest id)."""

    def __init__(self, hazards: dict[str, ProjectedHazard], max_distance_m: float,
                 buffer_m: float):
        self.ids = np.array(sorted(hazards), dtype=object)
        hz = [hazards[h] for h in self.ids]
        self.max_distance_m = max_distance_m
        self.group = np.array([NEAREST_CLASSES.index(h.cls) if h.cls in NEAREST_CLASSES
                               else -1 for h in hz], dtype=np.int64)
        self.buffer = np.array([-np.inf if h.zone is not None else buffer_m for h in hz])
        self.reach = max(max_distance_m, buffer_m)
        self.geoms = np.array([h.geom for h in hz], dtype=object)
        self.tree = shapely.STRtree(self.geoms)
        self.zone_of = np.flatnonzero([h.zone is not None for h in hz])
        self.zones = np.array([hz[k].zone for k in self.zone_of], dtype=object)
        self.zone_tree = shapely.STRtree(self.zones)

    def scan(self, x: np.ndarray, y: np.ndarray) -> Scan:
        pts = shapely.points(x, y)
        groups = len(NEAREST_CLASSES)
        nearest = np.full((groups, len(pts)), None, dtype=object)
        distance = np.full((groups, len(pts)), np.inf)
        pt, num = self.tree.query(pts, predicate="dwithin", distance=self.reach + 1.0)
        d = shapely.distance(self.geoms[num], pts[pt])
        grp = self.group[num]
        ok = np.flatnonzero((grp >= 0) & (d <= self.max_distance_m))
        for k in ok[np.lexsort((num[ok], d[ok]))][::-1].tolist():  # nearest, smallest last
            nearest[grp[k], pt[k]], distance[grp[k], pt[k]] = self.ids[num[k]], d[k]
        member = d <= self.buffer[num]
        zpt, znum = self.zone_tree.query(pts, predicate="dwithin",
                                         distance=EDGE_TOLERANCE_M + 1.0)
        inside = shapely.distance(self.zones[znum], pts[zpt]) <= EDGE_TOLERANCE_M
        keys = np.unique(np.concatenate([
            (pt[member].astype(np.int64) << 32) | num[member],
            (zpt[inside].astype(np.int64) << 32) | self.zone_of[znum[inside]]]))
        return Scan(nearest, distance, keys >> 32, keys & 0xFFFFFFFF, self.ids)


class LayeredIndex:
    """A base index and a small recent one; see the module docstring."""

    def __init__(self, hazards: dict[str, ProjectedHazard], max_distance_m: float,
                 buffer_m: float):
        self._args = (max_distance_m, buffer_m)
        self.base = HazardIndex(hazards, *self._args)
        self._recent: dict[str, ProjectedHazard] = {}
        self.recent = SmallIndex({}, *self._args)
        self.total = len(hazards)

    def put(self, hazard_id: str, hazard: ProjectedHazard,
            everything: dict[str, ProjectedHazard]) -> None:
        """Take in a new or changed hazard; ``everything`` is every hazard now."""
        self.base.retire(hazard_id)
        self._recent[hazard_id] = hazard
        self._settle(everything)

    def remove(self, hazard_id: str, everything: dict[str, ProjectedHazard]) -> None:
        self.base.retire(hazard_id)
        self._recent.pop(hazard_id, None)
        self._settle(everything)

    def _settle(self, everything: dict[str, ProjectedHazard]) -> None:
        self.total = len(everything)
        if len(self._recent) + self.base.retired > max(MIN_RECENT,
                                                       REBUILD_SHARE * self.total):
            self.base = HazardIndex(everything, *self._args)
            self._recent = {}
        self.recent = SmallIndex(self._recent, *self._args)

    def scan(self, x: np.ndarray, y: np.ndarray) -> Scan:
        """One answer from both layers: the nearer hazard wins, the smaller id on a tie."""
        a = self.base.scan(x, y)
        if not len(self.recent.ids):
            return a
        b = self.recent.scan(x, y)
        take = b.distance_m < a.distance_m
        for i, j in zip(*np.nonzero((b.distance_m == a.distance_m) & (b.nearest != None)),  # noqa: E711
                        strict=True):
            take[i, j] = a.nearest[i, j] is None or b.nearest[i, j] < a.nearest[i, j]
        return Scan(np.where(take, b.nearest, a.nearest),
                    np.where(take, b.distance_m, a.distance_m),
                    np.concatenate([a.member_point, b.member_point]),
                    np.concatenate([a.member_number, b.member_number + len(a.ids)]),
                    np.concatenate([a.ids, b.ids]))
