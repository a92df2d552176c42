"""Patrol planning at county scale over a road network, and the routing solver comparison.

    .venv/bin/python bench/planner.py [--repeat 3] [--days 62] [--links 8000] [--points 500]
                                      [--gls-s 0.2]

Data (generated, seed 1): a perturbed street grid of about ``--links`` links (5 % of
streets missing, 10 % one-way, bends in every link) around 106.65°E 28.95°N, with
``--points`` patrol points 5–60 m off random links and invented exposures; three teams
at three corners, ``--days`` days of holiday shifts (13:00–16:00), motorbike (one-way
binds), as a county plan would be.

Timed in the same run (median of --repeat):
- baseline: the same plan over straight lines × detour (no road network loaded);
- the plan over the road network (graph, exact shortest paths, routing, tracks).
Solver comparison on the same plans: for every shift the plan makes, the same stops are
routed again by OR-Tools (routing library: path cheapest arc, then its local search to a
local optimum; and with guided local search for ``--gls-s`` seconds a shift) and the
tour minutes compared with the planner's insertion + 2-opt tour.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import numpy as np
from pyproj import Transformer

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from services.gateway.planning.domain.plan_legs import Legs  # noqa: E402
from services.gateway.planning.domain.planner import (  # noqa: E402
    Candidate,
    Member,
    PlanRequest,
    Team,
    Window,
    plan_patrols,
)
from services.gateway.planning.domain.road_graph import Link  # noqa: E402
from shared.geo import utm_crs  # noqa: E402

ORIGIN = (106.65, 28.95)
STEP_M = 250.0


def network(n_links: int, n_points: int, rng: np.random.Generator):
    """Links (lon/lat and attributes), candidates, team starts."""
    crs = utm_crs(*ORIGIN)
    to_ll = Transformer.from_crs(crs, "EPSG:4326", always_xy=True)
    x0, y0 = Transformer.from_crs("EPSG:4326", crs, always_xy=True).transform(*ORIGIN)
    side = int(np.ceil(np.sqrt(n_links / 2 / 0.95))) + 1
    links, attrs, segs = [], [], []
    for i in range(side):
        for j in range(side):
            for di, dj in ((1, 0), (0, 1)):
                if i + di >= side or j + dj >= side or rng.random() < 0.05:
                    continue
                a = np.array([i * STEP_M, j * STEP_M])
                b = np.array([(i + di) * STEP_M, (j + dj) * STEP_M])
                bend = (a + b) / 2 + rng.normal(0, 15, 2) * np.array([dj, di])
                xy = np.array([a, bend, b])
                links.append([tuple(p) for p in zip(*to_ll.transform(x0 + xy[:, 0],
                                                                     y0 + xy[:, 1]),
                                                    strict=True)])
                attrs.append(Link(np.zeros((0, 2)), f"L{len(attrs)}",
                                  "yes" if rng.random() < 0.1 else "no",
                                  rng.choice(["residential", "tertiary", "track"])))
                segs.append((a, b))
    cands = []
    for k in rng.choice(len(segs), n_points, replace=False):
        a, b = segs[k]
        p = a + (b - a) * rng.uniform(0.1, 0.9) + rng.normal(0, 1, 2) * rng.uniform(5, 60)
        cands.append(Candidate(f"p{k}", f"h{k}", *to_ll.transform(x0 + p[0], y0 + p[1]),
                               int(rng.integers(0, 400)), kind="pond"))
    far = (side - 1) * STEP_M
    starts = [to_ll.transform(x0 + x, y0 + y) for x, y in ((0, 0), (far, 0), (0, far))]
    return links, attrs, cands, starts, crs


def request(starts, days: int) -> PlanRequest:
    teams = tuple(Team(f"team-{k}", (Member(f"m{k}", date(2026, 3, 1), "clear"),), s)
                  for k, s in enumerate(starts, 1))
    start = date(2026, 7, 1)
    return PlanRequest(start, start + timedelta(days=days - 1), teams, travel_mode="motorbike",
                       holidays=((start, start + timedelta(days=days)),),
                       weekend_window=Window(time_(13), time_(16)))


def time_(h: int):
    from datetime import time
    return time(h, 0)


def timed(fn, repeat: int):
    times, out = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), out


def ortools_tour(minutes: np.ndarray, gls_s: float) -> list[int]:
    """OR-Tools' routing library on one shift's stops (node 0 the start)."""
    from ortools.constraint_solver import pywrapcp, routing_enums_pb2
    scale = 1000
    cost = np.rint(minutes * scale).astype(np.int64)
    manager = pywrapcp.RoutingIndexManager(len(minutes), 1, 0)
    routing = pywrapcp.RoutingModel(manager)
    cb = routing.RegisterTransitCallback(
        lambda i, j: int(cost[manager.IndexToNode(i), manager.IndexToNode(j)]))
    routing.SetArcCostEvaluatorOfAllVehicles(cb)
    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = routing_enums_pb2.FirstSolutionStrategy.PATH_CHEAPEST_ARC
    if gls_s > 0:
        params.local_search_metaheuristic = \
            routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
        params.time_limit.FromMilliseconds(int(gls_s * 1000))
    sol = routing.SolveWithParameters(params)
    tour, index = [], routing.Start(0)
    while not routing.IsEnd(index):
        index = sol.Value(routing.NextVar(index))
        if not routing.IsEnd(index):
            tour.append(manager.IndexToNode(index))
    return tour


def length(minutes: np.ndarray, tour: list[int]) -> float:
    path = [0, *tour, 0]
    return float(sum(minutes[a, b] for a, b in zip(path, path[1:], strict=False)))


def compare(plan, req, links, attrs, cands, starts, crs, gls_s: float) -> None:
    """Every shift's stops re-routed by OR-Tools; tour minutes side by side."""
    tr = Transformer.from_crs("EPSG:4326", crs, always_xy=True)
    ll = list(starts) + [(c.lon, c.lat) for c in cands]
    xy = np.column_stack(tr.transform([p[0] for p in ll], [p[1] for p in ll]))
    metric = [Link(np.column_stack(tr.transform(*np.array(r).T)), a.link_id, a.oneway,
                   a.road_class) for r, a in zip(links, attrs, strict=True)]
    legs = Legs(xy, metric, req.travel_mode, req.detour_factor)
    index = {c.point_id: len(starts) + i for i, c in enumerate(cands)}
    ours = local = gls = 0.0
    t_local = t_gls = 0.0
    shifts = 0
    for k, team in enumerate(plan.teams):
        for sh in team.shifts:
            if len(sh.stops) < 3:
                continue
            nodes = [k, *[index[s.point_id] for s in sh.stops]]
            m = legs.minutes[np.ix_(nodes, nodes)]
            ours += length(m, list(range(1, len(nodes))))
            t = time.perf_counter()
            local += length(m, ortools_tour(m, 0))
            t_local += time.perf_counter() - t
            t = time.perf_counter()
            gls += length(m, ortools_tour(m, gls_s))
            t_gls += time.perf_counter() - t
            shifts += 1
    print(f"solver comparison over {shifts} shifts (travel minutes, same stops):")
    print(f"  insertion + 2-opt (ours)       {ours:9.1f} min")
    print(f"  OR-Tools, local optimum        {local:9.1f} min ({local / ours - 1:+.2%}), "
          f"{t_local:.2f} s")
    print(f"  OR-Tools, GLS {gls_s:.1f} s a shift     {gls:9.1f} min ({gls / ours - 1:+.2%}), "
          f"{t_gls:.2f} s")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--days", type=int, default=62)
    ap.add_argument("--links", type=int, default=8000)
    ap.add_argument("--points", type=int, default=500)
    ap.add_argument("--gls-s", type=float, default=0.2)
    args = ap.parse_args()
    links, attrs, cands, starts, crs = network(args.links, args.points,
                                               np.random.default_rng(1))
    req = request(starts, args.days)
    print(f"{len(links)} links, {len(cands)} points, 3 teams, {args.days} days, motorbike")
    for label, roads in (("straight lines (baseline)", ()), ("road network", links)):
        t, plan = timed(lambda roads=roads: plan_patrols(
            req, cands, crs, roads, attrs if roads else ()), args.repeat)
        stops = sum(len(s.stops) for team in plan.teams for s in team.shifts)
        km = sum(s.distance_m for team in plan.teams for s in team.shifts) / 1000
        print(f"plan_patrols, {label:26s} {t:6.2f} s  metric={plan.metric:13s} {stops} stops, "
              f"{km:.0f} km, road share {plan.road_share:.1%}, {len(plan.unmet)} points "
              f"below frequency, {len(plan.off_road)} off the network")
    compare(plan, req, links, attrs, cands, starts, crs, args.gls_s)


if __name__ == "__main__":
    main()
