"""The road network as a graph: links noded where they meet, near-gaps joined, one-way
links directed for vehicles, patrol points inserted as nodes, exact shortest paths.

Distances are exact shortest paths on one graph (scipy's Dijkstra); nothing shortens
them afterwards. A pair the roads do not join is reported as such (``inf``), never
replaced by a straight line here: the planner decides what to do with it and says so.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import shapely
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components, dijkstra
from scipy.spatial import cKDTree

SAME_M = 0.01  # piece ends this close are one node (rounding of cut positions)
JOIN_M = 5.0  # default: a link end this close to another link joins it (reported)
ONEWAY_FORWARD, ONEWAY_BACKWARD, TWO_WAY = "yes", "-1", "no"


@dataclass(frozen=True)
class Link:
    """One road link in a metric CRS (metres)."""

    xy: np.ndarray  # (n, 2)
    link_id: str = ""
    oneway: str = TWO_WAY  # "yes": drawn direction only, "-1": against it, for vehicles
    road_class: str = "unclassified"
    layer: int = 0  # bridges above (1), tunnels below (-1): crossings join only on a level


@dataclass(frozen=True)
class Join:
    """A near-gap closed by a short connector: which link end met which link, how far."""

    from_link: str
    to_link: str
    gap_m: float


@dataclass
class Edge:
    """A piece of a link between two nodes, in the drawn direction."""

    xy: np.ndarray
    u: int
    v: int
    length_m: float
    oneway: str
    road_class: str


@dataclass
class Graph:
    """Nodes, edges and the CSR matrices (metres) for walking and for vehicles."""

    nodes: np.ndarray
    edges: list[Edge]
    joins: list[Join] = field(default_factory=list)
    point_nodes: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=int))
    access_m: np.ndarray = field(default_factory=lambda: np.zeros(0))
    _steps: dict[bool, dict[tuple[int, int], Edge]] = field(default_factory=dict, repr=False)

    def matrix(self, directed: bool, speeds: dict[str, float] | None = None) -> csr_matrix:
        """Edge metres, or minutes at ``speeds`` (km/h per road class); with ``directed``
        a one-way link only in its allowed direction."""
        rows: list[int] = []
        cols: list[int] = []
        w: list[float] = []
        for e in self.edges:
            cost = e.length_m if speeds is None else e.length_m * 0.06 / speeds[e.road_class]
            if not directed or e.oneway != ONEWAY_BACKWARD:
                rows += [e.u]
                cols += [e.v]
                w += [cost]
            if not directed or e.oneway != ONEWAY_FORWARD:
                rows += [e.v]
                cols += [e.u]
                w += [cost]
        return _min_parallel(rows, cols, w, len(self.nodes))

    def steps(self, directed: bool) -> dict[tuple[int, int], Edge]:
        """The shortest edge for each allowed (from, to) node pair, built once."""
        if directed not in self._steps:
            best: dict[tuple[int, int], Edge] = {}
            for e in self.edges:
                for a, b, ok in ((e.u, e.v, not directed or e.oneway != ONEWAY_BACKWARD),
                                 (e.v, e.u, not directed or e.oneway != ONEWAY_FORWARD)):
                    if ok and ((a, b) not in best or e.length_m < best[a, b].length_m):
                        best[a, b] = e
            self._steps[directed] = best
        return self._steps[directed]

    def components(self) -> tuple[int, np.ndarray]:
        """Connected pieces (walking, one-way ignored): count and label per node."""
        count, labels = connected_components(self.matrix(directed=False), directed=False)
        return int(count), labels


def build_graph(links: Sequence[Link], points: np.ndarray | None = None,
                join_m: float = JOIN_M, access_m: float = float("inf")) -> Graph:
    """Node the links where they cross or touch, join link ends within ``join_m`` metres
    of another link, and insert each point (metric CRS) at the nearest place on a link no
    farther than ``access_m``; ``point_nodes`` is -1 for a point with no link that near.
    """
    lines = list(shapely.linestrings(np.concatenate([k.xy[:, :2] for k in links]),
                                     indices=np.repeat(np.arange(len(links)),
                                                       [len(k.xy) for k in links]))) \
        if links else []
    cuts: list[list[np.ndarray]] = [[] for _ in links]
    _cut_at_crossings(links, lines, cuts)
    extra, joins = _join_gaps(links, lines, cuts, join_m)
    pts = np.zeros((0, 2)) if points is None else np.asarray(points, float).reshape(-1, 2)
    on, access = _snap_points(lines, pts, cuts, access_m)
    positions = _positions(lines, cuts)
    pieces: list[tuple[np.ndarray, str, str]] = []
    for k, link in enumerate(links):
        pieces += [(p, link.oneway, link.road_class)
                   for p in _split(lines[k], link.xy[:, :2], positions[k])]
    pieces += [(xy, TWO_WAY, "join") for xy in extra]
    ends = np.array([[p[0], p[-1]] for p, _, _ in pieces]).reshape(-1, 2)
    tree = cKDTree(ends)
    label = _same_place(tree, len(ends))
    nodes = np.zeros((int(label.max()) + 1 if len(label) else 0, 2))
    nodes[label] = ends
    idx = label.reshape(-1, 2)
    edges = [Edge(xy, int(idx[i, 0]), int(idx[i, 1]), float(np.hypot(*np.diff(xy, axis=0).T)
                                                            .sum()), ow, cls)
             for i, (xy, ow, cls) in enumerate(pieces)]
    point_nodes = np.full(len(pts), -1)
    if len(on):
        point_nodes[on[:, 0].astype(int)] = label[tree.query(on[:, 1:])[1]]
    return Graph(nodes, [e for e in edges if e.u != e.v], joins, point_nodes, access)


def _same_place(tree: cKDTree, n: int) -> np.ndarray:
    """Node label per piece end: ends within ``SAME_M`` of each other are one node."""
    pairs = tree.query_pairs(SAME_M, output_type="ndarray")
    adj = csr_matrix((np.ones(len(pairs)), (pairs[:, 0], pairs[:, 1])), shape=(n, n))
    return connected_components(adj, directed=False)[1]


def shortest(graph: Graph, directed: bool, speeds: dict[str, float] | None = None,
             ) -> tuple[np.ndarray, np.ndarray]:
    """Metres (or minutes at ``speeds``) between every pair of the graph's points along
    the roads (``inf`` where the roads do not join them or a point is off the network),
    access legs not included; and the Dijkstra predecessors from each point, for the
    paths."""
    n = len(graph.point_nodes)
    out = np.full((n, n), np.inf)
    pred = np.full((n, len(graph.nodes)), -9999, dtype=np.int32)
    ok = np.flatnonzero(graph.point_nodes >= 0)
    if len(ok) and graph.edges:
        src = graph.point_nodes[ok]
        d, p = dijkstra(graph.matrix(directed, speeds), directed=True, indices=src,
                        return_predecessors=True)
        out[np.ix_(ok, ok)] = d[:, src]
        pred[ok] = p
    np.fill_diagonal(out, 0.0)
    return out, pred


def path_nodes(graph: Graph, pred: np.ndarray, i: int, j: int) -> list[int]:
    """Graph nodes from point ``i`` to point ``j`` on the shortest path (empty: none)."""
    target, source = int(graph.point_nodes[j]), int(graph.point_nodes[i])
    if target < 0 or source < 0:
        return []
    nodes = [target]
    while nodes[-1] != source:
        nxt = int(pred[i, nodes[-1]])
        if nxt < 0:
            return []
        nodes.append(nxt)
    return nodes[::-1]


def path_xy(graph: Graph, nodes: list[int], directed: bool) -> list[np.ndarray]:
    """The edges' geometry along a node path, each in travel direction (metric CRS)."""
    best = graph.steps(directed)
    out = []
    for a, b in zip(nodes, nodes[1:], strict=False):
        e = best[a, b]
        out.append(e.xy if e.u == a else e.xy[::-1])
    return out


