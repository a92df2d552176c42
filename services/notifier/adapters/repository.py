"""SQL for the directory, alerts, deliveries and their attempt log.

Inserts that must happen once check first and rely on the unique keys as the last
word, so a replayed event or a second worker never creates a second delivery.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, bindparam, delete, func, insert, select, update

from services.notifier.adapters.tables import (
    alerts,
    attempts,
    deliveries,
    digest_items,
    hazard_villages,
    people,
    used_tokens,
)
from services.notifier.domain.delivery import State
from services.notifier.domain.directory import Person
from services.notifier.domain.ports import (
    DeliveriesRepository,
    DirectoryRepository,
    PlacesRepository,
)

# Built once: the consumer and the dispatcher run these for every event and round,
# and building a statement costs more than running it (docs/performance.md).
_HOLDERS = (select(people).where(people.c.role == bindparam("role"),
                                 people.c.scope_code == bindparam("scope_code"))
            .order_by(people.c.person_id))
_PEOPLE = select(people).where(people.c.person_id.in_(bindparam("ids", expanding=True)))
_FIRED = select(alerts.c.alert_id).where(alerts.c.event_id == bindparam("event_id"),
                                         alerts.c.rule == bindparam("rule"))
_NEW_ALERT = insert(alerts)
_ADDRESSED = select(deliveries.c.recipient_id, deliveries.c.channel).where(
    deliveries.c.event_id == bindparam("event_id"))
_NEW_DELIVERY = insert(deliveries)



class Directory(DirectoryRepository):
    def __init__(self, conn: Connection):
        self.conn = conn

    def _person(self, row: Any) -> Person:
        return Person(row.person_id, row.role, row.scope_code, json.loads(row.contacts),
                      row.user_id, row.lang, row.label)

    def resolve(self, role: str, scope_code: str) -> list[Person]:
        rows = self.conn.execute(_HOLDERS, {"role": role, "scope_code": scope_code})
        return [self._person(r) for r in rows]

    def get(self, person_id: str) -> Person | None:
        row = self.conn.execute(select(people).where(people.c.person_id == person_id)).first()
        return self._person(row) if row else None

    def get_many(self, person_ids: set[str]) -> dict[str, Person]:
        rows = self.conn.execute(_PEOPLE, {"ids": list(person_ids)})
        return {r.person_id: self._person(r) for r in rows}

    def everyone(self) -> list[Person]:
        return [self._person(r) for r in self.conn.execute(
            select(people).order_by(people.c.scope_code, people.c.role, people.c.person_id))]

    def person_ids_of_user(self, user_id: str) -> list[str]:
        return list(self.conn.execute(
            select(people.c.person_id).where(people.c.user_id == user_id)).scalars())

    def upsert(self, person: Person) -> None:
        values = {"role": person.role, "scope_code": person.scope_code,
                  "user_id": person.user_id, "lang": person.lang, "label": person.label,
                  "contacts": json.dumps(person.contacts, ensure_ascii=False),
                  "updated_at": datetime.now(UTC)}
        done = self.conn.execute(update(people).where(people.c.person_id == person.person_id)
                                 .values(**values))
        if not done.rowcount:
            self.conn.execute(insert(people).values(person_id=person.person_id, **values))

    def delete(self, person_id: str) -> bool:
        return bool(self.conn.execute(
            delete(people).where(people.c.person_id == person_id)).rowcount)


class Deliveries(DeliveriesRepository):
    def __init__(self, conn: Connection):
        self.conn = conn

    # -- alerts -------------------------------------------------------------------
    def add_alert(self, *, event_id: str, event_type: str, rule: str, case_id: str,
                  village_code: str, data: dict[str, Any], urgent: bool,
                  deadline: datetime | None, now: datetime) -> str | None:
        """A new alert's id, or None when this rule already fired for this event."""
        if self.conn.execute(_FIRED, {"event_id": event_id, "rule": rule}).first():
            return None
        alert_id = str(uuid.uuid4())
        self.conn.execute(_NEW_ALERT, {
            "alert_id": alert_id, "event_id": event_id, "event_type": event_type,
            "rule": rule, "case_id": case_id, "village_code": village_code,
            "data": json.dumps(data, default=str), "urgent": urgent, "level": 0,
            "deadline": deadline, "created_at": now})
        return alert_id

    def alert(self, alert_id: str) -> Any:
        return self.conn.execute(select(alerts).where(alerts.c.alert_id == alert_id)).first()

    def due_alerts(self, now: datetime, limit: int = 100) -> list[Any]:
        return list(self.conn.execute(select(alerts).where(
            alerts.c.deadline.is_not(None), alerts.c.deadline <= now,
            alerts.c.acked_at.is_(None)).order_by(alerts.c.deadline).limit(limit)))

    def raise_level(self, alert: Any, deadline: datetime | None) -> bool:
        """Move an alert one level up; False if someone acked or escalated it first."""
        res = self.conn.execute(update(alerts).where(
            alerts.c.alert_id == alert.alert_id, alerts.c.level == alert.level,
            alerts.c.acked_at.is_(None)).values(level=alert.level + 1, deadline=deadline))
        return bool(res.rowcount)

    def escalate_now(self, alert_id: str, level: int, now: datetime) -> None:
        """Bring an escalation timer forward (its recipients cannot be reached)."""
        self.conn.execute(update(alerts).where(
            alerts.c.alert_id == alert_id, alerts.c.level == level,
            alerts.c.acked_at.is_(None), alerts.c.deadline.is_not(None)).values(deadline=now))

    def ack_alert(self, alert_id: str, by: str, now: datetime) -> bool:
        res = self.conn.execute(update(alerts).where(
            alerts.c.alert_id == alert_id, alerts.c.acked_at.is_(None))
            .values(acked_at=now, acked_by=by, deadline=None))
        return bool(res.rowcount)

    # -- deliveries ---------------------------------------------------------------
    def add(self, *, alert_id: str, event_id: str, event_type: str, case_id: str,
            level: int, urgent: bool, now: datetime,
            to: Iterable[tuple[str, str, datetime]]) -> list[str]:
        """Store this event's deliveries to (recipient, channel, not before) except those
        it has already; return the new ids. Two statements however many."""
        have = set(self.conn.execute(_ADDRESSED, {"event_id": event_id}).tuples())
        rows: list[dict[str, Any]] = []
        for recipient_id, channel, not_before in to:
            if (recipient_id, channel) not in have:
                have.add((recipient_id, channel))
                rows.append({
                    "delivery_id": str(uuid.uuid4()), "alert_id": alert_id,
                    "event_id": event_id, "event_type": event_type, "case_id": case_id,
                    "recipient_id": recipient_id, "channel": channel, "level": level,
                    "urgent": urgent, "state": State.PENDING, "attempt": 0,
                    "next_attempt_at": not_before, "created_at": now})
        if rows:
            self.conn.execute(_NEW_DELIVERY, rows)
        return [r["delivery_id"] for r in rows]

    def get(self, delivery_id: str) -> Any:
        return self.conn.execute(
            select(deliveries).where(deliveries.c.delivery_id == delivery_id)).first()

    def channels_tried(self, event_id: str, recipient_id: str) -> dict[str, str]:
        """channel → state of every delivery of this event to this recipient."""
        return dict(self.conn.execute(select(deliveries.c.channel, deliveries.c.state).where(
            deliveries.c.event_id == event_id,
            deliveries.c.recipient_id == recipient_id)).all())

    def mark_acked(self, delivery_id: str, now: datetime) -> None:
        self.conn.execute(update(deliveries).where(
            deliveries.c.delivery_id == delivery_id, deliveries.c.acked_at.is_(None))
            .values(acked_at=now))

    def token_used(self, delivery_id: str) -> bool:
        return self.conn.execute(select(used_tokens.c.delivery_id).where(
            used_tokens.c.delivery_id == delivery_id)).first() is not None

    def use_token(self, delivery_id: str, now: datetime) -> bool:
        """Spend a delivery's ack link; False if it was used before."""
        if self.conn.execute(select(used_tokens.c.delivery_id).where(
                used_tokens.c.delivery_id == delivery_id)).first():
            return False
        self.conn.execute(insert(used_tokens).values(delivery_id=delivery_id, used_at=now))
        return True

    # -- the log ------------------------------------------------------------------
    def query(self, filters: dict[str, str], villages: Iterable[str] | None,
              township: str, page: int, page_size: int) -> tuple[int, list[Any]]:
        q = select(deliveries, alerts.c.village_code, alerts.c.rule,
                   alerts.c.acked_by).join(alerts, alerts.c.alert_id == deliveries.c.alert_id)
        for key, value in filters.items():
            q = q.where(deliveries.c[key] == value)
        if villages:
            q = q.where(alerts.c.village_code.in_(list(villages)))
        elif township:
            q = q.where(alerts.c.village_code.startswith(township))
        total = self.conn.execute(select(func.count()).select_from(q.subquery())).scalar()
        rows = self.conn.execute(q.order_by(deliveries.c.created_at.desc(),
                                            deliveries.c.delivery_id)
                                 .limit(page_size).offset((page - 1) * page_size)).all()
        return int(total or 0), list(rows)

    def attempts_of(self, delivery_ids: list[str]) -> dict[str, list[Any]]:
        out: dict[str, list[Any]] = {d: [] for d in delivery_ids}
        for r in self.conn.execute(select(attempts).where(
                attempts.c.delivery_id.in_(delivery_ids)).order_by(attempts.c.seq)):
            out[r.delivery_id].append(r)
        return out

    def inbox(self, recipient_ids: list[str], limit: int = 100) -> list[Any]:
        return list(self.conn.execute(
            select(deliveries, alerts.c.data, alerts.c.acked_at.label("alert_acked_at"))
            .join(alerts, alerts.c.alert_id == deliveries.c.alert_id)
            .where(deliveries.c.recipient_id.in_(recipient_ids),
                   deliveries.c.channel == "inbox", deliveries.c.state == State.SENT)
            .order_by(deliveries.c.created_at.desc()).limit(limit)))


