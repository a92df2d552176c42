"""A start that finds its port taken names the process holding it."""

from __future__ import annotations

import os
import socket

import pytest

from infra.ports import PortTaken, check_free, stable_port


def test_a_taken_port_names_its_holder_and_what_needed_it():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        with pytest.raises(PortTaken) as taken:
            check_free({"hazards": port, "gateway": stable_port()}, wait_s=0)
    message = str(taken.value)
    assert f"port {port} (for hazards)" in message
    assert f"pid {os.getpid()} (" in message
    assert "(for gateway)" not in message


def test_free_ports_pass():
    check_free({"gateway": stable_port()}, wait_s=0)
