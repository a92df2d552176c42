"""Settings shared by every service, read once from the environment.

Each service's ``config.py`` builds a frozen ``Settings`` with ``from_env()`` and adds
what is its own; nothing here reads the environment at import time.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


class ConfigError(ValueError):
    """A setting is missing or malformed; the message names the variable."""


def env_str(name: str, default: str | None = None) -> str:
    value = os.environ.get(name, default)
    if value is None or value == "":
        raise ConfigError(f"environment variable {name} is required")
    return value


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ConfigError(f"environment variable {name}={raw!r} is not a whole number") from exc


def env_float(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return float(raw)
    except ValueError as exc:
        raise ConfigError(f"environment variable {name}={raw!r} is not a number") from exc


def data_dir() -> Path:
    """The folder that holds the embedded default's SQLite files and logs."""
    return Path(os.environ.get("SHOUHU_DATA_DIR", "data")).resolve()


@dataclass(frozen=True)
class Region:
    """Where a township's coordinates must fall (WGS 84 degrees): its boundary with a
    margin when ``SHOUHU_REGION_BOUNDARY`` names a boundary file, else a bounding box.
    ``setting`` names what to change, for refusals."""

    min_lon: float
    min_lat: float
    max_lon: float
    max_lat: float
    boundary: Any = field(default=None, compare=False)  # shapely geometry, margin included
    setting: str = "SHOUHU_REGION_BBOX"

    @classmethod
    def from_env(cls) -> Region:
        path = os.environ.get("SHOUHU_REGION_BOUNDARY", "")
        if path:
            from shared.geo import region_from_boundary

            return region_from_boundary(Path(path), env_float("SHOUHU_REGION_MARGIN_M", 2000.0))
        raw = os.environ.get("SHOUHU_REGION_BBOX", "105.5,28.5,107.5,30.5")
        try:
            min_lon, min_lat, max_lon, max_lat = (float(p) for p in raw.split(","))
        except ValueError as exc:
            raise ConfigError(
                f"SHOUHU_REGION_BBOX={raw!r} must be 'min_lon,min_lat,max_lon,max_lat'"
            ) from exc
        return cls(min_lon, min_lat, max_lon, max_lat)

    def contains(self, lon: float, lat: float) -> bool:
        inside = self.min_lon <= lon <= self.max_lon and self.min_lat <= lat <= self.max_lat
        if not inside or self.boundary is None:
            return inside
        import shapely

        return bool(shapely.intersects_xy(self.boundary, lon, lat))


@dataclass(frozen=True)
class CommonSettings:
    """What every service needs: where the broker is and how topics are named."""

    service: str
    bootstrap_servers: str
    topic_prefix: str
    database_url: str
    region: Region
    topic_partitions: int
    topic_replication: int
    outbox_retention_days: int

    @classmethod
    def from_env(cls, service: str) -> CommonSettings:
        default_db = f"sqlite:///{data_dir() / (service + '.db')}"
        return cls(
            service=service,
            bootstrap_servers=env_str("SHOUHU_KAFKA_BOOTSTRAP", "127.0.0.1:9092"),
            topic_prefix=os.environ.get("SHOUHU_TOPIC_PREFIX", ""),
            database_url=env_str(f"SHOUHU_{service.upper()}_DATABASE_URL", default_db),
            region=Region.from_env(),
            topic_partitions=env_int("SHOUHU_TOPIC_PARTITIONS", 3),
            topic_replication=env_int("SHOUHU_TOPIC_REPLICATION", 1),
            outbox_retention_days=env_int("SHOUHU_OUTBOX_RETENTION_DAYS", 7),
        )