def _min_parallel(rows: list[int], cols: list[int], w: list[float], n: int) -> csr_matrix:
    """Of parallel edges between two nodes the shortest (a sparse matrix would sum them)."""
    order = np.lexsort((np.asarray(w), np.asarray(cols), np.asarray(rows)))
    r, c, x = np.asarray(rows)[order], np.asarray(cols)[order], np.asarray(w, float)[order]
    first = np.ones(len(r), dtype=bool)
    first[1:] = (r[1:] != r[:-1]) | (c[1:] != c[:-1])
    return csr_matrix((x[first], (r[first], c[first])), shape=(n, n))


def _cut_at_crossings(links: Sequence[Link], lines: list[shapely.LineString],
                      cuts: list[list[np.ndarray]]) -> None:
    """Where two links on one level cross or touch, both get a node there; links on
    different levels (a bridge over a road) join only at a vertex they share."""
    a, b = shapely.STRtree(lines).query(lines, predicate="intersects")
    keep = a < b
    a, b = a[keep], b[keep]
    geoms = np.asarray(lines, dtype=object)
    where, pair = shapely.get_coordinates(shapely.intersection(geoms[a], geoms[b]),
                                          return_index=True)
    level = np.array([k.layer for k in links])
    for r, n in enumerate(pair.tolist()):
        i, j = int(a[n]), int(b[n])
        if level[i] != level[j] and not (_is_vertex(links[i], where[r])
                                         and _is_vertex(links[j], where[r])):
            continue
        cuts[i].append(where[r])
        cuts[j].append(where[r])


