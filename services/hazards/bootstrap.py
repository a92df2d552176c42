"""The one place that picks the hazards service's concrete adapters."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, Engine

from services.hazards.config import Settings
from services.hazards.service_layer.registry_events import HANDLERS
from services.hazards.service_layer.unit_of_work import HazardsUnitOfWork
from shared.db import make_engine, migrate
from shared.events import Catalogue, default_catalogue
from shared.messaging.handlers import Handler, bind

MIGRATIONS = Path(__file__).parent / "adapters" / "migrations"
SOURCE = "/shouhu/hazards"


@dataclass
class Hazards:
    settings: Settings
    engine: Engine
    catalogue: Catalogue

    def uow(self) -> HazardsUnitOfWork:
        return HazardsUnitOfWork(self.engine, self.catalogue, SOURCE)

    def handlers(self) -> dict[str, Handler]:
        """The consumer's handlers: ``HANDLERS`` on a unit of work in its transaction."""
        return bind(HANDLERS, self._joined)

    def _joined(self, conn: Connection) -> HazardsUnitOfWork:
        return HazardsUnitOfWork.on_connection(conn, self.catalogue, SOURCE)


def bootstrap(settings: Settings | None = None, *, run_migrations: bool = True) -> Hazards:
    settings = settings or Settings.from_env()
    if run_migrations:
        migrate(settings.common.database_url, MIGRATIONS)
    return Hazards(settings, make_engine(settings.common.database_url), default_catalogue())
