"""The embedded stack: broker, four services (API + worker each), one log per process.

Used by ``shouhu up`` and by the end-to-end tests, so both run exactly the same thing.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import requests

from infra.broker import EmbeddedBroker, die_with_parent
from shared.auth import Principal, Role, TokenKeys
from shared.auth.tokens import public_keys_env

SERVICES = {"gateway": 8100, "registry": 8101, "hazards": 8102, "notifier": 8103}


@dataclass
class Stack:
    data_dir: Path
    broker_port: int = 9092
    ports: dict[str, int] = field(default_factory=lambda: dict(SERVICES))
    extra_env: dict[str, str] = field(default_factory=dict)
    broker: EmbeddedBroker | None = None
    procs: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    def auth_keys(self) -> str:
        """The embedded default's signing key, kept in the data folder across restarts."""
        path = self.data_dir / "auth.keys"
        if not path.exists():
            self.data_dir.mkdir(parents=True, exist_ok=True)
            path.write_text(f"k1:{secrets.token_urlsafe(32)}")
            path.chmod(0o600)
        return path.read_text().strip()

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

    def start_broker(self) -> None:
        """Start (or restart, on the same port) the embedded broker."""
        self.logs.mkdir(parents=True, exist_ok=True)
        self.broker = EmbeddedBroker(self.broker_port, self.logs / "broker.log").start()

    def start_process(self, service: str, role: str) -> None:
        """Start ``shouhu serve SERVICE ROLE`` as a child process with its own log."""
        log = open(self.logs / f"{service}-{role}.log", "ab")  # noqa: SIM115
        self.procs[f"{service}-{role}"] = subprocess.Popen(
            [sys.executable, "-m", "infra.cli", "serve", service, role],
            env=self.env(service), stdout=log, stderr=subprocess.STDOUT, preexec_fn=die_with_parent,
        )

    def start(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.data_dir.chmod(0o700)  # databases, keys, ledgers and logs: the owner's only
        self.start_broker()
        for service in self.ports:
            # migrations run once, before the processes that share the database start
            subprocess.run([sys.executable, "-m", "infra.cli", "migrate", service],
                           env=self.env(service), check=True)
        for service in self.ports:
            self.start_process(service, "worker")
            self.start_process(service, "api")
        self.wait_healthy()

    def wait_healthy(self, timeout_s: float = 60.0) -> None:
        deadline = time.monotonic() + timeout_s
        pending = set(self.ports)
        while pending and time.monotonic() < deadline:
            for name, proc in self.procs.items():
                if proc.poll() is not None:
                    raise RuntimeError(f"{name} exited with {proc.returncode}; see {self.logs}")
            for service in list(pending):
                try:
                    if requests.get(self.url(service) + "/healthz", timeout=1).ok:
                        pending.discard(service)
                except requests.RequestException:
                    pass
            time.sleep(0.2)
        if pending:
            raise TimeoutError(f"not healthy after {timeout_s}s: {sorted(pending)}")

    def url(self, service: str) -> str:
        return f"http://127.0.0.1:{self.ports[service]}"

    def stop_process(self, name: str, sig: int = 15) -> None:
        proc = self.procs.pop(name)
        proc.send_signal(sig)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()

    def stop(self) -> None:
        for name in list(self.procs):
            self.stop_process(name)
        if self.broker:
            self.broker.stop()
