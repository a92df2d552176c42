"""The hazards worker: outbox relay, registry consumer (home locations), the scan for
silent devices and overdue fix tasks."""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime

from sqlalchemy.exc import DBAPIError

from services.hazards.bootstrap import Hazards, bootstrap
from services.hazards.service_layer import devices, fix_tasks
from shared import clock
from shared.messaging.failures import is_transient
from shared.worker import run_worker

log = logging.getLogger(__name__)


def scan_loop(hazards: Hazards, stop: threading.Event) -> None:
    """Look for silent devices and overdue fix tasks every ``silent_scan_s`` seconds
    until ``stop`` is set."""
    settings = hazards.settings
    while not stop.wait(settings.silent_scan_s):
        try:
            devices.scan_silent(hazards.uow(), datetime.now(UTC), settings.silent_factor)
            fix_tasks.scan_overdue(hazards.uow(), clock.township_today())
        except DBAPIError as exc:
            if not is_transient(exc):
                raise  # a schema problem: the worker stops loudly (shared.worker)
            log.warning("silent-device or overdue-fix scan: database busy or away; next tick")


def main() -> None:
    hazards = bootstrap()
    run_worker(hazards.settings.common, hazards.engine, hazards.catalogue, hazards.handlers(),
               loops={"silent-scan": lambda stop: scan_loop(hazards, stop)})
