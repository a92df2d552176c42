"""Handlers for home visits: record one, list who is due, scan for overdue visits."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import date, timedelta
from typing import NamedTuple

from services.registry.domain.exceptions import ChildNotFound, InvalidChild
from services.registry.domain.model import Child
from services.registry.domain.ports import ChildFilter, UnitOfWork
from services.registry.domain.visits import FINDING_AREAS, Visit, next_due
from services.registry.service_layer.commands import RecordVisit
from services.registry.service_layer.context import Actor, Policy
from shared import clock
from shared.clock import business_date, township_today
from shared.errors import found_in_scope
from shared.geo import CoordinateError, check_in_region, to_wgs84

log = logging.getLogger(__name__)


class RecordedVisit(NamedTuple):
    visit_id: str
    next_due: date
    created: bool  # False: the same visit was already stored (a resent request)


def _checked_location(cmd: RecordVisit, policy: Policy) -> tuple[float | None, float | None]:
    """The visit's time, findings and place checked; the place in WGS 84."""
    if cmd.visited_at > clock.now() + timedelta(minutes=10):
        raise InvalidChild("visited_at", "lies in the future")
    unknown = set(cmd.findings) - set(FINDING_AREAS)
    if unknown:
        raise InvalidChild("findings", f"unknown areas {sorted(unknown)}; use {FINDING_AREAS}")
    if cmd.lon is None or cmd.lat is None:
        return cmd.lon, cmd.lat
    lon, lat = to_wgs84(cmd.lon, cmd.lat, cmd.datum)
    try:
        check_in_region(lon, lat, policy.region, "location")
    except CoordinateError as exc:
        raise InvalidChild("location", str(exc)) from exc
    return lon, lat


def record_visit(uow: UnitOfWork, cmd: RecordVisit, actor: Actor,
                 policy: Policy) -> RecordedVisit:
    """Record a home visit; the next one falls due after the grade's interval.

    The same child, visitor and ``visited_at`` is the same visit: a phone resending a
    request whose answer was lost gets the stored visit back, and nothing is written,
    published or recomputed (the unique index settles two copies arriving at once).
    """
    lon, lat = _checked_location(cmd, policy)
    with uow:
        child = found_in_scope(uow.children.get(cmd.child_id, lock=True), actor.sees,
                               ChildNotFound(f"no child {cmd.child_id}"))
        visit = Visit(child.id, actor.id, cmd.visited_at, lon, lat, dict(cmd.findings),
                      cmd.next_steps)
        visited_on = business_date(cmd.visited_at)  # the township's day, not UTC's
        due = next_due(visited_on, policy.model.visit_days[child.risk_grade])
        if not uow.visits.add(visit, child.village_code, due):
            stored = uow.visits.find(child.id, actor.id, cmd.visited_at)
            assert stored is not None, "a visit refused as a copy is stored"
            return RecordedVisit(*stored, created=False)
        visited = replace(child, last_visited_at=visited_on, next_visit_due=due)
        uow.children.save(visited, child.version, actor.id, "visit")
        actor.audit(uow, "visit", "child", child.id, ["visits", "next_visit_due"])
        uow.publish("registry.visit.recorded.v1", {
            "visit_id": visit.id, "child_id": child.id, "village_code": child.village_code,
            "visited_at": cmd.visited_at.isoformat(), "visitor_id": actor.id,
            "next_due": due.isoformat()})
    return RecordedVisit(visit.id, due, created=True)


def child_visits(uow: UnitOfWork, child_id: str, actor: Actor) -> list[dict]:
    """A child's home visits, newest first (an audited read: findings are personal)."""
    with uow:
        found_in_scope(uow.children.get(child_id), actor.sees,
                       ChildNotFound(f"no child {child_id}"))
        found = uow.visits.for_child(child_id)
        actor.audit(uow, "read", "child", child_id, ["visits"])
    return found


def visits_due(uow: UnitOfWork, actor: Actor, until: date, director_id: str = "",
               page: int = 1, page_size: int = 50) -> tuple[list[Child], int]:
    """One page of the children whose next visit falls due by ``until`` (overdue ones
    first) and how many are due in all. The children shown are the audited reads, in
    one write: not every child due, at every view."""
    f = ChildFilter(villages=actor.principal.village_codes or None,
                    township=actor.principal.township_code, due_by=until,
                    child_director_id=director_id)
    with uow:
        due, total = uow.children.due(f, page, page_size)
        actor.audit_many(uow, "read", "child", [c.id for c in due],
                         ["name", "next_visit_due"])
    return due, total


def archive_adults(uow: UnitOfWork, today: date | None = None) -> int:
    """Children who turned 18 leave the registry's active lists (registry.child.archived)."""
    today = today or township_today()
    leap_day = (today.month, today.day) == (2, 29)
    cutoff = date(today.year - 18, today.month, 28 if leap_day else today.day)
    with uow:
        adults = list(uow.children.iter_all(ChildFilter(born_on_or_before=cutoff)))
        uow.children.archive([c.id for c in adults])
        for child in adults:
            uow.publish("registry.child.archived.v1", {"child_id": child.id,
                                                       "village_code": child.village_code})
    return len(adults)


def scan_overdue(uow: UnitOfWork, today: date | None = None) -> int:
    """Publish registry.visit.overdue once per child and due date; safe to run twice at once.

    The notice row's primary key (child, due date) decides who publishes: a concurrent or
    repeated scan finds the row taken and publishes nothing.
    """
    today = today or township_today()
    published = 0
    with uow:
        for child in uow.children.iter_all(ChildFilter(overdue_on=today)):
            assert child.next_visit_due is not None
            if not uow.visits.claim_overdue(child.id, child.next_visit_due):
                continue
            uow.publish("registry.visit.overdue.v1", {
                "child_id": child.id, "village_code": child.village_code,
                "due_date": child.next_visit_due.isoformat(),
                "child_director_id": child.child_director_id, "risk_grade": child.risk_grade})
            published += 1
    if published:
        log.info("overdue scan: %d new overdue visits", published)
    return published
