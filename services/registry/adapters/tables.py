"""The registry's tables (SQLAlchemy Core), including its outbox, inbox and audit log."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from shared.audit import add_audit_table
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
    Column("id_number", String(18), nullable=True),
    Column("village_name", String(100), nullable=False, server_default=""),
    Column("address", String(300), nullable=False, server_default=""),
    Column("school", String(200), nullable=False, server_default=""),
    Column("phone", String(32), nullable=True),
    Column("guardians", JSON, nullable=False, default=list),
    Column("parents", JSON, nullable=False, default=dict),
    Column("declared_living_alone", Boolean, nullable=False, server_default="0"),
    Column("child_director_id", String(64), nullable=False, server_default=""),
    Column("risk_score", Integer, nullable=False, server_default="0"),
    Column("risk_reasons", JSON, nullable=False, default=list),
    Column("water_distance_m", Float, nullable=True),
    Column("next_visit_due", Date, nullable=True, index=True),
    Column("last_visited_at", Date, nullable=True),
    Column("reviewed_quarter", String(7), nullable=False, server_default=""),
    Column("archived", Boolean, nullable=False, server_default="0"),
    Column("version", Integer, nullable=False, server_default="1"),
    Index("ix_children_identity", "name", "birth_date", "village_code"),
    UniqueConstraint("id_number", name="uq_children_id_number"),
)

child_revisions = Table(
    "child_revisions",
    metadata,
    Column("seq", BigInteger().with_variant(Integer, "sqlite"), primary_key=True,
           autoincrement=True),
    Column("child_id", String(36), nullable=False, index=True),
    Column("version", Integer, nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("actor_id", String(64), nullable=False),
    Column("action", String(32), nullable=False),  # update, merge, review
    Column("before", JSON, nullable=False),  # the record as it was
)

visits = Table(
    "visits",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("child_id", String(36), nullable=False, index=True),
    Column("village_code", String(12), nullable=False),
    Column("visitor_id", String(64), nullable=False),
    Column("visited_at", DateTime(timezone=True), nullable=False),
    Column("lon", Float, nullable=True),
    Column("lat", Float, nullable=True),
    Column("findings", JSON, nullable=False),
    Column("next_steps", Text, nullable=False),
    Column("next_due", Date, nullable=False),
)

# One row per child and due date: the unique key makes the overdue event exactly-once.
overdue_notices = Table(
    "overdue_notices",
    metadata,
    Column("child_id", String(36), nullable=False),
    Column("due_date", Date, nullable=False),
    Column("notified_at", DateTime(timezone=True), nullable=False),
    PrimaryKeyConstraint("child_id", "due_date", name="pk_overdue_notices"),
)

cases = Table(
    "cases",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("child_id", String(36), nullable=False, index=True),
    Column("village_code", String(12), nullable=False, index=True),
    Column("situation", String(32), nullable=False),
    Column("severity", String(10), nullable=False),
    Column("step", String(32), nullable=False),
    Column("owner_id", String(64), nullable=False),
    Column("opened_at", DateTime(timezone=True), nullable=False),
    Column("mandatory_report", Boolean, nullable=False),
    Column("report", JSON, nullable=False),
    Column("checklist_done", JSON, nullable=False),
    Column("history", JSON, nullable=False),
    Column("referrals", JSON, nullable=False),
    Column("outcome", String(300), nullable=False, server_default=""),
    Column("version", Integer, nullable=False, server_default="1"),
)

# Water hazards learned from hazards events: the input of the distance-to-water factor.
water_hazards = Table(
    "water_hazards",
    metadata,
    Column("hazard_id", String(64), primary_key=True),
    Column("kind", String(32), nullable=False),
    Column("geometry", JSON, nullable=False),  # GeoJSON, WGS 84
    Column("zone", JSON, nullable=True),  # danger-zone polygon, WGS 84
)

# Work the consumer asks the worker's scanner to do soon (debounced, e.g. "reassess").
work_requests = Table(
    "work_requests",
    metadata,
    Column("name", String(32), primary_key=True),
    Column("requested_at", DateTime(timezone=True), nullable=False),
)

# The station's reception and hotline ledgers (DOMAIN.md rule 8).
ledger_entries = Table(
    "ledger_entries",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("ledger", String(16), nullable=False, index=True),  # reception | hotline
    Column("at", DateTime(timezone=True), nullable=False),
    Column("village_code", String(12), nullable=False, index=True),
    Column("child_id", String(36), nullable=True),
    Column("contact", String(100), nullable=False),
    Column("summary", Text, nullable=False),
    Column("handled_by", String(64), nullable=False),
    Column("outcome", Text, nullable=False),
)

outbox, inbox = add_messaging_tables(metadata)
audit_log = add_audit_table(metadata)
