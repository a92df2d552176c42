"""Handlers for cases: open (by hand or automatically), move, refer, hear back, read."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

from services.registry.domain import cases as domain
from services.registry.domain.cases import DUTY_HOLDERS, REPORT_TIMES, Case
from services.registry.domain.exceptions import (
    ApprovalRequired,
    ChildNotFound,
    DuplicateCase,
    NotFound,
    TransitionRefused,
)
from services.registry.domain.model import Child
from services.registry.domain.ports import UnitOfWork
from services.registry.service_layer import scope
from services.registry.service_layer.commands import (
    DecideApproval,
    OpenCase,
    RecordReferralFeedback,
    ReferCase,
    RequestApproval,
    TransitionCase,
)
from services.registry.service_layer.context import Actor
from shared.errors import found_in_scope
from shared.events.vocabulary import UNITS

REPORT_FIELDS = frozenset({"reporter", "duty_holder", *REPORT_TIMES})


def _now() -> datetime:
    return datetime.now(UTC)


def _publish_opened(uow: UnitOfWork, case: Case) -> None:
    uow.publish("registry.case.opened.v1", {
        "case_id": case.id, "child_id": case.child_id, "village_code": case.village_code,
        "situation": case.situation, "severity": case.severity, "step": case.step,
        "mandatory_report": case.mandatory_report, "opened_at": case.opened_at.isoformat(),
    })


def _add_unless_open(uow: UnitOfWork, case: Case) -> Case | None:
    """Store and announce ``case``, unless its child already has an open (not closed)
    case of that situation: then nothing is stored or published and that case is
    returned. One open case per child and situation, so the police hear of it once."""
    existing = uow.cases.open_for_child(case.child_id, case.situation)
    if existing is not None:
        return existing
    uow.cases.add(case)
    _publish_opened(uow, case)
    return None


AUTOMATIC = "automatic: mandatory report, child under 16 living alone"
CASE_CREATED = ["situation", "severity", "report"]


def open_living_alone_case(uow: UnitOfWork, child: Child, actor: Actor,
                           today: date) -> Case | None:
    """A child under 16 living alone is a mandatory-report case (rules 1 and 6), once:
    None when the child does not live alone or already has such a case open. The case
    is audited as created by the person whose write revealed it, purpose "automatic"."""
    if not child.living_alone(today):
        return None
    case = domain.open_case(child.id, child.village_code, "living_alone", actor.id, _now(),
                            report={"reporter": actor.id, "duty_holder": "village_committee"})
    if _add_unless_open(uow, case):
        return None
    replace(actor, purpose=AUTOMATIC).audit(uow, "create", "case", case.id, CASE_CREATED)
    return case


def _check_report(report: dict[str, str]) -> dict[str, str]:
    unknown = set(report) - REPORT_FIELDS
    if unknown:
        raise TransitionRefused(f"unknown mandatory-report fields {sorted(unknown)}")
    if report.get("duty_holder") and report["duty_holder"] not in DUTY_HOLDERS:
        raise TransitionRefused(f"duty_holder must be one of {list(DUTY_HOLDERS)}")
    return report


def open_case(uow: UnitOfWork, cmd: OpenCase, actor: Actor) -> Case:
    """Open a case; refused (naming it) while the child has one of that situation open.

    The child's row is locked first, so two copies of the form sent at once open one
    case: the second waits, then finds the first (automatic ones included)."""
    with uow:
        child = found_in_scope(uow.children.get(cmd.child_id, lock=True), actor.sees,
                               ChildNotFound(f"no child {cmd.child_id}"))
        case = domain.open_case(child.id, child.village_code, cmd.situation, actor.id, _now(),
                                severity=cmd.severity, step=cmd.step, note=cmd.note,
                                report={"reporter": actor.id, **_check_report(cmd.report)})
        existing = _add_unless_open(uow, case)
        if existing is not None:
            raise DuplicateCase(child.id, case.situation, existing.id)
        actor.audit(uow, "create", "case", case.id, CASE_CREATED)
    return case


def _load(uow: UnitOfWork, case_id: str, actor: Actor) -> Case:
    return found_in_scope(uow.cases.get(case_id), lambda c: scope.may_open_case(uow, actor, c),
                          NotFound(f"no case {case_id}"))


def get_case(uow: UnitOfWork, case_id: str, actor: Actor) -> Case:
    with uow:
        case = _load(uow, case_id, actor)
        actor.audit(uow, "read", "case", case.id, actor.fields("case"))
    return case


def list_cases(uow: UnitOfWork, actor: Actor, page: int, page_size: int,
               step: str = "", child_id: str = "",
               awaiting: bool = False) -> tuple[list[Case], int]:
    """One page of cases in the caller's scope; each case shown is an audited read."""
    with uow:
        related = scope.related_cases(uow, actor)
        if related is None:
            found, total = uow.cases.query(actor.principal.village_codes or None,
                                           actor.principal.township_code, page, page_size,
                                           awaiting, step=step, child_id=child_id)
        else:
            related = [c for c in related if (not step or c.step == step)
                       and (not child_id or c.child_id == child_id)
                       and (not awaiting or c.pending is not None)]
            found = related[(page - 1) * page_size:page * page_size]
            total = len(related)
        for case in found:
            actor.audit(uow, "read", "case", case.id, actor.fields("case"))
    return found, total


