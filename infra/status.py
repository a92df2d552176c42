"""``shouhu status``: services' health and each consumer group's lag."""

from __future__ import annotations

import os

import requests
from kafka import KafkaAdminClient, KafkaConsumer, TopicPartition

from infra.stack import SERVICES


def group_lag(bootstrap: str) -> dict[str, int]:
    """Messages each consumer group has not committed yet, over every partition of the
    topics it has committed to (a partition it never committed counts from zero)."""
    admin = KafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=5000)
    probe = KafkaConsumer(bootstrap_servers=bootstrap)
    try:
        groups = [g["group_id"] for g in admin.list_groups()]
        committed = admin.list_group_offsets(dict.fromkeys(groups)) if groups else {}
        lags: dict[str, int] = {}
        for group in groups:
            done = {tp: om.offset for tp, om in committed.get(group, {}).items()
                    if om.offset >= 0}
            partitions = [TopicPartition(t, p) for t in {tp.topic for tp in done}
                          for p in probe.partitions_for_topic(t) or ()]
            ends = probe.end_offsets(partitions) if partitions else {}
            lags[group] = sum(max(end - done.get(tp, 0), 0) for tp, end in ends.items())
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
