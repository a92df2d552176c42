"""Storing and loading children (SQL lives here and nowhere else)."""

from __future__ import annotations

import gc
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    Connection,
    Result,
    Text,
    and_,
    bindparam,
    cast,
    insert,
    or_,
    select,
    update,
)

from services.registry.adapters.tables import child_revisions, children
from services.registry.domain.exceptions import StaleVersion
from services.registry.domain.model import Child, Guardian, Parents
from shared.crypto import blind_index, blind_index_candidates
from shared.db import fetch_page

_SCALARS = ("id", "name", "gender", "birth_date", "village_code", "categories", "risk_grade",
            "id_number", "village_name", "address", "school", "phone",
            "declared_living_alone", "child_director_id", "risk_score", "risk_reasons",
            "water_distance_m", "next_visit_due", "last_visited_at", "reviewed_quarter",
            "archived", "version")


def id_index(id_number: str) -> list[str]:
    """Blind-index values of an ID number under every configured key (rotation-safe)."""
    return blind_index_candidates(id_number, context="children.id_number")


def to_row(child: Child) -> dict[str, Any]:
    row = {k: getattr(child, k) for k in _SCALARS}
    row["home"] = (None if child.home_lon is None  # one encrypted column
                   else (child.home_lon, child.home_lat))
    row["id_number_idx"] = (blind_index(child.id_number, context="children.id_number")
                            if child.id_number else None)
    row["guardians"] = [asdict(g) for g in child.guardians]
    row["parents"] = asdict(child.parents)
    return row


_IDENTIFIERS = ("id_number", "phone", "address")


def from_row(row: Any) -> Child:
    m = dict(row._mapping)
    data: dict[str, Any] = {k: m.get(k) for k in _SCALARS}
    data["home_lon"], data["home_lat"] = m["home"] or (None, None)
    data["address"] = data["address"] or ""
    data["categories"] = list(data["categories"])
    data["risk_reasons"] = list(data["risk_reasons"])
    return Child(**data, guardians=[Guardian(**g) for g in m["guardians"]],
                 parents=Parents(**m["parents"]))


@dataclass(frozen=True)
class ChildFilter:
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


class ChildRepository:
    def __init__(self, conn: Connection):
        self.conn = conn

    def add(self, child: Child) -> None:
        self.conn.execute(insert(children).values(**to_row(child)))

    def add_many(self, batch: list[Child]) -> None:
        if batch:
            self.conn.execute(insert(children), [to_row(c) for c in batch])

    def get(self, child_id: str, *, lock: bool = False) -> Child | None:
        """The child; ``lock`` holds its row until the transaction ends (PostgreSQL: a
        second writer for the same child waits; SQLite's writers queue anyway)."""
        query = select(children).where(children.c.id == child_id)
        row = self.conn.execute(query.with_for_update() if lock else query).first()
        return None if row is None else from_row(row)

    def find_duplicate(self, child: Child) -> tuple[Child, str] | None:
        """An existing child with the same ID number, or name + birth date + village."""
        same_identity = and_(children.c.name == child.name,
                             children.c.birth_date == child.birth_date,
                             children.c.village_code == child.village_code)
        cond = same_identity
        if child.id_number:
            cond = or_(children.c.id_number_idx.in_(id_index(child.id_number)), same_identity)
        for row in self.conn.execute(select(children).where(cond, children.c.id != child.id)):
            found = from_row(row)
            on = ("id_number" if child.id_number and found.id_number == child.id_number
                  else "name, birth_date and village")
            return found, on
        return None

    def identity_keys(self, village_codes: Iterable[str]) -> dict[Any, str]:
        """ID numbers and (name, birth date, village) of existing children → their ids."""
        keys: dict[Any, str] = {}
        rows = self.conn.execute(select(children.c.id, children.c.name,
                                        children.c.birth_date, children.c.village_code)
                                 .where(children.c.village_code.in_(sorted(set(village_codes)))))
        for r in rows:
            keys[(r.name, r.birth_date, r.village_code)] = r.id
        id_rows = self.conn.execute(select(children.c.id, children.c.id_number)
                                    .where(children.c.id_number_idx.is_not(None)))
        keys.update({r.id_number: r.id for r in id_rows})
        return keys

    def save(self, child: Child, expected_version: int, actor_id: str, action: str) -> Child:
        """Write changes if nobody else did since ``expected_version``; keep the old record."""
        before = self.get(child.id)
        if before is None or before.version != expected_version:
            raise StaleVersion(f"child {child.id} changed since version {expected_version}")
        self.conn.execute(insert(child_revisions).values(
            child_id=child.id, version=before.version, at=datetime.now(UTC),
            actor_id=actor_id, action=action, before=_snapshot(before)))
        child.version = before.version + 1
        row = to_row(child)
        result = self.conn.execute(update(children).where(
            children.c.id == child.id, children.c.version == expected_version).values(**row))
        if result.rowcount != 1:
            raise StaleVersion(f"child {child.id} changed concurrently")
        return child

    def history(self, child_id: str) -> list[dict[str, Any]]:
        """Earlier versions (who changed the record, when, how), oldest first."""
        rows = self.conn.execute(select(child_revisions).where(
            child_revisions.c.child_id == child_id).order_by(child_revisions.c.seq))
        return [dict(r._mapping) for r in rows]

    def due(self, f: ChildFilter, page: int, page_size: int) -> tuple[list[Child], int]:
        """One page of children due a visit (set ``f.due_by``), the longest overdue
        first, and how many are due in all: filtered, ordered and cut in the database."""
        rows, total = fetch_page(self.conn, children, _conditions(f),
                                 (children.c.next_visit_due, children.c.village_code,
                                  children.c.name, children.c.id), page, page_size)
        return [from_row(r) for r in rows], total

    def query(self, f: ChildFilter, page: int = 1, page_size: int = 50) -> tuple[list[Child], int]:
        rows, total = fetch_page(self.conn, children, _conditions(f),
                                 (children.c.village_code, children.c.name, children.c.id),
                                 page, page_size)
        return [from_row(r) for r in rows], total

    def iter_all(self, f: ChildFilter, chunk: int = 2000) -> Iterator[Child]:
        result = self.conn.execute(select(children).where(*_conditions(f))
                                   .order_by(children.c.village_code, children.c.name))
        return _children(result, chunk)

    def iter_for_assessment(self) -> Iterator[Child]:
        """Active children without their identifiers: reassessment needs no ID or phone
        numbers, and skipping them saves three decryptions per child."""
        cols = [c for c in children.c if c.name not in (*_IDENTIFIERS, "id_number_idx")]
        return _children(self.conn.execute(select(*cols).where(*_conditions(ChildFilter()))))

    def update_assessments(self, changes: list[dict[str, Any]]) -> None:
        """Bulk-write new risk fields: dicts with cid, risk_grade, risk_score, risk_reasons,
        water_distance_m, next_visit_due."""
        if not changes:
            return
        stmt = (update(children).where(children.c.id == bindparam("cid"))
                .values(risk_grade=bindparam("risk_grade"), risk_score=bindparam("risk_score"),
                        risk_reasons=bindparam("risk_reasons"),
                        water_distance_m=bindparam("water_distance_m"),
                        next_visit_due=bindparam("next_visit_due")))
        self.conn.execute(stmt, changes)

    def archive(self, child_ids: list[str]) -> None:
        if child_ids:
            self.conn.execute(update(children).where(children.c.id.in_(child_ids))
                              .values(archived=True, version=children.c.version + 1))



