"""pytest fixtures: the embedded broker, PostgreSQL databases, field keys, bounded waiting.

Tests use random topic prefixes and consumer groups so they never see each other's
events; they wait for asynchronous effects with ``eventually``, never a fixed sleep.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from typing import TypeVar

import pytest
import sqlalchemy as sa

from infra.broker import EmbeddedBroker, free_port
from shared.crypto import FieldKeys, default_keys, new_key

T = TypeVar("T")

PG_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def eventually(probe: Callable[[], T], timeout_s: float = 30.0, interval_s: float = 0.1,
               message: str = "condition not met") -> T:
    """Call ``probe`` until it returns something truthy, or fail after ``timeout_s``."""
    deadline = time.monotonic() + timeout_s
    last: T | None = None
    while time.monotonic() < deadline:
        last = probe()
        if last:
            return last
        time.sleep(interval_s)
    raise AssertionError(f"{message} within {timeout_s}s (last: {last!r})")


@pytest.fixture(scope="session")
def broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedBroker]:
    log = tmp_path_factory.mktemp("broker") / "broker.log"
    b = EmbeddedBroker(free_port(), log).start()
    yield b
    b.stop()


@pytest.fixture
def field_keys(monkeypatch: pytest.MonkeyPatch) -> Iterator[FieldKeys]:
    """A fresh field-encryption key for one test, never the data folder's. A service's
    conftest makes it autouse by overriding it: ``def field_keys(field_keys)``."""
    monkeypatch.setenv("SHOUHU_FIELD_KEYS", f"t1:{new_key()}")
    default_keys.cache_clear()
    yield default_keys()
    default_keys.cache_clear()


@pytest.fixture
def topic_prefix() -> str:
    return f"t{uuid.uuid4().hex[:8]}."


def create_pg_database() -> str:
    """A fresh, empty PostgreSQL database; returns its URL."""
    name = f"shouhu_test_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"


def drop_pg_database(url: str) -> None:
    name = url.rsplit("/", 1)[1]
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path) -> Iterator[str]:
    """Each test using it runs twice: on a SQLite file and on a fresh PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'test.db'}"
        return
    url = create_pg_database()
    yield url
    drop_pg_database(url)
