"""The one place that picks the hazards service's concrete adapters."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine

from services.hazards.config import Settings
from services.hazards.service_layer.unit_of_work import HazardsUnitOfWork
from shared.db import make_engine, migrate
from shared.events import Catalogue, default_catalogue

MIGRATIONS = Path(__file__).parent / "adapters" / "migrations"
SOURCE = "/shouhu/hazards"


@dataclass
class Hazards:
    settings: Settings
    engine: Engine
    catalogue: Catalogue

    def uow(self) -> HazardsUnitOfWork:
        return HazardsUnitOfWork(self.engine, self.catalogue, SOURCE)


def bootstrap(settings: Settings | None = None, *, run_migrations: bool = True) -> Hazards:
    settings = settings or Settings.from_env()
    if run_migrations:
        migrate(settings.common.database_url, MIGRATIONS)
    return Hazards(settings, make_engine(settings.common.database_url), default_catalogue())
