"""Storing and loading cases, visits, overdue notices, water hazards and ledgers."""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Connection, Row, Table, delete, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite

from services.registry.adapters.tables import (
    VISIT_KEY,
    cases,
    ledger_entries,
    overdue_notices,
    used_approvals,
    visits,
    water_hazards,
    work_requests,
)
from services.registry.domain import ports
from services.registry.domain.cases import ApprovalRequest, Case, Referral, StepRecord
from services.registry.domain.exceptions import StaleVersion
from services.registry.domain.visits import Visit
from shared.db import fetch_page


def _dt(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)


def _iso(obj: Any) -> dict[str, Any]:
    return {k: v.isoformat() if isinstance(v, datetime) else v for k, v in asdict(obj).items()}


class CaseRepository(ports.CaseRepository):
    def __init__(self, conn: Connection):
        self.conn = conn

    def _row(self, case: Case) -> dict[str, Any]:
        return {
            "id": case.id, "child_id": case.child_id, "village_code": case.village_code,
            "situation": case.situation, "severity": case.severity, "step": case.step,
            "owner_id": case.owner_id, "opened_at": case.opened_at,
            "mandatory_report": case.mandatory_report, "report": case.report,
            "checklist_done": case.checklist_done, "outcome": case.outcome,
            "history": [_iso(h) for h in case.history],
            "referrals": [_iso(r) for r in case.referrals],
            "approvals": [_iso(a) for a in case.approvals],
            "awaiting_step": case.pending.to_step if case.pending else "",
            "version": case.version,
        }

    def add(self, case: Case) -> None:
        self.conn.execute(insert(cases).values(**self._row(case)))

    def get(self, case_id: str) -> Case | None:
        row = self.conn.execute(select(cases).where(cases.c.id == case_id)).first()
        return None if row is None else _case(row)

    def save(self, case: Case, expected_version: int) -> None:
        row = self._row(case)
        row["version"] = expected_version + 1
        result = self.conn.execute(update(cases).where(
            cases.c.id == case.id, cases.c.version == expected_version).values(**row))
        if result.rowcount != 1:
            raise StaleVersion(f"case {case.id} changed since version {expected_version}")
        case.version = expected_version + 1

    def open_for_child(self, child_id: str, situation: str) -> Case | None:
        row = self.conn.execute(select(cases.c.id).where(
            cases.c.child_id == child_id, cases.c.situation == situation,
            cases.c.step != "closed")).first()
        return None if row is None else self.get(row.id)

    def query(self, villages: frozenset[str] | None, township: str, page: int, page_size: int,
              awaiting: bool = False, **filters: str) -> tuple[list[Case], int]:
        """One page of the cases in these villages (or the township), newest first, and
        how many there are; empty filters are ignored; ``awaiting``: only cases whose
        request waits for a supervisor's decision."""
        conds = _place(villages, township) + [
            cases.c[name] == value for name, value in filters.items() if value]
        if awaiting:
            conds.append(cases.c.awaiting_step != "")
        rows, total = fetch_page(self.conn, cases, conds,
                                 (cases.c.opened_at.desc(), cases.c.id), page, page_size)
        return [_case(r) for r in rows], total

    def referred(self, unit: str, villages: frozenset[str] | None, township: str,
                 child_id: str = "") -> list[Case]:
        """The cases in scope ever referred to ``unit``, newest first. Referrals are
        encrypted, so they are read here and filtered in memory."""
        conds: list[Any] = _place(villages, township)
        if child_id:
            conds.append(cases.c.child_id == child_id)
        rows = self.conn.execute(select(cases).where(*conds)
                                 .order_by(cases.c.opened_at.desc(), cases.c.id))
        return [c for c in map(_case, rows) if c.referred_to(unit)]


def _place(villages: frozenset[str] | None, township: str) -> list[Any]:
    if villages:
        return [cases.c.village_code.in_(sorted(villages))]
    return [cases.c.village_code.startswith(township)] if township else []


def _case(row: Row[Any]) -> Case:
    m = row._mapping
    history = [StepRecord(**{**h, "entered_at": _dt(h["entered_at"])}) for h in m["history"]]
    referrals = [Referral(**{**r, "sent_at": _dt(r["sent_at"]),
                             "feedback_at": _dt(r["feedback_at"])}) for r in m["referrals"]]
    approvals = [ApprovalRequest(**{**a, "requested_at": _dt(a["requested_at"]),
                                    "decided_at": _dt(a["decided_at"])})
                 for a in m["approvals"] or ()]
    return Case(child_id=m["child_id"], village_code=m["village_code"],
                situation=m["situation"], severity=m["severity"], step=m["step"],
                owner_id=m["owner_id"], opened_at=m["opened_at"],
                mandatory_report=m["mandatory_report"], report=dict(m["report"]),
                checklist_done=list(m["checklist_done"]), history=history,
                referrals=referrals, approvals=approvals, outcome=m["outcome"], id=m["id"],
                version=m["version"])


