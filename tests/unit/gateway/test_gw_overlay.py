"""The overlay engine equals a brute-force reference, in bulk and one event at a time."""

from __future__ import annotations

import random

import pytest
import shapely
from gw_overlay_data import LAT0, LON0, brute_force, hazards, homes
from pyproj import CRS, Geod
from shapely.geometry import mapping

from services.gateway.read_model.domain.overlay import Nearest, OverlayEngine
from services.gateway.read_model.domain.read_model import ChildHome, HazardShape
from shared.geo import to_wgs84, utm_crs, wgs84_to_gcj02

CRS48 = utm_crs(LON0, LAT0)


def _state(engine: OverlayEngine, hs: list[ChildHome]) -> tuple[dict, dict]:
    nearest = {}
    for h in hs:
        ov = engine.child(h.child_id)
        nearest[h.child_id] = {
            "water": (ov.water.hazard_id, ov.water.distance_m) if ov.water else None,
            "road": (ov.road.hazard_id, ov.road.distance_m) if ov.road else None}
    exposure = {e.hazard_id: (e.children, e.weight_tenths) for e in engine.exposures()}
    return nearest, exposure


def test_bulk_load_equals_brute_force():
    rng = random.Random(1)
    hs, zs = homes(400, rng), hazards(60, rng)
    engine = OverlayEngine(CRS48, max_distance_m=500, default_buffer_m=80)
    engine.load(hs, zs)
    expected = brute_force(hs, zs, CRS48, 500, 80)
    assert _state(engine, hs) == expected
    assert any(v["water"] for v in expected[0].values())
    assert any(v[0] for v in expected[1].values())


def test_events_one_at_a_time_equal_brute_force_and_report_what_they_touched():
    rng = random.Random(2)
    hs, zs = homes(250, rng), hazards(40, rng)
    engine = OverlayEngine(CRS48, max_distance_m=400, default_buffer_m=80)
    ops = [("child", h) for h in hs] + [("hazard", z) for z in zs]
    rng.shuffle(ops)
    mirror_children: dict = {}
    mirror_hazards: dict = {}
    for kind, item in ops:
        delta = engine.put_child(item) if kind == "child" else engine.put_hazard(item)
        for cid, ov in delta.children.items():
            mirror_children[cid] = ov
        for hid, ex in delta.hazards.items():
            mirror_hazards[hid] = ex
    moved = [ChildHome(h.child_id, h.village_code, h.lon + 0.003, h.lat, h.age_band, "high")
             for h in hs[:30]]
    for h in moved:
        delta = engine.put_child(h)
        mirror_children.update(delta.children)
        mirror_hazards.update(delta.hazards)
    final_homes = moved + hs[30:-20]
    for h in hs[-20:]:
        delta = engine.remove_child(h.child_id)
        mirror_children.update(delta.children)
        mirror_hazards.update(delta.hazards)
    for z in zs[:5]:
        delta = engine.remove_hazard(z.hazard_id)
        mirror_children.update(delta.children)
        mirror_hazards.update(delta.hazards)
    expected = brute_force(final_homes, zs[5:], CRS48, 400, 80)
    assert _state(engine, final_homes) == expected
    # the deltas alone rebuild the same persisted result
    assert {k: v for k, v in mirror_children.items() if v is not None} == {
        h.child_id: engine.child(h.child_id) for h in final_homes}
    assert {k: (v.children, v.weight_tenths) for k, v in mirror_hazards.items()
            if v is not None} == expected[1]


def _pond(hid: str, ring: list[tuple[float, float]], zone=None) -> HazardShape:
    return HazardShape(hid, "pond", hid, mapping(shapely.Polygon(ring)),
                       zone=mapping(shapely.Polygon(zone)) if zone else None)


def test_home_inside_a_pond_zone_is_at_distance_zero_and_exposed():
    square = [(LON0, LAT0), (LON0 + 0.002, LAT0), (LON0 + 0.002, LAT0 + 0.002),
              (LON0, LAT0 + 0.002)]
    engine = OverlayEngine(CRS48)
    engine.load([ChildHome("in", "500110120201", LON0 + 0.001, LAT0 + 0.001, "3-5", "high")],
                [_pond("p1", square)])
    assert engine.child("in").water.distance_m == 0.0
    assert engine.exposure("p1").weight_tenths == 3 * 15


