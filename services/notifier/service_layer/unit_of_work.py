"""The notifier's unit of work: directory, deliveries, dispatch queue and places, plus
the outbox."""

from __future__ import annotations

from sqlalchemy import Connection, Engine

from services.notifier.adapters.queue import Queue
from services.notifier.adapters.repository import Deliveries, Directory, Places
from services.notifier.domain.directory import CHANNELS
from services.notifier.domain.ports import UnitOfWork
from shared.events.catalogue import Catalogue
from shared.unit_of_work import SqlUnitOfWork

SOURCE = "/shouhu/notifier"


class NotifierUnitOfWork(SqlUnitOfWork, UnitOfWork):
    """The SQL unit of work (the abstract one is ``domain.ports.UnitOfWork``)."""

    directory: Directory
    deliveries: Deliveries
    places: Places
    queue: Queue

    def __init__(self, engine: Engine, catalogue: Catalogue, source: str,
                 channels: frozenset[str] = frozenset(CHANNELS)):
        super().__init__(engine, catalogue, source)
        self.channels = channels  # the configured ones: routing skips the others

    def __enter__(self) -> NotifierUnitOfWork:
        super().__enter__()
        return self

    def _bind(self, conn: Connection) -> None:
        self.directory = Directory(conn)
        self.deliveries = Deliveries(conn)
        self.places = Places(conn)
        self.queue = Queue(conn)
