"""The region from the place: a township's boundary with a margin, refusals naming the
setting (issue 15 pt 4)."""

from __future__ import annotations

import geopandas as gpd
import pytest
from shapely.geometry import Polygon

from shared.config import ConfigError, Region
from shared.geo import CoordinateError, check_in_region, region_from_boundary

M = 1 / 111_000  # about a metre of latitude, in degrees
# An invented triangular township, 10 km on its sides, east of 106.6°E.
TRIANGLE = Polygon([(106.6, 28.9), (106.7, 28.9), (106.6, 28.99)])


@pytest.fixture
def boundary(tmp_path):
    path = tmp_path / "township.geojson"
    gpd.GeoDataFrame(geometry=[TRIANGLE], crs="EPSG:4326").to_file(path, driver="GeoJSON")
    return path


def test_inside_and_within_the_margin_pass_beyond_it_refused_naming_the_setting(boundary):
    region = region_from_boundary(boundary, 1000.0)
    check_in_region(106.62, 28.91, region)  # inside
    check_in_region(106.65, 28.9 - 500 * M, region)  # 500 m south of the southern edge
    with pytest.raises(CoordinateError, match="SHOUHU_REGION_BOUNDARY=.*MARGIN_M=1000"):
        check_in_region(106.69, 28.98, region)  # in the box, far outside the triangle
    with pytest.raises(CoordinateError, match="swapped"):
        check_in_region(28.91, 106.62, region)


def test_from_env_prefers_the_boundary_and_the_box_names_its_own_setting(boundary,
                                                                        monkeypatch):
    monkeypatch.setenv("SHOUHU_REGION_BOUNDARY", str(boundary))
    monkeypatch.setenv("SHOUHU_REGION_MARGIN_M", "200")
    region = Region.from_env()
    assert region.boundary is not None and region.min_lon < 106.6
    assert not region.contains(106.69, 28.98)
    monkeypatch.delenv("SHOUHU_REGION_BOUNDARY")
    with pytest.raises(CoordinateError, match="SHOUHU_REGION_BBOX"):
        check_in_region(110.0, 35.0, Region.from_env())


def test_an_unreadable_boundary_names_the_setting(tmp_path, monkeypatch):
    monkeypatch.setenv("SHOUHU_REGION_BOUNDARY", str(tmp_path / "missing.geojson"))
    with pytest.raises(ConfigError, match="SHOUHU_REGION_BOUNDARY"):
        Region.from_env()
