"""Append-only, hash-chained audit trail of who read or changed what.

Each service keeps its own ``audit_log`` table (added to its metadata with
``add_audit_table``). Every row stores the SHA-256 of its content and of the row
before it, so altering or deleting a row breaks the chain at that row and
``verify_chain`` names it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    insert,
    select,
    text,
)

from shared.auth.principal import Principal

_GENESIS = "0" * 64


def add_audit_table(metadata: MetaData) -> Table:
    return Table(
        "audit_log",
        metadata,
        Column("seq", BigInteger().with_variant(Integer, "sqlite"), primary_key=True,
               autoincrement=True),
        Column("at", DateTime(timezone=True), nullable=False),
        Column("user_id", String(64), nullable=False),
        Column("role", String(32), nullable=False),
        Column("action", String(32), nullable=False),  # read, create, update, export…
        Column("object_type", String(32), nullable=False),
        Column("object_id", String(64), nullable=False),
        Column("fields", Text, nullable=False),  # JSON list of field names, never values
        Column("purpose", String(200), nullable=False),
        Column("remote_addr", String(64), nullable=False),
        Column("prev_hash", String(64), nullable=False),
        Column("row_hash", String(64), nullable=False),
    )


_metadata = MetaData()
AUDIT = add_audit_table(_metadata)


@dataclass(frozen=True)
class ChainBreak:
    seq: int
    reason: str


def _digest(prev_hash: str, row: dict[str, object]) -> str:
    body = json.dumps({k: str(v) for k, v in sorted(row.items())}, ensure_ascii=False)
    return hashlib.sha256((prev_hash + body).encode()).hexdigest()


def record(conn: Connection, principal: Principal, action: str, object_type: str,
           object_id: str, fields: Iterable[str] = (), purpose: str = "",
           remote_addr: str = "") -> None:
    """Append one audit row in the caller's transaction (so it commits with the change)."""
    if conn.dialect.name == "postgresql":  # one appender at a time keeps the chain linear
        conn.execute(text("SELECT pg_advisory_xact_lock(7261101)"))
    last = conn.execute(select(AUDIT.c.row_hash).order_by(AUDIT.c.seq.desc()).limit(1)).scalar()
    prev = last or _GENESIS
    row = {
        "at": datetime.now(UTC).replace(microsecond=0), "user_id": principal.user_id,
        "role": principal.role.value, "action": action, "object_type": object_type,
        "object_id": object_id, "fields": json.dumps(sorted(fields)), "purpose": purpose,
        "remote_addr": remote_addr,
    }
    conn.execute(insert(AUDIT).values(**row, prev_hash=prev, row_hash=_digest(prev, row)))


def verify_chain(conn: Connection) -> list[ChainBreak]:
    """Every row whose hash or link does not match; empty when the trail is intact."""
    breaks: list[ChainBreak] = []
    prev = _GENESIS
    for r in conn.execute(select(AUDIT).order_by(AUDIT.c.seq)):
        m = dict(r._mapping)
        content = {k: m[k] for k in ("at", "user_id", "role", "action", "object_type",
                                     "object_id", "fields", "purpose", "remote_addr")}
        if isinstance(content["at"], datetime) and content["at"].tzinfo is None:
            content["at"] = content["at"].replace(tzinfo=UTC)
        if m["prev_hash"] != prev:
            breaks.append(ChainBreak(m["seq"], "link to the previous row is broken "
                                               "(a row before it was deleted or altered)"))
        elif _digest(prev, content) != m["row_hash"]:
            breaks.append(ChainBreak(m["seq"], "row content was altered"))
        prev = m["row_hash"]
    return breaks
