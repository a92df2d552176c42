"""The one place that picks the registry's concrete adapters."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, Engine

from services.registry.config import Settings
from services.registry.service_layer import hazard_events, staff
from services.registry.service_layer.context import Policy
from services.registry.service_layer.unit_of_work import RegistryUnitOfWork
from shared.db import make_engine, migrate
from shared.events import Catalogue, default_catalogue
from shared.messaging.handlers import Handler, bind

MIGRATIONS = Path(__file__).parent / "adapters" / "migrations"
SOURCE = "/shouhu/registry"


@dataclass
class Registry:
    settings: Settings
    engine: Engine
    catalogue: Catalogue

    def uow(self) -> RegistryUnitOfWork:
        return RegistryUnitOfWork(self.engine, self.catalogue, SOURCE)

    def handlers(self) -> dict[str, Handler]:
        """The consumer's handlers: hazards' water and the gateway's background checks
        (who may be a child's director), on a unit of work in its transaction."""
        return bind({**hazard_events.HANDLERS, **staff.HANDLERS}, self._joined)

    def _joined(self, conn: Connection) -> RegistryUnitOfWork:
        return RegistryUnitOfWork.on_connection(conn, self.catalogue, SOURCE)

    @property
    def policy(self) -> Policy:
        return self.settings.policy


def bootstrap(settings: Settings | None = None, *, run_migrations: bool = True) -> Registry:
    settings = settings or Settings.from_env()
    if run_migrations:
        migrate(settings.common.database_url, MIGRATIONS)
    return Registry(settings, make_engine(settings.common.database_url), default_catalogue())
