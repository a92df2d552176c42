"""The unit-of-work port every service's own one extends (services/*/domain/ports.py).

A service's ``UnitOfWork`` adds its repositories; the SQL one (``shared.unit_of_work``
plus the service's repositories) and the unit tests' fakes implement it, so mypy holds
both to one signature. No SQL here: domain packages import it.
"""

from __future__ import annotations

import abc
from types import TracebackType
from typing import Any, Self

from shared.events.envelope import CloudEvent


class AbstractUnitOfWork(abc.ABC):
    """One transaction; ``publish`` records events in it (the outbox)."""

    @abc.abstractmethod
    def __enter__(self) -> Self: ...

    @abc.abstractmethod
    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None: ...

    @abc.abstractmethod
    def publish(self, event_type: str, data: dict[str, Any]) -> CloudEvent: ...

    @abc.abstractmethod
    def publish_many(self, event_type: str,
                     datas: list[dict[str, Any]]) -> list[CloudEvent]: ...
