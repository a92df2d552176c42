"""Helpers shared by the registry's integration tests."""

from __future__ import annotations

import json
from datetime import date, timedelta

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, select

from services.registry.adapters.tables import outbox
from services.registry.bootstrap import MIGRATIONS
from services.registry.config import Settings
from services.registry.domain.villages import VillageDirectory
from services.registry.service_layer.context import Policy
from shared import gazetteer
from shared.auth import TokenKeys
from shared.config import CommonSettings, Region
from shared.db import make_engine
from shared.events import CloudEvent
from shared.messaging.consumer import ConsumerConfig, EventConsumer

VILLAGE = "500110120201"  # 崇恩村
OTHER_VILLAGE = "500110120202"  # 东升村
FUHUAN = VillageDirectory.of(gazetteer.DEMO_TOWNSHIP, *gazetteer.township(gazetteer.DEMO_TOWNSHIP))
# Tokens made when a test module is imported must outlive the whole run (a full
# ./dev test collects first and reaches these tests after more than 15 minutes).
KEYS = TokenKeys({"k1": "registry-test-secret-0123456789abcdef"}, "k1", ttl_s=24 * 3600)
REGION = Region(105.5, 28.5, 107.5, 30.5)


def make_settings(database_url: str, bootstrap_servers: str = "127.0.0.1:1",
                  topic_prefix: str = "") -> Settings:
    common = CommonSettings(service="registry", bootstrap_servers=bootstrap_servers,
                            topic_prefix=topic_prefix, database_url=database_url,
                            region=REGION, topic_partitions=1, topic_replication=1,
                            outbox_retention_days=1)
    return Settings(common=common, port=0, keys=KEYS,
                    policy=Policy(REGION, villages=FUHUAN))


def child_body(**over: object) -> dict:
    body = {"name": "测试儿童", "gender": "female", "birth_date": "2016-05-01",
            "village_code": VILLAGE, "home": {"lon": 106.651, "lat": 28.951}}
    body.update(over)
    return body


def register_many(client, headers: dict[str, str], n: int, **over: object) -> list[str]:
    """Register ``n`` invented children (numbered names) and return their ids."""
    ids = []
    for i in range(n):
        resp = client.post("/children", json=child_body(name=f"测试儿童{i:03d}", **over),
                           headers=headers)
        assert resp.status_code == 201, resp.json
        ids.append(resp.json["id"])
    return ids


def staff_check(registry, user_id: str, result: str = "clear",  # type: ignore[no-untyped-def]
                checked_on: date | None = None, valid_until: date | None = None) -> str:
    """A background check the gateway recorded, consumed as the registry's worker does
    (inbox row and handler in one transaction); returns how the consumer took it. By
    default a clear check made today, valid for a year."""
    checked_on = checked_on or date.today()
    if valid_until is None and result == "clear":
        valid_until = checked_on + timedelta(days=365)
    data = {"user_id": user_id, "township_code": "500110120", "result": result,
            "checked_on": checked_on.isoformat(),
            "valid_until": valid_until.isoformat() if valid_until else None,
            "end_by": (checked_on + timedelta(days=42)).isoformat() if result == "match"
            else None}
    event = CloudEvent(type="gateway.staff_check.recorded.v1", source="/test/gateway",
                       subject=user_id, data=data)
    consumer = EventConsumer(ConsumerConfig("127.0.0.1:1", "registry", []), registry.engine,
                             registry.catalogue, registry.handlers())
    return consumer.handle(event.to_json())


def events(registry, event_type: str) -> list[dict]:  # type: ignore[no-untyped-def]
    """The data of every ``event_type`` event in the registry's outbox, oldest first."""
    with registry.engine.connect() as conn:
        rows = conn.execute(select(outbox.c.payload).where(outbox.c.type == event_type)
                            .order_by(outbox.c.seq))
        return [json.loads(r.payload)["data"] for r in rows]


def alembic_config(database_url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return cfg


def migrated_to(database_url: str, revision: str) -> Engine:
    """An engine on the database brought to ``revision`` (not head): rows written by the
    code of that time, for a later migration to take in."""
    command.upgrade(alembic_config(database_url), revision)
    return make_engine(database_url)
