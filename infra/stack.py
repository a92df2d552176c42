"""The embedded stack: broker, four services (API + worker each), one log per process.

Used by ``shouhu up`` and by the end-to-end tests, so both run exactly the same thing.
Each process runs in its own process group, so a stop reaches gunicorn's workers too:
SIGTERM, then SIGKILL after ``grace_s``. A stop goes in dependency order: APIs (no new
writes), then, once outboxes are sent and consumers caught up (or ``drain_s`` passed),
the workers, then the broker. ``watch`` restarts a process that died, with backoff, and
says why; ``data/stack.json`` records what runs for ``shouhu status``.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import requests

from infra.broker import EmbeddedBroker, die_with_parent
from infra.ports import check_free
from shared.auth import Principal, Role, TokenKeys
from shared.auth.tokens import public_keys_env
from shared.crypto import embedded_key_file

SERVICES = {"gateway": 8100, "registry": 8101, "hazards": 8102, "notifier": 8103}
ROLES = ("worker", "api")


def ports_from_env() -> dict[str, int]:
    """Each service's port: ``SHOUHU_<SERVICE>_PORT`` or its default."""
    return {s: int(os.environ.get(f"SHOUHU_{s.upper()}_PORT") or p) for s, p in SERVICES.items()}


@dataclass
class Supervised:
    """One child process and what ``shouhu status`` tells about it."""

    proc: subprocess.Popen[bytes]
    restarts: int = 0
    started: float = field(default_factory=time.time)
    last_exit: str = ""
    restart_at: float | None = None  # monotonic time of a scheduled restart


