"""The notifier worker: relay, consumer, dispatcher and timers in one process.

The consumer turns events into stored deliveries (in its own transaction); the
dispatcher sends them; the timer loop escalates unacknowledged alerts and makes the
daily digests. SIGTERM stops all four cleanly; SIGKILL loses nothing (ADR 0301).
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import Connection
from sqlalchemy.exc import DBAPIError

from services.notifier.bootstrap import Notifier, bootstrap
from services.notifier.service_layer import timers
from services.notifier.service_layer.dispatch import Dispatcher
from services.notifier.service_layer.handlers import CONSUMED, handle_event
from services.notifier.service_layer.unit_of_work import SOURCE, NotifierUnitOfWork
from shared.events.envelope import CloudEvent
from shared.worker import build_consumer, build_relay

log = logging.getLogger(__name__)


def _now() -> datetime:
    return datetime.now(UTC)


def _loop(name: str, stop: threading.Event, step: Callable[[], int], idle_s: float) -> None:
    """Run ``step`` until stopped; wait ``idle_s`` when it had nothing to do and back
    off while the database is away."""
    backoff = 0.5
    while not stop.is_set():
        try:
            busy = step()
            backoff = 0.5
        except DBAPIError as exc:
            log.warning("%s: database error (%s); retrying in %.1fs", name,
                        type(exc).__name__, backoff)
            stop.wait(backoff)
            backoff = min(backoff * 2, 10.0)
            continue
        if not busy:
            stop.wait(idle_s)


def _dispatch(stop: threading.Event, dispatcher: Dispatcher) -> None:
    _loop("dispatcher", stop, dispatcher.run_once, 0.05)
    dispatcher.close()  # SIGTERM: sends in flight are recorded, not left 'sending'


def threads(notifier: Notifier, stop: threading.Event) -> list[threading.Thread]:
    """The worker's four loops as threads (started by ``main`` or by tests)."""
    s = notifier.settings
    channels = notifier.configured()

    def apply(conn: Connection, event: CloudEvent) -> None:
        uow = NotifierUnitOfWork.on_connection(conn, notifier.catalogue, SOURCE,
                                               channels=channels)
        handle_event(uow, notifier.rules.current(), event, _now())  # type: ignore[arg-type]

    relay = build_relay(s.common, notifier.engine, notifier.catalogue)
    consumer = build_consumer(s.common, notifier.engine, notifier.catalogue,
                              dict.fromkeys(CONSUMED, apply))
    consumer.stop = stop
    dispatcher = notifier.dispatcher()
    last_digest = [0.0]

    def tick() -> int:
        rules = notifier.rules.current()
        timers.escalate_due(notifier.uow, rules, _now())
        if time.monotonic() - last_digest[0] > 60:
            last_digest[0] = time.monotonic()
            timers.send_digests(notifier.uow, rules, _now())
        return 0  # timers run on their own cadence: wait tick_s

    return [
        threading.Thread(target=relay.run, args=(stop,), name="relay"),
        threading.Thread(target=consumer.run, name="consumer"),
        threading.Thread(target=_dispatch, args=(stop, dispatcher), name="dispatcher"),
        threading.Thread(target=_loop, args=("timers", stop, tick, s.tick_s), name="timers"),
    ]


def main() -> None:
    notifier = bootstrap()
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    workers = threads(notifier, stop)
    for t in workers:
        t.start()
    log.info("notifier worker running (%d threads)", len(workers))
    while any(t.is_alive() for t in workers):
        for t in workers:
            t.join(timeout=0.5)
    log.info("notifier worker stopped")
