"""Storing fix tasks (隐患整改) and their photos."""

from __future__ import annotations

from dataclasses import fields
from datetime import date
from typing import Any

from sqlalchemy import Connection, insert, select, update

from services.hazards.adapters.tables import fix_tasks
from services.hazards.domain import ports
from services.hazards.domain.exceptions import NotFound
from services.hazards.domain.fix_tasks import FixTask
from shared.db import fetch_page

_COLUMNS = [f.name for f in fields(FixTask) if f.name != "has_photo"]


def _task(row: Any) -> FixTask:
    m = row._mapping  # times come back UTC-aware (shared.db.UTCDateTime)
    return FixTask(**{c: m[c] for c in _COLUMNS}, has_photo=m["photo"] is not None)


class FixTaskRepository(ports.FixTaskRepository):
    def __init__(self, conn: Connection):
        self.conn = conn

    def add(self, task: FixTask) -> None:
        self.conn.execute(insert(fix_tasks).values(
            **{c: getattr(task, c) for c in _COLUMNS}))

    def get(self, task_id: str) -> FixTask | None:
        row = self.conn.execute(select(fix_tasks).where(fix_tasks.c.id == task_id)).first()
        return None if row is None else _task(row)

    def save(self, task: FixTask, photo: tuple[bytes, str] | None = None) -> None:
        """Store the task's new state (and a photo), refusing a lost update."""
        values = {c: getattr(task, c) for c in _COLUMNS if c not in ("id", "version")}
        if photo is not None:
            values["photo"], values["photo_type"] = photo
        done = self.conn.execute(update(fix_tasks).where(
            fix_tasks.c.id == task.id, fix_tasks.c.version == task.version
        ).values(**values, version=task.version + 1))
        if done.rowcount != 1:
            raise NotFound(f"fix task {task.id} changed meanwhile; reload it")
        task.version += 1

    def open_for(self, hazard_id: str, protection: str) -> FixTask | None:
        row = self.conn.execute(select(fix_tasks).where(
            fix_tasks.c.hazard_id == hazard_id, fix_tasks.c.protection == protection,
            fix_tasks.c.status != "confirmed")).first()
        return None if row is None else _task(row)

    def past_due(self, today: date) -> list[FixTask]:
        """Tasks still with the village after their due date."""
        rows = self.conn.execute(select(fix_tasks).where(
            fix_tasks.c.status == "assigned", fix_tasks.c.due_on < today))
        return [_task(r) for r in rows]

    def page(self, villages: frozenset[str] | None, status: str, page: int,
             page_size: int) -> tuple[list[FixTask], int]:
        """One page of tasks in these villages (all when None), soonest due first."""
        conds: list[Any] = []
        if villages is not None:
            conds.append(fix_tasks.c.village_code.in_(sorted(villages)))
        if status:
            conds.append(fix_tasks.c.status == status)
        rows, total = fetch_page(self.conn, fix_tasks, conds,
                                 (fix_tasks.c.due_on, fix_tasks.c.id), page, page_size)
        return [_task(r) for r in rows], total

    def photo(self, task_id: str) -> tuple[bytes, str] | None:
        row = self.conn.execute(select(fix_tasks.c.photo, fix_tasks.c.photo_type).where(
            fix_tasks.c.id == task_id)).first()
        return None if row is None or row.photo is None else (row.photo, row.photo_type)


