"""The notifier worker: relay, consumer, dispatcher and timers in one process.

The consumer turns events into stored deliveries (in its own transaction); the
dispatcher sends them; the timer loop escalates unacknowledged alerts and makes the
daily digests. SIGTERM stops all four cleanly; SIGKILL loses nothing (ADR 0301); one
of them dying ends the process (``shared.worker.run_worker``).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy.exc import DBAPIError

from services.notifier.bootstrap import Notifier, bootstrap
from services.notifier.service_layer import timers
from services.notifier.service_layer.dispatch import Dispatcher
from shared.messaging.failures import is_transient
from shared.worker import Loop, run_worker, worker_loops

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


def own_loops(notifier: Notifier) -> dict[str, Loop]:
    """The notifier's loops beside the relay and the consumer: dispatcher and timers."""
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
        "dispatcher": lambda stop: _dispatch(stop, dispatcher),
        "timers": lambda stop: _loop("timers", stop, tick, notifier.settings.tick_s),
    }


def threads(notifier: Notifier, stop: threading.Event) -> list[threading.Thread]:
    """The four loops as threads, for tests that start them in-process."""
    loops = worker_loops(notifier.settings.common, notifier.engine, notifier.catalogue,
                         notifier.handlers(), stop, own_loops(notifier))
    return [threading.Thread(target=loop, args=(stop,), name=name)
            for name, loop in loops.items()]


def main() -> None:
    notifier = bootstrap()
    run_worker(notifier.settings.common, notifier.engine, notifier.catalogue,
               notifier.handlers(), own_loops(notifier))
