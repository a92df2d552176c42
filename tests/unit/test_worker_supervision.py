"""A worker whose thread dies ends non-zero; which database errors are waited out."""

from __future__ import annotations

import signal
import sqlite3
import threading

import pytest
from sqlalchemy.exc import IntegrityError, OperationalError, ProgrammingError

from shared.messaging.failures import is_transient
from shared.worker import supervise


@pytest.fixture(autouse=True)
def _keep_signal_handlers():
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGTERM, signal.SIGINT)}
    yield
    for sig, handler in saved.items():
        signal.signal(sig, handler)


def test_a_thread_that_raises_ends_the_worker_with_code_3():
    stopped = threading.Event()

    def steady(stop: threading.Event) -> None:
        stop.wait()
        stopped.set()

    def broken(_stop: threading.Event) -> None:
        raise RuntimeError("relay died")

    with pytest.raises(SystemExit) as exit_:
        supervise("test", {"consumer": steady, "relay": broken}, threading.Event())
    assert exit_.value.code == 3
    assert stopped.is_set()  # the healthy thread was asked to stop and did


def test_a_thread_that_returns_early_also_ends_the_worker():
    with pytest.raises(SystemExit):
        supervise("test", {"scanner": lambda _stop: None,
                           "relay": lambda stop: stop.wait()}, threading.Event())


def test_a_requested_stop_is_a_clean_exit():
    stop = threading.Event()
    threading.Timer(0.3, stop.set).start()
    supervise("test", {"relay": lambda s: s.wait(), "consumer": lambda s: s.wait()}, stop)


def _op(message: str) -> OperationalError:
    return OperationalError("stmt", {}, sqlite3.OperationalError(message))


@pytest.mark.parametrize(("exc", "transient"), [
    (_op("database is locked"), True),
    (_op("disk I/O error"), True),
    (_op("no such table: outbox"), False),
    (_op("table inbox has no column named applied_at"), False),
    (ProgrammingError("stmt", {}, Exception('relation "outbox" does not exist')), False),
    (IntegrityError("stmt", {}, Exception("UNIQUE constraint failed")), False),
    (RuntimeError("bug"), False),
])
def test_database_away_is_transient_a_schema_problem_is_not(exc, transient):
    assert is_transient(exc) is transient
