"""The one place that picks the notifier's concrete adapters."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine

from services.notifier.config import Settings
from shared.db import make_engine, migrate
from shared.events import Catalogue, default_catalogue

MIGRATIONS = Path(__file__).parent / "adapters" / "migrations"


@dataclass
class Notifier:
    settings: Settings
    engine: Engine
    catalogue: Catalogue


def bootstrap(settings: Settings | None = None, *, run_migrations: bool = True) -> Notifier:
    settings = settings or Settings.from_env()
    if run_migrations:
        migrate(settings.common.database_url, MIGRATIONS)
    return Notifier(settings, make_engine(settings.common.database_url), default_catalogue())
