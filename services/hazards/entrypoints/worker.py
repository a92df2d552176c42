"""The hazards worker: outbox relay, registry consumer (home locations), silence scan."""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime

from services.hazards.bootstrap import Hazards, bootstrap
from services.hazards.service_layer import devices
from services.hazards.service_layer.registry_events import HANDLERS
from shared.worker import run_worker

log = logging.getLogger(__name__)


def scan_loop(hazards: Hazards, stop: threading.Event) -> None:
    """Look for silent devices every ``silent_scan_s`` seconds until ``stop`` is set."""
    settings = hazards.settings
    while not stop.wait(settings.silent_scan_s):
        try:
            devices.scan_silent(hazards.uow(), datetime.now(UTC), settings.silent_factor)
        except Exception:  # noqa: BLE001 - a failed scan is retried at the next tick
            log.exception("silent-device scan failed")


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