def test_home_exactly_on_the_zone_edge_counts_and_one_millimetre_beyond_does_not():
    pond = [(LON0, LAT0), (LON0 + 0.001, LAT0), (LON0 + 0.001, LAT0 + 0.001)]
    zone = [(LON0 - 0.001, LAT0 - 0.001), (LON0 + 0.002, LAT0 - 0.001),
            (LON0 + 0.002, LAT0 + 0.002), (LON0 - 0.001, LAT0 + 0.002)]
    on_edge = ChildHome("edge", "500110120201", LON0 + 0.002, LAT0 + 0.002, "6-11", "low")
    outside = ChildHome("out", "500110120201", LON0 + 0.00201, LAT0 + 0.002, "6-11", "low")
    engine = OverlayEngine(CRS48)
    engine.load([on_edge, outside], [_pond("p1", pond, zone)])
    assert engine.exposure("p1").children == 1
    assert engine.exposure("p1").weight_tenths == 12


def test_distance_near_a_utm_zone_boundary_matches_the_geodesic():
    # 108°E separates UTM zones 48N and 49N; the township's zone is used for both sides.
    crs = utm_crs(107.99, 29.0)
    road = HazardShape("r1", "road_crossing", "r1", {"type": "Point",
                                                     "coordinates": [108.002, 29.0]})
    home = ChildHome("c1", "500110120201", 107.998, 29.0, "6-11", "high")
    engine = OverlayEngine(crs)
    engine.load([home], [road])
    _, _, geodesic = Geod(ellps="WGS84").inv(107.998, 29.0, 108.002, 29.0)
    assert engine.child("c1").road.distance_m == pytest.approx(geodesic, rel=1e-3)


def test_gcj02_input_converted_at_the_edge_lands_in_the_same_place():
    square = [(LON0, LAT0), (LON0 + 0.001, LAT0), (LON0 + 0.001, LAT0 + 0.001),
              (LON0, LAT0 + 0.001)]
    wgs = (LON0 + 0.0005, LAT0 + 0.0005)
    gcj = wgs84_to_gcj02(*wgs)
    engine = OverlayEngine(CRS48)
    raw = ChildHome("raw", "500110120201", *gcj, "3-5", "high")
    converted = ChildHome("conv", "500110120201", *to_wgs84(*gcj, "gcj02"), "3-5", "high")
    engine.load([raw, converted], [_pond("p1", square)])
    assert engine.child("conv").water.distance_m == 0.0
    assert engine.child("raw").water.distance_m > 200  # the GCJ-02 offset is hundreds of m


def test_a_degree_crs_is_refused():
    with pytest.raises(ValueError, match="metric"):
        OverlayEngine(CRS.from_epsg(4326))


def test_a_home_inside_two_overlapping_ponds_gets_the_smaller_id_in_bulk_and_per_event():
    big = [(LON0, LAT0), (LON0 + 0.004, LAT0), (LON0 + 0.004, LAT0 + 0.004),
           (LON0, LAT0 + 0.004)]
    small = [(LON0 + 0.001, LAT0 + 0.001), (LON0 + 0.002, LAT0 + 0.001),
             (LON0 + 0.002, LAT0 + 0.002), (LON0 + 0.001, LAT0 + 0.002)]
    home = ChildHome("c", "500110120201", LON0 + 0.0015, LAT0 + 0.0015, "3-5", "high")
    for ids in (("a-big", "b-small"), ("b-big", "a-small")):
        engine = OverlayEngine(CRS48)
        engine.load([home], [_pond(ids[0], big), _pond(ids[1], small)])
        assert engine.child("c").water == Nearest(min(ids), 0.0)
        engine.put_child(home)
        assert engine.child("c").water == Nearest(min(ids), 0.0)


def test_hazards_replaced_after_a_bulk_load_equal_brute_force_across_index_rebuilds(
        monkeypatch):
    """A county import changes thousands of hazards after the load: the index takes each
    in without a rebuild (a recent layer; the old shape retired) and rebuilds now and
    then. Whatever the layers, the answers equal one index over everything."""
    import services.gateway.read_model.domain.overlay_index as layers
    monkeypatch.setattr(layers, "MIN_RECENT", 6)
    rng = random.Random(5)
    hs, zs = homes(300, rng), hazards(60, rng)
    engine = OverlayEngine(CRS48, max_distance_m=400, default_buffer_m=80)
    engine.load(hs, zs)
    fresh = {z.hazard_id: z for z in zs}
    builds = []
    for i, z in enumerate(hazards(60, random.Random(6))[:45]):  # same ids, new places
        if i % 9 == 8:
            engine.remove_hazard(z.hazard_id)
            fresh.pop(z.hazard_id)
        else:
            engine.put_hazard(z)
            fresh[z.hazard_id] = z
        builds.append(id(engine._index.base))  # type: ignore[union-attr]
    assert 2 <= len(set(builds)) < 45  # rebuilt now and then, not per event
    assert _state(engine, hs) == brute_force(hs, list(fresh.values()), CRS48, 400, 80)
