"""Duplicates only when the geometry matches end to end (issue 15 pt 5)."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
from shapely.geometry import LineString, Point, Polygon

from services.hazards.domain.duplicates import find_duplicates
from shared.geo import WGS84

M = 1 / 111_000  # about one metre of latitude, in degrees


def _dups(*geoms, kinds=None) -> dict[int, int]:
    kinds = np.array(kinds or ["road_no_barrier"] * len(geoms))
    return find_duplicates(gpd.GeoSeries(list(geoms), crs=WGS84), kinds)


def test_short_link_along_a_longer_road_is_kept():
    """A real county case: an 8 m link lying on a 500 m road, sharing no end point."""
    road = LineString([(106.5, 29.0), (106.5, 29.0 + 500 * M)])
    link = LineString([(106.5, 29.0 + 200 * M), (106.5, 29.0 + 208 * M)])
    assert _dups(road, link) == {}


def test_same_line_digitised_twice_is_dropped():
    road = LineString([(106.5, 29.0), (106.5, 29.0 + 500 * M)])
    again = LineString([(106.5 + 2 * M, 29.0), (106.5 + 2 * M, 29.0 + 501 * M)])
    assert _dups(road, again) == {1: 0}


def test_line_shorter_by_more_than_the_tolerance_is_kept():
    road = LineString([(106.5, 29.0), (106.5, 29.0 + 500 * M)])
    shorter = LineString([(106.5, 29.0), (106.5, 29.0 + 480 * M)])
    assert _dups(road, shorter) == {}


def test_pond_inside_a_reservoir_is_kept_and_a_copy_dropped():
    big = Point(106.5, 29.0).buffer(200 * M)
    small = Point(106.5, 29.0).buffer(20 * M)
    copy = Polygon([(x + M, y) for x, y in big.exterior.coords])
    assert _dups(big, small, copy, kinds=["pond"] * 3) == {2: 0}


def test_points_within_tolerance_match_and_other_kinds_do_not():
    a, b = Point(106.5, 29.0), Point(106.5, 29.0 + 3 * M)
    assert _dups(a, b, kinds=["road_crossing"] * 2) == {1: 0}
    assert _dups(a, b, kinds=["road_crossing", "swimming_spot"]) == {}
