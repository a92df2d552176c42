"""The one place that picks the gateway's concrete adapters.

Every room gets what it needs from the ``Gateway`` container: the read model's
projector and readers, the planning unit of work, the identity service, the services
people's writes are forwarded to, and the ledger upload store. No entrypoint builds an
adapter of its own (docs/gateway.md, ADR 0407)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from functools import cached_property
from pathlib import Path
from typing import Any

from pyproj import CRS
from sqlalchemy import Engine

from services.gateway.adapters.forwarding import Forwarder
from services.gateway.config import Settings
from services.gateway.field.adapters.uploads import UploadStore
from services.gateway.identity.adapters.users import Argon2Hasher
from services.gateway.identity.service_layer.identity import IdentityService
from services.gateway.planning.service_layer.unit_of_work import GatewayUnitOfWork
from services.gateway.read_model.adapters.read_model_store import ReadModelStore
from services.gateway.read_model.domain.overlay import OverlayEngine
from services.gateway.read_model.service_layer.projector import HANDLERS, Projector
from shared.config import data_dir
from shared.db import make_engine, migrate, reader
from shared.events import Catalogue, default_catalogue
from shared.geo import utm_crs
from shared.messaging.handlers import Handler, bind

MIGRATIONS = Path(__file__).parent / "adapters" / "migrations"
SOURCE = "/shouhu/gateway"


@dataclass
class Peers:
    """The services a person's write goes to, with that person's token (a Forwarder
    each; tests and benches give fakes through ``create_app``)."""
    hazards: Any
    registry: Any
    notifier: Any  # the inbox pages read and acknowledge notifications here

    @classmethod
    def from_settings(cls, settings: Settings) -> Peers:
        return cls(Forwarder("hazards", settings.hazards_url),
                   Forwarder("registry", settings.registry_url),
                   Forwarder("notifier", settings.notifier_url))


@dataclass
class Gateway:
    settings: Settings
    engine: Engine
    catalogue: Catalogue
    peers: Peers
    uploads: UploadStore  # ledgers between preview and import
    identity: IdentityService
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

    @contextmanager
    def read_model(self) -> Iterator[ReadModelStore]:
        """The read model for one page's reads, on the ``reader``."""
        with self.reader.connect() as conn:
            yield ReadModelStore(conn)

    def uow(self) -> GatewayUnitOfWork:
        """Plans and road networks with their events, in one transaction."""
        return GatewayUnitOfWork(self.engine, self.catalogue, SOURCE)

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
    engine = make_engine(url)
    identity = IdentityService(engine, settings.keys, Argon2Hasher(), SOURCE,
                               timedelta(seconds=settings.refresh_ttl_s))
    return Gateway(settings, engine, default_catalogue(), Peers.from_settings(settings),
                   UploadStore(data_dir() / "uploads"), identity)
