"""The five-step response (docs/domain.md rules 4–6) as an explicit state machine.

monitoring & prevention → discovery & report → emergency handling → assessment &
assistance (two steps here: assessment, then the assistance plan) → guardianship
intervention, then closed. ``TRANSITIONS`` is the whole machine; a supervisor must
approve leaving assessment or assistance and any closure. A director asks for that
approval (``request_approval``); the supervisor approves it, which moves the case, or
returns it with a note. An urgent case never skips emergency handling: from the report
it goes to emergency handling (and its checklist) or, with approval, is closed.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime

from services.registry.domain.exceptions import ApprovalRequired, TransitionRefused
from shared.events.vocabulary import CASE_STEPS

STEPS = CASE_STEPS  # the contract's (shared/events/vocabulary.py), in workflow order
TRANSITIONS: dict[str, frozenset[str]] = {
    "monitoring": frozenset({"report", "closed"}),
    "report": frozenset({"emergency", "assessment", "closed"}),
    "emergency": frozenset({"assessment", "guardianship_intervention"}),
    "assessment": frozenset({"assistance", "guardianship_intervention", "closed"}),
    "assistance": frozenset({"monitoring", "guardianship_intervention", "closed"}),
    "guardianship_intervention": frozenset({"assistance", "closed"}),
    "closed": frozenset(),
}
APPROVAL_TO_LEAVE = frozenset({"assessment", "assistance"})

# Rule 5: what emergency handling must do, by situation (seed 004).
CHECKLISTS: dict[str, tuple[str, ...]] = {
    "living_alone": ("order_parents_back_or_name_caregiver", "admonish_parents",
                     "inform_township"),
    "guardian_incapable": ("contact_parents_or_relatives", "inform_township"),
    "parents_unreachable": ("escort_to_relatives_committee_or_rescue_institution",
                            "inform_township"),
    "missing": ("start_fast_missing_child_search", "inform_township"),
    "domestic_violence": ("stop_violence", "place_in_shelter", "inform_township"),
    "other_harm": ("protect_child", "gather_evidence", "arrange_medical_care",
                   "inform_township"),
    "none": (),
}
MANDATORY_SITUATIONS = frozenset(CHECKLISTS) - {"none"}
DUTY_HOLDERS = ("school", "kindergarten", "clinic", "village_committee", "social_work",
                "welfare_institution", "police", "other")
REPORT_TIMES = ("intake_at", "police_handover_at", "handling_at", "feedback_at")


@dataclass
class StepRecord:
    step: str
    owner_id: str
    entered_at: datetime
    note: str = ""
    approved_by: str = ""


@dataclass
class ApprovalRequest:
    """A director's request to take a step only a supervisor may allow, and its answer."""

    to_step: str
    requested_by: str
    requested_at: datetime
    note: str = ""
    outcome: str = ""  # for a closure: the outcome the director proposes
    decision: str = ""  # "", "approved" or "returned"
    decided_by: str = ""
    decided_at: datetime | None = None
    decision_note: str = ""
    id: str = field(default_factory=lambda: str(uuid.uuid4()))


@dataclass
class Referral:
    unit: str
    sent_at: datetime
    note: str = ""
    feedback: str = ""
    feedback_at: datetime | None = None
    id: str = field(default_factory=lambda: str(uuid.uuid4()))

    @property
    def open(self) -> bool:
        return self.feedback_at is None