class VisitRepository(ports.VisitRepository):
    def __init__(self, conn: Connection):
        self.conn = conn

    def add(self, visit: Visit, village_code: str, next_due: date) -> bool:
        """Insert the visit unless the same one (child, visitor, ``visited_at``) is stored;
        True if this call did. The unique index makes a copy sent at the same moment a
        no-op, never an error, on SQLite and PostgreSQL alike."""
        return _insert_new(self.conn, visits, VISIT_KEY, dict(
            id=visit.id, child_id=visit.child_id, village_code=village_code,
            visitor_id=visit.visitor_id, visited_at=visit.visited_at,
            location=None if visit.lon is None else (visit.lon, visit.lat),
            findings=visit.findings, next_steps=visit.next_steps, next_due=next_due))

    def find(self, child_id: str, visitor_id: str,
             visited_at: datetime) -> tuple[str, date] | None:
        """The stored visit's id and next due date, if this visitor recorded one then."""
        row = self.conn.execute(select(visits.c.id, visits.c.next_due).where(
            visits.c.child_id == child_id, visits.c.visitor_id == visitor_id,
            visits.c.visited_at == visited_at)).first()
        return None if row is None else (row.id, row.next_due)

    def for_child(self, child_id: str) -> list[dict[str, Any]]:
        """Visits, newest first, with the (decrypted) location as ``lon`` and ``lat``."""
        rows = self.conn.execute(select(visits).where(visits.c.child_id == child_id)
                                 .order_by(visits.c.visited_at.desc()))
        out = []
        for r in rows:
            visit = dict(r._mapping)
            visit["lon"], visit["lat"] = visit.pop("location") or (None, None)
            out.append(visit)
        return out

    def count_between(self, village_code: str, start: datetime, end: datetime) -> int:
        return self.conn.execute(select(func.count()).select_from(visits).where(
            visits.c.village_code == village_code, visits.c.visited_at >= start,
            visits.c.visited_at < end)).scalar_one()

    def claim_overdue(self, child_id: str, due_date: date) -> bool:
        """Insert the (child, due date) notice unless it exists; True if this call did.

        The primary key makes it exactly-once across concurrent scans and re-runs.
        """
        return _insert_new(self.conn, overdue_notices, ("child_id", "due_date"), dict(
            child_id=child_id, due_date=due_date, notified_at=datetime.now(UTC)))


def _dialect(conn: Connection):
    return {"postgresql": postgresql, "sqlite": sqlite}[conn.dialect.name]


def _insert_new(conn: Connection, table: Table, key: tuple[str, ...],
                values: dict[str, Any]) -> bool:
    """Insert the row unless one with the same unique ``key`` exists; True if inserted.

    A concurrent insert of the same key waits for the other transaction and then does
    nothing (PostgreSQL), or queues behind it (SQLite): one of them wins, none fails."""
    stmt = _dialect(conn).insert(table).values(**values).on_conflict_do_nothing(
        index_elements=list(key))
    return conn.execute(stmt.returning(table.c[key[0]])).first() is not None


class WaterRepository(ports.WaterRepository):
    def __init__(self, conn: Connection):
        self.conn = conn

    def upsert(self, hazard_id: str, kind: str, geometry: dict[str, Any]) -> None:
        done = self.conn.execute(update(water_hazards).where(
            water_hazards.c.hazard_id == hazard_id).values(kind=kind, geometry=geometry))
        if done.rowcount == 0:
            self.conn.execute(insert(water_hazards).values(hazard_id=hazard_id, kind=kind,
                                                           geometry=geometry))

    def set_zone(self, hazard_id: str, zone: dict[str, Any]) -> bool:
        return self.conn.execute(update(water_hazards).where(
            water_hazards.c.hazard_id == hazard_id).values(zone=zone)).rowcount > 0

    def remove(self, hazard_id: str) -> bool:
        return self.conn.execute(delete(water_hazards).where(
            water_hazards.c.hazard_id == hazard_id)).rowcount > 0

    def shapes(self) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """GeoJSON geometries of water hazards, and of their danger zones (WGS 84)."""
        rows = list(self.conn.execute(select(water_hazards.c.geometry, water_hazards.c.zone)))
        return [r.geometry for r in rows], [r.zone for r in rows if r.zone]


    def request_reassessment(self) -> None:
        """Ask for one reassessment soon; many hazard events in a row make one request."""
        stmt = _dialect(self.conn).insert(work_requests).values(
            name="reassess", requested_at=datetime.now(UTC))
        self.conn.execute(stmt.on_conflict_do_update(
            index_elements=["name"], set_={"requested_at": stmt.excluded.requested_at}))

    def reassessment_requested(self) -> datetime | None:
        return self.conn.execute(select(work_requests.c.requested_at).where(
            work_requests.c.name == "reassess")).scalar()

    def clear_reassessment(self, requested_at: datetime) -> None:
        """Clear the request we served, not one that arrived while we worked."""
        self.conn.execute(delete(work_requests).where(
            work_requests.c.name == "reassess", work_requests.c.requested_at == requested_at))


class LedgerRepository(ports.LedgerRepository):
    def __init__(self, conn: Connection):
        self.conn = conn

    def add(self, entry: dict[str, Any]) -> None:
        self.conn.execute(insert(ledger_entries).values(**entry))

    def list(self, ledger: str, villages: frozenset[str] | None,
             township: str) -> list[dict[str, Any]]:
        q = select(ledger_entries).where(ledger_entries.c.ledger == ledger)
        if villages:
            q = q.where(ledger_entries.c.village_code.in_(sorted(villages)))
        elif township:
            q = q.where(ledger_entries.c.village_code.startswith(township))
        return [dict(r._mapping) for r in self.conn.execute(q.order_by(ledger_entries.c.at))]


class ApprovalRepository(ports.ApprovalRepository):
    """Spent bulk-export approvals (shared/auth/approvals.py)."""

    def __init__(self, conn: Connection):
        self.conn = conn

    def spend(self, approval_id: str, requester_id: str) -> bool:
        """Mark the approval used; False if it already was (two exports at once: one wins)."""
        return _insert_new(self.conn, used_approvals, ("approval_id",), dict(
            approval_id=approval_id, requester_id=requester_id, used_at=datetime.now(UTC)))
