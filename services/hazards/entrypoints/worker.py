"""The hazards worker process: outbox relay (+ consumer once it consumes events)."""

from __future__ import annotations

from services.hazards.bootstrap import bootstrap
from shared.worker import run_worker


def main() -> None:
    hazards = bootstrap()
    run_worker(hazards.settings.common, hazards.engine, hazards.catalogue, handlers={})
