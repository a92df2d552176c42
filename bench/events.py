"""Event backbone benchmark: outbox → relay → broker → gateway read model.

Runs the embedded stack (the same processes as ``shouhu up``), writes children into
the registry's database through its command handler — the API's own transaction
(validation, risk grade, audit row, outbox), minus HTTP — at a fixed rate, and
measures, from the gateway's inbox, how many events per second reach the read model
and the end-to-end latency (event time → applied).

Baseline, same run: a bare kafka-python producer → consumer round trip on the same
broker (no database, no outbox), i.e. what the broker and client alone give.

    .venv/bin/python bench/events.py [--rate 250] [--seconds 20]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
import uuid
from datetime import date
from pathlib import Path

from kafka import KafkaConsumer, KafkaProducer
from sqlalchemy import create_engine, select

from infra.broker import free_port
from infra.stack import SERVICES, Stack
from services.registry.bootstrap import bootstrap as registry_bootstrap
from services.registry.config import Settings as RegistrySettings
from services.registry.service_layer.children import register_child
from services.registry.service_layer.commands import RegisterChild
from services.registry.service_layer.context import Actor
from shared.auth import Principal, Role
from shared.messaging.tables import INBOX, OUTBOX


def _pct(values: list[float], p: float) -> float:
    return statistics.quantiles(values, n=100)[int(p) - 1] if len(values) > 1 else values[0]


def baseline(bootstrap: str, n: int) -> tuple[float, list[float]]:
    topic = f"bench-{uuid.uuid4().hex[:6]}"
    prod = KafkaProducer(bootstrap_servers=bootstrap, acks="all", enable_idempotence=True,
                         linger_ms=5)
    cons = KafkaConsumer(topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest",
                         group_id=None)
    cons.poll(timeout_ms=1000)
    t0 = time.monotonic()
    for _ in range(n):
        prod.send(topic, value=str(time.time()).encode())
    prod.flush()
    lat: list[float] = []
    while len(lat) < n and time.monotonic() - t0 < 60:
        for msgs in cons.poll(timeout_ms=500).values():
            now = time.time()
            lat.extend(now - float(m.value) for m in msgs)
    elapsed = time.monotonic() - t0
    prod.close()
    cons.close()
    return len(lat) / elapsed, lat


def _write_children(registry, rate: int, seconds: int) -> float:  # type: ignore[no-untyped-def]
    """Register ``rate`` children a second for ``seconds``; return the rate achieved."""
    actor = Actor(Principal("bench", Role.STATION_ADMIN))
    total = rate * seconds
    t0 = time.monotonic()
    for i in range(total):
        register_child(registry.uow(), RegisterChild(
            name=f"基准{i}", gender="male", birth_date=date(2015, 1, 1),
            village_code="500110120201", home_lon=106.65 + (i % 1000) * 1e-5,
            home_lat=28.95, guardians=[{"name": "祖母", "relation": "grandmother"}]),
            actor, registry.policy)
        ahead = (i + 1) / rate - (time.monotonic() - t0)
        if ahead > 0:
            time.sleep(ahead)
    return total / (time.monotonic() - t0)


def run_outbox(stack: Stack, rate: int, seconds: int) -> tuple[float, list[float], float]:
    """Events/s from first write to last application, per-event latencies, writer rate."""
    os.environ.update(stack.env())
    registry = registry_bootstrap(RegistrySettings.from_env(), run_migrations=False)
    gateway_db = create_engine(f"sqlite:///{stack.data_dir / 'gateway.db'}")
    written = _write_children(registry, rate, seconds)
    with registry.engine.connect() as conn:  # the gateway consumes all of this topic
        created = dict(conn.execute(select(OUTBOX.c.event_id, OUTBOX.c.created_at)
                                    .where(OUTBOX.c.topic == "registry.children")).all())
    applied: dict = {}
    deadline = time.monotonic() + 180
    while len(applied) < len(created) and time.monotonic() < deadline:
        time.sleep(0.5)
        with gateway_db.connect() as conn:
            applied = dict(conn.execute(select(INBOX.c.event_id, INBOX.c.applied_at)
                                        .where(INBOX.c.event_id.in_(list(created)))).all())
    # event time (outbox row) → applied time (gateway inbox row), both UTC on this host
    lat = [(applied[k] - created[k]).total_seconds() for k in applied]
    span = (max(applied.values()) - min(created.values())).total_seconds()
    print(f"writer: {written:.0f} children/s committed (offered {rate}/s); "
          f"{len(applied)}/{len(created)} events applied")
    return len(applied) / span, lat, written


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rate", type=int, default=250,
                    help="children registered per second (each gives the gateway 2 events)")
    ap.add_argument("--seconds", type=int, default=20)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        stack = Stack(data_dir=Path(tmp), broker_port=free_port(),
                      ports={s: free_port() for s in SERVICES},
                      extra_env={"SHOUHU_HTTP_WORKERS": "1"})
        stack.start()
        try:
            assert stack.broker is not None
            b_rate, b_lat = baseline(stack.broker.bootstrap, args.rate * args.seconds)
            o_rate, o_lat, _ = run_outbox(stack, args.rate, args.seconds)
        finally:
            stack.stop()
    print(f"baseline  bare producer→consumer: {b_rate:8.0f} msg/s  "
          f"p50 {_pct(b_lat, 50) * 1000:6.0f} ms  p99 {_pct(b_lat, 99) * 1000:6.0f} ms")
    print(f"shouhu    outbox→relay→gateway:  {o_rate:8.0f} ev/s   "
          f"p50 {_pct(o_lat, 50) * 1000:6.0f} ms  p99 {_pct(o_lat, 99) * 1000:6.0f} ms")


if __name__ == "__main__":
    main()
