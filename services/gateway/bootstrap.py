"""The one place that picks the gateway's concrete adapters."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine

from services.gateway.config import Settings
from shared.db import make_engine, migrate
from shared.events import Catalogue, default_catalogue

MIGRATIONS = Path(__file__).parent / "adapters" / "migrations"


@dataclass
class Gateway:
    settings: Settings
    engine: Engine
    catalogue: Catalogue


def bootstrap(settings: Settings | None = None, *, run_migrations: bool = True) -> Gateway:
    settings = settings or Settings.from_env()
    if run_migrations:
        migrate(settings.common.database_url, MIGRATIONS)
    return Gateway(settings, make_engine(settings.common.database_url), default_catalogue())
