"""staff background checks, as the gateway publishes them

Revision ID: 0011_reg
Revises: 0010_reg
Create Date: 2026-12-06 16:40:00

The registry refuses a child's director without a valid background check (ADR 0506).
The gateway's identity store is the source; ``staff_checks`` keeps each person's latest
standing from ``gateway.staff_check.recorded.v1``. It starts empty: the registry
learns the checks as the gateway's events arrive (a topic keeps them all).
"""
import sqlalchemy as sa
from alembic import op

revision = '0011_reg'
down_revision = '0010_reg'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "staff_checks",
        sa.Column("user_id", sa.String(length=64), nullable=False),
        sa.Column("result", sa.String(length=8), nullable=False),
        sa.Column("checked_on", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.Column("end_by", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("user_id"),
    )


def downgrade() -> None:
    op.drop_table("staff_checks")
