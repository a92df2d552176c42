"""The registry's worker process: outbox relay, hazards consumer, periodic scans.

The consumer keeps the water-hazard table current and asks for a reassessment; the
scanner thread serves that request within a second (one reassessment for a burst of
hazard events), and runs the overdue-visit scan and a full reassessment (ages and the
drowning season move with the calendar) every ``scan_interval_s``.
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import date, timedelta

from sqlalchemy.exc import DBAPIError

from services.registry.bootstrap import Registry, bootstrap
from services.registry.service_layer import assessment, visits
from shared.clock import township_today
from shared.messaging.failures import is_transient
from shared.worker import run_worker

log = logging.getLogger(__name__)


def scan_once(registry: Registry, bands_since: date | None = None) -> date:
    """One round: archive adults, overdue visits (exactly-once), a full reassessment
    that also publishes the children whose age band moved since ``bands_since`` (a
    week back after a start). Returns the township's day it scanned."""
    today = township_today()
    visits.archive_adults(registry.uow(), today)
    visits.scan_overdue(registry.uow(), today)
    uow = registry.uow()
    with uow:
        assessment.reassess_all(uow, registry.policy, today,
                                bands_since or today - timedelta(days=7))
    return today


def run_scanner(registry: Registry, stop: threading.Event, tick_s: float = 1.0) -> None:
    """Serve reassessment requests within a tick; the full scan every scan_interval_s."""
    next_full = 0.0
    scanned_on: date | None = None
    while not stop.is_set():
        try:
            if time.monotonic() >= next_full:
                scanned_on = scan_once(registry, scanned_on)
                next_full = time.monotonic() + registry.settings.scan_interval_s
            assessment.reassess_if_requested(registry.uow(), registry.policy)
        except DBAPIError as exc:
            if not is_transient(exc):
                raise  # a schema problem: the worker stops loudly (shared.worker)
            log.warning("scan: database busy or away; retrying next tick")
        stop.wait(tick_s)


def main() -> None:
    registry = bootstrap()
    run_worker(registry.settings.common, registry.engine, registry.catalogue,
               handlers=registry.handlers(),
               loops={"scanner": lambda stop: run_scanner(registry, stop)})
