"""Is a port free, and if not, which process listens on it.

``shouhu up`` checks every port before it starts anything, so a process left over from
an earlier run is named (pid and command line) instead of a service dying later with
"exited with 1".
"""

from __future__ import annotations

import contextlib
import os
import random
import socket
import time
from pathlib import Path


class PortTaken(RuntimeError):
    """A port the stack needs is in use; the message names the process holding it."""


def is_free(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # TIME_WAIT is not taken
        try:
            s.bind((host, port))
        except OSError:
            return False
    return True


def holder(port: int) -> str:
    """'pid 123 (command line)' of the process listening on ``port``, as far as /proc
    tells (another user's processes are not visible)."""
    inodes = _listening_inodes(port)
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            for fd in (proc / "fd").iterdir():
                link = os.readlink(fd)
                if link.startswith("socket:[") and link[8:-1] in inodes:
                    cmd = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(
                        errors="replace").strip()
                    return f"pid {proc.name} ({cmd[:160]})"
    if not inodes:
        return "a connection, not a listener (a client's port; it frees within a minute)"
    return "a process this user cannot see"


def _listening_inodes(port: int) -> set[str]:
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError):
            for line in Path(table).read_text().splitlines()[1:]:
                fields = line.split()
                local, state, inode = fields[1], fields[3], fields[9]
                if state == "0A" and int(local.rsplit(":", 1)[1], 16) == port:  # LISTEN
                    found.add(inode)
    return found


def check_free(ports: dict[str, int], wait_s: float = 10.0) -> None:
    """Raise PortTaken naming each taken port, what needs it and who holds it; a port
    freed within ``wait_s`` (a killed process still exiting) is fine."""
    deadline = time.monotonic() + wait_s
    while not all(is_free(p) for p in ports.values()) and time.monotonic() < deadline:
        time.sleep(0.5)
    taken = [f"port {port} (for {name}) is held by {holder(port)}"
             for name, port in ports.items() if not is_free(port)]
    if taken:
        raise PortTaken("cannot start: " + "; ".join(taken)
                        + ". Stop that process or choose other ports "
                          "(--broker-port, SHOUHU_<SERVICE>_PORT).")


def stable_port(rng: random.Random | None = None) -> int:
    """A free port below the ephemeral range, for a stack that restarts on the same
    ports: a port from ``bind(0)`` may meanwhile be taken by a client's connection."""
    rng = rng or random.Random()
    while True:
        port = rng.randint(20_000, 32_000)
        if is_free(port):
            return port
