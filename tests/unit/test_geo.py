import pytest

from shared.config import Region
from shared.geo import CoordinateError, check_in_region, gcj02_to_wgs84, utm_crs, wgs84_to_gcj02

REGION = Region(105.5, 28.5, 107.5, 30.5)


def test_gcj02_round_trip_is_within_a_centimetre():
    lon, lat = 106.55, 29.56
    glon, glat = wgs84_to_gcj02(lon, lat)
    assert abs(glon - lon) > 1e-4  # GCJ-02 really is offset by hundreds of metres
    back = gcj02_to_wgs84(glon, glat)
    assert back == pytest.approx((lon, lat), abs=1e-7)


def test_swapped_coordinates_are_named_as_such():
    with pytest.raises(CoordinateError, match="swapped"):
        check_in_region(29.56, 106.55, REGION)


def test_outside_region_is_refused():
    with pytest.raises(CoordinateError, match="outside"):
        check_in_region(116.4, 39.9, REGION)


def test_utm_zone_for_chongqing_is_48n():
    assert utm_crs(106.55, 29.56).to_epsg() == 32648
