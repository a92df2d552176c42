"""Road-network distances: a river with one bridge, hand-drawn ends, fallbacks, metric."""

from __future__ import annotations

import numpy as np
import pytest

from services.gateway.domain.read_model import HazardShape
from services.gateway.domain.road_network import (
    RoadNetwork,
    barrier_lines,
    road_lines,
    straight_m,
)

DETOUR = 1.3
ACCESS_M = 500.0


def _line(*xy: tuple[float, float]) -> np.ndarray:
    return np.array(xy, dtype=float)


def _river(bridge_gap_m: float = 0.0) -> RoadNetwork:
    """A road along each bank of an east-west river 100 m wide, one bridge at x = 1000;
    the bridge stops ``bridge_gap_m`` short of each bank road (drawn by hand)."""
    return RoadNetwork([_line((0, 50), (2000, 50)), _line((0, -50), (2000, -50)),
                        _line((1000, 50 - bridge_gap_m), (1000, -50 + bridge_gap_m))])


def _d(net: RoadNetwork, *xy: tuple[float, float]) -> np.ndarray:
    return net.distances(np.array(xy, dtype=float), DETOUR, ACCESS_M)


def test_facing_points_across_the_river_are_far_apart_by_road():
    d = _d(_river(), (0, 60), (0, -60))
    # 10 m to the road (× detour), 1 km to the bridge, over it, 1 km back, 10 m off the road.
    assert d[0, 1] == pytest.approx(2 * 10 * DETOUR + 1000 + 100 + 1000)
    assert d[0, 1] > 15 * 120  # the straight line is 120 m


def test_points_on_the_same_bank_go_along_the_road():
    d = _d(_river(), (100, 60), (700, 60))
    assert d[0, 1] == pytest.approx(2 * 10 * DETOUR + 600)


def test_roads_crossing_without_a_shared_vertex_are_joined_at_the_crossing():
    net = RoadNetwork([_line((0, 0), (1000, 0)), _line((500, -500), (500, 500))])
    d = _d(net, (0, 0), (500, 500))
    assert d[0, 1] == pytest.approx(500 + 500)


def test_a_hand_drawn_bridge_a_few_metres_short_of_the_banks_still_joins_them():
    d = _d(_river(bridge_gap_m=3.0), (0, 60), (0, -60))
    assert d[0, 1] == pytest.approx(2 * 10 * DETOUR + 2000 + 100, abs=0.1)


def test_a_bridge_far_short_of_the_banks_leaves_them_apart_and_falls_back():
    d = _d(_river(bridge_gap_m=20.0), (0, 60), (0, -60))
    assert d[0, 1] == pytest.approx(120 * DETOUR)


def test_a_point_beyond_the_access_limit_falls_back_to_the_straight_line():
    d = _d(_river(), (0, 60), (0, 800), (600, 60))
    assert d[0, 1] == pytest.approx(740 * DETOUR)  # 750 m from the north bank road
    assert d[1, 2] == pytest.approx(np.hypot(600, 740) * DETOUR)
    assert d[0, 2] == pytest.approx(2 * 10 * DETOUR + 600)  # the others still use the road


def test_neighbours_far_from_the_road_walk_straight_to_each_other():
    d = _d(_river(), (300, 250), (340, 250), (300, 250))
    assert d[0, 1] == pytest.approx(40 * DETOUR)  # not 200 m out to the road and back
    assert d[0, 2] == 0.0  # two points at one place


def test_neighbours_with_a_stream_between_them_go_round_by_the_road():
    stream = _line((320, 100), (320, 400))
    net = RoadNetwork([_line((0, 50), (2000, 50))], barriers=[stream])
    d = net.distances(np.array([(300, 250), (340, 250)], dtype=float), DETOUR, ACCESS_M)
    assert d[0, 1] == pytest.approx(2 * 200 * DETOUR + 40)


def test_a_winding_road_never_makes_a_pair_closer_than_the_straight_line():
    zigzag = _line(*[(x * 100.0, 30.0 * (-1) ** x) for x in range(11)])
    xy = np.array([(0, 30), (1000, 30), (500, -30)], dtype=float)
    d = RoadNetwork([zigzag]).distances(xy, DETOUR, ACCESS_M)
    assert np.all(d >= straight_m(xy) - 1e-9)
    assert d[0, 1] > 1000 * 1.05  # the road's length, not the straight line


def test_distances_are_symmetric_and_a_metric_with_mixed_fallbacks():
    rng = np.random.default_rng(4)
    grid = [_line((0, y), (3000, y)) for y in range(0, 3001, 500)]
    grid += [_line((x, 0), (x, 3000)) for x in range(0, 3001, 750)]
    grid.append(_line((5000, 5000), (6000, 5000)))  # an island road, reached by nobody's road
    xy = np.vstack([rng.uniform(-800, 3800, (60, 2)), [[5500, 5010], [5600, 4990]]])
    d = RoadNetwork(grid).distances(xy, DETOUR, ACCESS_M)
    assert np.allclose(d, d.T)
    assert np.all(np.diag(d) == 0)
    assert np.all(d >= straight_m(xy) - 1e-9)
    assert np.all(d[:, :, None] <= d[:, None, :] + d.T[None, :, :] + 1e-6), "triangle"
    assert d[-2, -1] == pytest.approx(2 * 10 * DETOUR + 100)  # along the island road
    far = np.flatnonzero(np.abs(straight_m(xy)[:, -1] * DETOUR - d[:, -1]) < 1e-6)
    assert len(far) > 30, "the grid's points reach the island road in a straight line"


def test_barrier_lines_are_the_rivers_streams_and_canals_drawn_as_lines():
    line = {"type": "LineString", "coordinates": [[106.6, 28.9], [106.7, 29.0]]}
    hazards = [HazardShape("s1", "stream", "", line), HazardShape("d1", "ditch", "", line),
               HazardShape("r1", "road_no_barrier", "", line),
               HazardShape("p1", "pond", "", {"type": "Polygon", "coordinates": [[[106.6, 28.9]]]})]
    assert barrier_lines(hazards) == [[(106.6, 28.9), (106.7, 29.0)]]


def test_road_lines_are_the_road_hazards_drawn_as_lines():
    hazards = [
        HazardShape("r1", "road_no_barrier", "", {"type": "LineString",
                                                  "coordinates": [[106.6, 28.9], [106.7, 28.9]]}),
        HazardShape("r2", "road_play_area", "", {"type": "MultiLineString", "coordinates": [
            [[106.6, 28.8], [106.6, 28.7, 300.0]], [[106.5, 28.8], [106.4, 28.8]]]}),
        HazardShape("b1", "road_sharp_bend", "", {"type": "Point", "coordinates": [106.6, 28.9]}),
        HazardShape("s1", "stream", "", {"type": "LineString",
                                         "coordinates": [[106.6, 28.9], [106.7, 29.0]]}),
    ]
    assert road_lines(hazards) == [[(106.6, 28.9), (106.7, 28.9)], [(106.6, 28.8), (106.6, 28.7)],
                                   [(106.5, 28.8), (106.4, 28.8)]]


def test_no_usable_line_is_no_network():
    assert not RoadNetwork([])
    assert not RoadNetwork([_line((5, 5), (5, 5))])
    assert RoadNetwork([_line((0, 0), (1, 0))])
