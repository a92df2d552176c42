"""The dispatcher against the real SMTP server and webhook receiver, on SQLite and
PostgreSQL: concurrent senders and dispatchers with redelivered events tell each
person once per channel, and urgent deliveries overtake a queue of routine ones."""

from __future__ import annotations

import collections
import threading
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from services.notifier.bootstrap import Notifier, bootstrap
from services.notifier.config import Settings
from services.notifier.service_layer.dispatch import DispatchConfig, Dispatcher
from services.notifier.service_layer.handlers import handle_event
from shared.events.envelope import CloudEvent
from shared.testing.fixtures import eventually
from tests.integration.notifier.helpers import case_opened, delivery_rows, notifier_env

ROUTINE = """\
  - name: case-opened
    event: registry.case.opened.v1
    when: {mandatory_report: false}
    notify: [{role: child_director, level: village}]
    channels: [email]
"""


@pytest.fixture
def notifier(tmp_path, monkeypatch, database_url, smtp_server, receiver) -> Notifier:
    env = notifier_env(tmp_path, database_url, "127.0.0.1:1", "x.", smtp_server.port,
                       receiver.url, smtp_server.cert, ack="10m")
    rules = tmp_path / "rules.yaml"
    rules.write_text(rules.read_text() + ROUTINE)
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    return bootstrap(replace(Settings.from_env()), rules_check_s=0)


def _store(notifier: Notifier, events: list[CloudEvent]) -> None:
    """What the consumer does with each event (no inbox: as if redelivered past it)."""
    for event in events:
        with notifier.uow() as uow:
            handle_event(uow, notifier.rules.current(), event, datetime.now(UTC))


def _dispatcher(notifier: Notifier, **config: int) -> Dispatcher:
    return Dispatcher(notifier.uow, notifier.rules.current, notifier.templates,
                      notifier.channels(), DispatchConfig(notifier.settings.ack_secret,
                                                           notifier.settings.lease_s, **config))


def test_two_dispatchers_and_redelivered_events_tell_each_person_once(
        notifier, smtp_server, receiver):
    events = [case_opened(f"case-{i}") for i in range(40)]
    _store(notifier, events[:20])
    stop = threading.Event()

    def run(d: Dispatcher) -> None:
        while not stop.is_set():
            d.run_once()
        d.close()

    workers = [threading.Thread(target=run, args=(_dispatcher(notifier),)) for _ in range(2)]
    for t in workers:
        t.start()
    try:
        _store(notifier, events)  # the first 20 again, while they are being sent
        _store(notifier, events[20:])  # and the rest twice
        eventually(lambda: len(smtp_server.mailbox.ids()) >= 80
                   and len(receiver.at("/hook")) >= 40, 60, message="all delivered")
        eventually(lambda: {d.state for d in delivery_rows(notifier.engine)} == {"sent"}, 30,
                   message="all recorded")
    finally:
        stop.set()
        for t in workers:
            t.join(30)
    mail_ids = smtp_server.mailbox.ids()
    hook_ids = [r.headers["X-Shouhu-Delivery"] for r in receiver.at("/hook")]
    assert len(mail_ids) == len(set(mail_ids)) == 80, "police + director, once each"
    assert len(hook_ids) == len(set(hook_ids)) == 40
    rows = delivery_rows(notifier.engine)
    assert len(rows) == 200 and all(d.attempt == 1 for d in rows), "police 3, director 2"
    per_key = collections.Counter((d.event_id, d.recipient_id, d.channel) for d in rows)
    assert max(per_key.values()) == 1


def _routine(case_id: str, urgent: bool) -> CloudEvent:
    event = case_opened(case_id)
    return replace(event, data={**event.data, "mandatory_report": False,
                                "severity": "urgent" if urgent else "normal"})


def test_urgent_deliveries_overtake_a_queue_of_routine_ones(notifier, smtp_server):
    dispatcher = _dispatcher(notifier, senders=1, batch=2)
    _store(notifier, [_routine(f"routine-{i}", urgent=False) for i in range(30)])
    mail = smtp_server.mailbox
    while len(mail.ids()) < 4:
        dispatcher.run_once()
    _store(notifier, [_routine(f"urgent-{i}", urgent=True) for i in range(3)])
    received = len(mail.ids())
    while len(mail.ids()) < 33:
        dispatcher.run_once()
    dispatcher.close()
    with mail.lock:
        order = [m["Importance"] == "high" for m in mail.messages]
    urgent_at = [n for n, urgent in enumerate(order) if urgent]
    assert len(urgent_at) == 3
    # ahead of them only what had arrived and the two routine ones already claimed
    assert max(urgent_at) < received + 2 + 3
    assert order[max(urgent_at) + 1:].count(False) >= 20, "the routine queue waited"
