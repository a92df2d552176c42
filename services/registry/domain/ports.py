"""The ports the registry's service layer depends on: repositories, audit log, unit of work.

The SQL adapters (services/registry/adapters/) subclass these, and so do the in-memory
fakes of the unit tests (tests/unit/registry/fakes.py), so the handlers can be tested
fast without a database while mypy holds both to one signature. The bulk ledger import
is the exception: it writes many outbox and audit rows in one insert on the SQL
connection, so it takes the SQL unit of work and is tested on SQL only.
"""

from __future__ import annotations

import abc
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from services.registry.domain.cases import Case
from services.registry.domain.model import Child
from services.registry.domain.staff_checks import StaffCheck
from services.registry.domain.visits import Visit
from shared.auth.principal import Principal
from shared.ports import AbstractUnitOfWork


@dataclass(frozen=True)
class ChildFilter:
    """Which children a list or scan wants; every set field narrows it."""

    villages: frozenset[str] | None = None  # the caller's scope; None = all
    township: str = ""
    village: str | None = None
    category: str | None = None
    grade: str | None = None
    overdue_on: date | None = None  # next visit due before this day
    has_home: bool | None = None  # False: no coordinates yet (distance to water unknown)
    due_by: date | None = None  # next visit due on or before this day
    child_director_id: str = ""
    unreviewed_quarter: str | None = None
    born_on_or_before: date | None = None
    include_archived: bool = False
    ids: frozenset[str] | None = None  # a relation's children (shared.access); None = all
    school: str | None = None  # pupils of this school only


class ChildRepository(abc.ABC):
    """Children and the revisions each change keeps."""

    @abc.abstractmethod
    def add(self, child: Child) -> None: ...

    @abc.abstractmethod
    def add_many(self, batch: list[Child]) -> None: ...

    @abc.abstractmethod
    def get(self, child_id: str, *, lock: bool = False) -> Child | None:
        """The child; ``lock`` holds it until the transaction ends."""

    @abc.abstractmethod
    def find_duplicate(self, child: Child) -> tuple[Child, str] | None:
        """Another child with the same ID number, or name + birth date + village, and
        what matched."""

    @abc.abstractmethod
    def identity_keys(self, village_codes: Iterable[str]) -> dict[Any, str]: ...

    @abc.abstractmethod
    def save(self, child: Child, expected_version: int, actor_id: str, action: str) -> Child:
        """Store the change and keep the old record; StaleVersion if someone else wrote
        since ``expected_version``."""

    @abc.abstractmethod
    def history(self, child_id: str) -> list[dict[str, Any]]: ...

    @abc.abstractmethod
    def due(self, f: ChildFilter, page: int, page_size: int) -> tuple[list[Child], int]: ...

    @abc.abstractmethod
    def query(self, f: ChildFilter, page: int = 1,
              page_size: int = 50) -> tuple[list[Child], int]: ...

    @abc.abstractmethod
    def iter_all(self, f: ChildFilter, chunk: int = 2000) -> Iterator[Child]: ...

    @abc.abstractmethod
    def iter_for_assessment(self) -> Iterator[Child]: ...

    @abc.abstractmethod
    def update_assessments(self, changes: list[dict[str, Any]]) -> None: ...

    @abc.abstractmethod
    def archive(self, child_ids: list[str]) -> None: ...


class CaseRepository(abc.ABC):
    @abc.abstractmethod
    def add(self, case: Case) -> None: ...

    @abc.abstractmethod
    def get(self, case_id: str) -> Case | None: ...

    @abc.abstractmethod
    def save(self, case: Case, expected_version: int) -> None:
        """StaleVersion if someone else wrote since ``expected_version``."""

    @abc.abstractmethod
    def open_for_child(self, child_id: str, situation: str) -> Case | None: ...

    @abc.abstractmethod
    def query(self, villages: frozenset[str] | None, township: str, page: int, page_size: int,
              awaiting: bool = False, **filters: str) -> tuple[list[Case], int]: ...

    @abc.abstractmethod
    def referred(self, unit: str, villages: frozenset[str] | None, township: str,
                 child_id: str = "") -> list[Case]: ...


class VisitRepository(abc.ABC):
    @abc.abstractmethod
    def add(self, visit: Visit, village_code: str, next_due: date) -> bool:
        """True if stored; False when the same visit (child, visitor, time) already is."""

    @abc.abstractmethod
    def find(self, child_id: str, visitor_id: str,
             visited_at: datetime) -> tuple[str, date] | None: ...

    @abc.abstractmethod
    def for_child(self, child_id: str) -> list[dict[str, Any]]: ...

    @abc.abstractmethod
    def count_between(self, village_code: str, start: datetime, end: datetime) -> int: ...

    @abc.abstractmethod
    def claim_overdue(self, child_id: str, due_date: date) -> bool:
        """True for the first claim of (child, due date), False ever after."""


class WaterRepository(abc.ABC):
    """Water hazards as hazards' events describe them, and the reassessment request."""

    @abc.abstractmethod
    def upsert(self, hazard_id: str, kind: str, geometry: dict[str, Any]) -> None: ...

    @abc.abstractmethod
    def set_zone(self, hazard_id: str, zone: dict[str, Any]) -> bool: ...

    @abc.abstractmethod
    def remove(self, hazard_id: str) -> bool: ...

    @abc.abstractmethod
    def shapes(self) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]: ...

    @abc.abstractmethod
    def request_reassessment(self) -> None: ...

    @abc.abstractmethod
    def reassessment_requested(self) -> datetime | None: ...

    @abc.abstractmethod
    def clear_reassessment(self, requested_at: datetime) -> None: ...


class LedgerRepository(abc.ABC):
    @abc.abstractmethod
    def add(self, entry: dict[str, Any]) -> None: ...

    @abc.abstractmethod
    def list(self, ledger: str, villages: frozenset[str] | None,
             township: str) -> list[dict[str, Any]]: ...


class ApprovalRepository(abc.ABC):
    @abc.abstractmethod
    def spend(self, approval_id: str, requester_id: str) -> bool:
        """Mark the approval used; False if it already was."""


class StaffCheckRepository(abc.ABC):
    """Each person's latest background-check standing, as the gateway's events gave it."""

    @abc.abstractmethod
    def record(self, check: StaffCheck) -> None: ...

    @abc.abstractmethod
    def get(self, user_id: str) -> StaffCheck | None: ...


class AuditLog(abc.ABC):
    """Who read or changed which record, written in the change's transaction."""

    @abc.abstractmethod
    def record(self, principal: Principal, action: str, object_type: str, object_id: str,
               fields: Iterable[str] = (), purpose: str = "", remote_addr: str = "") -> None: ...

    @abc.abstractmethod
    def record_many(self, principal: Principal, action: str, object_type: str,
                    object_ids: Iterable[str], fields: Iterable[str] = (), purpose: str = "",
                    remote_addr: str = "") -> None: ...


class UnitOfWork(AbstractUnitOfWork):
    """One transaction over the repositories; ``publish`` records events in it."""

    children: ChildRepository
    cases: CaseRepository
    visits: VisitRepository
    water: WaterRepository
    ledgers: LedgerRepository
    approvals: ApprovalRepository
    staff_checks: StaffCheckRepository
    audit: AuditLog
