"""Exact point-to-shape distances for many points at once, in plain numpy.

GEOS answers one (point, geometry) pair per call, and at county scale (200,000 homes,
millions of candidate pairs) the per-call cost dominates. Here every shape is cut into
segments (line segments, polygon ring edges; a point is a segment of length 0), a grid
finds each point's candidate segments (a small ring's or line's segments together), and
the distance of each pair is computed with GEOS's own formula
(``Distance::pointToSegment``, operation for operation), so results are bit-identical
to ``shapely.distance``. A point inside a polygon is at distance 0, as
in GEOS; that test (``intersects_xy``, boundary included) is left to GEOS, on the few
points inside a polygon's bounding box.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import shapely

POLYGON = 3  # shapely geometry type id
CHUNK = 2048  # points per batch: pair arrays under a megabyte, reused between batches
THREADS = 2  # the gateway's machine has two cores
PAD_M = 1e-6  # widen boxes by a micrometre so rounding never drops a pair at the limit


class _Grid:
    """Boxes binned into square cells; a point's candidates are the boxes of its cell."""

    MAX_SIDE = 2048  # cells per side at most, so the cell table stays small

    def __init__(self, lo: np.ndarray, hi: np.ndarray, cell: float):
        self.box = np.column_stack([lo, hi])  # one row per box: a gather moves 32 bytes
        self.origin = lo.min(axis=0) if len(lo) else np.zeros(2)
        extent = float((hi.max(axis=0) - self.origin).max()) if len(lo) else 0.0
        self.cell = max(cell, extent / self.MAX_SIDE)
        first = np.floor((lo - self.origin) / self.cell).astype(np.int64)
        last = np.floor((hi - self.origin) / self.cell).astype(np.int64)
        self.width, self.height = ((int(last[:, 0].max()) + 1, int(last[:, 1].max()) + 1)
                                   if len(lo) else (0, 0))
        span = last - first + 1
        count = span[:, 0] * span[:, 1]
        box = np.repeat(np.arange(len(lo)), count)
        k = _ranks_within(count)
        key = (first[box, 1] + k // span[box, 0]) * self.width + first[box, 0] + k % span[box, 0]
        order = np.argsort(key, kind="stable")  # timsort: the keys come in sorted runs
        self.boxes = box[order]
        self.start = np.searchsorted(key[order], np.arange(self.width * self.height + 2))

    def cell_of(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Each point's cell number; points outside the grid get the empty last cell."""
        cx = np.floor((x - self.origin[0]) / self.cell)
        cy = np.floor((y - self.origin[1]) / self.cell)
        inside = (cx >= 0) & (cx < self.width) & (cy >= 0) & (cy < self.height)
        return np.where(inside, cy * self.width + cx, self.width * self.height).astype(np.int64)

    def candidates(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(point, box) for every box that contains the point."""
        cell = self.cell_of(x, y)
        first = self.start[cell]
        count = self.start[cell + 1] - first
        pt = np.repeat(np.arange(len(x)), count)
        box = self.boxes[_ranks_within(count) + np.repeat(first, count)]
        px, py, b = x[pt], y[pt], self.box[box]
        ok = (px >= b[:, 0]) & (px <= b[:, 2]) & (py >= b[:, 1]) & (py <= b[:, 3])
        return pt[ok], box[ok]


def _ranks_within(count: np.ndarray) -> np.ndarray:
    """0, 1, …, count[i]-1 for every i, concatenated."""
    total = int(count.sum())
    return np.arange(total) - np.repeat(np.cumsum(count) - count, count)


def _cell_size(lo: np.ndarray, hi: np.ndarray, reach: float) -> float:
    """Cells about as large as a typical shape, and at least the reach: larger cells mean
    more false candidates, smaller ones more cells per box to register (measured at
    county scale: half the reach cost as much in registering as it saved in pairs)."""
    typical = float(np.median((hi - lo).max(axis=1))) if len(lo) else 0.0
    return max(typical, reach, 1e-3)


def segment_distance(px: np.ndarray, py: np.ndarray, ab: np.ndarray) -> np.ndarray:
    """GEOS's ``Distance::pointToSegment`` with the same operations in the same order;
    ``ab`` holds a segment per row: ax, ay, bx, by."""
    ax, ay, bx, by = ab[:, 0], ab[:, 1], ab[:, 2], ab[:, 3]
    to_a = np.sqrt((px - ax) * (px - ax) + (py - ay) * (py - ay))
    to_b = np.sqrt((px - bx) * (px - bx) + (py - by) * (py - by))
    len2 = (bx - ax) * (bx - ax) + (by - ay) * (by - ay)
    with np.errstate(invalid="ignore", divide="ignore"):
        r = ((px - ax) * (bx - ax) + (py - ay) * (by - ay)) / len2
        s = ((ay - py) * (bx - ax) - (ax - px) * (by - ay)) / len2
        across = np.abs(s) * np.sqrt(len2)
    point = (ax == bx) & (ay == by)
    return np.where(point | (r <= 0.0), to_a, np.where(r >= 1.0, to_b, across))


class ShapeIndex:
    """Which shapes lie within ``reach`` metres of each point, and how far.

    Shape numbers are positions in ``geoms``. Distances equal ``shapely.distance``.
    """

    def __init__(self, geoms: np.ndarray, reach: float):
        self.reach = reach
        parts, owner = shapely.get_parts(geoms, return_index=True)
        poly = shapely.get_type_id(parts) == POLYGON
        rings, ring_of = shapely.get_rings(parts[poly], return_index=True)
        linear = np.concatenate([parts[~poly], rings])
        linear_owner = np.concatenate([owner[~poly], owner[poly][ring_of]])
        xy, item = shapely.get_coordinates(linear, return_index=True)
        has_next = np.append(item[1:] == item[:-1], False)
        alone = np.bincount(item, minlength=len(linear))[item] == 1
        start = np.flatnonzero(has_next | alone)
        a, b = xy[start], xy[start + has_next[start]]
        self.segments = np.column_stack([a, b])
        self.segment_owner = linear_owner[item[start]]
        # The grid holds pieces: a whole ring or line when it is small against the reach
        # (a pond's four edges are one candidate, not four), else single segments.
        lo, hi = np.minimum(a, b), np.maximum(a, b)
        of = item[start]
        extent = shapely.bounds(linear).reshape(-1, 4)
        small = np.max(extent[:, 2:] - extent[:, :2], axis=1) <= reach / 2
        self.piece_first = np.flatnonzero((np.diff(of, prepend=-1) != 0) | ~small[of])
        self.piece_len = np.diff(np.append(self.piece_first, len(of)))
        lo = np.minimum.reduceat(lo, self.piece_first)
        hi = np.maximum.reduceat(hi, self.piece_first)
        self._segments = _Grid(lo - (reach + PAD_M), hi + (reach + PAD_M),
                               _cell_size(lo, hi, reach))
        self.polygons, self.polygon_owner = parts[poly], owner[poly]
        shapely.prepare(self.polygons)
        bounds = shapely.bounds(self.polygons).reshape(-1, 4)
        self._polygons = _Grid(bounds[:, :2], bounds[:, 2:],
                               _cell_size(bounds[:, :2], bounds[:, 2:], 0.0))

    def batches(self, x: np.ndarray, y: np.ndarray) -> list[np.ndarray]:
        """The points in grid order, cut in batches, so each batch touches few cells."""
        order = np.argsort(self._segments.cell_of(x, y), kind="stable")
        return [order[at:at + CHUNK] for at in range(0, len(x), CHUNK)]

    def within(self, ids: np.ndarray, x: np.ndarray, y: np.ndarray
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(point, shape, distance ≤ reach) for the points ``ids``. A shape may come
        several times for one point, once per near segment."""
        bx, by = x[ids], y[ids]
        pt, piece = self._segments.candidates(bx, by)
        n = self.piece_len[piece]
        pt, seg = np.repeat(pt, n), np.repeat(self.piece_first[piece], n) + _ranks_within(n)
        d = segment_distance(bx[pt], by[pt], self.segments[seg])
        near = d <= self.reach
        ipt, ipoly = self._polygons.candidates(bx, by)
        inside = shapely.intersects_xy(self.polygons[ipoly], bx[ipt], by[ipt])
        return (ids[np.concatenate([pt[near], ipt[inside]])],
                np.concatenate([self.segment_owner[seg[near]],
                                self.polygon_owner[ipoly[inside]]]),
                np.concatenate([d[near], np.zeros(int(inside.sum()))]))


def scan(index: ShapeIndex, x: np.ndarray, y: np.ndarray, group: np.ndarray,
         near_reach: float, member_reach: np.ndarray, n_groups: int
         ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """One pass over the pairs within reach, for two answers.

    Nearest: ``group[shape]`` puts each shape in a group (-1: none); for every group
    and point, the nearest shape of the group within ``near_reach`` (-1 if none) and its
    distance; among equally near shapes the lowest number wins. Members: every (point,
    shape) pair, once, with the distance at most ``member_reach[shape]``.

    Batches run on ``THREADS`` threads (numpy and GEOS release the GIL); they write
    disjoint points of the result.

    Returns ``best`` and ``best_d`` (groups × points), member points and member shapes.
    """
    none = np.iinfo(np.int64).max
    best_d = np.full(n_groups * len(x), np.inf)  # point-major: [point * n_groups + group]
    best = np.full(n_groups * len(x), none)

    def batch(ids: np.ndarray) -> np.ndarray:
        pt, shp, d = index.within(ids, x, y)
        grp = group[shp]
        mine = (grp >= 0) & (d <= near_reach)
        at, nshp, nd = pt[mine] * n_groups + grp[mine], shp[mine], d[mine]
        np.minimum.at(best_d, at, nd)
        tie = nd == best_d[at]
        np.minimum.at(best, at[tie], nshp[tie])
        member = d <= member_reach[shp]
        return np.unique((pt[member].astype(np.int64) << 32) | shp[member])

    batches = index.batches(x, y)
    if len(batches) > 1:
        with ThreadPoolExecutor(THREADS) as pool:
            members = list(pool.map(batch, batches))
    else:
        members = [batch(ids) for ids in batches]
    best[best == none] = -1
    keys = np.concatenate([np.zeros(0, dtype=np.int64), *members])
    by_group = (len(x), n_groups)
    return best.reshape(by_group).T, best_d.reshape(by_group).T, keys >> 32, keys & 0xFFFFFFFF
