"""The notifier's service layer on a fake unit of work: routing, fallbacks, tracking,
previews, acknowledgements, escalation, digests and the dispatcher's decisions.

The default rules (services/notifier/rules/default.yaml) drive every test, so these
also pin what the embedded deployment does. No database, broker or network: the
integration tests (tests/integration/notifier) run the same paths on SQL and Kafka.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from services.notifier.adapters.channels import Channel
from services.notifier.adapters.rules_file import parse_text
from services.notifier.adapters.templates import Templates
from services.notifier.config import HERE
from services.notifier.domain import ack
from services.notifier.domain.delivery import State
from services.notifier.domain.directory import Person
from services.notifier.domain.exceptions import AckRefused, ChannelError, InvalidPerson, NotFound
from services.notifier.domain.message import Message
from services.notifier.service_layer import handlers, queries, timers
from services.notifier.service_layer.dispatch import DispatchConfig, Dispatcher
from shared.events.envelope import CloudEvent
from tests.unit.notifier.fakes import FakeUnitOfWork

VILLAGE, TOWNSHIP, DISTRICT = "500110120201", "500110120", "500110"
NOW = datetime(2026, 7, 1, 3, 0, tzinfo=UTC)  # 11:00 in Qijiang: outside quiet hours
RULES = parse_text((HERE / "rules" / "default.yaml").read_text(), "default.yaml",
                   set(handlers.ROUTED))
POLICE = Person("police", "police_station", TOWNSHIP,
                {"email": "jc@example.org", "webhook": "https://jc.example.org/hook"})
DIRECTOR = Person("director", "child_director", VILLAGE, {"email": "zr@example.org"},
                  user_id="u-director")
SUPERVISOR = Person("supervisor", "child_supervisor", TOWNSHIP, {"email": "dd@example.org"})
STATION = Person("station", "station", TOWNSHIP, {"dingtalk": "https://ding.example.org"})
DISTRICT_OFFICE = Person("district", "district_office", DISTRICT, {"email": "qu@example.org"})
PATROL = Person("patrol", "patrol_lead", VILLAGE, {"sms": "13800000000",
                                                   "email": "xl@example.org"})
EVERYONE = (POLICE, DIRECTOR, SUPERVISOR, STATION, DISTRICT_OFFICE, PATROL)


def event(type_: str, **data: Any) -> CloudEvent:
    return CloudEvent(type_, "/shouhu/registry", "s1", data)


def case_opened(situation: str = "living_alone", village: str = VILLAGE) -> CloudEvent:
    return event("registry.case.opened.v1", case_id="k1", child_id="c1",
                 village_code=village, situation=situation,
                 severity="normal" if situation == "none" else "urgent", step="report",
                 mandatory_report=situation != "none")


def addressed(uow: FakeUnitOfWork) -> set[tuple[str, str]]:
    return {(r.recipient_id, r.channel) for r in uow.fake_deliveries.rows.values()}


def handled(e: CloudEvent, people: tuple[Person, ...] = EVERYONE, now: datetime = NOW,
            **kw: Any) -> FakeUnitOfWork:
    uow = FakeUnitOfWork(people, **kw)
    with uow:
        handlers.handle_event(uow, RULES, e, now)
    return uow


# -- routing ---------------------------------------------------------------------------
def test_a_living_alone_case_tells_the_police_and_the_director_at_once():
    uow = handled(case_opened())
    assert addressed(uow) == {("police", "email"), ("police", "webhook"), ("police", "inbox"),
                              ("director", "email"), ("director", "inbox")}
    (alert,) = uow.fake_deliveries.alerts.values()
    assert (alert.rule, alert.urgent, alert.village_code) == ("mandatory-report", True, VILLAGE)
    assert alert.deadline == NOW + timedelta(minutes=15)
    assert all(r.next_attempt_at == NOW for r in uow.fake_deliveries.rows.values())
    assert uow.commits == 1


def test_a_redelivered_event_stores_nothing_twice():
    opened = case_opened()
    uow = handled(opened)
    before = dict(uow.fake_deliveries.rows)
    with uow:
        handlers.handle_event(uow, RULES, opened, NOW)
        assert handlers.route_event(uow, RULES, opened, NOW) == []
    assert uow.fake_deliveries.rows == before and len(uow.fake_deliveries.alerts) == 1
    assert uow.commits == 2


def test_a_case_of_normal_severity_without_a_situation_has_no_timer():
    uow = handled(case_opened("none"))
    (alert,) = uow.fake_deliveries.alerts.values()
    assert (alert.rule, alert.urgent, alert.deadline) == ("case-opened", False, None)
    assert addressed(uow) == {("director", "inbox"), ("director", "email"),
                              ("supervisor", "inbox"), ("supervisor", "email")}


def test_non_urgent_messages_wait_for_the_end_of_quiet_hours_and_urgent_ones_do_not():
    night = datetime(2026, 7, 1, 15, 0, tzinfo=UTC)  # 23:00 local
    calm = handled(case_opened("none"), now=night)
    assert {r.next_attempt_at for r in calm.fake_deliveries.rows.values()} == {
        datetime(2026, 7, 1, 23, 0, tzinfo=UTC)}  # 07:00 local
    urgent = handled(case_opened(), now=night)
    assert {r.next_attempt_at for r in urgent.fake_deliveries.rows.values()} == {night}


def test_an_urgent_event_nobody_covers_goes_to_the_station_and_raises_a_gap():
    uow = handled(case_opened(), people=(STATION, SUPERVISOR))
    assert addressed(uow) == {("station", "inbox")}  # the rule's channels it can use
    (gap,) = uow.of_type("notifier.directory.gap.v1")
    assert (gap["rule"], gap["village_code"], gap["recipients"]) == (
        "mandatory-report", VILLAGE, 1)


def test_a_non_urgent_event_nobody_covers_stores_its_alert_without_deliveries():
    uow = handled(event("registry.visit.overdue.v1", child_id="c1", village_code=VILLAGE,
                        due_date="2026-06-20", risk_grade="low"), people=(SUPERVISOR,))
    assert [a.rule for a in uow.fake_deliveries.alerts.values()] == ["visit-overdue"]
    assert uow.fake_deliveries.rows == {}
    assert uow.published == []


def test_only_configured_channels_are_offered():
    uow = handled(case_opened(), channels=frozenset({"webhook", "inbox"}))
    assert addressed(uow) == {("police", "webhook"), ("police", "inbox"),
                              ("director", "inbox")}


def test_a_device_event_is_routed_by_the_village_its_hazard_was_last_seen_in():
    uow = FakeUnitOfWork(EVERYONE)
    with uow:
        handlers.handle_event(uow, RULES, event("hazards.hazard.created.v1", hazard_id="h1",
                                                village_code=VILLAGE), NOW)
        handlers.handle_event(uow, RULES, event("hazards.device.silent.v1", hazard_id="h1",
                                                device_id="d1"), NOW)
    (alert,) = uow.fake_deliveries.alerts.values()
    assert (alert.rule, alert.village_code) == ("device-silent", VILLAGE)
    assert addressed(uow) == {("station", "dingtalk"), ("station", "inbox")}


def test_a_hazard_moved_out_of_every_village_is_forgotten():
    uow = FakeUnitOfWork()
    with uow:
        handlers.track_event(uow, event("hazards.hazard.created.v1", hazard_id="h1",
                                        village_code=VILLAGE))
        handlers.track_event(uow, event("hazards.hazard.updated.v1", hazard_id="h1"))
    assert uow.places.hazard_village("h1") == ""


def test_overdue_visits_and_referrals_stay_open_until_recorded_or_closed():
    uow = FakeUnitOfWork()
    with uow:
        handlers.track_event(uow, event("registry.visit.overdue.v1", child_id="c1",
                                        village_code=VILLAGE, due_date="2026-06-20",
                                        risk_grade="high"))
        handlers.track_event(uow, event("registry.case.referred.v1", case_id="k1",
                                        referral_id="r1", village_code=VILLAGE, unit="school"))
    assert [(i.kind, i.due_date) for i in uow.places.open_items(TOWNSHIP)] == [
        ("referral", None), ("visit", date(2026, 6, 20))]
    with uow:
        handlers.track_event(uow, event("registry.visit.recorded.v1", child_id="c1"))
        handlers.track_event(uow, event("registry.case.closed.v1", case_id="k1"))
    assert uow.places.open_items(TOWNSHIP) == []


# -- previews --------------------------------------------------------------------------
def test_a_preview_lists_who_would_be_told_and_stores_nothing():
    uow = FakeUnitOfWork(EVERYONE)
    (alert,) = handlers.preview(uow, RULES, "registry.case.opened.v1", case_opened().data, NOW)
    assert alert["rule"] == "mandatory-report" and alert["ack_within_s"] == 900
    assert alert["escalation"] == ["child_supervisor@township", "district_office@district"]
    assert {(d["recipient_id"], d["channel"]) for d in alert["deliveries"]} == {
        ("police", "email"), ("police", "webhook"), ("police", "inbox"),
        ("director", "email"), ("director", "inbox")}
    assert uow.fake_deliveries.alerts == {} and uow.fake_deliveries.rows == {}
    assert uow.published == []


# -- acknowledgements ------------------------------------------------------------------
def one_delivery(uow: FakeUnitOfWork, recipient: str, channel: str) -> str:
    return next(r.delivery_id for r in uow.fake_deliveries.rows.values()
                if (r.recipient_id, r.channel) == (recipient, channel))


def test_the_first_acknowledgement_stops_the_timer_and_is_announced_once():
    uow = handled(case_opened())
    delivery_id = one_delivery(uow, "police", "email")
    later = NOW + timedelta(minutes=3)
    with uow:
        first = handlers.acknowledge(uow, delivery_id, later)
        second = handlers.acknowledge(uow, delivery_id, later + timedelta(minutes=1))
    assert (first["first"], second["first"]) == (True, False)
    (alert,) = uow.fake_deliveries.alerts.values()
    assert (alert.acked_at, alert.acked_by, alert.deadline) == (later, "police", None)
    assert [d["delivery_id"] for d in uow.of_type("notifier.delivery.acknowledged.v1")] == [
        delivery_id]


def test_acknowledging_an_unknown_delivery_is_not_found():
    with pytest.raises(NotFound, match="no delivery nope"):
        handlers.acknowledge(FakeUnitOfWork(), "nope", NOW)


def test_an_ack_link_works_once_and_a_forged_or_expired_one_never():
    uow = handled(case_opened())
    delivery_id = one_delivery(uow, "director", "email")
    token = ack.make_token(delivery_id, "s3cret", NOW)
    assert handlers.check_ack_link(uow, token, "s3cret", NOW) == delivery_id  # the page
    assert handlers.ack_by_token(uow, token, "s3cret", NOW)["acknowledged"] is True
    with pytest.raises(AckRefused, match="already used"):
        handlers.check_ack_link(uow, token, "s3cret", NOW)
    with pytest.raises(AckRefused, match="already used"):
        handlers.ack_by_token(uow, token, "s3cret", NOW)
    with pytest.raises(AckRefused, match="not valid"):
        handlers.ack_by_token(uow, ack.make_token(delivery_id, "other", NOW), "s3cret", NOW)
    with pytest.raises(AckRefused, match="not valid"):  # genuine link, delivery gone
        handlers.ack_by_token(uow, ack.make_token("gone", "s3cret", NOW), "s3cret", NOW)
    late = NOW + timedelta(seconds=ack.LINK_TTL_S + 1)
    with pytest.raises(AckRefused, match="expired"):
        handlers.ack_by_token(uow, ack.make_token(delivery_id, "s3cret", NOW), "s3cret", late)


def test_only_the_recipients_own_login_acknowledges_from_the_inbox():
    uow = handled(case_opened())
    delivery_id = one_delivery(uow, "director", "inbox")
    with pytest.raises(NotFound):
        handlers.ack_from_inbox(uow, delivery_id, "u-someone-else", NOW)
    assert uow.fake_deliveries.rows[delivery_id].acked_at is None
    assert handlers.ack_from_inbox(uow, delivery_id, "u-director", NOW)["first"] is True


# -- escalation timers -----------------------------------------------------------------
def test_an_unacknowledged_alert_escalates_one_level_at_its_deadline():
    uow = handled(case_opened())
    assert timers.escalate_due(lambda: uow, RULES, NOW + timedelta(minutes=14)) == 0
    at = NOW + timedelta(minutes=15)
    assert timers.escalate_due(lambda: uow, RULES, at) == 1
    (alert,) = uow.fake_deliveries.alerts.values()
    assert (alert.level, alert.deadline) == (1, at + timedelta(minutes=15))
    escalated = uow.of_type("notifier.delivery.escalated.v1")
    assert {(d["recipient_id"], d["level"]) for d in escalated} == {("supervisor", 1)}
    assert timers.escalate_due(lambda: uow, RULES, at + timedelta(minutes=15)) == 1
    assert alert.level == 2 and alert.deadline is None  # the last level has no timer
    assert ("district", "email") in addressed(uow)


def test_an_acknowledged_alert_does_not_escalate():
    uow = handled(case_opened())
    with uow:
        handlers.acknowledge(uow, one_delivery(uow, "police", "inbox"), NOW)
    assert timers.escalate_due(lambda: uow, RULES, NOW + timedelta(hours=1)) == 0
    assert uow.of_type("notifier.delivery.escalated.v1") == []


def test_an_alert_acknowledged_while_escalating_stays_where_it_is():
    uow = handled(case_opened())
    (alert,) = uow.fake_deliveries.alerts.values()
    due = uow.deliveries.due_alerts(NOW + timedelta(minutes=15))  # read before the ack
    uow.deliveries.ack_alert(alert.alert_id, "police", NOW)
    timers.escalate(uow, RULES, due[0], NOW + timedelta(minutes=15))
    assert alert.level == 0 and ("supervisor", "email") not in addressed(uow)


def test_the_timer_of_a_removed_rule_stops():
    uow = handled(case_opened())
    rules = parse_text((HERE / "rules" / "default.yaml").read_text()
                       .replace("name: mandatory-report", "name: renamed"), "x.yaml",
                       set(handlers.ROUTED))
    at = NOW + timedelta(minutes=15)
    assert timers.escalate_due(lambda: uow, rules, at) == 1
    (alert,) = uow.fake_deliveries.alerts.values()
    assert alert.deadline is None and len(uow.fake_deliveries.rows) == 5


# -- the daily digest ------------------------------------------------------------------
def test_one_digest_a_day_for_a_director_with_open_work_after_eight():
    uow = handled(event("registry.visit.overdue.v1", child_id="c1", village_code=VILLAGE,
                        due_date="2026-06-20", risk_grade="low"))
    assert timers.send_digests(lambda: uow, RULES, datetime(2026, 6, 30, 23, 0, tzinfo=UTC)) == 0
    nine = datetime(2026, 7, 1, 1, 0, tzinfo=UTC)  # 09:00 local
    assert timers.send_digests(lambda: uow, RULES, nine) == 1
    assert timers.send_digests(lambda: uow, RULES, nine + timedelta(hours=2)) == 0
    digest = next(a for a in uow.fake_deliveries.alerts.values() if a.rule == "daily-digest")
    assert '"visits": 1' in digest.data and digest.village_code == VILLAGE
    assert ("director", "email") in {(r.recipient_id, r.channel)
                                     for r in uow.fake_deliveries.rows.values()
                                     if r.alert_id == digest.alert_id}


# -- the dispatcher's decisions (local channels only: no network) ---------------------
class Refusing:
    """A channel client whose provider refuses every message."""

    def __init__(self, retryable: bool):
        self.retryable = retryable
        self.sent: list[str] = []

    def send(self, message: Message, address: str) -> str:
        self.sent.append(address)
        raise ChannelError("provider said 503", retryable=self.retryable)

    def close(self) -> None:
        pass


def dispatch(uow: FakeUnitOfWork, channels: dict[str, Channel], rounds: int = 1,
             now: datetime = NOW) -> None:
    dispatcher = Dispatcher(lambda: uow, lambda: RULES, Templates.load("http://gw", "http://ack"),
                            channels, DispatchConfig("s3cret", poll_s=0.5),
                            clock=lambda: now, rand=lambda: 0.5)
    for _ in range(rounds):
        dispatcher.run_once()
    dispatcher.close()


def states(uow: FakeUnitOfWork) -> dict[tuple[str, str], str]:
    return {(r.recipient_id, r.channel): r.state for r in uow.fake_deliveries.rows.values()}


def test_inbox_deliveries_are_sent_without_a_network_and_announced():
    uow = handled(case_opened("none"), channels=frozenset({"inbox"}))
    dispatch(uow, {})
    assert set(states(uow).values()) == {State.SENT}
    assert {d["recipient_id"] for d in uow.of_type("notifier.delivery.sent.v1")} == {
        "director", "supervisor"}
    items = queries.inbox(uow, Templates.load("http://gw", "http://ack"), "u-director")
    assert len(items) == 1 and items[0]["subject"]


def test_an_unreachable_urgent_recipient_escalates_now_instead_of_at_the_deadline():
    uow = handled(case_opened(), people=(DIRECTOR,))  # email, but no email client here
    dispatch(uow, {})
    assert states(uow) == {("director", "email"): State.FAILED,
                           ("director", "inbox"): State.SENT}
    failed = next(r for r in uow.fake_deliveries.rows.values() if r.channel == "email")
    assert "not configured" in failed.last_error
    (alert,) = uow.fake_deliveries.alerts.values()
    assert alert.deadline == NOW  # brought forward from NOW + 15 min
    assert [d["channel"] for d in uow.of_type("notifier.delivery.failed.v1")] == ["email"]


def test_a_failed_channel_hands_over_to_the_recipients_next_one():
    uow = handled(event("hazards.finding.reported.v1", finding_id="f1", hazard_id="h1",
                        village_code=VILLAGE, kind="children_at_water"), people=(PATROL,))
    assert set(states(uow)) == {("patrol", "sms"), ("patrol", "inbox")}
    dispatch(uow, {"sms": Refusing(retryable=False)}, rounds=3)
    assert states(uow)[("patrol", "sms")] == State.FAILED
    assert states(uow)[("patrol", "email")] == State.FAILED  # handed over, not configured
    (alert,) = uow.fake_deliveries.alerts.values()
    assert alert.deadline == NOW  # no outside channel reached the patrol lead


def test_a_retryable_error_backs_off_and_keeps_the_delivery_pending():
    uow = handled(event("hazards.finding.reported.v1", finding_id="f1", hazard_id="h1",
                        village_code=VILLAGE, kind="children_at_water"), people=(PATROL,))
    refusing = Refusing(retryable=True)
    dispatch(uow, {"sms": refusing}, rounds=2)
    sms = next(r for r in uow.fake_deliveries.rows.values() if r.channel == "sms")
    assert refusing.sent == ["13800000000"]
    assert (sms.state, sms.attempt) == (State.PENDING, 1)
    assert sms.next_attempt_at > NOW and "503" in sms.last_error
    assert ("patrol", "email") not in states(uow)  # not handed over while retrying


# -- read sides -----------------------------------------------------------------------
def test_the_delivery_log_shows_only_the_callers_villages_with_each_attempt():
    other = "500110120202"
    uow = handled(case_opened())
    with uow:
        handlers.handle_event(uow, RULES, case_opened(village=other), NOW)
    dispatch(uow, {})
    mine = queries.delivery_log(uow, {"channel": "inbox"}, frozenset({VILLAGE}), TOWNSHIP, 1, 50)
    assert mine["total"] == 2  # the police's and the director's inbox items, not the other's
    assert {i["village_code"] for i in mine["items"]} == {VILLAGE}
    assert [[a["outcome"] for a in i["attempts"]] for i in mine["items"]] == [["sent"]] * 2
    township = queries.delivery_log(uow, {"channel": "inbox"}, frozenset(), TOWNSHIP, 1, 50)
    assert township["total"] == 3


def test_a_login_without_a_directory_entry_has_an_empty_inbox():
    uow = handled(case_opened())
    dispatch(uow, {})
    assert queries.inbox(uow, Templates.load("http://gw", "http://ack"), "u-nobody") == []


# -- directory management --------------------------------------------------------------
def test_an_invalid_directory_entry_is_refused_and_nothing_stored():
    uow = FakeUnitOfWork()
    with pytest.raises(InvalidPerson, match="scope_code"):
        queries.put_person(uow, Person("p1", "station", "5001"))
    assert uow.directory.everyone() == []
    with pytest.raises(NotFound, match="no directory entry p1"):
        queries.delete_person(uow, "p1")
