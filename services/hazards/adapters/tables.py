"""The hazards service's tables (SQLAlchemy Core), including outbox and inbox.

Geometry is stored as WKT in EPSG:4326 with its bounding box in plain columns, so
the same schema and bbox filters work on SQLite and PostgreSQL without PostGIS.
Children's home locations are encrypted per field (shared/crypto.py, ADR 0500).
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    Float,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
)

from shared.crypto import EncryptedPoint
from shared.db import UTCDateTime
from shared.messaging.tables import add_messaging_tables

metadata = MetaData()


def _bbox() -> list[Column]:
    return [Column(n, Float, nullable=False, server_default="0")
            for n in ("min_lon", "min_lat", "max_lon", "max_lat")]


hazards = Table(
    "hazards",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("kind", String(30), nullable=False, index=True),
    Column("name", String(200), nullable=False),
    Column("geometry_wkt", Text, nullable=False),
    Column("village_code", String(12), nullable=False, server_default="", index=True),
    Column("barrier", String(10), nullable=False, server_default="missing"),
    Column("warning_sign", String(10), nullable=False, server_default="missing"),
    Column("rescue_equipment", String(10), nullable=False, server_default="missing"),
    Column("risk_season", String(60), nullable=False, server_default=""),
    Column("depth_m", Float, nullable=True),
    Column("width_m", Float, nullable=True),
    Column("responsible_unit", String(200), nullable=False, server_default=""),
    Column("responsible_person", String(100), nullable=False, server_default=""),
    Column("last_inspected", Date, nullable=True),
    Column("version", Integer, nullable=False, server_default="1"),
    Column("retired_at", UTCDateTime, nullable=True),
    *_bbox(),
    Index("ix_hazards_bbox", "min_lon", "max_lon", "min_lat", "max_lat"),
)

# Who changed what, when: one row per change, the diff as JSON {field: [old, new]}.
hazard_versions = Table(
    "hazard_versions",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("hazard_id", String(36), nullable=False, index=True),
    Column("version", Integer, nullable=False),
    Column("action", String(20), nullable=False),  # created | imported | updated | retired
    Column("changed_by", String(64), nullable=False),
    Column("changed_at", UTCDateTime, nullable=False),
    Column("changes", Text, nullable=False),
)

zones = Table(
    "zones",
    metadata,
    Column("hazard_id", String(36), primary_key=True),
    Column("kind", String(30), nullable=False),
    Column("buffer_m", Float, nullable=False),
    Column("zone_wkt", Text, nullable=False),
    *_bbox(),
)

# Home locations learned from registry events: the opaque child id and a point, nothing else.
homes = Table(
    "homes",
    metadata,
    Column("child_id", String(36), primary_key=True),
    Column("village_code", String(12), nullable=False),
    Column("location", EncryptedPoint("homes.location"), nullable=False),  # (lon, lat)
)

patrol_points = Table(
    "patrol_points",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("hazard_id", String(36), nullable=False, index=True),
    Column("lon", Float, nullable=False),
    Column("lat", Float, nullable=False),
    Column("reason", String(20), nullable=False),
    Column("schedule", String(120), nullable=False),
    Column("active", Boolean, nullable=False, server_default="1"),
    Column("origin_key", String(200), nullable=True, unique=True),  # generated points only
    Column("note", String(500), nullable=False, server_default=""),
    Column("last_checked_at", UTCDateTime, nullable=True),
)

checkins = Table(
    "checkins",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("client_id", String(64), nullable=False, unique=True),  # the phone's retry key
    Column("point_id", String(36), nullable=False, index=True),
    Column("hazard_id", String(36), nullable=False),
    Column("member_id", String(64), nullable=False),
    Column("checked_at", UTCDateTime, nullable=False),
    Column("lon", Float, nullable=False),
    Column("lat", Float, nullable=False),
    Column("accuracy_m", Float, nullable=False, server_default="0"),
    Column("distance_m", Float, nullable=False, server_default="0"),
    Column("duration_s", Integer, nullable=False, server_default="0"),
    Column("track_m", Float, nullable=False, server_default="0"),
    Column("track_wkt", Text, nullable=True),
    Column("off_point_reason", String(200), nullable=False, server_default=""),
    Column("photo", LargeBinary, nullable=True),
    Column("photo_type", String(40), nullable=True),
)

findings = Table(
    "findings",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("checkin_id", String(36), nullable=True, index=True),
    Column("alarm_key", String(200), nullable=True, unique=True),  # device_id:alarm_id
    Column("point_id", String(36), nullable=False, server_default=""),
    Column("hazard_id", String(36), nullable=False, index=True),
    Column("village_code", String(12), nullable=False, server_default=""),
    Column("kind", String(30), nullable=False),
    Column("action", String(20), nullable=False),
    Column("severity", String(10), nullable=False),
    Column("note", String(500), nullable=False, server_default=""),
    Column("reported_at", UTCDateTime, nullable=False),
)

devices = Table(
    "devices",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("hazard_id", String(36), nullable=False),
    Column("lon", Float, nullable=False),
    Column("lat", Float, nullable=False),
    Column("interval_s", Integer, nullable=False),
    Column("registered_at", UTCDateTime, nullable=False),
    Column("last_seen", UTCDateTime, nullable=True),
    Column("silence_reported", Boolean, nullable=False, server_default="0"),
)

# 隐患整改: one missing or damaged protection put right (domain/fix_tasks.py).
fix_tasks = Table(
    "fix_tasks",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("hazard_id", String(36), nullable=False, index=True),
    Column("village_code", String(12), nullable=False, index=True),
    Column("protection", String(20), nullable=False),
    Column("problem", String(10), nullable=False),
    Column("status", String(20), nullable=False, index=True),
    Column("due_on", Date, nullable=False),
    Column("assigned_to", String(40), nullable=False),
    Column("created_by", String(64), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("finding_id", String(36), nullable=False, server_default=""),
    Column("note", String(500), nullable=False, server_default=""),
    Column("fixed_by", String(64), nullable=False, server_default=""),
    Column("fixed_at", UTCDateTime, nullable=True),
    Column("fixed_note", String(500), nullable=False, server_default=""),
    Column("photo", LargeBinary, nullable=True),  # re-encoded, no EXIF (adapters/photos.py)
    Column("photo_type", String(40), nullable=True),
    Column("confirmed_by", String(64), nullable=False, server_default=""),
    Column("confirmed_at", UTCDateTime, nullable=True),
    Column("confirm_note", String(500), nullable=False, server_default=""),
    Column("overdue_notified_on", Date, nullable=True),
    Column("version", Integer, nullable=False, server_default="1"),
)

outbox, inbox = add_messaging_tables(metadata)
