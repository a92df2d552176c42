"""The five-step case machine: every allowed and every refused transition."""

from datetime import UTC, datetime
from itertools import product

import pytest

from services.registry.domain.cases import (
    APPROVAL_TO_LEAVE,
    CHECKLISTS,
    STEPS,
    TRANSITIONS,
    Referral,
    open_case,
)
from services.registry.domain.exceptions import ApprovalRequired, TransitionRefused

AT = datetime(2026, 7, 1, 14, 0, tzinfo=UTC)
PAIRS = list(product(STEPS, STEPS))


def case_at(step: str, situation: str = "guardian_incapable", severity: str = "normal"):
    case = open_case("c1", "500110120201", situation, "director", AT, severity=severity)
    case.step = step
    case.tick(list(case.checklist))
    return case


@pytest.mark.parametrize(("src", "dst"), [p for p in PAIRS if p[1] in TRANSITIONS[p[0]]])
def test_allowed_transition_moves_and_records_the_step(src, dst):
    case = case_at(src)
    case.move(dst, "supervisor", AT, can_approve=True, note="n", outcome="resolved")
    assert case.step == dst and case.owner_id == "supervisor"
    assert case.history[-1].step == dst and case.history[-1].owner_id == "supervisor"


@pytest.mark.parametrize(("src", "dst"), [p for p in PAIRS if p[1] not in TRANSITIONS[p[0]]])
def test_refused_transition_leaves_the_case_as_it_was(src, dst):
    case = case_at(src)
    with pytest.raises(TransitionRefused, match="not allowed"):
        case.move(dst, "supervisor", AT, can_approve=True, outcome="resolved")
    assert case.step == src and len(case.history) == 1


@pytest.mark.parametrize(("src", "dst"), [p for p in PAIRS if p[1] in TRANSITIONS[p[0]]
                                          and (p[0] in APPROVAL_TO_LEAVE or p[1] == "closed")])
def test_closing_steps_need_a_supervisor(src, dst):
    case = case_at(src)
    with pytest.raises(ApprovalRequired):
        case.move(dst, "director", AT, can_approve=False, outcome="resolved")
    case.move(dst, "supervisor", AT, can_approve=True, outcome="resolved")
    assert case.history[-1].approved_by == "supervisor"


def test_other_steps_need_no_approval():
    case = case_at("monitoring")
    case.move("report", "director", AT, can_approve=False)
    assert case.step == "report" and case.history[-1].approved_by == ""


@pytest.mark.parametrize("situation", sorted(set(CHECKLISTS) - {"none"}))
def test_emergency_cannot_end_before_its_checklist(situation):
    case = open_case("c1", "500110120201", situation, "director", AT, step="emergency")
    with pytest.raises(TransitionRefused, match="checklist"):
        case.move("assessment", "director", AT, can_approve=True)
    case.tick(list(CHECKLISTS[situation]))
    case.move("assessment", "director", AT, can_approve=True)
    assert case.step == "assessment"


def test_ticking_an_item_of_another_situation_is_refused():
    case = open_case("c1", "500110120201", "missing", "d", AT, step="emergency")
    with pytest.raises(TransitionRefused):
        case.tick(["place_in_shelter"])


def test_open_referral_blocks_closing_until_the_unit_reports_back():
    case = case_at("assessment")
    case.referrals.append(Referral("police", AT))
    with pytest.raises(TransitionRefused, match="referrals"):
        case.move("closed", "s", AT, can_approve=True, outcome="safe")
    case.referrals[0].feedback_at = AT
    case.move("closed", "s", AT, can_approve=True, outcome="safe")
    assert case.outcome == "safe"


def test_closing_needs_an_outcome():
    with pytest.raises(TransitionRefused, match="outcome"):
        case_at("assessment").move("closed", "s", AT, can_approve=True)


