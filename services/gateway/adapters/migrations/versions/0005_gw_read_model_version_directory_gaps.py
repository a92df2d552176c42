"""read-model version counter; directory gaps shown on the dashboard

Revision ID: 0005_gw
Revises: 0004_gw
Create Date: 2026-12-06 13:20:00

``read_model_version`` is one row the projector bumps with every applied event, so the
map's page cache learns of a change by reading one row (it counted the inbox, a table
that only grows, twice a second per worker). ``directory_gaps`` holds the notifier's
``notifier.directory.gap.v1`` alarms.
"""
from alembic import op
import sqlalchemy as sa


revision = '0005_gw'
down_revision = '0004_gw'
branch_labels = None
depends_on = None


def upgrade() -> None:
    version = op.create_table(
        'read_model_version',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('version', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('id'))
    op.bulk_insert(version, [{'id': 1, 'version': 0}])
    op.create_table(
        'directory_gaps',
        sa.Column('gap_id', sa.String(length=36), nullable=False),
        sa.Column('village_code', sa.String(length=12), nullable=False),
        sa.Column('event_type', sa.String(length=120), nullable=False),
        sa.Column('rule', sa.String(length=120), nullable=False),
        sa.Column('recipients', sa.Integer(), nullable=False),
        sa.Column('raised_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('gap_id'))
    with op.batch_alter_table('directory_gaps', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_directory_gaps_raised_at'), ['raised_at'],
                              unique=False)


def downgrade() -> None:
    op.drop_table('directory_gaps')
    op.drop_table('read_model_version')
