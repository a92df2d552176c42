"""In-memory implementations of the registry's ports (services/registry/domain/ports.py).

They subclass the abstract ports, so mypy holds them to the SQL adapters' signatures,
and keep the adapters' promises that the handlers rely on: a stored record is a copy
(changing a loaded child changes nothing until it is saved), a save checks the version,
a visit and an overdue notice are stored once, filters and orders as the SQL ones.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime
from typing import Any

from services.registry.domain import ports
from services.registry.domain.cases import Case
from services.registry.domain.exceptions import StaleVersion
from services.registry.domain.model import Child
from services.registry.domain.ports import ChildFilter
from services.registry.domain.staff_checks import StaffCheck
from services.registry.domain.visits import Visit
from shared.auth.principal import Principal
from tests.unit.recording_unit_of_work import RecordingUnitOfWork


def _matches(c: Child, f: ChildFilter) -> bool:
    """The SQL adapter's conditions (adapters/repository.py ``_conditions``) in Python."""
    due = c.next_visit_due
    return all((
        f.include_archived or not c.archived,
        c.village_code in f.villages if f.villages
        else c.village_code.startswith(f.township),
        f.village is None or c.village_code == f.village,
        f.grade is None or c.risk_grade == f.grade,
        f.category is None or f.category in c.categories,
        f.overdue_on is None or (due is not None and due < f.overdue_on),
        f.has_home is None or (c.home_lon is not None) is f.has_home,
        f.due_by is None or (due is not None and due <= f.due_by),
        not f.child_director_id or c.child_director_id == f.child_director_id,
        f.unreviewed_quarter is None or c.reviewed_quarter != f.unreviewed_quarter,
        f.born_on_or_before is None or c.birth_date <= f.born_on_or_before,
        f.ids is None or c.id in f.ids,
        f.school is None or c.school == f.school,
    ))


def _page(items: list[Any], page: int, page_size: int) -> list[Any]:
    return items[(page - 1) * page_size: page * page_size]


class FakeChildren(ports.ChildRepository):
    def __init__(self) -> None:
        self.rows: dict[str, Child] = {}
        self.revisions: list[dict[str, Any]] = []

    def add(self, child: Child) -> None:
        assert child.id not in self.rows, "the primary key"
        self.rows[child.id] = copy.deepcopy(child)

    def add_many(self, batch: list[Child]) -> None:
        for child in batch:
            self.add(child)

    def get(self, child_id: str, *, lock: bool = False) -> Child | None:
        return copy.deepcopy(self.rows.get(child_id))

    def find_duplicate(self, child: Child) -> tuple[Child, str] | None:
        for found in self.rows.values():
            if found.id == child.id:
                continue
            if child.id_number and found.id_number == child.id_number:
                return copy.deepcopy(found), "id_number"
            if (found.name, found.birth_date, found.village_code) == (
                    child.name, child.birth_date, child.village_code):
                return copy.deepcopy(found), "name, birth_date and village"
        return None

    def identity_keys(self, village_codes: Iterable[str]) -> dict[Any, str]:
        places = set(village_codes)
        keys: dict[Any, str] = {(c.name, c.birth_date, c.village_code): c.id
                                for c in self.rows.values() if c.village_code in places}
        keys.update({c.id_number: c.id for c in self.rows.values() if c.id_number})
        return keys

    def save(self, child: Child, expected_version: int, actor_id: str, action: str) -> Child:
        before = self.rows.get(child.id)
        if before is None or before.version != expected_version:
            raise StaleVersion(f"child {child.id} changed since version {expected_version}")
        self.revisions.append({"child_id": child.id, "version": before.version,
                               "at": datetime.now(UTC), "actor_id": actor_id,
                               "action": action, "before": before})
        child.version = before.version + 1
        self.rows[child.id] = copy.deepcopy(child)
        return child

    def history(self, child_id: str) -> list[dict[str, Any]]:
        return [dict(r) for r in self.revisions if r["child_id"] == child_id]

    def _found(self, f: ChildFilter, key: Any) -> list[Child]:
        return sorted((copy.deepcopy(c) for c in self.rows.values() if _matches(c, f)), key=key)

    def due(self, f: ChildFilter, page: int, page_size: int) -> tuple[list[Child], int]:
        found = self._found(f, lambda c: (c.next_visit_due, c.village_code, c.name, c.id))
        return _page(found, page, page_size), len(found)

    def query(self, f: ChildFilter, page: int = 1,
              page_size: int = 50) -> tuple[list[Child], int]:
        found = self._found(f, lambda c: (c.village_code, c.name, c.id))
        return _page(found, page, page_size), len(found)

    def iter_all(self, f: ChildFilter, chunk: int = 2000) -> Iterator[Child]:
        return iter(self._found(f, lambda c: (c.village_code, c.name)))

    def iter_for_assessment(self) -> Iterator[Child]:
        return self.iter_all(ChildFilter())

    def update_assessments(self, changes: list[dict[str, Any]]) -> None:
        for change in changes:
            child = self.rows[change["cid"]]
            for name in ("risk_grade", "risk_score", "risk_reasons", "water_distance_m",
                         "next_visit_due"):
                setattr(child, name, copy.copy(change[name]))

    def archive(self, child_ids: list[str]) -> None:
        for child_id in child_ids:
            child = self.rows[child_id]
            child.archived, child.version = True, child.version + 1


