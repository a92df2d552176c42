"""Identity rules: lockout backoff, background-check validity, account scope."""

from datetime import UTC, date, datetime, timedelta

import pytest

from services.gateway.identity.domain.identity import (
    BackgroundCheck,
    InvalidUser,
    OutOfScope,
    User,
    blocked_users,
    check_new_user,
    lock_until,
    valid_background_check,
)
from shared.auth import Principal, Role

NOW = datetime(2026, 7, 1, 10, tzinfo=UTC)
DAY = date(2026, 7, 1)


def test_lockout_starts_after_five_failures_and_doubles_up_to_an_hour():
    assert lock_until(4, NOW) is None
    waits = [(lock_until(n, NOW) - NOW).total_seconds() for n in (5, 6, 7, 20)]
    assert waits == [30, 60, 120, 3600]


def _patrol(*checks):
    return User("u", "patrol.a", Role.PATROL_MEMBER, "500110120", checks=checks)


@pytest.mark.parametrize("checks,reason,valid", [
    ((), "missing", False),
    ((BackgroundCheck(DAY - timedelta(days=366), "clear"),), "expired", False),
    ((BackgroundCheck(DAY - timedelta(days=30), "clear"),), "ok", True),
    ((BackgroundCheck(DAY - timedelta(days=30), "clear", DAY - timedelta(days=1)),),
     "expired", False),
    ((BackgroundCheck(DAY + timedelta(days=3), "clear"),), "not_yet_valid", False),
    ((BackgroundCheck(DAY - timedelta(days=30), "clear"),
      BackgroundCheck(DAY - timedelta(days=2), "match")), "match", False),
])
def test_background_check_rule(checks, reason, valid):
    status = valid_background_check(_patrol(*checks), DAY)
    assert (status.reason, bool(status)) == (reason, valid)


def test_planner_needs_no_check_and_report_lists_only_blocked_active_people():
    planner = User("p", "planner.a", Role.PLANNER)
    assert valid_background_check(planner, DAY).reason == "not_required"
    inactive = User("x", "gone.a", Role.PATROL_MEMBER, active=False)
    blocked = blocked_users([planner, inactive, _patrol()], DAY)
    assert [(u.username, s.reason) for u, s in blocked] == [("patrol.a", "missing")]


def test_new_users_stay_inside_the_admins_township_and_directors_need_villages():
    admin = Principal("a", Role.STATION_ADMIN, "500110120")
    with pytest.raises(OutOfScope):
        check_new_user(admin, User("u", "other.a", Role.PLANNER, "500110109"))
    with pytest.raises(InvalidUser, match="village"):
        check_new_user(admin, User("u", "dir.a", Role.CHILD_DIRECTOR, "500110120"))
    with pytest.raises(InvalidUser, match="village"):
        check_new_user(admin, User("u", "dir.a", Role.CHILD_DIRECTOR, "500110120",
                                   frozenset({"500110109201"})))
    check_new_user(admin, User("u", "dir.a", Role.CHILD_DIRECTOR, "500110120",
                               frozenset({"500110120201"})))