class Places(PlacesRepository):
    """What the notifier remembers about places and open work (no personal data)."""

    def __init__(self, conn: Connection):
        self.conn = conn

    def set_hazard_village(self, hazard_id: str, village_code: str) -> None:
        self.conn.execute(delete(hazard_villages).where(hazard_villages.c.hazard_id == hazard_id))
        if village_code:
            self.conn.execute(insert(hazard_villages).values(hazard_id=hazard_id,
                                                             village_code=village_code))

    def hazard_village(self, hazard_id: str) -> str:
        return self.conn.execute(select(hazard_villages.c.village_code).where(
            hazard_villages.c.hazard_id == hazard_id)).scalar() or ""

    def open_item(self, item_id: str, **values: Any) -> None:
        if not self.conn.execute(select(digest_items.c.item_id).where(
                digest_items.c.item_id == item_id)).first():
            self.conn.execute(insert(digest_items).values(item_id=item_id, open=True, **values))

    def close_items(self, *conditions: Any) -> None:
        self.conn.execute(update(digest_items).where(*conditions).values(open=False))

    def open_items(self, scope_code: str) -> list[Any]:
        return list(self.conn.execute(select(digest_items).where(
            digest_items.c.open.is_(True), digest_items.c.village_code.startswith(scope_code))
            .order_by(digest_items.c.kind, digest_items.c.due_date)))

    def close_visits(self, child_id: str) -> None:
        self.close_items(digest_items.c.kind == "visit", digest_items.c.ref_id == child_id)

    def close_referrals(self, case_id: str) -> None:
        self.close_items(digest_items.c.kind == "referral", digest_items.c.case_id == case_id)