def test_mandatory_situations_open_as_urgent_reports_with_intake_time():
    case = open_case("c1", "500110120201", "living_alone", "d", AT)
    assert (case.step, case.severity, case.mandatory_report) == ("report", "urgent", True)
    assert case.report["intake_at"] == AT.isoformat()
    plain = open_case("c1", "500110120201", "none", "d", AT)
    assert (plain.step, plain.severity, plain.mandatory_report) == ("monitoring", "normal", False)


def test_a_case_cannot_open_halfway():
    with pytest.raises(TransitionRefused):
        open_case("c1", "500110120201", "none", "d", AT, step="assistance")


def test_an_urgent_case_cannot_skip_emergency_handling():
    case = open_case("c1", "500110120201", "living_alone", "director", AT)
    assert (case.severity, case.step) == ("urgent", "report")
    with pytest.raises(TransitionRefused, match="emergency handling"):
        case.move("assessment", "supervisor", AT, can_approve=True)
    case.move("emergency", "director", AT, can_approve=False)
    with pytest.raises(TransitionRefused, match="checklist"):
        case.move("assessment", "director", AT, can_approve=False)
    case.tick(list(case.checklist))
    case.move("assessment", "director", AT, can_approve=False)
    assert [h.step for h in case.history] == ["report", "emergency", "assessment"]


def test_the_moves_offered_leave_out_the_skip_and_say_which_need_approval():
    urgent = open_case("c1", "500110120201", "living_alone", "director", AT)
    assert urgent.moves() == [("emergency", False), ("closed", True)]
    assert case_at("report").moves() == [
        ("emergency", False), ("assessment", False), ("closed", True)]
    assert case_at("assessment").moves() == [
        ("assistance", True), ("guardianship_intervention", True), ("closed", True)]


def test_a_normal_case_may_go_from_report_to_assessment():
    case = open_case("c1", "500110120201", "none", "director", AT, step="report")
    case.move("assessment", "director", AT, can_approve=False)
    assert case.step == "assessment"


def test_a_director_asks_and_the_supervisor_approves_which_moves_the_case():
    case = case_at("assessment")
    request = case.request_approval("assistance", "director", AT, note="评估完成")
    assert case.pending is request and case.step == "assessment"
    with pytest.raises(TransitionRefused, match="waiting"):
        case.move("assistance", "supervisor", AT, can_approve=True)
    with pytest.raises(TransitionRefused, match="already waiting"):
        case.request_approval("closed", "director", AT, outcome="ok")
    with pytest.raises(TransitionRefused, match="someone else"):
        case.decide(True, "director", AT)
    case.decide(True, "supervisor", AT, note="同意")
    assert case.step == "assistance" and case.owner_id == "director"
    assert case.history[-1].approved_by == "supervisor" and case.pending is None
    assert (request.decision, request.decided_by) == ("approved", "supervisor")


def test_a_returned_request_needs_a_note_and_leaves_the_case_where_it_was():
    case = case_at("assistance")
    case.request_approval("closed", "director", AT, outcome="监护已恢复")
    with pytest.raises(TransitionRefused, match="note"):
        case.decide(False, "supervisor", AT, note=" ")
    returned = case.decide(False, "supervisor", AT, note="请补充走访记录")
    assert (returned.decision, returned.decision_note) == ("returned", "请补充走访记录")
    assert case.step == "assistance" and case.pending is None and len(case.history) == 1
    with pytest.raises(TransitionRefused, match="no request"):
        case.decide(True, "supervisor", AT)


@pytest.mark.parametrize(("step", "to", "outcome", "message"), [
    ("monitoring", "report", "", "needs no approval"),
    ("assessment", "monitoring", "", "not allowed"),
    ("assistance", "closed", "", "outcome"),
])
def test_only_a_move_a_supervisor_could_approve_may_be_asked_for(step, to, outcome, message):
    case = case_at(step)
    with pytest.raises(TransitionRefused, match=message):
        case.request_approval(to, "director", AT, outcome=outcome)
    assert case.approvals == []
