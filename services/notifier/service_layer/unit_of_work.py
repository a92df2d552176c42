"""The notifier's unit of work: directory, deliveries and places, plus the outbox."""

from __future__ import annotations

from sqlalchemy import Connection

from services.notifier.adapters.repository import Deliveries, Directory, Places
from shared.unit_of_work import SqlUnitOfWork

SOURCE = "/shouhu/notifier"


class NotifierUnitOfWork(SqlUnitOfWork):
    directory: Directory
    deliveries: Deliveries
    places: Places

    def _bind(self, conn: Connection) -> None:
        self.directory = Directory(conn)
        self.deliveries = Deliveries(conn)
        self.places = Places(conn)
