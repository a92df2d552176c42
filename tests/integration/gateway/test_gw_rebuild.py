"""``shouhu gateway rebuild``: replaying the topics under a fresh group gives exactly the
read model the live worker built."""

from __future__ import annotations

import threading

from gw_helpers import gateway, township_events

from services.gateway.adapters.tables import inbox
from services.gateway.read_model.adapters.read_model_store import ReadModelStore
from services.gateway.read_model.service_layer.rebuild import rebuild
from shared.events import default_catalogue
from shared.messaging.kafka import ensure_topics, producer
from shared.testing.fixtures import create_pg_database, drop_pg_database, eventually
from shared.worker import build_consumer


def _publish(bootstrap: str, prefix: str) -> int:
    cat = default_catalogue()
    events = township_events()
    topics = sorted({cat.spec(e.type).topic for e in events})
    ensure_topics(bootstrap, [prefix + t for t in topics], 3, 1)
    prod = producer(bootstrap, "gw-test")
    for e in events:
        spec = cat.spec(e.type)
        prod.send(prefix + spec.topic, key=e.data[spec.key].encode(), value=e.to_json())
    prod.flush()
    prod.close()
    return len(events)


def _applied(gw, group: str | None = None) -> int:  # type: ignore[no-untyped-def]
    query = inbox.select() if group is None else inbox.select().where(
        inbox.c.consumer_group == group)
    with gw.engine.connect() as conn:
        return len(conn.execute(query).all())


def test_rebuild_from_the_topics_equals_the_live_read_model(broker, topic_prefix, database_url,
                                                            tmp_path):
    n = _publish(broker.bootstrap, topic_prefix)
    live = gateway(database_url, prefix=topic_prefix, bootstrap_servers=broker.bootstrap)
    consumer = build_consumer(live.settings.common, live.engine, live.catalogue,
                              live.handlers())
    thread = threading.Thread(target=consumer.run, daemon=True)
    thread.start()
    try:
        eventually(lambda: _applied(live) == n, 60, message="live worker applied every event")
    finally:
        consumer.stop.set()
        thread.join(15)
    fresh_url = (f"sqlite:///{tmp_path / 'rebuilt.db'}" if database_url.startswith("sqlite")
                 else create_pg_database())
    try:
        rebuilt = gateway(fresh_url, prefix=topic_prefix, bootstrap_servers=broker.bootstrap)
        report = rebuild(rebuilt, timeout_s=60)
        assert report.messages == n and report.skipped == 0
        with live.engine.connect() as conn:
            store = ReadModelStore(conn)
            assert report.digest == store.digest()
            assert store.exposures() and store.overlays()
        # recorded under the live worker's group, so the worker does not apply them again
        # and a later replay of events the topics lacked is applied, not dropped as seen
        assert _applied(rebuilt, "gateway") == n and report.missing == 0
        again = rebuild(rebuilt, timeout_s=60)  # into a used model: cleared first
        assert again.digest == report.digest and again.group != report.group
        assert _applied(rebuilt, "gateway") == n and again.missing == 0
    finally:
        if not fresh_url.startswith("sqlite"):
            rebuilt.engine.dispose()
            drop_pg_database(fresh_url)
