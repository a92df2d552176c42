"""The notifier worker: consumes events and delivers notifications."""

from __future__ import annotations

from services.notifier.bootstrap import bootstrap
from shared.worker import run_worker


def main() -> None:
    notifier = bootstrap()
    run_worker(notifier.settings.common, notifier.engine, notifier.catalogue, handlers={})
