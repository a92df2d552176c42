"""Notifier benchmark: 1,000 urgent events, each fanned out to 3 recipients (two by
email through a real SMTP server with STARTTLS, one by signed webhook to a real HTTP
receiver), through the embedded broker, the consumer, SQLite and the dispatcher.

Baseline (measured in the same run): the same messages sent by the same channel
clients in a plain serial loop — no broker, no database, no exactly-once bookkeeping —
at their best serial use: one SMTP connection and one HTTP keep-alive connection kept
for all messages, as the clients do by themselves. The difference is the price of
durability, retries and the delivery log (and the gain of sending concurrently). The
worker runs as its own process (as in production); the receivers run in this one.

Reports throughput (deliveries/s) and event→delivery latency (p50/p99) for a burst
(all 1,000 events at once) and a paced flow (``--rate`` events/s), with the load
average before and after. Target: p99 ≤ 5 s for urgent items.

    .venv/bin/python bench/notifier.py [--events 1000] [--rate 20]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import select  # noqa: E402

from infra.broker import EmbeddedBroker, free_port  # noqa: E402
from services.notifier.adapters.channels.email import SmtpConfig, SmtpEmail  # noqa: E402
from services.notifier.adapters.channels.webhook import SignedWebhook  # noqa: E402
from services.notifier.adapters.tables import deliveries  # noqa: E402
from services.notifier.adapters.templates import Templates  # noqa: E402
from services.notifier.bootstrap import bootstrap  # noqa: E402
from services.notifier.config import Settings  # noqa: E402
from shared.events.envelope import CloudEvent  # noqa: E402
from tests.integration.notifier.helpers import (  # noqa: E402
    WEBHOOK_SECRET,
    case_opened,
    notifier_env,
    produce,
)
from tests.integration.notifier.receivers import Receiver, SmtpServer, make_cert  # noqa: E402

RULES = """\
version: 1
rules:
  - name: bench
    event: registry.case.opened.v1
    urgent: true
    notify:
      - {role: police_station, level: township}
      - {role: child_director, level: village}
      - {role: child_supervisor, level: township}
    channels: [webhook, email]
"""
DIRECTORY = """\
people:
  - {person_id: police, role: police_station, scope_code: '500110120',
     contacts: {webhook: 'HOOKS/hook/police'}}
  - {person_id: supervisor, role: child_supervisor, scope_code: '500110120',
     contacts: {email: supervisor@bench.example}}
  - {person_id: director, role: child_director, scope_code: '500110120000',
     contacts: {email: director@bench.example}}
"""


def pct(values: list[float], p: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[p - 1] if len(values) > 1 \
        else values[0]


def arrivals(smtp: SmtpServer, receiver: Receiver) -> dict[str, float]:
    """Arrival time of each delivery (by its delivery id) at the receivers."""
    with smtp.mailbox.lock:
        pairs = [(m["X-Shouhu-Delivery"], t) for m, t in zip(smtp.mailbox.messages,
                                                              smtp.mailbox.times, strict=True)]
    for r in receiver.at("/hook"):
        pairs.append((r.headers["X-Shouhu-Delivery"], r.at))
    return dict(pairs)


def received(smtp: SmtpServer, receiver: Receiver) -> int:
    """Messages received so far — cheap: the receivers share this process's GIL."""
    return len(smtp.mailbox.messages) + len(receiver.requests)


def baseline(n: int, smtp: SmtpServer, receiver: Receiver, templates: Templates) -> float:
    """Send n × 3 messages directly with the channel clients; return messages/s."""
    email = SmtpEmail(SmtpConfig(host="127.0.0.1", port=smtp.port, cafile=str(smtp.cert)))
    hook = SignedWebhook(WEBHOOK_SECRET)
    t0 = time.perf_counter()
    for i in range(n):
        ev = case_opened(f"base-{i}")
        for channel, address in (("webhook", f"{receiver.url}/hook/base"),
                                 ("email", "supervisor@bench.example"),
                                 ("email", "director@bench.example")):
            msg = templates.render(delivery_id=str(uuid.uuid4()), event_id=ev.id,
                                   event_type=ev.type, data=ev.data, urgent=True, lang="zh",
                                   level=0, ack_token="t")
            (hook if channel == "webhook" else email).send(msg, address)
    return 3 * n / (time.perf_counter() - t0)


