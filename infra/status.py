"""``shouhu status``: services' health and each consumer group's lag."""

from __future__ import annotations

import os

import requests
from kafka import KafkaAdminClient, KafkaConsumer

from infra.stack import SERVICES


def group_lag(bootstrap: str) -> dict[str, int]:
    admin = KafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=5000)
    probe = KafkaConsumer(bootstrap_servers=bootstrap)
    try:
        lags: dict[str, int] = {}
        for group, *_ in admin.list_consumer_groups():
            offsets = admin.list_consumer_group_offsets(group)
            if not offsets:
                lags[group] = 0
                continue
            ends = probe.end_offsets(list(offsets))
            lags[group] = sum(max(ends[tp] - om.offset, 0) for tp, om in offsets.items())
        return lags
    finally:
        probe.close()
        admin.close()


def print_status(bootstrap: str) -> None:
    for service, default_port in SERVICES.items():
        port = os.environ.get(f"SHOUHU_{service.upper()}_PORT", str(default_port))
        try:
            ok = requests.get(f"http://127.0.0.1:{port}/healthz", timeout=2).ok
        except requests.RequestException:
            ok = False
        print(f"{service:10s} :{port}  {'up' if ok else 'DOWN'}")
    try:
        for group, lag in sorted(group_lag(bootstrap).items()):
            print(f"consumer group {group:20s} lag {lag}")
    except Exception as exc:  # noqa: BLE001 - status must report, not crash
        print(f"broker {bootstrap}: unreachable ({type(exc).__name__})")
