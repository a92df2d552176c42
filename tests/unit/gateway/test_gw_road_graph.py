"""The road graph: noding, near-gap joins, components, one-way, levels, exact paths
checked against networkx on an independently built graph (issue 15 pts 1, 2)."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

from services.gateway.planning.domain.plan_legs import Legs
from services.gateway.planning.domain.road_graph import Link, build_graph, shortest


def _link(*xy, **kw) -> Link:
    return Link(np.array(xy, dtype=float), **kw)


def _road_m(links, *pts, directed=False, join_m=5.0) -> np.ndarray:
    graph = build_graph(links, np.array(pts, dtype=float), join_m)
    return shortest(graph, directed)[0]


def test_links_crossing_without_a_shared_vertex_are_joined_on_one_level():
    links = [_link((0, 0), (1000, 0)), _link((500, -500), (500, 500))]
    assert _road_m(links, (0, 0), (500, 500))[0, 1] == pytest.approx(1000)


def test_a_bridge_over_a_road_is_no_junction():
    links = [_link((0, 0), (1000, 0)), _link((500, -500), (500, 500), layer=1),
             _link((1000, 0), (1000, 500), (500, 500))]
    assert _road_m(links, (0, 0), (500, 500))[0, 1] == pytest.approx(1000 + 500 + 500)


def test_a_near_gap_is_joined_reported_and_a_wide_one_splits_the_network():
    links = [_link((0, 0), (1000, 0), link_id="a"), _link((1003, 0), (2000, 0), link_id="b"),
             _link((2061, 0), (3000, 0), link_id="c")]
    graph = build_graph(links, join_m=5.0)
    assert [(j.from_link, j.to_link, j.gap_m) for j in graph.joins] == [("a", "b", 3.0)]
    assert graph.components()[0] == 2
    wide = build_graph(links, join_m=70.0)
    assert wide.components()[0] == 1
    assert {round(j.gap_m) for j in wide.joins} == {3, 61}


def test_one_way_binds_vehicles_not_walkers():
    # A one-way street east, and a long way back round the block.
    links = [_link((0, 0), (1000, 0), oneway="yes"),
             _link((1000, 0), (1000, 800), (0, 800), (0, 0))]
    walk = _road_m(links, (0, 0), (1000, 0))
    ride = _road_m(links, (0, 0), (1000, 0), directed=True)
    assert walk[1, 0] == pytest.approx(1000)
    assert ride[0, 1] == pytest.approx(1000)
    assert ride[1, 0] == pytest.approx(800 + 1000 + 800)
    backward = _road_m([_link((0, 0), (1000, 0), oneway="-1"), *links[1:]], (0, 0), (1000, 0),
                       directed=True)
    assert backward[1, 0] == pytest.approx(1000)


def test_an_island_is_unreachable_never_a_straight_line_shortcut():
    links = [_link((0, 0), (1000, 0)), _link((0, 100), (1000, 100))]  # two pieces, 100 m apart
    legs = Legs(np.array([[0, 0], [1000, 100.0]]), links, "walk", 1.3)
    assert not legs.reaches(0, 1)
    leg = legs.leg(0, 1)
    assert not leg.by_road
    assert leg.metres == pytest.approx(np.hypot(1000, 100) * 1.3)


def _grid(n: int, step: float, rng: np.random.Generator) -> tuple[list[Link], nx.DiGraph]:
    """An n×n street grid with some streets missing and some one-way; the networkx graph
    is built from the same links independently of ``road_graph``."""
    links, g = [], nx.DiGraph()
    for i in range(n):
        for j in range(n):
            for di, dj in ((1, 0), (0, 1)):
                if i + di >= n or j + dj >= n or rng.random() < 0.15:
                    continue
                a, b = (i * step, j * step), ((i + di) * step, (j + dj) * step)
                bend = ((a[0] + b[0]) / 2 + (dj * 30), (a[1] + b[1]) / 2 + (di * 30))
                ow = "yes" if rng.random() < 0.2 else "no"
                links.append(_link(a, bend, b, oneway=ow))
                length = float(np.hypot(*np.subtract(bend, a)) + np.hypot(*np.subtract(b, bend)))
                g.add_edge(a, b, length=length)
                if ow == "no":
                    g.add_edge(b, a, length=length)
    return links, g


@pytest.mark.parametrize("directed", [False, True])
def test_distances_equal_networkx_shortest_paths(directed):
    rng = np.random.default_rng(7)
    links, g = _grid(8, 200.0, rng)
    if not directed:
        g = g.to_undirected()
    nodes = sorted(g.nodes)
    pts = [nodes[k] for k in rng.choice(len(nodes), 12, replace=False)]
    road = _road_m(links, *pts, directed=directed, join_m=0.0)
    for a, pa in enumerate(pts):
        lengths = nx.single_source_dijkstra_path_length(g, pa, weight="length")
        for b, pb in enumerate(pts):
            assert road[a, b] == pytest.approx(lengths.get(pb, np.inf))


def test_a_drawn_leg_follows_the_roads():
    links = [_link((0, 0), (1000, 0)), _link((1000, 0), (1000, 1000))]
    legs = Legs(np.array([[0, 10.0], [1010, 1000]]), links, "walk", 1.3)
    leg = legs.leg(0, 1)
    assert leg.by_road
    assert leg.metres == pytest.approx(2000 + 1.3 * 20)
    assert [tuple(p) for p in leg.xy] == [(0, 10), (0, 0), (1000, 0), (1000, 0), (1000, 1000),
                                          (1010, 1000)]
