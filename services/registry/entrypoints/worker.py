"""The registry's worker process: outbox relay (+ consumer once it consumes events)."""

from __future__ import annotations

from services.registry.bootstrap import bootstrap
from shared.worker import run_worker


def main() -> None:
    registry = bootstrap()
    run_worker(registry.settings.common, registry.engine, registry.catalogue, handlers={})
