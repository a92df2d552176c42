"""The registry's tables (SQLAlchemy Core), including its outbox, inbox and audit log.

ID and phone numbers, home locations, guardians, addresses, visit findings, case records
and ledger entries are encrypted per field (shared/crypto.py, ADR 0500); duplicate ID numbers are
found through a blind index.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    Float,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    UniqueConstraint,
)

from shared.audit import add_audit_table
from shared.crypto import EncryptedJSON, EncryptedPoint, EncryptedString
from shared.db import UTCDateTime
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
    Column("home", EncryptedPoint("children.home")),  # (lon, lat); NULL: no coordinates
    Column("categories", JSON, nullable=False),
    Column("risk_grade", String(10), nullable=False),
    Column("id_number", EncryptedString("children.id_number"), nullable=True),
    Column("id_number_idx", String(80), nullable=True),  # blind index: duplicate look-ups
    Column("village_name", String(100), nullable=False, server_default=""),
    Column("address", EncryptedString("children.address"), nullable=False),
    Column("school", String(200), nullable=False, server_default=""),
    Column("phone", EncryptedString("children.phone"), nullable=True),
    Column("guardians", EncryptedJSON("children.guardians"), nullable=False),
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
    UniqueConstraint("id_number_idx", name="uq_children_id_number_idx"),
)

child_revisions = Table(
    "child_revisions",
    metadata,
    Column("seq", BigInteger().with_variant(Integer, "sqlite"), primary_key=True,
           autoincrement=True),
    Column("child_id", String(36), nullable=False, index=True),
    Column("version", Integer, nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Column("actor_id", String(64), nullable=False),
    Column("action", String(32), nullable=False),  # update, merge, review
    Column("before", EncryptedJSON("child_revisions.before"), nullable=False),  # as it was
)

# One visit per child, visitor and time: a phone resending a lost answer's request
# finds its visit stored, and two copies arriving at once cannot both be (0007_reg).
VISIT_KEY = ("child_id", "visitor_id", "visited_at")
visits = Table(
    "visits",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("child_id", String(36), nullable=False, index=True),
    Column("village_code", String(12), nullable=False),
    Column("visitor_id", String(64), nullable=False),
    Column("visited_at", UTCDateTime, nullable=False),  # stored in UTC (0007_reg)
    Column("location", EncryptedPoint("visits.location"), nullable=True),  # at the home
    Column("findings", EncryptedJSON("visits.findings"), nullable=False),
    Column("next_steps", EncryptedString("visits.next_steps"), nullable=False),
    Column("next_due", Date, nullable=False),
    Index("uq_visits_child_visitor_time", *VISIT_KEY, unique=True),
)

# One row per child and due date: the unique key makes the overdue event exactly-once.
overdue_notices = Table(
    "overdue_notices",
    metadata,
    Column("child_id", String(36), nullable=False),
    Column("due_date", Date, nullable=False),
    Column("notified_at", UTCDateTime, nullable=False),
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
    Column("opened_at", UTCDateTime, nullable=False),
    Column("mandatory_report", Boolean, nullable=False),
    Column("report", EncryptedJSON("cases.report"), nullable=False),
    Column("checklist_done", JSON, nullable=False),
    Column("history", EncryptedJSON("cases.history"), nullable=False),  # step notes
    Column("referrals", EncryptedJSON("cases.referrals"), nullable=False),
    Column("approvals", EncryptedJSON("cases.approvals"), nullable=True),  # NULL: none yet
    Column("awaiting_step", String(32), nullable=False, server_default="", index=True),
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

# Each person's latest background-check standing, from gateway.staff_check.recorded.v1
# (ADR 0506): who may be made a child's director. No names: the gateway's user id only.
staff_checks = Table(
    "staff_checks",
    metadata,
    Column("user_id", String(64), primary_key=True),
    Column("result", String(8), nullable=False),  # clear | match
    Column("checked_on", Date, nullable=False),
    Column("valid_until", Date, nullable=True),  # None: not valid at all
    Column("end_by", Date, nullable=True),  # a match: the engagement ends by then
)

# Work the consumer asks the worker's scanner to do soon (debounced, e.g. "reassess").
work_requests = Table(
    "work_requests",
    metadata,
    Column("name", String(32), primary_key=True),
    Column("requested_at", UTCDateTime, nullable=False),
)

# The station's reception and hotline ledgers (docs/domain.md rule 8).
ledger_entries = Table(
    "ledger_entries",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("ledger", String(16), nullable=False, index=True),  # reception | hotline
    Column("at", UTCDateTime, nullable=False),
    Column("village_code", String(12), nullable=False, index=True),
    Column("child_id", String(36), nullable=True),
    Column("contact", EncryptedString("ledger_entries.contact"), nullable=False),
    Column("summary", EncryptedString("ledger_entries.summary"), nullable=False),
    Column("handled_by", String(64), nullable=False),
    Column("outcome", EncryptedString("ledger_entries.outcome"), nullable=False),
)

# Bulk-export approvals already spent: each approves one export, once.
used_approvals = Table(
    "used_approvals", metadata,
    Column("approval_id", String(64), primary_key=True),
    Column("requester_id", String(64), nullable=False),
    Column("used_at", UTCDateTime, nullable=False),
)

outbox, inbox = add_messaging_tables(metadata)
audit_log = add_audit_table(metadata)
