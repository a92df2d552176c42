"""Read sides and directory management: the delivery log, inboxes, the directory."""

from __future__ import annotations

import json
from typing import Any

from services.notifier.adapters.templates import Templates
from services.notifier.domain.directory import Person
from services.notifier.domain.exceptions import NotFound
from services.notifier.domain.ports import UnitOfWork


def _row(row: Any) -> dict[str, Any]:
    return dict(row._mapping)


def delivery_log(uow: UnitOfWork, filters: dict[str, str], villages: frozenset[str],
                 township: str, page: int, page_size: int) -> dict[str, Any]:
    """Who was told what, when, and did they act — within the caller's places."""
    total, rows = uow.deliveries.query(filters, villages, township, page, page_size)
    tries = uow.deliveries.attempts_of([r.delivery_id for r in rows])
    items = []
    for r in rows:
        item = _row(r)
        item["attempts"] = [_row(a) for a in tries[r.delivery_id]]
        items.append(item)
    return {"total": total, "page": page, "page_size": page_size, "items": items}


def inbox(uow: UnitOfWork, templates: Templates, user_id: str) -> list[dict[str, Any]]:
    """The in-app items of every directory entry this login answers for."""
    ids = uow.directory.person_ids_of_user(user_id)
    if not ids:
        return []
    langs = {p: (uow.directory.get(p) or Person(p, "", "")).lang for p in ids}
    items = []
    for r in uow.deliveries.inbox(ids):
        msg = templates.render(delivery_id=r.delivery_id, event_id=r.event_id,
                               event_type=r.event_type, data=json.loads(r.data),
                               urgent=r.urgent, lang=langs[r.recipient_id], level=r.level,
                               ack_token="")
        items.append({**_row(r), "subject": msg.subject, "body": msg.body, "link": msg.link})
    return items


def put_person(uow: UnitOfWork, person: Person) -> Person:
    uow.directory.upsert(person.validate())
    return person


def delete_person(uow: UnitOfWork, person_id: str) -> None:
    if not uow.directory.delete(person_id):
        raise NotFound(f"no directory entry {person_id}")
