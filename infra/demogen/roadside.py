"""Road hazards of one township: sharp bends, crossings near schools and water, sections
without barriers above water or a drop, and stretches where children play on the road."""

from __future__ import annotations

import numpy as np
import shapely

from infra.demogen import shapes
from infra.demogen.batch import Batch, lines, serial_names
from infra.demogen.geography import Geography
from infra.demogen.homes import nearest

# Shares of the road hazards by kind (assumption, docs/demo-data.md).
SHARES = {"road_sharp_bend": 0.4, "road_no_barrier": 0.3, "road_crossing": 0.2,
          "road_play_area": 0.1}


def road_names(rng: np.random.Generator, geo: Geography, names: list[str],
               town: str) -> list[str]:
    """The county road (县道 X…) and the village roads (扶欢镇至某村公路, 某村至某村公路)."""
    label = [town if i == geo.seat else n for i, n in enumerate(names)]
    return [f"县道X{rng.integers(100, 999)}线",
            *[f"{label[a]}至{label[b]}公路" for a, b in geo.road_ends]]


def add_road_hazards(rng: np.random.Generator, geo: Geography, names: list[str],
                     roads: list[str], homes: np.ndarray, n: int, batch: Batch) -> None:
    counts = {k: int(round(n * s)) for k, s in SHARES.items()}
    _bends(rng, geo, roads, counts["road_sharp_bend"], batch)
    _no_barrier(rng, geo, roads, counts["road_no_barrier"], batch)
    _crossings(rng, geo, counts["road_crossing"], batch)
    _play(rng, geo, names, homes, counts["road_play_area"], batch)


def _vertices(geo: Geography) -> tuple[np.ndarray, np.ndarray]:
    """All road vertices and the index of the road each belongs to."""
    roads = geo.roads
    return np.vstack(roads), np.repeat(np.arange(len(roads)), [len(r) for r in roads])


def _bends(rng: np.random.Generator, geo: Geography, roads: list[str], n: int,
           batch: Batch) -> None:
    """Points where a road turns by more than about 50° within ~300 m."""
    xy, which = _vertices(geo)
    turn = np.concatenate([shapes.turning(r) for r in geo.roads])
    candidates = np.flatnonzero(turn > 0.9)
    if candidates.size == 0:
        candidates = np.argsort(turn)[::-1][:n]
    chosen = np.sort(rng.choice(candidates, size=min(n, candidates.size), replace=False))
    bases = [f"{roads[w]}急弯" for w in which[chosen]]
    batch.add("road_sharp_bend", serial_names(bases, always=True), shapely.points(xy[chosen]),
              xy[chosen], np.nan, np.round(rng.uniform(4.5, 7.0, chosen.size), 1))


def _no_barrier(rng: np.random.Generator, geo: Geography, roads: list[str], n: int,
                batch: Batch) -> None:
    """Stretches of 200–600 m without guard rails, most on the county road by the river."""
    pieces, bases = [], []
    for _ in range(n):
        w = 0 if rng.random() < 0.6 else int(rng.integers(0, len(geo.roads)))
        road = geo.roads[w]
        span = max(2, int(rng.uniform(200, 600) / max(_step(road), 1.0)))
        if len(road) <= span + 1:
            continue
        start = int(rng.integers(0, len(road) - span))
        pieces.append(road[start:start + span + 1])
        bases.append(f"{roads[w]}无护栏路段")
    if pieces:
        geoms, mids = lines(pieces)
        batch.add("road_no_barrier", serial_names(bases, always=True), geoms, mids, np.nan,
                  np.round(rng.uniform(4.5, 7.0, len(pieces)), 1))


def _step(road: np.ndarray) -> float:
    return float(np.linalg.norm(np.diff(road, axis=0), axis=1).mean())


def _crossings(rng: np.random.Generator, geo: Geography, n: int, batch: Batch) -> None:
    """Road crossings at school gates first, then where roads cross streams and the river."""
    xy, _ = _vertices(geo)
    gates = xy[nearest(geo.schools, xy)]
    names = [f"{s}门前路口" for s in geo.school_names]
    water = shapely.multilinestrings([shapely.linestrings(c) for c in [geo.river, *geo.streams]])
    for road in geo.roads[1:]:
        hit = shapely.intersection(shapely.linestrings(road), water)
        pts = shapely.get_coordinates(hit)
        gates = np.vstack([gates, pts])
        names += ["过河桥头路口"] * len(pts)
    keep = np.sort(rng.permutation(len(gates))[:n]) if len(gates) > n else np.arange(len(gates))
    chosen = gates[keep]
    batch.add("road_crossing", serial_names([names[i] for i in keep], always=False),
              shapely.points(chosen), chosen, np.nan, np.nan)


def _play(rng: np.random.Generator, geo: Geography, names: list[str], homes: np.ndarray,
          n: int, batch: Batch) -> None:
    """Road stretches in front of dense clusters of homes where children play."""
    xy, _ = _vertices(geo)
    picks = homes[rng.integers(0, len(homes), n)]
    spots = xy[nearest(picks, xy)]
    village = nearest(spots, geo.villages)
    batch.add("road_play_area", serial_names([f"{names[v]}路边玩耍点" for v in village],
                                             always=True),
              shapely.points(spots), spots, np.nan, np.nan)
