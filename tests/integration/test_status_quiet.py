"""``shouhu status`` prints its table and nothing else: no kafka-python INFO lines."""

from __future__ import annotations

import os
import subprocess
import sys


def test_status_prints_no_library_chatter(broker):
    env = {**os.environ, "SHOUHU_LOG_LEVEL": "INFO"}
    proc = subprocess.run([sys.executable, "-m", "infra.cli", "status", "--bootstrap",
                           broker.bootstrap], capture_output=True, text=True, timeout=120,
                          env=env)
    assert proc.returncode == 0, proc.stderr
    assert " INFO kafka" not in proc.stderr, proc.stderr[:2000]
    assert "registry" in proc.stdout
