"""What every service's fake unit of work does alike (tests/unit/*/fakes.py): count the
blocks that committed or rolled back and keep every event published."""

from __future__ import annotations

from types import TracebackType
from typing import Any, Self

from shared.events.envelope import CloudEvent


class RecordingUnitOfWork:
    """Mixed in before a service's abstract ``UnitOfWork`` port, whose ``__enter__``,
    ``__exit__``, ``publish`` and ``publish_many`` it implements. A rollback undoes
    nothing here: what must not be half-written is tested on SQL."""

    source = ""  # the events' source, as the service's bootstrap names it

    def __init__(self) -> None:
        self.commits = self.rollbacks = 0
        self.published: list[CloudEvent] = []

    def __enter__(self) -> Self:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if exc_type is None:
            self.commits += 1
        else:
            self.rollbacks += 1

    def publish(self, event_type: str, data: dict[str, Any]) -> CloudEvent:
        event = CloudEvent(event_type, self.source, "", data)
        self.published.append(event)
        return event

    def publish_many(self, event_type: str, datas: list[dict[str, Any]]) -> list[CloudEvent]:
        return [self.publish(event_type, d) for d in datas]

    def of_type(self, event_type: str) -> list[dict[str, Any]]:
        """The data of every event of this type published so far."""
        return [e.data for e in self.published if e.type == event_type]
