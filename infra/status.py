"""``shouhu status``: the truth about every process of the embedded stack.

Per process: alive, restarts and why it last died (from ``data/stack.json``, written by
``shouhu up``); per API: health; per service: unsent outbox rows and the age of the
oldest; per consumer group: lag; per dead-letter topic: how many letters.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path

import requests
from kafka import KafkaAdminClient, KafkaConsumer, TopicPartition
from sqlalchemy import create_engine, func, select
from sqlalchemy.exc import SQLAlchemyError

from infra.stack import SERVICES
from shared.messaging.tables import OUTBOX


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


def dead_letters(bootstrap: str) -> dict[str, int]:
    """Messages in each ``*.dlq`` topic."""
    probe = KafkaConsumer(bootstrap_servers=bootstrap)
    try:
        topics = [t for t in probe.topics() if t.endswith(".dlq")]
        parts = [TopicPartition(t, p) for t in topics for p in probe.partitions_for_topic(t) or ()]
        ends = probe.end_offsets(parts) if parts else {}
        return {t: sum(n for tp, n in ends.items() if tp.topic == t) for t in topics}
    finally:
        probe.close()


def database_url(service: str, env: Mapping[str, str]) -> str:
    data = Path(env.get("SHOUHU_DATA_DIR", "data")).resolve()
    return (env.get(f"SHOUHU_{service.upper()}_DATABASE_URL")
            or f"sqlite:///{data / (service + '.db')}")


def unsent(service: str, env: Mapping[str, str]) -> tuple[int, float | None]:
    """Unsent outbox rows of ``service`` and the age in seconds of the oldest."""
    url = database_url(service, env)
    if url.startswith("sqlite:///") and not Path(url[len("sqlite:///"):]).exists():
        return 0, None
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            count, oldest = conn.execute(select(func.count(), func.min(OUTBOX.c.created_at))
                                         .where(OUTBOX.c.sent_at.is_(None))).one()
    finally:
        engine.dispose()
    if oldest is None:
        return int(count), None
    if isinstance(oldest, str):  # SQLite hands back text for an aggregate
        oldest = datetime.fromisoformat(oldest)
    if oldest.tzinfo is None:
        oldest = oldest.replace(tzinfo=UTC)
    return int(count), (datetime.now(UTC) - oldest).total_seconds()


def pending_work(env: Mapping[str, str], bootstrap: str) -> bool:
    """True while an outbox holds unsent rows or a consumer group lags."""
    if any(unsent(s, env)[0] for s in SERVICES):
        return True
    return any(group_lag(bootstrap).values())


def _alive(pid: int | None) -> bool:
    if not pid:
        return False
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"  # a zombie is dead


def print_status(bootstrap: str, env: Mapping[str, str] | None = None) -> None:
    logging.getLogger("kafka").setLevel(logging.CRITICAL)  # status prints its own lines
    env = dict(os.environ if env is None else env)
    data = Path(env.get("SHOUHU_DATA_DIR", "data")).resolve()
    state_file = data / "stack.json"
    state = json.loads(state_file.read_text()) if state_file.exists() else {}
    ports = state.get("ports") or {s: int(env.get(f"SHOUHU_{s.upper()}_PORT") or p)
                                   for s, p in SERVICES.items()}
    if state:
        broker = state.get("broker", {})
        print(f"{'broker':18s} {'alive' if _alive(broker.get('pid')) else 'DEAD':6s} "
              f"pid {broker.get('pid')}")
        for name, proc in sorted(state.get("processes", {}).items()):
            alive = _alive(proc["pid"])
            why = f"  last exit: {proc['last_exit']}" if proc.get("last_exit") else ""
            print(f"{name:18s} {'alive' if alive else 'DEAD':6s} pid {proc['pid']:<7} "
                  f"restarts {proc['restarts']}{why}")
    else:
        print(f"no stack started by `shouhu up` in {data} (processes not listed)")
    for service in SERVICES:
        port = ports.get(service)
        try:
            ok = requests.get(f"http://127.0.0.1:{port}/healthz", timeout=2).ok
        except requests.RequestException:
            ok = False
        line = f"{service:10s} :{port}  {'up' if ok else 'DOWN'}"
        try:
            count, age = unsent(service, env)
            line += f"  outbox unsent {count}" + (f", oldest {age:.0f} s" if age else "")
        except SQLAlchemyError as exc:
            line += f"  outbox unreadable ({type(exc).__name__})"
        print(line)
    try:
        for group, lag in sorted(group_lag(bootstrap).items()):
            print(f"consumer group {group:20s} lag {lag}")
        for topic, n in sorted(dead_letters(bootstrap).items()):
            print(f"dead letters {topic:22s} {n}")
    except Exception as exc:  # noqa: BLE001 - status must report, not crash
        print(f"broker {bootstrap}: unreachable ({type(exc).__name__})")