def _in_place(village_code: str, villages: frozenset[str] | None, township: str) -> bool:
    return village_code in villages if villages else village_code.startswith(township)


class FakeCases(ports.CaseRepository):
    def __init__(self) -> None:
        self.rows: dict[str, Case] = {}

    def add(self, case: Case) -> None:
        self.rows[case.id] = copy.deepcopy(case)

    def get(self, case_id: str) -> Case | None:
        return copy.deepcopy(self.rows.get(case_id))

    def save(self, case: Case, expected_version: int) -> None:
        if self.rows[case.id].version != expected_version:
            raise StaleVersion(f"case {case.id} changed since version {expected_version}")
        case.version = expected_version + 1
        self.rows[case.id] = copy.deepcopy(case)

    def open_for_child(self, child_id: str, situation: str) -> Case | None:
        return next((copy.deepcopy(c) for c in self.rows.values() if c.child_id == child_id
                     and c.situation == situation and c.step != "closed"), None)

    def _newest(self, villages: frozenset[str] | None, township: str) -> list[Case]:
        found = [copy.deepcopy(c) for c in self.rows.values()
                 if _in_place(c.village_code, villages, township)]
        found.sort(key=lambda c: c.id)
        found.sort(key=lambda c: c.opened_at, reverse=True)
        return found

    def query(self, villages: frozenset[str] | None, township: str, page: int, page_size: int,
              awaiting: bool = False, **filters: str) -> tuple[list[Case], int]:
        found = [c for c in self._newest(villages, township)
                 if all(getattr(c, k) == v for k, v in filters.items() if v)
                 and (not awaiting or c.pending is not None)]
        return _page(found, page, page_size), len(found)

    def referred(self, unit: str, villages: frozenset[str] | None, township: str,
                 child_id: str = "") -> list[Case]:
        return [c for c in self._newest(villages, township)
                if (not child_id or c.child_id == child_id) and c.referred_to(unit)]


class FakeVisits(ports.VisitRepository):
    def __init__(self) -> None:
        self.rows: dict[tuple[str, str, datetime], dict[str, Any]] = {}
        self.overdue_notices: set[tuple[str, date]] = set()

    def add(self, visit: Visit, village_code: str, next_due: date) -> bool:
        key = (visit.child_id, visit.visitor_id, visit.visited_at)
        if key in self.rows:
            return False
        self.rows[key] = dict(
            id=visit.id, child_id=visit.child_id, village_code=village_code,
            visitor_id=visit.visitor_id, visited_at=visit.visited_at, lon=visit.lon,
            lat=visit.lat, findings=dict(visit.findings), next_steps=visit.next_steps,
            next_due=next_due)
        return True

    def find(self, child_id: str, visitor_id: str,
             visited_at: datetime) -> tuple[str, date] | None:
        row = self.rows.get((child_id, visitor_id, visited_at))
        return None if row is None else (row["id"], row["next_due"])

    def for_child(self, child_id: str) -> list[dict[str, Any]]:
        return sorted((dict(r) for r in self.rows.values() if r["child_id"] == child_id),
                      key=lambda r: r["visited_at"], reverse=True)

    def count_between(self, village_code: str, start: datetime, end: datetime) -> int:
        return sum(1 for r in self.rows.values()
                   if r["village_code"] == village_code and start <= r["visited_at"] < end)

    def claim_overdue(self, child_id: str, due_date: date) -> bool:
        if (child_id, due_date) in self.overdue_notices:
            return False
        self.overdue_notices.add((child_id, due_date))
        return True


