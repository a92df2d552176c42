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


def case_at(step: str, situation: str = "guardian_incapable"):
    case = open_case("c1", "500110120201", situation, "director", AT)
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
