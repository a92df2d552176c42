"""Event handlers that build the read model and keep the overlay in step.

``HANDLERS`` is the gateway's table in the shared form (``shared.messaging.handlers``):
each handler gets a ``ReadModelUnit`` on the consumer's connection, so a read-model row
and the overlay results it changes commit together with the inbox insert. The overlay
engine's spatial indexes live in memory in the one gateway worker; it is loaded from
the read model on first use and dropped when a transaction rolls back (see
docs/adr/0401-overlay-in-memory-index.md).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime

from sqlalchemy import Connection
from sqlalchemy import event as sa_event

from services.gateway.read_model.adapters.read_model_store import ReadModelStore
from services.gateway.read_model.domain.overlay import OverlayEngine
from services.gateway.read_model.domain.read_model import (
    CheckIn,
    ChildHome,
    DirectoryGap,
    Finding,
    FixTaskState,
    HazardShape,
    PatrolPoint,
    VisitState,
)
from shared.events.envelope import CloudEvent
from shared.messaging.handlers import EventHandler

log = logging.getLogger(__name__)


def _dt(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


class Projector:
    """Holds the in-memory overlay between events; builds each event's unit."""

    def __init__(self, make_overlay: Callable[[], OverlayEngine]):
        self._make_overlay = make_overlay
        self._overlay: OverlayEngine | None = None

    def invalidate(self) -> None:
        """Forget the in-memory overlay; the next event reloads it from the database."""
        self._overlay = None

    def overlay(self, store: ReadModelStore) -> OverlayEngine:
        """The in-memory overlay; call it before changing the store, so a reload sees
        the state the event applies to. A reload rewrites every overlay row."""
        if self._overlay is None:
            overlay = self._make_overlay()
            store.replace_overlay(overlay.load(store.children(), store.hazards()))
            self._overlay = overlay
        return self._overlay

    @contextmanager
    def unit(self, conn: Connection) -> Iterator[ReadModelUnit]:
        """One event's work on ``conn``: counted in the read model's version when it
        succeeds; the overlay is forgotten when it fails."""
        # If this transaction rolls back (here or at commit), the in-memory
        # overlay may be ahead of the database: drop it.
        sa_event.listen(conn, "rollback", lambda _conn: self.invalidate())
        unit = ReadModelUnit(self, ReadModelStore(conn))
        try:
            yield unit
            unit.store.bump_version()
        except Exception:
            self.invalidate()
            raise


class ReadModelUnit:
    """What a handler works with: the store on the consumer's connection and the
    projector's overlay."""

    def __init__(self, projector: Projector, store: ReadModelStore):
        self._projector = projector
        self.store = store

    def overlay(self) -> OverlayEngine:
        """The in-memory overlay (``Projector.overlay``): call it before changing the
        store."""
        return self._projector.overlay(self.store)


# -- registry -----------------------------------------------------------------
def child_changed(unit: ReadModelUnit, event: CloudEvent) -> None:
    store, d = unit.store, event.data
    if d["home"] is None:  # a ledger row without coordinates: not on the map
        child_archived(unit, event)
        return
    home = ChildHome(d["child_id"], d["village_code"], d["home"]["lon"], d["home"]["lat"],
                     d["age_band"], d["risk_grade"])
    overlay = unit.overlay()
    store.put_child(home)
    store.apply(overlay.put_child(home))


def risk_changed(unit: ReadModelUnit, event: CloudEvent) -> None:
    store, d = unit.store, event.data
    overlay = unit.overlay()
    home = store.set_grade(d["child_id"], d["risk_grade"])
    if home is not None:
        store.apply(overlay.put_child(home))


def child_archived(unit: ReadModelUnit, event: CloudEvent) -> None:
    store, d = unit.store, event.data
    overlay = unit.overlay()
    store.remove_child(d["child_id"])
    store.apply(overlay.remove_child(d["child_id"]))


def visit_recorded(unit: ReadModelUnit, event: CloudEvent) -> None:
    store, d = unit.store, event.data
    old = store.visit(d["child_id"])
    visited = _dt(d["visited_at"])
    if old and old.last_visit_at and old.last_visit_at > visited:
        return  # an older visit arriving late changes nothing
    store.put_visit(VisitState(d["child_id"], d["village_code"], visited,
                               date.fromisoformat(d["next_due"]), None))


def visit_overdue(unit: ReadModelUnit, event: CloudEvent) -> None:
    store, d = unit.store, event.data
    old = store.visit(d["child_id"])
    store.put_visit(VisitState(d["child_id"], d["village_code"],
                               old.last_visit_at if old else None,
                               old.next_due if old else None,
                               date.fromisoformat(d["due_date"])))


