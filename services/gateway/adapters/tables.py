"""The gateway's read model tables, built from events (plus outbox and inbox)."""

from __future__ import annotations

from sqlalchemy import JSON, Column, Float, MetaData, String, Table

from shared.messaging.tables import add_messaging_tables

metadata = MetaData()

child_homes = Table(
    "child_homes",
    metadata,
    Column("child_id", String(36), primary_key=True),
    Column("village_code", String(12), nullable=False, index=True),
    Column("lon", Float, nullable=False),
    Column("lat", Float, nullable=False),
    Column("age_band", String(8), nullable=False),
    Column("risk_grade", String(10), nullable=False),
)

hazard_shapes = Table(
    "hazard_shapes",
    metadata,
    Column("hazard_id", String(36), primary_key=True),
    Column("kind", String(30), nullable=False),
    Column("name", String(200), nullable=False),
    Column("geometry", JSON, nullable=False),
)

outbox, inbox = add_messaging_tables(metadata)
