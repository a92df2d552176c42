"""The risk model and the water distances it uses."""

from datetime import date

import numpy as np
import pytest

from services.registry.domain.model import Child, Guardian, Parents
from services.registry.domain.risk import RiskModel, assess
from services.registry.domain.visits import earlier_due
from services.registry.domain.water import WaterIndex
from services.registry.service_layer.assessment import assess_many
from services.registry.service_layer.context import Policy
from shared.config import Region

WINTER, SUMMER = date(2026, 11, 25), date(2026, 7, 15)
MODEL = RiskModel()
CENTRE = (106.65, 28.95)


def child(**over) -> Child:
    base = dict(name="测试", gender="male", birth_date=date(2014, 3, 1),
                village_code="500110120201", home_lon=106.65, home_lat=28.95,
                guardians=[Guardian("某", "祖父", 60)])
    base.update(over)
    return Child(**base)


def test_an_older_child_with_a_carer_far_from_water_is_low():
    a = assess(child(), None, WINTER, MODEL)
    assert (a.grade, a.reasons, a.visit_interval_days) == ("low", (), 90)


def test_living_alone_is_always_high():
    a = assess(child(guardians=[Guardian("某", "祖父", present=False)]), None, WINTER, MODEL)
    assert a.grade == "high" and "living_alone" in a.reasons and a.visit_interval_days == 7


def test_a_left_behind_toddler_with_an_elderly_carer_near_a_pond_in_summer_is_high():
    kid = child(birth_date=date(2023, 1, 1), categories=["left_behind"],
                parents=Parents("away", "away", weekly_contact=False),
                guardians=[Guardian("某", "祖母", 71)])
    a = assess(kid, 40.0, SUMMER, MODEL)
    assert a.grade == "high"
    assert set(a.reasons) == {"age_0_5", "parents_away", "caregiver_elderly",
                              "weekly_contact_missed", "water_within_near_m", "drowning_season"}
    assert a.score == 2 + 2 + 1 + 1 + 3 + 1


@pytest.mark.parametrize(("distance", "in_zone", "reason"), [
    (50.0, False, "water_within_near_m"), (50.0, True, "water_within_near_m"),
    (300.0, True, "in_hazard_zone"), (300.0, False, "water_within_far_m"),
    (900.0, False, None), (float("nan"), False, None), (None, False, None)])
def test_one_water_factor_at_most(distance, in_zone, reason):
    reasons = assess(child(), distance, WINTER, MODEL, in_zone).reasons
    water = [r for r in reasons if "water" in r or "zone" in r]
    assert water == ([reason] if reason else [])


def test_weights_thresholds_and_intervals_are_configuration():
    model = RiskModel(weights={"water_within_far_m": 10}, visit_days={"high": 3, "medium": 14,
                                                                      "low": 60})
    a = assess(child(), 300.0, WINTER, model)
    assert (a.grade, a.score, a.visit_interval_days) == ("high", 10, 3)


def test_a_rising_grade_brings_the_visit_forward_and_a_falling_one_never_postpones_it():
    assert earlier_due(date(2027, 1, 1), date(2026, 11, 25), 7) == date(2026, 12, 2)
    assert earlier_due(date(2026, 12, 2), date(2026, 11, 25), 90) == date(2026, 12, 2)
    assert earlier_due(None, date(2026, 11, 25), 30) == date(2026, 12, 25)


def _square(lon, lat, d):
    return {"type": "Polygon", "coordinates": [[[lon, lat], [lon + d, lat], [lon + d, lat + d],
                                                [lon, lat + d], [lon, lat]]]}


def test_distances_are_metres_in_utm():
    pond = _square(106.650, 28.950, 0.001)
    river = {"type": "LineString", "coordinates": [[106.70, 28.90], [106.70, 29.00]]}
    index = WaterIndex([pond, river], [], CENTRE)
    d = index.distances_m([106.6505, 106.650, 106.6995], [28.9505, 28.949, 28.95])
    assert d[0] == 0.0
    assert 105 < d[1] < 116  # 0.001 degree of latitude is about 111 m
    assert 45 < d[2] < 52  # 0.0005 degree of longitude at 29°N is about 49 m
    assert index.crs.to_epsg() == 32648


def test_no_hazard_gives_nan_and_zones_are_point_in_polygon():
    empty = WaterIndex([], [], CENTRE)
    assert np.isnan(empty.distances_m([106.65], [28.95])).all()
    zoned = WaterIndex([], [_square(106.65, 28.95, 0.01)], CENTRE)
    assert zoned.in_zone([106.655, 106.7], [28.955, 28.95]).tolist() == [True, False]


def test_a_child_without_home_is_graded_with_the_distance_to_water_unknown():
    pond, zone = _square(106.650, 28.950, 0.001), _square(106.650, 28.950, 0.01)
    near = child(birth_date=date(2023, 3, 1))
    unplaced = child(birth_date=date(2023, 3, 1), home_lon=None, home_lat=None)
    assess_many([near, unplaced, child()], WaterIndex([pond], [zone], CENTRE),
                Policy(Region(105.5, 28.5, 107.5, 30.5)), SUMMER)
    assert near.water_distance_m == 0.0 and unplaced.water_distance_m is None
    assert len(near.risk_reasons) == len(unplaced.risk_reasons) + 1  # only the water factor
    assert set(unplaced.risk_reasons) < set(near.risk_reasons)
    assert unplaced.next_visit_due is not None
