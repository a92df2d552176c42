"""deliveries: an index in the dispatcher's claim order

Revision ID: 0004_ntf
Revises: 0003_ntf
Create Date: 2026-12-05 22:00:00

The dispatcher claims per channel, urgent first, then oldest due (ADR 0303). With
(state, channel, urgent DESC, next_attempt_at) the claim reads the first rows of an
index range instead of sorting every due delivery each round; it also serves the
lookup of abandoned 'sending' rows, so the old (state, next_attempt_at) index goes.
"""
import sqlalchemy as sa
from alembic import op

revision = '0004_ntf'
down_revision = '0003_ntf'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_deliveries_claim", "deliveries",
                    ["state", "channel", sa.text("urgent DESC"), "next_attempt_at"])
    op.drop_index("ix_deliveries_due", table_name="deliveries")


def downgrade() -> None:
    op.create_index("ix_deliveries_due", "deliveries", ["state", "next_attempt_at"])
    op.drop_index("ix_deliveries_claim", table_name="deliveries")
