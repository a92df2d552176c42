"""The registry's tables (SQLAlchemy Core), including its outbox and inbox."""

from __future__ import annotations

from sqlalchemy import JSON, Column, Date, Float, MetaData, String, Table

from shared.messaging.tables import add_messaging_tables

metadata = MetaData()

children = Table(
    "children",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("name", String(100), nullable=False),
    Column("gender", String(10), nullable=False),
    Column("birth_date", Date, nullable=False),
    Column("village_code", String(12), nullable=False, index=True),
    Column("home_lon", Float, nullable=False),
    Column("home_lat", Float, nullable=False),
    Column("categories", JSON, nullable=False),
    Column("risk_grade", String(10), nullable=False),
)

outbox, inbox = add_messaging_tables(metadata)
