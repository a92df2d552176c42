"""The patrol planner: shift lengths, top exposure first, checked members, balance."""

from __future__ import annotations

import random
from datetime import date, datetime, time

import pytest

from services.gateway.domain.exceptions import InvalidPlan
from services.gateway.planning.domain.planner import (
    Candidate,
    Member,
    PlanRequest,
    Team,
    Window,
    plan_patrols,
    shift_slots,
)
from shared.geo import utm_crs

CRS = utm_crs(106.65, 28.95)
START = (106.65, 28.95)
CLEAR = date(2026, 3, 1)


def _points(n: int, seed: int = 3, spread: float = 0.01) -> list[Candidate]:
    rng = random.Random(seed)
    return [Candidate(f"p{i:03d}", f"h{i:03d}", 106.65 + rng.uniform(-spread, spread),
                      28.95 + rng.uniform(-spread, spread), rng.randint(0, 400))
            for i in range(n)]


def _team(tid: str, *members: Member) -> Team:
    return Team(tid, members or (Member(f"{tid}-m1", CLEAR, "clear"),), START)


def _request(**kw) -> PlanRequest:
    base = dict(starts_on=date(2026, 7, 10), ends_on=date(2026, 7, 16),
                teams=(_team("A"), _team("B")), shift_hours=2.0)
    return PlanRequest(**{**base, **kw})


def test_every_shift_fits_its_length_and_starts_in_the_afternoon():
    plan = plan_patrols(_request(), _points(60), CRS)
    for team in plan.teams:
        assert len(team.shifts) == 7
        for s in team.shifts:
            assert s.duration_min <= 120 + 1e-6
            length = (datetime.combine(s.day, s.end) - datetime.combine(s.day, s.start))
            assert length.seconds <= 2 * 3600
            assert s.start >= time(13, 0)
            assert s.stops, "a shift with room visits something"


def test_the_highest_exposure_points_are_covered_in_the_first_shift():
    pts = _points(80)
    plan = plan_patrols(_request(), pts, CRS)
    first = {s.point_id for t in plan.teams for s in t.shifts[0].stops}
    top = sorted(pts, key=lambda c: -c.exposure_tenths)[:4]
    assert {c.point_id for c in top} <= first
    visited_later = {s.point_id for t in plan.teams for sh in t.shifts[1:] for s in sh.stops}
    assert visited_later - first, "later shifts rotate to points not yet visited"


def test_no_team_gets_a_member_without_a_valid_check():
    expired = Member("old", date(2024, 1, 1), "clear")
    matched = Member("hit", CLEAR, "match")
    pending = Member("new", None, "pending")
    ok = Member("ok", CLEAR, "clear")
    plan = plan_patrols(_request(teams=(_team("A", ok, expired, matched),
                                        _team("B", pending))), _points(20), CRS)
    assert [t.team_id for t in plan.teams] == ["A"]
    assert plan.teams[0].members == ("ok",)
    assert {m for _, m, _ in plan.excluded} == {"old", "hit", "new"}


def test_a_plan_without_any_checked_member_is_refused():
    with pytest.raises(InvalidPlan, match="background check"):
        plan_patrols(_request(teams=(_team("A", Member("x", None, "pending")),)), _points(5),
                     CRS)


def test_points_are_shared_evenly_between_teams():
    plan = plan_patrols(_request(teams=(_team("A"), _team("B"), _team("C"))), _points(31), CRS)
    owned = [set(t.points) for t in plan.teams]
    assert not (owned[0] & owned[1]) and not (owned[1] & owned[2])
    assert set().union(*owned) == {f"p{i:03d}" for i in range(31)}
    sizes = [len(s) for s in owned]
    assert max(sizes) - min(sizes) <= 1


def test_weekdays_after_school_weekends_and_holidays_all_afternoon():
    req = _request(starts_on=date(2026, 6, 29), ends_on=date(2026, 7, 5),
                   holidays=((date(2026, 7, 2), date(2026, 8, 31)),),
                   weekday_window=Window(time(16, 0), time(19, 0)), shift_hours=4)
    starts = [s[1] for s in shift_slots(req)]
    assert starts[:3] == [time(16, 0)] * 3  # Mon–Wed, school days
    assert starts[3:] == [time(13, 0)] * 4  # holiday from Thursday, then the weekend
