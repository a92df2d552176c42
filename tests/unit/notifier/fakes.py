"""In-memory implementations of the notifier's ports (services/notifier/domain/ports.py).

They subclass the abstract ports, so mypy holds them to the SQL adapters' signatures,
and keep the adapters' promises that the handlers rely on: one alert per (event, rule),
one delivery per (event, recipient, channel), an ack link spent once, a finish guarded
by the attempt number.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Collection, Iterable, Mapping
from datetime import datetime
from types import SimpleNamespace
from typing import Any

from services.notifier.domain.delivery import Claimed, Finished, State
from services.notifier.domain.directory import CHANNELS, Person
from services.notifier.domain.ports import (
    DeliveriesRepository,
    DirectoryRepository,
    DispatchQueue,
    PlacesRepository,
    UnitOfWork,
)
from tests.unit.recording_unit_of_work import RecordingUnitOfWork


class Row(SimpleNamespace):
    """A stored row: attributes by column name, and ``_mapping`` as SQLAlchemy's has."""

    @property
    def _mapping(self) -> dict[str, Any]:
        return dict(vars(self))


class FakeDirectory(DirectoryRepository):
    def __init__(self, people: Iterable[Person] = ()):
        self.people = {p.person_id: p for p in people}

    def resolve(self, role: str, scope_code: str) -> list[Person]:
        return sorted((p for p in self.people.values()
                       if p.role == role and p.scope_code == scope_code),
                      key=lambda p: p.person_id)

    def get(self, person_id: str) -> Person | None:
        return self.people.get(person_id)

    def get_many(self, person_ids: set[str]) -> dict[str, Person]:
        return {i: self.people[i] for i in person_ids if i in self.people}

    def everyone(self) -> list[Person]:
        return sorted(self.people.values(), key=lambda p: (p.scope_code, p.role, p.person_id))

    def person_ids_of_user(self, user_id: str) -> list[str]:
        return [p.person_id for p in self.people.values() if p.user_id == user_id]

    def upsert(self, person: Person) -> None:
        self.people[person.person_id] = person

    def delete(self, person_id: str) -> bool:
        return self.people.pop(person_id, None) is not None


class FakeDeliveries(DeliveriesRepository):
    def __init__(self) -> None:
        self.alerts: dict[str, Row] = {}
        self.rows: dict[str, Row] = {}
        self.attempts: dict[str, list[Row]] = {}
        self.used_tokens: set[str] = set()

    def add_alert(self, *, event_id: str, event_type: str, rule: str, case_id: str,
                  village_code: str, data: dict[str, Any], urgent: bool,
                  deadline: datetime | None, now: datetime) -> str | None:
        if any(a.event_id == event_id and a.rule == rule for a in self.alerts.values()):
            return None
        alert_id = str(uuid.uuid4())
        self.alerts[alert_id] = Row(
            alert_id=alert_id, event_id=event_id, event_type=event_type, rule=rule,
            case_id=case_id, village_code=village_code, data=json.dumps(data, default=str),
            urgent=urgent, level=0, deadline=deadline, created_at=now, acked_at=None,
            acked_by=None)
        return alert_id

    def alert(self, alert_id: str) -> Any:
        return self.alerts.get(alert_id)

    def due_alerts(self, now: datetime, limit: int = 100) -> list[Any]:
        due = [a for a in self.alerts.values()
               if a.deadline is not None and a.deadline <= now and a.acked_at is None]
        return [Row(**vars(a))  # a row is a snapshot, as the SQL one is
                for a in sorted(due, key=lambda a: a.deadline)[:limit]]

    def raise_level(self, alert: Any, deadline: datetime | None) -> bool:
        stored = self.alerts[alert.alert_id]
        if stored.level != alert.level or stored.acked_at is not None:
            return False
        stored.level, stored.deadline = alert.level + 1, deadline
        return True

    def escalate_now(self, alert_id: str, level: int, now: datetime) -> None:
        a = self.alerts[alert_id]
        if a.level == level and a.acked_at is None and a.deadline is not None:
            a.deadline = now

    def ack_alert(self, alert_id: str, by: str, now: datetime) -> bool:
        a = self.alerts[alert_id]
        if a.acked_at is not None:
            return False
        a.acked_at, a.acked_by, a.deadline = now, by, None
        return True

    def add(self, *, alert_id: str, event_id: str, event_type: str, case_id: str,
            level: int, urgent: bool, now: datetime,
            to: Iterable[tuple[str, str, datetime]]) -> list[str]:
        have = {(r.recipient_id, r.channel) for r in self.rows.values()
                if r.event_id == event_id}
        ids = []
        for recipient_id, channel, not_before in to:
            if (recipient_id, channel) in have:
                continue
            have.add((recipient_id, channel))
            delivery_id = str(uuid.uuid4())
            self.rows[delivery_id] = Row(
                delivery_id=delivery_id, alert_id=alert_id, event_id=event_id,
                event_type=event_type, case_id=case_id, recipient_id=recipient_id,
                channel=channel, level=level, urgent=urgent, state=State.PENDING, attempt=0,
                next_attempt_at=not_before, created_at=now, claimed_at=None, sent_at=None,
                acked_at=None, last_error=None)
            ids.append(delivery_id)
        return ids

    def get(self, delivery_id: str) -> Any:
        return self.rows.get(delivery_id)

    def channels_tried(self, event_id: str, recipient_id: str) -> dict[str, str]:
        return {r.channel: r.state for r in self.rows.values()
                if r.event_id == event_id and r.recipient_id == recipient_id}

    def mark_acked(self, delivery_id: str, now: datetime) -> None:
        row = self.rows[delivery_id]
        row.acked_at = row.acked_at or now

    def token_used(self, delivery_id: str) -> bool:
        return delivery_id in self.used_tokens

    def use_token(self, delivery_id: str, now: datetime) -> bool:
        if delivery_id in self.used_tokens:
            return False
        self.used_tokens.add(delivery_id)
        return True

    def query(self, filters: dict[str, str], villages: Iterable[str] | None,
              township: str, page: int, page_size: int) -> tuple[int, list[Any]]:
        places = set(villages or ())
        found = []
        for r in self.rows.values():
            a = self.alerts[r.alert_id]
            if all(getattr(r, k) == v for k, v in filters.items()) and (
                    a.village_code in places if places
                    else a.village_code.startswith(township)):
                found.append(Row(**vars(r), village_code=a.village_code,
                                             rule=a.rule, acked_by=a.acked_by))
        found.sort(key=lambda r: r.created_at, reverse=True)
        return len(found), found[(page - 1) * page_size: page * page_size]

    def attempts_of(self, delivery_ids: list[str]) -> dict[str, list[Any]]:
        return {d: list(self.attempts.get(d, [])) for d in delivery_ids}

    def inbox(self, recipient_ids: list[str], limit: int = 100) -> list[Any]:
        rows = [Row(**vars(r), data=self.alerts[r.alert_id].data,
                                alert_acked_at=self.alerts[r.alert_id].acked_at)
                for r in self.rows.values() if r.recipient_id in recipient_ids
                and r.channel == "inbox" and r.state == State.SENT]
        return sorted(rows, key=lambda r: r.created_at, reverse=True)[:limit]


