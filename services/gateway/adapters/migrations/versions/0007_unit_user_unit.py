"""a liaison's unit on its account

Revision ID: 0007_unit
Revises: 0006_aud
Create Date: 2026-12-06 13:50:00

A school liaison sees the pupils of its school (shared/access.py): the account names
the school as children's records do. Empty for every other account.
"""
from alembic import op
import sqlalchemy as sa


revision = '0007_unit'
down_revision = '0006_aud'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('users') as batch:
        batch.add_column(sa.Column('unit', sa.String(length=200), nullable=False,
                                   server_default=''))


def downgrade() -> None:
    with op.batch_alter_table('users') as batch:
        batch.drop_column('unit')
