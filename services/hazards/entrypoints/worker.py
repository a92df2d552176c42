"""The hazards worker: outbox relay, registry consumer (home locations), silence scan."""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from services.hazards.bootstrap import Hazards, bootstrap
from services.hazards.service_layer import devices, fix_tasks
from services.hazards.service_layer.registry_events import HANDLERS
from shared.worker import run_worker

log = logging.getLogger(__name__)
TOWNSHIP_TZ = ZoneInfo("Asia/Shanghai")  # a task is due by the end of the township's day


def scan_loop(hazards: Hazards, stop: threading.Event) -> None:
    """Look for silent devices and overdue fix tasks every ``silent_scan_s`` seconds
    until ``stop`` is set."""
    settings = hazards.settings
    while not stop.wait(settings.silent_scan_s):
        try:
            devices.scan_silent(hazards.uow(), datetime.now(UTC), settings.silent_factor)
            fix_tasks.scan_overdue(hazards.uow(), datetime.now(TOWNSHIP_TZ).date())
        except Exception:  # noqa: BLE001 - a failed scan is retried at the next tick
            log.exception("silent-device or overdue-fix scan failed")


def main() -> None:
    hazards = bootstrap()
    stop = threading.Event()
    scanner = threading.Thread(target=scan_loop, args=(hazards, stop), name="silent-scan",
                               daemon=True)
    scanner.start()
    try:
        run_worker(hazards.settings.common, hazards.engine, hazards.catalogue, HANDLERS)
    finally:
        stop.set()
        scanner.join(timeout=5)
