"""case approvals asked for and decided

Revision ID: 0009_reg
Revises: 0008_apr
Create Date: 2026-12-06 13:30:00

A director asks a supervisor to approve a step; ``cases.approvals`` keeps every request
and its decision (encrypted: the notes are case records), ``cases.awaiting_step`` the
step a waiting request asks for ('' when none), so the supervisor's list of cases
waiting for a decision is a query, not a scan. Existing cases have no requests.
"""
import sqlalchemy as sa
from alembic import op

revision = '0009_reg'
down_revision = '0008_apr'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("approvals", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("awaiting_step", sa.String(length=32), nullable=False,
                                      server_default=""))
        batch_op.create_index("ix_cases_awaiting_step", ["awaiting_step"])


def downgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_index("ix_cases_awaiting_step")
        batch_op.drop_column("awaiting_step")
        batch_op.drop_column("approvals")
