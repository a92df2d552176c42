"""隐患整改: the fix task, one missing or damaged protection at one hazard put right.

A finding or a gap the dashboard shows becomes a task assigned to the village committee
with a due date; the village reports it fixed with a photo; the next patrol confirms it
(the hazard's protection is then recorded as present) or finds it still broken (the
task is open again); an open task past its due date is overdue, once per due date.

assigned → reported_fixed → confirmed
    ↑______________| (the patrol found it not fixed)
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime

from services.hazards.domain.exceptions import FixTaskRefused
from services.hazards.domain.kinds import PROTECTIONS

STATUSES = ("assigned", "reported_fixed", "confirmed")
ASSIGNEE = "village_committee"  # 村委会: seed 000 item 27 makes the village fence and sign
# A patrol's finding names the protection it is about.
FINDING_PROTECTION = {"barrier_damaged": "barrier", "sign_missing": "warning_sign",
                      "rescue_gear_missing": "rescue_equipment",
                      "rescue_gear_broken": "rescue_equipment"}


@dataclass
class FixTask:
    hazard_id: str
    village_code: str
    protection: str
    problem: str  # the protection's state when the task was made: missing or damaged
    due_on: date
    created_by: str
    created_at: datetime
    finding_id: str = ""
    note: str = ""
    assigned_to: str = ASSIGNEE
    status: str = "assigned"
    fixed_by: str = ""
    fixed_at: datetime | None = None
    fixed_note: str = ""
    has_photo: bool = False
    confirmed_by: str = ""
    confirmed_at: datetime | None = None
    confirm_note: str = ""
    overdue_notified_on: date | None = None
    id: str = field(default_factory=lambda: str(uuid.uuid4()))
    version: int = 1

    @property
    def open(self) -> bool:
        return self.status != "confirmed"

    def report_fixed(self, by: str, at: datetime, note: str, photo: bool) -> None:
        """The village says it is fixed; a photo shows it (the patrol still checks)."""
        if self.status != "assigned":
            raise FixTaskRefused("status", f"the task is {self.status}, not assigned")
        if not photo:
            raise FixTaskRefused("photo", "a report of a fix needs a photo of it")
        self.status, self.fixed_by, self.fixed_at, self.fixed_note = (
            "reported_fixed", by, at, note)
        self.has_photo = True

    def confirm(self, by: str, at: datetime, fixed: bool, note: str) -> None:
        """The patrol saw it: fixed (done) or not (assigned again, with why)."""
        if self.status != "reported_fixed":
            raise FixTaskRefused("status", f"the task is {self.status}: nothing to confirm yet")
        if not fixed and not note.strip():
            raise FixTaskRefused("note", "say what is still wrong")
        self.confirmed_by, self.confirmed_at, self.confirm_note = by, at, note
        self.status = "confirmed" if fixed else "assigned"

    def overdue(self, today: date) -> bool:
        """Still with the village after its due date (a reported fix waits on the patrol,
        not on the village), and not yet announced for this due date."""
        return (self.status == "assigned" and self.due_on < today
                and self.overdue_notified_on != self.due_on)


def new_task(hazard_id: str, village_code: str, protection: str, state: str, due_on: date,
             by: str, at: datetime, today: date, *, finding_id: str = "",
             note: str = "") -> FixTask:
    """A task for a protection the hazard lacks; refused for one in place or a due date
    before the township's ``today``."""
    if protection not in PROTECTIONS:
        raise FixTaskRefused("protection", f"must be one of {', '.join(PROTECTIONS)}")
    if state == "present":
        raise FixTaskRefused("protection", f"the {protection} is in place: nothing to fix")
    if due_on < today:
        raise FixTaskRefused("due_on", "the due date has passed")
    return FixTask(hazard_id, village_code, protection, state, due_on, by, at,
                   finding_id=finding_id, note=note)
