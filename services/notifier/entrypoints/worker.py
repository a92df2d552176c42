"""The notifier worker: relay, consumer, dispatcher and timers in one process.

The consumer turns events into stored deliveries (in its own transaction); the
dispatcher sends them; the timer loop escalates unacknowledged alerts and makes the
daily digests. SIGTERM stops all four cleanly; SIGKILL loses nothing (ADR 0301); one
of them dying ends the process (``shared.worker.supervise``).
"""

from __future__ import annotations

import logging
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
from shared.messaging.failures import is_transient
from shared.worker import Loop, build_consumer, build_relay, supervise

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
            if not is_transient(exc):
                raise  # a schema problem: the worker stops loudly (shared.worker)
            log.warning("%s: database busy or away (%s); retrying in %.1fs", name,
                        type(exc).__name__, backoff)
            stop.wait(backoff)
            backoff = min(backoff * 2, 10.0)
            continue
        if not busy:
            stop.wait(idle_s)


def _dispatch(stop: threading.Event, dispatcher: Dispatcher) -> None:
    _loop("dispatcher", stop, dispatcher.run_once, 0.05)
    dispatcher.close()  # SIGTERM: sends in flight are recorded, not left 'sending'


def loops(notifier: Notifier, stop: threading.Event) -> dict[str, Loop]:
    """The worker's four loops, each a function of the stop event."""
    s = notifier.settings
    channels = notifier.configured()

    def apply(conn: Connection, event: CloudEvent) -> None:
        uow = NotifierUnitOfWork.on_connection(conn, notifier.catalogue, SOURCE,
                                               channels=channels)
        handle_event(uow, notifier.rules.current(), event, _now())

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

    return {
        "relay": relay.run,
        "consumer": lambda _stop: consumer.run(),
        "dispatcher": lambda stop: _dispatch(stop, dispatcher),
        "timers": lambda stop: _loop("timers", stop, tick, s.tick_s),
    }


def threads(notifier: Notifier, stop: threading.Event) -> list[threading.Thread]:
    """The four loops as threads, for tests that start them in-process."""
    return [threading.Thread(target=loop, args=(stop,), name=name)
            for name, loop in loops(notifier, stop).items()]


def main() -> None:
    notifier = bootstrap()
    stop = threading.Event()
    supervise("notifier", loops(notifier, stop), stop)