class FakePlaces(PlacesRepository):
    def __init__(self) -> None:
        self.hazards: dict[str, str] = {}
        self.items: dict[str, Row] = {}

    def set_hazard_village(self, hazard_id: str, village_code: str) -> None:
        self.hazards.pop(hazard_id, None)
        if village_code:
            self.hazards[hazard_id] = village_code

    def hazard_village(self, hazard_id: str) -> str:
        return self.hazards.get(hazard_id, "")

    def open_item(self, item_id: str, **values: Any) -> None:
        if item_id not in self.items:
            self.items[item_id] = Row(
                **({"case_id": "", "due_date": None} | values), item_id=item_id, open=True)

    def open_items(self, scope_code: str) -> list[Any]:
        return sorted((i for i in self.items.values()
                       if i.open and i.village_code.startswith(scope_code)),
                      key=lambda i: (i.kind, str(i.due_date)))

    def close_visits(self, child_id: str) -> None:
        self._close(lambda i: i.kind == "visit" and i.ref_id == child_id)

    def close_referrals(self, case_id: str) -> None:
        self._close(lambda i: i.kind == "referral" and i.case_id == case_id)

    def _close(self, which: Any) -> None:
        for item in self.items.values():
            if which(item):
                item.open = False


class FakeQueue(DispatchQueue):
    """Claims from and finishes into a FakeDeliveries' rows."""

    def __init__(self, deliveries: FakeDeliveries):
        self.deliveries = deliveries

    def claim(self, now: datetime, stale_before: datetime, quotas: Mapping[str, int],
              holding: Collection[str] = ()) -> list[Claimed]:
        rows = self.deliveries.rows.values()
        abandoned = sorted((r for r in rows if r.state == State.SENDING
                            and r.channel in quotas and r.claimed_at < stale_before
                            and r.delivery_id not in holding),
                           key=lambda r: (not r.urgent, r.claimed_at))
        found = abandoned[:sum(quotas.values())]
        for channel, limit in quotas.items():
            found += sorted((r for r in rows if r.state == State.PENDING
                             and r.channel == channel and r.next_attempt_at <= now),
                            key=lambda r: (not r.urgent, r.next_attempt_at))[:limit]
        claimed = []
        for r in found:
            claimed.append(Claimed(
                r.delivery_id, r.alert_id, r.event_id, r.event_type, r.case_id,
                r.recipient_id, r.channel, r.level, r.urgent, r.attempt + 1,
                json.loads(self.deliveries.alerts[r.alert_id].data), r.state == State.SENDING))
            r.state, r.attempt, r.claimed_at = State.SENDING, r.attempt + 1, now
            self.deliveries.attempts.setdefault(r.delivery_id, []).append(Row(
                delivery_id=r.delivery_id, attempt=r.attempt, started_at=now,
                outcome="sending", detail="", finished_at=None))
        return claimed

    def finish(self, finished: list[Finished], now: datetime) -> None:
        for f in finished:
            r = self.deliveries.rows[f.claimed.delivery_id]
            if r.attempt != f.claimed.attempt:
                continue  # a newer attempt owns the row
            r.state, r.last_error = f.state, f.detail or None
            r.sent_at = now if f.state == State.SENT else None
            r.next_attempt_at = f.next_attempt_at or r.next_attempt_at
            attempt = self.deliveries.attempts[r.delivery_id][-1]
            attempt.outcome, attempt.finished_at = f.state.value, now


class FakeUnitOfWork(RecordingUnitOfWork, UnitOfWork):
    """Repositories that outlive each ``with`` (so a factory can hand out this one)."""

    source = "/shouhu/notifier"

    def __init__(self, people: Iterable[Person] = (),
                 channels: frozenset[str] = frozenset(CHANNELS)):
        super().__init__()
        self.directory = FakeDirectory(people)
        self.deliveries = self.fake_deliveries = FakeDeliveries()
        self.places = self.fake_places = FakePlaces()
        self.queue = FakeQueue(self.fake_deliveries)
        self.channels = channels
