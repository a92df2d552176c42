"""Fixtures: the real SMTP server and HTTP receiver, and a configured notifier."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from tests.integration.notifier.helpers import notifier_env
from tests.integration.notifier.receivers import Receiver, SmtpServer, make_cert


@pytest.fixture(scope="session")
def tls_cert(tmp_path_factory) -> tuple[Path, Path]:
    return make_cert(tmp_path_factory.mktemp("tls"))


@pytest.fixture
def smtp_server(tls_cert) -> Iterator[SmtpServer]:
    server = SmtpServer(*tls_cert).start()
    yield server
    server.stop()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    r.thread.start()
    yield r
    r.server.shutdown()
    r.server.server_close()


@pytest.fixture
def make_notifier(tmp_path, monkeypatch, database_url, broker, topic_prefix, smtp_server,
                  receiver):
    """Build a Notifier for this test's database, broker prefix and receivers."""
    from services.notifier.bootstrap import bootstrap
    from services.notifier.config import Settings

    def make(**kwargs: Any):  # type: ignore[no-untyped-def]
        env = notifier_env(tmp_path, database_url, broker.bootstrap, topic_prefix,
                           smtp_server.port, receiver.url, smtp_server.cert, **kwargs)
        for k, v in env.items():
            monkeypatch.setenv(k, v)
        return bootstrap(replace(Settings.from_env()), rules_check_s=0.2)

    return make
