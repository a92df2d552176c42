"""The gateway's read model tables, built from events (plus outbox, inbox and plans).

Everything in ``READ_MODEL`` is derived from events only and can be rebuilt from the
topics; ``plans`` and ``road_networks`` are the gateway's own data and survive a rebuild.
Children's home locations are encrypted per field (shared/crypto.py, ADR 0500) and used
decrypted, in memory only.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    Float,
    Integer,
    MetaData,
    String,
    Table,
)

from shared.audit import add_audit_table
from shared.crypto import EncryptedPoint
from shared.db import UTCDateTime
from shared.messaging.tables import add_messaging_tables

metadata = MetaData()

child_homes = Table(
    "child_homes",
    metadata,
    Column("child_id", String(36), primary_key=True),
    Column("village_code", String(12), nullable=False, index=True),
    Column("home", EncryptedPoint("child_homes.home"), nullable=False),  # (lon, lat)
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
    Column("village_code", String(12), nullable=False, server_default=""),
    Column("protections", JSON, nullable=True),
    Column("risk_season", String(60), nullable=False, server_default=""),
    Column("zone", JSON, nullable=True),
    Column("buffer_m", Float, nullable=True),
)

patrol_points = Table(
    "patrol_points",
    metadata,
    Column("point_id", String(36), primary_key=True),
    Column("hazard_id", String(36), nullable=False, index=True),
    Column("lon", Float, nullable=False),
    Column("lat", Float, nullable=False),
    Column("reason", String(20), nullable=False),
    Column("schedule", String(200), nullable=False),
    Column("active", Boolean, nullable=False),
)

checkins = Table(
    "checkins",
    metadata,
    Column("checkin_id", String(36), primary_key=True),
    Column("point_id", String(36), nullable=False, index=True),
    Column("hazard_id", String(36), nullable=False),
    Column("member_id", String(36), nullable=False),
    Column("checked_at", UTCDateTime, nullable=False, index=True),
    Column("lon", Float, nullable=False),
    Column("lat", Float, nullable=False),
    Column("duration_s", Integer, nullable=False),
    Column("track_m", Float, nullable=False),
)

findings = Table(
    "findings",
    metadata,
    Column("finding_id", String(36), primary_key=True),
    Column("point_id", String(36), nullable=False),
    Column("hazard_id", String(36), nullable=False, index=True),
    Column("village_code", String(12), nullable=False),
    Column("kind", String(30), nullable=False),
    Column("action", String(20), nullable=False),
    Column("severity", String(10), nullable=False),
    Column("reported_at", UTCDateTime, nullable=False, index=True),
)

child_visits = Table(
    "child_visits",
    metadata,
    Column("child_id", String(36), primary_key=True),
    Column("village_code", String(12), nullable=False, index=True),
    Column("last_visit_at", UTCDateTime, nullable=True),
    Column("next_due", Date, nullable=True),
    Column("overdue_since", Date, nullable=True),
)

child_overlay = Table(
    "child_overlay",
    metadata,
    Column("child_id", String(36), primary_key=True),
    Column("village_code", String(12), nullable=False, index=True),
    Column("water_hazard_id", String(36), nullable=True),
    Column("water_m", Float, nullable=True),
    Column("road_hazard_id", String(36), nullable=True),
    Column("road_m", Float, nullable=True),
)

hazard_exposure = Table(
    "hazard_exposure",
    metadata,
    Column("hazard_id", String(36), primary_key=True),
    Column("children", Integer, nullable=False),
    Column("weight_tenths", Integer, nullable=False, index=True),
)

# 隐患整改 as the hazards service announces them (hazards.fix_task.*).
fix_tasks = Table(
    "fix_tasks",
    metadata,
    Column("task_id", String(36), primary_key=True),
    Column("hazard_id", String(36), nullable=False, index=True),
    Column("village_code", String(12), nullable=False, index=True),
    Column("protection", String(20), nullable=False),
    Column("status", String(20), nullable=False),
    Column("due_on", Date, nullable=False),
    Column("overdue", Boolean, nullable=False, server_default="0"),
)

plans = Table(
    "plans",
    metadata,
    Column("plan_id", String(36), primary_key=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("created_by", String(64), nullable=False),
    Column("starts_on", Date, nullable=False),
    Column("ends_on", Date, nullable=False),
    Column("body", JSON, nullable=False),
)

road_networks = Table(  # the road network layer: every import a new version (ADR 0405)
    "road_networks",
    metadata,
    Column("version", Integer, primary_key=True, autoincrement=True),
    Column("imported_at", UTCDateTime, nullable=False),
    Column("imported_by", String(64), nullable=False),
    Column("source", String(200), nullable=False),
    Column("report", JSON, nullable=False),
    Column("links", JSON, nullable=False),
)

directory_gaps = Table(  # notifier.directory.gap.v1: shown on the dashboard
    "directory_gaps",
    metadata,
    Column("gap_id", String(36), primary_key=True),
    Column("village_code", String(12), nullable=False),
    Column("event_type", String(120), nullable=False),
    Column("rule", String(120), nullable=False),
    Column("recipients", Integer, nullable=False),
    Column("raised_at", UTCDateTime, nullable=False, index=True),
)

read_model_version = Table(  # one row, bumped with every applied event (0005_gw)
    "read_model_version",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("version", BigInteger, nullable=False),
)

READ_MODEL = (child_homes, hazard_shapes, patrol_points, checkins, findings, child_visits,
              child_overlay, hazard_exposure, directory_gaps, fix_tasks)

outbox, inbox = add_messaging_tables(metadata)
audit_log = add_audit_table(metadata)  # exact-home reads (service_layer/home_audit.py)
