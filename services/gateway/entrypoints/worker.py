"""The gateway worker: consumes registry and hazards events into the read model."""

from __future__ import annotations

from services.gateway.bootstrap import bootstrap
from shared.worker import run_worker


def main() -> None:
    gateway = bootstrap()
    run_worker(gateway.settings.common, gateway.engine, gateway.catalogue,
               gateway.handlers())
