"""the road network layer, versioned (issue 15)

Revision ID: 0008_roads
Revises: 0007_unit
Create Date: 2026-12-06 13:10:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0008_roads'
down_revision = '0007_unit'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'road_networks',
        sa.Column('version', sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column('imported_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('imported_by', sa.String(length=64), nullable=False),
        sa.Column('source', sa.String(length=200), nullable=False),
        sa.Column('report', sa.JSON(), nullable=False),
        sa.Column('links', sa.JSON(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table('road_networks')
