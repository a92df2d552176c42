"""Reading and writing the gateway's read model (portable SQL: SQLite and PostgreSQL).

Home locations are stored encrypted (``child_homes.home``) and decrypted on reading, so
everything that uses them (overlay, map, privacy cells) works in memory.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import Connection, Delete, Table, bindparam, delete, func, insert, select, update

from services.gateway.adapters.tables import (
    READ_MODEL,
    checkins,
    child_homes,
    child_overlay,
    child_visits,
    directory_gaps,
    findings,
    fix_tasks,
    hazard_exposure,
    hazard_shapes,
    patrol_points,
    read_model_version,
)
from services.gateway.read_model.domain.overlay import (
    ChildOverlay,
    HazardExposure,
    Nearest,
    OverlayDelta,
)
from services.gateway.read_model.domain.read_model import (
    CheckIn,
    ChildHome,
    DirectoryGap,
    Finding,
    FixTaskState,
    HazardFacts,
    HazardShape,
    PatrolPoint,
    VisitState,
)

_CHUNK = 500  # keys per DELETE … IN (…): under every backend's parameter limit
# Statements built once: an import applies thousands of events, each a few statements.
_BUMP = (update(read_model_version).where(read_model_version.c.id == 1)
         .values(version=read_model_version.c.version + 1))


@cache
def _delete_by(column: Any) -> Delete:
    return delete(column.table).where(column.in_(bindparam("keys", expanding=True)))


def _record(cls, row) -> Any:
    return cls(**{k: v for k, v in row._mapping.items() if k in cls.__dataclass_fields__})


def _home_row(home: ChildHome) -> dict[str, Any]:
    row = dict(home.__dict__)
    row["home"] = (row.pop("lon"), row.pop("lat"))
    return row


def _home(row) -> ChildHome:
    m = dict(row._mapping)
    m["lon"], m["lat"] = m.pop("home")
    return ChildHome(**m)


class ReadModelStore:
    def __init__(self, conn: Connection):
        self.conn = conn

    def _upsert(self, table: Table, key: str, values: dict[str, Any]) -> None:
        self._delete_keys(table.c[key], [values[key]])
        self.conn.execute(insert(table), values)  # parameters, not .values(): compiled once

    def _delete_keys(self, column: Any, keys: list[str]) -> None:
        for at in range(0, len(keys), _CHUNK):
            self.conn.execute(_delete_by(column), {"keys": keys[at:at + _CHUNK]})

    # -- children -----------------------------------------------------------------
    def put_child(self, home: ChildHome) -> None:
        self._upsert(child_homes, "child_id", _home_row(home))

    def child(self, child_id: str) -> ChildHome | None:
        row = self.conn.execute(
            select(child_homes).where(child_homes.c.child_id == child_id)).first()
        return _home(row) if row else None

    def remove_child(self, child_id: str) -> None:
        for table in (child_homes, child_visits):
            self.conn.execute(delete(table).where(table.c.child_id == child_id))

    def children(self) -> list[ChildHome]:
        rows = self.conn.execute(select(child_homes).order_by(child_homes.c.child_id)).all()
        return [_home(r) for r in rows]

    def put_visit(self, state: VisitState) -> None:
        self._upsert(child_visits, "child_id", state.__dict__)

    def visit(self, child_id: str) -> VisitState | None:
        row = self.conn.execute(
            select(child_visits).where(child_visits.c.child_id == child_id)).first()
        return _record(VisitState, row) if row else None

    def visits(self) -> list[VisitState]:
        rows = self.conn.execute(select(child_visits).order_by(child_visits.c.child_id)).all()
        return [_record(VisitState, r) for r in rows]

    # -- hazards ------------------------------------------------------------------
    def put_hazard(self, hazard: HazardShape) -> None:
        self._upsert(hazard_shapes, "hazard_id", hazard.__dict__)

    def hazard(self, hazard_id: str) -> HazardShape | None:
        row = self.conn.execute(
            select(hazard_shapes).where(hazard_shapes.c.hazard_id == hazard_id)).first()
        return self._hazard(row) if row else None

    @staticmethod
    def _hazard(row) -> HazardShape:
        m = dict(row._mapping)
        m["protections"] = m["protections"] or {}
        return HazardShape(**m)

    def remove_hazard(self, hazard_id: str) -> None:
        self.conn.execute(delete(hazard_shapes).where(hazard_shapes.c.hazard_id == hazard_id))

    def hazards(self) -> list[HazardShape]:
        rows = self.conn.execute(select(hazard_shapes).order_by(hazard_shapes.c.hazard_id)).all()
        return [self._hazard(r) for r in rows]

    def hazard_facts(self) -> list[HazardFacts]:
        """Every hazard without its outline and zone (see HazardFacts)."""
        c = hazard_shapes.c
        rows = self.conn.execute(select(c.hazard_id, c.kind, c.name, c.village_code,
                                        c.protections).order_by(c.hazard_id)).all()
        return [HazardFacts(r.hazard_id, r.kind, r.name, r.village_code, r.protections or {})
                for r in rows]

    # -- patrols ------------------------------------------------------------------
    def put_point(self, point: PatrolPoint) -> None:
        self._upsert(patrol_points, "point_id", point.__dict__)

    def points(self, active_only: bool = True) -> list[PatrolPoint]:
        q = select(patrol_points).order_by(patrol_points.c.point_id)
        if active_only:
            q = q.where(patrol_points.c.active.is_(True))
        return [_record(PatrolPoint, r) for r in self.conn.execute(q).all()]

    def add_checkin(self, checkin: CheckIn) -> None:
        self._upsert(checkins, "checkin_id", checkin.__dict__)

    def checkins(self, since: datetime | None = None) -> list[CheckIn]:
        q = select(checkins).order_by(checkins.c.checked_at, checkins.c.checkin_id)
        if since is not None:
            q = q.where(checkins.c.checked_at >= since)
        return [_record(CheckIn, r) for r in self.conn.execute(q).all()]

    def last_checkins(self) -> dict[str, datetime]:
        q = select(checkins.c.point_id, func.max(checkins.c.checked_at)).group_by(
            checkins.c.point_id)
        return {p: t for p, t in self.conn.execute(q).all()}

    def add_finding(self, finding: Finding) -> None:
        self._upsert(findings, "finding_id", finding.__dict__)

    def findings(self) -> list[Finding]:
        q = select(findings).order_by(findings.c.reported_at, findings.c.finding_id)
        return [_record(Finding, r) for r in self.conn.execute(q).all()]

    def fix_task(self, task_id: str) -> FixTaskState | None:
        row = self.conn.execute(select(fix_tasks).where(fix_tasks.c.task_id == task_id)).first()
        return _record(FixTaskState, row) if row else None

    def put_fix_task(self, task: FixTaskState) -> None:
        self._upsert(fix_tasks, "task_id", task.__dict__)

    def fix_tasks(self) -> list[FixTaskState]:
        q = select(fix_tasks).order_by(fix_tasks.c.due_on, fix_tasks.c.task_id)
        return [_record(FixTaskState, r) for r in self.conn.execute(q).all()]

    def add_gap(self, gap: DirectoryGap) -> None:
        self._upsert(directory_gaps, "gap_id", gap.__dict__)

    def gaps(self, since: datetime) -> list[DirectoryGap]:
        q = (select(directory_gaps).where(directory_gaps.c.raised_at >= since)
             .order_by(directory_gaps.c.raised_at.desc(), directory_gaps.c.gap_id))
        return [_record(DirectoryGap, r) for r in self.conn.execute(q).all()]

    # -- overlay results ----------------------------------------------------------
    def apply(self, delta: OverlayDelta, *, replace: bool = False) -> None:
        """Persist what the overlay engine recomputed for one event, in a few statements
        (a hazard event touches hundreds of rows during a county import)."""
        if not replace:
            self._delete_keys(child_overlay.c.child_id, list(delta.children))
            self._delete_keys(hazard_exposure.c.hazard_id, list(delta.hazards))
        children = [{"child_id": cid, "village_code": ov.village_code,
                     "water_hazard_id": ov.water.hazard_id if ov.water else None,
                     "water_m": ov.water.distance_m if ov.water else None,
                     "road_hazard_id": ov.road.hazard_id if ov.road else None,
                     "road_m": ov.road.distance_m if ov.road else None}
                    for cid, ov in delta.children.items() if ov is not None]
        hazards = [{"hazard_id": hid, "children": ex.children, "weight_tenths": ex.weight_tenths}
                   for hid, ex in delta.hazards.items() if ex is not None]
        if children:
            self.conn.execute(insert(child_overlay), children)
        if hazards:
            self.conn.execute(insert(hazard_exposure), hazards)

    def replace_overlay(self, delta: OverlayDelta) -> None:
        """Make the overlay rows exactly ``delta`` (after a full computation)."""
        self.conn.execute(delete(child_overlay))
        self.conn.execute(delete(hazard_exposure))
        self.apply(delta, replace=True)

    def overlays(self) -> list[ChildOverlay]:
        rows = self.conn.execute(select(child_overlay).order_by(child_overlay.c.child_id)).all()
        return [ChildOverlay(
            r.child_id, r.village_code,
            Nearest(r.water_hazard_id, r.water_m) if r.water_hazard_id else None,
            Nearest(r.road_hazard_id, r.road_m) if r.road_hazard_id else None) for r in rows]

    def exposures(self) -> list[HazardExposure]:
        q = select(hazard_exposure).order_by(hazard_exposure.c.weight_tenths.desc(),
                                             hazard_exposure.c.hazard_id)
        return [HazardExposure(r.hazard_id, r.children, r.weight_tenths)
                for r in self.conn.execute(q).all()]

    def set_grade(self, child_id: str, risk_grade: str) -> ChildHome | None:
        self.conn.execute(update(child_homes).where(child_homes.c.child_id == child_id)
                          .values(risk_grade=risk_grade))
        return self.child(child_id)

    # -- whole read model ---------------------------------------------------------
    def clear(self) -> None:
        for table in READ_MODEL:
            self.conn.execute(delete(table))
        self.bump_version()

    def bump_version(self) -> None:
        """Called with every applied event, in its transaction."""
        self.conn.execute(_BUMP)

    def version(self) -> int:
        """Changes whenever an event is applied: one row read, however long the inbox."""
        return int(self.conn.execute(select(read_model_version.c.version)).scalar_one())

    def digest(self) -> str:
        """A hash of every read-model row, in key order: equal digests, equal models."""
        h = hashlib.sha256()
        for table in READ_MODEL:
            key = list(table.primary_key.columns)[0]
            for row in self.conn.execute(select(table).order_by(key)).all():
                h.update(json.dumps([table.name, *row], default=str, sort_keys=True).encode())
        return h.hexdigest()

