"""Helpers for the hazards integration tests: settings, tokens, outbox reads, shapes."""

from __future__ import annotations

import dataclasses
import json
from datetime import date

from sqlalchemy import select

from services.hazards.config import Settings
from services.hazards.domain.zones import BufferConfig
from shared.auth import Principal, Role, TokenKeys
from shared.config import CommonSettings, Region
from shared.messaging.tables import OUTBOX

# Tokens made when a test module is imported must outlive the whole run (a full
# ./dev test collects first and reaches these tests after more than 15 minutes).
KEYS = TokenKeys({"k1": "hazards-test-key-" + "x" * 32}, "k1", ttl_s=24 * 3600)
DEVICE_SECRET = "cam-secret-0001"
VILLAGE = "500110120201"


def settings_for(database_url: str, **overrides) -> Settings:  # type: ignore[no-untyped-def]
    common = CommonSettings(service="hazards", bootstrap_servers="127.0.0.1:1",
                            topic_prefix="", database_url=database_url,
                            region=Region(105.5, 28.5, 107.5, 30.5), topic_partitions=1,
                            topic_replication=1, outbox_retention_days=1)
    base = Settings(common=common, port=0, keys=KEYS,
                    buffers=BufferConfig(),
                    device_keys={"cam-1": DEVICE_SECRET}, max_upload_bytes=5 * 1024 * 1024,
                    max_json_bytes=1024 * 1024,
                    photo_max_bytes=200 * 1024, checkin_max_distance_m=150.0,
                    silent_factor=2.0, silent_scan_s=60.0, device_max_skew_s=600,
                    cluster_m=150.0, patrol_max_distance_m=1000.0)
    return dataclasses.replace(base, **overrides)


def auth(role: Role = Role.STATION_ADMIN, villages: frozenset[str] = frozenset(),
         user_id: str = "staff-1") -> dict[str, str]:
    token = KEYS.issue(Principal(user_id, role, "500110120", villages), check_until=date.max)
    return {"Authorization": f"Bearer {token}"}


def outbox_events(hazards, event_type: str) -> list[dict]:  # type: ignore[no-untyped-def]
    with hazards.engine.connect() as conn:
        rows = conn.execute(select(OUTBOX.c.payload).where(OUTBOX.c.type == event_type)
                            .order_by(OUTBOX.c.seq)).all()
    return [json.loads(r.payload) for r in rows]


def pond(lon: float = 106.65, lat: float = 28.95, size: float = 0.001) -> dict:
    return {"type": "Polygon", "coordinates": [[[lon, lat], [lon + size, lat],
                                                [lon + size, lat + size], [lon, lat + size],
                                                [lon, lat]]]}