def run_flow(engine, broker, prefix, smtp, receiver, events: list[CloudEvent],
             rate: float | None) -> tuple[float, list[float]]:
    """Produce events (all at once, or at ``rate``/s); wait for 3 deliveries each."""
    want = 3 * len(events)
    start_msgs = received(smtp, receiver)
    t0 = time.time()
    step = len(events) if rate is None else max(1, int(rate / 10))
    produced: dict[str, float] = {}
    for i in range(0, len(events), step):
        chunk = [replace(e, time=datetime.now(UTC)) for e in events[i:i + step]]
        produced.update({e.id: e.time.timestamp() for e in chunk})
        produce(broker.bootstrap, prefix, chunk)
        if rate is not None:
            time.sleep(max(0.0, t0 + (i + len(chunk)) / rate - time.time()))
    while received(smtp, receiver) - start_msgs < want:
        if time.time() - t0 > 600:
            raise TimeoutError("deliveries did not complete in 10 minutes")
        time.sleep(0.2)
    elapsed = time.time() - t0
    with engine.connect() as conn:
        ids = {e.id for e in events}
        by_delivery = {r.delivery_id: r.event_id for r in conn.execute(
            select(deliveries.c.delivery_id, deliveries.c.event_id))}
    arrived = arrivals(smtp, receiver)
    latest: dict[str, float] = {}
    for delivery_id, at in arrived.items():
        event_id = by_delivery.get(delivery_id)
        if event_id in ids:
            latest[event_id] = max(latest.get(event_id, 0.0), at)
    lat = [latest[e] - produced[e] for e in latest]
    return want / elapsed, lat


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--events", type=int, default=1000)
    ap.add_argument("--rate", type=float, default=20.0, help="paced flow, events/s")
    ap.add_argument("--baseline-events", type=int, default=300)
    args = ap.parse_args()
    load_before = f"{os.getloadavg()[0]:.2f}"
    tmp = Path(tempfile.mkdtemp(prefix="bench-notifier-"))
    broker = EmbeddedBroker(free_port(), tmp / "broker.log").start()
    smtp = SmtpServer(*make_cert(tmp)).start()
    receiver = Receiver()
    receiver.thread.start()
    prefix = f"b{uuid.uuid4().hex[:6]}."
    env = notifier_env(tmp, f"sqlite:///{tmp / 'notifier.db'}", broker.bootstrap, prefix,
                       smtp.port, receiver.url, smtp.cert)
    (tmp / "rules.yaml").write_text(RULES)
    (tmp / "directory.yaml").write_text(DIRECTORY.replace("HOOKS", receiver.url))
    os.environ.update({**env, "SHOUHU_NOTIFIER_TICK_S": "1"})
    notifier = bootstrap(Settings.from_env())  # migrates and seeds the directory
    worker = None
    try:
        base_rate = baseline(args.baseline_events, smtp, receiver, notifier.templates)
        # the worker runs as in production: its own process, `shouhu serve notifier worker`
        with open(tmp / "worker.log", "ab") as log:
            worker = subprocess.Popen([sys.executable, "-m", "infra.cli", "serve", "notifier",
                                       "worker"], env=dict(os.environ), stdout=log,
                                      stderr=subprocess.STDOUT)
        flow = (notifier.engine, broker, prefix, smtp, receiver)
        run_flow(*flow, [case_opened("warm-up")], None)  # includes the group join
        n = args.events
        b_rate, b_lat = run_flow(*flow, [case_opened(f"burst-{i}") for i in range(n)], None)
        p_rate, p_lat = run_flow(*flow, [case_opened(f"paced-{i}") for i in range(n)],
                                 args.rate)
    finally:
        if worker is not None:
            worker.terminate()
            worker.wait(30)
        smtp.stop()
        receiver.server.shutdown()
        broker.stop()
    print(f"load average before {load_before}, after {os.getloadavg()[0]:.2f}")
    print(f"baseline (direct serial sends, no broker/DB): {base_rate:7.1f} messages/s")
    print(f"burst  {n} events × 3: {b_rate:7.1f} deliveries/s; event→delivery "
          f"p50 {pct(b_lat, 50):.2f}s p99 {pct(b_lat, 99):.2f}s "
          f"(target p99 ≤ 5 s: {'met' if pct(b_lat, 99) <= 5 else 'NOT met'})")
    print(f"paced  {n} events × 3 at {args.rate:g} ev/s: {p_rate:7.1f} deliveries/s; "
          f"event→delivery p50 {pct(p_lat, 50):.2f}s p99 {pct(p_lat, 99):.2f}s "
          f"(target p99 ≤ 5 s: {'met' if pct(p_lat, 99) <= 5 else 'NOT met'})")


if __name__ == "__main__":
    main()
