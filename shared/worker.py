"""A service's background process: the outbox relay and, if it consumes, one consumer.

``shouhu serve <service> worker`` runs this. SIGTERM stops both cleanly: the
consumer finishes its current message and commits; the relay finishes its batch.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Mapping
from datetime import timedelta

from sqlalchemy import Engine

from shared.config import CommonSettings
from shared.events.catalogue import Catalogue
from shared.messaging.consumer import ConsumerConfig, EventConsumer, Handler
from shared.messaging.relay import OutboxRelay

log = logging.getLogger(__name__)


def build_relay(settings: CommonSettings, engine: Engine, catalogue: Catalogue) -> OutboxRelay:
    own = [s.topic for s in catalogue if s.owner == settings.service]
    return OutboxRelay(
        engine, settings.bootstrap_servers, topic_prefix=settings.topic_prefix,
        topics=sorted(set(own)), partitions=settings.topic_partitions,
        replication=settings.topic_replication,
        retention=timedelta(days=settings.outbox_retention_days),
        client_id=f"{settings.service}-relay",
    )


def build_consumer(settings: CommonSettings, engine: Engine, catalogue: Catalogue,
                   handlers: Mapping[str, Handler]) -> EventConsumer:
    topics = sorted({catalogue.spec(t).topic for t in handlers})
    config = ConsumerConfig(
        bootstrap=settings.bootstrap_servers, group=settings.service, topics=topics,
        topic_prefix=settings.topic_prefix, partitions=settings.topic_partitions,
        replication=settings.topic_replication,
    )
    return EventConsumer(config, engine, catalogue, handlers)


def run_worker(settings: CommonSettings, engine: Engine, catalogue: Catalogue,
               handlers: Mapping[str, Handler]) -> None:
    stop = threading.Event()
    relay = build_relay(settings, engine, catalogue)
    threads = [threading.Thread(target=relay.run, args=(stop,), name="relay")]
    consumer = build_consumer(settings, engine, catalogue, handlers) if handlers else None
    if consumer is not None:
        consumer.stop = stop
        threads.append(threading.Thread(target=consumer.run, name="consumer"))
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    for t in threads:
        t.start()
    log.info("%s worker running (%d thread(s))", settings.service, len(threads))
    while any(t.is_alive() for t in threads):
        for t in threads:
            t.join(timeout=0.5)
    log.info("%s worker stopped", settings.service)