def _children(result: Result[Any], chunk: int = 2000) -> Iterator[Child]:
    """Rows to children, ``chunk`` at a time, with the cyclic garbage collector paused
    while a chunk is fetched, decrypted and built: every object made there stays alive,
    and collections over the growing heap took a third of a 50,000-child load."""
    parts = result.partitions(chunk)
    while True:
        was_enabled = gc.isenabled()
        gc.disable()
        try:
            part = next(parts, None)
            batch = [from_row(r) for r in part or ()]
        finally:
            if was_enabled:
                gc.enable()
        if not batch:
            return
        yield from batch


def _conditions(f: ChildFilter) -> list[Any]:
    conds: list[Any] = []
    if not f.include_archived:
        conds.append(children.c.archived.is_(False))
    if f.villages:
        conds.append(children.c.village_code.in_(sorted(f.villages)))
    elif f.township:
        conds.append(children.c.village_code.startswith(f.township))
    if f.village:
        conds.append(children.c.village_code == f.village)
    if f.grade:
        conds.append(children.c.risk_grade == f.grade)
    if f.category:  # JSON arrays differ per backend: match the quoted element in its text
        conds.append(cast(children.c.categories, Text).contains(f'"{f.category}"'))
    if f.has_home is not None:
        conds.append(children.c.home.isnot(None) if f.has_home else children.c.home.is_(None))
    if f.overdue_on:
        conds.append(children.c.next_visit_due < f.overdue_on)
    if f.due_by:
        conds.append(children.c.next_visit_due <= f.due_by)
    if f.child_director_id:
        conds.append(children.c.child_director_id == f.child_director_id)
    if f.unreviewed_quarter:
        conds.append(children.c.reviewed_quarter != f.unreviewed_quarter)
    if f.born_on_or_before:
        conds.append(children.c.birth_date <= f.born_on_or_before)
    if f.ids is not None:
        conds.append(children.c.id.in_(sorted(f.ids)))
    if f.school is not None:
        conds.append(children.c.school == f.school)
    return conds


def _snapshot(child: Child) -> dict[str, Any]:
    """The record as a revision keeps it: JSON values, the home as ``home_lon/home_lat``
    like revisions written before the home column was encrypted."""
    row = to_row(child)
    row["home_lon"], row["home_lat"] = row.pop("home") or (None, None)
    return {k: v.isoformat() if isinstance(v, date) else v for k, v in row.items()}
