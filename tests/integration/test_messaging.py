"""Outbox → relay → broker → consumer, on SQLite and PostgreSQL, with the real broker."""

from __future__ import annotations

import threading
import uuid

import pytest
from kafka import KafkaConsumer, KafkaProducer
from sqlalchemy import func, insert, select

from shared.messaging import outbox
from shared.messaging.consumer import ConsumerConfig, EventConsumer
from shared.messaging.relay import OutboxRelay
from shared.testing.fixtures import eventually
from tests.integration.messaging_helpers import (
    CAT,
    TYPE,
    count,
    drain,
    messaging_db,
    payload,
    record,
)


@pytest.fixture
def db(database_url):
    yield from messaging_db(database_url)


@pytest.fixture
def relays(db, broker, topic_prefix):
    """Relays over the test database; their leadership is released afterwards."""
    made = []

    def make():
        relay = OutboxRelay(db[0], broker.bootstrap, topic_prefix=topic_prefix,
                            topics=["registry.children"])
        made.append(relay)
        return relay

    yield make
    for relay in made:
        relay.leadership.release()


def _consumer(engine, applied, broker, prefix, group):
    def handler(conn, event):
        conn.execute(insert(applied).values(child_id=event.data["child_id"]))

    cfg = ConsumerConfig(bootstrap=broker.bootstrap, group=group, topics=["registry.children"],
                         topic_prefix=prefix)
    return EventConsumer(cfg, engine, CAT, {TYPE: handler})


def test_events_flow_once_and_poison_goes_to_the_dead_letter_topic(db, broker, topic_prefix,
                                                                   relays):
    engine, applied = db
    record(engine, range(200))
    relay = relays()
    drain(relay)
    # poison: 10 undecodable, 10 schema-invalid
    raw = KafkaProducer(bootstrap_servers=broker.bootstrap)
    for _ in range(10):
        raw.send(topic_prefix + "registry.children", key=b"x", value=b"\x00not json")
        bad = CAT.spec(TYPE)  # a valid envelope with data that breaks the schema
        raw.send(topic_prefix + "registry.children", key=b"y",
                 value=(b'{"specversion":"1.0","id":"%s","source":"/t","type":"%s",'
                        b'"time":"2026-01-01T00:00:00Z","data":{"child_id":"z"}}'
                        % (uuid.uuid4().hex.encode(), bad.type.encode())))
    raw.flush()
    group = f"g{uuid.uuid4().hex[:6]}"
    consumer = _consumer(engine, applied, broker, topic_prefix, group)
    t = threading.Thread(target=consumer.run)
    t.start()
    try:
        eventually(lambda: count(engine, applied) == 200, 60, message="200 applied")
        dlq = KafkaConsumer(consumer.config.dlq_topic, bootstrap_servers=broker.bootstrap,
                            auto_offset_reset="earliest", consumer_timeout_ms=20000)
        dead = []
        for m in dlq:
            dead.append(dict(m.headers))
            if len(dead) == 20:
                break
        dlq.close()
    finally:
        consumer.stop.set()
        t.join(30)
    assert len(dead) == 20
    classes = sorted(h["dlq.error.class"].decode() for h in dead)
    assert classes == ["EnvelopeError"] * 10 + ["PayloadError"] * 10
    assert all(h["dlq.original.topic"].decode().endswith("registry.children") for h in dead)
    assert count(engine, applied) == 200


def test_redelivered_event_changes_nothing(db, broker, topic_prefix):
    """A consumer killed after its DB commit but before its offset commit sees the
    event again on restart; the inbox makes the second application a no-op."""
    engine, applied = db
    with engine.begin() as conn:
        ev = outbox.record(conn, CAT, TYPE, payload(1), source="/test")
    consumer = _consumer(engine, applied, broker, topic_prefix, "g1")
    assert consumer.handle(ev.to_json()) == "applied"
    assert consumer.handle(ev.to_json()) == "duplicate"
    assert count(engine, applied) == 1


def test_the_inbox_is_purged_a_day_after_the_outbox_retention(db, broker, topic_prefix,
                                                             relays):
    """An event id matters only while the event can come back: a replay republishes
    what the outbox keeps (7 days), so the inbox keeps a day more, then lets go."""
    from datetime import UTC, datetime, timedelta

    from sqlalchemy import update

    from shared.messaging.tables import INBOX

    engine, applied = db
    consumer = _consumer(engine, applied, broker, topic_prefix, "g-purge")
    events = []
    with engine.begin() as conn:
        for i in range(3):
            events.append(outbox.record(conn, CAT, TYPE, payload(i), source="/test"))
    for ev in events:
        assert consumer.handle(ev.to_json()) == "applied"
    now = datetime.now(UTC)
    with engine.begin() as conn:
        for ev, age in zip(events, (9, 7.5, 1), strict=True):
            conn.execute(update(INBOX).where(INBOX.c.event_id == ev.id)
                         .values(applied_at=now - timedelta(days=age)))
    relays().purge()
    with engine.connect() as conn:
        kept = set(conn.execute(select(INBOX.c.event_id)).scalars())
    assert kept == {events[1].id, events[2].id}
    assert consumer.handle(events[2].to_json()) == "duplicate"


