"""Travel between a plan's places (team starts, then patrol points): minutes for the
router, and for each leg taken its metres, whether roads carried it and its geometry.

Road legs are exact shortest paths on the road graph (``road_graph``), plus the walk
from each place to its nearest road (straight × detour). A pair the roads do not join
(another road piece, a place farther than ``access_m`` from any road, or no roads at
all) travels the straight line × detour, and the leg says so: the plan reports the
share of its distance that is by road.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from services.gateway.planning.domain.road_graph import (
    JOIN_M,
    Link,
    build_graph,
    path_nodes,
    path_xy,
    shortest,
)

# km/h per travel mode and road class; "default" for classes not listed and off-road.
SPEED_KMH: dict[str, dict[str, float]] = {
    "walk": {"default": 4.5},
    "bicycle": {"default": 12.0, "track": 8.0, "path": 8.0},
    "motorbike": {"default": 25.0, "primary": 40.0, "secondary": 35.0, "tertiary": 30.0,
                  "track": 15.0, "path": 10.0},
}
ACCESS_M = 500.0  # a place farther than this from every road is off the network


def speed_kmh(mode: str, road_class: str) -> float:
    table = SPEED_KMH[mode]
    return table.get(road_class, table["default"])


@dataclass(frozen=True)
class Leg:
    metres: float
    by_road: bool  # the roads join the two places (the walks to the road aside)
    xy: np.ndarray  # (n, 2) metric CRS, from one place to the next
    road_m: float = 0.0  # of ``metres``, along the roads


class Legs:
    """Minutes between every pair of places and the legs a route takes.

    Parameters
    ----------
    xy : (n, 2) array
        The places in the township's metric CRS (metres).
    links : sequence of Link
        Road links in the same CRS; empty: every leg is straight.
    mode : str
        Travel mode (``SPEED_KMH``); one-way links bind every mode but walking.
    detour : float
        Factor on straight-line legs (access walks and legs the roads do not carry).
    """

    def __init__(self, xy: np.ndarray, links: Sequence[Link], mode: str, detour: float,
                 access_m: float = ACCESS_M, join_m: float = JOIN_M):
        self.xy, self.mode, self.detour = xy, mode, detour
        self.directed = mode != "walk"
        self.graph = build_graph(links, xy, join_m, access_m) if links else None
        off_kmh = speed_kmh(mode, "default") * 1000 / 60
        straight = np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1))
        self.straight_min = straight * detour / off_kmh
        if self.graph is None:
            self.road_min = np.full_like(straight, np.inf)
            self.access_m = np.full(len(xy), np.inf)
            self._pred = None
        else:
            speeds = {e.road_class: speed_kmh(mode, e.road_class) for e in self.graph.edges}
            self.road_min, self._pred = shortest(self.graph, self.directed, speeds)
            self.access_m = self.graph.access_m
        access_min = np.where(np.isfinite(self.access_m), self.access_m, 0) * detour / off_kmh
        road = self.road_min + access_min[:, None] + access_min[None, :]
        self.joined = np.isfinite(self.road_min)
        np.fill_diagonal(self.joined, True)
        self.minutes = np.where(self.joined, road, self.straight_min)
        np.fill_diagonal(self.minutes, 0.0)

    def reaches(self, i: int, j: int) -> bool:
        """Roads join place ``i`` to place ``j`` (and back)."""
        return bool(self.joined[i, j] and self.joined[j, i])

    def leg(self, i: int, j: int) -> Leg:
        """Metres, road or not, and geometry of the way from place ``i`` to ``j``."""
        if i == j:
            return Leg(0.0, True, self.xy[[i]])
        if self.graph is None or self._pred is None or not self.joined[i, j]:
            xy = self.xy[[i, j]]
            return Leg(float(np.hypot(*(xy[1] - xy[0]))) * self.detour, False, xy)
        parts = path_xy(self.graph, path_nodes(self.graph, self._pred, i, j), self.directed)
        along = np.vstack([self.xy[[i]], *parts, self.xy[[j]]]) if parts else \
            np.vstack([self.xy[[i]], self.graph.nodes[[self.graph.point_nodes[i]]],
                       self.xy[[j]]])
        road_m = float(sum(np.hypot(*np.diff(p, axis=0).T).sum() for p in parts))
        access = (self.access_m[i] + self.access_m[j]) * self.detour
        return Leg(road_m + float(access), True, along, road_m)
