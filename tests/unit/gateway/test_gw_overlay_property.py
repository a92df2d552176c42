"""Random townships: the overlay equals the brute-force reference, in bulk and per event.

Everything sits on a 0.0005° lattice, so homes land on pond corners, edges and insides
(distance 0), and hazards repeat each other's geometry under other ids (exact ties,
which the smallest id must win).
"""

from __future__ import annotations

import shapely
from gw_overlay_data import LAT0, LON0, brute_force
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import mapping
from test_gw_overlay import CRS48, _state

from services.gateway.read_model.domain.overlay import OverlayEngine
from services.gateway.read_model.domain.read_model import ChildHome, HazardShape

STEP = 0.0005  # about 50 m
SIDE = 16  # lattice points per side: a township about 800 m across
MAX_M, BUFFER_M = 300.0, 80.0


def _at(i: int, j: int) -> tuple[float, float]:
    return LON0 + i * STEP, LAT0 + j * STEP


lattice = st.integers(0, SIDE - 1)
home_st = st.tuples(lattice, lattice, st.sampled_from(("0-2", "6-11", "16-17")),
                    st.sampled_from(("high", "low")))
pond_st = st.tuples(st.just("pond"), lattice, lattice, st.integers(1, 4), st.integers(1, 4))
river_st = st.tuples(st.just("river"), lattice, lattice, st.integers(-4, 4), st.integers(-4, 4))
road_st = st.tuples(st.just("road_crossing"), lattice, lattice, st.just(0), st.just(0))
hazard_st = st.tuples(st.one_of(pond_st, river_st, road_st), st.integers(1, 2), st.booleans())


def _homes(drawn: list) -> list[ChildHome]:
    return [ChildHome(f"c{n:02d}", "500110120201", *_at(i, j), band, grade)
            for n, (i, j, band, grade) in enumerate(drawn)]


def _hazards(drawn: list) -> list[HazardShape]:
    """Each drawn shape once or twice (same geometry, another id); some with a zone."""
    out = []
    for n, ((kind, i, j, a, b), copies, zoned) in enumerate(drawn):
        if kind == "pond":
            geom = shapely.box(*_at(i, j), *_at(i + a, j + b))
        elif kind == "river":
            geom = shapely.LineString([_at(i, j), _at(i + a, j + b), _at(i + a, j - b)])
        else:
            geom = shapely.Point(_at(i, j))
        zone = mapping(geom.buffer(STEP)) if zoned else None
        out += [HazardShape(f"h{n:02d}{copy}", kind, "", mapping(geom), zone=zone)
                for copy in "ab"[:copies]]
    return out


@settings(max_examples=60, deadline=None)
@given(st.lists(home_st, min_size=1, max_size=25), st.lists(hazard_st, max_size=8))
def test_random_townships_equal_brute_force_in_bulk_and_one_event_at_a_time(drawn_homes,
                                                                            drawn_hazards):
    hs, zs = _homes(drawn_homes), _hazards(drawn_hazards)
    expected = brute_force(hs, zs, CRS48, MAX_M, BUFFER_M)
    bulk = OverlayEngine(CRS48, max_distance_m=MAX_M, default_buffer_m=BUFFER_M)
    delta = bulk.load(hs, zs)
    assert _state(bulk, hs) == expected
    assert dict(delta.children) == {h.child_id: bulk.child(h.child_id) for h in hs}
    assert dict(delta.hazards) == {e.hazard_id: e for e in bulk.exposures()}
    events = OverlayEngine(CRS48, max_distance_m=MAX_M, default_buffer_m=BUFFER_M)
    for z in reversed(zs):
        events.put_hazard(z)
    for h in hs:
        events.put_child(h)
    assert _state(events, hs) == expected


def test_the_lattice_makes_ties_and_homes_inside_ponds():
    """The generator reaches the cases the property is about."""
    hs = _homes([(1, 1, "0-2", "high"), (3, 1, "0-2", "high")])
    zs = _hazards([(("pond", 0, 0, 2, 2), 2, False)])
    nearest, _ = brute_force(hs, zs, CRS48, MAX_M, BUFFER_M)
    assert nearest["c00"]["water"] == ("h00a", 0.0)  # inside both copies: smaller id
    assert nearest["c01"]["water"][0] == "h00a"  # equally near both copies, outside
