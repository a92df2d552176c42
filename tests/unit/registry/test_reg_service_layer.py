"""The registry's service layer on a fake unit of work: registering (and duplicates),
updates, grading on hazard changes, visits, the overdue scan, cases and scope.

No database or broker: the integration tests (tests/integration/registry) run the same
handlers on SQLite and PostgreSQL, and the bulk ledger import, which writes on the SQL
connection itself, only there.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from services.registry.domain.exceptions import (
    ApprovalRequired,
    ChildNotFound,
    DuplicateCase,
    DuplicateChild,
    InvalidChild,
    NotFound,
    StaleVersion,
    TransitionRefused,
)
from services.registry.domain.identity import check_character
from services.registry.domain.model import Child
from services.registry.domain.ports import ChildFilter
from services.registry.domain.villages import VillageDirectory
from services.registry.service_layer import (
    assessment,
    cases,
    children,
    hazard_events,
    staff,
    visits,
)
from services.registry.service_layer.commands import (
    DecideApproval,
    OpenCase,
    RecordReferralFeedback,
    RecordVisit,
    ReferCase,
    RegisterChild,
    RequestApproval,
    TransitionCase,
    UpdateChild,
)
from services.registry.service_layer.context import Actor, Policy
from shared import gazetteer
from shared.auth.principal import Principal, Role
from shared.config import Region
from shared.events.envelope import CloudEvent
from tests.unit.registry.fakes import FakeUnitOfWork

TOWNSHIP, VILLAGE, OTHER_VILLAGE = "500110120", "500110120201", "500110120202"
TODAY = date(2026, 11, 25)  # outside the drowning season: no seasonal point
HOME = (106.651, 28.951)
POLICY = Policy(Region(105.5, 28.5, 107.5, 30.5), villages=VillageDirectory.of(
    gazetteer.DEMO_TOWNSHIP, *gazetteer.township(gazetteer.DEMO_TOWNSHIP)))
STATION = Actor(Principal("station", Role.STATION_ADMIN, TOWNSHIP))
SUPERVISOR = Actor(Principal("supervisor", Role.CHILD_SUPERVISOR, TOWNSHIP))
DIRECTOR = Actor(Principal("director", Role.CHILD_DIRECTOR, TOWNSHIP,
                           frozenset({VILLAGE})))
POLICE = Actor(Principal("police", Role.POLICE_LIAISON, TOWNSHIP))
ELSEWHERE = Actor(Principal("elsewhere", Role.STATION_ADMIN, "500110121"))
ID_NUMBER = "50011020160501002" + check_character("50011020160501002")
# a pond about 30 m east of HOME: within the model's 100 m
POND = {"type": "Polygon", "coordinates": [[[106.6513, 28.9509], [106.6516, 28.9509],
                                            [106.6516, 28.9512], [106.6513, 28.9512],
                                            [106.6513, 28.9509]]]}


def register(uow: FakeUnitOfWork, actor: Actor = STATION, **over: Any) -> Child:
    cmd = RegisterChild(**({"name": "测试儿童", "gender": "female",
                            "birth_date": date(2016, 5, 1), "village_code": VILLAGE,
                            "home_lon": HOME[0], "home_lat": HOME[1]} | over))
    return children.register_child(uow, cmd, actor, POLICY, TODAY)


def hazard_event(uow: FakeUnitOfWork, type_: str, **data: Any) -> None:
    """Handle a hazards event as the worker does: through the handler table."""
    with uow:
        hazard_events.HANDLERS[type_](uow, CloudEvent(type_, "/shouhu/hazards",
                                                      data["hazard_id"], data))


def types(uow: FakeUnitOfWork) -> list[str]:
    return [e.type for e in uow.published]


# -- registering -----------------------------------------------------------------------
def test_a_registered_child_is_graded_stored_audited_and_announced():
    uow = FakeUnitOfWork()
    child = register(uow)
    stored = uow.fake_children.rows[child.id]
    assert (stored.village_name, stored.risk_grade, stored.risk_reasons) == (
        "崇恩村", "low", ["age_6_11", "no_caregiver_recorded"])
    assert stored.next_visit_due == TODAY + timedelta(days=90)
    assert types(uow) == ["registry.child.registered.v1", "registry.child.risk_changed.v1"]
    (registered,) = uow.of_type("registry.child.registered.v1")
    assert registered["home"] == {"lon": HOME[0], "lat": HOME[1]}
    assert "name" not in registered  # the map needs no names
    assert uow.audited("create", "child") == [child.id]
    assert uow.commits == 1


def test_a_second_registration_of_the_same_child_is_refused_naming_the_first():
    uow = FakeUnitOfWork()
    first = register(uow)
    with pytest.raises(DuplicateChild) as dup:
        register(uow, school="石足小学")
    assert (dup.value.existing_id, dup.value.matched_on) == (
        first.id, "name, birth_date and village")
    assert len(uow.fake_children.rows) == 1 and len(uow.published) == 2
    assert uow.rollbacks == 1


def test_the_same_id_number_in_another_village_is_a_duplicate():
    uow = FakeUnitOfWork()
    first = register(uow, id_number=ID_NUMBER)
    with pytest.raises(DuplicateChild) as dup:
        register(uow, name="另一个名字", village_code=OTHER_VILLAGE,
                 id_number=ID_NUMBER.lower())
    assert (dup.value.existing_id, dup.value.matched_on) == (first.id, "id_number")


def test_merging_a_duplicate_keeps_the_record_and_adds_what_the_new_one_knows():
    uow = FakeUnitOfWork()
    first = register(uow, categories=["disabled"])
    merged = register(uow, on_duplicate="merge", categories=["seriously_ill"],
                      guardians=[{"name": "测试奶奶", "relation": "祖母", "age": 70}],
                      school="石足小学")
    assert merged.id == first.id and merged.version == 2
    assert uow.fake_children.rows[first.id].categories == ["disabled", "seriously_ill"]
    assert [g.name for g in uow.fake_children.rows[first.id].guardians] == ["测试奶奶"]
    assert [h["action"] for h in uow.fake_children.history(first.id)] == ["merge"]
    assert types(uow)[2:] == ["registry.child.updated.v1"]  # the grade stayed low


def test_a_duplicate_outside_the_callers_villages_is_neither_named_nor_merged():
    uow = FakeUnitOfWork()
    other = register(uow, village_code=OTHER_VILLAGE, id_number=ID_NUMBER)
    for on_duplicate in ("refuse", "merge"):
        with pytest.raises(DuplicateChild) as dup:
            register(uow, DIRECTOR, id_number=ID_NUMBER, on_duplicate=on_duplicate)
        assert dup.value.existing_id == "" and other.id not in str(dup.value)
    assert uow.fake_children.rows[other.id].version == 1


def test_registering_outside_the_callers_scope_is_not_found():
    uow = FakeUnitOfWork()
    with pytest.raises(NotFound):
        register(uow, DIRECTOR, village_code=OTHER_VILLAGE)
    assert uow.fake_children.rows == {} and uow.published == []


# -- updates ---------------------------------------------------------------------------
def test_an_update_with_a_stale_version_is_refused_and_changes_nothing():
    uow = FakeUnitOfWork()
    child = register(uow)
    children.update_child(uow, UpdateChild(child.id, 1, {"school": "石足小学"}), STATION,
                          POLICY, TODAY)
    published = len(uow.published)
    with pytest.raises(StaleVersion):
        children.update_child(uow, UpdateChild(child.id, 1, {"school": "扶欢中学"}),
                              STATION, POLICY, TODAY)
    assert uow.fake_children.rows[child.id].school == "石足小学"
    assert uow.fake_children.rows[child.id].version == 2
    assert len(uow.published) == published


def test_an_update_that_moves_the_grade_announces_the_previous_one():
    uow = FakeUnitOfWork()
    child = register(uow)
    children.update_child(uow, UpdateChild(child.id, 1, {"categories": ["disabled"]}),
                          STATION, POLICY, TODAY)
    risk = uow.of_type("registry.child.risk_changed.v1")[-1]
    assert (risk["previous_grade"], risk["risk_grade"], risk["visit_interval_days"]) == (
        "low", "medium", 30)
    assert uow.fake_children.history(child.id)[0]["action"] == "update"


def test_fields_that_are_not_editable_are_refused_before_anything_is_read():
    uow = FakeUnitOfWork()
    with pytest.raises(InvalidChild) as err:
        children.update_child(uow, UpdateChild("c1", 1, {"risk_grade": "low"}), STATION,
                              POLICY, TODAY)
    assert err.value.field == "risk_grade" and uow.commits + uow.rollbacks == 0


def test_a_childs_director_needs_a_valid_background_check_when_named():
    uow = FakeUnitOfWork()
    with pytest.raises(InvalidChild) as err:
        register(uow, child_director_id="director")
    assert err.value.field == "child_director_id" and uow.fake_children.rows == {}
    with uow:
        staff.HANDLERS["gateway.staff_check.recorded.v1"](uow, CloudEvent(
            "gateway.staff_check.recorded.v1", "/shouhu/gateway", "director",
            {"user_id": "director", "result": "clear", "checked_on": "2026-01-05",
             "valid_until": "2027-01-05"}))
    child = register(uow, child_director_id="director")
    assert uow.fake_children.rows[child.id].child_director_id == "director"


# -- grading on hazard changes -----------------------------------------------------------
def test_a_pond_near_a_home_regrades_the_child_once_the_request_is_served():
    uow = FakeUnitOfWork()
    child = register(uow)
    hazard_event(uow, "hazards.hazard.created.v1", hazard_id="h1", kind="pond",
                 geometry=POND)
    assert uow.fake_water.requested_at is not None
    assert assessment.reassess_if_requested(uow, POLICY) == 1
    stored = uow.fake_children.rows[child.id]
    assert (stored.risk_grade, stored.water_distance_m is not None) == ("medium", True)
    assert stored.water_distance_m < 100
    assert "water_within_near_m" in stored.risk_reasons
    assert uow.of_type("registry.child.risk_changed.v1")[-1]["previous_grade"] == "low"
    assert uow.fake_water.requested_at is None
    assert assessment.reassess_if_requested(uow, POLICY) is None


def test_a_road_hazard_asks_for_no_reassessment_and_a_new_zone_or_retired_pond_does():
    uow = FakeUnitOfWork()
    hazard_event(uow, "hazards.hazard.created.v1", hazard_id="r1", kind="road",
                 geometry=POND)
    assert uow.fake_water.hazards == {} and uow.fake_water.requested_at is None
    hazard_event(uow, "hazards.hazard.created.v1", hazard_id="h1", kind="pond",
                 geometry=POND)
    uow.fake_water.requested_at = None
    hazard_event(uow, "hazards.zone.changed.v1", hazard_id="h1", zone=POND)
    assert uow.fake_water.hazards["h1"]["zone"] == POND
    assert uow.fake_water.requested_at is not None
    uow.fake_water.requested_at = None
    hazard_event(uow, "hazards.hazard.retired.v1", hazard_id="h1")
    assert uow.fake_water.hazards == {} and uow.fake_water.requested_at is not None


def test_a_child_without_a_home_is_graded_without_the_water_factor():
    uow = FakeUnitOfWork()
    with uow:
        uow.water.upsert("h1", "pond", POND)
    child = register(uow, home_lon=None, home_lat=None)
    stored = uow.fake_children.rows[child.id]
    assert (stored.water_distance_m, stored.risk_grade) == (None, "low")
    assert uow.of_type("registry.child.registered.v1")[0]["home"] is None


# -- visits ---------------------------------------------------------------------------
def visit(child_id: str, at: datetime = datetime(2026, 11, 24, 2, 0, tzinfo=UTC),
          **over: Any) -> RecordVisit:
    return RecordVisit(child_id, at, **over)


def test_a_visit_moves_the_next_one_by_the_grades_interval():
    uow = FakeUnitOfWork()
    child = register(uow)
    recorded = visits.record_visit(uow, visit(child.id, findings={"home_safety": "ok"}),
                                   DIRECTOR, POLICY)
    assert recorded.created and recorded.next_due == date(2026, 11, 24) + timedelta(days=90)
    stored = uow.fake_children.rows[child.id]
    assert (stored.last_visited_at, stored.next_visit_due) == (date(2026, 11, 24),
                                                              recorded.next_due)
    (event,) = uow.of_type("registry.visit.recorded.v1")
    assert (event["visit_id"], event["visitor_id"]) == (recorded.visit_id, "director")
    assert uow.audited("visit", "child") == [child.id]


def test_a_resent_visit_gets_the_stored_one_back_and_writes_nothing():
    uow = FakeUnitOfWork()
    child = register(uow)
    first = visits.record_visit(uow, visit(child.id), DIRECTOR, POLICY)
    again = visits.record_visit(uow, visit(child.id), DIRECTOR, POLICY)
    assert (again.visit_id, again.next_due, again.created) == (first.visit_id,
                                                               first.next_due, False)
    assert len(uow.of_type("registry.visit.recorded.v1")) == 1
    assert uow.fake_children.rows[child.id].version == 2


def test_a_visit_in_the_future_or_with_unknown_findings_is_refused():
    uow = FakeUnitOfWork()
    child = register(uow)
    with pytest.raises(InvalidChild, match="future"):
        visits.record_visit(uow, visit(child.id, datetime.now(UTC) + timedelta(hours=1)),
                            DIRECTOR, POLICY)
    with pytest.raises(InvalidChild) as err:
        visits.record_visit(uow, visit(child.id, findings={"diet": "ok"}), DIRECTOR, POLICY)
    assert err.value.field == "findings" and uow.fake_visits.rows == {}


def test_overdue_visits_are_announced_exactly_once_per_due_date():
    uow = FakeUnitOfWork()
    late, on_time = register(uow), register(uow, name="按时儿童")
    uow.fake_children.rows[late.id].next_visit_due = TODAY - timedelta(days=3)
    archived = register(uow, name="已归档儿童")
    uow.fake_children.rows[archived.id].next_visit_due = TODAY - timedelta(days=3)
    uow.fake_children.archive([archived.id])
    assert visits.scan_overdue(uow, TODAY) == 1
    assert visits.scan_overdue(uow, TODAY) == 0
    (overdue,) = uow.of_type("registry.visit.overdue.v1")
    assert (overdue["child_id"], overdue["due_date"]) == (late.id, "2026-11-22")
    assert on_time.id not in {e["child_id"] for e in uow.of_type("registry.visit.overdue.v1")}
    uow.fake_children.rows[late.id].next_visit_due = TODAY - timedelta(days=1)
    assert visits.scan_overdue(uow, TODAY) == 1  # a new due date is a new notice


def test_children_who_turned_18_are_archived_and_announced():
    uow = FakeUnitOfWork()
    child = register(uow, birth_date=date(2009, 1, 1))
    assert visits.archive_adults(uow, date(2027, 1, 1)) == 1
    assert uow.fake_children.rows[child.id].archived
    assert uow.of_type("registry.child.archived.v1") == [
        {"child_id": child.id, "village_code": VILLAGE}]
    assert visits.archive_adults(uow, date(2027, 1, 1)) == 0


# -- cases ----------------------------------------------------------------------------
def open_case(uow: FakeUnitOfWork, child: Child, situation: str = "none",
              actor: Actor = DIRECTOR, **over: Any) -> Any:
    return cases.open_case(uow, OpenCase(child.id, situation, **over), actor)


def test_a_case_is_opened_once_per_child_and_situation():
    uow = FakeUnitOfWork()
    child = register(uow)
    case = open_case(uow, child)
    (opened,) = uow.of_type("registry.case.opened.v1")
    assert (opened["case_id"], opened["step"], opened["mandatory_report"]) == (
        case.id, "monitoring", False)
    with pytest.raises(DuplicateCase) as dup:
        open_case(uow, child)
    assert dup.value.case_id == case.id
    assert len(uow.fake_cases.rows) == 1 and uow.audited("create", "case") == [case.id]


def test_an_urgent_case_moves_to_emergency_handling_and_may_not_skip_it():
    uow = FakeUnitOfWork()
    case = open_case(uow, register(uow), "domestic_violence")
    assert (case.step, case.severity) == ("report", "urgent")
    with pytest.raises(TransitionRefused):
        cases.transition_case(uow, TransitionCase(case.id, "assessment"), DIRECTOR)
    assert uow.audited("transition_refused", "case") == [case.id]
    moved = cases.transition_case(uow, TransitionCase(case.id, "emergency"), DIRECTOR)
    assert (moved.step, moved.version) == ("emergency", 2)
    assert uow.of_type("registry.case.transitioned.v1") == [{
        "case_id": case.id, "child_id": case.child_id, "village_code": VILLAGE,
        "from_step": "report", "to_step": "emergency", "owner_id": "director"}]
    assert uow.fake_cases.rows[case.id].step == "emergency"


def test_a_closure_waits_for_a_supervisors_approval():
    uow = FakeUnitOfWork()
    case = open_case(uow, register(uow))
    with pytest.raises(ApprovalRequired):
        cases.transition_case(uow, TransitionCase(case.id, "closed", outcome="resolved"),
                              DIRECTOR)
    cases.request_approval(uow, RequestApproval(case.id, "closed", outcome="resolved"),
                           DIRECTOR)
    with pytest.raises(ApprovalRequired):
        cases.decide_approval(uow, DecideApproval(case.id, True), DIRECTOR)
    closed = cases.decide_approval(uow, DecideApproval(case.id, True), SUPERVISOR)
    assert closed.step == "closed"
    assert uow.of_type("registry.case.closed.v1")[0]["case_id"] == case.id
    assert uow.of_type("registry.case.approval_decided.v1")[0]["decision"] == "approved"


def test_a_referral_opens_the_case_and_its_child_to_that_unit_only():
    uow = FakeUnitOfWork()
    child = register(uow)
    case = open_case(uow, child)
    with pytest.raises(NotFound):
        cases.get_case(uow, case.id, POLICE)
    referral = cases.refer_case(uow, ReferCase(case.id, "police", "请协查"), DIRECTOR)
    assert uow.of_type("registry.case.referred.v1") == [{
        "case_id": case.id, "referral_id": referral.id, "village_code": VILLAGE,
        "unit": "police"}]
    assert cases.get_case(uow, case.id, POLICE).id == case.id
    assert children.get_child(uow, child.id, POLICE).id == child.id
    found, total = children.list_children(uow, ChildFilter(), 1, 50, POLICE)
    assert ([c.id for c in found], total) == ([child.id], 1)
    with pytest.raises(TransitionRefused):
        cases.refer_case(uow, ReferCase(case.id, "army"), DIRECTOR)


def test_a_liaison_reports_back_on_its_own_units_referral_only_and_once():
    uow = FakeUnitOfWork()
    case = open_case(uow, register(uow))
    police = cases.refer_case(uow, ReferCase(case.id, "police"), DIRECTOR)
    school = cases.refer_case(uow, ReferCase(case.id, "school"), DIRECTOR)
    with pytest.raises(NotFound):
        cases.record_feedback(uow, RecordReferralFeedback(case.id, school.id, "已核实"),
                              POLICE)
    done = cases.record_feedback(uow, RecordReferralFeedback(case.id, police.id, "已核实"),
                                 POLICE)
    assert [(r.unit, r.open) for r in done.referrals] == [("police", False),
                                                          ("school", True)]
    with pytest.raises(TransitionRefused):
        cases.record_feedback(uow, RecordReferralFeedback(case.id, police.id, "again"),
                              POLICE)
    assert uow.audited("feedback", "case") == [case.id]


def test_a_child_under_16_living_alone_is_graded_high_and_gets_one_automatic_case():
    uow = FakeUnitOfWork()
    child = register(uow, living_alone=True)
    assert uow.fake_children.rows[child.id].risk_grade == "high"
    (opened,) = uow.of_type("registry.case.opened.v1")
    assert (opened["situation"], opened["severity"], opened["mandatory_report"]) == (
        "living_alone", "urgent", True)
    (audit,) = [r for r in uow.fake_audit.rows if r["object_type"] == "case"]
    assert audit["purpose"] == cases.AUTOMATIC and audit["user_id"] == "station"
    children.update_child(uow, UpdateChild(child.id, 1, {"school": "石足小学"}), STATION,
                          POLICY, TODAY)
    assert len(uow.of_type("registry.case.opened.v1")) == 1  # still open: not twice


# -- scope --------------------------------------------------------------------------
def test_records_outside_the_callers_scope_are_not_found_and_not_listed():
    uow = FakeUnitOfWork()
    child = register(uow, village_code=OTHER_VILLAGE)
    case = open_case(uow, child, actor=STATION)
    for read in (lambda a: children.get_child(uow, child.id, a),
                 lambda a: children.child_history(uow, child.id, a),
                 lambda a: visits.child_visits(uow, child.id, a)):
        for outsider in (DIRECTOR, ELSEWHERE):
            with pytest.raises(ChildNotFound):
                read(outsider)
    with pytest.raises(NotFound):
        cases.get_case(uow, case.id, DIRECTOR)
    with pytest.raises(ChildNotFound):
        open_case(uow, child)
    with pytest.raises(ChildNotFound):
        visits.record_visit(uow, visit(child.id), DIRECTOR, POLICY)
    assert children.list_children(uow, ChildFilter(), 1, 50, DIRECTOR) == ([], 0)
    assert cases.list_cases(uow, DIRECTOR, 1, 50) == ([], 0)
    assert uow.audited("read") == []  # nothing was shown, so nothing was read


def test_every_child_shown_in_a_list_is_an_audited_read():
    uow = FakeUnitOfWork()
    ids = sorted(register(uow, name=f"测试儿童{i}").id for i in range(3))
    found, total = children.list_children(uow, ChildFilter(), 1, 2, DIRECTOR)
    assert total == 3 and len(found) == 2
    assert sorted(uow.audited("read", "child")) == sorted(c.id for c in found)
    due, due_total = visits.visits_due(uow, DIRECTOR, TODAY + timedelta(days=90))
    assert (sorted(c.id for c in due), due_total) == (ids, 3)