# -- hazards ------------------------------------------------------------------
def hazard_changed(unit: ReadModelUnit, event: CloudEvent) -> None:
    store, d = unit.store, event.data
    old = store.hazard(d["hazard_id"])
    hazard = HazardShape(d["hazard_id"], d["kind"], d.get("name", ""), d["geometry"],
                         d.get("village_code", ""), dict(d.get("protections") or {}),
                         d.get("risk_season", ""), old.zone if old else None,
                         old.buffer_m if old else None)
    overlay = unit.overlay()
    store.put_hazard(hazard)
    store.apply(overlay.put_hazard(hazard))


def hazard_retired(unit: ReadModelUnit, event: CloudEvent) -> None:
    store, d = unit.store, event.data
    overlay = unit.overlay()
    store.remove_hazard(d["hazard_id"])
    store.apply(overlay.remove_hazard(d["hazard_id"]))


def zone_changed(unit: ReadModelUnit, event: CloudEvent) -> None:
    store, d = unit.store, event.data
    old = store.hazard(d["hazard_id"])
    if old is None:
        log.warning("zone for unknown hazard %s ignored", d["hazard_id"])
        return
    hazard = HazardShape(**{**old.__dict__, "zone": d["zone"], "buffer_m": d["buffer_m"]})
    overlay = unit.overlay()
    store.put_hazard(hazard)
    store.apply(overlay.put_hazard(hazard))


def point_changed(unit: ReadModelUnit, event: CloudEvent) -> None:
    store, d = unit.store, event.data
    store.put_point(PatrolPoint(d["point_id"], d["hazard_id"], d["location"]["lon"],
                                d["location"]["lat"], d["reason"], d.get("schedule", ""),
                                bool(d.get("active", True))))


def checked_in(unit: ReadModelUnit, event: CloudEvent) -> None:
    store, d = unit.store, event.data
    store.add_checkin(CheckIn(d["checkin_id"], d["point_id"], d["hazard_id"],
                              d["member_id"], _dt(d["checked_at"]), d["location"]["lon"],
                              d["location"]["lat"], int(d.get("duration_s", 0)),
                              float(d.get("track_m", 0.0))))


def finding_reported(unit: ReadModelUnit, event: CloudEvent) -> None:
    store, d = unit.store, event.data
    store.add_finding(Finding(d["finding_id"], d.get("point_id", ""), d["hazard_id"],
                              d.get("village_code", ""), d["kind"], d.get("action", "none"),
                              d["severity"], _dt(d["reported_at"])))


def fix_task_changed(unit: ReadModelUnit, event: CloudEvent) -> None:
    store, d = unit.store, event.data
    """A new or moved task; overdue until the village reports it fixed."""
    old = store.fix_task(d["task_id"])
    status = d.get("status", "assigned")
    store.put_fix_task(FixTaskState(
        d["task_id"], d["hazard_id"], d["village_code"], d["protection"], status,
        date.fromisoformat(d["due_on"]),
        bool(old and old.overdue and status == "assigned")))


def fix_task_overdue(unit: ReadModelUnit, event: CloudEvent) -> None:
    store, d = unit.store, event.data
    old = store.fix_task(d["task_id"])
    store.put_fix_task(FixTaskState(
        d["task_id"], d["hazard_id"], d["village_code"], d["protection"],
        old.status if old else "assigned", date.fromisoformat(d["due_on"]), True))


# -- notifier -----------------------------------------------------------------
def directory_gap(unit: ReadModelUnit, event: CloudEvent) -> None:
    store, d = unit.store, event.data
    store.add_gap(DirectoryGap(d["gap_id"], d["village_code"], d["event_type"], d["rule"],
                               int(d["recipients"]), _dt(d["raised_at"])))


HANDLERS: dict[str, EventHandler[ReadModelUnit]] = {
    "registry.child.registered.v1": child_changed,
    "registry.child.updated.v1": child_changed,
    "registry.child.risk_changed.v1": risk_changed,
    "registry.child.archived.v1": child_archived,
    "registry.visit.recorded.v1": visit_recorded,
    "registry.visit.overdue.v1": visit_overdue,
    "hazards.hazard.created.v1": hazard_changed,
    "hazards.hazard.updated.v1": hazard_changed,
    "hazards.hazard.retired.v1": hazard_retired,
    "hazards.zone.changed.v1": zone_changed,
    "hazards.patrol_point.changed.v1": point_changed,
    "hazards.patrol.checked_in.v1": checked_in,
    "hazards.finding.reported.v1": finding_reported,
    "hazards.fix_task.assigned.v1": fix_task_changed,
    "hazards.fix_task.reported_fixed.v1": fix_task_changed,
    "hazards.fix_task.confirmed.v1": fix_task_changed,
    "hazards.fix_task.overdue.v1": fix_task_overdue,
    "notifier.directory.gap.v1": directory_gap,
}
