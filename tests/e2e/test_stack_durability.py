"""The embedded stack under power cuts, clean stops and dying threads (issue 14).

Real processes on SQLite files: the registry takes children (every fifth living alone,
which opens an urgent mandatory-report case) while the whole stack is SIGKILLed at a
random moment, three times, and stopped cleanly once; after each restart on the same
data, every child the registry stored reaches the gateway once and every urgent case
reaches the notifier.
"""

from __future__ import annotations

import itertools
import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time

import pytest
import requests

from infra.ports import stable_port
from infra.stack import SERVICES, Stack
from shared.auth import Role
from shared.testing.fixtures import eventually

_SERIAL = itertools.count(50_000)


@pytest.fixture
def stack(tmp_path):
    s = Stack(data_dir=tmp_path / "data", broker_port=stable_port(),
              ports={name: stable_port() for name in SERVICES},
              extra_env={"SHOUHU_HTTP_WORKERS": "1"}, grace_s=15, drain_s=30)
    s.start()
    yield s
    s.stop()


def _child(i: int) -> dict:
    return {"name": f"断电{i}", "gender": "female", "birth_date": "2015-05-05",
            "village_code": "500110120201", "living_alone": i % 5 == 0,
            "home": {"lon": 106.64 + (i % 500) * 1e-5, "lat": 28.95 + (i // 500) * 1e-5}}


class Load:
    """Registers children until stopped; counts what the registry answered 201 to."""

    def __init__(self, stack: Stack):
        self.stack, self.acked, self.stop = stack, 0, threading.Event()
        self.auth = {"Authorization": f"Bearer {stack.token(Role.STATION_ADMIN)}"}
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self) -> None:
        while not self.stop.is_set():
            try:
                r = requests.post(self.stack.url("registry") + "/children",
                                  json=_child(next(_SERIAL)), headers=self.auth, timeout=5)
                self.acked += r.status_code == 201
            except requests.RequestException:
                self.stop.wait(0.2)  # the stack is down: the power is off

    def __enter__(self) -> Load:
        self.thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop.set()
        self.thread.join(10)


def _power_cut(stack: Stack) -> None:
    """SIGKILL every process the stack runs, the broker included: nothing gets to
    flush, drain or say goodbye."""
    for proc in stack.procs.values():
        os.killpg(proc.pid, signal.SIGKILL)
    assert stack.broker and stack.broker.proc
    stack.broker.proc.kill()
    for proc in [*stack.procs.values(), stack.broker.proc]:
        proc.wait()
    stack.procs.clear()
    stack.supervised.clear()
    stack.broker = None


def _count(stack: Stack, db: str, sql: str) -> int:
    with sqlite3.connect(stack.data_dir / f"{db}.db", timeout=30) as conn:
        return int(conn.execute(sql).fetchone()[0])


def _converged(stack: Stack) -> bool:
    children = _count(stack, "registry", "SELECT count(*) FROM children")
    urgent = _count(stack, "registry", "SELECT count(*) FROM cases WHERE mandatory_report")
    return (_count(stack, "gateway", "SELECT count(*) FROM child_homes") == children
            and _count(stack, "notifier",
                       "SELECT count(DISTINCT case_id) FROM alerts WHERE urgent") >= urgent)


@pytest.mark.slow
@pytest.mark.timeout(1500)
def test_three_power_cuts_and_a_clean_stop_under_load_lose_and_double_nothing(stack):
    rng = random.Random(os.getpid())
    acked = 0
    for moment in ("cut", "cut", "clean stop", "cut"):
        with Load(stack) as load:
            time.sleep(rng.uniform(3, 9))
            if moment == "cut":
                _power_cut(stack)
            else:
                stack.stop()
        acked += load.acked
        stack.start()
    eventually(lambda: _converged(stack), 300, interval_s=2,
               message="every stored child in the gateway, every urgent case notified")
    children = _count(stack, "registry", "SELECT count(*) FROM children")
    assert children >= acked > 0  # a request cut mid-answer may still have been stored
    assert _count(stack, "gateway", "SELECT count(*) FROM child_homes") == children
    urgent = _count(stack, "registry", "SELECT count(*) FROM cases WHERE mandatory_report")
    assert urgent >= acked // 5 - 4
    assert _count(stack, "notifier", "SELECT count(DISTINCT case_id) FROM alerts "
                  "WHERE urgent AND case_id != ''") == urgent
    assert _count(stack, "notifier", "SELECT count(*) FROM (SELECT 1 FROM deliveries "
                  "GROUP BY event_id, recipient_id, channel HAVING count(*) > 1)") == 0
    assert _count(stack, "notifier", "SELECT count(*) FROM (SELECT 1 FROM alerts "
                  "GROUP BY event_id, rule HAVING count(*) > 1)") == 0
    print(f"{acked} children acknowledged, {children} stored and on the map, {urgent} urgent "
          "cases notified, across three power cuts and a clean stop")


@pytest.mark.parametrize("service", ["registry", "hazards", "notifier", "gateway"])
def test_a_worker_whose_relay_dies_exits_and_is_restarted(stack, service):
    """The relay thread fails on a missing outbox table: the worker exits with code 3
    (not a live process with a dead relay), the supervisor says why and restarts it
    with backoff; with the table back, the restarted worker stays up."""
    db = stack.data_dir / f"{service}.db"
    name = f"{service}-worker"
    old = stack.procs[name]
    with sqlite3.connect(db, timeout=30) as conn:
        conn.execute("ALTER TABLE outbox RENAME TO outbox_away")
    try:
        assert old.wait(timeout=60) == 3
        stack.watch()
        assert "exit 3" in stack.supervised[name].last_exit
        assert "relay" in stack.supervised[name].last_exit
    finally:
        with sqlite3.connect(db, timeout=30) as conn:
            conn.execute("ALTER TABLE outbox_away RENAME TO outbox")
    eventually(lambda: (stack.watch(), stack.procs[name] is not old)[1], 30,
               message="the worker restarted")
    time.sleep(3)
    assert stack.procs[name].poll() is None
    assert stack.supervised[name].restarts == 1


def test_status_tells_each_process_outbox_lag_and_dead_letters_quietly(stack):
    """``shouhu status`` on the data folder alone: every process alive with its restarts,
    each service's outbox, each consumer group's lag; no Kafka chatter."""
    auth = {"Authorization": f"Bearer {stack.token(Role.STATION_ADMIN)}"}
    assert requests.post(stack.url("registry") + "/children", json=_child(next(_SERIAL)),
                         headers=auth, timeout=30).status_code == 201
    env = {k: v for k, v in os.environ.items() if k != "SHOUHU_KAFKA_BOOTSTRAP"}
    env["SHOUHU_DATA_DIR"] = str(stack.data_dir)

    def status() -> str | None:
        out = subprocess.run([sys.executable, "-m", "infra.cli", "status"], env=env,
                             capture_output=True, text=True, timeout=120)
        return out.stdout + out.stderr if "consumer group gateway" in out.stdout else None

    out = eventually(status, 120, interval_s=2, message="status lists the gateway's group")
    lines = out.splitlines()
    for name in stack.procs:
        assert any(ln.startswith(name) and " alive " in ln and "restarts 0" in ln
                   for ln in lines), name
    for service in SERVICES:
        assert any(ln.startswith(service) and "up  outbox unsent" in ln for ln in lines), service
    assert " INFO " not in out