@dataclass
class Case:
    child_id: str
    village_code: str
    situation: str
    severity: str
    step: str
    owner_id: str
    opened_at: datetime
    mandatory_report: bool = False
    report: dict[str, str] = field(default_factory=dict)  # reporter, duty holder, times
    checklist_done: list[str] = field(default_factory=list)
    history: list[StepRecord] = field(default_factory=list)
    referrals: list[Referral] = field(default_factory=list)
    approvals: list[ApprovalRequest] = field(default_factory=list)
    outcome: str = ""
    id: str = field(default_factory=lambda: str(uuid.uuid4()))
    version: int = 1

    @property
    def checklist(self) -> tuple[str, ...]:
        return CHECKLISTS[self.situation]

    def referred_to(self, unit: str) -> bool:
        """Was this case ever referred to ``unit``? (A liaison's relation to it.)"""
        return any(r.unit == unit for r in self.referrals)

    def open_referrals(self) -> list[Referral]:
        return [r for r in self.referrals if r.open]

    @property
    def pending(self) -> ApprovalRequest | None:
        """The request waiting for a supervisor's decision, if any (at most one)."""
        last = self.approvals[-1] if self.approvals else None
        return last if last is not None and not last.decision else None

    def needs_approval(self, to_step: str) -> bool:
        return self.step in APPROVAL_TO_LEAVE or to_step == "closed"

    def skips_emergency(self, to_step: str) -> bool:
        """An urgent case goes from the report to emergency handling, never past it."""
        return self.severity == "urgent" and self.step == "report" and to_step == "assessment"

    def moves(self) -> list[tuple[str, bool]]:
        """(step, needs approval) of every step this case may go to next, in order: what
        a page offers (the checklist, outcome and referrals are checked on the move)."""
        return [(s, self.needs_approval(s)) for s in STEPS
                if s in TRANSITIONS[self.step] and not self.skips_emergency(s)]

    def request_approval(self, to_step: str, by: str, at: datetime, *, note: str = "",
                         outcome: str = "") -> ApprovalRequest:
        """Ask a supervisor to allow ``to_step``; refused when the move needs no approval
        or could not be made even with it, so a supervisor is only asked what they can
        approve."""
        if self.pending is not None:
            raise TransitionRefused(f"already waiting for approval of {self.pending.to_step}")
        if to_step in STEPS and not self.needs_approval(to_step):
            raise TransitionRefused(f"{self.step} → {to_step} needs no approval: move it")
        refusal = self.refusal(to_step, True, outcome)
        if refusal is not None:
            raise refusal
        request = ApprovalRequest(to_step, by, at, note, outcome)
        self.approvals.append(request)
        return request

    def decide(self, approve: bool, by: str, at: datetime, note: str = "") -> ApprovalRequest:
        """Approve the waiting request (the case moves, still owned by the requester) or
        return it with a note saying why."""
        request = self.pending
        if request is None:
            raise TransitionRefused("no request is waiting for approval")
        if by == request.requested_by:
            raise TransitionRefused("a request is approved or returned by someone else")
        if not approve and not note.strip():
            raise TransitionRefused("returning a request needs a note saying why")
        if approve:
            refusal = self.refusal(request.to_step, True, request.outcome)
            if refusal is not None:
                raise refusal
            self._enter(request.to_step, request.requested_by, at, note or request.note,
                        request.outcome, approved_by=by)
        request.decision = "approved" if approve else "returned"
        request.decided_by, request.decided_at, request.decision_note = by, at, note
        return request

    def tick(self, items: list[str]) -> None:
        unknown = set(items) - set(self.checklist)
        if unknown:
            raise TransitionRefused(f"not on the {self.situation} checklist: {sorted(unknown)}")
        self.checklist_done = sorted(set(self.checklist_done) | set(items))

    def move(self, to_step: str, owner_id: str, at: datetime, *, can_approve: bool,
             note: str = "", outcome: str = "") -> StepRecord:
        """Move to ``to_step``; refuses what the machine or the rules do not allow, and
        any move while a request waits for a supervisor's decision."""
        if self.pending is not None:
            raise TransitionRefused(f"waiting for a supervisor to approve or return the "
                                    f"request for {self.pending.to_step}")
        refusal = self.refusal(to_step, can_approve, outcome)
        if refusal is not None:
            raise refusal
        return self._enter(to_step, owner_id, at, note, outcome,
                           approved_by=owner_id if self.needs_approval(to_step) else "")

    def _enter(self, to_step: str, owner_id: str, at: datetime, note: str, outcome: str,
               approved_by: str) -> StepRecord:
        record = StepRecord(to_step, owner_id, at, note, approved_by)
        self.history.append(record)
        self.step, self.owner_id = to_step, owner_id
        if to_step == "closed":
            self.outcome = outcome
        return record

    def refusal(self, to_step: str, can_approve: bool, outcome: str = "") -> Exception | None:
        if to_step not in STEPS:
            return TransitionRefused(f"unknown step {to_step!r}")
        if to_step not in TRANSITIONS[self.step]:
            allowed = sorted(TRANSITIONS[self.step]) or "none (the case is closed)"
            return TransitionRefused(f"{self.step} → {to_step} is not allowed; "
                                     f"allowed: {allowed}")
        if self.needs_approval(to_step) and not can_approve:
            return ApprovalRequired(f"leaving {self.step} for {to_step} needs a "
                                    "supervisor's approval: ask for it")
        if self.skips_emergency(to_step):
            return TransitionRefused("an urgent case goes through emergency handling and its "
                                     "checklist before assessment")
        if self.step == "emergency":
            missing = [i for i in self.checklist if i not in self.checklist_done]
            if missing:
                return TransitionRefused(f"emergency checklist not done: {missing}")
        if to_step == "closed":
            if self.open_referrals():
                return TransitionRefused("referrals still await the receiving unit's feedback")
            if not outcome:
                return TransitionRefused("closing a case needs an outcome")
        return None


def open_case(child_id: str, village_code: str, situation: str, owner_id: str,
              at: datetime, *, severity: str | None = None, step: str | None = None,
              report: dict[str, str] | None = None, note: str = "") -> Case:
    """A new case; situations of rule 6 are mandatory reports and start at 'report'.
    ``note`` (what the person opening it found) is kept with the first step."""
    if situation not in CHECKLISTS:
        raise TransitionRefused(f"unknown situation {situation!r}")
    mandatory = situation in MANDATORY_SITUATIONS
    start = step or ("report" if mandatory else "monitoring")
    if start not in ("monitoring", "report", "emergency"):
        raise TransitionRefused("a case opens at monitoring, report or emergency")
    report = dict(report or {})
    if mandatory:
        report.setdefault("intake_at", at.isoformat())
    case = Case(child_id=child_id, village_code=village_code, situation=situation,
                severity=severity or ("urgent" if mandatory else "normal"), step=start,
                owner_id=owner_id, opened_at=at, mandatory_report=mandatory, report=report)
    case.history.append(StepRecord(start, owner_id, at, note))
    return case
