"""Hazards domain rules without I/O: kinds, zones, schedules, check-ins, signatures."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import geopandas as gpd
import numpy as np
import pytest
from shapely.geometry import LineString, Point, Polygon

from services.hazards.domain.checkins import CheckIn, Finding
from services.hazards.domain.devices import check_fresh, sign, silent_since, verify
from services.hazards.domain.exceptions import DeviceRefused, InvalidCheckIn, InvalidHazard
from services.hazards.domain.kinds import normalise_kind, osm_kind, parse_other_tags
from services.hazards.domain.model import Hazard
from services.hazards.domain.patrol import Schedule, plan_points
from services.hazards.domain.zones import BufferConfig, compute_zones
from shared.config import Region

REGION = Region(105.5, 28.5, 107.5, 30.5)


@pytest.mark.parametrize("tags,kind", [
    ({"natural": "water", "water": "pond"}, "pond"), ({"natural": "water"}, "pond"),
    ({"landuse": "reservoir"}, "reservoir"), ({"waterway": "drain"}, "ditch"),
    ({"waterway": "canal"}, "canal"), ({"highway": "crossing"}, "road_crossing"),
    ({"highway": "residential"}, None), ({"highway": "footway"}, None),
    ({"building": "yes"}, None), ({"leisure": "swimming_area"}, "swimming_spot"),
])
def test_osm_tags_map_to_kinds(tags, kind):
    assert osm_kind(tags) == kind


def test_kind_names_and_other_tags():
    assert normalise_kind("塘") == "pond" and normalise_kind("River") == "river"
    assert normalise_kind("lake district") is None
    assert parse_other_tags('"water"=>"pond","name:en"=>"Duck"') == {"water": "pond",
                                                                      "name:en": "Duck"}


def test_zones_are_metric_per_kind():
    config = BufferConfig.parse("water=120,river=250,road=40")
    geoms = gpd.GeoSeries([Point(106.65, 28.95), LineString([(106.6, 28.9), (106.61, 28.9)]),
                           Point(106.7, 28.9)], crs="EPSG:4326")
    zones, widths = compute_zones(geoms, np.array(["pond", "river", "road_crossing"]), config)
    assert widths.tolist() == [120.0, 250.0, 40.0]
    metric = zones.to_crs(32648)
    assert 0.97 < metric.iloc[0].area / (np.pi * 120**2) <= 1.0  # 16-gon inside the circle
    assert all(z.exterior.is_ccw for z in zones)
    with pytest.raises(ValueError, match="unknown hazard kind"):
        BufferConfig.parse("lake=10")


def test_hazard_check_and_versioned_apply():
    hz = Hazard(kind="pond", name="", geometry=Point(106.65, 28.95).buffer(0.001))
    hz.check(REGION)
    with pytest.raises(InvalidHazard, match="swapped"):
        Hazard(kind="pond", name="", geometry=Point(28.95, 106.65)).check(REGION)
    with pytest.raises(InvalidHazard, match="village"):
        Hazard(kind="pond", name="", geometry=Point(106.65, 28.95), village_code="12").check(
            REGION)
    assert hz.apply({"barrier": "present", "name": ""}) == {"barrier": ["missing", "present"]}
    assert hz.version == 2 and hz.missing() == ["warning_sign", "rescue_equipment"]
    assert hz.apply({"barrier": "present"}) == {} and hz.version == 2


def test_schedule_default_summer_daily_afternoons():
    s = Schedule()
    assert str(Schedule.parse(str(s))) == str(s)
    july, may = datetime(2026, 7, 10, 15, tzinfo=UTC), datetime(2026, 5, 10, 15, tzinfo=UTC)
    assert s.interval(july) == timedelta(days=1) and s.interval(may) == timedelta(days=7)
    assert s.is_due(july - timedelta(days=2), july) and not s.is_due(may - timedelta(days=2), may)
    with pytest.raises(InvalidHazard):
        Schedule.parse("summer=hourly")


def test_plan_points_home_cluster_crossing_and_spot():
    pond = Polygon([(106.65, 28.95), (106.651, 28.95), (106.651, 28.951), (106.65, 28.951)])
    water = gpd.GeoDataFrame({"id": ["p", "s"], "kind": ["pond", "swimming_spot"]},
                             geometry=[pond, Point(106.7, 28.9)], crs="EPSG:4326")
    roads = gpd.GeoDataFrame({"id": ["r"]}, geometry=[LineString([(106.6495, 28.9505),
                                                                  (106.6515, 28.9505)])],
                             crs="EPSG:4326")
    homes = gpd.GeoSeries([Point(106.653, 28.9505), Point(106.6532, 28.9505),
                           Point(107.4, 30.4)], crs="EPSG:4326")  # the last: far from water
    points = plan_points(homes, water, roads)
    reasons = sorted(p.reason for p in points)
    assert reasons == ["crossing", "crossing", "home_cluster", "swimming_spot"]
    home = next(p for p in points if p.reason == "home_cluster")
    assert home.hazard_id == "p" and home.lon == pytest.approx(106.651, abs=1e-6)
    assert plan_points(homes, water, roads) == points  # stable keys


def test_checkin_position_track_and_severity():
    ci = CheckIn("c-1", "pt", "m", datetime.now(UTC), 106.6510, 28.95, accuracy_m=10,
                 track=[(106.65, 28.95), (106.651, 28.95)])
    assert ci.check_position(106.65, 28.95, 150) == pytest.approx(97.4, abs=0.5)
    assert ci.track_m() == pytest.approx(97.4, abs=0.5)
    with pytest.raises(InvalidCheckIn, match="off_point_reason"):
        ci.check_position(106.66, 28.95, 150)
    ci.off_point_reason = "flooded"
    assert ci.check_position(106.66, 28.95, 150) > 800
    assert Finding("children_at_water", "reminded").severity == "urgent"
    assert Finding("children_at_water", "moved_away").severity == "normal"
    assert Finding("barrier_damaged").severity == "normal"


def test_device_signature_and_silence():
    body = b'{"alarm_id": "1"}'
    verify("s3cret", body, sign("s3cret", body))
    for secret, sig in ((None, sign("s", body)), ("s3cret", None), ("s3cret", "sha256=00")):
        with pytest.raises(DeviceRefused):
            verify(secret, body, sig)
    now = datetime.now(UTC)
    with pytest.raises(DeviceRefused, match="server clock"):
        check_fresh(now - timedelta(hours=1), now, timedelta(minutes=10))
    assert silent_since(now, 60, 2.0) == now + timedelta(seconds=120)
