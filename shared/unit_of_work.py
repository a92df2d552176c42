"""A unit of work over one SQLAlchemy connection, with the outbox built in.

Service layers subclass it to add their repositories. Events recorded with
``publish`` are committed in the same transaction as the change they describe.
"""

from __future__ import annotations

from types import TracebackType
from typing import Any, Self

from sqlalchemy import Connection, Engine

from shared.events.catalogue import Catalogue
from shared.events.envelope import CloudEvent
from shared.messaging import outbox


class SqlUnitOfWork:
    def __init__(self, engine: Engine, catalogue: Catalogue, source: str):
        self.engine = engine
        self.catalogue = catalogue
        self.source = source
        self.conn: Connection | None = None
        self.published: list[CloudEvent] = []

    @classmethod
    def on_connection(cls, conn: Connection, catalogue: Catalogue, source: str,
                      **kwargs: Any) -> Self:
        """A unit of work that joins a transaction someone else opened (a consumer's)."""
        uow = cls(conn.engine, catalogue, source, **kwargs)
        uow.conn = conn
        uow._owned = False
        uow._bind(conn)
        return uow

    def _bind(self, conn: Connection) -> None:
        """Subclasses build their repositories on ``conn`` here."""

    def __enter__(self) -> Self:
        if self.conn is None:
            self._cm = self.engine.begin()
            self.conn = self._cm.__enter__()
            self._owned = True
            self._bind(self.conn)
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if getattr(self, "_owned", False):
            self._cm.__exit__(exc_type, exc, tb)
            self.conn = None

    def publish(self, event_type: str, data: dict[str, Any]) -> CloudEvent:
        assert self.conn is not None, "publish inside 'with uow:'"
        event = outbox.record(self.conn, self.catalogue, event_type, data, source=self.source)
        self.published.append(event)
        return event

    def publish_many(self, event_type: str, datas: list[dict[str, Any]]) -> list[CloudEvent]:
        """Outbox rows for many changes of one kind, in one insert, in this transaction."""
        assert self.conn is not None, "publish_many inside 'with uow:'"
        events = outbox.record_many(self.conn, self.catalogue, event_type, datas,
                                    source=self.source)
        self.published.extend(events)
        return events
