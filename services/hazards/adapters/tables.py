"""The hazards service's tables (SQLAlchemy Core), including outbox and inbox."""

from __future__ import annotations

from sqlalchemy import Column, MetaData, String, Table, Text

from shared.messaging.tables import add_messaging_tables

metadata = MetaData()

hazards = Table(
    "hazards",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("kind", String(30), nullable=False, index=True),
    Column("name", String(200), nullable=False),
    Column("geometry_wkt", Text, nullable=False),
)

outbox, inbox = add_messaging_tables(metadata)
