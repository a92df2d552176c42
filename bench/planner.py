"""Patrol planning at the demo township's scale: straight lines vs road-network distances.

    .venv/bin/python bench/planner.py [--repeat 3] [--days 62]

Data: the demo township (infra/demogen, seed 1, the scale `shouhu up` seeds): ~500 patrol
points, one at each hazard, invented exposures; three teams at the seat over the summer
holiday, as the demo's own plan. Contenders, timed in the same run (median of --repeat):
- baseline: straight lines × detour factor (no road loaded);
- the demo's roads (county road and village roads, ``roads.geojson``), as an OSM
  ``highway=*`` import would bring them;
- only the road hazards drawn as lines (the no-barrier stretches): what the gateway's read
  model holds after ``shouhu up``, which does not import ``roads.geojson``.
Also timed apart: building the network and the point-to-point matrix.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import shapely

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from infra.demogen import places  # noqa: E402
from infra.demogen.generate import SCALES, origins  # noqa: E402
from infra.demogen.township import generate  # noqa: E402
from services.gateway.domain.planner import (  # noqa: E402
    Candidate,
    Member,
    PlanRequest,
    Team,
    plan_patrols,
)
from services.gateway.domain.road_network import (  # noqa: E402
    ACCESS_M,
    BARRIER_KINDS,
    RoadNetwork,
    straight_m,
)
from shared.geo import utm_crs  # noqa: E402

DETOUR = 1.3


def township():
    """Patrol points (one per hazard), the demo's roads, its road hazards drawn as lines,
    its rivers, streams and canals (barriers to off-road walks)."""
    town, origin = places.townships("township")[0], origins(1)[0]
    scale = SCALES["township"]
    data = generate(np.random.default_rng([1, 0]), town, origin, scale.homes, scale.hazards,
                    date(2026, 6, 1))
    rng = np.random.default_rng(2)
    where = shapely.get_coordinates(shapely.point_on_surface(data.hazards.geometry.to_numpy()))
    points = [Candidate(f"pt-{i}", f"hz-{i}", float(x), float(y), int(rng.integers(0, 400)))
              for i, (x, y) in enumerate(where)]
    roads = [shapely.get_coordinates(g).tolist() for g in data.roads.geometry]
    lines = [(k, shapely.get_coordinates(g).tolist()) for g, k in
             zip(data.hazards.geometry, data.hazards.kind, strict=True)
             if g.geom_type == "LineString"]
    stretches = [c for k, c in lines if k.startswith("road")]
    return origin, points, roads, stretches, [c for k, c in lines if k in BARRIER_KINDS]


def request(origin: tuple[float, float], days: int) -> PlanRequest:
    teams = tuple(Team(f"team-{k}", (Member(f"m{k}", date(2026, 3, 1), "clear"),), origin)
                  for k in (1, 2, 3))
    start = date(2026, 7, 1)
    end = start + timedelta(days=days - 1)
    return PlanRequest(start, end, teams, holidays=((start, end),))


def timed(fn, repeat: int) -> tuple[float, object]:
    times, out = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--days", type=int, default=62)
    args = ap.parse_args()
    origin, points, roads, stretches, water = township()
    crs = utm_crs(*origin)
    req = request(origin, args.days)
    print(f"{len(points)} patrol points, 3 teams, {args.days} shifts each; "
          f"{len(roads)} roads ({sum(map(len, roads))} vertices), "
          f"{len(stretches)} road hazards drawn as lines, {len(water)} water barrier lines")
    from pyproj import Transformer
    tr = Transformer.from_crs("EPSG:4326", crs, always_xy=True)
    xy = np.column_stack(tr.transform(*np.array([[origin[0], origin[1]]] * 3
                                                + [[c.lon, c.lat] for c in points]).T))
    water_xy = [np.column_stack(tr.transform(*np.array(r).T)) for r in water]
    for label, lines in (("demo roads", roads), ("road hazards only", stretches)):
        lines_xy = [np.column_stack(tr.transform(*np.array(r).T)) for r in lines]
        t_net, net = timed(lambda lines_xy=lines_xy: RoadNetwork(lines_xy, water_xy),
                           args.repeat)
        t_mat, d = timed(lambda net=net: net.distances(xy, DETOUR, ACCESS_M), args.repeat)
        base = straight_m(xy) * DETOUR
        ratio = d[base > 0] / base[base > 0]
        q = np.percentile(ratio, [10, 50, 90])
        print(f"{label}: network {t_net * 1000:.0f} ms ({len(net.pieces)} pieces), "
              f"matrix {len(xy)}² {t_mat * 1000:.0f} ms; pairs changed from the straight "
              f"line × {DETOUR}: {np.mean(np.abs(ratio - 1) > 1e-9):.0%}; distance / "
              f"(straight line × {DETOUR}) p10 {q[0]:.2f}, median {q[1]:.2f}, p90 {q[2]:.2f}")
    for label, lines in (("straight lines (baseline)", []), ("demo roads", roads),
                         ("road hazards only", stretches)):
        t, plan = timed(lambda lines=lines: plan_patrols(req, points, crs, lines, water),
                        args.repeat)
        km = sum(s.distance_m for team in plan.teams for s in team.shifts) / 1000
        stops = sum(len(s.stops) for team in plan.teams for s in team.shifts)
        print(f"plan_patrols, {label:26s} {t:6.2f} s  metric={plan.metric:13s} "
              f"{stops} stops, {km:.0f} km planned")


if __name__ == "__main__":
    main()