def _publish_moved(uow: UnitOfWork, case: Case, from_step: str) -> None:
    uow.publish("registry.case.transitioned.v1", {
        "case_id": case.id, "child_id": case.child_id, "village_code": case.village_code,
        "from_step": from_step, "to_step": case.step, "owner_id": case.owner_id})
    if case.step == "closed":
        uow.publish("registry.case.closed.v1", {
            "case_id": case.id, "child_id": case.child_id,
            "village_code": case.village_code, "outcome": case.outcome})


def transition_case(uow: UnitOfWork, cmd: TransitionCase, actor: Actor) -> Case:
    """Tick checklist items, add report times, then move the case one step. A refused
    attempt is audited too, in its own transaction (the attempt's is rolled back)."""
    try:
        return _transition(uow, cmd, actor)
    except (TransitionRefused, ApprovalRequired):
        with uow:
            actor.audit(uow, "transition_refused", "case", cmd.case_id, ["step"])
        raise


def _transition(uow: UnitOfWork, cmd: TransitionCase, actor: Actor) -> Case:
    with uow:
        case = _load(uow, cmd.case_id, actor)
        version, from_step = case.version, case.step
        case.tick(cmd.checklist_done)
        case.report.update(_check_report(cmd.report))
        case.move(cmd.to_step, actor.id, _now(), can_approve=actor.can_approve, note=cmd.note,
                  outcome=cmd.outcome)
        uow.cases.save(case, version)
        actor.audit(uow, "transition", "case", case.id, ["step", "checklist_done", "report"])
        _publish_moved(uow, case, from_step)
    return case


def request_approval(uow: UnitOfWork, cmd: RequestApproval, actor: Actor) -> Case:
    """Ask the township's supervisors to approve a step (they hear of it by the notifier)."""
    with uow:
        case = _load(uow, cmd.case_id, actor)
        version = case.version
        request = case.request_approval(cmd.to_step, actor.id, _now(), note=cmd.note,
                                        outcome=cmd.outcome)
        uow.cases.save(case, version)
        actor.audit(uow, "request_approval", "case", case.id, ["approvals"])
        uow.publish("registry.case.approval_requested.v1", {
            "case_id": case.id, "request_id": request.id, "village_code": case.village_code,
            "from_step": case.step, "to_step": request.to_step,
            "requested_by": request.requested_by})
    return case


def decide_approval(uow: UnitOfWork, cmd: DecideApproval, actor: Actor) -> Case:
    """A supervisor approves the waiting request (the case moves) or returns it."""
    if not actor.can_approve:
        raise ApprovalRequired("only a supervisor approves or returns a request")
    with uow:
        case = _load(uow, cmd.case_id, actor)
        version, from_step = case.version, case.step
        request = case.decide(cmd.approve, actor.id, _now(), cmd.note)
        uow.cases.save(case, version)
        actor.audit(uow, "decide_approval", "case", case.id, ["approvals", "step"])
        uow.publish("registry.case.approval_decided.v1", {
            "case_id": case.id, "request_id": request.id, "village_code": case.village_code,
            "to_step": request.to_step, "decision": request.decision,
            "requested_by": request.requested_by, "decided_by": request.decided_by})
        if cmd.approve:
            _publish_moved(uow, case, from_step)
    return case


def refer_case(uow: UnitOfWork, cmd: ReferCase, actor: Actor) -> domain.Referral:
    """Refer to another unit; the referral stays open until that unit reports back."""
    if cmd.unit not in UNITS:
        raise TransitionRefused(f"unknown unit {cmd.unit!r}")
    with uow:
        case = _load(uow, cmd.case_id, actor)
        if case.step == "closed":
            raise TransitionRefused("the case is closed")
        referral = domain.Referral(cmd.unit, _now(), cmd.note)
        version = case.version
        case.referrals.append(referral)
        uow.cases.save(case, version)
        actor.audit(uow, "refer", "case", case.id, ["referrals"])
        uow.publish("registry.case.referred.v1", {
            "case_id": case.id, "referral_id": referral.id,
            "village_code": case.village_code, "unit": referral.unit})
    return referral


def record_feedback(uow: UnitOfWork, cmd: RecordReferralFeedback, actor: Actor) -> Case:
    with uow:
        case = _load(uow, cmd.case_id, actor)
        referral = next((r for r in case.referrals if r.id == cmd.referral_id), None)
        if referral is None or actor.referral_unit not in ("", referral.unit):
            raise NotFound(f"no referral {cmd.referral_id}")  # a liaison answers its own
        if not referral.open:
            raise TransitionRefused("the unit already reported back")
        version = case.version
        referral.feedback, referral.feedback_at = cmd.feedback, _now()
        uow.cases.save(case, version)
        actor.audit(uow, "feedback", "case", case.id, ["referrals"])
    return case
