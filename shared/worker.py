"""A service's background process: the outbox relay and, if it consumes, one consumer.

``shouhu serve <service> worker`` runs this. SIGTERM stops every thread cleanly: the
consumer finishes its current message and commits; the relay finishes its batch. A
thread that dies takes the process with it (``supervise``).
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable, Mapping
from datetime import timedelta

from sqlalchemy import Engine

from shared.config import CommonSettings
from shared.events.catalogue import Catalogue
from shared.messaging.consumer import ConsumerConfig, EventConsumer
from shared.messaging.handlers import Handler
from shared.messaging.relay import OutboxRelay

log = logging.getLogger(__name__)
STOP_GRACE_S = 20.0  # a consumer finishes its batch, a relay its flush


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


Loop = Callable[[threading.Event], None]


def worker_loops(settings: CommonSettings, engine: Engine, catalogue: Catalogue,
                 handlers: Mapping[str, Handler], stop: threading.Event,
                 loops: Mapping[str, Loop] | None = None) -> dict[str, Loop]:
    """The relay, the consumer (if the service consumes; it stops with ``stop``) and
    the service's own ``loops`` (name → function of the stop event), for ``supervise``
    or for a test that runs them as threads."""
    relay = build_relay(settings, engine, catalogue)
    targets: dict[str, Loop] = {"relay": relay.run, **(loops or {})}
    if handlers:
        consumer = build_consumer(settings, engine, catalogue, handlers)
        consumer.stop = stop
        targets["consumer"] = lambda _stop: consumer.run()
    return targets


def run_worker(settings: CommonSettings, engine: Engine, catalogue: Catalogue,
               handlers: Mapping[str, Handler], loops: Mapping[str, Loop] | None = None) -> None:
    """``worker_loops`` supervised by ``supervise`` until SIGTERM/SIGINT."""
    stop = threading.Event()
    supervise(settings.service,
              worker_loops(settings, engine, catalogue, handlers, stop, loops), stop)


def supervise(service: str, loops: Mapping[str, Loop], stop: threading.Event) -> None:
    """Run each loop in its own thread until SIGTERM/SIGINT sets ``stop``.

    A loop that ends while nobody asked it to (an exception, or a plain return) stops
    the others and ends the process with exit code 3: a worker missing its relay or
    consumer must not look alive. ``shouhu up`` (or the container runtime) restarts it.
    """
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    # daemons: a thread that does not stop within the grace period cannot hold the exit
    threads = [threading.Thread(target=_guarded, args=(name, loop, stop), name=name,
                                daemon=True) for name, loop in loops.items()]
    for t in threads:
        t.start()
    log.info("%s worker running (%s)", service, ", ".join(loops))
    while not stop.is_set() and all(t.is_alive() for t in threads):
        stop.wait(0.5)
    dead = [] if stop.is_set() else [t.name for t in threads if not t.is_alive()]
    stop.set()
    for t in threads:
        t.join(timeout=STOP_GRACE_S)
    if dead:
        log.critical("%s worker: thread(s) %s ended unexpectedly; exiting with code 3",
                     service, ", ".join(dead))
        raise SystemExit(3)
    log.info("%s worker stopped", service)


def _guarded(name: str, loop: Loop, stop: threading.Event) -> None:
    """Run ``loop``; its end while the worker runs is logged with the traceback (the
    supervising main thread then ends the process)."""
    try:
        loop(stop)
    except BaseException:  # noqa: BLE001 - logged here, acted on by ``supervise``
        log.critical("thread %s failed", name, exc_info=True)
    if not stop.is_set():
        log.critical("thread %s ended while the worker was running", name)
