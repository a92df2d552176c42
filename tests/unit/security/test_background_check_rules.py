"""Background-check rules (docs/domain.md rule 12): 30 working days, the token's claim, the
station's notice."""

from datetime import UTC, date, datetime, timedelta

from services.gateway.identity.domain.identity import (
    BackgroundCheck,
    User,
    check_standing,
    contact_check,
    working_days_after,
)
from services.notifier.adapters.rules_file import parse_text
from services.notifier.adapters.templates import Templates
from services.notifier.config import HERE
from services.notifier.service_layer.handlers import ROUTED
from shared.auth.checks import check_valid_on
from shared.auth.principal import Role

FRIDAY = date(2026, 12, 4)


def test_thirty_working_days_skip_weekends():
    assert working_days_after(FRIDAY, 1) == date(2026, 12, 7)  # Monday
    assert working_days_after(FRIDAY, 30) == date(2027, 1, 15)  # six weeks of weekdays


def test_a_match_is_never_valid_and_ends_the_engagement_within_thirty_working_days():
    clear = BackgroundCheck(date(2026, 3, 1), "clear")
    user = User("u1", "patrol.a", Role.PATROL_MEMBER, "500110120", checks=(clear,))
    assert check_standing(user, FRIDAY) == {"result": "clear",
                                            "valid_until": date(2027, 3, 1), "end_by": None}
    matched = User("u1", "patrol.a", Role.PATROL_MEMBER, "500110120",
                   checks=(clear, BackgroundCheck(FRIDAY, "match")))
    assert not contact_check(matched, FRIDAY)
    assert check_standing(matched, FRIDAY) == {"result": "match", "valid_until": None,
                                               "end_by": date(2027, 1, 15)}
    planner = User("p1", "plan.a", Role.PLANNER, "500110120")  # no check: not for patrols
    assert contact_check(planner, FRIDAY).reason == "missing"


def test_the_token_claim_covers_days_up_to_the_checks_end_only():
    today = date.today()
    assert check_valid_on({"chk": today.isoformat()}, today)
    assert not check_valid_on({"chk": (today - timedelta(days=1)).isoformat()}, today)
    assert not check_valid_on({"chk": ""}, today)
    assert not check_valid_on({}, today) and not check_valid_on(None, today)
    assert not check_valid_on({"chk": "not a date"}, today)


def test_the_station_is_told_of_a_match_with_the_end_date_and_no_name():
    rules = parse_text((HERE / "rules" / "default.yaml").read_text(), "default.yaml",
                       set(ROUTED))
    data = {"user_id": "u-17", "township_code": "500110120", "village_code": "",
            "result": "match", "checked_on": "2026-12-04", "valid_until": None,
            "end_by": "2027-01-15"}
    noon = datetime(2026, 12, 4, 4, tzinfo=UTC)
    matched = rules.match("gateway.staff_check.recorded.v1", data, noon)
    assert [r.name for r in matched] == ["background-check-match"]
    assert not rules.match("gateway.staff_check.recorded.v1", {**data, "result": "clear"}, noon)
    message = Templates.load("https://gw.example", "https://ntf.example").render(
        delivery_id="d1", event_id="e1", event_type="gateway.staff_check.recorded.v1",
        data=data, urgent=False, lang="zh", level=0, ack_token="tok")
    assert "2027-01-15" in message.subject and "30 个工作日" in message.body
    assert "https://gw.example/checks" in message.body


def test_a_township_wide_persons_notice_reaches_the_townships_station():
    from services.notifier.domain.directory import scope_for
    from services.notifier.service_layer.handlers import village_of

    village = village_of(None, {"user_id": "u-17", "township_code": "500110120"})  # type: ignore[arg-type]
    assert scope_for(village, "township") == "500110120"
