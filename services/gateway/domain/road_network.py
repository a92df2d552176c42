"""Road-network distances between patrol points, from the road hazards' lines.

Roads reach the gateway only as road hazards drawn as lines (OSM ``highway=*`` imports,
hand-drawn stretches). Walking or riding between two patrol points mostly follows them:
across a river the way is over the bridge, not the straight line. Points join the network
at the nearest point of the nearest road; the walk to it is off-road (straight × detour).
Two points no farther apart than their walks to the road may also walk straight to each
other, unless a river, stream or canal drawn as a line lies between them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import shapely
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import csgraph_from_dense, dijkstra, floyd_warshall

from services.gateway.domain.read_model import HazardShape, hazard_class

SNAP_M = 5.0  # hand-drawn road ends this close to another road join it
ACCESS_M = 500.0  # a point farther than this from every road is reached off-road
BARRIER_KINDS = frozenset({"river", "stream", "canal"})  # not waded; ditches are stepped over
OVERSHOOT_M = 0.01  # a joining stub crosses the road it joins, so noding splits that road


def road_lines(hazards: Iterable[HazardShape]) -> list[list[tuple[float, float]]]:
    """Lon/lat vertices of every road hazard drawn as a line; bends, crossings and play
    spots drawn as points are not roads."""
    return _lines(h for h in hazards if hazard_class(h.kind) == "road")


def barrier_lines(hazards: Iterable[HazardShape]) -> list[list[tuple[float, float]]]:
    """Lon/lat vertices of the rivers, streams and canals drawn as lines."""
    return _lines(h for h in hazards if h.kind in BARRIER_KINDS)


def _lines(hazards: Iterable[HazardShape]) -> list[list[tuple[float, float]]]:
    lines: list[list[tuple[float, float]]] = []
    for h in hazards:
        kind, coords = str(h.geometry.get("type")), h.geometry.get("coordinates") or []
        parts = {"LineString": [coords], "MultiLineString": coords}.get(kind, [])
        lines += [[(float(p[0]), float(p[1])) for p in part] for part in parts]
    return lines


def straight_m(xy: np.ndarray) -> np.ndarray:
    """Pairwise straight-line distances of points in a metric CRS."""
    return np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1))


class RoadNetwork:
    """Roads noded at crossings and shared or near ends; one edge per piece between nodes.

    Parameters
    ----------
    lines : sequence of (n, 2) arrays
        Road polylines in a metric CRS (metres).
    barriers : sequence of (n, 2) arrays
        Water lines (metric CRS) that off-road walks between points do not cross.
    """

    def __init__(self, lines: Sequence[np.ndarray], barriers: Sequence[np.ndarray] = (),
                 snap_m: float = SNAP_M):
        roads = _linestrings(lines)
        pieces = shapely.get_parts(shapely.unary_union([*roads, *_joins(roads, snap_m)])) \
            if roads else np.array([], dtype=object)
        self.pieces = pieces[shapely.get_type_id(pieces) == 1] if len(pieces) else pieces
        self.lengths = shapely.length(self.pieces)
        ends = np.array([[p.coords[0], p.coords[-1]] for p in self.pieces]).reshape(-1, 2)
        nodes, self.ends = np.unique(ends, axis=0, return_inverse=True)
        self.ends = self.ends.reshape(-1, 2)
        self.graph = _graph(self.ends, self.lengths, len(nodes))
        self._tree = shapely.STRtree(self.pieces)
        self._water = shapely.STRtree(_linestrings(barriers))

    def __bool__(self) -> bool:
        return len(self.pieces) > 0

    def distances(self, xy: np.ndarray, detour: float, access_m: float) -> np.ndarray:
        """Metres between every pair of points (metric CRS): access leg × ``detour`` to the
        nearest road, along the roads, access leg out, or straight × ``detour`` where the
        pair may walk off-road (``_off_road``). Pairs not joined by roads, and points
        farther than ``access_m`` from every road, get the straight line × ``detour``.
        The result is symmetric, never below the straight line, and a metric (a way
        through a third point is taken when it is shorter)."""
        straight = straight_m(xy)
        out = straight * detour
        pts = shapely.points(xy)
        (on, piece), access = self._tree.query_nearest(
            pts, max_distance=access_m, return_distance=True, all_matches=False)
        if len(on):
            pos = shapely.line_locate_point(self.pieces[piece], pts[on])
            net = self._along(piece, pos) + detour * (access[:, None] + access[None, :])
            sub = np.ix_(on, on)
            road = np.where(np.isfinite(net), np.maximum(net, straight[sub]), out[sub])
            off_road = self._off_road(xy[on], straight[sub], access)
            out[sub] = np.where(off_road, np.minimum(road, out[sub]), road)
        np.fill_diagonal(out, 0.0)
        return _shortest_through_points(out)

    def _off_road(self, xy: np.ndarray, straight: np.ndarray, access: np.ndarray) -> np.ndarray:
        """Pairs that may walk straight to each other: no farther apart than their two walks
        to the road, with no barrier line between them."""
        near = straight <= access[:, None] + access[None, :]
        i, j = np.nonzero(np.triu(near, 1))
        if len(i):
            legs = shapely.linestrings(np.stack([xy[i], xy[j]], axis=1))
            wet = np.unique(self._water.query(legs, predicate="intersects")[0])
            near[i[wet], j[wet]] = near[j[wet], i[wet]] = False
        return near

    def _along(self, piece: np.ndarray, pos: np.ndarray) -> np.ndarray:
        """Road metres between points lying on ``piece`` at ``pos`` metres from its start:
        out through either end of each piece, or straight along a piece they share."""
        sources, idx = np.unique(self.ends[piece], return_inverse=True)
        between = dijkstra(self.graph, directed=False, indices=sources)[:, sources]
        idx = idx.reshape(-1, 2)
        off = np.column_stack([pos, self.lengths[piece] - pos])
        net = np.full((len(pos), len(pos)), np.inf)
        for i in (0, 1):
            for j in (0, 1):
                net = np.minimum(net, off[:, i, None] + between[np.ix_(idx[:, i], idx[:, j])]
                                 + off[None, :, j])
        same = piece[:, None] == piece[None, :]
        return np.where(same, np.minimum(net, np.abs(pos[:, None] - pos[None, :])), net)


def _linestrings(lines: Sequence[np.ndarray]) -> list[shapely.LineString]:
    return [r for r in (shapely.linestrings(np.asarray(c)[:, :2]) for c in lines if len(c) >= 2)
            if r.length > 0]


def _joins(roads: list[shapely.LineString], snap_m: float) -> list[shapely.LineString]:
    """Stubs from each road end to the nearest other road within ``snap_m`` (not already
    touching it), drawn just past that road so the union nodes the two."""
    ends = shapely.points([c for r in roads for c in (r.coords[0], r.coords[-1])])
    owner = np.repeat(np.arange(len(roads)), 2)
    end_i, road_i = shapely.STRtree(roads).query(ends, predicate="dwithin", distance=snap_m)
    keep = owner[end_i] != road_i
    end_i, road_i = end_i[keep], road_i[keep]
    gap = shapely.distance(ends[end_i], np.asarray(roads, dtype=object)[road_i])
    stubs = []
    for e in np.unique(end_i):
        k = np.flatnonzero(end_i == e)
        k = k[np.argmin(gap[k])]
        if gap[k] > 0:
            a, b = np.asarray(shapely.shortest_line(ends[e], roads[road_i[k]]).coords)
            stubs.append(shapely.linestrings([a, b + (b - a) / gap[k] * OVERSHOOT_M]))
    return stubs


def _graph(ends: np.ndarray, lengths: np.ndarray, n: int) -> csr_matrix:
    """Undirected graph of the pieces; of parallel pieces between two nodes the shortest."""
    u, v = ends.min(axis=1), ends.max(axis=1)
    order = np.lexsort((lengths, v, u))
    u, v, w = u[order], v[order], lengths[order]
    first = np.ones(len(u), dtype=bool)
    first[1:] = (u[1:] != u[:-1]) | (v[1:] != v[:-1])
    keep = first & (u != v)
    return csr_matrix((w[keep], (u[keep], v[keep])), shape=(n, n))


def _shortest_through_points(d: np.ndarray) -> np.ndarray:
    """Floyd–Warshall over the points: a direct estimate longer than a way through another
    point (possible where straight-line fallbacks meet road distances) is replaced.
    Infinity marks "no edge", so coinciding points (0 m) stay joined."""
    return np.asarray(floyd_warshall(csgraph_from_dense(d, null_value=np.inf), directed=False))
