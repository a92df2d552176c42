"""Leader election for a service's outbox relays, without holding a database lock.

Only the leader publishes, so rows are never published twice concurrently and one
aggregate's events keep their order. On PostgreSQL the leader holds a session-level
advisory lock on a dedicated connection; on SQLite (one machine by definition) it
holds an exclusive ``flock`` on a file beside the database. Either is released
when the process dies, so a standby relay takes over.
"""

from __future__ import annotations

import fcntl
import logging
from pathlib import Path
from typing import IO

from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import DBAPIError

log = logging.getLogger(__name__)

_LOCK_ID = 7_261_100  # any constant: the relays' PostgreSQL advisory lock


class RelayLeadership:
    def __init__(self, engine: Engine):
        self.engine = engine
        self._conn: Connection | None = None
        self._file: IO[bytes] | None = None

    def acquire(self) -> bool:
        """True while this process is the leader (cheap to call every cycle)."""
        if self.engine.dialect.name == "postgresql":
            return self._acquire_pg()
        return self._acquire_file()

    def _acquire_pg(self) -> bool:
        try:
            if self._conn is not None:
                self._conn.execute(text("SELECT 1"))
                return True
            conn = self.engine.connect()
            if conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": _LOCK_ID}).scalar():
                conn.commit()
                self._conn = conn
                log.info("relay: became leader")
                return True
            conn.close()
            return False
        except DBAPIError:
            self.release()
            return False

    def _acquire_file(self) -> bool:
        if self._file is not None:
            return True
        db = self.engine.url.database
        if not db or db == ":memory:":
            return True  # a private in-memory database has one relay by definition
        handle = open(Path(db).with_suffix(".relay.lock"), "ab")  # noqa: SIM115
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            return False
        self._file = handle
        return True

    def release(self) -> None:
        if self._conn is not None:
            try:
                # a pooled connection outlives close(): drop the lock and the
                # connection itself so the advisory lock is surely gone
                self._conn.invalidate()
                self._conn.close()
            except DBAPIError:
                log.debug("relay: leader connection already gone")
            self._conn = None
        if self._file is not None:
            self._file.close()  # closing the descriptor drops the flock
            self._file = None
