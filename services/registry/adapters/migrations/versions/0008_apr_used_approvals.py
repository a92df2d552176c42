"""spent bulk-export approvals

Revision ID: 0008_apr
Revises: 0007_reg
Create Date: 2026-12-06 13:40:00

Each supervisor's approval of a bulk export covers one export, once: its id is stored
here in the export's transaction, and a second use is refused.
"""
from alembic import op
import sqlalchemy as sa


revision = '0008_apr'
down_revision = '0007_reg'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('used_approvals',
    sa.Column('approval_id', sa.String(length=64), nullable=False),
    sa.Column('requester_id', sa.String(length=64), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('approval_id')
    )


def downgrade() -> None:
    op.drop_table('used_approvals')
