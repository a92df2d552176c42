"""A station's first run (issue 12): ``shouhu up`` on a fresh data folder prints one
demo user per role whose password signs in; starting again on the same data seeds
nothing twice and prints new passwords that work."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import requests

from infra.ports import stable_port
from infra.stack import SERVICES
from shared.auth import Role

READY = "Press Ctrl-C to stop."


def _up(data: Path, ports: dict[str, int], broker_port: int, timeout_s: float = 1500.0):
    """Start ``shouhu up``; return the process and what it printed until it was ready."""
    env = {**os.environ, "SHOUHU_HTTP_WORKERS": "1",
           **{f"SHOUHU_{s.upper()}_PORT": str(p) for s, p in ports.items()}}
    env.pop("SHOUHU_AUTH_KEYS", None)
    proc = subprocess.Popen([sys.executable, "-m", "infra.cli", "up", "--data-dir", str(data),
                             "--broker-port", str(broker_port)], env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    lines: list[str] = []
    timer = threading.Timer(timeout_s, proc.kill)
    timer.start()
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.append(line.rstrip())
            if line.strip() == READY:
                return proc, lines
    finally:
        timer.cancel()
    raise AssertionError("shouhu up ended before it was ready:\n" + "\n".join(lines[-40:]))


def _stop(proc: subprocess.Popen) -> None:
    proc.send_signal(signal.SIGINT)
    assert proc.wait(timeout=180) == 0


def _users(lines: list[str]) -> dict[str, tuple[str, str]]:
    """role → (user, password) from the printed table."""
    users = {}
    for line in lines:
        parts = line.split()
        if len(parts) == 3 and parts[0].startswith("demo.") and parts[1] in Role._value2member_map_:
            users[parts[1]] = (parts[0], parts[2])
    return users


def _signs_in(gateway: str, user: str, password: str) -> bool:
    r = requests.post(gateway + "/login", json={"username": user, "password": password},
                      timeout=30)
    return r.ok and bool(r.json().get("access_token"))


def _seeded(data: Path) -> tuple[int, ...]:
    with sqlite3.connect(data / "registry.db") as reg, sqlite3.connect(data / "hazards.db") as haz:
        return (reg.execute("SELECT count(*) FROM children").fetchone()[0],
                reg.execute("SELECT count(*) FROM visits").fetchone()[0],
                haz.execute("SELECT count(*) FROM patrol_points").fetchone()[0])


@pytest.mark.slow
@pytest.mark.timeout(2400)  # two full starts, the first seeding the demo township
def test_first_run_prints_working_users_and_a_restart_seeds_nothing_twice(tmp_path):
    data = tmp_path / "data"
    ports = {name: stable_port() for name in SERVICES}
    broker_port = stable_port()
    gateway = f"http://127.0.0.1:{ports['gateway']}"

    proc, first = _up(data, ports, broker_port)
    try:
        users = _users(first)
        assert set(users) == {r.value for r in Role}, "\n".join(first)
        for role, (user, password) in users.items():
            assert _signs_in(gateway, user, password), role
    finally:
        _stop(proc)
    seeded = _seeded(data)
    assert seeded[0] > 1000

    proc, again = _up(data, ports, broker_port)
    try:
        assert not any("generating the demo township" in line for line in again)
        users_again = _users(again)
        assert set(users_again) == set(users)
        for role, (user, password) in users_again.items():
            assert password != users[role][1]
            assert _signs_in(gateway, user, password), role
        assert _seeded(data) == seeded
    finally:
        _stop(proc)