@dataclass
class Stack:
    data_dir: Path
    broker_port: int = 9092
    ports: dict[str, int] = field(default_factory=lambda: dict(SERVICES))
    extra_env: dict[str, str] = field(default_factory=dict)
    broker: EmbeddedBroker | None = None
    procs: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    supervised: dict[str, Supervised] = field(default_factory=dict)
    grace_s: float = 20.0
    drain_s: float = 30.0
    say: Callable[[str], None] = field(default=lambda _msg: None)

    def auth_keys(self) -> str:
        """The embedded default's signing key, kept in the data folder across restarts."""
        return embedded_key_file(self.data_dir / "auth.keys")

    def token(self, role: Role = Role.STATION_ADMIN, township: str = "500110120",
              villages: frozenset[str] = frozenset(), user_id: str = "demo") -> str:
        keys = dict(p.split(":", 1) for p in self.auth_keys().split(","))
        issuer = TokenKeys(keys, next(iter(keys)), ttl_s=12 * 3600)
        # the operator's own token (seeding the demo's invented activity): checked
        return issuer.issue(Principal(user_id, role, township, villages),
                            check_until=date.today() + timedelta(days=1))

    def env(self, service: str = "gateway") -> dict[str, str]:
        """A process's environment; only the gateway (and the operator's commands) get
        the private signing keys, the other services the public keys alone."""
        env = dict(os.environ)
        private = self.auth_keys()
        env.pop("SHOUHU_AUTH_KEYS", None)
        env.setdefault("SHOUHU_OUTBOX_RETENTION_DAYS", "0")  # the durable log (ADR 0008)
        env.update({
            **({"SHOUHU_AUTH_KEYS": private} if service == "gateway"
               else {"SHOUHU_TRUSTED_PROXIES": "1"}),  # the gateway forwards calls
            "SHOUHU_AUTH_PUBLIC_KEYS": public_keys_env(private),
            "SHOUHU_DATA_DIR": str(self.data_dir),
            "SHOUHU_KAFKA_BOOTSTRAP": f"127.0.0.1:{self.broker_port}",
            **{f"SHOUHU_{s.upper()}_PORT": str(p) for s, p in self.ports.items()},
            **{f"SHOUHU_{s.upper()}_URL": f"http://127.0.0.1:{p}" for s, p in self.ports.items()},
        })
        env.update(self.extra_env)
        return env

    @property
    def logs(self) -> Path:
        return self.data_dir / "logs"

    # -- starting ----------------------------------------------------------------
    def start_broker(self) -> None:
        """Start (or restart, on the same port) the embedded broker."""
        self.logs.mkdir(parents=True, exist_ok=True)
        self.broker = EmbeddedBroker(self.broker_port, self.logs / "broker.log").start()
        self.write_state()

    def start_process(self, service: str, role: str) -> None:
        """Start ``shouhu serve SERVICE ROLE`` in its own process group, with its own log."""
        name = f"{service}-{role}"
        log = open(self.logs / f"{name}.log", "ab")  # noqa: SIM115
        proc = subprocess.Popen(
            [sys.executable, "-m", "infra.cli", "serve", service, role],
            env=self.env(service), stdout=log, stderr=subprocess.STDOUT,
            preexec_fn=die_with_parent, start_new_session=True,
        )
        log.close()  # the child holds its own copy
        self.procs[name] = proc
        before = self.supervised.get(name)
        self.supervised[name] = Supervised(proc, before.restarts if before else 0,
                                           last_exit=before.last_exit if before else "")
        self.write_state()

    def start(self) -> None:
        """Check the ports, start the broker, migrate, start every process, wait."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.data_dir.chmod(0o700)  # databases, keys, ledgers and logs: the owner's only
        self.logs.mkdir(parents=True, exist_ok=True)
        check_free({"broker": self.broker_port, **self.ports})
        self.say(f"broker on port {self.broker_port} …")
        self.start_broker()
        for service in self.ports:
            self.migrate(service)
        for service in self.ports:
            for role in ROLES:
                self.start_process(service, role)
        self.wait_healthy()

    def migrate(self, service: str) -> None:
        """Migrations run once, before the processes that share the database start."""
        started = time.monotonic()
        self.say(f"migrating {service} …")
        with open(self.logs / "migrate.log", "ab") as log:
            done = subprocess.run([sys.executable, "-m", "infra.cli", "migrate", service],
                                  env=self.env(service), stdout=log, stderr=subprocess.STDOUT)
        if done.returncode != 0:
            raise RuntimeError(f"migrating {service} failed (exit {done.returncode}):\n"
                               + self.tail("migrate"))
        self.say(f"migrated {service} in {time.monotonic() - started:.0f} s")

    def wait_healthy(self, timeout_s: float = 1800.0, report_every_s: float = 15.0) -> None:
        """Wait until every API answers /healthz, however long the machine needs (up to
        ``timeout_s``), saying what it waits for; stop at once if a process died."""
        started = time.monotonic()
        next_report = started + report_every_s
        pending = set(self.ports)
        while pending:
            for name, proc in self.procs.items():
                if proc.poll() is not None:
                    raise RuntimeError(f"{name} exited with {proc.returncode} while starting:\n"
                                       + self.tail(name))
            for service in list(pending):
                try:
                    if requests.get(self.url(service) + "/healthz", timeout=2).ok:
                        pending.discard(service)
                        self.say(f"{service} is up ({time.monotonic() - started:.0f} s)")
                except requests.RequestException:
                    pass
            now = time.monotonic()
            if pending and now - started > timeout_s:
                raise TimeoutError(f"not healthy after {timeout_s:.0f} s: {sorted(pending)}")
            if pending and now >= next_report:
                self.say(f"still waiting for {', '.join(sorted(pending))} "
                         f"({now - started:.0f} s)")
                next_report = now + report_every_s
            time.sleep(0.3)

    def tail(self, name: str, lines: int = 15) -> str:
        """The end of a process's log, for an error message."""
        path = self.logs / f"{name}.log"
        if not path.exists():
            return "  (no log)"
        text = path.read_bytes()[-8000:].decode(errors="replace").splitlines()[-lines:]
        return "\n".join(f"  | {line}" for line in text) + f"\n  (log: {path})"

    def url(self, service: str) -> str:
        return f"http://127.0.0.1:{self.ports[service]}"

    # -- supervising -------------------------------------------------------------
    def watch(self) -> None:
        """One round of supervision: restart the broker or a process that died, the
        n-th restart of a process after min(2**n, 60) s (reset after 10 min up)."""
        if self.broker and self.broker.proc and self.broker.proc.poll() is not None:
            self.say(f"broker exited ({self.broker.proc.returncode}); restarting it")
            self.start_broker()
        now = time.monotonic()
        for name, sup in list(self.supervised.items()):
            if sup.proc.poll() is None:
                continue
            if sup.restart_at is None:
                restarts = 0 if time.time() - sup.started > 600 else sup.restarts
                delay = min(2.0 ** restarts, 60.0)
                sup.last_exit = self._why(name, sup.proc.returncode)
                sup.restart_at = now + delay
                sup.restarts = restarts
                self.say(f"{name} died ({sup.last_exit}); restarting in {delay:.0f} s")
                self.write_state()
            elif now >= sup.restart_at:
                sup.restarts += 1
                service, role = name.rsplit("-", 1)
                self.start_process(service, role)

    def _why(self, name: str, code: int) -> str:
        """'killed by SIGKILL' or 'exit 3', with the log's last critical line if any."""
        how = f"killed by {signal.Signals(-code).name}" if code < 0 else f"exit {code}"
        lines = self.tail(name, 60).splitlines()[:-1]
        worst = [ln.strip(" |")[:200] for ln in lines if " CRITICAL " in ln]
        return f"{how}: {worst[-1]}" if worst else how

    def write_state(self) -> None:
        """``data/stack.json``: each process's pid and restarts, for ``shouhu status``."""
        state = {
            "supervisor": os.getpid(),
            "broker": {"pid": self.broker.proc.pid if self.broker and self.broker.proc else None,
                       "port": self.broker_port},
            "ports": self.ports,
            "processes": {name: {"pid": s.proc.pid, "restarts": s.restarts,
                                 "started": s.started, "last_exit": s.last_exit}
                          for name, s in self.supervised.items()},
        }
        tmp = self.data_dir / ".stack.json.tmp"
        tmp.write_text(json.dumps(state, indent=1))
        tmp.replace(self.data_dir / "stack.json")

    # -- stopping ----------------------------------------------------------------
    def stop_process(self, name: str, sig: int = signal.SIGTERM) -> None:
        self._stop_all([name], sig)

    def _stop_all(self, names: list[str], sig: int = signal.SIGTERM) -> None:
        """Signal each process group, wait up to ``grace_s``, SIGKILL what is left."""
        procs = {n: self.procs.pop(n) for n in names if n in self.procs}
        for name in procs:
            self.supervised.pop(name, None)
        for proc in procs.values():
            _signal_group(proc, sig)
        deadline = time.monotonic() + self.grace_s
        for name, proc in procs.items():
            try:
                proc.wait(timeout=max(deadline - time.monotonic(), 0.1))
            except subprocess.TimeoutExpired:
                self.say(f"{name} did not stop in {self.grace_s:.0f} s; killing it")
                _signal_group(proc, signal.SIGKILL)
                proc.wait()
            _signal_group(proc, signal.SIGKILL)  # a gunicorn worker its master left behind
            _wait_group_gone(proc.pid)

    def stop(self) -> None:
        """APIs first, then workers once drained, then the broker."""
        self._stop_all([n for n in self.procs if n.endswith("-api")])
        if self.broker and self.procs:
            self._drain()
        self._stop_all(list(self.procs))
        if self.broker:
            self.broker.stop()
        (self.data_dir / "stack.json").unlink(missing_ok=True)

    def _drain(self) -> None:
        """Wait (up to ``drain_s``) until no outbox row is unsent and no group lags, so
        a clean stop hands every event over before the memory broker goes."""
        from infra.status import pending_work

        deadline = time.monotonic() + self.drain_s
        while time.monotonic() < deadline:
            try:
                if not pending_work(self.env(), self.broker.bootstrap if self.broker else ""):
                    return
            except Exception:  # noqa: BLE001 - draining is best effort; the log is durable
                return
            time.sleep(0.5)
        self.say(f"stopping with events still in flight after {self.drain_s:.0f} s "
                 "(they stay in the outboxes and are sent at the next start)")


def _wait_group_gone(pgid: int, timeout_s: float = 5.0) -> None:
    """Until no process of the group is left (a killed one frees its port on exit)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            os.killpg(pgid, 0)
        except (ProcessLookupError, PermissionError):
            return
        time.sleep(0.1)


def _signal_group(proc: subprocess.Popen[bytes], sig: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, sig)
