"""What the messaging core's integration tests share (test_messaging.py,
test_durable_log.py): one event type, a table the handlers fill, the outbox rows."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from sqlalchemy import Column, Engine, MetaData, String, Table, func, select

from shared.db import make_engine
from shared.events import default_catalogue
from shared.messaging import outbox
from shared.messaging.relay import OutboxRelay
from shared.messaging.tables import add_messaging_tables

TYPE = "registry.child.registered.v1"
CAT = default_catalogue()


def payload(i: int) -> dict[str, Any]:
    return {"child_id": f"c{i}", "village_code": "500110120201",
            "home": {"lon": 106.6, "lat": 29.0}, "age_band": "6-11", "risk_grade": "low"}


def messaging_db(database_url: str) -> Iterator[tuple[Engine, Table]]:
    """The messaging tables and an ``applied`` table (child ids) on a test database;
    a fixture's body: ``yield from messaging_db(database_url)``."""
    md = MetaData()
    applied = Table("applied", md, Column("child_id", String(36), primary_key=True))
    add_messaging_tables(md)
    engine = make_engine(database_url)
    md.create_all(engine)
    yield engine, applied
    engine.dispose()


def record(engine: Engine, ids: Iterable[int]) -> None:
    """One outbox row per id, in one transaction."""
    with engine.begin() as conn:
        for i in ids:
            outbox.record(conn, CAT, TYPE, payload(i), source="/test")


def drain(relay: OutboxRelay) -> None:
    while relay.publish_batch():
        pass


def count(engine: Engine, table: Table) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(table)).scalar() or 0
