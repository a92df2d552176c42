"""The outbox and inbox in a service's Alembic history, from ``tables.py``'s definitions.

Every service's first migration calls ``create_outbox_inbox`` (and its downgrade
``drop_outbox_inbox``), so the four databases carry one schema for the messaging
tables, the one the relay and the consumer are written against. The definitions are
the current ones: a change to ``outbox_columns`` or ``inbox_columns`` needs a new
migration step in every service, and these first steps must then keep the columns they
were written with (tests/integration/test_migrations.py compares a migrated database
with the tables on both backends).
"""

from __future__ import annotations

from alembic import op

from shared.messaging.tables import inbox_columns, outbox_columns


def create_outbox_inbox() -> None:
    """Create ``inbox`` and ``outbox`` (with its index of unsent rows)."""
    op.create_table("inbox", *inbox_columns())
    op.create_table("outbox", *outbox_columns())


def drop_outbox_inbox() -> None:
    """Drop both tables (their indexes go with them)."""
    op.drop_table("outbox")
    op.drop_table("inbox")
