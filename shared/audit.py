"""Append-only, hash-chained audit trail of who read or changed what.

Each service keeps its own ``audit_log`` table (added to its metadata with
``add_audit_table``). Every row stores the SHA-256 of its content and of the row
before it, so altering or deleting a row breaks the chain at that row and
``verify_chain`` names it. Deleting the newest rows leaves a shorter, valid chain: to
catch that, keep ``chain_head`` outside the database (e.g. in the daily report) and
pass it back as ``anchor``. ``query``/``to_csv`` serve the administrator's audit view
and export; ``unusual_readers`` flags people reading many children outside their
caseload.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections import Counter
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    Integer,
    MetaData,
    Select,
    String,
    Table,
    Text,
    func,
    insert,
    select,
    text,
)

from shared.auth.principal import Principal
from shared.db import UTCDateTime
from shared.exports import record_cells

_GENESIS = "0" * 64


def add_audit_table(metadata: MetaData) -> Table:
    return Table(
        "audit_log",
        metadata,
        Column("seq", BigInteger().with_variant(Integer, "sqlite"), primary_key=True,
               autoincrement=True),
        Column("at", UTCDateTime, nullable=False),
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


def _utc(at: datetime) -> datetime:
    """A filter's bound given without an offset is read as UTC."""
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)


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
    conn.execute(insert(AUDIT), {**row, "prev_hash": prev, "row_hash": _digest(prev, row)})


def record_many(conn: Connection, principal: Principal, action: str, object_type: str,
                object_ids: Iterable[str], fields: Iterable[str] = (), purpose: str = "",
                remote_addr: str = "") -> None:
    """``record`` for one action on many objects (a bulk import): one chained insert."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(7261101)"))
    prev = conn.execute(select(AUDIT.c.row_hash).order_by(AUDIT.c.seq.desc()).limit(1)
                        ).scalar() or _GENESIS
    at, names, rows = datetime.now(UTC).replace(microsecond=0), json.dumps(sorted(fields)), []
    for object_id in object_ids:
        row = {"at": at, "user_id": principal.user_id, "role": principal.role.value,
               "action": action, "object_type": object_type, "object_id": object_id,
               "fields": names, "purpose": purpose, "remote_addr": remote_addr}
        rows.append({**row, "prev_hash": prev, "row_hash": (prev := _digest(prev, row))})
    if rows:
        conn.execute(insert(AUDIT), rows)


def chain_head(conn: Connection) -> tuple[int, str]:
    """(seq, row_hash) of the newest row: an anchor to keep outside the database."""
    row = conn.execute(select(AUDIT.c.seq, AUDIT.c.row_hash).order_by(AUDIT.c.seq.desc())
                       .limit(1)).first()
    return (row.seq, row.row_hash) if row else (0, _GENESIS)


def verify_chain(conn: Connection, anchor: tuple[int, str] | None = None) -> list[ChainBreak]:
    """Every row whose hash or link does not match; empty when the trail is intact.

    With ``anchor`` (an earlier ``chain_head``), rows deleted from the end are found too.
    """
    breaks: list[ChainBreak] = []
    if anchor is not None and anchor[0]:
        kept = conn.execute(select(AUDIT.c.row_hash).where(AUDIT.c.seq == anchor[0])).scalar()
        if kept != anchor[1]:
            breaks.append(ChainBreak(anchor[0], "the anchored row was deleted or altered "
                                                "(rows removed from the end?)"))
    prev = _GENESIS
    for r in conn.execute(select(AUDIT).order_by(AUDIT.c.seq)):
        m = dict(r._mapping)
        content = {k: m[k] for k in ("at", "user_id", "role", "action", "object_type",
                                     "object_id", "fields", "purpose", "remote_addr")}
        if m["prev_hash"] != prev:
            breaks.append(ChainBreak(m["seq"], "link to the previous row is broken "
                                               "(a row before it was deleted or altered)"))
        elif _digest(prev, content) != m["row_hash"]:
            breaks.append(ChainBreak(m["seq"], "row content was altered"))
        prev = m["row_hash"]
    return breaks


_COLUMNS = ("seq", "at", "user_id", "role", "action", "object_type", "object_id", "fields",
            "purpose", "remote_addr")


@dataclass(frozen=True)
class AuditFilter:
    """What the administrator's view narrows the trail to; None matches anything."""

    user_id: str | None = None
    action: str | None = None
    object_type: str | None = None
    object_id: str | None = None
    since: datetime | None = None
    until: datetime | None = None

    def apply(self, stmt: Select[Any]) -> Select[Any]:
        for col in ("user_id", "action", "object_type", "object_id"):
            if (value := getattr(self, col)) is not None:
                stmt = stmt.where(AUDIT.c[col] == value)
        if self.since is not None:
            stmt = stmt.where(AUDIT.c.at >= _utc(self.since))
        if self.until is not None:
            stmt = stmt.where(AUDIT.c.at < _utc(self.until))
        return stmt


def query(conn: Connection, *, limit: int = 1000, offset: int = 0,
          **filters: Any) -> list[dict[str, Any]]:
    """Audit rows, newest first, narrowed by ``filters`` (the fields of ``AuditFilter``)."""
    stmt = select(*(AUDIT.c[c] for c in _COLUMNS)).order_by(AUDIT.c.seq.desc())
    stmt = AuditFilter(**filters).apply(stmt).limit(limit).offset(offset)
    return [dict(r._mapping) for r in conn.execute(stmt)]


def count(conn: Connection, **filters: Any) -> int:
    """How many rows ``query`` pages through with the same filters."""
    stmt = AuditFilter(**filters).apply(select(func.count()).select_from(AUDIT))
    return int(conn.execute(stmt).scalar_one())


def to_csv(rows: Iterable[dict[str, Any]]) -> str:
    """The export format of the audit trail (one row per access, UTF-8)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=_COLUMNS, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(record_cells(r) for r in rows)  # purposes are typed by people
    return out.getvalue()


@dataclass(frozen=True)
class UnusualReader:
    user_id: str
    role: str
    outside: int  # distinct objects read outside the caseload
    total: int


def unusual_readers(conn: Connection, since: datetime,
                    in_caseload: Callable[[str, str], bool], threshold: int = 20,
                    object_type: str = "child",
                    roles: Collection[str] = ()) -> list[UnusualReader]:
    """People who read or exported more than ``threshold`` distinct objects outside their
    caseload (``in_caseload(user_id, object_id)``) since ``since``, most first.

    ``roles`` narrows the report (a supervisor's work spans the township, so it has no
    caseload to leave); empty means every role.
    """
    stmt = (select(AUDIT.c.user_id, AUDIT.c.role, AUDIT.c.object_id).distinct()
            .where(AUDIT.c.at >= _utc(since), AUDIT.c.object_type == object_type,
                   AUDIT.c.action.in_(("read", "export"))))
    if roles:
        stmt = stmt.where(AUDIT.c.role.in_(sorted(roles)))
    rows = conn.execute(stmt).all()
    total: Counter[tuple[str, str]] = Counter()
    outside: Counter[tuple[str, str]] = Counter()
    for r in rows:
        total[(r.user_id, r.role)] += 1
        if not in_caseload(r.user_id, r.object_id):
            outside[(r.user_id, r.role)] += 1
    found = [UnusualReader(u, role, n, total[(u, role)]) for (u, role), n in outside.items()
             if n > threshold]
    return sorted(found, key=lambda x: -x.outside)
