"""The ports the notifier's service layer depends on: its repositories and unit of work.

The SQL adapters subclass these, and so do the in-memory fakes of the unit tests
(tests/unit/notifier/fakes.py), so the handlers can be tested fast without a database
while mypy checks both against one signature. Stored rows (alerts, deliveries, open
items) are returned as objects with attribute access, typed ``Any``: the adapters
return SQLAlchemy rows, the fakes namespaces with the same attributes.
"""

from __future__ import annotations

import abc
from collections.abc import Collection, Iterable, Mapping
from datetime import datetime
from typing import Any

from services.notifier.domain.delivery import Claimed, Finished
from services.notifier.domain.directory import Person
from shared.ports import AbstractUnitOfWork


class DirectoryRepository(abc.ABC):
    """Who holds which role for which place, and how to reach them."""

    @abc.abstractmethod
    def resolve(self, role: str, scope_code: str) -> list[Person]: ...

    @abc.abstractmethod
    def get(self, person_id: str) -> Person | None: ...

    @abc.abstractmethod
    def get_many(self, person_ids: set[str]) -> dict[str, Person]: ...

    @abc.abstractmethod
    def everyone(self) -> list[Person]: ...

    @abc.abstractmethod
    def person_ids_of_user(self, user_id: str) -> list[str]: ...

    @abc.abstractmethod
    def upsert(self, person: Person) -> None: ...

    @abc.abstractmethod
    def delete(self, person_id: str) -> bool: ...


class DeliveriesRepository(abc.ABC):
    """Alerts (one per rule and event, with an escalation timer) and their deliveries."""

    @abc.abstractmethod
    def add_alert(self, *, event_id: str, event_type: str, rule: str, case_id: str,
                  village_code: str, data: dict[str, Any], urgent: bool,
                  deadline: datetime | None, now: datetime) -> str | None:
        """A new alert's id, or None when this rule already fired for this event."""

    @abc.abstractmethod
    def alert(self, alert_id: str) -> Any: ...

    @abc.abstractmethod
    def due_alerts(self, now: datetime, limit: int = 100) -> list[Any]: ...

    @abc.abstractmethod
    def raise_level(self, alert: Any, deadline: datetime | None) -> bool:
        """Move an alert one level up; False if someone acked or escalated it first."""

    @abc.abstractmethod
    def escalate_now(self, alert_id: str, level: int, now: datetime) -> None: ...

    @abc.abstractmethod
    def ack_alert(self, alert_id: str, by: str, now: datetime) -> bool: ...

    @abc.abstractmethod
    def add(self, *, alert_id: str, event_id: str, event_type: str, case_id: str,
            level: int, urgent: bool, now: datetime,
            to: Iterable[tuple[str, str, datetime]]) -> list[str]:
        """Store deliveries to (recipient, channel, not before) the event has not yet
        addressed; return the new ids (exactly once per event, recipient, channel)."""

    @abc.abstractmethod
    def get(self, delivery_id: str) -> Any: ...

    @abc.abstractmethod
    def channels_tried(self, event_id: str, recipient_id: str) -> dict[str, str]: ...

    @abc.abstractmethod
    def mark_acked(self, delivery_id: str, now: datetime) -> None: ...

    @abc.abstractmethod
    def token_used(self, delivery_id: str) -> bool:
        """Was this delivery's ack link spent already (the confirmation page asks)?"""

    @abc.abstractmethod
    def use_token(self, delivery_id: str, now: datetime) -> bool:
        """Spend a delivery's ack link; False if it was used before."""

    @abc.abstractmethod
    def query(self, filters: dict[str, str], villages: Iterable[str] | None,
              township: str, page: int, page_size: int) -> tuple[int, list[Any]]: ...

    @abc.abstractmethod
    def attempts_of(self, delivery_ids: list[str]) -> dict[str, list[Any]]: ...

    @abc.abstractmethod
    def inbox(self, recipient_ids: list[str], limit: int = 100) -> list[Any]: ...


class PlacesRepository(abc.ABC):
    """Hazards' villages and the open work the daily digest lists."""

    @abc.abstractmethod
    def set_hazard_village(self, hazard_id: str, village_code: str) -> None: ...

    @abc.abstractmethod
    def hazard_village(self, hazard_id: str) -> str: ...

    @abc.abstractmethod
    def open_item(self, item_id: str, **values: Any) -> None: ...

    @abc.abstractmethod
    def open_items(self, scope_code: str) -> list[Any]: ...

    @abc.abstractmethod
    def close_visits(self, child_id: str) -> None: ...

    @abc.abstractmethod
    def close_referrals(self, case_id: str) -> None: ...


class DispatchQueue(abc.ABC):
    """Claims due deliveries for sending and records how each attempt ended."""

    @abc.abstractmethod
    def claim(self, now: datetime, stale_before: datetime, quotas: Mapping[str, int],
              holding: Collection[str] = ()) -> list[Claimed]: ...

    @abc.abstractmethod
    def finish(self, finished: list[Finished], now: datetime) -> None: ...


class UnitOfWork(AbstractUnitOfWork):
    """One transaction over the repositories; ``publish`` records events in it."""

    directory: DirectoryRepository
    deliveries: DeliveriesRepository
    places: PlacesRepository
    queue: DispatchQueue
    channels: frozenset[str]  # the configured ones: routing skips the others
