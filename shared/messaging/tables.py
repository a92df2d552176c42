"""The outbox and inbox tables every service database carries.

Services add them to their own ``MetaData`` with ``add_messaging_tables``; each
service's first migration creates them from the same definitions
(``shared.messaging.migrations``). Event payloads are
encrypted at rest (they carry e.g. children's home locations, and sent rows stay for
the retention period); the relay reads them decrypted.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Index, Integer, MetaData, String, Table
from sqlalchemy.schema import SchemaItem

from shared.crypto import EncryptedString
from shared.db import UTCDateTime


def outbox_columns() -> list[SchemaItem]:
    """The outbox's columns and index: new objects each call, as a table owns its own."""
    return [
        Column("seq", BigInteger().with_variant(Integer, "sqlite"), primary_key=True,
               autoincrement=True),
        Column("event_id", String(36), nullable=False, unique=True),
        Column("topic", String(120), nullable=False),
        Column("key", String(120), nullable=False),
        Column("type", String(120), nullable=False),
        Column("payload", EncryptedString("outbox.payload"), nullable=False),
        Column("created_at", UTCDateTime, nullable=False),
        Column("sent_at", UTCDateTime, nullable=True),
        Index("ix_outbox_unsent", "sent_at", "seq"),
    ]


def inbox_columns() -> list[SchemaItem]:
    """The inbox's columns: new objects each call."""
    return [
        Column("consumer_group", String(120), primary_key=True),
        Column("event_id", String(36), primary_key=True),
        Column("applied_at", UTCDateTime, nullable=False),
    ]


def add_messaging_tables(metadata: MetaData) -> tuple[Table, Table]:
    return (Table("outbox", metadata, *outbox_columns()),
            Table("inbox", metadata, *inbox_columns()))


_metadata = MetaData()
OUTBOX, INBOX = add_messaging_tables(_metadata)
