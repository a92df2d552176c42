"""The one place that picks the gateway's concrete adapters."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from pyproj import CRS
from sqlalchemy import Engine

from services.gateway.config import Settings
from services.gateway.domain.overlay import OverlayEngine
from services.gateway.service_layer.projector import HANDLERS, Projector
from shared.db import make_engine, migrate, reader
from shared.events import Catalogue, default_catalogue
from shared.geo import utm_crs
from shared.messaging.handlers import Handler, bind

MIGRATIONS = Path(__file__).parent / "adapters" / "migrations"


@dataclass
class Gateway:
    settings: Settings
    engine: Engine
    catalogue: Catalogue
    projector: Projector = field(init=False)

    def __post_init__(self) -> None:
        self.projector = Projector(self.make_overlay)

    @cached_property
    def crs(self) -> CRS:
        """The township's UTM zone, from the centre of the configured region."""
        r = self.settings.common.region
        return utm_crs((r.min_lon + r.max_lon) / 2, (r.min_lat + r.max_lat) / 2)

    @cached_property
    def reader(self) -> Engine:
        """For pages that only read: on SQLite they never wait for the worker."""
        return reader(self.engine)

    def handlers(self) -> dict[str, Handler]:
        """The consumer's handlers: ``HANDLERS`` on the projector's read-model unit."""
        return bind(HANDLERS, self.projector.unit)

    def make_overlay(self) -> OverlayEngine:
        return OverlayEngine(self.crs, self.settings.max_distance_m,
                             self.settings.default_buffer_m)


def bootstrap(settings: Settings | None = None, *, run_migrations: bool = True,
              database_url: str | None = None) -> Gateway:
    settings = settings or Settings.from_env()
    url = database_url or settings.common.database_url
    if run_migrations:
        migrate(url, MIGRATIONS)
    return Gateway(settings, make_engine(url), default_catalogue())
