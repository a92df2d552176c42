"""Handlers for fix tasks (隐患整改): assign, report fixed, confirm, the overdue scan.

Each change and its ``hazards.fix_task.*`` event commit together; a confirmed fix
records the protection as present on the hazard in the same transaction, so the map,
the dashboard and the risk model hear of it from ``hazards.hazard.updated.v1``."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime

from services.hazards.adapters.photos import clean_photo
from services.hazards.domain.exceptions import DuplicateFixTask, FixTaskRefused, NotFound
from services.hazards.domain.fix_tasks import FINDING_PROTECTION, FixTask, new_task
from services.hazards.domain.ports import UnitOfWork
from services.hazards.service_layer.handlers import Context, apply_changes
from shared.clock import business_date
from shared.errors import found_in_scope

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AssignFix:
    due_on: date
    hazard_id: str = ""
    protection: str = ""
    finding_id: str = ""
    note: str = ""


def _changed(uow: UnitOfWork, event: str, task: FixTask, at: datetime) -> None:
    uow.publish(event, {"task_id": task.id, "hazard_id": task.hazard_id,
                        "village_code": task.village_code, "protection": task.protection,
                        "status": task.status, "due_on": task.due_on.isoformat(),
                        "at": at.isoformat()})


def _target(uow: UnitOfWork, cmd: AssignFix) -> tuple[str, str, str]:
    """(hazard, protection, finding) the task is about: named, or a finding's."""
    if not cmd.finding_id:
        return cmd.hazard_id, cmd.protection, ""
    finding = uow.findings.get(cmd.finding_id)
    if finding is None:
        raise NotFound(f"no finding {cmd.finding_id}")
    if finding["kind"] not in FINDING_PROTECTION:
        raise FixTaskRefused("finding_id", f"a {finding['kind']} finding is not about a "
                             "protection")
    return finding["hazard_id"], FINDING_PROTECTION[finding["kind"]], finding["id"]


def assign(uow: UnitOfWork, cmd: AssignFix, ctx: Context, now: datetime) -> FixTask:
    """A task for the village committee; one open task per hazard and protection."""
    with uow:
        hazard_id, protection, finding_id = _target(uow, cmd)
        hazard = ctx.load_hazard(uow, hazard_id)
        open_task = uow.fix_tasks.open_for(hazard.id, protection)
        if open_task is not None:
            raise DuplicateFixTask(open_task.id)
        state = "damaged" if finding_id else hazard.protections.get(protection, "")
        task = new_task(hazard.id, hazard.village_code, protection, state, cmd.due_on,
                        ctx.user_id, now, business_date(now), finding_id=finding_id,
                        note=cmd.note)
        uow.fix_tasks.add(task)
        uow.publish("hazards.fix_task.assigned.v1", {
            "task_id": task.id, "hazard_id": task.hazard_id,
            "village_code": task.village_code, "protection": task.protection,
            "problem": task.problem, "due_on": task.due_on.isoformat(),
            "assigned_to": task.assigned_to, "finding_id": task.finding_id})
    return task


def _load(uow: UnitOfWork, task_id: str, ctx: Context) -> FixTask:
    return found_in_scope(uow.fix_tasks.get(task_id), lambda t: ctx.in_scope(t.village_code),
                          NotFound(f"no fix task {task_id}"))


def report_fixed(uow: UnitOfWork, task_id: str, note: str, photo: bytes | None,
                 max_bytes: int, ctx: Context, now: datetime) -> FixTask:
    """The village says it is fixed, with a photo (re-encoded, no EXIF kept)."""
    cleaned = clean_photo(photo, max_bytes) if photo else None
    with uow:
        task = _load(uow, task_id, ctx)
        task.report_fixed(ctx.user_id, now, note, cleaned is not None)
        uow.fix_tasks.save(task, cleaned)
        _changed(uow, "hazards.fix_task.reported_fixed.v1", task, now)
    return task


def confirm(uow: UnitOfWork, task_id: str, fixed: bool, note: str, ctx: Context,
            now: datetime) -> FixTask:
    """The patrol saw it; a fix seen makes the hazard's protection present."""
    with uow:
        task = _load(uow, task_id, ctx)
        task.confirm(ctx.user_id, now, fixed, note)
        uow.fix_tasks.save(task)
        _changed(uow, "hazards.fix_task.confirmed.v1", task, now)
        if fixed:
            apply_changes(uow, task.hazard_id, {task.protection: "present"}, ctx)
    return task


def scan_overdue(uow: UnitOfWork, today: date) -> list[str]:
    """Announce each task still with the village after its due date, once per due date."""
    with uow:
        late = [t for t in uow.fix_tasks.past_due(today) if t.overdue(today)]
        for task in late:
            task.overdue_notified_on = task.due_on
            uow.fix_tasks.save(task)
            uow.publish("hazards.fix_task.overdue.v1", {
                "task_id": task.id, "hazard_id": task.hazard_id,
                "village_code": task.village_code, "protection": task.protection,
                "due_on": task.due_on.isoformat()})
    if late:
        log.warning("%d fix task(s) overdue", len(late))
    return [t.id for t in late]


def list_tasks(uow: UnitOfWork, villages: frozenset[str] | None, status: str,
               page: int, page_size: int) -> tuple[list[FixTask], int]:
    with uow:
        return uow.fix_tasks.page(villages, status, page, page_size)


def get_task(uow: UnitOfWork, task_id: str, ctx: Context) -> FixTask:
    with uow:
        return _load(uow, task_id, ctx)


def photo(uow: UnitOfWork, task_id: str, ctx: Context) -> tuple[bytes, str]:
    with uow:
        _load(uow, task_id, ctx)
        found = uow.fix_tasks.photo(task_id)
    if found is None:
        raise NotFound(f"fix task {task_id} has no photo")
    return found
