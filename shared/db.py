"""Database engines, migrations and paged reads, the same for SQLite (embedded) and
PostgreSQL.

Each service owns one database and one Alembic script folder
(``services/<name>/adapters/migrations``); ``migrate`` brings a database to head.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import (
    Connection,
    DateTime,
    Dialect,
    Engine,
    Row,
    Table,
    create_engine,
    event,
    func,
    select,
)
from sqlalchemy.types import TypeDecorator

from shared.config import env_float


class UTCDateTime(TypeDecorator[datetime]):
    """An instant, written in UTC and read back marked UTC on every backend: SQLite
    keeps no offset, so 10:00+08:00 and 02:00Z must be stored alike to compare, sort
    and be unique as the same instant. Every time column of every service uses it
    (tests/unit/test_time_columns.py); a naive value is refused, never guessed."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:  # a wall time of unknown zone would be stored hours off
            raise ValueError(f"an instant needs an offset, got naive {value.isoformat()}")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None,
                             dialect: Dialect) -> datetime | None:
        if value is None or value.tzinfo is not None:
            return value
        return value.replace(tzinfo=UTC)


def owner_only(db_file: Path) -> None:
    """Create the database file readable and writable by its owner only (0600), the
    write-ahead log and shared-memory files SQLite adds beside it likewise, so other
    accounts on the station's PC read no child's name or birth date
    (docs/security.md, threat model)."""
    db_file.parent.mkdir(parents=True, exist_ok=True)
    for f in (db_file, db_file.with_name(db_file.name + "-wal"),
              db_file.with_name(db_file.name + "-shm")):
        if f is db_file or f.exists():
            os.close(os.open(f, os.O_CREAT | os.O_RDWR, 0o600))
            f.chmod(0o600)


READ_ONLY = "shouhu_read_only"


def reader(engine: Engine) -> Engine:
    """The same database for pages that only read. On SQLite (WAL) their transactions
    begin deferred: they read a snapshot and never queue behind a writer, however long
    an import's transactions hold the write lock. Elsewhere it is the engine itself."""
    return engine.execution_options(**{READ_ONLY: True})


def make_engine(url: str) -> Engine:
    """An engine tuned for the backend: SQLite gets WAL and a busy timeout so a
    relay, a consumer and the API can share one file without 'database is locked'."""
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            owner_only(Path(path))
        # A writer waits this long for another's lock (SHOUHU_SQLITE_BUSY_TIMEOUT_S).
        timeout = env_float("SHOUHU_SQLITE_BUSY_TIMEOUT_S", 30.0)
        engine = create_engine(url, connect_args={"timeout": timeout,
                                                  "check_same_thread": False},
                               hide_parameters=True)  # no personal data in error logs

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn, _record):  # type: ignore[no-untyped-def]
            dbapi_conn.isolation_level = None  # we issue BEGIN ourselves, see below
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        @event.listens_for(engine, "begin")
        def _begin(conn):  # type: ignore[no-untyped-def]
            # IMMEDIATE takes the write lock at BEGIN: two writers queue instead of
            # failing later, and an outbox relay's claim is exclusive. Readers do not.
            read_only = conn.get_execution_options().get(READ_ONLY)
            conn.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")

        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=5,
                         hide_parameters=True)


def migrate(url: str, script_location: Path) -> None:
    """Upgrade the database at ``url`` to the newest revision in ``script_location``."""
    cfg = Config()
    cfg.set_main_option("script_location", str(script_location))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    command.upgrade(cfg, "heads")  # parallel branches merge at head


def fetch_page(conn: Connection, table: Table, conds: Sequence[Any], order_by: Sequence[Any],
               page: int, page_size: int) -> tuple[list[Row[Any]], int]:
    """Page ``page`` (from 1) of the rows matching ``conds``, and how many match in all;
    ``order_by`` must end in a unique column, or rows could repeat or vanish between pages."""
    total = conn.execute(select(func.count()).select_from(table).where(*conds)).scalar_one()
    rows = conn.execute(select(table).where(*conds).order_by(*order_by)
                        .limit(page_size).offset((page - 1) * page_size)).all()
    return list(rows), total
