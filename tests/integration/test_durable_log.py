"""The outbox as the durable log (ADR 0008) and the consumer's error policy, on SQLite
and PostgreSQL with the real broker."""

from __future__ import annotations

import json
import threading
import uuid

import pytest
from kafka import KafkaConsumer
from sqlalchemy import func, insert, select, text

from infra.broker import EmbeddedBroker, free_port
from shared.messaging.consumer import ConsumerConfig, EventConsumer
from shared.messaging.relay import OutboxRelay
from shared.messaging.tables import OUTBOX
from shared.testing.fixtures import eventually
from tests.integration.messaging_helpers import (
    CAT,
    TYPE,
    count,
    drain,
    messaging_db,
    record,
)


@pytest.fixture
def db(database_url):
    yield from messaging_db(database_url)


def _read_all(bootstrap: str, topic: str, expected: int) -> list[bytes]:
    kc = KafkaConsumer(topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest",
                       group_id=f"r{uuid.uuid4().hex[:6]}", session_timeout_ms=10_000,
                       consumer_timeout_ms=8_000)
    try:
        seen: list[bytes] = []
        for msg in kc:
            seen.append(msg.value)
            if len(seen) >= expected:
                break
        return seen
    finally:
        kc.close()


def _unsent(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(OUTBOX)
                            .where(OUTBOX.c.sent_at.is_(None))).scalar() or 0


def test_a_new_broker_gets_every_stored_event_again_and_only_once(db, tmp_path):
    """Power cut: the memory broker is gone with events no consumer read. The broker that
    starts next (a new cluster id) receives the whole outbox in order, then new events;
    a second relay (a restarted worker) does not republish it a second time."""
    engine, _ = db
    prefix = f"t{uuid.uuid4().hex[:8]}."
    port = free_port()
    first = EmbeddedBroker(port, tmp_path / "b1.log").start()
    relay = OutboxRelay(engine, first.bootstrap, topic_prefix=prefix,
                        topics=["registry.children"])
    try:
        record(engine, range(30))
        drain(relay)
        assert _unsent(engine) == 0
        first.stop()  # everything it held is lost
        second = EmbeddedBroker(port, tmp_path / "b2.log").start()
        assert second.cluster_id != first.cluster_id
        record(engine, range(30, 35))
        eventually(lambda: _publish_ignoring_errors(relay) or not _unsent(engine), 60,
                   message="outbox sent into the new broker")
        values = _read_all(second.bootstrap, prefix + "registry.children", 35)
        ids = sorted(int(json.loads(v)["data"]["child_id"][1:]) for v in values)
        assert ids == list(range(35))  # all old events and the new ones, none twice
        relay.leadership.release()
        again = OutboxRelay(engine, second.bootstrap, topic_prefix=prefix,
                            topics=["registry.children"])
        assert again.publish_batch() == 0 and _unsent(engine) == 0  # already filled
        again.leadership.release()
        second.stop()
    finally:
        relay.leadership.release()
        first.stop()


def _publish_ignoring_errors(relay: OutboxRelay) -> int:
    try:
        return relay.publish_batch()
    except Exception:  # noqa: BLE001 - the broker just changed; the loop retries
        relay._drop_producer()
        return 0


def _consumer(engine, broker, handler) -> EventConsumer:
    cfg = ConsumerConfig(bootstrap=broker.bootstrap, group=f"g{uuid.uuid4().hex[:6]}",
                         topics=["registry.children"], topic_prefix=f"t{uuid.uuid4().hex[:8]}.")
    return EventConsumer(cfg, engine, CAT, {TYPE: handler})


def _publish(engine, consumer: EventConsumer, n: int) -> None:
    record(engine, range(n))
    cfg = consumer.config
    relay = OutboxRelay(engine, cfg.bootstrap, topic_prefix=cfg.topic_prefix,
                        topics=["registry.children"])
    drain(relay)
    relay.leadership.release()


def test_an_integrity_error_is_dead_lettered_not_fatal(db, broker):
    """A constraint the event breaks is the event's fault: it goes to the dead-letter
    topic after its attempts; the consumer thread lives on and applies the rest."""
    engine, applied = db

    def handler(conn, event):
        conn.execute(insert(applied).values(child_id=event.data["child_id"]))
        if event.data["child_id"] == "c3":
            conn.execute(insert(applied).values(child_id="c3"))  # primary key twice

    consumer = _consumer(engine, broker, handler)
    _publish(engine, consumer, 8)
    t = threading.Thread(target=consumer.run)
    t.start()
    try:
        eventually(lambda: count(engine, applied) == 7, 60, message="7 applied")
        dead = _read_all(broker.bootstrap, consumer.config.dlq_topic, 1)
        assert len(dead) == 1 and b'"c3"' in dead[0]
        assert t.is_alive()
    finally:
        consumer.stop.set()
        t.join(30)


def test_a_missing_table_stops_the_consumer_instead_of_looping(db, broker):
    """'no such table' is not 'database away': no retry fixes it, so the consumer ends
    (its worker then exits non-zero) and nothing is dead-lettered or committed."""
    engine, _ = db

    def handler(conn, event):
        conn.execute(text("INSERT INTO no_such_table VALUES (1)"))

    consumer = _consumer(engine, broker, handler)
    _publish(engine, consumer, 2)
    failed: list[BaseException] = []

    def run() -> None:
        try:
            consumer.run()
        except BaseException as exc:  # noqa: BLE001 - what the worker's supervisor sees
            failed.append(exc)

    t = threading.Thread(target=run)
    t.start()
    t.join(60)
    stopped = not t.is_alive()
    consumer.stop.set()
    t.join(30)
    assert stopped, "the consumer kept retrying a missing table"
    assert failed and "no_such_table" in str(failed[0])
