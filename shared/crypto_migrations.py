"""Alembic steps that move plaintext columns under field encryption (shared/crypto.py).

Shared by the services' migrations so every service encrypts the same way on SQLite
(batch mode: the table is copied) and PostgreSQL (plain ``ALTER TABLE``).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from shared.crypto import EncryptedPoint, reencrypt_column
from shared.messaging.tables import OUTBOX


def _scrub_freed_space(conn: sa.Connection) -> None:
    """SQLite keeps deleted and overwritten values in free pages of the file: have it
    zero them, so the plaintext being replaced does not stay readable on disk."""
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("PRAGMA secure_delete = ON")


def encrypt_lon_lat(table: str, key: str, lon: str, lat: str, into: str,
                    nullable: bool = False) -> None:
    """Replace the Float columns ``lon`` and ``lat`` of ``table`` by one encrypted
    ``(lon, lat)`` column ``into`` (context ``table.into``), converting every row
    (a row without a point keeps NULL)."""
    _scrub_freed_space(op.get_bind())
    with op.batch_alter_table(table) as batch:
        batch.add_column(sa.Column(into, sa.Text(), nullable=True))
    conn = op.get_bind()
    point = EncryptedPoint(f"{table}.{into}")
    rows = conn.execute(sa.text(f'SELECT "{key}", "{lon}", "{lat}" FROM {table}')).all()
    if rows:
        conn.execute(sa.text(f'UPDATE {table} SET "{into}" = :point WHERE "{key}" = :key'),
                     [{"key": r[0], "point": None if r[1] is None else
                       point.process_bind_param((r[1], r[2]), conn.dialect)} for r in rows])
    with op.batch_alter_table(table) as batch:
        batch.alter_column(into, existing_type=sa.Text(), nullable=nullable)
        batch.drop_column(lon)
        batch.drop_column(lat)


def encrypt_outbox() -> None:
    """Encrypt the event payloads the outbox holds in plaintext (unsent, or kept for the
    retention period); the column stays ``TEXT``."""
    _scrub_freed_space(op.get_bind())
    reencrypt_column(op.get_bind(), OUTBOX, ["payload"])
