"""A plan on a real road network the planner has never seen: pyrosm's ``test.osm.pbf``
(a small real OpenStreetMap extract, 339 lines) read as the road layer reads it. Every
point is in the plan at its frequency or reported; every road leg equals networkx's
shortest path on the same graph (issue 15 tests)."""

from __future__ import annotations

from datetime import date, timedelta

import networkx as nx
import numpy as np
import pyogrio
import pyrosm
import pytest
from pyproj import Transformer

from services.gateway.planning.domain.plan_coverage import exposure_classes, longest_gap
from services.gateway.planning.domain.plan_legs import Legs
from services.gateway.planning.domain.planner import (
    Candidate,
    Member,
    PlanRequest,
    Team,
    plan_patrols,
)
from services.gateway.planning.domain.road_graph import Link
from services.gateway.planning.domain.road_import import read_links, to_metric
from shared.config import Region
from shared.geo import utm_crs

REGION = Region(26.5, 60.0, 27.5, 61.0)


@pytest.fixture(scope="module")
def town():
    frame = pyogrio.read_dataframe(pyrosm.get_data("test_pbf"), layer="lines")
    links, report = read_links(frame, REGION, osm=True)
    assert not report.refused and report.one_way > 0
    crs = utm_crs(26.95, 60.53)
    metric = to_metric(links, crs)
    rng = np.random.default_rng(3)
    to_ll = Transformer.from_crs(crs, "EPSG:4326", always_xy=True)
    cands = []
    for n, k in enumerate(rng.choice(len(metric), 40, replace=False)):
        xy = metric[k].xy
        a = xy[rng.integers(0, len(xy))]
        off = rng.normal(0, 1, 2)
        p = a + off / np.hypot(*off) * rng.uniform(5, 40)
        cands.append(Candidate(f"p{n}", f"h{n}", *to_ll.transform(*p),
                               int(rng.integers(0, 300)), name=f"测试水塘{n}", kind="pond"))
    start = to_ll.transform(*metric[0].xy[0])
    return links, metric, cands, start, crs


def _plan(town, days=14):
    links, _, cands, start, crs = town
    team = Team("A", (Member("m", date(2026, 3, 1), "clear"),), start)
    first = date(2026, 7, 1)
    req = PlanRequest(first, first + timedelta(days=days - 1), (team,),
                      holidays=((first, first + timedelta(days=days)),))
    attrs = [Link(np.zeros((0, 2)), k.link_id, k.oneway, k.road_class, k.layer)
             for k in links]
    return req, plan_patrols(req, cands, crs, [k.coords for k in links], attrs)


def test_every_point_at_its_frequency_or_reported(town):
    _, _, cands, _, _ = town
    req, plan = _plan(town)
    classes = dict(zip([c.point_id for c in cands],
                       exposure_classes([c.exposure_tenths for c in cands]), strict=True))
    visits = {c.point_id: [] for c in cands}
    for n, sh in enumerate(plan.teams[0].shifts):
        for s in sh.stops:
            visits[s.point_id].append(n)
    reported = {u.point_id for u in plan.unmet}
    for pid, days in visits.items():
        need = min(req.frequency.interval(classes[pid], req.starts_on), 14)
        assert pid in reported or longest_gap(days, 14) <= need, pid
    assert plan.metric == "road_network"
    off = {p for p, _ in plan.off_road}
    assert all(s.leg_by_road or s.point_id in off
               for sh in plan.teams[0].shifts for s in sh.stops)


def test_road_legs_equal_networkx_shortest_paths_on_the_same_graph(town):
    _, metric, cands, start, crs = town
    _, plan = _plan(town, days=3)
    tr = Transformer.from_crs("EPSG:4326", crs, always_xy=True)
    kept = sorted(cands, key=lambda c: (-c.exposure_tenths, c.point_id))
    ll = [start] + [(c.lon, c.lat) for c in kept]
    legs = Legs(np.column_stack(tr.transform(*np.array(ll).T)), metric, "walk", 1.3)
    g = nx.Graph()
    for e in legs.graph.edges:
        if not g.has_edge(e.u, e.v) or g[e.u][e.v]["length"] > e.length_m:
            g.add_edge(e.u, e.v, length=e.length_m)
    at = {c.point_id: i + 1 for i, c in enumerate(kept)}
    checked = 0
    for sh in plan.teams[0].shifts:
        for prev, s in zip(sh.stops, sh.stops[1:], strict=False):
            i, j = at[prev.point_id], at[s.point_id]
            if not s.leg_by_road:
                continue
            road = nx.shortest_path_length(g, int(legs.graph.point_nodes[i]),
                                           int(legs.graph.point_nodes[j]), weight="length")
            access = (legs.access_m[i] + legs.access_m[j]) * 1.3
            assert s.leg_m == pytest.approx(road + access, abs=0.15)
            checked += 1
    assert checked >= 5