class FakeWater(ports.WaterRepository):
    def __init__(self) -> None:
        self.hazards: dict[str, dict[str, Any]] = {}
        self.requested_at: datetime | None = None

    def upsert(self, hazard_id: str, kind: str, geometry: dict[str, Any]) -> None:
        zone = self.hazards.get(hazard_id, {}).get("zone")
        self.hazards[hazard_id] = {"kind": kind, "geometry": geometry, "zone": zone}

    def set_zone(self, hazard_id: str, zone: dict[str, Any]) -> bool:
        if hazard_id not in self.hazards:
            return False
        self.hazards[hazard_id]["zone"] = zone
        return True

    def remove(self, hazard_id: str) -> bool:
        return self.hazards.pop(hazard_id, None) is not None

    def shapes(self) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        rows = list(self.hazards.values())
        return [r["geometry"] for r in rows], [r["zone"] for r in rows if r["zone"]]

    def request_reassessment(self) -> None:
        self.requested_at = datetime.now(UTC)

    def reassessment_requested(self) -> datetime | None:
        return self.requested_at

    def clear_reassessment(self, requested_at: datetime) -> None:
        if self.requested_at == requested_at:
            self.requested_at = None


class FakeLedgers(ports.LedgerRepository):
    def __init__(self) -> None:
        self.entries: list[dict[str, Any]] = []

    def add(self, entry: dict[str, Any]) -> None:
        self.entries.append(dict(entry))

    def list(self, ledger: str, villages: frozenset[str] | None,
             township: str) -> list[dict[str, Any]]:
        return sorted((dict(e) for e in self.entries if e["ledger"] == ledger
                       and _in_place(e["village_code"], villages, township)),
                      key=lambda e: e["at"])


class FakeApprovals(ports.ApprovalRepository):
    def __init__(self) -> None:
        self.spent: dict[str, str] = {}

    def spend(self, approval_id: str, requester_id: str) -> bool:
        if approval_id in self.spent:
            return False
        self.spent[approval_id] = requester_id
        return True


class FakeStaffChecks(ports.StaffCheckRepository):
    def __init__(self) -> None:
        self.rows: dict[str, StaffCheck] = {}

    def record(self, check: StaffCheck) -> None:
        self.rows[check.user_id] = check

    def get(self, user_id: str) -> StaffCheck | None:
        return self.rows.get(user_id)


class FakeAuditLog(ports.AuditLog):
    def __init__(self) -> None:
        self.rows: list[dict[str, Any]] = []

    def record(self, principal: Principal, action: str, object_type: str, object_id: str,
               fields: Iterable[str] = (), purpose: str = "", remote_addr: str = "") -> None:
        self.rows.append({"user_id": principal.user_id, "action": action,
                          "object_type": object_type, "object_id": object_id,
                          "fields": sorted(fields), "purpose": purpose})

    def record_many(self, principal: Principal, action: str, object_type: str,
                    object_ids: Iterable[str], fields: Iterable[str] = (), purpose: str = "",
                    remote_addr: str = "") -> None:
        names = sorted(fields)
        for object_id in object_ids:
            self.record(principal, action, object_type, object_id, names, purpose)


class FakeUnitOfWork(RecordingUnitOfWork, ports.UnitOfWork):
    """Repositories that outlive each ``with`` (so a factory can hand out this one)."""

    source = "/shouhu/registry"

    def __init__(self) -> None:
        super().__init__()
        self.children = self.fake_children = FakeChildren()
        self.cases = self.fake_cases = FakeCases()
        self.visits = self.fake_visits = FakeVisits()
        self.water = self.fake_water = FakeWater()
        self.ledgers = FakeLedgers()
        self.approvals = FakeApprovals()
        self.staff_checks = self.fake_staff_checks = FakeStaffChecks()
        self.audit = self.fake_audit = FakeAuditLog()

    def audited(self, action: str, object_type: str = "") -> list[str]:
        """The ids of the objects audited with this action (and type), in order."""
        return [r["object_id"] for r in self.fake_audit.rows if r["action"] == action
                and (not object_type or r["object_type"] == object_type)]
