"""Background checks in the registry: learned from the gateway's events, asked when a
child's director is set (ADR 0506)."""

from __future__ import annotations

from datetime import date

from services.registry.domain.model import Child
from services.registry.domain.staff_checks import StaffCheck, require_director
from services.registry.service_layer.unit_of_work import RegistryUnitOfWork
from shared.events import CloudEvent
from shared.messaging.handlers import EventHandler


def on_check_recorded(uow: RegistryUnitOfWork, event: CloudEvent) -> None:
    """gateway.staff_check.recorded.v1: the person's standing after the check."""
    d = event.data

    def day(key: str) -> date | None:
        return date.fromisoformat(d[key]) if d.get(key) else None

    uow.staff_checks.record(StaffCheck(d["user_id"], d["result"],
                                       date.fromisoformat(d["checked_on"]),
                                       day("valid_until"), day("end_by")))


def check_director(uow: RegistryUnitOfWork, before: Child | None, after: Child,
                   today: date) -> None:
    """A child's director meets the child: one set or changed needs a valid check
    today. Asked only on that change, so a child whose director's check has since
    lapsed can still be corrected (the station sees the person blocked on /checks)."""
    person = after.child_director_id
    if person and (before is None or before.child_director_id != person):
        require_director(person, uow.staff_checks.get(person), today)


HANDLERS: dict[str, EventHandler[RegistryUnitOfWork]] = {
    "gateway.staff_check.recorded.v1": on_check_recorded,
}