def test_relay_marks_rows_sent_and_replay_republishes(db, relays):
    from datetime import UTC, datetime, timedelta

    from shared.messaging.relay import mark_for_replay
    from shared.messaging.tables import OUTBOX

    engine, _ = db
    record(engine, range(5))
    relay = relays()
    assert relay.publish_batch() == 5
    assert relay.publish_batch() == 0
    now = datetime.now(UTC)
    assert mark_for_replay(engine, now - timedelta(hours=1), now + timedelta(hours=1)) == 5
    assert relay.publish_batch() == 5
    with engine.connect() as conn:
        unsent = conn.execute(select(func.count()).select_from(OUTBOX)
                              .where(OUTBOX.c.sent_at.is_(None))).scalar()
    assert unsent == 0


def test_only_one_relay_publishes_at_a_time(db, relays):
    engine, _ = db
    record(engine, range(3))
    leader, standby = relays(), relays()
    assert leader.publish_batch() == 3
    with engine.begin() as conn:
        outbox.record(conn, CAT, TYPE, payload(9), source="/test")
    assert standby.publish_batch() == 0  # not the leader: publishes nothing
    leader.leadership.release()  # the leader dies; the standby takes over
    assert standby.publish_batch() == 1


def test_a_failing_handler_dead_letters_only_its_event(db, broker, topic_prefix, relays):
    """The batch transaction fails, the events are retried one by one, and only the
    one that keeps failing goes to the dead-letter topic."""
    engine, applied = db
    record(engine, range(20))
    relay = relays()
    drain(relay)

    def handler(conn, event):
        if event.data["child_id"] == "c7":
            raise RuntimeError("cannot apply c7")
        conn.execute(insert(applied).values(child_id=event.data["child_id"]))

    cfg = ConsumerConfig(bootstrap=broker.bootstrap, group=f"g{uuid.uuid4().hex[:6]}",
                         topics=["registry.children"], topic_prefix=topic_prefix)
    consumer = EventConsumer(cfg, engine, CAT, {TYPE: handler})
    t = threading.Thread(target=consumer.run)
    t.start()
    try:
        eventually(lambda: count(engine, applied) == 19, 60, message="19 applied")
        dlq = KafkaConsumer(cfg.dlq_topic, bootstrap_servers=broker.bootstrap,
                            auto_offset_reset="earliest", consumer_timeout_ms=20000)
        dead = next(iter(dlq))
        dlq.close()
    finally:
        consumer.stop.set()
        t.join(30)
    headers = dict(dead.headers)
    assert headers["dlq.error.class"] == b"RuntimeError"
    assert headers["dlq.attempts"] == b"3"
    assert b'"c7"' in dead.value


def test_consumer_killed_between_db_commit_and_offset_commit(db, broker, topic_prefix, relays):
    """First life: the event is applied and its transaction commits, then the process
    dies before committing the offset. Second life: the same group gets the event
    again, and the read model still holds it once."""
    engine, applied = db
    with engine.begin() as conn:
        outbox.record(conn, CAT, TYPE, payload(42), source="/test")
    relays().publish_batch()
    group = f"g{uuid.uuid4().hex[:6]}"
    first = _consumer(engine, applied, broker, topic_prefix, group)
    raw = KafkaConsumer(topic_prefix + "registry.children", bootstrap_servers=broker.bootstrap,
                        group_id=group, enable_auto_commit=False,
                        auto_offset_reset="earliest", session_timeout_ms=10_000)
    msg = eventually(lambda: next(iter(sum(raw.poll(timeout_ms=500).values(), [])), None), 30)
    assert first.handle(msg.value) == "applied"
    raw.close(autocommit=False)  # dies before the offset commit

    second = _consumer(engine, applied, broker, topic_prefix, group)
    seen = []
    original = second.apply

    def spy(conn, event):
        seen.append(result := original(conn, event))
        return result

    second.apply = spy
    t = threading.Thread(target=second.run)
    t.start()
    try:
        eventually(lambda: seen, 60, message="the event is redelivered")
    finally:
        second.stop.set()
        t.join(30)
    assert seen == ["duplicate"]
    assert count(engine, applied) == 1
