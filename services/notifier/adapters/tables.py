"""The notifier's tables (SQLAlchemy Core), including outbox and inbox.

``deliveries`` has the unique key (event_id, recipient_id, channel) that makes a
notification exactly-once whatever the consumer replays; ``alerts.deadline`` is the
escalation timer, stored so it survives restarts.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from shared.db import UTCDateTime
from shared.messaging.tables import add_messaging_tables

metadata = MetaData()
outbox, inbox = add_messaging_tables(metadata)

people = Table(
    "people", metadata,
    Column("person_id", String(64), primary_key=True),
    Column("role", String(40), nullable=False),
    Column("scope_code", String(12), nullable=False),
    Column("user_id", String(64), nullable=False, default=""),
    Column("lang", String(5), nullable=False, default="zh"),
    Column("label", String(120), nullable=False, default=""),
    Column("contacts", Text, nullable=False, default="{}"),  # JSON: channel → address
    Column("updated_at", UTCDateTime, nullable=False),
    Index("ix_people_role_scope", "role", "scope_code"),
    Index("ix_people_user", "user_id"),
)

alerts = Table(
    "alerts", metadata,
    Column("alert_id", String(36), primary_key=True),
    Column("event_id", String(36), nullable=False),
    Column("event_type", String(120), nullable=False),
    Column("rule", String(120), nullable=False),
    Column("case_id", String(64), nullable=False, default=""),
    Column("village_code", String(12), nullable=False, default=""),
    Column("data", Text, nullable=False),  # the event's data (ids and codes, no names)
    Column("urgent", Boolean, nullable=False),
    Column("level", Integer, nullable=False, default=0),
    Column("deadline", UTCDateTime, nullable=True),  # escalation timer
    Column("acked_at", UTCDateTime, nullable=True),
    Column("acked_by", String(64), nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    UniqueConstraint("event_id", "rule", name="uq_alert_event_rule"),
    Index("ix_alerts_timer", "deadline"),
)

deliveries = Table(
    "deliveries", metadata,
    Column("delivery_id", String(36), primary_key=True),
    Column("alert_id", String(36), nullable=False),
    Column("event_id", String(36), nullable=False),
    Column("event_type", String(120), nullable=False),
    Column("case_id", String(64), nullable=False, default=""),
    Column("recipient_id", String(64), nullable=False),
    Column("channel", String(20), nullable=False),
    Column("level", Integer, nullable=False, default=0),
    Column("urgent", Boolean, nullable=False),
    Column("state", String(10), nullable=False),
    Column("attempt", Integer, nullable=False, default=0),
    Column("next_attempt_at", UTCDateTime, nullable=False),
    Column("claimed_at", UTCDateTime, nullable=True),
    Column("sent_at", UTCDateTime, nullable=True),
    Column("acked_at", UTCDateTime, nullable=True),
    Column("last_error", String(200), nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    UniqueConstraint("event_id", "recipient_id", "channel", name="uq_delivery_once"),
    Index("ix_deliveries_recipient", "recipient_id", "channel"),
    Index("ix_deliveries_case", "case_id"),
    Index("ix_deliveries_alert", "alert_id"),
)

# the dispatcher's claim order: per channel, urgent first, then oldest due (ADR 0303)
Index("ix_deliveries_claim", deliveries.c.state, deliveries.c.channel, deliveries.c.urgent.desc(),
      deliveries.c.next_attempt_at)

attempts = Table(
    "delivery_attempts", metadata,
    Column("seq", BigInteger().with_variant(Integer, "sqlite"), primary_key=True,
           autoincrement=True),
    Column("delivery_id", String(36), nullable=False, index=True),
    Column("attempt", Integer, nullable=False),
    Column("started_at", UTCDateTime, nullable=False),
    Column("finished_at", UTCDateTime, nullable=True),
    Column("outcome", String(10), nullable=False),  # sending | sent | retry | failed
    Column("detail", String(200), nullable=False, default=""),  # error class, no addresses
)

used_tokens = Table(
    "used_ack_tokens", metadata,
    Column("delivery_id", String(36), primary_key=True),  # one ack link per delivery
    Column("used_at", UTCDateTime, nullable=False),
)

hazard_villages = Table(
    "hazard_villages", metadata,  # device and finding events may lack the village
    Column("hazard_id", String(64), primary_key=True),
    Column("village_code", String(12), nullable=False),
)

digest_items = Table(
    "digest_items", metadata,
    Column("item_id", String(80), primary_key=True),  # "visit:<child>:<due>", "referral:<id>"
    Column("kind", String(10), nullable=False),  # visit | referral
    Column("village_code", String(12), nullable=False),
    Column("case_id", String(64), nullable=False, default=""),
    Column("ref_id", String(64), nullable=False),  # child_id or referral_id
    Column("detail", String(64), nullable=False, default=""),  # risk grade / unit
    Column("due_date", Date, nullable=True),
    Column("open", Boolean, nullable=False, default=True),
    Index("ix_digest_open", "open", "village_code"),
)
