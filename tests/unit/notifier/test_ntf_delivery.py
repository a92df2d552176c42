"""Planning, fallback order, the delivery state machine, ack links, templates."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from services.notifier.adapters.rules_file import parse_text
from services.notifier.adapters.templates import Templates
from services.notifier.config import HERE
from services.notifier.domain import ack
from services.notifier.domain.delivery import State, after_error, check
from services.notifier.domain.directory import Person
from services.notifier.domain.exceptions import AckRefused, InvalidPerson, InvalidTransition
from services.notifier.domain.planning import plan, plan_level
from services.notifier.domain.rules import RetryPolicy
from services.notifier.service_layer.handlers import ROUTED

RULES = parse_text((HERE / "rules" / "default.yaml").read_text(), "default.yaml", set(ROUTED))
VILLAGE = "500110120201"
POLICE = Person("p", "police_station", "500110120", {"email": "a@b", "webhook": "http://x"})
DIRECTOR = Person("d", "child_director", VILLAGE, {"email": "d@b"})
SUPERVISOR = Person("s", "child_supervisor", "500110120", {"email": "s@b"})
PEOPLE = [POLICE, DIRECTOR, SUPERVISOR]
CASE = {"case_id": "k1", "child_id": "c1", "village_code": VILLAGE, "situation": "living_alone",
        "severity": "urgent", "step": "report", "mandatory_report": True}
NOON = datetime(2026, 7, 1, 4, 0, tzinfo=UTC)  # 12:00 in Chongqing


def resolve(target, village):
    scope = village[: {"village": 12, "township": 9, "district": 6}[target.level]]
    return [p for p in PEOPLE if p.role == target.role and p.scope_code == scope]


def test_a_living_alone_case_reaches_police_and_director_with_a_deadline():
    [alert] = plan(RULES, "registry.case.opened.v1", CASE, VILLAGE, resolve, NOON)
    assert alert.urgent and alert.deadline == NOON + timedelta(minutes=15)
    got = {(d.person.person_id, d.channel) for d in alert.deliveries}
    assert got == {("p", "email"), ("p", "webhook"), ("p", "inbox"), ("d", "email"),
                   ("d", "inbox")}


def test_escalation_goes_to_the_township_supervisor():
    rule = RULES.rule("mandatory-report")
    level1 = plan_level(RULES, rule, 1, CASE, VILLAGE, resolve, NOON)
    assert {d.person.person_id for d in level1.deliveries} == {"s"}
    assert level1.deadline is not None  # the district is next
    assert plan_level(RULES, rule, 2, CASE, VILLAGE, resolve, NOON).deadline is None


def test_non_urgent_items_wait_for_the_end_of_quiet_hours():
    night = datetime(2026, 7, 1, 15, 0, tzinfo=UTC)  # 23:00 local
    overdue = {"child_id": "c1", "village_code": VILLAGE, "due_date": "2026-06-30",
               "child_director_id": "u", "risk_grade": "low"}
    [alert] = plan(RULES, "registry.visit.overdue.v1", overdue, VILLAGE, resolve, night)
    assert not alert.urgent and alert.deadline is None
    assert all(d.not_before == datetime(2026, 7, 1, 23, 0, tzinfo=UTC)
               for d in alert.deliveries)  # 07:00 local
    [urgent] = plan(RULES, "registry.case.opened.v1", CASE, VILLAGE, resolve, night)
    assert all(d.not_before == night for d in urgent.deliveries)


def test_an_urgent_finding_in_a_village_nobody_serves_goes_to_the_station():
    """A village without a patrol lead or a child director still has children at the
    water: the message goes to the township station, and the alert says it was unrouted."""
    station = Person("st", "station", "500110120", {"email": "st@b"})
    people = [*PEOPLE, station]

    def resolve_with_station(target, village):  # type: ignore[no-untyped-def]
        scope = village[: {"village": 12, "township": 9, "district": 6}[target.level]]
        return [p for p in people if p.role == target.role and p.scope_code == scope]

    finding = {"finding_id": "f1", "hazard_id": "h1", "kind": "children_at_water",
               "severity": "urgent", "village_code": "500110120209"}
    [alert] = plan(RULES, "hazards.finding.reported.v1", finding, "500110120209",
                   resolve_with_station, NOON)
    assert alert.urgent and alert.unrouted
    assert {d.person.person_id for d in alert.deliveries} == {"st"}
    [served] = plan(RULES, "hazards.finding.reported.v1", finding, VILLAGE,
                    resolve_with_station, NOON)  # the director serves village 201
    assert not served.unrouted and {d.person.person_id for d in served.deliveries} == {"d"}
    overdue = {"child_id": "c1", "village_code": "500110120209", "due_date": "2026-06-30",
               "child_director_id": "u", "risk_grade": "low"}
    [routine] = plan(RULES, "registry.visit.overdue.v1", overdue, "500110120209",
                     resolve_with_station, NOON)
    assert not routine.urgent and not routine.unrouted and not routine.deliveries


def test_fallback_follows_the_recipients_channel_order_and_ends_in_the_inbox():
    assert POLICE.next_channel({"email"}) == "webhook"
    assert POLICE.next_channel({"email", "webhook"}) == "inbox"
    assert POLICE.next_channel({"email", "webhook", "inbox"}) is None
    assert Person("x", "school", "500110120", {"sms": "1"}).pick_channels(("email",)) == ["sms"]


def test_directory_entries_are_validated():
    with pytest.raises(InvalidPerson, match="scope_code"):
        Person("x", "school", "5001", {}).validate()
    with pytest.raises(InvalidPerson, match="fax"):
        Person("x", "school", "500110120", {"fax": "1"}).validate()


def test_state_machine_and_retry_outcomes():
    check("pending", State.SENDING)
    with pytest.raises(InvalidTransition):
        check("sent", State.SENDING)
    policy = RetryPolicy(max_attempts=3, base_s=2, cap_s=60)
    retry = after_error(policy, 1, True, NOON, 0.0)
    assert retry.state == State.PENDING and retry.next_attempt_at == NOON + timedelta(seconds=1)
    assert after_error(policy, 3, True, NOON, 0.5).state == State.FAILED
    permanent = after_error(policy, 1, False, NOON, 0.5)
    assert permanent.state == State.FAILED and permanent.hand_over


def test_ack_tokens_are_signed_and_expire():
    token = ack.make_token("d-1", "secret", NOON)
    assert ack.read_token(token, "secret", NOON) == "d-1"
    with pytest.raises(AckRefused):
        ack.read_token(token, "other", NOON)
    _, expires, mac = token.split(".")
    with pytest.raises(AckRefused):
        ack.read_token(f"d-2.{expires}.{mac}", "secret", NOON)
    with pytest.raises(AckRefused):  # a later expiry is not under the signature
        ack.read_token(f"d-1.{int(expires) + 86400}.{mac}", "secret", NOON)
    with pytest.raises(AckRefused):
        ack.read_token("d-1.1.签名", "secret", NOON)  # non-ASCII: refused, not a crash
    later = NOON + timedelta(seconds=ack.LINK_TTL_S + 1)
    with pytest.raises(AckRefused, match="expired"):
        ack.read_token(token, "secret", later)


def test_templates_carry_links_not_details_in_both_languages():
    t = Templates.load("http://gw", "http://ntf")
    for lang in ("zh", "en"):
        m = t.render(delivery_id="d1", event_id="e1", event_type="registry.case.opened.v1",
                     data=CASE, urgent=True, lang=lang, level=1, ack_token="tok")
        assert "http://gw/cases/k1" in m.body and "http://ntf/ack/tok" in m.body
        assert "c1" not in m.body  # the child's id stays behind the link
    assert "儿童独居" in t.render(delivery_id="d1", event_id="e1",
                               event_type="registry.case.opened.v1", data=CASE, urgent=True,
                               lang="zh", level=0, ack_token="").subject
    assert m.body.startswith("[ESCALATED]")
    assert m.sms_template == "SMS_SHOUHU_CASE" and m.sms_params["kind"] == "child living alone"


def test_a_request_for_approval_reaches_the_supervisor_and_the_decision_the_director():
    asked = {"case_id": "k1", "request_id": "r1", "village_code": VILLAGE,
             "from_step": "assessment", "to_step": "assistance", "requested_by": "d"}
    [alert] = plan(RULES, "registry.case.approval_requested.v1", asked, VILLAGE, resolve, NOON)
    assert {(d.person.person_id, d.channel) for d in alert.deliveries} == {
        ("s", "inbox"), ("s", "email")}
    decided = {**asked, "decision": "returned", "decided_by": "s"}
    [told] = plan(RULES, "registry.case.approval_decided.v1", decided, VILLAGE, resolve, NOON)
    assert {(d.person.person_id, d.channel) for d in told.deliveries} == {("d", "inbox")}
    t = Templates.load("http://gw", "http://ntf")
    m = t.render(delivery_id="d1", event_id="e1", event_type="registry.case.approval_decided.v1",
                 data=decided, urgent=False, lang="zh", level=0, ack_token="")
    assert m.subject == "【守护】个案审批已退回：帮扶" and "http://gw/cases/k1" in m.body
    assert "收到请确认" not in m.body


def test_channels_without_credentials_are_not_offered():
    from services.notifier.service_layer.handlers import reachable

    only_inbox = reachable(POLICE, frozenset({"inbox"}))
    assert only_inbox.pick_channels(("email", "webhook", "inbox")) == ["inbox"]
    assert reachable(POLICE, frozenset({"webhook", "inbox"})).next_channel({"webhook"}) == "inbox"