def _is_vertex(link: Link, at: np.ndarray) -> bool:
    return bool(np.any(np.all(link.xy[:, :2] == at, axis=1)))


def _join_gaps(links: Sequence[Link], lines: list[shapely.LineString],
               cuts: list[list[np.ndarray]], join_m: float,
               ) -> tuple[list[np.ndarray], list[Join]]:
    """A connector from each link end to the nearest other link within ``join_m`` when
    it does not touch one already; the target link gets a node where the connector ends."""
    ends = shapely.points([c for ln in lines for c in (ln.coords[0], ln.coords[-1])])
    owner = np.repeat(np.arange(len(lines)), 2)
    tree = shapely.STRtree(lines)
    touching = tree.query(ends, predicate="intersects")
    touches = np.zeros(len(ends), dtype=bool)
    touches[touching[0][owner[touching[0]] != touching[1]]] = True
    end_i, line_i = tree.query(ends, predicate="dwithin", distance=join_m)
    keep = (owner[end_i] != line_i) & ~touches[end_i]
    extra, joins, pairs = [], [], set()
    for e in np.unique(end_i[keep]):
        cand = line_i[keep][end_i[keep] == e]
        gaps = shapely.distance(ends[e], np.asarray(lines, dtype=object)[cand])
        k = int(cand[np.argmin(gaps)])
        if frozenset((int(owner[e]), k)) in pairs:
            continue  # the facing end already closed this gap
        pairs.add(frozenset((int(owner[e]), k)))
        a, b = np.asarray(shapely.shortest_line(ends[e], lines[k]).coords)
        cuts[k].append(b)
        extra.append(np.array([a, b]))
        joins.append(Join(links[owner[e]].link_id or str(owner[e]),
                          links[k].link_id or str(k), round(float(np.min(gaps)), 2)))
    return extra, joins


def _snap_points(lines: list[shapely.LineString], pts: np.ndarray,
                 cuts: list[list[np.ndarray]], access_m: float) -> tuple[np.ndarray, np.ndarray]:
    """Each point's nearest place on a link within ``access_m``: rows (point, x, y) and
    the access metres of every point (``inf`` when off the network)."""
    access = np.full(len(pts), np.inf)
    if not len(pts) or not lines:
        return np.zeros((0, 3)), access
    geoms = shapely.points(pts)
    dist_arg = None if np.isinf(access_m) else access_m
    (p, k), d = shapely.STRtree(lines).query_nearest(
        geoms, max_distance=dist_arg, return_distance=True, all_matches=False)
    rows = []
    for pi, ki, di in zip(p.tolist(), k.tolist(), d.tolist(), strict=True):
        at = np.asarray(shapely.line_interpolate_point(
            lines[ki], shapely.line_locate_point(lines[ki], geoms[pi])).coords[0])
        cuts[ki].append(at)
        access[pi] = di
        rows.append([pi, *at])
    return np.array(rows, float).reshape(-1, 3), access


def _positions(lines: list[shapely.LineString], cuts: list[list[np.ndarray]],
               ) -> list[np.ndarray]:
    """Metres along each link of its cuts, located in one vectorised call."""
    owner = np.repeat(np.arange(len(cuts)), [len(c) for c in cuts])
    if not len(owner):
        return [np.zeros(0) for _ in cuts]
    pts = shapely.points(np.concatenate([np.asarray(c).reshape(-1, 2) for c in cuts if c]))
    pos = shapely.line_locate_point(np.asarray(lines, dtype=object)[owner], pts)
    bounds = np.concatenate([[0], np.cumsum([len(c) for c in cuts])])
    return [pos[bounds[k]:bounds[k + 1]] for k in range(len(cuts))]


def _split(line: shapely.LineString, xy: np.ndarray, cut_pos: np.ndarray) -> list[np.ndarray]:
    """The link cut at the given metres along it, as pieces from start to end."""
    seg = np.hypot(*np.diff(xy, axis=0).T)
    at_vertex = np.concatenate([[0.0], np.cumsum(seg)])
    total = float(at_vertex[-1])
    if not np.any((cut_pos > 1e-6) & (cut_pos < total - 1e-6)):
        return [xy]  # cut at its ends only: one piece
    marks = np.unique(np.clip(np.round(np.concatenate([[0.0, total], cut_pos]), 6), 0, total))
    pieces = []
    for a, b in zip(marks, marks[1:], strict=False):
        inner = (at_vertex > a) & (at_vertex < b)
        ends = shapely.get_coordinates(shapely.line_interpolate_point(line, [a, b]))
        pieces.append(np.vstack([ends[:1], xy[inner], ends[1:]]))
    return pieces or [xy]
